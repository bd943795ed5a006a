"""`portal-archive index [--rebuild]`: build or update the full-text index of an archive."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "index"
ARCHIVE_USE = "read"  # must exist; the index is derived (a read-only archive: in a cache)
HELP = ("build or update the full-text index (<archive>/index/) from the snapshots' datasets; "
        "--rebuild starts over")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild from every closed snapshot's datasets instead of adding "
                             "the snapshots not yet indexed")
    parser.add_argument("--index-dir", type=Path, default=None, metavar="DIR",
                        help="write the index here instead of <archive>/index/ (for a "
                             "read-only archive; pass the same to `search`)")


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from search.index import closed_snapshots, update_index

    if not (Path(args.archive) / "snapshots").is_dir():
        raise CommandError(f"no archive at {args.archive} (no snapshots/ folder)")
    if not closed_snapshots(args.archive):
        raise CommandError(f"no closed snapshot with datasets in {args.archive}")

    def progress(sid: str, rows: int, versions: int) -> None:
        print(f"  {sid}: {rows} rows, {versions} new versions", file=sys.stderr)

    try:
        result = update_index(args.archive, rebuild=args.rebuild, folder=args.index_dir,
                              progress=progress)
    except PermissionError as exc:
        raise CommandError(f"cannot write the index: {exc}; use --index-dir DIR for a "
                           "read-only archive") from None
    if result.note:
        print(result.note, file=sys.stderr)
    what = "rebuilt" if result.rebuilt else "updated"
    rate = result.rows / result.seconds if result.seconds else 0
    print(f"index {what}: {result.path}: {len(result.added)} snapshot(s) added, "
          f"{result.rows} rows, {result.versions} new versions, {result.seconds:.1f} s "
          f"({rate:.0f} rows/s)")
    return 0
