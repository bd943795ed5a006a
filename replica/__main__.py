"""`python -m replica '<config json>'`: serve one replica on an ephemeral port and print its
base URL on the first line (used by `run_replica_process`)."""

import contextlib
import sys

from replica.server import config_from_json, serve_forever

if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        serve_forever(config_from_json(sys.argv[1]), 0)
