"""The coordinator of a distributed crawl: `portal-archive crawl URL --redis URL`.

It opens the snapshot, publishes the crawl in Redis (its settings and the seeds), and waits
while any number of `portal-archive worker` processes crawl it. Meanwhile it reclaims the
leases of workers that died: a worker whose heartbeat expired (or one of whose leases ran
out) is fenced, its unfinished WARC file is repaired (a partial last record cut off, as
`crawl --resume` does), and its WARCs are read back (`scraper.resume.recover_state`): a
leased request whose capture is in them is done (and the links of that page are queued);
any other goes back on the queue. The WARC record is the commit point, so every URL is
captured exactly once, whenever a worker is killed.

When the queue is empty and nothing is leased, the crawl is over: the workers finish their
files and leave, and the snapshot is closed exactly as a single-process crawl's (datasets
rebuilt from every worker's WARCs by `extract`, one CDXJ, the manifest, dedup entries
committed in Redis and mirrored into the archive's SQLite index, which `extract` and
`verify` read without Redis).

A lost Redis stops it with the snapshot still open: `crawl --resume ID --redis URL` goes on
from what Redis still holds, or, if Redis lost the crawl, rebuilds the frontier from the
WARCs as a single-process resume does.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.dedup import DedupIndex
from archive.redis_dedup import RedisDedupIndex, archive_namespace
from archive.repair import final_name, repair_warc
from archive.snapshot import (
    SnapshotError,
    close_snapshot,
    create_snapshot,
    dedup_path,
    open_snapshot,
    write_manifest,
)
from archive.warc import OPEN_SUFFIX
from scraper.crawl import (
    CrawlOptions,
    CrawlResult,
    _recorded_settings,
    pick_profile,
    scrapy_settings,
)
from scraper.fleet import serializer
from scraper.fleet.frontier import NAMESPACE, CrawlKeys, Frontier, connect, jobs_key
from scraper.fleet.worker import warc_prefix
from scraper.freshness import FreshnessPolicy, known_captures
from scraper.health import ERROR_STAT_PREFIX, assess, degraded_ratio
from scraper.profiles.choose import record_choice, recorded_profile, site_profile
from scraper.profiles.site import PAGE, Link, SiteProfile
from scraper.resume import recover_state

logger = logging.getLogger(__name__)

REDIS_LOST_REASON = "redis_lost"


class FleetError(Exception):
    """Redis could not be reached, or the crawl in it does not match: one line for the user."""


@dataclass
class Reclaim:
    worker: str
    captured: int = 0  # leases whose capture was in the worker's WARCs (acked)
    requeued: int = 0
    recovered_links: int = 0
    repaired: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"worker": self.worker, "captured": self.captured, "requeued": self.requeued,
                "recovered_links": self.recovered_links,
                "cut_bytes": sum(r.get("removed_bytes", 0) for r in self.repaired)}


class _Encoder:
    """Requests as the workers queue them (same spider callbacks, JSON, Scrapy's
    fingerprints), for the seeds and the links recovered from a dead worker's WARCs."""

    def __init__(self, profile: SiteProfile, depth_priority: int) -> None:
        from scrapy.utils.request import RequestFingerprinter

        from scraper.spiders.portal import PortalSpider

        self.spider = PortalSpider(profile=profile)
        self.spider._depth_priority = depth_priority
        self.fingerprinter = RequestFingerprinter()

    def push(self, frontier: Frontier, link: Link, hops: str = "") -> bool:
        request = self.spider.request_for(link, hops=hops, via=None)
        return frontier.push(self.fingerprinter.fingerprint(request).hex(), request.priority,
                             serializer.dumps(request.to_dict(spider=self.spider)))


class _MirroredCommit:
    """What `close_snapshot` commits through: Redis first-writer-wins, mirrored to SQLite."""

    def __init__(self, redis_index: RedisDedupIndex, sqlite: DedupIndex) -> None:
        self.redis_index, self.sqlite = redis_index, sqlite

    def commit_snapshot(self, snapshot_id: str) -> int:
        import redis

        try:
            return self.redis_index.commit_snapshot(snapshot_id, mirror=self.sqlite)
        except redis.RedisError as exc:
            # The SQLite index has them (mirrored first); the next distributed crawl copies
            # them into Redis (`mirror_from_sqlite`).
            logger.warning("dedup entries of %s committed in SQLite only: %s", snapshot_id, exc)
            return 0

    def discard_snapshot(self, snapshot_id: str) -> None:
        """A failed snapshot is never a dedup source: drop its entries from both indexes."""
        import redis

        self.sqlite.discard_snapshot(snapshot_id)
        try:
            self.redis_index.discard_snapshot(snapshot_id)
        except redis.RedisError as exc:  # pending entries only: never committed, never used
            logger.warning("dedup entries of failed %s left pending in Redis: %s",
                           snapshot_id, exc)


