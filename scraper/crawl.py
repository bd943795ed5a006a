"""Run one crawl into a snapshot: open or resume it, drive Scrapy, close or leave it resumable.

This is the library behind `portal-archive crawl` (and `demo`/`nightly`). Scrapy's reactor can
start once per process, so callers that need several crawls run this in a subprocess.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
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
    utc_now_iso,
    write_manifest,
)
from archive.warc import SnapshotWarcWriter
from scraper.freshness import FreshnessPolicy, known_captures
from scraper.health import assess, degraded_ratio
from scraper.profiles.choose import (
    ProfileChoice,
    choose_profile,
    record_choice,
    recorded_profile,
    site_profile,
)
from scraper.profiles.site import SiteProfile
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
    # None: not given. A new crawl then obeys robots.txt and rotates WARCs at 1 GB; a resumed
    # one takes what the interrupted crawl recorded (see resume_settings).
    obey_robots: bool | None = None
    max_warc_size: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    progress: bool | None = None
    operator: str | None = None
    # Incremental (nightly) crawl: skip known items that the policy says are not due.
    freshness: FreshnessPolicy | None = None
    # Re-fetch item pages captured by earlier closed snapshots even if nothing links to them.
    recheck_known: bool = True
    # Told, before the crawl starts, the settings a resumed crawl runs with (one line).
    announce: Callable[[str], None] | None = None
    # The registry's portal name, recorded in the manifest (portal_archive.registry).
    portal: str | None = None
    # The site profile: a platform name (`upload-portal`) and/or a profile (a platform name
    # or a .toml file); neither: detected on the home page (scraper.profiles.choose).
    platform: str | None = None
    profile: str | None = None
    # How they were given (`option` on the command line, `registry`), recorded.
    profile_chosen_by: str = "option"
    # Relative profile paths are read from here (the registry's archive), when given.
    profile_base: Path | None = None


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


DEFAULT_MAX_WARC_SIZE = 10**9

# The recorded Scrapy settings each option decides: an option given on `crawl --resume`
# replaces all of its keys (so `--delay 2` on a crawl recorded with `--delay 0` also brings
# AutoThrottle back, as on a new crawl); the other recorded keys are kept.
OPTION_KEYS = {
    "delay": ("DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY_JITTER"),
    "concurrency": ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
                    "AUTOTHROTTLE_TARGET_CONCURRENCY"),
    "max_pages": ("CLOSESPIDER_PAGECOUNT",),
    "obey_robots": ("ROBOTSTXT_OBEY",),
}


def scrapy_settings(opts: CrawlOptions) -> dict[str, Any]:
    """The Scrapy settings a crawl runs with (flags over the polite defaults)."""
    overrides: dict[str, Any] = {}
    if opts.obey_robots is not None or not opts.resume:
        overrides["ROBOTSTXT_OBEY"] = opts.obey_robots is not False
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
    recorded = {k: settings.get(k) for k in keys if settings.get(k) is not None}
    recorded["DOWNLOAD_DELAY_JITTER"] = settings.get("DOWNLOAD_DELAY_JITTER")
    return recorded


def resume_settings(opts: CrawlOptions, recorded: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The Scrapy settings a resumed crawl runs with, and one line saying where each came from.

    The interrupted crawl's recorded settings (its manifest), except those the options given
    on the resume command decide (OPTION_KEYS, `--set KEY=VALUE`), which win. A resume that
    silently fell back to the defaults would crawl a fragile server faster than asked, or a
    local one at the polite pace.
    """
    given = {name for name in OPTION_KEYS if getattr(opts, name) is not None}
    replaced = {key for name in given for key in OPTION_KEYS[name]} | set(opts.settings)
    kept = {k: v for k, v in recorded.items()
            if k.isupper() and k not in replaced and v is not None}
    effective = {**kept, **scrapy_settings(opts)}
    shown = ("DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS",
             "CONCURRENT_REQUESTS_PER_DOMAIN", "CLOSESPIDER_PAGECOUNT", "ROBOTSTXT_OBEY")
    parts = [f"{k}={effective[k]} ({'recorded' if k in kept else 'given'})"
             for k in shown if k in effective]
    parts += [f"{k}={v} (given)" for k, v in opts.settings.items() if k not in shown]
    return effective, "resume settings: " + ", ".join(parts)


