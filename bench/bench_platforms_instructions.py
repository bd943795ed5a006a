"""Instructions per page (callgrind) of the profile-driven parse and of trafilatura.

bench/bench_platforms.py measures CPU time, which on the shared 2-core machine moves by a
third from run to run (load average 6-9 while it ran). Instruction counts do not: this
script runs the same pages as its profile pair under valgrind's callgrind, in turns, each
as (count with N passes) - (count with 0 passes), so imports and start-up cancel out:

- `parse_page` with the detected profile (profiled platforms' pages);
- `trafilatura.extract(body, url=url)` (main text), the peer of bench_platforms.py.

Needs valgrind (Debian package `valgrind`). Results go to "## Platforms (instructions)".

    .venv/bin/python bench/bench_platforms_instructions.py [--passes N] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import callgrind  # noqa: E402

CHILD = """
import sys
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
from bench_platforms import load_pages
from scraper.parsers import clear_caches, parse_page
import trafilatura
pages = [p for p in load_pages() if not p[0].startswith("generic/")]
for _, body, url, ctype in pages:
    parse_page(body, url, ctype); trafilatura.extract(body, url=url)
kind, passes = sys.argv[1], int(sys.argv[2])
for i in range(passes):
    if i % 5 == 0:
        clear_caches()
    for _, body, url, ctype in pages:
        if kind == "parse":
            parse_page(body, url, ctype)
        else:
            trafilatura.extract(body, url=url)
print(len(pages))
"""


def count(script: Path, kind: str, passes: int) -> tuple[int, int]:
    # (Hash seed fixed; runs of the same code still differed by up to 0.18 M a page, so every
    # run is listed in docs/benchmarks.md.)
    return callgrind.count([str(script), kind, str(passes)])


def main() -> int:
    from results import write_section

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=10, help="passes over the pages per run")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args()
    if not callgrind.available("bench_platforms_instructions"):
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "child.py"
        script.write_text(CHILD.format(bench=str(ROOT / "bench"), root=str(ROOT)))
        base, pages = count(script, "parse", 0)
        runs = {}
        for kind in ("parse", "trafilatura"):  # taking turns: one run each
            total, _ = count(script, kind, args.passes)
            runs[kind] = (total - base) / (args.passes * pages)
    ratio = runs["trafilatura"] / runs["parse"]
    text = "\n".join([
        f"{pages} profiled platform fixture pages x {args.passes} passes, callgrind "
        "instruction counts (start-up subtracted, PYTHONHASHSEED=0), Python "
        f"{sys.version.split()[0]}.",
        "",
        "| parser | instructions per page | ratio |",
        "|---|---|---|",
        f"| `parse_page`, detected platform profile | {runs['parse'] / 1e6:.2f} M | "
        f"{ratio:.2f}x fewer |",
        f"| `trafilatura.extract` (main text), same pages | {runs['trafilatura'] / 1e6:.2f} M "
        "| 1.00x |",
        "",
        f"Target profile-driven >= 10x trafilatura: {ratio:.1f}x in instructions "
        f"({'met' if ratio >= 10 else 'NOT met'}).",
    ])
    print(text)
    if not args.no_write:
        write_section("Platforms (instructions)",
                      "Written by `bench/bench_platforms_instructions.py`.\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
