"""`portal-archive crawl`: capture a portal into a new (or resumed) WARC snapshot."""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import sys
from pathlib import Path

NAME = "crawl"
# Exit statuses besides 0 (closed), 2 (bad input) and 3 (interrupted, resumable).
EXIT_FAILED = 4  # nothing of the portal answered: the snapshot is marked failed
EXIT_DEGRADED = 5  # closed, but more URLs failed than PORTAL_DEGRADED_ERROR_RATIO allows
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
                        help="continue the interrupted crawl of snapshot ID with the settings "
                             "it recorded (delay, concurrency, robots, ...); options given "
                             "with --resume replace those and are recorded")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="stop after N responses: at most N captures, robots.txt included "
                             "(the snapshot is still closed)")
    parser.add_argument("--concurrency", type=int, metavar="N",
                        help="parallel requests to the portal (default 2 per host, 8 overall: "
                             "polite); N sets both")
    parser.add_argument("--delay", type=float, metavar="SECONDS",
                        help="delay between requests (default 1.0 with AutoThrottle; "
                             "0 turns AutoThrottle off, for local targets)")
    parser.add_argument("--ignore-robots", action="store_true",
                        help="do not obey robots.txt (recorded in warcinfo)")
    parser.add_argument("--max-warc-size", type=int, default=None, metavar="BYTES",
                        help="rotate WARC files at this size (default 1 GB)")
    parser.add_argument("--operator", help="operator contact recorded in warcinfo")
    parser.add_argument("--set", dest="settings", action="append", type=_key_value, default=[],
                        metavar="KEY=VALUE", help="any Scrapy setting (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress line")
    parser.epilog = ("exit status: 0 closed, 2 bad input, 3 interrupted (resume it), 4 the portal "
                     "could not be reached (snapshot marked failed), 5 closed but degraded (more "
                     "URLs failed than PORTAL_DEGRADED_ERROR_RATIO, default 0.5); with several "
                     "--portal: 0 when all closed, 4 when some failed and the others closed or "
                     "degraded, 5 when some are degraded and the others closed, else 1")
    parser.add_argument("--portal", metavar="NAME", action="append",
                        help="the snapshot belongs to this portal (recorded in its manifest, id "
                             "suffixed -NAME); a registered portal gives the URL, delay and "
                             "concurrency not given here (docs/portals.md); repeated: each "
                             "registered portal into its own snapshot, concurrently, one "
                             "summary line each")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="with several --portal: at most N crawls at once (default 4 per "
                             "core, at most 32)")
    parser.add_argument("--portals", type=Path, metavar="FILE",
                        help="the portal registry (default ARCHIVE/portals.toml)")
    parser.add_argument("--platform", metavar="NAME",
                        help="the portal's platform: nukeviet, upload-portal, wordpress, "
                             "liferay, sharepoint, dotnetnuke, joomla or generic (default: "
                             "the registry's, else detected on the home page; docs/profiles.md)")
    parser.add_argument("--profile", metavar="FILE.toml",
                        help="a site profile file (or a platform name) the crawl follows: "
                             "seeds, scope, URL roles, traps; copied into the snapshot")
    parser.add_argument("--redis", metavar="URL",
                        help="distributed crawl: queue it in Redis (redis:// or rediss://, "
                             "password allowed) for `portal-archive worker` processes and wait "
                             "for them (docs/scale.md)")
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


def resume_command(snapshot_id: str, archive: Path) -> str:
    """The command that continues this crawl, ready to paste: it names the archive unless it
    is the default ./archive-data (without it, a paste elsewhere would start a new archive)."""
    from portal_archive.invocation import program

    command = ["crawl", "--resume", snapshot_id]
    if Path(archive) != Path("archive-data") or "PORTAL_ARCHIVE_HOME" in os.environ:
        command += ["--archive", str(archive)]
    return f"{program()} {shlex.join(command)}"


