"""One worker process of a distributed crawl (`portal-archive worker --redis URL --archive DIR`).

A worker waits for a crawl the coordinator (`crawl URL --redis URL`) has published in Redis,
joins it, and crawls from the shared frontier until the coordinator says the crawl is over;
then it finishes its WARC files and exits (run it under a supervisor that restarts it, such
as the systemd template unit in docs/scale.md, to serve the next crawl: Scrapy's reactor
starts once per process). It writes its own WARC files into the snapshot, in the shared
archive directory, named `portal-<worker id>-<timestamp>-<serial>-<host>.warc.gz`, so no two
workers ever write the same file; the datasets and index are built by the coordinator when
it closes the snapshot.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.snapshot import SnapshotError, open_snapshot
from archive.warc import SnapshotWarcWriter, sanitize_host
from scraper.fleet.frontier import (
    NAMESPACE,
    CrawlKeys,
    Frontier,
    connect,
    heartbeat_key,
    jobs_key,
)

logger = logging.getLogger(__name__)

WARC_PREFIX = "portal"
DEFAULT_LEASE_MS = 30_000


class WorkerError(Exception):
    """A worker could not start or join a crawl: one line for the user."""


@dataclass
class WorkerResult:
    worker: str
    snapshot_id: str | None
    finish_reason: str
    stats: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def new_worker_id() -> str:
    return sanitize_host(f"{socket.gethostname()}-{os.getpid()}")


def warc_prefix(worker: str) -> str:
    """The file-name prefix of one worker's WARCs (the coordinator finds them by it)."""
    return f"{WARC_PREFIX}-{worker}"


