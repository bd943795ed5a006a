"""Extraction throughput from WARC, and the time to load 50,000 articles into pandas.

1. Crawls a replica (2,000 articles, custom2015 theme, served from a child process) into a
   fresh archive with small WARC files, so that `extract` has several files to share out.
2. Times `pipelines.extract.extract_warcs` over those WARCs with jobs=1 and jobs=<all cores>
   (wall clock, whole job: reading, decoding, parsing, merging, writing Parquet and
   CSV) and counts article pages: captures whose parse has page_type "article".
3. Profiles the jobs=1 run with cProfile to show where the time goes (parser, WARC reading,
   dataset writing).
4. Writes 50,000 synthetic article rows through `pipelines.datasets.DatasetWriter` (the rows of
   bench/bench_diff.py) and times `pipelines.loader.load_table("articles", ...)`.

Targets (issue 5): >= 300 article pages/s per core; load <= 2 s. Results go to the
"## Extraction" section of docs/benchmarks.md.

    .venv/bin/python bench/bench_extract.py [--articles 2000] [--rows 50000] [--no-write]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import pyarrow.parquet as pq  # noqa: E402
from bench_diff import build  # noqa: E402
from e2e import crawl, replica_args, replica_process, snapshot_ids, warc_paths  # noqa: E402
from results import write_section  # noqa: E402

from pipelines.extract import extract_warcs  # noqa: E402
from pipelines.loader import load_table  # noqa: E402

THEME = "custom2015"


def crawl_replica(archive: Path, articles: int, warc_size: int) -> tuple[str, list[Path], float]:
    """Crawl a fresh replica into `archive`; returns (snapshot id, WARC paths, seconds)."""
    t0 = time.perf_counter()
    with replica_process(*replica_args(articles=articles, seed=3, theme=THEME)) as base:
        crawl(base, archive, "--max-warc-size", str(warc_size))
    elapsed = time.perf_counter() - t0
    snapshot = snapshot_ids(archive)[-1]
    return snapshot, warc_paths(archive, snapshot), elapsed


def page_types(out_dir: Path) -> dict[str, int]:
    """Captures per page type, from the `pages` table the extraction wrote."""
    column = pq.read_table(out_dir / "pages.parquet", columns=["page_type"]).column(0)
    counts: dict[str, int] = {}
    for value in column.to_pylist():
        counts[value or "(none)"] = counts.get(value or "(none)", 0) + 1
    return counts


def time_extract(warcs: list[Path], archive: Path, out_dir: Path, jobs: int,
                 profile: cProfile.Profile | None = None) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds of this process, page types).

    With jobs > 1 the workers are children of multiprocessing's forkserver, not of this
    process, so their CPU time is not visible here: only the parent's (merging, writing).
    """
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    if profile is not None:
        profile.enable()
    result = extract_warcs(warcs, "bench", archive_root=archive, out_dir=out_dir, jobs=jobs,
                           progress=False)
    if profile is not None:
        profile.disable()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    if result.errors:
        print("extract errors:", *result.errors[:5], sep="\n  ", file=sys.stderr)
    return wall, cpu, page_types(out_dir)


TABLE_HEAD = ("| jobs | captures | article pages | wall (s) | parent CPU (s) | article pages/s "
              "| captures/s | runs (s) |\n|---:|---:|---:|---:|---:|---:|---:|---|")

# Where the single-process time goes: cumulative seconds of the stages' entry points.
STAGES = (
    ("parsing (`scraper.parsers.parse_page`)", "scraper/parsers/page.py", "parse_page"),
    ("reading WARC records (warcio iterator, decompression)", "warcio/archiveiterator.py",
     "_iterate_records"),
    ("reading headers of images and attachments (`archive.records.read_head`)",
     "archive/records.py", "read_head"),
    ("reading bodies (warcio, chunked/gzip decoding)", "archive/records.py", "read_body"),
    ("per file: its captures read and parsed", "pipelines/extract.py", "_captures_of"),
    ("building rows and writing the tables (`DatasetWriter`)", "pipelines/extract.py", "_add"),
)


def stage_times(profile: cProfile.Profile) -> list[tuple[str, float]]:
    stats = pstats.Stats(profile).stats  # {(file, line, func): (cc, nc, tt, ct, callers)}
    out = []
    for label, path, func in STAGES:
        total = sum(v[3] for (f, _, name), v in stats.items()
                    if name == func and f.endswith(path))
        out.append((label, total))
    return out


