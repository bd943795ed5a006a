"""`portal-archive portals`: list, add and check the portal registry (ARCHIVE/portals.toml)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

NAME = "portals"
# Lists a read-only or not yet created archive too; `add` creates the file (and folder).
ARCHIVE_USE = None
HELP = "the portal registry (portals.toml): list, add NAME URL, check"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--portals", type=Path, metavar="FILE",
                        help="the registry file (default ARCHIVE/portals.toml)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    ls = sub.add_parser("list", help="the registered portals (and those snapshots name)")
    ls.add_argument("--format", choices=["table", "json"], default="table")
    add = sub.add_parser("add", help="register a portal")
    add.add_argument("name", help="short name, e.g. laichau")
    add.add_argument("url", help="its home page (the seed)")
    add.add_argument("--profile", default=None, help="site profile (default nukeviet)")
    add.add_argument("--platform", default=None,
                     help="the portal's platform (upload-portal, wordpress, …; docs/profiles.md)")
    add.add_argument("--delay", type=float, metavar="SECONDS")
    add.add_argument("--concurrency", type=int, metavar="N", help="requests at a time per host")
    add.add_argument("--ignore-robots", action="store_true")
    add.add_argument("--schedule", metavar="DAYS",
                     help="comma-separated nights, e.g. mon,wed,fri (default every night)")
    add.add_argument("--tag", dest="tags", action="append", default=[], metavar="TAG",
                     help="e.g. province=laichau (repeatable)")
    check = sub.add_parser("check",
                           help="parse and validate the registry; exit 2 with one line if bad")
    # `portals list --archive DIR` as well as `portals --archive DIR list`: SUPPRESS keeps a
    # value given before the action.
    for action in (ls, add, check):
        action.add_argument("--archive", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                            help="archive root (default: $PORTAL_ARCHIVE_HOME or ./archive-data)")
        action.add_argument("--portals", type=Path, default=argparse.SUPPRESS, metavar="FILE",
                            help="the registry file (default ARCHIVE/portals.toml)")


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from portal_archive.registry import (
        DEFAULT_PROFILE,
        WEEKDAYS,
        Portal,
        RegistryError,
        add_portal,
        load_registry,
        registry_path,
    )

    path = registry_path(args.archive, args.portals)
    try:
        if args.action == "add":
            portal = Portal(
                name=args.name, seeds=[args.url], profile=args.profile or DEFAULT_PROFILE,
                delay=args.delay, concurrency=args.concurrency, robots=not args.ignore_robots,
                schedule=(args.schedule.split(",") if args.schedule else list(WEEKDAYS)),
                tags=args.tags, platform=args.platform)
            add_portal(path, portal)
            print(f"added portal {portal.name} ({args.url}) to {path}")
            return 0
        portals = load_registry(path)
    except RegistryError as exc:
        raise CommandError(str(exc)) from exc
    if args.action == "check":
        print(f"{path}: {len(portals)} portals, ok")
        return 0
    rows = [dict(vars(p), source="registry") for p in portals]
    rows += [{"name": name, "seeds": seeds, "source": "snapshots"}
             for name, seeds in _snapshot_portals(args.archive).items()
             if name not in {p.name for p in portals}]
    if getattr(args, "format", "table") == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(f"no portals in {path} (add one with `portal-archive portals add NAME URL`)")
    for row in rows:
        extra = "" if row["source"] == "registry" else "  (from snapshots, not registered)"
        print(f"{row['name']}  {' '.join(row['seeds'])}{extra}")
    return 0


def _snapshot_portals(archive: Path) -> dict[str, list[str]]:
    """Portals named by the archive's snapshots (a legacy archive's one portal: its host)."""
    from archive.snapshot import list_snapshots, snapshot_portal

    found: dict[str, list[str]] = {}
    for snap in list_snapshots(archive):
        found.setdefault(snapshot_portal(snap.manifest), list(snap.manifest.get("seeds") or []))
    return found