def run_distributed_crawl(opts: CrawlOptions, redis_url: str, *, namespace: str = NAMESPACE,
                          poll: float = 0.2, on_published: Any = None) -> CrawlResult:
    """Publish the crawl, wait for the workers, reclaim dead ones, close the snapshot."""
    import redis
    from scrapy.settings import Settings

    archive = Path(opts.archive)
    archive.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    overrides = scrapy_settings(opts)
    settings.setdict(overrides, priority="cmdline")
    recorded = _recorded_settings(settings)
    recorded["max_warc_size"] = opts.max_warc_size
    recorded["distributed"] = True
    if opts.freshness is not None:
        # Every worker builds the same policy from the spec (`FreshnessPolicy.spec`): the same
        # parameters, the same "now", and the archive's closed snapshots (a shared filesystem).
        if not opts.freshness.known:
            opts.freshness.known = known_captures(archive)
        recorded["incremental"] = opts.freshness.as_dict()

    client = connect(redis_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise FleetError(f"cannot reach Redis: {exc}") from exc

    sqlite = DedupIndex(dedup_path(archive))
    dedup_namespace = archive_namespace(archive, namespace)
    redis_index = RedisDedupIndex(client, dedup_namespace)
    log = None
    try:
        if opts.resume:
            snap = _resumable(archive, opts.snapshot_id)
            url = (snap.manifest.get("seeds") or [opts.url])[0]
        else:
            if not opts.url:
                raise SnapshotError("a crawl needs a start URL")
            url = opts.url
            choice = pick_profile(opts, settings.get("USER_AGENT"))
            snap = create_snapshot(archive, opts.snapshot_id, profile=site_profile(
                url, choice.spec).name, seeds=[url], settings=recorded,
                portal=opts.portal)
            manifest = record_choice(snap.path, snap.manifest, choice)
            write_manifest(snap.path, manifest)
            snap = dataclasses.replace(snap, manifest=manifest)
        log = _log_to(snap.path / "logs" / "coordinator.log")
        # (Workers build the same profile from the manifest: scraper.fleet.worker.)
        profile = site_profile(url, recorded_profile(snap.path, snap.manifest))
        keys = CrawlKeys(namespace, snap.snapshot_id)
        frontier = Frontier(client, keys)
        encoder = _Encoder(profile, settings.getint("DEPTH_PRIORITY"))
        try:
            redis_index.mirror_from_sqlite(sqlite)
            if frontier.spec() is None:
                spec = {"snapshot_id": snap.snapshot_id, "url": url,
                        "scrapy_settings": overrides, "recorded": recorded,
                        "max_warc_size": opts.max_warc_size, "operator": opts.operator,
                        "dedup_namespace": dedup_namespace,
                        "freshness": (opts.freshness.spec() if opts.freshness is not None
                                      else None)}
                client.hset(keys.state, "spec", json.dumps(spec, ensure_ascii=False))
                if opts.resume:
                    _rebuild_frontier(frontier, encoder, snap, profile, archive, redis_index)
                else:
                    _seed(frontier, encoder, profile, archive, opts.recheck_known,
                          opts.freshness)
            frontier.set_state("running")
            client.sadd(jobs_key(namespace), snap.snapshot_id)
            if on_published is not None:
                on_published(snap.snapshot_id)
            reclaims = _wait(frontier, encoder, snap, profile, archive, redis_index, poll)
            counts = frontier.counts()
            workers = sorted(client.smembers(keys.workers))
            fetch_errors = {ERROR_STAT_PREFIX + k: int(v)
                            for k, v in client.hgetall(keys.fetch_errors).items()}
        except (redis.RedisError, ConnectionError) as exc:  # a socket error redis-py let by
            logger.error("lost Redis during distributed crawl %s: %s", snap.snapshot_id, exc)
            return CrawlResult(snap.snapshot_id, "open", REDIS_LOST_REASON,
                               {"error": f"lost the connection to Redis: {exc}"})

        logger.info("crawl %s: every worker is done; closing the snapshot", snap.snapshot_id)
        _unlog(log)
        from pipelines.extract import extract_warcs

        try:
            extracted = extract_warcs([str(p) for p in snap.warc_files()], snap.snapshot_id,
                                      archive_root=archive, progress=False)
            host = urlsplit(profile.root).netloc
            threshold = degraded_ratio(settings.get("PORTAL_DEGRADED_ERROR_RATIO"))
            manifest = close_snapshot(
                archive, snap.snapshot_id, dedup=_MirroredCommit(redis_index, sqlite),
                # Nothing of the portal archived: `failed`, as a single-process crawl.
                assess=lambda index, _: assess(index, fetch_errors, host, threshold),
                extra_stats={"finish_reason": "finished", "resumed": bool(opts.resume),
                             "distributed": {
                                 "workers": workers,
                                 # workers that left leases or an unfinished file behind
                                 "reclaimed": [r.as_dict() for r in reclaims if r.captured
                                               or r.requeued or r.repaired],
                                 "requests_done": counts["acked"],
                             }},
            )
        except OSError as exc:  # a full disk, most likely: every capture is in the WARCs
            return CrawlResult(snap.snapshot_id, "open", "close_failed",
                               {"error": f"could not close the snapshot: {exc}"})
        try:
            frontier.set_state("closed")
            client.srem(jobs_key(namespace), snap.snapshot_id)
            _forget(client, keys)
        except redis.RedisError as exc:  # closed already; the keys expire with Redis's data
            logger.warning("snapshot %s closed, but its frontier could not be removed from "
                           "Redis: %s", snap.snapshot_id, exc)
        result = CrawlResult(snap.snapshot_id, manifest["status"], "finished",
                             manifest["stats"], datasets=extracted.counts)
        result.repairs = [r for rec in reclaims for r in rec.repaired]
        result.health = manifest.get("health")
        return result
    finally:
        _unlog(log)
        sqlite.close()


def _log_to(path: Path) -> logging.Handler:
    """The coordinator's own log beside the workers' (reclaims, closing), in the snapshot;
    detached (`_unlog`) before the snapshot's files are hashed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    fleet_logger = logging.getLogger("scraper.fleet")
    fleet_logger.addHandler(handler)
    fleet_logger.setLevel(logging.INFO)
    return handler


def _unlog(handler: logging.Handler | None) -> None:
    if handler is not None:
        logging.getLogger("scraper.fleet").removeHandler(handler)
        handler.close()


def _resumable(archive: Path, snapshot_id: str | None):
    if not snapshot_id:
        raise SnapshotError("--resume needs the snapshot id of the interrupted crawl")
    snap = open_snapshot(archive, snapshot_id)
    if snap.status != "open":
        raise SnapshotError(f"snapshot {snap.snapshot_id} is {snap.status}; only an open "
                            "(interrupted) snapshot can be resumed")
    return snap


def _seed(frontier: Frontier, encoder: _Encoder, profile: SiteProfile, archive: Path,
          recheck_known: bool, freshness: FreshnessPolicy | None = None) -> None:
    """The seeds, and item URLs earlier closed snapshots captured (as `run_crawl` does: on a
    nightly run, those the freshness policy says are due)."""
    for link in profile.seeds():
        encoder.push(frontier, link)
    if recheck_known:
        known = freshness.known if freshness is not None else known_captures(archive)
        if freshness is not None and freshness.is_item is None:
            freshness.is_item = profile.is_item
        # Only this portal's items: an archive may hold several portals (docs/portals.md).
        host = urlsplit(profile.root).netloc
        for url in sorted(u for u, seen in known.items()
                          if seen.ok and profile.is_item(u) and profile.canonicalize(u) == u
                          and urlsplit(u).netloc == host):
            if freshness is None or freshness.due(url, PAGE):
                encoder.push(frontier, Link(url, PAGE, "K"))


def _rebuild_frontier(frontier: Frontier, encoder: _Encoder, snap, profile: SiteProfile,
                      archive: Path, redis_index: RedisDedupIndex) -> None:
    """Redis lost the crawl: every worker must be stopped; repair every WARC, mark what they
    captured as seen, queue the outlinks not captured (a single-process resume's state)."""
    from archive.repair import repair_snapshot

    repair_snapshot(snap.path)
    state = recover_state(snap.warc_files(), profile, archive, redis_index)
    for url in state.captured:
        request = encoder.spider.request_for(Link(url, PAGE, "L"), hops="", via=None)
        frontier.client.sadd(frontier.keys.seen,
                             encoder.fingerprinter.fingerprint(request).hex())
    for link in [*profile.seeds(), *state.frontier]:
        encoder.push(frontier, link)
    if state.robots:
        frontier.client.hset(frontier.keys.robots, mapping=state.robots)


def _wait(frontier: Frontier, encoder: _Encoder, snap, profile: SiteProfile,
          archive: Path, redis_index: RedisDedupIndex, poll: float) -> list[Reclaim]:
    keys, client = frontier.keys, frontier.client
    reclaims: list[Reclaim] = []
    while True:
        expired = frontier.expired_owners()
        for worker in sorted(client.smembers(keys.workers) - client.smembers(keys.reclaimed)):
            if worker in expired or not frontier.alive(worker):
                reclaims.append(reclaim_worker(frontier, encoder, worker, snap, profile,
                                               archive, redis_index))
        counts = frontier.counts()
        if frontier.state() == "running" and counts["queued"] == 0 and counts["leased"] == 0:
            # Nothing queued, nothing leased: every request is done and every link queued.
            frontier.set_state("closing")
            logger.info("crawl %s: frontier empty; waiting for the workers to finish their "
                        "files", snap.snapshot_id)
        if frontier.state() == "closing" and not (client.smembers(keys.workers)
                                                  - client.smembers(keys.reclaimed)):
            return reclaims
        time.sleep(poll)


def reclaim_worker(frontier: Frontier, encoder: _Encoder, worker: str, snap,
                   profile: SiteProfile, archive: Path,
                   redis_index: RedisDedupIndex) -> Reclaim:
    """Take a gone worker's leases back, deciding from its WARC files which were captured."""
    keys, client = frontier.keys, frontier.client
    client.sadd(keys.fenced, worker)  # if it was only stalled, it exits at its next beat
    result = Reclaim(worker)
    prefix = warc_prefix(worker) + "-"
    files = []
    for path in sorted(snap.warcs_dir.iterdir()):
        if not path.name.startswith(prefix):
            continue
        if path.name.endswith(OPEN_SUFFIX):
            report = repair_warc(path)
            result.repaired.append(report.as_dict())
            if report.records == 0:
                path.unlink()
                continue
            os.replace(path, final_name(path))
            path = final_name(path)
        if path.name.endswith(".warc.gz"):
            files.append(path)
    leases = frontier.leases_of(worker)
    if leases:
        state = recover_state(files, profile, archive, redis_index)
        for lease_id, data in leases.items():
            obj = serializer.loads(data)
            if obj["url"] in state.captured:
                result.captured += frontier.ack(lease_id)
            else:
                result.requeued += frontier.requeue(lease_id, -int(obj.get("priority", 0)))
        for link in state.frontier:
            result.recovered_links += encoder.push(frontier, link)
        logger.warning("worker %s is gone: %d leased requests were captured, %d requeued, "
                       "%d links recovered from its WARCs", worker, result.captured,
                       result.requeued, result.recovered_links)
    # Fenced above: it can take no slot any more (the acquire script refuses it), and the
    # ones it held would otherwise stay taken for PORTAL_FLEET_SLOT_MS.
    freed = frontier.release_slots_of(urlsplit(profile.root).netloc, worker)
    if freed:
        logger.warning("worker %s is gone: %d host slots freed", worker, freed)
    client.sadd(keys.reclaimed, worker)
    return result


def _forget(client: Any, keys: CrawlKeys) -> None:
    """Drop a closed crawl's frontier (its dedup entries live on in the dedup hash)."""
    client.delete(keys.queue, keys.seen, keys.leases, keys.owners, keys.deadlines,
                  keys.lease_seq, keys.robots, keys.fenced, keys.workers, keys.reclaimed,
                  keys.finished, keys.acked, keys.fetch_errors)
