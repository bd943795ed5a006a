"""The snapshot's WARC writer: one raw HTTP exchange in, request + response|revisit + metadata out.

Serialisation and digests are warcio's (WARC/1.1, sha1 base32 digests, payload digest over the
entity body exactly as received); each record is one gzip member, stored uncompressed when its
payload is compressed already (see `_gzip_level`). This module
adds what warcio leaves to the caller: file naming and size rotation with `.open` files, a
warcinfo record opening every file, pairing of records by WARC-Concurrent-To, revisit records
with all three WARC-Refers-To* headers, the dedup index, and the lineage dict each capture
returns (docs/architecture.md, contracts 3 and 5).

Nothing here imports Scrapy: the crawl's downloader middleware builds a `Capture` from its
request/response and calls `SnapshotWarcWriter.write_capture`.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import threading
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from archive.dedup import DedupEntry, DedupIndex

WARC_VERSION = "1.1"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# Name under which a `Transfer-Encoding` header is kept when the body we hold is de-chunked.
RENAMED_TRANSFER_ENCODING = "X-Archive-Orig-Transfer-Encoding"
OPEN_SUFFIX = ".open"

HeaderValue = str | bytes
HeaderList = list[tuple[HeaderValue, HeaderValue]]


@dataclass(kw_only=True)
class Capture:
    """One HTTP exchange as it went over the wire.

    `body` is the entity body exactly as received: still content-encoded (gzip, br, …) but
    de-chunked (HTTP clients hand over de-chunked bodies; see `SnapshotWarcWriter`).
    Header names/values may be `str` or raw `bytes` (bytes are kept byte for byte).
    `hops` is a Heritrix-style hop path ("L" link, "R" redirect, "E" embed, "P" prerequisite,
    "X" speculative); `via` the URL it was discovered from. `truncated` is set when the body
    is incomplete (WARC-Truncated reason: "length", "time", "disconnect" or "unspecified",
    e.g. for a Scrapy response flagged `dataloss` or cut at DOWNLOAD_MAXSIZE).
    """

    url: str
    method: str = "GET"
    request_headers: HeaderList = field(default_factory=list)
    request_body: bytes = b""
    http_version: str = "HTTP/1.1"
    status: int
    reason: str = ""
    response_headers: HeaderList = field(default_factory=list)
    body: bytes = b""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    ip: str | None = None
    hops: str | None = None
    via: str | None = None
    outlinks: int | None = None
    truncated: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def flatten_headers(headers: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> HeaderList:
    """(name, value) pairs from a mapping whose values may be lists (e.g. Scrapy `Headers`)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs: HeaderList = []
    for name, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((name, v) for v in values)
    return pairs


