"""Instructions per page (callgrind) of the generic path and of trafilatura, on the same pages.

The generic path is what a page no fingerprint names gets (`generic` profile: JSON-LD,
OpenGraph, visible date lines and bylines, trafilatura for the main text). Its target
(issue 14) is to be no slower than `trafilatura.extract(body, url=url)` alone. CPU time on the
shared 2-core machine moves by a third from run to run; instruction counts do not. So, like
bench/bench_platforms_instructions.py, each figure is (callgrind count with N passes) -
(count with 0 passes), which cancels imports, start-up and the replica's rendering:

- `custom` replica pages: every article and document page of the replica's `custom` platform
  (60 articles, seed 1, NFD off, as bench/bench_replica_accuracy.py renders them), which no
  fingerprint names and which carry no structured metadata;
- fixture generic pages: tests/pages/generic/* (a custom ASP.NET article, an `other` page).

Runs take turns (parse_page, then trafilatura, per round); every run is listed and the ratio
is trafilatura's instructions over parse_page's in the same round. Needs valgrind. Results go
to "## Generic path (instructions)".

    .venv/bin/python bench/bench_generic_instructions.py [--passes N] [--rounds N]
        [--label TEXT] [--no-write]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import callgrind  # noqa: E402

CHILD = """
import sys
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
from scraper.parsers import clear_caches, parse_page
import trafilatura
which, kind, passes = sys.argv[1], sys.argv[2], int(sys.argv[3])
if which == "replica":
    from bench_replica_accuracy import render_pages
    pages = [(body, url, ctype) for _, _, url, body, ctype in render_pages("custom", 60)[1]]
else:
    from bench_platforms import load_pages
    pages = [(body, url, ctype) for name, body, url, ctype in load_pages()
             if name.startswith("generic/")]
for body, url, ctype in pages:
    parse_page(body, url, ctype); trafilatura.extract(body, url=url)
for i in range(passes):
    if i % 5 == 0:
        clear_caches()
    for body, url, ctype in pages:
        if kind == "parse":
            parse_page(body, url, ctype)
        else:
            trafilatura.extract(body, url=url)
