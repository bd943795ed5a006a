"""Reading WARC records back: one record at an offset, its capture info, its headers alone.

Storage-level helpers shared by whatever reads the archive (re-extraction, resume, history):
they know warcio and the lineage contract (contract 5 of docs/architecture.md), not the parsers.
"""

from __future__ import annotations

import io
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecordLoader

CAPTURE_TYPES = ("response", "revisit")


# -- reading records ---------------------------------------------------------------------------
def warc_date_to_iso(value: str | None) -> str | None:
    """WARC-Date ('2026-11-27T19:25:12.123456Z' or without fraction) → ISO UTC with 'Z'."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def capture_info_for(record: Any, warc_file: str, offset: int, snapshot_id: str) -> dict:
    """The contract-5 dict for one response/revisit record (length is added by the caller)."""
    headers = record.rec_headers
    http = record.http_headers
    info: dict[str, Any] = {
        "snapshot_id": snapshot_id,
        "captured_at": warc_date_to_iso(headers.get_header("WARC-Date")),
        "warc_file": warc_file,
        "warc_offset": offset,
        "warc_record_id": headers.get_header("WARC-Record-ID"),
        "payload_digest": headers.get_header("WARC-Payload-Digest"),
        "url": headers.get_header("WARC-Target-URI"),
        "status": int(http.get_statuscode()) if http and http.get_statuscode() else None,
        "content_type": http.get_header("Content-Type") if http else None,
        "record_type": record.rec_type,
        "location": http.get_header("Location") if http else None,
    }
    if record.rec_type == "revisit":
        info["refers_to_record_id"] = headers.get_header("WARC-Refers-To")
        info["refers_to_uri"] = headers.get_header("WARC-Refers-To-Target-URI")
        info["refers_to_date"] = headers.get_header("WARC-Refers-To-Date")
    return info


def read_body(record: Any) -> bytes:
    """The entity body with transfer and content encodings undone (warcio does the decoding)."""
    return record.content_stream().read()


def read_record_at(
    path: str | os.PathLike, offset: int, snapshot_id: str = ""
) -> tuple[dict, bytes]:
    """(capture_info, decoded body) of the record starting at `offset` in `path`."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        it = ArchiveIterator(fh)
        record = next(iter(it))
        info = capture_info_for(record, os.path.basename(path), offset, snapshot_id)
        body = read_body(record)
        it.read_to_end(record)
        info["length"] = it.get_record_length()
    return info, body


@dataclass(frozen=True)
class RecordHead:
    """The headers of a WARC record, as warcio's record would give them (no body)."""

    rec_type: str
    rec_headers: Any  # warcio StatusAndHeaders
    http_headers: Any  # warcio StatusAndHeaders or None


# warcio's own header parsers, set up as ArchiveIterator sets them up (verify_http=False).
_LOADER = ArcWarcRecordLoader(verify_http=False, arc2warc=False)


def read_head(fh: Any, offset: int, size: int) -> RecordHead | None:
    """The WARC and HTTP headers of the response or revisit whose gzip member starts at
    `offset`, from its first `size` bytes; None for anything else (the caller reads such a
    record with ArchiveIterator, which also reports damage).

    For the images and attachments `extract` does not parse, only these headers are needed.
    ArchiveIterator's line reader over a decompressing stream took 0.62-0.69 s for the 5,006
    such records of bench_extract's crawl (a tenth of the extraction); zlib and warcio's
    header parser over plain bytes take 0.28 s. The parsing is warcio's
    (`StatusAndHeadersParser`); only the reading is done here.
    """
    fh.seek(offset)
    try:
        raw = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(fh.read(size))
        stream = io.BytesIO(raw)
        rec_headers = _LOADER.warc_parser.parse(stream)
    except Exception:  # noqa: BLE001 - not gzip, not WARC, cut short: ArchiveIterator decides
        return None
    rec_type = rec_headers.get_header("WARC-Type")
    uri = rec_headers.get_header("WARC-Target-URI") or ""
    try:
        length = int(rec_headers.get_header("Content-Length") or "")
    except ValueError:
        return None
    if rec_type not in CAPTURE_TYPES or uri.startswith("<") or length < 0:
        return None
    http = None
    # warcio's rule (ArcWarcRecordLoader.load_http_headers): HTTP headers of a non-empty
    # response or revisit of an http(s) URI.
    if length > 0 and uri.startswith(_LOADER.HTTP_SCHEMES):
        start = stream.tell()
        block = raw[start:start + length]
        if b"\r\n\r\n" not in block:
            return None  # the headers do not end within the bytes read
        try:
            http = _LOADER.http_parser.parse(io.BytesIO(block))
        except EOFError:
            if rec_type != "revisit":
                return None
        except Exception:  # noqa: BLE001 - malformed: let ArchiveIterator report it
            return None
    return RecordHead(rec_type, rec_headers, http)