def _text_options(settings: Any) -> Any:
    """How the attachments' text is read, from PORTAL_OCR, PORTAL_OCR_TIME_LIMIT and
    PORTAL_ATTACHMENT_MAX_BYTES; ValueError naming the problem."""
    from pipelines.attachment_text import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, TextOptions

    try:
        return TextOptions(
            ocr=settings.get("PORTAL_OCR", "auto"),
            time_limit=settings.getfloat("PORTAL_OCR_TIME_LIMIT", DEFAULT_TIME_LIMIT),
            max_bytes=settings.getint("PORTAL_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ValueError as exc:
        raise ValueError(f"attachment text settings: {exc}") from None


def run_crawl(opts: CrawlOptions) -> CrawlResult:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from scraper.spiders.portal import PortalSpider

    archive = Path(opts.archive)
    archive.mkdir(parents=True, exist_ok=True)
    profile: SiteProfile | None = None
    choice: ProfileChoice | None = None
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    snap = None
    resume_line = ""
    if opts.resume:
        if not opts.snapshot_id:
            raise SnapshotError("--resume needs the snapshot id of the interrupted crawl")
        snap = open_snapshot(archive, opts.snapshot_id)
        if snap.status != "open":
            raise SnapshotError(f"snapshot {snap.snapshot_id} is {snap.status}; only an open "
                                "(interrupted) snapshot can be resumed")
        before = dict(snap.manifest.get("settings") or {})
        effective, resume_line = resume_settings(opts, before)
        settings.setdict(effective, priority="cmdline")
        if opts.max_warc_size is None:
            opts.max_warc_size = before.get("max_warc_size") or DEFAULT_MAX_WARC_SIZE
    else:
        settings.setdict(scrapy_settings(opts), priority="cmdline")
    opts.max_warc_size = opts.max_warc_size or DEFAULT_MAX_WARC_SIZE
    opts.obey_robots = settings.getbool("ROBOTSTXT_OBEY")
    threshold = degraded_ratio(settings.get("PORTAL_DEGRADED_ERROR_RATIO"))
    text = _text_options(settings)  # a bad --ocr / --set PORTAL_OCR=… stops here, one line
    recorded = _recorded_settings(settings)
    recorded.update({k: settings.get(k) for k in opts.settings})  # --set KEY=VALUE, for resume
    recorded["max_warc_size"] = opts.max_warc_size
    if opts.freshness is not None:
        recorded["incremental"] = opts.freshness.as_dict()

    dedup = DedupIndex(dedup_path(archive))
    state = ResumeState()
    repairs: list[dict] = []
    if snap is not None:
        snap = _record_resume(snap, before, recorded)
        if opts.announce:
            opts.announce(resume_line)
        repairs = [r.as_dict() for r in repair_snapshot(snap.path)]
        for r in repairs:
            if r.get("removed_bytes"):
                logger.warning("cut %d bytes of partial record off %s (kept in %s)",
                               r["removed_bytes"], r["file"], r.get("partial_path"))
        # The interrupted run's seed is authoritative: a resume continues the same crawl.
        seeds = snap.manifest.get("seeds") or [opts.url]
        profile = site_profile(seeds[0], recorded_profile(snap.path, snap.manifest))
        state = recover_state(snap.warc_files(), profile, archive, dedup)
    else:
        if not opts.url:
            raise SnapshotError("a crawl needs a start URL")
        choice = pick_profile(opts, settings.get("USER_AGENT"))
        profile = site_profile(opts.url, choice.spec)
        snap = create_snapshot(archive, opts.snapshot_id, profile=profile.name,
                               seeds=[opts.url], settings=recorded, portal=opts.portal)
        manifest = record_choice(snap.path, snap.manifest, choice)
        write_manifest(snap.path, manifest)
        snap = dataclasses.replace(snap, manifest=manifest)

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
    if resume_line:
        logger.info("%s", resume_line)  # after CrawlerProcess: it opens crawl.log
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
    if freshness is not None and freshness.is_item is None:
        freshness.is_item = profile.is_item
    # Only this portal's items: an archive may hold several portals (docs/portals.md).
    known_items = sorted(u for u, seen in known.items()
                         if seen.ok and profile.is_item(u) and profile.canonicalize(u) == u
                         and urlsplit(u).netloc == host)
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

        # The attachments' text is read as the crawl would have (--ocr, --ocr-time-limit).
        extracted = extract_warcs(
            [str(p) for p in snap.warc_files()], snap.snapshot_id, archive_root=archive,
            progress=False, text=text,
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


def pick_profile(opts: CrawlOptions, user_agent: str | None = None) -> ProfileChoice:
    """The profile of a new crawl (scraper.profiles.choose); ValueError (one line) for an
    unknown platform or a malformed profile file."""
    return choose_profile(opts.url, platform=opts.platform, profile=opts.profile,
                          chosen_by=opts.profile_chosen_by, base=opts.profile_base,
                          user_agent=user_agent)


def _record_resume(snap: Any, before: dict[str, Any], recorded: dict[str, Any]) -> Any:
    """The manifest's `settings` become those the resumed crawl runs with; each resume is
    listed in `resumes` with the settings it changed (old and new value)."""
    manifest = dict(snap.manifest)
    kept = {k: v for k, v in before.items() if k not in recorded}  # e.g. `incremental`
    manifest["settings"] = {**kept, **recorded}
    changed = {k: {"was": before.get(k), "now": v} for k, v in recorded.items()
               if before.get(k) != v}
    manifest["resumes"] = [*manifest.get("resumes", []),
                           {"at": utc_now_iso(), "changed_settings": changed}]
    write_manifest(snap.path, manifest)
    return dataclasses.replace(snap, manifest=manifest)


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()}