print(len(pages))
"""

SETS = {"replica": "`custom` replica pages (articles and documents)",
        "fixtures": "fixture generic pages (tests/pages/generic)"}
SECTION = "Generic path (instructions)"


# What changed between the runs of the table (newest last), kept with the section.
NOTES = (
    "Runs: `before` is the code as issue 14's generic-path work found it; `after` adds, "
    "with every parse output unchanged on 229 pages (fixtures, held-out pages and 20-article "
    "replicas of the seven platforms, each parsed by its profile and by the generic one) and "
    "tests/test_generic_readers.py: the date-line search run once a page instead of three "
    "times (the article test, the date and the images each asked; a `_Page` memo, the body's "
    "date line being the page's); the date-line, byline and source searches taking the text "
    "nodes once and filtering them in Python instead of XPath string predicates (libxml2 "
    "copied each node's string for every `translate`, `normalize-space` and `contains`); "
    "`short_text`, which stops reading a block's text once a lower bound proves it longer "
    "than the reader's limit (the searches climb from a text node into blocks that hold the "
    "whole article); trafilatura's `Extractor` built once. The generic path's own work (its "
    "parse with trafilatura's text cached) went from 25.5 M to 9.8 M instructions a custom "
    "article; trafilatura's text itself (about 31 M) is unchanged: its options and input are "
    "the same, so is its output. CPU time on the same pages (bench_replica_accuracy.py, "
    "`custom` row, ratio = trafilatura / parse_page, median of rounds taking turns): before "
    "0.8x (3 rounds); after 1.2x (3 rounds, the section's run), then 1.0x and 1.1x "
    "(`--platform custom --rounds 9 --no-write`, the first beside a callgrind run on the "
    "other core: 0.37s vs 0.56s; 0.58s vs 0.61s; 0.52s vs 0.48s; 0.45s vs 0.46s; 0.45s vs "
    "0.56s; 0.50s vs 0.43s; 0.40s vs 0.39s; 0.42s vs 0.41s; 0.43s vs 0.41s; the second "
    "alone: 0.38s vs 0.40s; 0.38s vs 0.41s; 0.39s vs 0.58s; 0.42s vs 0.40s; 0.38s vs 0.42s; "
    "0.38s vs 0.54s; 0.42s vs 0.40s; 0.38s vs 0.40s; 0.44s vs 0.41s). Time moves by a "
    "third from round to round on the shared machine, and the margin in time is thinner "
    "than in instructions: the instruction counts are the robust measure.")


def earlier_rows(markdown: str) -> list[str]:
    """The run rows of the section as it stands (every run stays listed)."""
    m = re.search(rf"^## {re.escape(SECTION)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    return [line for line in (m.group(1).splitlines() if m else [])
            if re.match(r"\| \d{4}-\d\d-\d\d ", line)]


def count(script: Path, which: str, kind: str, passes: int) -> tuple[int, int]:
    return callgrind.count([str(script), which, kind, str(passes)], hash_seed=None)


def measure(script: Path, which: str, passes: int, rounds: int
            ) -> tuple[int, list[tuple[float, float]]]:
    """(pages, [(parse_page, trafilatura) instructions per page, per round])."""
    base, pages = count(script, which, "parse", 0)
    runs = []
    for _ in range(rounds):
        per = {}
        for kind in ("parse", "trafilatura"):  # taking turns
            total, _ = count(script, which, kind, passes)
            per[kind] = (total - base) / (passes * pages)
        runs.append((per["parse"], per["trafilatura"]))
        print(f"  {which}: parse_page {per['parse'] / 1e6:.2f} M, trafilatura "
              f"{per['trafilatura'] / 1e6:.2f} M per page", flush=True)
    return pages, runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=3, help="passes over the pages per run")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of (parse_page, trafilatura)")
    ap.add_argument("--label", default="", help="what this run measures (the code's state)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args()
    if not callgrind.available("bench_generic_instructions"):
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "child.py"
        script.write_text(CHILD.format(bench=str(ROOT / "bench"), root=str(ROOT)))
        for which, name in SETS.items():
            pages, runs = measure(script, which, args.passes, args.rounds)
            ratios = [t / p for p, t in runs]
            every = "; ".join(f"{p / 1e6:.2f} M vs {t / 1e6:.2f} M" for p, t in runs)
            rows.append(f"| {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} | "
                        f"{args.label or '-'} | {name} | {pages} | {every} | "
                        f"{statistics.median(ratios):.2f}x |")
    for row in rows:
        print(row)
    if args.no_write:
        return 0
    write(rows, args.passes)
    return 0


def write(rows: list[str], passes: int) -> None:
    """The section: the rows already there, then `rows`, then the notes."""
    from results import BENCHMARKS, write_section

    earlier = earlier_rows(BENCHMARKS.read_text(encoding="utf-8")
                           if BENCHMARKS.exists() else "")
    text = "\n".join([
        "Written by `bench/bench_generic_instructions.py`: callgrind instructions per page "
        "of `parse_page` on pages the generic path parses, against "
        "`trafilatura.extract(body, url=url)` on the same pages, each as (N passes) - "
        f"(0 passes) so start-up cancels out; {passes} passes per run, Python "
        f"{sys.version.split()[0]}. Ratio = trafilatura / parse_page (above 1: the generic "
        "path is faster). Target (issue 14): >= 1.00x. Every run, oldest first (a run "
        "adds its rows to those already here):",
        "",
        "| run (UTC) | code | pages | n | instructions per page, parse_page vs trafilatura "
        "(each round) | ratio |",
        "|---|---|---|---|---|---|",
        *(earlier + rows),
        "",
        NOTES,
    ])
    write_section(SECTION, text)


if __name__ == "__main__":
    sys.exit(main())
