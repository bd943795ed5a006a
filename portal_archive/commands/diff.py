"""`portal-archive diff A B`: what was added, removed and changed between two snapshots."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "diff"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = ("compare the portal's state as of snapshots A and B: articles and documents added, "
        "removed (with a reason), changed (field by field, word-level), and those B did not "
        "re-check, listed apart")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--portal", metavar="NAME",
                        help="`latest` and `previous` among this portal's snapshots "
                             "(docs/portals.md)")
    parser.add_argument("a", metavar="A", help="older snapshot id (or `previous`, `latest`)")
    parser.add_argument("b", metavar="B", help="newer snapshot id (or `latest`)")
    parser.add_argument("--format", choices=("html", "md", "json", "csv"), default=None,
                        help="report format (default: from --out's extension, else json)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help="write the report to FILE (default: standard output)")
    parser.add_argument("--captures", action="store_true",
                        help="compare only what A and B themselves captured (items B did not "
                             "fetch are `not_captured`), not the portal's states")
    parser.add_argument("--phrase", metavar="TEXT", default=None,
                        help="mark which changes add or remove this phrase (matched as "
                             "`search` matches it: without diacritics it matches any); "
                             "highlighted in every report format")


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.out is not None:
        ext = args.out.suffix.lower().lstrip(".")
        aliases = {"htm": "html", "markdown": "md"}
        ext = aliases.get(ext, ext)
        if ext in ("html", "md", "json", "csv"):
            return ext
    return "json"


def _order_warning(archive: Path, a: str, b: str) -> str | None:
    """A warning when A was crawled after B: the report then reads backwards (what B's
    portal had that A's lost shows as `added`)."""
    from archive.snapshot import open_snapshot

    started = [open_snapshot(archive, s).manifest.get("started_at") or s for s in (a, b)]
    if started[0] <= started[1]:
        return None
    return (f"A ({a}, crawled {started[0]}) is newer than B ({b}, crawled {started[1]}): "
            f"this diff runs backwards in time; swap A and B for what changed since {b}")


def run(args: argparse.Namespace) -> int:
    from audit.diff import DiffError, diff_snapshots
    from audit.diff_report import render, summary_line, write_report
    from audit.phrase import PhraseError, check_phrase, mark_phrase
    from audit.state import StateError
    from audit.state_diff import diff_states
    from portal_archive.cli import CommandError

    try:
        if args.phrase is not None:
            check_phrase(args.phrase)
        if args.portal:
            from audit.diff import resolve_ref

            args.a, args.b = (resolve_ref(args.archive, ref, args.portal)
                              for ref in (args.a, args.b))
        if args.captures:
            diff = diff_snapshots(args.archive, args.a, args.b)
        else:
            diff = diff_states(args.archive, args.a, args.b)
        if args.phrase is not None:
            mark_phrase(diff, args.phrase)
    except (DiffError, StateError, PhraseError) as exc:
        raise CommandError(str(exc)) from None
    warning = _order_warning(args.archive, diff["a"], diff["b"])
    if warning:
        print(f"portal-archive diff: warning: {warning}", file=sys.stderr)
    fmt = _format(args)
    if args.out is None:
        sys.stdout.write(render(diff, fmt))
        return 0
    write_report(diff, args.out, fmt)
    phrase = diff.get("phrase")
    marked = (f"; phrase added by {phrase['added']} changed item(s), removed by "
              f"{phrase['removed']}" if phrase else "")
    print(f"{summary_line(diff)}{marked}; report: {args.out}")
    return 0
