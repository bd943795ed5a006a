"""How the user ran `portal-archive`, so the commands we print for them to paste work as is.

`make demo` runs `.venv/bin/portal-archive` without activating the venv: a suggested
`portal-archive …` would then be `command not found`. The program is named as it was run
when that was the `portal-archive` script, else by its plain name.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def program() -> str:
    """`portal-archive`, or the path it was run by (e.g. `.venv/bin/portal-archive`)."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name == "portal-archive" and argv0 != "portal-archive":
        return shlex.quote(argv0)
    return "portal-archive"