def payload_digest(body: bytes) -> str:
    """sha1 base32 digest as warcio writes it in WARC-Payload-Digest (`sha1:…`)."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def warc_date(moment: datetime) -> str:
    """WARC-Date for `moment`, UTC with microseconds (WARC/1.1 allows sub-second precision)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def sanitize_host(host: str) -> str:
    """File-name-safe host: `127.0.0.1:8080` → `127.0.0.1-8080`."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", host).strip("-") or "unknown-host"


def is_dedup_candidate(capture: Capture) -> bool:
    """Only these responses are looked up in (and added to) the dedup index: see
    `dedup_candidate`."""
    return dedup_candidate(capture.method, capture.status, len(capture.body),
                           bool(capture.truncated))


def dedup_candidate(method: str, status: int, body_length: int, truncated: bool) -> bool:
    """GET with a 2xx status other than 206 and a complete, non-empty body: a revisit of an
    error page, an empty or truncated body or a byte range would replay wrongly or save
    nothing. (Also applied to records read back from a WARC, by `scraper.resume`.)
    """
    return (
        method.upper() == "GET"
        and 200 <= status < 300
        and status != 206
        and body_length > 0
        and not truncated
    )


def _to_bytes(value: HeaderValue) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


# Payloads that are compressed already: deflate gains 0-3% on them for 6x the CPU of storing.
_PACKED_TYPES = re.compile(
    r"^(image/(jpeg|png|gif|webp|avif)|video/|audio/|font/woff2?$|"
    r"application/(zip|gzip|x-gzip|x-7z-compressed|x-rar-compressed|vnd\.rar)$)")


def _gzip_level(record: Any) -> int:
    """zlib level for one record's gzip member: 0 (stored) for an already compressed payload
    (a Content-Encoding, or a JPEG/PNG/video/archive), else zlib's default 6 (warcio uses 9:
    twice the CPU on HTML for about 1% smaller files)."""
    http = record.http_headers if record.rec_type == "response" else None
    if http is not None:
        if (http.get_header("Content-Encoding") or "identity").strip().lower() != "identity":
            return 0
        ctype = (http.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
        if _PACKED_TYPES.match(ctype):
            return 0
    return 6


class _GzipMember:
    """One gzip member around one record, at the record's level (warcio's GzippingWrapper
    always uses level 9 and has no setting for it)."""

    def __init__(self, out: Any, level: int) -> None:
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _Writer(WARCWriter):
    """warcio's writer, minus WARC-Payload-Digest on request and metadata records, with its
    own gzip level per record.

    Only responses (and revisits, which copy the original's) have a payload anyone looks up;
    on an empty GET request body the digest is noise, and ~60 incompressible bytes per
    capture count when a night of revisits should add only a few percent to the archive.
    The block digest still covers every record.
    """

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "request", "metadata")

    def __init__(self, filebuf: Any, **kwargs: Any) -> None:
        super().__init__(filebuf, gzip=False, **kwargs)  # the members are written here

    def _write_warc_record(self, out: Any, record: Any) -> None:
        # warcio ends every record with out.flush(): that closes the member and flushes the file.
        super()._write_warc_record(_GzipMember(out, _gzip_level(record)), record)


class _RawHttpHeaders(StatusAndHeaders):
    """HTTP headers serialised byte for byte as received.

    warcio's own serialisation percent-encodes any non-ASCII header value (RFC 8187 style),
    which would change headers such as a Content-Disposition with a raw UTF-8 Vietnamese file
    name. Values are held as latin-1 text (a lossless image of the bytes) and written back as
    latin-1, so the stored block is what the server sent.
    """

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def _header_pairs(headers: HeaderList) -> list[tuple[str, str]]:
    return [(_to_bytes(n).decode("latin-1"), _to_bytes(v).decode("latin-1")) for n, v in headers]


def capture_content_type(capture: Capture) -> str | None:
    """The Content-Type a capture's info will give (see `SnapshotWarcWriter.write_capture`)."""
    return _content_type(_header_pairs(capture.response_headers))


def _header(headers: list[tuple[str, str]], wanted: str) -> str | None:
    for name, value in headers:
        if name.lower() == wanted:
            return value
    return None


def _content_type(headers: list[tuple[str, str]]) -> str | None:
    for name, value in headers:
        if name.lower() == "content-type":
            return value
    return None


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target


class SnapshotWarcWriter:
    """Writes a snapshot's captures into rotated WARC/1.1 files under `<snapshot>/warcs/`.

    Files are named `<prefix>-<timestamp17>-<serial5>-<host>.warc.gz`, written as `….open`
    and renamed when complete (on rotation and `close`). Every file opens with a warcinfo
    record built from `warcinfo`. Each `write_capture` flushes, so a killed process leaves
    only its last, partial record to cut off (`archive.repair`).

    Chunked responses: HTTP clients de-chunk bodies, so a `Transfer-Encoding: chunked` header
    would contradict the stored body; it is renamed `X-Archive-Orig-Transfer-Encoding` (kept
    as evidence, ignored by replay tools) and the record stays self-consistent.
    """

    def __init__(
        self,
        snapshot_dir: Path | str,
        snapshot_id: str,
        host: str,
        prefix: str = "portal",
        max_size: int = 10**9,
        dedup: DedupIndex | None = None,
        warcinfo: Mapping[str, Any] | None = None,
        archive_root: Path | str | None = None,
    ) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self.snapshot_id = snapshot_id
        self.host = sanitize_host(host)
        self.prefix = prefix
        self.max_size = max_size
        self.dedup = dedup
        # warcinfo fields: ours first, then the caller's (robots policy, operator, settings…)
        self.warcinfo_fields: dict[str, Any] = {
            "software": _default_software(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "isPartOf": snapshot_id,
        }
        self.warcinfo_fields.update(warcinfo or {})
        # contract 2: <archive>/snapshots/<ID>/ — dedup paths are relative to <archive>.
        self.archive_root = Path(archive_root) if archive_root else self.snapshot_dir.parent.parent
        self.warcs_dir = self.snapshot_dir / "warcs"
        self.warcs_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._serial = self._next_free_serial()
        self._file: Any = None
        self._writer: WARCWriter | None = None
        self._name: str | None = None
        self.closed = False
        self.files: list[str] = []  # final names of every file this writer started
        self.stats: dict[str, Any] = {"captures": 0, "responses": 0, "revisits": 0, "bytes": 0}

    # -- public ----------------------------------------------------------------------------
    def write_capture(self, capture: Capture) -> dict[str, Any]:
        """Write request + response (or revisit) + metadata; return the lineage dict."""
        with self._lock:
            if self.closed:
                raise RuntimeError("write_capture on a closed SnapshotWarcWriter")
            if self._writer is None:
                self._open_next_file()
            start = self._file.tell()
            try:
                info = self._write_records(capture)
            except BaseException:
                self._rewind(start)
                raise
            if self._file.tell() >= self.max_size:
                self._finish_file()
            return info

    def close(self) -> list[str]:
        """Finish the current file (rename `.open`); returns the final names written."""
        with self._lock:
            if not self.closed:
                self._finish_file()
                self.closed = True
            return list(self.files)

    def __enter__(self) -> SnapshotWarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def current_file(self) -> str | None:
        """Final name of the file being written, if any."""
        return self._name

    # -- files -----------------------------------------------------------------------------
    def _next_free_serial(self) -> int:
        # A resumed crawl gets a fresh writer: continue after the highest serial on disk.
        pattern = re.compile(rf"^{re.escape(self.prefix)}-\d{{17}}-(\d{{5}})-")
        serials = [
            int(m.group(1)) for p in self.warcs_dir.iterdir() if (m := pattern.match(p.name))
        ]
        return max(serials, default=-1) + 1

    def _open_next_file(self) -> None:
        now = datetime.now(UTC)
        stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
        name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.host}.warc.gz"
        self._serial += 1
        self._file = open(self.warcs_dir / (name + OPEN_SUFFIX), "xb")  # noqa: SIM115
        self._writer = _Writer(self._file, warc_version=WARC_VERSION)
        self._name = name
        self.files.append(name)
        fields = _warc_fields(self.warcinfo_fields).encode("utf-8")
        record = self._writer.create_warc_record(
            "",
            "warcinfo",
            payload=BytesIO(fields),
            length=len(fields),
            warc_headers_dict={**_first_headers("warcinfo"), "WARC-Filename": name},
        )
        self._writer.write_record(record)

    def _finish_file(self) -> None:
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.warcs_dir / (self._name + OPEN_SUFFIX), self.warcs_dir / self._name)
        self._file = self._writer = self._name = None

    def _rewind(self, start: int) -> None:
        # A capture that failed half-way (bad input, disk full) must not leave part of a
        # record behind, or every later record in the file would be unreadable.
        with contextlib.suppress(OSError):
            self._file.flush()
        try:
            self._file.seek(start)
            self._file.truncate(start)
        except OSError:
            # The buffer cannot be written out (a full disk): seek() would try again and
            # fail. Cut the file at `start` through its descriptor, then stop writing: the
            # file stays `.open`, and repair cuts anything after its last whole record on
            # resume. Closing tries the same flush once more; its error is the one raised
            # already, so it is not raised twice.
            with contextlib.suppress(OSError):
                os.ftruncate(self._file.fileno(), start)
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = self._writer = self._name = None
            self.closed = True

    def _write(self, record: Any) -> tuple[int, int]:
        offset = self._file.tell()
        self._writer.write_record(record)  # one gzip member, flushed
        return offset, self._file.tell() - offset

    # -- records ---------------------------------------------------------------------------
    def _write_records(self, capture: Capture) -> dict[str, Any]:
        writer = self._writer
        date = warc_date(capture.fetched_at)
        digest = payload_digest(capture.body)
        resp_headers = self._response_headers(capture)
        req_headers = self._request_headers(capture)  # built before anything is written
        metadata = self._metadata_fields(capture)
        common = {"WARC-Date": date}
        if capture.ip:
            common["WARC-IP-Address"] = capture.ip

        original = None
        if self.dedup is not None and is_dedup_candidate(capture):
            found = self.dedup.lookup(digest)
            if found is not None and found.snapshot_id != self.snapshot_id:
                original = found

        if original is not None:
            response = writer.create_revisit_record(
                capture.url,
                digest,
                original.uri,
                original.date,
                http_headers=resp_headers,
                warc_headers_dict={
                    **_first_headers("revisit"),
                    **common,
                    "WARC-Refers-To": original.record_id,
                },
            )
        else:
            response = writer.create_warc_record(
                capture.url,
                "response",
                payload=BytesIO(capture.body),
                length=len(capture.body),
                http_headers=resp_headers,
                # digest computed above, over the same bytes: warcio then skips its own pass
                warc_headers_dict={
                    **_first_headers("response"),
                    **common,
                    "WARC-Payload-Digest": digest,
                    **({"WARC-Truncated": capture.truncated} if capture.truncated else {}),
                },
            )
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        offset, length = self._write(response)

        request = writer.create_warc_record(
            capture.url,
            "request",
            payload=BytesIO(capture.request_body),
            length=len(capture.request_body),
            http_headers=req_headers,
            warc_headers_dict={
                **_first_headers("request"),
                **common,
                "WARC-Concurrent-To": response_id,
            },
        )
        self._write(request)

        meta = writer.create_warc_record(
            capture.url,
            "metadata",
            payload=BytesIO(metadata),
            length=len(metadata),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                **_first_headers("metadata"),
                "WARC-Date": date,
                "WARC-Concurrent-To": response_id,
            },
        )
        self._write(meta)

        # Only after all three records are flushed: a kill before this line leaves no
        # dedup entry pointing at a record that repair may cut off.
        warc_path = (self.warcs_dir / self._name).relative_to(self.archive_root).as_posix()
        if original is None and self.dedup is not None and is_dedup_candidate(capture):
            self.dedup.add(
                self.snapshot_id,
                DedupEntry(
                    payload_digest=digest,
                    uri=capture.url,
                    date=date,
                    snapshot_id=self.snapshot_id,
                    warc_path=warc_path,
                    offset=offset,
                    length=length,
                    record_id=response_id,
                ),
            )

        record_type = "revisit" if original is not None else "response"
        self.stats["captures"] += 1
        self.stats["revisits" if original is not None else "responses"] += 1
        self.stats["bytes"] = self.stats["bytes"] + self._file.tell() - offset

        info: dict[str, Any] = {
            "snapshot_id": self.snapshot_id,
            "captured_at": _iso_z(capture.fetched_at),
            "warc_file": self._name,
            "warc_offset": offset,
            "warc_record_id": response_id,
            "payload_digest": digest,
            "url": capture.url,
            "status": capture.status,
            "content_type": _content_type(resp_headers.headers),
            "record_type": record_type,
            # A redirect's target (pages.location): some platforms answer a missing item with
            # a redirect to the home page instead of a 404.
            "location": _header(resp_headers.headers, "location"),
            "length": length,
            # End of this capture's last record: the file holds complete records up to here.
            "warc_end": self._file.tell(),
        }
        if original is not None:
            info.update(
                refers_to_record_id=original.record_id,
                refers_to_uri=original.uri,
                refers_to_date=original.date,
                refers_to_snapshot_id=original.snapshot_id,
                refers_to_warc_path=original.warc_path,
                refers_to_offset=original.offset,
                refers_to_length=original.length,
            )
        return info

    def _response_headers(self, capture: Capture) -> _RawHttpHeaders:
        headers = []
        for name, value in _header_pairs(capture.response_headers):
            if name.lower() == "transfer-encoding" and "chunked" in value.lower():
                name = RENAMED_TRANSFER_ENCODING
            headers.append((name, value))
        reason = capture.reason or http.client.responses.get(capture.status, "")
        statusline = f"{capture.status} {reason}".rstrip()
        return _RawHttpHeaders(statusline, headers, protocol=capture.http_version)

    def _request_headers(self, capture: Capture) -> _RawHttpHeaders:
        headers = _header_pairs(capture.request_headers)
        if not any(name.lower() == "host" for name, _ in headers):
            headers.insert(0, ("Host", urlsplit(capture.url).netloc))
        line = f"{capture.method.upper()} {_request_target(capture.url)} {capture.http_version}"
        return _RawHttpHeaders(line, headers, is_http_request=True)

    @staticmethod
    def _metadata_fields(capture: Capture) -> bytes:
        fields: dict[str, Any] = {"fetchedAt": _iso_z(capture.fetched_at)}
        if capture.hops is not None:
            fields["hopsFromSeed"] = capture.hops
        if capture.via:
            fields["via"] = capture.via
        if capture.outlinks is not None:
            fields["outlinks"] = capture.outlinks
        fields.update(capture.extra)
        return _warc_fields(fields).encode("utf-8")


def _first_headers(record_type: str) -> dict[str, str]:
    # warcio keeps the order of the headers it is given: put type and id first, as readers
    # (and people) expect.
    return {"WARC-Type": record_type, "WARC-Record-ID": StatusAndHeadersParser.make_warc_id()}


def _iso_z(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat(timespec="microseconds")
    return text.replace("+00:00", "Z")


def _default_software() -> str:
    from portal_archive import __version__

    try:
        return f"portal-archive/{__version__} (warcio/{metadata.version('warcio')})"
    except metadata.PackageNotFoundError:
        return f"portal-archive/{__version__}"


def _warc_fields(fields: Mapping[str, Any]) -> str:
    """application/warc-fields text: one `name: value` line each, lists repeat the field,
    dicts become one line of JSON, empty values are left out."""
    lines = []
    for name, value in fields.items():
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if v is None or v == "":
                continue
            if isinstance(v, dict):
                v = json.dumps(v, ensure_ascii=False, sort_keys=True)
            text = " ".join(str(v).split())  # a field value must not span lines
            lines.append(f"{name}: {text}\r\n")
    return "".join(lines)
