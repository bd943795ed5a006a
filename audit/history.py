"""Every capture of one URL across snapshots, and the archived payload of any of them.

`url_captures(archive_root, url)` reads each snapshot's CDXJ index (lines sorted by SURT key,
the key computed with the same `surt` library cdxj-indexer uses, so `http://Host/` and
`http://host/` match as in pywb) and returns the captures oldest first, each marked `first`,
`changed` or `unchanged` against the previous capture by payload digest. `load_capture`
reads the record at its offset and, for a revisit, the original response it refers to (dedup
index first, then a scan of the archive's WARCs), and returns the HTTP headers of the capture
with the decoded payload.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import surt
from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import parse_cdxj_line
from archive.snapshot import list_snapshots


class HistoryError(Exception):
    """A capture that cannot be found or read; one line for the user."""


@dataclass(frozen=True)
class CaptureRef:
    """One capture of the URL as the CDXJ index records it."""

    snapshot_id: str
    snapshot_status: str
    timestamp: str  # 14 digits, UTC
    url: str
    status: int | None
    mime: str | None
    digest: str | None
    record_type: str  # response | revisit
    warc_file: str
    offset: int
    length: int
    change: str = ""  # first | changed | unchanged (by payload digest vs the previous capture)

    @property
    def captured_at(self) -> str:
        t = self.timestamp
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["captured_at"] = self.captured_at
        return out


def url_key(url: str) -> str:
    """The SURT key cdxj-indexer writes for `url`."""
    return surt.surt(url)


def _index_lines(index: Path, key: str) -> list[str]:
    """The lines of a sorted CDXJ index whose key is `key`, by binary search over the file's
    bytes (as `look(1)` does): about log2(size) short reads instead of reading the whole index,
    which took 20 ms per 20,000-line snapshot and made a URL's history over ten snapshots
    18 times slower than pywb's CDX server on the same files (bench/bench_browser.py)."""
    target = key.encode("utf-8")
    out: list[str] = []
    with open(index, "rb") as fh:
        size = fh.seek(0, 2)

        def key_at(pos: int) -> bytes | None:
            """The key of the first line starting at or after `pos` (None at the end)."""
            if pos > 0:
                fh.seek(pos - 1)
                fh.readline()  # to the start of the next line (or stay, if pos starts one)
            else:
                fh.seek(0)
            line = fh.readline()
            return line.split(b" ", 1)[0] if line else None

        lo, hi = 0, size
        while lo < hi:  # the first position whose next line has a key >= target
            mid = (lo + hi) // 2
            found = key_at(mid)
            if found is not None and found < target:
                lo = mid + 1
            else:
                hi = mid
        if lo > 0:
            fh.seek(lo - 1)
            fh.readline()
        else:
            fh.seek(0)
        for line in fh:
            if line.split(b" ", 1)[0] != target:
                break
            out.append(line.decode("utf-8"))
    return out


def url_captures(archive_root: Path | str, url: str,
                 include_open: bool = False) -> list[CaptureRef]:
    """Captures of `url` in every closed (and aborted) snapshot's index, oldest first."""
    key = url_key(url)
    found: list[CaptureRef] = []
    for snap in list_snapshots(Path(archive_root)):
        if snap.status == "open" and not include_open:
            continue
        if not snap.index_path.is_file():
            continue
        for text in _index_lines(snap.index_path, key):
            line = parse_cdxj_line(text)
            f = line.fields
            revisit = f.get("mime") == "warc/revisit"
            status = f.get("status")
            found.append(CaptureRef(
                snapshot_id=snap.snapshot_id, snapshot_status=snap.status,
                timestamp=line.timestamp[:14], url=f.get("url", url),
                status=int(status) if str(status or "").isdigit() else None,
                mime=None if revisit else f.get("mime"), digest=f.get("digest"),
                record_type="revisit" if revisit else "response",
                warc_file=f["filename"], offset=line.offset, length=line.length))
    found.sort(key=lambda c: (c.timestamp, c.snapshot_id, c.warc_file, c.offset))
    out: list[CaptureRef] = []
    previous: str | None = None
    for i, cap in enumerate(found):
        change = "first" if i == 0 else ("unchanged" if cap.digest == previous else "changed")
        out.append(CaptureRef(**{**asdict(cap), "change": change}))
        previous = cap.digest
    return out