def run(args: argparse.Namespace) -> int:
    from archive.snapshot import SnapshotError
    from portal_archive.cli import CommandError
    from scraper.crawl import ARCHIVE_ERROR_STAT, CrawlOptions, run_crawl

    if isinstance(args.portal, list):
        if len(args.portal) > 1:
            from portal_archive.nightly_all import crawl_several

            return crawl_several(args)
        args.portal = args.portal[0]
    if args.portal and not args.resume:
        _apply_portal(args)
    if not args.url and not args.resume:
        raise CommandError("give the portal URL to crawl, or --resume ID")
    if args.redis and args.max_pages:
        raise CommandError("--max-pages cannot be used with --redis (each worker would stop "
                           "on its own count)")
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
        obey_robots=False if args.ignore_robots else None,
        max_warc_size=args.max_warc_size,
        settings=settings,
        progress=False if args.no_progress else None,
        operator=args.operator,
        portal=args.portal,
        platform=args.platform,
        profile=args.profile,
        profile_chosen_by=getattr(args, "profile_chosen_by", "option"),
        profile_base=getattr(args, "profile_base", None),
        announce=lambda line: print(f"portal-archive crawl: {line}", file=sys.stderr,
                                    flush=True),
    )
    try:
        if args.redis:
            from scraper.fleet.coordinator import FleetError, run_distributed_crawl

            try:
                result = run_distributed_crawl(opts, args.redis)
            except FleetError as exc:
                raise CommandError(str(exc)) from exc
        else:
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
    health = result.health or {}
    if result.status == "failed":
        # The portal could not be reached: nothing archived, so no "closed" and no exit 0.
        print(f"{health.get('reason')}; snapshot {result.snapshot_id} marked failed (kept as "
              f"evidence in {args.archive / 'snapshots' / result.snapshot_id}, never a dedup "
              "source or diff base)", file=sys.stderr)
        return EXIT_FAILED
    if result.status != "closed":
        archive_error = result.stats.get(ARCHIVE_ERROR_STAT)
        if archive_error:
            print(f"could not archive a capture: {archive_error}", file=sys.stderr)
        if result.stats.get("error"):
            print(result.stats["error"], file=sys.stderr)
        print(f"snapshot {result.snapshot_id} interrupted ({result.finish_reason}); "
              f"continue with: {resume_command(result.snapshot_id, args.archive)}"
              + (" --redis URL" if args.redis else ""),
              file=sys.stderr)
        return 3
    s = result.stats
    print(f"snapshot {result.snapshot_id} closed: {s.get('captures', 0)} captures "
          f"({s.get('responses', 0)} responses, {s.get('revisits', 0)} revisits) "
          f"in {args.archive / 'snapshots' / result.snapshot_id}")
    _quality(args.archive, result.snapshot_id)
    if health.get("status") == "degraded":
        print(health["reason"], file=sys.stderr)
        return EXIT_DEGRADED
    return 0


def _quality(archive: Path, snapshot_id: str) -> None:
    """Capture quality, computed at close and kept as the snapshot's reports/quality.json
    (`audit.quality.write_quality`, as `nightly` does); a failure is one line of warning,
    never a failed crawl: what was archived is sound."""
    from audit.quality import summary_line, write_quality

    try:
        report = write_quality(archive, snapshot_id)
    except Exception as exc:  # noqa: BLE001 - quality is advice, the snapshot is closed
        print(f"portal-archive crawl: warning: quality of {snapshot_id} not computed: "
              f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return
    print(f"quality {summary_line(report)}")


def _apply_portal(args: argparse.Namespace) -> None:
    from archive.snapshot import new_snapshot_id
    from portal_archive.cli import CommandError
    from portal_archive.registry import RegistryError, load_registry, registry_path, validate_name

    try:
        validate_name(args.portal)
        portals = load_registry(registry_path(args.archive, args.portals))
    except RegistryError as exc:
        raise CommandError(str(exc)) from exc
    entry = next((p for p in portals if p.name == args.portal), None)
    if entry is not None:
        args.url = args.url or entry.seeds[0]
        args.delay = entry.delay if args.delay is None else args.delay
        args.concurrency = entry.concurrency if args.concurrency is None else args.concurrency
        if not entry.robots:
            args.ignore_robots = True
        if not args.platform and not args.profile:
            args.platform, args.profile = entry.profile_options()
            args.profile_chosen_by = "registry"
            args.profile_base = registry_path(args.archive, args.portals).parent
    if not args.snapshot:
        args.snapshot = f"{new_snapshot_id()}-{args.portal}"
