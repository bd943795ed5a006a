"""`portal-archive extract WARC… --snapshot ID`: rebuild a snapshot's datasets from WARC files."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "extract"
HELP = "rebuild the datasets (Parquet + CSV) of a snapshot from WARC files, with no network"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("warcs", nargs="+", type=Path, metavar="WARC",
                        help="WARC files (.warc or .warc.gz), read in the order given")
    parser.add_argument("--snapshot", required=True, metavar="ID",
                        help="snapshot whose datasets/ folder is (re)built")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: all cores)")
    parser.add_argument("--ocr", choices=["auto", "never", "always"], default="auto",
                        help="OCR of attachments' PDF pages (Tesseract, Vietnamese): auto = "
                             "pages with no text layer (default), never, always")
    parser.add_argument("--ocr-time-limit", type=float, default=None, metavar="SECONDS",
                        help="time limit for reading one attachment (default 300); a file "
                             "over it becomes a reject")


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError

    missing = [str(p) for p in args.warcs if not p.is_file()]
    if missing:
        raise CommandError(f"no such WARC file: {', '.join(missing)}")
    if args.jobs is not None and args.jobs < 1:
        raise CommandError("--jobs must be at least 1")
    if args.ocr_time_limit is not None and args.ocr_time_limit <= 0:
        raise CommandError("--ocr-time-limit must be positive")
    from archive.snapshot import SnapshotError
    from pipelines.attachment_text import DEFAULT_TIME_LIMIT, TextOptions
    from pipelines.extract import ensure_snapshot, extract_warcs

    try:
        snapshot_dir = ensure_snapshot(Path(args.archive), args.snapshot, args.warcs)
    except SnapshotError as exc:
        raise CommandError(str(exc)) from None
    result = extract_warcs(args.warcs, args.snapshot, archive_root=args.archive,
                           jobs=args.jobs or os.cpu_count(),
                           text=TextOptions(ocr=args.ocr,
                                            time_limit=args.ocr_time_limit or DEFAULT_TIME_LIMIT))
    for line in result.warnings:
        print(f"portal-archive extract: warning: {line}", file=sys.stderr)
    for line in result.errors:
        print(f"portal-archive extract: error: {line}", file=sys.stderr)
    counts = ", ".join(f"{table} {n}" for table, n in result.counts.items())
    print(f"{result.captures} captures from {len(args.warcs)} WARC file(s) → "
          f"{snapshot_dir / 'datasets'}: {counts}")
    return 1 if result.errors else 0
