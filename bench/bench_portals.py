"""Many portals on one machine: `nightly --all` over 6 portals at once against the same six
crawled one after another (`nightly --all --jobs 1`), each portal a replica with 50 ms of
latency per response.

Six replica processes (different seeds) serve for the whole bench; each run gets a fresh
archive whose registry holds the six with the same politeness (`--delay`, `--concurrency` per
host). The two modes take turns `--repeat` times; every run is listed, and the ratio is that
of the median runs (sequential seconds / concurrent seconds). Results go to
docs/benchmarks.md under "## Many portals on one machine".

    .venv/bin/python bench/bench_portals.py [--articles 30] [--repeat 2] [--delay 0.1]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from e2e import CLI, replica_process  # noqa: E402
from results import write_section  # noqa: E402

PORTALS = 6
LATENCY_MS = 50


def run(bases: list[str], work: Path, jobs: int | None, delay: float, concurrency: int) -> dict:
    archive = work / "archive"
    for i, base in enumerate(bases):
        subprocess.run([*CLI, "portals", "--archive", str(archive), "add", f"p{i}", base,
                        "--delay", str(delay), "--concurrency", str(concurrency)],
                       check=True, capture_output=True)
    command = [*CLI, "nightly", "--all", "--archive", str(archive), "--format", "json"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"nightly --all failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    captures = 0
    for snap in (archive / "snapshots").iterdir():
        captures += json.loads((snap / "manifest.json").read_text())["stats"]["captures"]
    return {"mode": "sequential" if jobs == 1 else "concurrent", "seconds": seconds,
            "captures": captures, "pages_per_s": captures / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"sequential": [], "concurrent": []}
    load = [os.getloadavg()[0]]
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(replica_process(
            "--articles", str(args.articles), "--seed", str(40 + i), "--latency-ms",
            str(LATENCY_MS))) for i in range(PORTALS)]
        for turn in range(args.repeat):
            # Who goes first alternates, so a change in the machine's load hits both.
            order = (1, None) if turn % 2 == 0 else (None, 1)
            for jobs in order:
                work = Path(tempfile.mkdtemp(prefix="bench-portals-"))
                try:
                    row = run(bases, work, jobs, args.delay, args.concurrency)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                runs[row["mode"]].append(row)
                print(json.dumps(row), flush=True)
    load.append(os.getloadavg()[0])
    median = {}
    for mode, rs in runs.items():
        ordered = sorted(rs, key=lambda r: r["seconds"])
        median[mode] = ordered[(len(ordered) - 1) // 2]
    ratio = median["sequential"]["seconds"] / median["concurrent"]["seconds"]
    lines = ["| mode | captures | seconds (median) | pages/s | runs: seconds |",
             "|---|---:|---:|---:|---|"]
    for mode in ("sequential", "concurrent"):
        m = median[mode]
        lines.append(f"| {mode} | {m['captures']} | {m['seconds']:.1f} | "
                     f"{m['pages_per_s']:.1f} | "
                     + ", ".join(f"{r['seconds']:.1f}" for r in runs[mode]) + " |")
    body = (
        f"`bench/bench_portals.py`, {time.strftime('%Y-%m-%d', time.gmtime())}: "
        f"`nightly --all` over {PORTALS} portals, each a replica process ({args.articles} "
        f"articles, its own seed) answering after {LATENCY_MS} ms, registered with "
        f"`--delay {args.delay} --concurrency {args.concurrency}`; *concurrent* is the default "
        f"(all six at once: `--jobs` defaults to 4 per core), *sequential* is `--jobs 1` (the "
        f"six one after another, the same command otherwise). Each run is a fresh archive (a "
        f"first night: full crawls, datasets, verify, quality); the whole command is timed. "
        f"The modes take turns {args.repeat} times, the first one alternating; the row is the "
        f"median run (the faster of an even count), every run listed.\n\n"
        + "\n".join(lines)
        + f"\n\nAll six at once vs one after another: **{ratio:.2f}×** (target ≥ 4×). "
        f"The 2 cores also run the six replicas and are shared with other jobs (load average, "
        f"1 min, at the start and end: {load[0]:.1f} and {load[1]:.1f})."
        + f"\n\nMachine: x86_64, CPython {sys.version.split()[0]}, {os.cpu_count()} cores."
    )
    print(body)
    write_section("Many portals on one machine", body)


if __name__ == "__main__":
    main()