def time_load(rows: int, repeats: int) -> tuple[float, float, int]:
    """(first load, best of `repeats`, rows loaded) for `rows` synthetic articles."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        root = Path(tmp)
        snapshot = "20261126T020000Z"
        build(root, snapshot, rows, 0)
        times = []
        n = 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            df = load_table("articles", root, snapshot=snapshot)
            times.append(time.perf_counter() - t0)
            n = len(df)
            del df
    return times[0], min(times), n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000, help="replica size")
    ap.add_argument("--warc-size", type=int, default=8_000_000,
                    help="rotate WARC files at this many bytes (several files for jobs > 1)")
    ap.add_argument("--rows", type=int, default=50_000, help="synthetic articles to load")
    ap.add_argument("--repeats", type=int, default=5, help="extraction runs per jobs (best)")
    ap.add_argument("--archive", type=Path, default=None,
                    help="reuse (or keep) the crawled archive here")
    ap.add_argument("--profile-out", type=Path, default=None,
                    help="also save the cProfile stats of the jobs=1 run here")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args()
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        archive = args.archive or Path(tmp) / "archive"
        if archive.is_dir() and snapshot_ids(archive):
            snapshot = snapshot_ids(archive)[-1]
            warcs, crawl_s = warc_paths(archive, snapshot), None
        else:
            snapshot, warcs, crawl_s = crawl_replica(archive, args.articles, args.warc_size)
        warc_mb = sum(p.stat().st_size for p in warcs) / 1e6
        print(f"snapshot {snapshot}: {len(warcs)} WARCs, {warc_mb:.1f} MB"
              + (f", crawled in {crawl_s:.0f} s" if crawl_s else ""))

        load_start = os.getloadavg()[0]
        runs: dict[int, tuple[float, float, dict]] = {}
        walls: dict[int, list[float]] = {}
        # Taking turns, so that a burst of load from other jobs does not hit one row only.
        for i in range(args.repeats):
            for jobs in sorted({1, cores}):
                out = Path(tmp) / f"out-{jobs}-{i}"
                out.mkdir(parents=True)
                wall, cpu, types = time_extract(warcs, archive, out, jobs)
                print(f"jobs={jobs}: {wall:.2f} s wall, {cpu:.2f} s CPU, {types}")
                walls.setdefault(jobs, []).append(wall)
                if jobs not in runs or wall < runs[jobs][0]:
                    runs[jobs] = (wall, cpu, types)
        profile = cProfile.Profile()
        out = Path(tmp) / "out-profile"
        out.mkdir()
        prof_wall, _, _ = time_extract(warcs, archive, out, 1, profile)
        stages = stage_times(profile)
        load_end = os.getloadavg()[0]
        if args.profile_out:
            profile.dump_stats(args.profile_out)

    first_load, best_load, loaded = time_load(args.rows, 3)
    print(f"load_table: {loaded} rows, first {first_load:.2f} s, best {best_load:.2f} s")

    articles = runs[1][2].get("article", 0)
    captures = sum(runs[1][2].values())
    per_core = articles / runs[1][0]
    table = []
    for jobs, (wall, cpu, _types) in sorted(runs.items()):
        table.append(f"| {jobs} | {captures:,} | {articles:,} | {wall:.2f} | {cpu:.2f} | "
                     f"{articles / wall:,.0f} | {captures / wall:,.0f} | "
                     f"{', '.join(f'{w:.2f}' for w in walls[jobs])} |")
    all_rate = articles / runs[cores][0]
    stage_rows = "\n".join(f"| {label} | {secs:.2f} | {100 * secs / prof_wall:.0f}% |"
                           for label, secs in stages)
    verdict_core = "met" if per_core >= 300 else "NOT met"
    share = {label.split(" ")[0]: secs / prof_wall for label, secs in stages}
    wall1 = runs[1][0]
    read_s = sum(secs for label, secs in stages if label.startswith("reading")) / prof_wall
    budget = (f"Scaled to the unprofiled jobs=1 run ({wall1:.1f} s): parsing about "
              f"{share['parsing'] * wall1:.1f} s, reading WARC records and bodies about "
              f"{read_s * wall1:.1f} s, building rows and writing the tables about "
              f"{share['building'] * wall1:.1f} s. The target allows "
              f"{articles / 300:.1f} s for these {articles:,} articles in all"
              + (", less than parsing alone takes" if share["parsing"] * wall1 > articles / 300
                 else "")
              + f" ({captures - runs[1][2].get('(none)', 0):,} HTML captures are parsed: "
              "listings and documents too).")
    verdict_load = "met" if best_load <= 2 else "NOT met"
    mix = ", ".join(f"{k} {v:,}" for k, v in sorted(runs[1][2].items()))
    print(f"{per_core:.0f} article pages/s per core ({verdict_core}); "
          f"{all_rate:.0f} with {cores} cores")
    for label, secs in stages:
        print(f"  {label}: {secs:.2f} s")
    text = f"""
`bench/bench_extract.py` — {time.strftime('%Y-%m-%d')}: a crawl of the replica
({args.articles:,} articles, theme {THEME}, WARCs rotated at {args.warc_size / 1e6:.0f} MB:
{len(warcs)} files, {warc_mb:.1f} MB), then `pipelines.extract.extract_warcs` over its WARCs (best
of {args.repeats} runs per row, the rows taking turns; other jobs on the shared machine only
ever add time, so the fastest run is the closest to the code's own cost; every run is listed;
wall clock of the whole job: reading and decompressing records,
parsing, building rows, writing every table in Parquet and CSV). Article pages are captures
whose parse has page_type `article`. Capture mix: {mix}.

{TABLE_HEAD}
{chr(10).join(table)}

Per core: **{per_core:,.0f}** article pages/s (jobs=1), target >= 300: {verdict_core}. With all
{cores} cores: **{all_rate:,.0f}** article pages/s. (Workers are one per WARC file; the 2 cores
are shared with other jobs and with the parent that merges and writes the tables.)

Where the time of a jobs=1 run goes (cProfile, {prof_wall:.1f} s with profiling overhead;
stages overlap: "per file" contains parsing and reading; with one process
and indexed WARCs each capture goes straight to the writer, with no spool):

| stage | cumulative s | share |
|---|---:|---:|
{stage_rows}

{budget}

Load: `pipelines.loader.load_table("articles", archive, snapshot=…)` on {loaded:,} synthetic
article rows written through `DatasetWriter` (the rows of bench/bench_diff.py): first call
{first_load:.2f} s, best of 3 **{best_load:.2f} s**, target <= 2 s: {verdict_load}.

Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()},
{cores} cores shared with other jobs (load average, 1 min, at the start and end of the
extraction runs: {load_start:.1f} and {load_end:.1f}).
"""
    print(text)
    if not args.no_write:
        print("written to", write_section("Extraction", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
