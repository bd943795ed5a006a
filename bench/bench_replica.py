"""Benchmark: requests/s of the replica (50,000 articles) over HTTP/1.1 keep-alive.

The replica runs in a child process (`run_replica_process`), so the client threads here do
not share its GIL. Each client thread keeps one connection alive and fetches a fixed,
seeded mix of canonical URLs (listing pages, articles, law pages, images, css/js, feeds).
Three timed passes: plain (cold caches), gzip, plain again (warm). Results go to the "## Replica"
section of docs/benchmarks.md (the rest of the file is left alone).

    .venv/bin/python bench/bench_replica.py [--articles 50000] [--requests 4000]
                                            [--threads 4] [--no-write]
"""

from __future__ import annotations

import argparse
import http.client
import platform
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from results import write_section  # noqa: E402

sys.path.insert(0, str(ROOT))

from replica import ReplicaConfig, Site, run_replica_process  # noqa: E402


def url_mix(site: Site, n: int, seed: int = 0) -> list[str]:
    """A seeded sample shaped like a crawl: mostly articles, then listings and requisites."""
    urls = site.canonical_urls()
    r = random.Random(seed)
    by_kind: dict[str, list[str]] = {"article": [], "listing": [], "law": [], "asset": []}
    for u in urls:
        if u.endswith(".html"):
            by_kind["article"].append(u)
        elif u.startswith(("/uploads/", "/themes/")) or "download=1" in u:
            by_kind["asset"].append(u)
        elif u.startswith("/vi/laws/"):
            by_kind["law"].append(u)
        else:
            by_kind["listing"].append(u)
    weights = {"article": 0.6, "listing": 0.2, "law": 0.1, "asset": 0.1}
    kinds = r.choices(list(weights), weights=list(weights.values()), k=n)
    return [r.choice(by_kind[k]) for k in kinds]


def run_clients(base: str, targets: list[str], threads: int, gzip: bool
                ) -> tuple[float, int, int]:
    host = urlsplit(base)
    chunks = [targets[i::threads] for i in range(threads)]
    sizes = [0] * threads
    errors = [0] * threads
    headers = {"Accept-Encoding": "gzip"} if gzip else {}

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        for t in chunks[i]:
            conn.request("GET", t, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            sizes[i] += len(body)
            if resp.status != 200:
                errors[i] += 1
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return time.perf_counter() - t0, sum(sizes), sum(errors)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50000)
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    config = ReplicaConfig(articles=args.articles)
    t0 = time.perf_counter()
    targets = url_mix(Site(config), args.requests)
    listed = time.perf_counter() - t0
    results = {}
    with run_replica_process(config) as base:
        run_clients(base, targets[:200], args.threads, False)  # warm-up: connections, imports
        # First pass meets cold per-article caches (as a crawl does); the second pass is warm.
        for label, gz in (("identity, first pass", False), ("gzip, second pass", True),
                          ("identity, second pass", False)):
            results[label] = run_clients(base, targets, args.threads, gz)
    lines = []
    for label, (secs, size, errors) in results.items():
        rps = args.requests / secs
        lines.append(f"| {label} | {args.requests} | {secs:.2f} | **{rps:,.0f}** | "
                     f"{size / args.requests / 1024:.1f} | {errors} |")
        print(f"{label}: {args.requests} requests in {secs:.2f}s = {rps:,.0f} req/s, "
              f"{errors} non-200")
    if not args.no_write:
        path = write_section("Replica", f"""
`bench/bench_replica.py`: the replica with {args.articles:,} articles (seed 1, night 0,
theme custom2015) served from a child process; {args.threads} client threads, one keep-alive
connection each, {args.requests:,} GETs of a seeded URL mix (60% articles, 20% listings and
feeds, 10% law pages, 10% images/css/js/attachments). Listing every canonical URL of the site
(the ground truth) took {listed:.1f} s.

| pass | requests | seconds | requests/s | mean KiB/response | non-200 |
|---|---:|---:|---:|---:|---:|
{chr(10).join(lines)}

Machine: {platform.machine()}, Python {platform.python_version()}, shared 2-core container
(client and server on the same cores, so these are lower bounds for the server).
""")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
