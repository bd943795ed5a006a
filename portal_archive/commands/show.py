"""`portal-archive show URL [--at DATE]`: print the archived version of URL closest to DATE."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "show"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = ("print the archived payload of URL (decoded) from the capture closest to DATE "
        "(default: the latest); revisits are resolved to their original record")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the URL, as crawled")
    parser.add_argument("--at", metavar="DATE",
                        help="e.g. 2026-11-27, 2026-11-27T19:25:12Z, 20261127192512 or a "
                             "snapshot id (default: the latest capture)")
    parser.add_argument("--headers", action="store_true",
                        help="print the HTTP status line and headers of the capture first")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="write the payload bytes to FILE instead of printing it")


def run(args: argparse.Namespace) -> int:
    from archive.snapshot import list_snapshots
    from audit.history import (
        HistoryError,
        decode_text,
        is_text,
        load_capture,
        parse_when,
        select,
        url_captures,
    )
    from portal_archive.cli import CommandError

    try:
        snapshots = {s.snapshot_id: s.status for s in list_snapshots(args.archive)}
        snapshot_ids = set(snapshots)
        if args.at is not None and args.at not in snapshot_ids:
            parse_when(args.at)  # a typo in the date is the error, whatever is archived
        if snapshots.get(args.at) == "open":
            raise CommandError(f"snapshot {args.at} is open (an interrupted or running crawl): "
                               "`show` reads closed snapshots; see `history --include-open`")
        captures = url_captures(args.archive, args.url)
        if not captures:
            raise CommandError(f"no capture of {args.url} in {args.archive}", code=1)
        # An outage's 5xx answers (in a failed snapshot) are evidence, not the archived page:
        # chosen only when no other snapshot has the URL, or by that snapshot's id.
        captures = [c for c in captures
                    if c.snapshot_status != "failed" or c.snapshot_id == args.at] or captures
        capture = select(captures, args.at, snapshot_ids)
        loaded = load_capture(args.archive, capture)
    except HistoryError as exc:
        raise CommandError(str(exc)) from None
    src = loaded.source
    origin = ""
    if capture.record_type == "revisit":
        origin = (f"; payload from {src['record_id']} ({src['snapshot_id']}/{src['warc_file']} "
                  f"@ {src['offset']}, {src.get('date')})")
    print(f"# {capture.url} captured {capture.captured_at} in snapshot {capture.snapshot_id} "
          f"({capture.record_type} {loaded.record_id}, {capture.warc_file} @ "
          f"{capture.offset}){origin}", file=sys.stderr)
    if args.headers:
        print(loaded.status_line)
        for name, value in loaded.headers:
            print(f"{name}: {value}")
        print()
    if args.out is not None:
        args.out.write_bytes(loaded.body)
        print(f"{len(loaded.body)} bytes written to {args.out}", file=sys.stderr)
    elif is_text(loaded.headers):
        text = decode_text(loaded)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(loaded.body)
        sys.stdout.buffer.flush()
    return 0
