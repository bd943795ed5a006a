"""`portal-archive extract WARC… --snapshot ID [--force]`: datasets from WARC files, as a new
snapshot or (--force) a new dataset version of a closed one; never in place."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "extract"
HELP = ("build the datasets (Parquet + CSV) of a new snapshot from WARC files, with no network; "
        "an existing snapshot is never changed (--force adds a new dataset version beside it)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("warcs", nargs="+", type=Path, metavar="WARC",
                        help="WARC files (.warc or .warc.gz), read in the order given")
    parser.add_argument("--snapshot", required=True, metavar="ID",
                        help="new snapshot to create (an existing one is refused: a closed "
                             "snapshot is immutable)")
    parser.add_argument("--force", action="store_true",
                        help="for an existing closed snapshot: write a new, separately named "
                             "dataset version to <snapshot>/extracts/<UTC time>/ (its "
                             "datasets/ stay as they are; nothing is written if a WARC is "
                             "damaged)")
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
    from pipelines.extract_target import extract_to_archive

    try:
        outcome = extract_to_archive(Path(args.archive), args.snapshot, args.warcs,
                                     force=args.force, jobs=args.jobs or os.cpu_count(),
                                     text=TextOptions(ocr=args.ocr, time_limit=(
                                         args.ocr_time_limit or DEFAULT_TIME_LIMIT)))
    except SnapshotError as exc:
        raise CommandError(str(exc)) from None
    result = outcome.result
    for line in result.warnings:
        print(f"portal-archive extract: warning: {line}", file=sys.stderr)
    consequence = {
        "discarded": f"damaged input: no dataset version written, snapshot {args.snapshot} is "
                     f"unchanged",
        "aborted": f"incomplete input: snapshot {args.snapshot} is marked aborted (kept as "
                   f"evidence, never a diff base)",
    }.get(outcome.state)
    for i, line in enumerate(result.errors):
        if consequence and i == len(result.errors) - 1:
            line += f"; {consequence}"
        print(f"portal-archive extract: error: {line}", file=sys.stderr)
    if outcome.datasets_dir is not None:
        counts = ", ".join(f"{table} {n}" for table, n in result.counts.items())
        where = outcome.datasets_dir
        if outcome.state == "version":
            where = f"new dataset version {where} (snapshot {args.snapshot} unchanged)"
        print(f"{result.captures} captures from {len(args.warcs)} WARC file(s) → {where}: "
              f"{counts}")
    return 1 if result.errors else 0
