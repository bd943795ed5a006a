"""The `portal-archive` entry point: one argparse parser, one module per subcommand.

Each module in `portal_archive.commands` exposes `NAME`, `HELP`, `add_arguments(parser)` and
`run(args) -> int`. Heavy imports (Scrapy, pandas) happen inside `run`, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from portal_archive import __version__, errors

# Order here is the order in `--help`.
COMMAND_MODULES = [
    "demo",
    "replica",
    "crawl",
    "worker",
    "nightly",
    "portals",
    "parse",
    "extract",
    "snapshots",
    "wacz",
    "diff",
    "verify",
    "history",
    "show",
    "detect",
    "profile",
    "serve",
    "qa",
    "index",
    "search",
]


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2 (or `code`)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def default_archive() -> Path:
    return Path(os.environ.get("PORTAL_ARCHIVE_HOME", "archive-data"))


def add_archive_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--archive",
        type=Path,
        default=None,
        metavar="DIR",
        help="archive root (default: $PORTAL_ARCHIVE_HOME or ./archive-data)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = errors.OneLineParser(
        prog="portal-archive",
        description=(
            "Archive NukeViet government portals into WARC snapshots, build datasets, "
            "and diff snapshots."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"portal_archive.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"portal_archive.commands.{name}":
                continue  # not implemented yet
            raise
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        add_archive_option(p)
        module.add_arguments(p)
        p.set_defaults(_run=module.run, _default_archive=getattr(module, "DEFAULT_ARCHIVE", None))
        p.set_defaults(_archive_use=getattr(module, "ARCHIVE_USE", errors.WRITE), _parser=p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # reported by the subcommand's parser, so the line names the subcommand
        getattr(args, "_parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    if getattr(args, "archive", None) is None:
        args.archive = args._default_archive or default_archive()
    # Every expected failure of every command becomes one line here (see portal_archive.errors).
    try:
        problem = errors.check_archive(Path(args.archive), args._archive_use)
        if problem:
            raise CommandError(problem)
        return int(args._run(args) or 0)
    except CommandError as exc:
        print(f"portal-archive {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"portal-archive {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        known = errors.describe(exc)
        if known is None and os.environ.get(errors.DEBUG_ENV):
            raise
        message, code = known or (errors.unexpected(exc), errors.UNEXPECTED_ERROR)
        print(f"portal-archive {args.command}: error: {message}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
