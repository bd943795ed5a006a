"""Where benchmark results go: one `## <name>` section of docs/benchmarks.md per script.

Each script rewrites only its own section, so scripts can run in any order and the rest of
the file (other sections, prose) is kept.
"""

from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(name: str, body: str, path: Path = BENCHMARKS) -> Path:
    section = f"## {name}\n\n{body.strip()}\n"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _: section + "\n", current).rstrip() + "\n"
    else:
        current = current.rstrip() + "\n\n" + section
    path.write_text(current, encoding="utf-8")
    return path
