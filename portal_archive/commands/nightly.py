"""`portal-archive nightly`: the one command to schedule (cron, systemd timer, Scrapyd)."""

from __future__ import annotations

import argparse
from pathlib import Path

from portal_archive.commands.crawl import _coerce, _key_value
from portal_archive.nightly import DEFAULT_URL

NAME = "nightly"
HELP = ("scheduled run: lock, incremental crawl, datasets, verify, diff against the previous "
        "snapshot, report, one-line summary")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", nargs="?", default=None,
                        help=f"portal home page (default: the --portal's seed, else {DEFAULT_URL})")
    parser.add_argument("--portal", metavar="NAME",
                        help="run for this registry portal: its seed, politeness and freshness "
                             "policy, its own lock and snapshots (docs/portals.md)")
    parser.add_argument("--all", dest="all_portals", action="store_true",
                        help="every portal of the registry due tonight, concurrently (one "
                             "process each); one summary line per portal and a total")
    parser.add_argument("--portals", type=Path, metavar="FILE",
                        help="the portal registry (default ARCHIVE/portals.toml)")
    parser.add_argument("--platform", metavar="NAME",
                        help="the portal's platform (nukeviet, upload-portal, wordpress, …; "
                             "default: the registry's, else the previous night's, else "
                             "detected on the home page)")
    parser.add_argument("--profile", metavar="FILE.toml",
                        help="a site profile file (or a platform name) the crawl follows")
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
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="with --all: at most N portals at once (default 4 per core, at "
                             "most 32: a polite crawl mostly waits on its portal)")
    parser.add_argument("--redis", metavar="URL",
                        help="distributed: each portal's crawl is queued in Redis for "
                             "`portal-archive worker` processes (redis:// or rediss://); with "
                             "--all the fleet shares every portal's night (docs/scale.md)")
    parser.epilog = ("exit status: 0 ok, 1 interrupted or verify found problems, 4 the portal "
                     "could not be reached (snapshot marked failed, not a diff base), 5 degraded, "
                     "75 another run holds the lock; with --all: 0 when every portal's run is "
                     "OK, 4 when some failed and the others are OK or degraded, 5 when some are "
                     "degraded and the others OK, else 1 (each portal's own status in its line)")


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from portal_archive.lock import LockHeld
    from portal_archive.nightly import NightlyOptions, run_nightly
    from scraper.health import degraded_ratio

    if args.jobs is not None and args.jobs < 1:
        raise CommandError(f"--jobs {args.jobs}: give at least 1")
    if args.all_portals:
        return _run_all(args)
    settings = {k: _coerce(v) for k, v in args.settings}
    if "PORTAL_DEGRADED_ERROR_RATIO" in settings:
        try:
            degraded_ratio(settings["PORTAL_DEGRADED_ERROR_RATIO"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
    opts = NightlyOptions(
        archive=args.archive, url=args.url or DEFAULT_URL, concurrency=args.concurrency,
        delay=args.delay, max_pages=args.max_pages, full=args.full,
        max_age_days=args.max_age_days, recent_days=args.recent_days,
        recent_interval_days=args.recent_interval_days, report_format=args.report_format,
        settings=settings, platform=args.platform, profile=args.profile, redis=args.redis,
    )
    if args.portal:
        _apply_portal(args, opts)
    _check_profile(opts)
    fleet_errors: tuple[type[Exception], ...] = ()
    if opts.redis:
        from scraper.fleet.coordinator import FleetError

        fleet_errors = (FleetError,)
    try:
        result = run_nightly(opts)
    except LockHeld as exc:
        raise CommandError(str(exc), code=75) from exc
    except fleet_errors as exc:
        raise CommandError(str(exc)) from exc
    print(result.summary)
    if result.report:
        print(f"report: {result.report}")
    if result.log:
        print(f"log: {result.log}")
    if result.exit_code is not None:
        return result.exit_code
    return 0 if result.ok else 1


def _check_profile(opts) -> None:
    """An unknown platform or a malformed profile file: one line, before anything runs."""
    from portal_archive.cli import CommandError
    from scraper.profiles.choose import choose_profile
    from scraper.profiles.spec import ProfileError

    if not (opts.platform or opts.profile):
        return
    try:
        choose_profile(None, platform=opts.platform, profile=opts.profile,
                       base=opts.profile_base)
    except ProfileError as exc:
        raise CommandError(str(exc)) from exc


def _registry(args: argparse.Namespace):
    from portal_archive.cli import CommandError
    from portal_archive.registry import RegistryError, load_registry, registry_path

    path = registry_path(args.archive, args.portals)
    try:
        return path, load_registry(path)
    except RegistryError as exc:
        raise CommandError(str(exc)) from exc


def _apply_portal(args: argparse.Namespace, opts) -> None:
    """The registry entry's seed, politeness and freshness policy, where no option overrides
    them; a name not in the registry is a new portal (its URL must then be given)."""
    from portal_archive.cli import CommandError
    from portal_archive.registry import RegistryError, validate_name

    try:
        validate_name(args.portal)
    except RegistryError as exc:
        raise CommandError(str(exc)) from exc
    opts.portal = args.portal
    path, portals = _registry(args)
    entry = next((p for p in portals if p.name == args.portal), None)
    if entry is None:
        if not args.url:
            raise CommandError(f"{path}: no portal {args.portal!r}; add it with `portals add` "
                               "or give its URL")
        return
    opts.url = args.url or entry.seeds[0]
    if not (args.platform or args.profile):
        opts.platform, opts.profile = entry.profile_options()
        opts.profile_chosen_by = "registry"
        opts.profile_base = path.parent
    if args.delay is None:
        opts.delay = entry.delay
    if args.concurrency is None:
        opts.concurrency = entry.concurrency
    if not entry.robots:
        opts.settings.setdefault("ROBOTSTXT_OBEY", False)
    defaults = {"max_age_days": 7.0, "recent_days": 30.0, "recent_interval_days": 1.0}
    for key, default in defaults.items():
        if getattr(args, key) == default:  # not given on the command line
            setattr(opts, key, getattr(entry, key))


def _run_all(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from portal_archive.cli import CommandError
    from portal_archive.nightly_all import combined_exit, run_all, total_line

    if args.portal or args.url:
        raise CommandError("--all runs every registered portal: give no URL and no --portal")
    if args.delay is not None or args.concurrency is not None:
        raise CommandError("with --all, delay and concurrency are per portal: set them in the "
                           "registry (portals add NAME URL --delay S --concurrency N)")
    if args.platform or args.profile:
        raise CommandError("with --all, the platform and profile are per portal: set them in "
                           "the registry (portals add NAME URL --platform P or --profile FILE)")
    path, portals = _registry(args)
    if not portals:
        raise CommandError(f"{path}: no portals registered (add them with `portals add`)")
    weekday = datetime.now(UTC).weekday()
    due = [p for p in portals if p.due(weekday)]
    if not due:
        print(f"no portal is due tonight ({len(portals)} registered)")
        return 0
    extra = []
    if args.full:
        extra.append("--full")
    if args.max_pages is not None:
        extra += ["--max-pages", str(args.max_pages)]
    extra += ["--format", args.report_format]
    for key, value in args.settings:
        extra += ["--set", f"{key}={value}"]
    if args.redis:
        extra += ["--redis", args.redis]
    outcomes = run_all(due, Path(args.archive), path, extra, jobs=args.jobs)
    for outcome in outcomes:
        status = "" if outcome.ok else f" [exit {outcome.exit_code}]"
        print(f"{outcome.name}: {outcome.line}{status}")
    print(total_line(outcomes))
    return combined_exit(outcomes)