def parse_when(text: str) -> datetime:
    """A moment from `2026-11-27`, `2026-11-27T19:25`, ISO with zone, or 14-digit / snapshot id
    timestamps (`20261127192512`, `20261127T192512Z`); naive values are UTC."""
    raw = text.strip()
    digits = raw.replace("T", "").replace("Z", "")
    try:
        if digits.isdigit() and len(digits) in (8, 12, 14):
            fmt = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}[len(digits)]
            return datetime.strptime(digits, fmt).replace(tzinfo=UTC)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:  # a wrong shape, or a day or hour that does not exist (20261299)
        raise HistoryError(f"cannot read the date {text!r}: use e.g. 2026-11-27 or "
                           f"2026-11-27T19:25:12Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def closest(captures: list[CaptureRef], at: datetime | None = None) -> CaptureRef:
    """The capture nearest to `at` (the later one on a tie); the latest when `at` is None."""
    if not captures:
        raise HistoryError("no captures")
    if at is None:
        return captures[-1]

    def distance(c: CaptureRef) -> tuple[float, int]:
        moment = datetime.strptime(c.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        return abs((moment - at).total_seconds()), -captures.index(c)

    return min(captures, key=distance)


def select(captures: list[CaptureRef], at: str | None,
           snapshot_ids: Collection[str] = ()) -> CaptureRef:
    """The capture `show --at` means: the latest one of snapshot `at` if that is a snapshot
    id holding a capture, else the one closest to the date `at` (the latest if None).

    `at` naming one of `snapshot_ids` (the archive's snapshots) picks that snapshot's capture
    or fails: another snapshot's capture would answer a question that was not asked."""
    if at is not None:
        in_snapshot = [c for c in captures if c.snapshot_id == at]
        if in_snapshot:
            return in_snapshot[-1]
        if at in snapshot_ids:
            holders = sorted({c.snapshot_id for c in captures})
            url = captures[0].url if captures else "this URL"
            raise HistoryError(f"snapshot {at} has no capture of {url}; captured in: "
                               f"{', '.join(holders) or 'no snapshot'}")
    return closest(captures, parse_when(at) if at else None)


@dataclass
class LoadedCapture:
    """A capture's HTTP status line and headers, its decoded payload, and where it came from."""

    capture: CaptureRef
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes
    record_id: str
    source: dict[str, Any]  # the record the body was read from (the original for a revisit)


def _read_record(path: Path, offset: int) -> tuple[Any, bytes, dict[str, Any]]:
    """(http headers, decoded body, WARC header fields) of the record at `offset`."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        body = record.content_stream().read()
        h = record.rec_headers
        info = {"record_type": record.rec_type, "record_id": h.get_header("WARC-Record-ID"),
                "uri": h.get_header("WARC-Target-URI"), "date": h.get_header("WARC-Date"),
                "payload_digest": h.get_header("WARC-Payload-Digest"),
                "refers_to": h.get_header("WARC-Refers-To"),
                "refers_to_uri": h.get_header("WARC-Refers-To-Target-URI")}
        return record.http_headers, body, info


def load_capture(archive_root: Path | str, capture: CaptureRef) -> LoadedCapture:
    """Read one capture's record; a revisit's body comes from the original it refers to."""
    from archive.verify import OriginalFinder

    root = Path(archive_root)
    path = root / "snapshots" / capture.snapshot_id / "warcs" / capture.warc_file
    if not path.is_file():
        raise HistoryError(f"WARC file missing: {path}")
    try:
        http, body, info = _read_record(path, capture.offset)
    except Exception as exc:  # damaged file: say where
        raise HistoryError(f"cannot read {path.name} @ {capture.offset}: {exc}") from None
    source = {"snapshot_id": capture.snapshot_id, "warc_file": capture.warc_file,
              "offset": capture.offset, **info}
    if info["record_type"] == "revisit":
        finder = OriginalFinder(root)
        try:
            found = _find_original(finder, info)
        finally:
            finder.close()
        if found is None:
            raise HistoryError(f"revisit {info['record_id']}: original {info['refers_to']} "
                               f"not found in the archive")
        snap_id, orig_path, orig_offset = found
        _, body, orig_info = _read_record(orig_path, orig_offset)
        source = {"snapshot_id": snap_id, "warc_file": orig_path.name, "offset": orig_offset,
                  **orig_info}
    status_line = ""
    headers: list[tuple[str, str]] = []
    if http is not None:
        status_line = f"{http.protocol} {http.statusline}".strip()
        headers = list(http.headers)
    return LoadedCapture(capture, status_line, headers, body, info["record_id"], source)


def _find_original(finder: Any, info: dict[str, Any]) -> tuple[str, Path, int] | None:
    hit = finder.via_dedup(info["payload_digest"])
    if hit is not None and hit[3] == info["refers_to"] and hit[1].is_file():
        return hit[0], hit[1], hit[2]
    if info["refers_to"]:
        found = finder.by_record_id(info["refers_to"])
        if found is not None:
            return found[0], found[1], found[2].offset
    return None


def charset_of(headers: list[tuple[str, str]], body: bytes) -> str | None:
    """The charset from Content-Type, else from a <meta charset> in the first 2 KB."""
    import re

    for name, value in headers:
        if name.lower() == "content-type":
            m = re.search(r"charset=[\"']?([\w.:-]+)", value, re.I)
            if m:
                return m.group(1)
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", body[:2048], re.I)
    return m.group(1).decode("ascii") if m else None


def is_text(headers: list[tuple[str, str]]) -> bool:
    for name, value in headers:
        if name.lower() == "content-type":
            mime = value.split(";", 1)[0].strip().lower()
            return (mime.startswith("text/") or mime.endswith(("+xml", "/xml", "/json"))
                    or mime in ("application/javascript", "application/xhtml+xml"))
    return False


def decode_text(loaded: LoadedCapture) -> str:
    """The payload as text, in its declared charset (UTF-8 if none; bad bytes replaced)."""
    charset = charset_of(loaded.headers, loaded.body) or "utf-8"
    try:
        return loaded.body.decode(charset, errors="replace")
    except LookupError:
        return loaded.body.decode("utf-8", errors="replace")
