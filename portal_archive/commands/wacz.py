"""`portal-archive wacz ID [--out FILE]`: package a closed snapshot as a WACZ 1.1.1 file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "wacz"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = "write a closed snapshot as a WACZ 1.1.1 package (default ./<ID>.wacz)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--portal", metavar="NAME",
                        help="`latest` and `previous` among this portal's snapshots "
                             "(docs/portals.md)")
    parser.add_argument(
        "snapshot_id", metavar="ID",
        help="snapshot id (see `portal-archive snapshots`), or `latest` / `previous` "
        "(the newest closed snapshot / the one before it), as for `diff`",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="output file (default: ./<ID>.wacz; the snapshot folder itself stays untouched)",
    )
    parser.add_argument("--title", default=None, help="collection title in datapackage.json")
    parser.add_argument(
        "--no-originals",
        action="store_true",
        help="leave out the earlier snapshots' records that revisits refer to "
        "(smaller, but unchanged pages will not replay from the package alone)",
    )


def run(args: argparse.Namespace) -> int:
    from archive.snapshot import SnapshotError, open_snapshot
    from archive.wacz import write_wacz
    from audit.diff import DiffError, resolve_ref
    from portal_archive.cli import CommandError

    if args.snapshot_id in ("latest", "previous"):
        try:
            args.snapshot_id = resolve_ref(args.archive, args.snapshot_id, args.portal)
        except DiffError as exc:
            raise CommandError(str(exc)) from None
    try:
        snap = open_snapshot(args.archive, args.snapshot_id)
    except SnapshotError:
        raise CommandError(
            f"no snapshot {args.snapshot_id!r} in {args.archive}; "
            f"list ids with `portal-archive snapshots --archive {args.archive}`"
        ) from None
    if snap.status != "closed":
        raise CommandError(
            f"snapshot {args.snapshot_id} is {snap.status}; only closed snapshots can be packaged"
        )
    out = args.out or Path(f"{args.snapshot_id}.wacz")
    if out.is_dir():
        out = out / f"{args.snapshot_id}.wacz"
    try:
        package = write_wacz(snap.path, out, title=args.title,
                             include_originals=not args.no_originals)
    except ValueError as exc:  # a snapshot that cannot be packaged (no index, not closed)
        raise CommandError(str(exc)) from None
    size = out.stat().st_size
    warcs = sum(1 for r in package["resources"] if r["path"].startswith("archive/"))
    originals = package["portal_archive_originals"]
    print(
        f"{out}: WACZ {package['wacz_version']}, {warcs} WARC file(s), "
        f"{originals['originals']} original record(s) for {originals['revisits']} revisit(s), "
        f"{size} bytes"
    )
    if originals["missing"] and not args.no_originals:
        print(
            f"portal-archive wacz: warning: {originals['missing']} revisit(s) refer to records "
            "not found in the dedup index; they will not replay from this package",
            file=sys.stderr,
        )
    return 0