def fleet_settings(base: Any) -> dict[str, Any]:
    """The Scrapy settings a worker runs with on top of the crawl's own (`base`)."""
    middlewares = dict(base.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares.update({
        "scraper.middlewares.ArchivedRobotsTxtMiddleware": None,
        "scraper.fleet.components.FleetRobotsTxtMiddleware": 100,
        "scraper.fleet.components.FleetPolitenessMiddleware": 990,
    })
    extensions = dict(base.getdict("EXTENSIONS"))
    extensions["scraper.fleet.components.FleetWorker"] = 100
    return {
        "SCHEDULER": "scraper.fleet.scheduler.LeasingScheduler",
        "SCHEDULER_QUEUE_CLASS": "scraper.fleet.scheduler.LeasedPriorityQueue",
        "DUPEFILTER_CLASS": "scraper.fleet.scheduler.FingerprintDupeFilter",
        "SCHEDULER_SERIALIZER": "scraper.fleet.serializer",
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "EXTENSIONS": extensions,
        # The lease ack rides behind the callback's other outputs (FleetPortalSpider): one
        # output at a time keeps that order. Datasets are built at close, from the WARCs.
        "ITEM_PIPELINES": {"scraper.fleet.components.LeaseAckPipeline": 100},
        "CONCURRENT_ITEMS": 1,
        "PORTAL_PROGRESS": False,
    }


def find_crawl(client: Any, ns: str, wait: float | None) -> str | None:
    """The snapshot id of a running crawl, waiting up to `wait` seconds (None: for ever)."""
    deadline = None if wait is None else time.monotonic() + wait
    pause = 0.05
    while True:
        # With several crawls running (`nightly --all --redis`: one per portal), join the one
        # with the fewest workers: each portal's politeness caps what extra workers give it.
        running = []
        for snapshot_id in sorted(client.smembers(jobs_key(ns))):
            keys = CrawlKeys(ns, snapshot_id)
            if Frontier(client, keys).state() == "running":
                crew = len(client.smembers(keys.workers) - client.smembers(keys.reclaimed))
                running.append((crew, snapshot_id))
        if running:
            return min(running)[1]
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def run_worker(redis_url: str, archive: Path, *, wait: float | None = None,
               worker_id: str | None = None, namespace: str = NAMESPACE) -> WorkerResult:
    """Join one running crawl, crawl until it is over, finish this worker's WARC files."""
    import redis
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from scraper.fleet.components import Fleet, FleetDedupIndex, FleetPortalSpider
    from scraper.profiles.choose import recorded_profile, site_profile

    worker = worker_id or new_worker_id()
    client = connect(redis_url)
    try:
        client.ping()
        snapshot_id = find_crawl(client, namespace, wait)
    except redis.RedisError as exc:
        raise WorkerError(f"cannot reach Redis at {_safe(redis_url)}: {exc}") from exc
    if snapshot_id is None:
        return WorkerResult(worker, None, "no_crawl")
    keys = CrawlKeys(namespace, snapshot_id)
    frontier = Frontier(client, keys)
    if client.sismember(keys.workers, worker):
        # An id this crawl has seen (a restarted unit with a fixed --id): a worker declared
        # dead stays fenced, so this process joins under a name of its own.
        worker = sanitize_host(f"{worker}-{os.getpid()}-{int(time.time())}")
    spec = frontier.spec() or {}
    try:
        snap = open_snapshot(archive, snapshot_id)
    except SnapshotError as exc:
        raise WorkerError(f"snapshot {snapshot_id} of the crawl in Redis is not in {archive} "
                          "(workers need the coordinator's archive directory, on a shared "
                          "filesystem)") from exc

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.setdict(spec.get("scrapy_settings") or {}, priority="cmdline")
    settings.setdict(fleet_settings(settings), priority="cmdline")
    settings.set("REDIS_URL", redis_url, priority="cmdline")
    settings.set("SCHEDULER_QUEUE_KEY", keys.queue, priority="cmdline")
    settings.set("SCHEDULER_DUPEFILTER_KEY", keys.seen, priority="cmdline")
    settings.set("PORTAL_SNAPSHOT_DIR", str(snap.path))
    settings.set("PORTAL_SNAPSHOT_ID", snapshot_id)
    settings.set("LOG_FILE", str(snap.path / "logs" / f"worker-{worker}.log"))
    settings.set("LOG_FILE_APPEND", True)
    lease_ms = settings.getint("PORTAL_FLEET_LEASE_MS", DEFAULT_LEASE_MS)

    # The coordinator's choice, as its manifest records it (a profile file is in the snapshot).
    profile = site_profile(spec["url"], recorded_profile(snap.path, snap.manifest))
    host = urlsplit(profile.root).netloc
    fleet = Fleet(frontier, worker, lease_ms, settings.getint("PORTAL_FLEET_SLOT_MS") or None)
    try:
        frontier.load_scripts()  # batched calls (Fleet.run) send EVALSHA without loading
    except redis.RedisError as exc:
        raise WorkerError(f"cannot reach Redis at {_safe(redis_url)}: {exc}") from exc
    writer = SnapshotWarcWriter(
        snap.path, snapshot_id, host, prefix=warc_prefix(worker),
        max_size=int(spec.get("max_warc_size") or 10**9),
        dedup=FleetDedupIndex(fleet, spec.get("dedup_namespace") or namespace),
        archive_root=archive,
        warcinfo={
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "operator": spec.get("operator") or "portal-archive user",
            "description": f"crawl of {profile.root} with profile {profile.name}, "
                           f"worker {worker} of a distributed crawl",
            "crawl-settings": json.dumps(spec.get("recorded") or {}, sort_keys=True,
                                         ensure_ascii=False),
        })
    # Alive before joining, for as long as Scrapy may take to start (the extension's
    # heartbeat then takes over): the coordinator reclaims joined workers that are not.
    client.set(heartbeat_key(worker, namespace), "starting", px=max(lease_ms, 120_000))
    client.sadd(keys.workers, worker)

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FleetPortalSpider)
    crawler.portal_warc_writer = writer
    crawler.portal_orphan_captures = []
    crawler.portal_fleet = fleet
    fleet.crawler = crawler
    process.crawl(crawler, profile=profile, freshness=_freshness(spec, archive, profile))
    try:
        process.start()
    finally:
        files = writer.close()
        if fleet.lost is None:
            _report_fetch_errors(client, keys, crawler.stats.get_stats() if crawler.stats
                                 else {})
            # Gone: the coordinator reclaims whatever this worker still holds (nothing after a
            # finished crawl), without waiting for the heartbeat to expire.
            with contextlib.suppress(redis.RedisError):
                client.delete(heartbeat_key(worker, namespace))
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    if fleet.lost is not None:
        reason = "redis_lost"
    return WorkerResult(worker, snapshot_id, reason,
                        {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                         for k, v in stats.items()}, files)


def _freshness(spec: dict, archive: Path, profile: Any) -> Any:
    """The coordinator's freshness policy (a nightly run's), over the archive's closed
    snapshots as this worker reads them; None for a full crawl."""
    if not spec.get("freshness"):
        return None
    from scraper.freshness import FreshnessPolicy, known_captures

    return FreshnessPolicy.from_spec(spec["freshness"], known_captures(archive),
                                     profile.is_item)


def _report_fetch_errors(client: Any, keys: CrawlKeys, stats: dict[str, Any]) -> None:
    """Add this worker's failed requests by kind to the crawl's count, from which the
    coordinator judges the snapshot's health (scraper.health) as a single process would."""
    from scraper.health import ERROR_STAT_PREFIX

    errors = {k[len(ERROR_STAT_PREFIX):]: int(v) for k, v in stats.items()
              if k.startswith(ERROR_STAT_PREFIX) and v}
    if not errors:
        return
    with contextlib.suppress(Exception):  # the crawl is done either way; health is advice
        pipe = client.pipeline(transaction=True)
        for kind, count in errors.items():
            pipe.hincrby(keys.fetch_errors, kind, count)
        pipe.execute()


def _safe(url: str) -> str:
    """`url` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
