"""`portal-archive worker`: one worker process of a distributed crawl (docs/scale.md)."""

from __future__ import annotations

import argparse
import os
import sys

NAME = "worker"
HELP = ("crawl from a distributed crawl's shared frontier in Redis (started by "
        "`crawl URL --redis URL`), then exit")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis", metavar="URL",
                        help="the Redis of the crawl (redis:// or rediss://, password allowed; "
                             "default $PORTAL_ARCHIVE_REDIS, which keeps a password out of "
                             "the process list)")
    parser.add_argument("--wait", type=float, metavar="SECONDS",
                        help="give up (exit 0) if no crawl starts within this time "
                             "(default: wait for ever)")
    parser.add_argument("--id", dest="worker_id", metavar="NAME",
                        help="worker id in WARC file names and logs (default: host-pid)")
    parser.add_argument("--loop", action="store_true",
                        help="serve crawl after crawl (one child process each: Scrapy starts "
                             "once per process) until none starts within --wait; for "
                             "`nightly --all --redis` without a supervisor")


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from scraper.fleet.worker import WorkerError, run_worker

    redis_url = args.redis or os.environ.get("PORTAL_ARCHIVE_REDIS")
    if not redis_url:
        raise CommandError("give the crawl's Redis: --redis URL or $PORTAL_ARCHIVE_REDIS")
    if args.loop:
        return _loop(args, redis_url)
    try:
        result = run_worker(redis_url, args.archive, wait=args.wait, worker_id=args.worker_id)
    except WorkerError as exc:
        raise CommandError(str(exc)) from exc
    if result.snapshot_id is None:
        print(f"worker {result.worker}: no crawl to join", file=sys.stderr)
        return 0
    if result.finish_reason == "redis_lost":
        print(f"worker {result.worker}: lost the connection to Redis; stopped, its unfinished "
              f"requests stay leased for the coordinator of snapshot {result.snapshot_id}",
              file=sys.stderr)
        return 3
    pages = result.stats.get("response_received_count", 0)
    print(f"worker {result.worker}: snapshot {result.snapshot_id} {result.finish_reason}: "
          f"{pages} responses in {len(result.files)} WARC files")
    return 0 if result.finish_reason == "finished" else 3


def _loop(args: argparse.Namespace, redis_url: str) -> int:
    """One child `worker` per crawl, for as long as crawls keep coming (the supervisor's
    restart, in-process). The URL goes to the children in the environment, not argv."""
    import subprocess

    import redis

    from portal_archive.cli import CommandError
    from scraper.fleet.frontier import NAMESPACE, connect
    from scraper.fleet.worker import _safe, find_crawl

    client = connect(redis_url)
    command = [sys.executable, "-m", "portal_archive", "worker", "--archive", str(args.archive),
               "--wait", "10"]
    if args.worker_id:
        command += ["--id", args.worker_id]
    env = {**os.environ, "PORTAL_ARCHIVE_REDIS": redis_url}
    served = 0
    while True:
        try:
            found = find_crawl(client, NAMESPACE, args.wait)
        except redis.RedisError as exc:
            raise CommandError(f"cannot reach Redis at {_safe(redis_url)}: {exc}") from exc
        if found is None:
            print(f"worker loop: {served} crawls served; none started within {args.wait} s",
                  file=sys.stderr)
            return 0
        code = subprocess.run(command, env=env, stdin=subprocess.DEVNULL).returncode
        served += 1
        if code not in (0, 75):  # 75: fenced (declared dead); the next crawl may still come
            return code
