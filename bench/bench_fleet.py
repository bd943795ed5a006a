"""Distributed crawl throughput: 1 vs 2 `portal-archive worker` processes, zero latency.

The same replica (a fresh process per run), a local `redis-server` (no persistence), the
coordinator `crawl URL --redis` and N workers with `--delay 0 --concurrency 16`; the runs of
1 and 2 workers take turns `--repeat` times and each row is the median run. Two times per
run: the crawl (from the coordinator's start to the last worker's exit: fetching, WARC
records, links) and the whole command (plus closing the snapshot: datasets rebuilt from the
WARCs, CDXJ, hashes, the same work whatever the number of workers). Results are printed and
written into docs/benchmarks.md under "## Distributed crawl".

    .venv/bin/python bench/bench_fleet.py [--articles 1000] [--repeat 3] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from e2e import CLI, captured_uris, replica_server, snapshot_ids, warc_paths  # noqa: E402
from redis_server import redis_server  # noqa: E402
from results import write_section  # noqa: E402


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_cpu(redis_url: str) -> tuple[float, int]:
    """Redis's CPU seconds and its count of reads from clients (about one per round trip)."""
    import redis

    info = redis.Redis.from_url(redis_url).info()
    return (float(info["used_cpu_user"]) + float(info["used_cpu_sys"]),
            int(info["total_reads_processed"]))


