"""`portal-archive nightly`: the one command to schedule (cron, systemd timer, Scrapyd)."""

from __future__ import annotations

import argparse

from portal_archive.commands.crawl import _coerce, _key_value
from portal_archive.nightly import DEFAULT_URL

NAME = "nightly"
HELP = ("scheduled run: lock, incremental crawl, datasets, verify, diff against the previous "
        "snapshot, report, one-line summary")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", nargs="?", default=DEFAULT_URL,
                        help=f"portal home page (default {DEFAULT_URL})")
    parser.add_argument("--full", action="store_true",
                        help="re-fetch every page instead of only those due")
    parser.add_argument("--max-age-days", type=float, default=7.0, metavar="D",
                        help="re-check every known page at least every D days (default 7)")
    parser.add_argument("--recent-days", type=float, default=30.0, metavar="D",
                        help="pages first seen in the last D days count as recent (default 30)")
    parser.add_argument("--recent-interval-days", type=float, default=1.0, metavar="D",
                        help="re-check recent pages every D days (default 1)")
    parser.add_argument("--concurrency", type=int, metavar="N")
    parser.add_argument("--delay", type=float, metavar="SECONDS")
    parser.add_argument("--max-pages", type=int, metavar="N")
    parser.add_argument("--format", dest="report_format", default="html",
                        choices=["html", "md", "json", "csv"], help="diff report format")
    parser.add_argument("--set", dest="settings", action="append", type=_key_value, default=[],
                        metavar="KEY=VALUE",
                        help="any Scrapy setting (repeatable), e.g. "
                             "PORTAL_DEGRADED_ERROR_RATIO=0.3")
    parser.epilog = ("exit status: 0 ok, 1 interrupted or verify found problems, 4 the portal "
                     "could not be reached (snapshot marked failed, not a diff base), 5 degraded, "
                     "75 another run holds the lock")


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from portal_archive.lock import LockHeld
    from portal_archive.nightly import NightlyOptions, run_nightly
    from scraper.health import degraded_ratio

    settings = {k: _coerce(v) for k, v in args.settings}
    if "PORTAL_DEGRADED_ERROR_RATIO" in settings:
        try:
            degraded_ratio(settings["PORTAL_DEGRADED_ERROR_RATIO"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
    opts = NightlyOptions(
        archive=args.archive, url=args.url, concurrency=args.concurrency, delay=args.delay,
        max_pages=args.max_pages, full=args.full, max_age_days=args.max_age_days,
        recent_days=args.recent_days, recent_interval_days=args.recent_interval_days,
        report_format=args.report_format,
        settings=settings,
    )
    try:
        result = run_nightly(opts)
    except LockHeld as exc:
        raise CommandError(str(exc), code=75) from exc
    print(result.summary)
    if result.report:
        print(f"report: {result.report}")
    if result.log:
        print(f"log: {result.log}")
    if result.exit_code is not None:
        return result.exit_code
    return 0 if result.ok else 1
