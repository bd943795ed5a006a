"""How fast `parse_page` could be at best, against trafilatura, on each platform's pages.

Issue 14's target is profile-driven parsing at >= 10x trafilatura's pages/s. This bench
asks whether that is reachable on a set of pages at all, by timing the part of a parse no
parser of this design can skip, on the same pages, in the same process, taking turns:

- `trafilatura`: `trafilatura.extract(body, url=url)` (its default, main text);
- `parse_page`: the whole parse (detected platform, its profile or hook);
- `floor`: what every parse of the page must do before and besides reading its fields:
  decode the bytes (`decode_page`: charset, NFC), build the tree (`parse_html`, libxml2,
  which trafilatura runs as well), tell the platform (`detect`), and write the two outputs
  taken from the body element whole: its text (`lines_of`) and its HTML (`inner_html`).
  The body element is located by a child-index path found before timing, so no selector
  runs; titles, dates, bylines, images and captions, tags, links, ids and the document
  labels cost nothing in this figure.

`ceiling` = trafilatura / floor: the ratio a parse would reach if reading every other field
were free. Where it is under 10x, the target cannot be met on those pages by any parse that
builds the page's tree with lxml; where it is above, the gap is the field readers' cost.

Page sets: each replica platform's article and document pages (as bench_replica_accuracy.py
renders them: 60 articles, seed 1, night 0, NFD off), and the platform fixture pages of
real templates (tests/pages, as bench_platforms.py loads them). CPU time
(`time.process_time`), rounds taking turns (the order reversed every other round); every
run is listed, the ratios are medians of the per-round ratios. `--instructions` counts
callgrind instructions instead (valgrind needed): each set and kind in a process of its own,
(N passes) - (0 passes) so that start-up, the replica's rendering and the warm-up cancel
out; the counts do not move with the machine's load, so the sets run two at a time.

    .venv/bin/python bench/bench_parse_ceiling.py [--rounds N] [--set NAME] [--no-write]
    .venv/bin/python bench/bench_parse_ceiling.py --instructions [--passes N] [--set NAME]
"""

from __future__ import annotations

import argparse
import gc
import platform as host_platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import callgrind  # noqa: E402

from scraper.parsers import clear_caches, parse_page  # noqa: E402
from scraper.parsers.article import find_root_and_body  # noqa: E402
from scraper.parsers.detect import detect  # noqa: E402
from scraper.parsers.dom import inner_html, lines_of, parse_html  # noqa: E402
from scraper.parsers.profiled import _first  # noqa: E402
from scraper.parsers.text import decode_page  # noqa: E402
from scraper.profiles.spec import PageNeedles, builtin  # noqa: E402

SETS = ("nukeviet", "upload-portal", "wordpress", "liferay", "sharepoint", "dotnetnuke",
        "fixtures")
TARGET = 10.0
KINDS = ("trafilatura", "parse_page", "floor")


def _index_path(el) -> tuple[int, ...]:
    path = []
    while el.getparent() is not None:
        parent = el.getparent()
        path.append(parent.index(el))
        el = parent
    return tuple(reversed(path))


def body_path(body: bytes, url: str, ctype: str | None) -> tuple[int, ...] | None:
    """Where the page's body element is (child indexes from `<html>`), found as the parse
    finds it: the NukeViet hook's search, else the profile's `body` rules under its root."""
    text, _, verbatim = decode_page(body, ctype)
    doc = parse_html(text, body if verbatim else None)
    profile = builtin(detect(text, url, complete=False).platform)
    if profile.hooks.get("parse") is not None:
        el = find_root_and_body(doc)[1]
    else:
        has = PageNeedles(text, doc)
        el = None
        for section in (profile.article, profile.document):
            root = _first(section.get("root"), doc, has)
            root = root if root is not None and not isinstance(root, str) else doc
            el = _first(section.get("body"), root, has)
            if el is not None and not isinstance(el, str):
                break
            el = None
    return _index_path(el) if el is not None else None


