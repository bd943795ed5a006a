"""`portal-archive verify [ID]`: fixity check of one snapshot or of every snapshot."""

from __future__ import annotations

import argparse

NAME = "verify"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = ("re-hash every file against its manifest, check every WARC digest, revisit target and "
        "CDXJ entry; non-zero exit status on any problem")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("snapshot_id", nargs="?", metavar="ID",
                        help="snapshot to verify (default: every snapshot in the archive)")
    parser.add_argument("--portal", metavar="NAME",
                        help="every snapshot of this portal (docs/portals.md)")
    parser.add_argument("--json", action="store_true",
                        help="print the reports as JSON (every problem, every field)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="list every problem on its own line (default: the summary, then "
                             "one line per file and kind of problem)")


def run(args: argparse.Namespace) -> int:
    from archive.snapshot import SnapshotError, list_snapshots
    from archive.verify import reports_json, verify_archive
    from archive.verify_summary import summary_lines
    from portal_archive.cli import CommandError

    if args.snapshot_id is None and not list_snapshots(args.archive):
        raise CommandError(f"no snapshots in {args.archive}")
    chosen = [args.snapshot_id] if args.snapshot_id else None
    if args.portal and not args.snapshot_id:
        chosen = [s.snapshot_id for s in list_snapshots(args.archive, args.portal)]
        if not chosen:
            raise CommandError(f"no snapshots of portal {args.portal!r} in {args.archive}")
    try:
        reports = verify_archive(args.archive, chosen)
    except SnapshotError as exc:
        raise CommandError(str(exc)) from None
    problems = [p for r in reports for p in r.problems]
    files = sum(r.files for r in reports)
    records = sum(r.records for r in reports)
    revisits = sum(r.revisits for r in reports)
    lines = sum(r.cdxj_lines for r in reports)
    counts = (f"{len(reports)} snapshot(s), {files} files, {records} WARC records "
              f"({revisits} revisits), {lines} CDXJ lines")
    failed = ""
    if problems:
        bad = sum(1 for r in reports if r.problems)
        failed = f"FAILED: {len(problems)} problem(s) in {bad} snapshot(s) ({counts})"
    if args.json:
        print(reports_json(reports), end="")
    else:
        # The verdict first; then the notes and the problems, grouped by file and kind.
        print(failed or f"OK: {counts} verified")
        for report in reports:
            for note in report.notes:
                print(f"{report.snapshot_id}: note: {note}")
        for line in summary_lines(reports, verbose=args.verbose):
            print(line)
    if problems:
        raise CommandError(failed, code=1)
    return 0
