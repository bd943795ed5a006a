"""Expected failures of any subcommand, turned into one line for the user in one place.

`portal_archive.cli.main` checks `--archive` before a command runs (`check_archive`) and turns
what a command raises into `portal-archive CMD: error: …` with a non-zero status
(`describe`), so no command needs its own try/except for a full disk, a read-only mount or an
`--archive` that names a plain file, and no user ever sees a traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3
from pathlib import Path

# How a command uses --archive (its module's ARCHIVE_USE): "read" needs an existing archive,
# "write" creates it when missing, None ignores it. All of them refuse a plain file.
READ = "read"
WRITE = "write"

# Exit status of a failure of the environment (disk, permissions, database): not a usage error.
ENVIRONMENT_ERROR = 1
# Exit status of an unexpected error (sysexits EX_SOFTWARE); PORTAL_ARCHIVE_DEBUG=1 re-raises.
UNEXPECTED_ERROR = 70
DEBUG_ENV = "PORTAL_ARCHIVE_DEBUG"


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line (`PROG: error: … (see `PROG --help`)`), not
    the usage text and an error line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def check_archive(archive: Path, use: str | None) -> str | None:
    """Why `archive` cannot serve a command that uses it as `use`; None when it can."""
    if archive.exists() and not archive.is_dir():
        return f"--archive {archive} is a file, not an archive directory"
    if use == READ and not archive.exists():
        return (f"archive {archive} does not exist (give --archive DIR or set "
                "PORTAL_ARCHIVE_HOME)")
    # access(2) answers EROFS for a read-only mount, and no for a directory without write
    # permission (root passes the latter, and can then write, so it is no false alarm).
    if use == WRITE and archive.is_dir() and not os.access(archive, os.W_OK):
        return f"archive {archive} is not writable (read-only file system or no permission)"
    return None


def describe(exc: BaseException) -> tuple[str, int] | None:
    """(one-line message, exit status) for an expected failure, None for anything else."""
    if isinstance(exc, OSError):
        return describe_os_error(exc), ENVIRONMENT_ERROR
    if isinstance(exc, sqlite3.Error):
        return f"archive database (dedup.sqlite3): {exc}", ENVIRONMENT_ERROR
    return None


def describe_os_error(exc: OSError) -> str:
    """`PATH: reason` from an OSError, with a hint for the causes a user can act on."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hints = {
        errno.ENOSPC: " (the disk is full; free space, then run the command again)",
        errno.EDQUOT: " (disk quota exceeded)",
        errno.EFBIG: " (file size limit reached)",
        errno.EROFS: " (the archive is on a read-only file system)",
    }
    where = exc.filename
    if where is not None and exc.filename2 is not None:
        where = f"{exc.filename} -> {exc.filename2}"
    text = f"{os.fsdecode(where)}: {reason}" if where is not None else reason
    return text + hints.get(exc.errno or 0, "")


def unexpected(exc: BaseException) -> str:
    """The one line for a bug: what happened and how to get the traceback."""
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return (f"unexpected {type(exc).__name__}{': ' + detail if detail else ''} "
            f"(a bug; run with {DEBUG_ENV}=1 for the traceback)")