def run(base: str, redis_url: str, work: Path, workers: int, replica_pid: int,
        env: dict | None = None) -> dict:
    archive = work / "archive"
    redis_before, replica_before = _redis_cpu(redis_url), _proc_cpu(replica_pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    coordinator = subprocess.Popen(
        [*CLI, "crawl", base, "--archive", str(archive), "--redis", redis_url, "--delay", "0",
         "--concurrency", "16", "--no-progress"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=env)
    procs = [subprocess.Popen([*CLI, "worker", "--redis", redis_url, "--archive", str(archive),
                               "--wait", "120", "--id", f"b{i}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
             for i in range(workers)]
    for p in procs:
        p.wait(timeout=1800)
    crawled = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (children.ru_utime + children.ru_stime
                  - children_before.ru_utime - children_before.ru_stime)
    redis_after = _redis_cpu(redis_url)
    redis_cpu = redis_after[0] - redis_before[0]
    reads = redis_after[1] - redis_before[1]
    replica_cpu = _proc_cpu(replica_pid) - replica_before
    out, err = coordinator.communicate(timeout=1800)
    total = time.perf_counter() - start
    if coordinator.returncode != 0:
        raise SystemExit(f"crawl failed: {out}{err}")
    (sid,) = snapshot_ids(archive)
    pages = len(captured_uris(warc_paths(archive, sid)))
    return {"workers": workers, "pages": pages, "crawl_s": crawled, "total_s": total,
            "pages_per_s": pages / crawled,
            # CPU ms per page during the crawl: the workers together, Redis, the replica.
            "worker_ms": 1000 * worker_cpu / pages, "redis_ms": 1000 * redis_cpu / pages,
            "replica_ms": 1000 * replica_cpu / pages, "redis_reads_per_page": reads / pages}


def _median(rs: list[dict]) -> dict:
    ordered = sorted(rs, key=lambda r: r["crawl_s"])
    return {**ordered[(len(ordered) - 1) // 2], "runs": rs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also run the code checked out in DIR (e.g. `git worktree add DIR "
                             "COMMIT`), taking turns with this one, through PYTHONPATH")
    args = parser.parse_args()
    codes = {"this": None}
    if args.baseline:
        codes["baseline"] = {**os.environ, "PYTHONPATH": str(args.baseline.resolve())}
    runs: dict[tuple[str, int], list[dict]] = {(c, n): [] for c in codes for n in (1, 2)}
    load = [os.getloadavg()[0]]
    with redis_server(Path(tempfile.mkdtemp(prefix="bench-redis-"))) as redis_url:
        for _ in range(args.repeat):
            for code, env in codes.items():
                for n in (1, 2):
                    work = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
                    try:
                        with replica_server("--articles", str(args.articles), "--seed", "1") \
                                as (base, replica):
                            row = run(base, redis_url, work, n, replica.pid, env)
                    finally:
                        shutil.rmtree(work, ignore_errors=True)
                    row["code"] = code
                    runs[(code, n)].append(row)
                    print(json.dumps(row), flush=True)
    load.append(os.getloadavg()[0])
    rows = {key: _median(rs) for key, rs in runs.items()}
    ratio = {c: rows[(c, 2)]["pages_per_s"] / rows[(c, 1)]["pages_per_s"] for c in codes}
    lines = ["| code | workers | pages | crawl s | pages/s (crawl) | whole command s | Redis "
             "round trips/page | CPU ms/page: workers, Redis, replica | runs: crawl s "
             "(whole s) |", "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for (code, n), r in rows.items():
        lines.append(f"| {code} | {n} | {r['pages']} | {r['crawl_s']:.1f} | "
                     f"{r['pages_per_s']:.1f} | {r['total_s']:.1f} | "
                     f"{r['redis_reads_per_page']:.1f} | "
                     f"{r['worker_ms']:.1f}, {r['redis_ms']:.2f}, {r['replica_ms']:.1f} | "
                     + ", ".join(f"{x['crawl_s']:.1f} ({x['total_s']:.1f})" for x in r["runs"])
                     + " |")
    two = rows[("this", 2)]
    per_page = two["worker_ms"] + two["redis_ms"] + two["replica_ms"]
    ceiling = 1000 * (os.cpu_count() or 1) / per_page
    versus = "".join(f"; the baseline ({args.baseline.name}): {ratio['baseline']:.2f}×"
                     for _ in [1] if args.baseline)
    body = (
        f"`bench/bench_fleet.py`, {time.strftime('%Y-%m-%d', time.gmtime())}: a distributed "
        "crawl (`crawl URL --redis` and N `worker` processes, local `redis-server`, "
        f"`--delay 0 --concurrency 16`) of a replica with {args.articles} articles at zero "
        f"latency, 1 and 2 workers taking turns {args.repeat} times"
        + (" with the code of the baseline commit" if args.baseline else "")
        + " (the row is the median run, the faster one of an even count; every run listed). "
        "*Crawl* is from the coordinator's start to the last worker's exit; the whole command "
        "adds closing the snapshot (datasets rebuilt from the WARCs, CDXJ, hashes), the same "
        "for both. Round trips are Redis's count of reads from its clients (workers, "
        "coordinator) per page; CPU is that of the workers together, of Redis and of the "
        "replica during the crawl, per page.\n\n"
        + "\n".join(lines)
        + f"\n\n2 workers vs 1, pages/s of the crawl: **{ratio['this']:.2f}×** (target ≥ "
        f"1.5×){versus}. The 2 cores also run the replica, Redis and the coordinator, and are "
        f"shared with other jobs (load average, 1 min, at the start and end: {load[0]:.1f} and "
        f"{load[1]:.1f})."
        + f"\n\nThe CPU budget: 2 workers, Redis and the replica need {per_page:.1f} ms of "
        f"CPU per page together (the replica alone {two['replica_ms']:.1f} ms, about as much "
        f"as a worker), so {os.cpu_count()} cores all theirs would give at most "
        f"{ceiling:.0f} pages/s, {ceiling / rows[('this', 1)]['pages_per_s']:.2f}× the median "
        f"1-worker rate measured here; the 2-worker run got "
        f"{two['pages_per_s'] * per_page / 1000:.2f} cores' worth (pages/s × CPU per page), "
        "the rest went to other jobs."
        + "\n\nMachine: x86_64, CPython "
        f"{sys.version.split()[0]}, {os.cpu_count()} cores."
    )
    print(body)
    write_section("Distributed crawl", body)


if __name__ == "__main__":
    main()
