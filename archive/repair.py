"""Find and cut off the partial trailing record a killed writer leaves in a `.warc.gz`.

Our writer puts each record in its own gzip member and flushes after each capture, so after
`kill -9` a file is a run of complete members, possibly followed by part of one. A member is
complete when zlib reaches its end (CRC and size checked) and its text ends with the record
terminator `\\r\\n\\r\\n`. Everything after the last complete member is copied to
`<final name>.partial` (evidence) and truncated away.

The member walk is done with zlib directly: warcio reads records but has no call that says
where the last *complete* one ends (a truncated member just decompresses short).
"""

from __future__ import annotations

import os
import shutil
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archive.warc import OPEN_SUFFIX

_CHUNK = 1 << 20
_TERMINATOR = b"\r\n\r\n"


@dataclass(frozen=True)
class RepairReport:
    """What `repair_warc` found: the cut offset and how many bytes went to `partial_path`."""

    file: str
    size: int
    good_end: int
    records: int
    removed_bytes: int
    partial_path: str | None
    renamed_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def final_name(path: Path) -> Path:
    """`x.warc.gz.open` → `x.warc.gz` (unchanged for a finished name)."""
    return (
        path.with_name(path.name[: -len(OPEN_SUFFIX)]) if path.name.endswith(OPEN_SUFFIX) else path
    )


def scan_gzip_members(path: Path) -> tuple[int, int]:
    """(end offset of the last complete record member, number of complete members)."""
    good_end = 0
    members = 0
    start = 0  # offset of the member being decoded
    consumed = 0  # bytes of the current member fed to the decompressor so far
    decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
    tail = b""
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            data = block
            while data:
                try:
                    out = decomp.decompress(data)
                except zlib.error:
                    return good_end, members
                tail = (tail + out)[-len(_TERMINATOR) :]
                if not decomp.eof:
                    consumed += len(data)
                    break
                rest = decomp.unused_data
                end = start + consumed + len(data) - len(rest)
                if tail != _TERMINATOR:
                    return good_end, members  # a whole gzip member, but not a whole record
                good_end, members = end, members + 1
                start, consumed, tail = end, 0, b""
                decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
                data = rest
    return good_end, members


def repair_warc(path: Path | str, dry_run: bool = False) -> RepairReport:
    """Cut a partial trailing record off `path` (a `.warc.gz` or `.warc.gz.open`)."""
    path = Path(path)
    size = path.stat().st_size
    good_end, members = scan_gzip_members(path)
    removed = size - good_end
    partial_path = None
    if removed and not dry_run:
        partial = _free_name(final_name(path).with_name(final_name(path).name + ".partial"))
        with open(path, "rb") as src, open(partial, "xb") as dst:
            src.seek(good_end)
            shutil.copyfileobj(src, dst, _CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
            fh.flush()
            os.fsync(fh.fileno())
        partial_path = str(partial)
    return RepairReport(str(path), size, good_end, members, removed, partial_path)


def repair_snapshot(snapshot_dir: Path | str, finalize: bool = True) -> list[RepairReport]:
    """Repair every WARC of a snapshot; with `finalize`, rename `.open` files when done.

    An `.open` file left with no complete record at all is removed (its bytes, if any, are
    kept in the `.partial` file). Used by `crawl --resume` before a new writer starts.
    """
    warcs = Path(snapshot_dir) / "warcs"
    reports = []
    if not warcs.is_dir():
        return reports
    candidates = sorted(
        p for p in warcs.iterdir() if p.name.endswith((".warc.gz", ".warc.gz" + OPEN_SUFFIX))
    )
    for path in candidates:
        report = repair_warc(path)
        if finalize and path.name.endswith(OPEN_SUFFIX):
            target = final_name(path)
            if report.records == 0:
                path.unlink()
                report = RepairReport(**{**report.as_dict(), "renamed_to": None})
            else:
                os.replace(path, target)
                report = RepairReport(**{**report.as_dict(), "renamed_to": str(target)})
        reports.append(report)
    return reports


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    n = 1
    while path.with_name(f"{path.name}.{n}").exists():
        n += 1
    return path.with_name(f"{path.name}.{n}")
