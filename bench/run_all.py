"""Run every benchmark (`make bench`); each script rewrites its own section of docs/benchmarks.md.

Sizes are the scripts' defaults (the targets' sizes where they run in minutes on 2 cores);
run a script alone with its own flags for other sizes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# (Every bench_*.py of this folder, tests/test_bench_scripts.py checks that none is left
# out. The instruction counts need valgrind, the fleet bench redis-server, the crawl bench
# wget; a script that fails is named at the end and the others still run.)
SCRIPTS = ["bench_replica.py", "bench_parsers.py", "bench_extract.py", "bench_diff.py",
           "bench_crawl.py", "bench_nightly.py", "bench_fleet.py", "bench_portals.py",
           "bench_state.py", "bench_browser.py", "bench_search.py", "bench_attachments.py",
           "bench_platforms.py", "bench_platforms_instructions.py",
           "bench_generic_instructions.py", "bench_parse_ceiling.py",
           "bench_replica_accuracy.py", "bench_heldout.py"]


def main() -> int:
    failed = []
    for name in SCRIPTS:
        script = BENCH / name
        if not script.exists():
            print(f"== {name}: missing, skipped", flush=True)
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(script)]).returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
