"""Run one crawl into a snapshot: open or resume it, drive Scrapy, close or leave it resumable.

This is the library behind `portal-archive crawl` (and `demo`/`nightly`). Scrapy's reactor can
start once per process, so callers that need several crawls run this in a subprocess.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.dedup import DedupIndex
from archive.repair import repair_snapshot
from archive.snapshot import (
    SnapshotError,
    close_snapshot,
    create_snapshot,
    dedup_path,
    open_snapshot,
)
from archive.warc import SnapshotWarcWriter
from scraper.freshness import FreshnessPolicy, is_item_url, known_captures
from scraper.health import assess, degraded_ratio
from scraper.profiles.nukeviet import NukeVietProfile
from scraper.resume import ResumeState, recover_state

logger = logging.getLogger(__name__)

# Finish reasons after which the snapshot is complete and can be closed. `shutdown` (Ctrl-C)
# and anything unexpected leave it open for `--resume`.
COMPLETE_REASONS = {"finished", "closespider_pagecount", "closespider_itemcount"}
# The finish reason of a crawl stopped because a capture could not be archived, and the stat
# that holds the error (see scraper.middlewares.stop_for_archive_error).
ARCHIVE_ERROR_REASON = "warc_write_failed"
ARCHIVE_ERROR_STAT = "portal/archive_error"


@dataclass
class CrawlOptions:
    url: str | None
    archive: Path
    snapshot_id: str | None = None
    resume: bool = False
    max_pages: int | None = None
    concurrency: int | None = None
    delay: float | None = None
    obey_robots: bool = True
    max_warc_size: int = 10**9
    settings: dict[str, Any] = field(default_factory=dict)
    progress: bool | None = None
    operator: str | None = None
    # Incremental (nightly) crawl: skip known items that the policy says are not due.
    freshness: FreshnessPolicy | None = None
    # Re-fetch item pages captured by earlier closed snapshots even if nothing links to them.
    recheck_known: bool = True


@dataclass
class CrawlResult:
    snapshot_id: str
    status: str
    finish_reason: str
    stats: dict[str, Any]
    repairs: list[dict] = field(default_factory=list)
    datasets: dict[str, int] | None = None
    # scraper.health: {status: ok|degraded|failed, reason, counts}; None if not closed.
    health: dict[str, Any] | None = None


def scrapy_settings(opts: CrawlOptions) -> dict[str, Any]:
    """The Scrapy settings a crawl runs with (flags over the polite defaults)."""
    overrides: dict[str, Any] = {"ROBOTSTXT_OBEY": opts.obey_robots}
    if opts.concurrency is not None:
        overrides["CONCURRENT_REQUESTS"] = opts.concurrency
        overrides["CONCURRENT_REQUESTS_PER_DOMAIN"] = opts.concurrency
        overrides["AUTOTHROTTLE_TARGET_CONCURRENCY"] = float(opts.concurrency)
    if opts.delay is not None:
        overrides["DOWNLOAD_DELAY"] = opts.delay
        if opts.delay == 0:
            # Zero delay means a local target: AutoThrottle would only slow it down.
            overrides["AUTOTHROTTLE_ENABLED"] = False
            overrides["DOWNLOAD_DELAY_JITTER"] = 0
    if opts.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = opts.max_pages
    if opts.progress is not None:
        overrides["PORTAL_PROGRESS"] = opts.progress
    overrides.update(opts.settings)
    return overrides


def _recorded_settings(settings) -> dict[str, Any]:
    keys = (
        "ROBOTSTXT_OBEY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
        "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_TARGET_CONCURRENCY",
        "CLOSESPIDER_PAGECOUNT", "RETRY_TIMES", "DOWNLOAD_TIMEOUT", "USER_AGENT",
        "DOWNLOAD_MAXSIZE", "COOKIES_ENABLED",
    )
    return {k: settings.get(k) for k in keys if settings.get(k) is not None}


def run_crawl(opts: CrawlOptions) -> CrawlResult:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from scraper.spiders.portal import PortalSpider

    archive = Path(opts.archive)
    archive.mkdir(parents=True, exist_ok=True)
    profile = NukeVietProfile(opts.url) if opts.url else None
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.setdict(scrapy_settings(opts), priority="cmdline")
    recorded = _recorded_settings(settings)
    threshold = degraded_ratio(settings.get("PORTAL_DEGRADED_ERROR_RATIO"))
    recorded["max_warc_size"] = opts.max_warc_size
    if opts.freshness is not None:
        recorded["incremental"] = opts.freshness.as_dict()

    dedup = DedupIndex(dedup_path(archive))
    state = ResumeState()
    repairs: list[dict] = []
    if opts.resume:
        if not opts.snapshot_id:
            raise SnapshotError("--resume needs the snapshot id of the interrupted crawl")
        snap = open_snapshot(archive, opts.snapshot_id)
        if snap.status != "open":
            raise SnapshotError(f"snapshot {snap.snapshot_id} is {snap.status}; only an open "
                                "(interrupted) snapshot can be resumed")
        repairs = [r.as_dict() for r in repair_snapshot(snap.path)]
        for r in repairs:
            if r.get("removed_bytes"):
                logger.warning("cut %d bytes of partial record off %s (kept in %s)",
                               r["removed_bytes"], r["file"], r.get("partial_path"))
        # The interrupted run's seed is authoritative: a resume continues the same crawl.
        seeds = snap.manifest.get("seeds") or [opts.url]
        profile = NukeVietProfile(seeds[0])
        state = recover_state(snap.warc_files(), profile, archive, dedup)
    else:
        if profile is None:
            raise SnapshotError("a crawl needs a start URL")
        snap = create_snapshot(archive, opts.snapshot_id, profile=profile.name,
                               seeds=[opts.url], settings=recorded)

    host = urlsplit(profile.root).netloc
    warc_args = {
        "snapshot_dir": str(snap.path), "snapshot_id": snap.snapshot_id, "host": host,
        "max_size": opts.max_warc_size, "archive_root": str(archive),
        "warcinfo": {
            "robots": "obey" if opts.obey_robots else "ignore",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "operator": opts.operator or "portal-archive user",
            "description": f"crawl of {profile.root} with profile {profile.name}",
            "crawl-settings": json.dumps(recorded, sort_keys=True, ensure_ascii=False),
        },
    }
    # Writes the WARCs when no dataset worker does (a resumed crawl, or datasets in-process).
    writer = SnapshotWarcWriter(**warc_args, dedup=dedup)
    settings.set("PORTAL_SNAPSHOT_DIR", str(snap.path))
    settings.set("PORTAL_SNAPSHOT_ID", snap.snapshot_id)
    settings.set("PORTAL_SEEN_URLS", sorted(state.captured))
    settings.set("LOG_FILE", str(snap.path / "logs" / "crawl.log"))
    settings.set("LOG_FILE_APPEND", True)
    if opts.resume:
        # Datasets of a resumed crawl are rebuilt from all its WARCs at the end (one pass over
        # every capture, before and after the interruption).
        settings.set("ITEM_PIPELINES", {})
        settings.set("PORTAL_ARCHIVED_ROBOTS", state.robots)

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    # Live objects ride on the crawler: Scrapy settings are deep-copied and must stay plain data.
    crawler.portal_warc_writer = writer
    if settings.getbool("PORTAL_WARC_IN_WORKER", True):
        crawler.portal_warc_args = {**warc_args, "dedup_path": str(dedup_path(archive))}
    crawler.portal_orphan_captures = []
    freshness = opts.freshness
    known = known_captures(archive) if (freshness is not None or opts.recheck_known) else {}
    if freshness is not None and not freshness.known:
        freshness.known = known
    known_items = sorted(u for u, seen in known.items()
                         if seen.ok and is_item_url(u) and profile.canonicalize(u) == u)
    process.crawl(crawler, profile=profile, frontier=state.frontier, freshness=freshness,
                  known_items=known_items if opts.recheck_known else ())
    try:
        process.start()
    finally:
        writer.close()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    finish_reason = str(stats.get("finish_reason", "unknown"))
    if stats.get(ARCHIVE_ERROR_STAT):
        # A capture could not be archived, maybe only noticed as the crawl closed: never a
        # complete snapshot (see scraper.middlewares.stop_for_archive_error).
        finish_reason = ARCHIVE_ERROR_REASON
    result = CrawlResult(snap.snapshot_id, "open", finish_reason, _plain(stats), repairs)

    if finish_reason not in COMPLETE_REASONS:
        dedup.close()
        return result
    if opts.resume:
        from pipelines.extract import extract_warcs

        extracted = extract_warcs(
            [str(p) for p in snap.warc_files()], snap.snapshot_id, archive_root=archive,
            progress=False,
        )
        result.datasets = extracted.counts
    manifest = close_snapshot(
        archive, snap.snapshot_id, dedup=dedup,
        prebuilt_index=getattr(crawler, "portal_prebuilt_index", None),
        # A crawl that archived nothing of the portal closes `failed` (see scraper.health).
        assess=lambda index, _: assess(index, stats, host, threshold),
        extra_stats={"finish_reason": finish_reason,
                     "fetch_errors": stats.get("portal/fetch_errors", 0),
                     "resumed": bool(opts.resume)},
    )
    dedup.close()
    result.status = manifest["status"]
    result.stats = manifest["stats"]
    result.health = manifest.get("health")
    if result.status == "closed":
        from search.hook import index_after_close

        index_after_close(archive)  # derived; a failure is a warning line, never the crawl's
    return result


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()}