def floor(body: bytes, url: str, ctype: str | None, path: tuple[int, ...] | None) -> None:
    text, _, verbatim = decode_page(body, ctype)
    doc = parse_html(text, body if verbatim else None)
    detect(text, url, complete=False)
    if path is not None:
        el = doc
        for i in path:
            el = el[i]
        lines_of(el)
        inner_html(el)


def load_set(name: str) -> list[tuple[bytes, str, str | None]]:
    if name == "fixtures":
        from bench_platforms import load_pages

        return [(body, url, ctype) for key, body, url, ctype in load_pages()
                if not key.startswith("generic/")]
    from bench_replica_accuracy import render_pages

    return [(body, url, ctype) for _, _, url, body, ctype in render_pages(name, 60)[1]]


def run_once(kind: str, pages, paths) -> float:
    clear_caches()
    t0 = time.process_time()
    _run(kind, pages, paths)
    return time.process_time() - t0


def _run(kind: str, pages, paths) -> None:
    import trafilatura

    if kind == "trafilatura":
        for body, url, _ in pages:
            trafilatura.extract(body, url=url)
    elif kind == "parse_page":
        for body, url, ctype in pages:
            parse_page(body, url, ctype)
    else:
        for (body, url, ctype), path in zip(pages, paths, strict=True):
            floor(body, url, ctype, path)


def child(name: str, kind: str, passes: int) -> None:
    """One callgrind run: load the set, warm every kind once, then `passes` of `kind`."""
    pages = load_set(name)
    paths = [body_path(*page) for page in pages]
    for k in KINDS:
        _run(k, pages, paths)
    # (What is alive now, modules and pages, is kept out of later collections: a full
    # collection that walked it fell in some runs and not others, moving the 0-pass count
    # by tens of millions of instructions.)
    gc.collect()
    gc.freeze()
    for _ in range(passes):
        clear_caches()
        _run(kind, pages, paths)
    print(len(pages))


def _count(name: str, kind: str, passes: int) -> tuple[int, int]:
    return callgrind.count([str(Path(__file__).resolve()), "--child", name, kind, str(passes)])


def measure_instructions(name: str, passes: int) -> dict:
    """Instructions a page of each kind on one set: (passes) - (0 passes) runs."""
    base, n = _count(name, "floor", 0)
    per_page = {kind: (_count(name, kind, passes)[0] - base) / (passes * n) for kind in KINDS}
    return {"name": name, "pages": n, "per_page": per_page,
            "ratio": per_page["trafilatura"] / per_page["parse_page"],
            "ceiling": per_page["trafilatura"] / per_page["floor"]}


def measure(name: str, rounds: int) -> dict:
    pages = load_set(name)
    paths = [body_path(*page) for page in pages]
    for kind in KINDS:  # warm imports and compiled selectors
        run_once(kind, pages, paths)
    runs: dict[str, list[float]] = {k: [] for k in KINDS}
    for r in range(rounds):
        for kind in (KINDS if r % 2 == 0 else tuple(reversed(KINDS))):
            runs[kind].append(run_once(kind, pages, paths))
    n = len(pages)
    ratio = [t / p for t, p in zip(runs["trafilatura"], runs["parse_page"], strict=True)]
    ceiling = [t / f for t, f in zip(runs["trafilatura"], runs["floor"], strict=True)]
    return {"name": name, "pages": n, "bodies": sum(p is not None for p in paths),
            "runs": runs,
            "ms": {k: statistics.median(v) * 1000 / n for k, v in runs.items()},
            "ratio": statistics.median(ratio), "ceiling": statistics.median(ceiling)}


