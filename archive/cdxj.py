"""CDXJ index of a snapshot's WARC files, built with cdxj-indexer, plus a reader for its lines."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from archive.warc import OPEN_SUFFIX


@dataclass(frozen=True)
class CdxjLine:
    """One parsed index line: SURT key, 14-digit timestamp and the JSON fields."""

    urlkey: str
    timestamp: str
    fields: dict[str, Any]

    @property
    def offset(self) -> int:
        return int(self.fields["offset"])

    @property
    def length(self) -> int:
        return int(self.fields["length"])


def build_cdxj(warc_paths: Iterable[Path], out_path: Path) -> int:
    """Index `warc_paths` (file names only, as WACZ and pywb expect) into sorted `out_path`.

    Written to a temporary file and renamed, so a crash never leaves half an index.
    Returns the number of lines.
    """
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    inputs = [str(p) for p in sorted(warc_paths)]
    if inputs:
        # Imported here: cdxj-indexer pulls in surt, tldextract and requests (~0.2 s), which
        # every command importing this module would otherwise pay at start-up.
        from cdxj_indexer.main import CDXJIndexer

        CDXJIndexer(str(tmp), inputs, sort=True).process_all()
    else:
        tmp.write_text("", encoding="utf-8")
    os.replace(tmp, out_path)
    with open(out_path, "rb") as fh:
        return sum(1 for _ in fh)


class IncrementalCdxj:
    """The CDXJ index of WARC files that are still growing, built range by range.

    A crawl's dataset worker calls `advance(name, end)` whenever it learns that `name` holds
    complete records up to byte `end`; the new byte range is read back and indexed by
    cdxj-indexer itself (offsets shifted by where the range starts), so at the end of the
    crawl the index is ready instead of costing a second read of every WARC on the
    crawler's critical path. `finish()` indexes what is left of every file in `warcs_dir`,
    then writes the sorted lines (cdxj-indexer's own order) and returns how many bytes of
    each file they cover: `close_snapshot` uses the index only if that matches the closed
    files exactly, and otherwise builds it from scratch with `build_cdxj`.
    """

    def __init__(self, warcs_dir: Path | str) -> None:
        self.warcs_dir = Path(warcs_dir)
        self.covered: dict[str, int] = {}  # final file name -> bytes indexed from its start
        self._lines: list[str] = []
        self._indexer: Any = None

    def advance(self, name: str, end: int) -> None:
        """Index `name` (its final name) from where it was left up to byte `end`."""
        start = self.covered.get(name, 0)
        if end <= start:
            return
        data = self._read(name, start, end)
        indexer = self._indexer or self._new_indexer()
        indexer.base_offset = start
        indexer.process_one(BytesIO(data), self, name)
        self.covered[name] = end

    def write(self, line: str) -> None:  # cdxj-indexer's output stream
        self._lines.append(line)

    def finish(self, out_path: Path | str) -> dict[str, int]:
        """Index the rest of every WARC file, write sorted `out_path`, return the coverage."""
        for path in sorted(self.warcs_dir.iterdir()):
            name = path.name.removesuffix(OPEN_SUFFIX)
            if name.endswith(".warc.gz"):
                self.advance(name, path.stat().st_size)
        self._lines.sort()
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_name(out_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(self._lines)
        os.replace(tmp, out_path)
        self._lines = []
        return dict(self.covered)

    def _read(self, name: str, start: int, end: int) -> bytes:
        # Still `.open` while the crawler writes it, renamed once rotated or closed; an open
        # handle survives the rename, so one of the two names works.
        for candidate in (name + OPEN_SUFFIX, name):
            try:
                with open(self.warcs_dir / candidate, "rb") as fh:
                    fh.seek(start)
                    data = fh.read(end - start)
            except FileNotFoundError:
                continue
            if len(data) != end - start:
                raise ValueError(f"{name} holds {start + len(data)} bytes, expected {end}")
            return data
        raise FileNotFoundError(f"no WARC {name} in {self.warcs_dir}")

    def _new_indexer(self) -> Any:
        from cdxj_indexer.main import CDXJIndexer

        class _RangeIndexer(CDXJIndexer):
            # cdxj-indexer counts offsets from the start of the stream it is given.
            base_offset = 0

            def get_field(self, record: Any, name: str, it: Any, filename: str) -> Any:
                value = super().get_field(record, name, it, filename)
                if name == "offset" and value is not None:
                    value = str(int(value) + self.base_offset)
                return value

        self._indexer = _RangeIndexer(self, [])
        return self._indexer


def use_prebuilt_index(prebuilt: Path, coverage: dict[str, int], warc_paths: Iterable[Path],
                       out_path: Path) -> bool:
    """Move `prebuilt` (from `IncrementalCdxj.finish`) to `out_path` if it covers exactly
    `warc_paths` to their last byte; otherwise delete it and return False."""
    sizes = {Path(p).name: Path(p).stat().st_size for p in warc_paths}
    if sizes and sizes == coverage and Path(prebuilt).is_file():
        os.replace(prebuilt, out_path)
        return True
    Path(prebuilt).unlink(missing_ok=True)
    return False


def parse_cdxj_line(line: str) -> CdxjLine:
    """Split `urlkey timestamp {json}`; raises ValueError on a malformed line."""
    parts = line.rstrip("\n").split(" ", 2)
    if len(parts) != 3:
        raise ValueError(f"not a CDXJ line: {line[:80]!r}")
    urlkey, timestamp, blob = parts
    if not timestamp.isdigit() or len(timestamp) < 14:
        raise ValueError(f"bad CDXJ timestamp {timestamp!r}")
    fields = json.loads(blob)
    if not isinstance(fields, dict):
        raise ValueError("CDXJ fields are not a JSON object")
    return CdxjLine(urlkey, timestamp, fields)


def read_cdxj(path: Path) -> Iterator[CdxjLine]:
    """Parsed lines of a plain CDXJ file."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield parse_cdxj_line(line)
