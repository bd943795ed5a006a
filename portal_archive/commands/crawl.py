"""`portal-archive crawl`: capture a portal into a new (or resumed) WARC snapshot."""

from __future__ import annotations

import argparse
import gc
import sys

NAME = "crawl"
HELP = "crawl a portal into a WARC snapshot (resumable, deduplicated against earlier snapshots)"


def _key_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", nargs="?", help="start URL: the portal's home page")
    parser.add_argument("--snapshot", metavar="ID",
                        help="snapshot id (default: UTC time, e.g. 20261127T192512Z)")
    parser.add_argument("--resume", metavar="ID",
                        help="continue the interrupted crawl of snapshot ID")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="stop after N responses (the snapshot is still closed)")
    parser.add_argument("--concurrency", type=int, metavar="N",
                        help="parallel requests to the portal (default 2: polite)")
    parser.add_argument("--delay", type=float, metavar="SECONDS",
                        help="delay between requests (default 1.0 with AutoThrottle; "
                             "0 turns AutoThrottle off, for local targets)")
    parser.add_argument("--ignore-robots", action="store_true",
                        help="do not obey robots.txt (recorded in warcinfo)")
    parser.add_argument("--max-warc-size", type=int, default=10**9, metavar="BYTES",
                        help="rotate WARC files at this size (default 1 GB)")
    parser.add_argument("--operator", help="operator contact recorded in warcinfo")
    parser.add_argument("--set", dest="settings", action="append", type=_key_value, default=[],
                        metavar="KEY=VALUE", help="any Scrapy setting (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress line")
    parser.add_argument("--ocr", choices=["auto", "never", "always"], default=None,
                        help="OCR of attachments' PDF pages (Tesseract, Vietnamese): auto = "
                             "pages with no text layer (default), never, always")
    parser.add_argument("--ocr-time-limit", type=float, default=None, metavar="SECONDS",
                        help="time limit for reading one attachment (default 300); a file "
                             "over it becomes a reject")


def _coerce(value: str):
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def run(args: argparse.Namespace) -> int:
    from archive.snapshot import SnapshotError
    from portal_archive.cli import CommandError
    from scraper.crawl import ARCHIVE_ERROR_STAT, CrawlOptions, run_crawl

    if not args.url and not args.resume:
        raise CommandError("give the portal URL to crawl, or --resume ID")
    if args.resume and args.snapshot and args.snapshot != args.resume:
        raise CommandError("--snapshot and --resume name different snapshots")
    settings = {k: _coerce(v) for k, v in args.settings}
    if args.ocr is not None:
        settings["PORTAL_OCR"] = args.ocr
    if args.ocr_time_limit is not None:
        if args.ocr_time_limit <= 0:
            raise CommandError("--ocr-time-limit must be positive")
        settings["PORTAL_OCR_TIME_LIMIT"] = args.ocr_time_limit
    opts = CrawlOptions(
        url=args.url,
        archive=args.archive,
        snapshot_id=args.resume or args.snapshot,
        resume=bool(args.resume),
        max_pages=args.max_pages,
        concurrency=args.concurrency,
        delay=args.delay,
        obey_robots=not args.ignore_robots,
        max_warc_size=args.max_warc_size,
        settings=settings,
        progress=False if args.no_progress else None,
        operator=args.operator,
    )
    try:
        result = run_crawl(opts)
    except (SnapshotError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        # Everything the crawl wrote is closed by now. Its objects (Scrapy, Twisted, caches)
        # would otherwise be walked by one last garbage collection at exit: 0.3-0.4 s of a
        # one-minute crawl for nothing.
        gc.freeze()
    for repair in result.repairs:
        if repair.get("removed_bytes"):
            print(f"repaired {repair['file']}: cut {repair['removed_bytes']} bytes of a partial "
                  f"record (kept in {repair.get('partial_path')})", file=sys.stderr)
    if result.status != "closed":
        archive_error = result.stats.get(ARCHIVE_ERROR_STAT)
        if archive_error:
            print(f"could not archive a capture: {archive_error}", file=sys.stderr)
        print(f"snapshot {result.snapshot_id} interrupted ({result.finish_reason}); "
              f"continue with: portal-archive crawl --resume {result.snapshot_id}",
              file=sys.stderr)
        return 3
    s = result.stats
    print(f"snapshot {result.snapshot_id} closed: {s.get('captures', 0)} captures "
          f"({s.get('responses', 0)} responses, {s.get('revisits', 0)} revisits) "
          f"in {args.archive / 'snapshots' / result.snapshot_id}")
    return 0
