"""`portal-archive history URL`: every capture of a URL across snapshots, changed or not."""

from __future__ import annotations

import argparse
import json

NAME = "history"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = ("list every capture of URL across snapshots: date, status, payload digest, record type, "
        "snapshot, and whether it changed since the previous capture")

COLUMNS = ("CAPTURED", "STATUS", "TYPE", "DIGEST", "SNAPSHOT", "CHANGE")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the URL, as crawled")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument("--include-open", action="store_true",
                        help="also list captures of open snapshots that already have an index")


def run(args: argparse.Namespace) -> int:
    from audit.history import url_captures
    from portal_archive.cli import CommandError

    captures = url_captures(args.archive, args.url, include_open=args.include_open)
    if args.json:
        print(json.dumps([c.to_dict() for c in captures], ensure_ascii=False, indent=2))
        return 0
    if not captures:
        raise CommandError(f"no capture of {args.url} in {args.archive}", code=1)
    rows = [COLUMNS] + [
        (c.captured_at, str(c.status or "-"), c.record_type, c.digest or "-",
         c.snapshot_id + ("" if c.snapshot_status == "closed" else f" ({c.snapshot_status})"),
         c.change)
        for c in captures
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    changes = sum(1 for c in captures if c.change == "changed")
    print(f"{len(captures)} capture(s) in {len({c.snapshot_id for c in captures})} snapshot(s), "
          f"{changes} change(s) of content")
    return 0
