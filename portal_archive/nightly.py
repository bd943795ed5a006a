"""The scheduled run: lock, incremental crawl, datasets, verify, diff, report, one-line summary.

One command for cron or a systemd timer. Every step is logged to `<archive>/logs/nightly-<ts>.log`;
the exit status is 0 only when the crawl closed its snapshot and verification found no problem.
An interrupted earlier run (its snapshot still `open`) is resumed instead of starting anew.
A run against a portal that cannot be reached leaves a `failed` snapshot (exit 4) and one with
too many failed URLs a `degraded` one (exit 5); the diff base is the newest closed snapshot
that is not degraded, so an outage never becomes the next night's yardstick.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archive.snapshot import latest_closed, list_snapshots
from portal_archive.lock import RunLock
from scraper.crawl import CrawlOptions, run_crawl
from scraper.freshness import FreshnessPolicy

DEFAULT_URL = "https://laichau.gov.vn/"
LOCK_NAME = "nightly.lock"
EXIT_FAILED = 4  # the portal could not be reached: the snapshot is marked failed
EXIT_DEGRADED = 5  # closed, but more URLs failed than PORTAL_DEGRADED_ERROR_RATIO allows


@dataclass
class NightlyOptions:
    archive: Path
    url: str = DEFAULT_URL
    concurrency: int | None = None
    delay: float | None = None
    max_pages: int | None = None
    full: bool = False  # ignore the freshness policy: re-fetch everything
    max_age_days: float = 7.0
    recent_days: float = 30.0
    recent_interval_days: float = 1.0
    report_format: str = "html"
    settings: dict = field(default_factory=dict)
    # A registry portal (docs/portals.md): its own lock, snapshot ids `<UTC time>-<portal>`
    # (two portals starting in the same second never collide), its own diff base.
    portal: str | None = None
    # Distributed: the crawl is queued in this Redis for `portal-archive worker` processes
    # (scraper.fleet.coordinator); the rest of the run (verify, diff, report) is the same.
    redis: str | None = None
    # The site profile (scraper.profiles.choose): a platform and/or a profile (platform name
    # or .toml file); neither: the previous night's, else detected on the home page.
    platform: str | None = None
    profile: str | None = None
    profile_chosen_by: str = "option"
    profile_base: Path | None = None


@dataclass
class NightlyResult:
    ok: bool
    summary: str
    snapshot_id: str | None = None
    report: Path | None = None
    log: Path | None = None
    # The command's exit status when not simply 0 (ok) or 1 (not ok): 4 failed, 5 degraded.
    exit_code: int | None = None


def _logger(log_path: Path) -> logging.Logger:
    log = logging.getLogger("portal_archive.nightly")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.handlers[:] = [handler]
    return log


def _previous_profile(crawl: CrawlOptions, previous) -> None:
    """Tonight's crawl follows the profile of the previous night's (no detection request;
    the same rules, so the two nights compare)."""
    from scraper.profiles.choose import SNAPSHOT_PROFILE

    entry = previous.manifest.get("site_profile")
    if not entry:
        return
    if entry.get("file"):
        crawl.profile = str(previous.path / SNAPSHOT_PROFILE)
    else:
        crawl.platform = entry.get("platform")
    crawl.profile_chosen_by = "previous"


def run_nightly(opts: NightlyOptions) -> NightlyResult:
    from archive.verify import verify_snapshot
    from audit.diff_report import state_counts, write_report
    from audit.state import StateError
    from audit.state_diff import diff_states

    archive = Path(opts.archive)
    (archive / "logs").mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"-{opts.portal}" if opts.portal else ""
    log_path = archive / "logs" / f"nightly-{stamp}{suffix}.log"
    lock_name = f"nightly-{opts.portal}.lock" if opts.portal else LOCK_NAME

    with RunLock(archive / lock_name) as lock:
        log = _logger(log_path)
        if lock.recovered_from:
            log.warning("recovered a stale lock left by %s", lock.recovered_from)
        interrupted = [s for s in list_snapshots(archive, opts.portal) if s.status == "open"]
        previous = latest_closed(archive, healthy=True, portal=opts.portal)
        crawl = CrawlOptions(
            url=opts.url, archive=archive, concurrency=opts.concurrency, delay=opts.delay,
            max_pages=opts.max_pages, settings=dict(opts.settings), progress=False,
            portal=opts.portal, snapshot_id=f"{stamp}{suffix}" if opts.portal else None,
            platform=opts.platform, profile=opts.profile,
            profile_chosen_by=opts.profile_chosen_by, profile_base=opts.profile_base,
        )
        if not (opts.platform or opts.profile) and previous is not None:
            _previous_profile(crawl, previous)
        if interrupted:
            crawl.resume = True
            crawl.snapshot_id = interrupted[-1].snapshot_id
            log.info("resuming interrupted snapshot %s", crawl.snapshot_id)
        elif previous is not None and not opts.full:
            crawl.freshness = FreshnessPolicy(
                max_age_days=opts.max_age_days, recent_days=opts.recent_days,
                recent_interval_days=opts.recent_interval_days,
            )
        log.info("crawl %s (previous closed snapshot: %s)", opts.url,
                 previous.snapshot_id if previous else "none")
        if opts.redis:
            from scraper.fleet.coordinator import run_distributed_crawl

            result = run_distributed_crawl(crawl, opts.redis)
        else:
            result = run_crawl(crawl)
        log.info("crawl finished: %s, snapshot %s %s", result.finish_reason,
                 result.snapshot_id, result.status)
        health = result.health or {}
        if result.status == "failed":
            summary = (f"FAILED snapshot {result.snapshot_id}: {health.get('reason')}; kept as "
                       "evidence, never a dedup source or diff base")
            log.error(summary)
            return NightlyResult(False, summary, result.snapshot_id, None, log_path, EXIT_FAILED)
        if result.status != "closed":
            return NightlyResult(False, f"crawl of {opts.url} interrupted "
                                 f"({result.finish_reason}); snapshot {result.snapshot_id} "
                                 "stays open and the next run resumes it",
                                 result.snapshot_id, None, log_path)

        problems = verify_snapshot(archive, result.snapshot_id).problems
        for problem in problems:
            log.error("verify: %s", problem)
        report_path = None
        diff_summary = "no earlier snapshot to diff against"
        base = previous if previous and previous.snapshot_id != result.snapshot_id else None
        if base is not None:
            # The portal's state as of tonight against its state as of the previous night:
            # items the freshness policy did not re-check tonight are counted and listed apart
            # (with the date they were last verified), never as added, removed or unchanged.
            try:
                diff = diff_states(archive, base.snapshot_id, result.snapshot_id)
            except StateError as exc:  # e.g. an older snapshot without datasets
                log.error("diff: %s", exc)
                diff_summary = f"no diff: {exc}"
            else:
                report_path = (archive / "snapshots" / result.snapshot_id / "reports" / (
                    f"diff-{base.snapshot_id}-{result.snapshot_id}.{opts.report_format}"))
                write_report(diff, report_path, opts.report_format)
                diff_summary = f"vs {base.snapshot_id}: {state_counts(diff)}"
                log.info("diff %s, report %s", diff_summary, report_path)
        quality = _quality(archive, result.snapshot_id, log)
        stats = result.stats
        degraded = health.get("status") == "degraded"
        ok = not problems and not degraded
        verdict = "FAILED" if problems else "DEGRADED" if degraded else "OK"
        summary = (f"{verdict} snapshot {result.snapshot_id}: "
                   f"{stats.get('captures', 0)} captures ({stats.get('revisits', 0)} revisits), "
                   f"verify {'clean' if not problems else f'{len(problems)} problems'}, "
                   f"{diff_summary}{quality}")
        if degraded:
            summary += f"; {health.get('reason')}"
        log.info(summary)
        return NightlyResult(ok, summary, result.snapshot_id, report_path, log_path,
                             EXIT_DEGRADED if degraded and not problems else None)


def _quality(archive: Path, snapshot_id: str, log: logging.Logger) -> str:
    """Capture quality of tonight's snapshot (`audit.quality`), kept as
    reports/quality.json, as a part of the summary line; never fails the run."""
    from audit.quality import summary_line, write_quality

    try:
        report = write_quality(archive, snapshot_id)
    except Exception as exc:  # noqa: BLE001 - the archive is sound; quality is advice
        log.warning("quality: not computed: %s", exc)
        return ""
    log.info("quality %s", summary_line(report))
    return (f"; quality: missing requisites on {report['missing_requisites']['count']} pages, "
            f"{report['status_regressions']['count']} status regressions, "
            f"{report['lineage']['count']} lineage mismatches")
