"""CDXJ index of a snapshot's WARC files, built with cdxj-indexer, plus a reader for its lines."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer


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
        CDXJIndexer(str(tmp), inputs, sort=True).process_all()
    else:
        tmp.write_text("", encoding="utf-8")
    os.replace(tmp, out_path)
    with open(out_path, "rb") as fh:
        return sum(1 for _ in fh)


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
