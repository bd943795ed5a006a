"""`portal-archive qa ID`: capture quality of a snapshot (see `audit.quality`)."""

from __future__ import annotations

import argparse
import json

NAME = "qa"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = ("capture quality of a snapshot: missing requisites, soft 404s, status regressions, "
        "pages parsed to nothing, truncated or oversized responses, a lineage round trip")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("snapshot_id", metavar="ID",
                        help="snapshot id, or `latest` / `previous` (closed snapshots)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--portal", metavar="NAME",
                        help="`latest` and `previous` among this portal's snapshots; an ID of "
                             "another portal is refused (docs/portals.md)")


def run(args: argparse.Namespace) -> int:
    from audit.diff import DiffError, resolve_ref
    from audit.quality import CHECKS, QualityError, snapshot_quality, summary_line
    from portal_archive.cli import CommandError

    try:
        snapshot_id = resolve_ref(args.archive, args.snapshot_id, args.portal)
        if args.portal:
            _check_portal(args.archive, snapshot_id, args.portal)
        report = snapshot_quality(args.archive, snapshot_id)
    except (DiffError, QualityError) as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return 0
    print(summary_line(report))
    for check in CHECKS:
        for example in report[check]["examples"][:3]:
            detail = ", ".join(f"{k}={v}" for k, v in example.items()
                               if k not in ("url", "captured_at") and v is not None)
            print(f"  {check}: {example.get('url')} @ {example.get('captured_at')}"
                  + (f" ({detail})" if detail else ""))
    return 0


def _check_portal(archive, snapshot_id: str, portal: str) -> None:
    from archive.snapshot import open_snapshot, snapshot_portal
    from audit.diff import DiffError

    owner = snapshot_portal(open_snapshot(archive, snapshot_id).manifest)
    if owner != portal:
        raise DiffError(f"snapshot {snapshot_id} belongs to portal {owner!r}, not {portal!r}")