def _verdict(row: dict) -> str:
    if row["ratio"] >= TARGET:
        return "met"
    if row["ceiling"] < TARGET:
        return "not reachable (ceiling under 10x)"
    return "not met"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="rounds taking turns (CPU time)")
    ap.add_argument("--set", action="append", choices=SETS, dest="sets",
                    help="a page set (repeatable; default: all)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--instructions", action="store_true",
                    help="callgrind instruction counts instead of CPU time")
    ap.add_argument("--passes", type=int, default=None,
                    help="passes a run (--instructions; default 10 over the 9 fixture "
                    "pages, 3 over the 72 pages of a replica set)")
    ap.add_argument("--child", nargs=3, metavar=("SET", "KIND", "PASSES"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if args.instructions:
        return instructions_main(args)
    rows = []
    for name in args.sets or SETS:
        row = measure(name, args.rounds)
        rows.append(row)
        ms = row["ms"]
        print(f"{name}: {row['pages']} pages; ms a page (median): trafilatura "
              f"{ms['trafilatura']:.3f}, parse_page {ms['parse_page']:.3f}, floor "
              f"{ms['floor']:.3f}; ratio {row['ratio']:.1f}x, ceiling {row['ceiling']:.1f}x: "
              f"{_verdict(row)}", flush=True)
    if args.no_write:
        return 0
    from results import write_section

    lines = [
        "Written by `bench/bench_parse_ceiling.py` (its docstring defines `floor`: decode, "
        "libxml2 tree, detection, and the body's text and HTML, no field read), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.rounds} rounds taking "
        f"turns, CPU time, Python {host_platform.python_version()}, shared 2-core machine. "
        "Replica sets: every article and document page of a 60-article replica; fixtures: "
        "the profiled platforms' pages of real templates (tests/pages).",
        "",
        "| pages | n | trafilatura ms/page | parse_page ms/page | floor ms/page | budget for "
        "10x (trafilatura / 10) | ratio (trafilatura / parse_page) | ceiling (trafilatura / "
        "floor) | target >= 10x |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        ms = row["ms"]
        lines.append(f"| {row['name']} | {row['pages']} | {ms['trafilatura']:.3f} | "
                     f"{ms['parse_page']:.3f} | {ms['floor']:.3f} | "
                     f"{ms['trafilatura'] / TARGET:.3f} | {row['ratio']:.1f}x | "
                     f"{row['ceiling']:.1f}x | {_verdict(row)} |")
    lines += ["", "Every run (seconds for the whole set: trafilatura / parse_page / floor):", ""]
    for row in rows:
        r = row["runs"]
        lines.append(f"- {row['name']}: " + "; ".join(
            f"{t:.3f} / {p:.3f} / {f:.3f}" for t, p, f in
            zip(r["trafilatura"], r["parse_page"], r["floor"], strict=True)))
    write_section("Platforms (ceiling)", "\n".join(lines))
    return 0


def instructions_main(args) -> int:
    if not callgrind.available("bench_parse_ceiling"):
        return 2
    sets = args.sets or SETS
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(lambda name: measure_instructions(
            name, args.passes or (10 if name == "fixtures" else 3)), sets))
    lines = [
        "Written by `bench/bench_parse_ceiling.py --instructions`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: callgrind instructions a "
        f"page, (N passes) - (0 passes) per set and kind (N: "
        f"{args.passes or '10 for the fixtures, 3 for a replica set'}), PYTHONHASHSEED=0, "
        f"Python {host_platform.python_version()}. Same pages and `floor` as the table "
        "above.",
        "",
        "| pages | n | trafilatura | parse_page | floor | budget for 10x | ratio | ceiling "
        "| target >= 10x |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        ins = row["per_page"]
        line = (f"| {row['name']} | {row['pages']} | {ins['trafilatura'] / 1e6:.2f} M | "
                f"{ins['parse_page'] / 1e6:.2f} M | {ins['floor'] / 1e6:.2f} M | "
                f"{ins['trafilatura'] / TARGET / 1e6:.2f} M | {row['ratio']:.1f}x | "
                f"{row['ceiling']:.1f}x | {_verdict(row)} |")
        print(line, flush=True)
        lines.append(line)
    if not args.no_write:
        from results import write_section

        write_section("Platforms (ceiling, instructions)", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
