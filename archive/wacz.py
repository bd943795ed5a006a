"""WACZ 1.1.1 packages of a closed snapshot, written as a stream, and a structural checker.

`write_wacz` never holds the package in memory: WARCs are copied into the ZIP in 1 MiB
blocks, STORED (already gzip, and replay tools need byte-range access), hashing as they go.
`check_wacz` verifies what py-wacz's validator does not: every listed resource is present
with its size and sha256, WARCs are stored, pages and index lines are well formed, and index
offsets land on the WARC record they name.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import parse_cdxj_line
from archive.snapshot import read_manifest, warc_files

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 1 << 20
_TITLE_BYTES = 256 * 1024  # titles come from the page head; no need to read more


# -- writing ------------------------------------------------------------------------------
def write_wacz(snapshot_dir: Path | str, out_path: Path | str, title: str | None = None) -> dict:
    """Package a closed snapshot as WACZ at `out_path`; returns the datapackage dict.

    Written as `<out>.tmp` and renamed, so a failure leaves no half package behind.
    """
    snapshot_dir = Path(snapshot_dir)
    out_path = Path(out_path)
    manifest = read_manifest(snapshot_dir)
    if manifest.get("status") != "closed":
        raise ValueError(f"snapshot {manifest.get('snapshot_id')} is not closed")
    index = snapshot_dir / "indexes" / "index.cdxj"
    if not index.is_file():
        raise ValueError(f"snapshot {manifest.get('snapshot_id')} has no indexes/index.cdxj")
    warcs = warc_files(snapshot_dir)
    pages = collect_pages(warcs)

    tmp = out_path.with_name(out_path.name + ".tmp")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    resources: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            pages_text = _pages_jsonl(pages).encode("utf-8")
            resources.append(_write_bytes(zf, "pages/pages.jsonl", pages_text))
            for warc in warcs:
                resources.append(_copy_file(zf, f"archive/{warc.name}", warc, zipfile.ZIP_STORED))
            resources.append(_copy_file(zf, "indexes/index.cdxj", index, zipfile.ZIP_DEFLATED))

            seeds = manifest.get("seeds") or []
            package: dict[str, Any] = {
                "profile": "data-package",
                "wacz_version": WACZ_VERSION,
                "title": title or f"Snapshot {manifest.get('snapshot_id')}",
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "software": _software(manifest),
                "resources": resources,
            }
            main = _main_page(pages, seeds)
            if main:
                package["mainPageUrl"], package["mainPageDate"] = main["url"], main["ts"]
            package_bytes = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
            _write_bytes(zf, "datapackage.json", package_bytes)
            digest = {"path": "datapackage.json", "hash": _sha256_prefixed(package_bytes)}
            _write_bytes(zf, "datapackage-digest.json", json.dumps(digest, indent=2).encode())
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return package


def collect_pages(warcs: list[Path]) -> list[dict[str, Any]]:
    """One entry per HTML URL captured with status 200 (first capture), in capture order.

    Responses give a title from `<title>`; revisits (whose body is in an earlier snapshot)
    are listed without one.
    """
    pages: list[dict[str, Any]] = []
    seen: set[str] = set()
    for warc in warcs:
        with open(warc, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type not in ("response", "revisit") or not record.http_headers:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                status = record.http_headers.get_statuscode()
                if url in seen or status != "200" or not ctype.startswith(HTML_TYPES):
                    continue
                seen.add(url)
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                page: dict[str, Any] = {
                    "id": hashlib.sha1(record_id.encode()).hexdigest()[:16],
                    "url": url,
                    "ts": _rfc3339(record.rec_headers.get_header("WARC-Date")),
                }
                if record.rec_type == "response":
                    page_title = _title(record.content_stream().read(_TITLE_BYTES))
                    if page_title:
                        page["title"] = page_title
                pages.append(page)
    return pages


def _pages_jsonl(pages: list[dict[str, Any]]) -> str:
    lines = [json.dumps(PAGES_HEADER)]
    lines += [json.dumps(p, ensure_ascii=False) for p in pages]
    return "\n".join(lines) + "\n"


def _title(head: bytes) -> str | None:
    if not head.strip():
        return None
    try:
        doc = lxml_html.document_fromstring(head)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    text = doc.findtext(".//title")
    text = " ".join(text.split()) if text else ""
    return text or None


def _rfc3339(warc_date: str) -> str:
    # WARC-Date is already ISO 8601 UTC with Z (RFC 3339); keep its precision.
    return warc_date if warc_date.endswith("Z") else warc_date + "Z"


def _main_page(pages: list[dict[str, Any]], seeds: list[str]) -> dict[str, Any] | None:
    by_url = {p["url"]: p for p in pages}
    for seed in seeds:
        if seed in by_url:
            return by_url[seed]
    return pages[0] if pages else None


def _software(manifest: dict[str, Any]) -> str:
    soft = manifest.get("software") or {}
    return f"{soft.get('name', 'portal-archive')} {soft.get('version', '')}".strip()


def _sha256_prefixed(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _resource(arcname: str, sha: str, size: int) -> dict[str, Any]:
    return {"name": arcname.rsplit("/", 1)[-1], "path": arcname, "hash": sha, "bytes": size}


def _zipinfo(arcname: str, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(arcname, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


def _write_bytes(zf: zipfile.ZipFile, arcname: str, data: bytes) -> dict[str, Any]:
    zf.writestr(_zipinfo(arcname, zipfile.ZIP_DEFLATED), data)
    return _resource(arcname, _sha256_prefixed(data), len(data))


def _copy_file(zf: zipfile.ZipFile, arcname: str, src: Path, compress_type: int) -> dict:
    digest = hashlib.sha256()
    size = 0
    with (
        open(src, "rb") as fh,
        zf.open(_zipinfo(arcname, compress_type), "w", force_zip64=True) as out,
    ):
        while block := fh.read(_CHUNK):
            digest.update(block)
            size += len(block)
            out.write(block)
    return _resource(arcname, "sha256:" + digest.hexdigest(), size)


# -- checking -----------------------------------------------------------------------------
def check_wacz(path: Path | str) -> list[str]:
    """Structural problems of a WACZ file; an empty list means it is sound."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"not a readable ZIP: {exc}"]
    with zf:
        return _check_open_wacz(zf)


def _check_open_wacz(zf: zipfile.ZipFile) -> list[str]:
    problems: list[str] = []
    names = {info.filename: info for info in zf.infolist()}
    if "datapackage.json" not in names:
        return ["datapackage.json is missing"]
    package_bytes = zf.read("datapackage.json")
    try:
        package = json.loads(package_bytes)
    except ValueError as exc:
        return [f"datapackage.json is not JSON: {exc}"]
    if package.get("profile") != "data-package":
        problems.append("datapackage.json: profile is not 'data-package'")
    if not package.get("wacz_version"):
        problems.append("datapackage.json: wacz_version missing")
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        return problems + ["datapackage.json: resources missing or empty"]

    listed = set()
    for res in resources:
        rpath = res.get("path") if isinstance(res, dict) else None
        if not rpath:
            problems.append(f"resource without path: {res!r}")
            continue
        listed.add(rpath)
        if rpath not in names:
            problems.append(f"{rpath}: listed in datapackage.json but missing from the ZIP")
            continue
        sha, size = _zip_member_sha256(zf, rpath)
        if res.get("bytes") != size:
            problems.append(f"{rpath}: size {size} != listed {res.get('bytes')}")
        if res.get("hash") != "sha256:" + sha:
            problems.append(f"{rpath}: sha256 does not match datapackage.json")

    for name, info in names.items():
        if name.endswith("/") or name in ("datapackage.json", "datapackage-digest.json"):
            continue
        if name not in listed:
            problems.append(f"{name}: in the ZIP but not listed in datapackage.json")
        if name.startswith("archive/") and info.compress_type != zipfile.ZIP_STORED:
            problems.append(f"{name}: WARC is compressed in the ZIP (must be STORED)")

    warcs = [n for n in names if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))]
    if not warcs:
        problems.append("archive/ holds no WARC file")

    if "datapackage-digest.json" in names:
        try:
            digest = json.loads(zf.read("datapackage-digest.json"))
            if digest.get("path") != "datapackage.json":
                problems.append("datapackage-digest.json: path is not 'datapackage.json'")
            if digest.get("hash") != _sha256_prefixed(package_bytes):
                problems.append("datapackage-digest.json: hash does not match datapackage.json")
        except ValueError as exc:
            problems.append(f"datapackage-digest.json is not JSON: {exc}")

    problems += _check_pages(zf, names)
    problems += _check_indexes(zf, names)
    return problems


def _zip_member_sha256(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(name) as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _check_pages(zf: zipfile.ZipFile, names: dict) -> list[str]:
    if "pages/pages.jsonl" not in names:
        return ["pages/pages.jsonl is missing"]
    problems = []
    with zf.open("pages/pages.jsonl") as fh:
        for n, raw in enumerate(fh, 1):
            where = f"pages/pages.jsonl line {n}"
            try:
                obj = json.loads(raw)
            except ValueError:
                problems.append(f"{where}: not JSON")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{where}: not a JSON object")
            elif n == 1:
                if obj.get("format") != "json-pages-1.0":
                    problems.append(f"{where}: header lacks format json-pages-1.0")
            elif not isinstance(obj.get("url"), str) or not obj["url"]:
                problems.append(f"{where}: no url")
            elif not _is_rfc3339(obj.get("ts")):
                problems.append(f"{where}: ts {obj.get('ts')!r} is not RFC 3339")
    return problems


def _is_rfc3339(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment.tzinfo is not None


def _check_indexes(zf: zipfile.ZipFile, names: dict) -> list[str]:
    indexes = [n for n in names if n.startswith("indexes/") and n.endswith((".cdxj", ".cdx.gz"))]
    if not indexes:
        return ["indexes/ holds no CDXJ index"]
    problems = []
    for name in indexes:
        for n, line in enumerate(_index_lines(zf, name), 1):
            if not line.strip():
                continue
            where = f"{name} line {n}"
            try:
                entry = parse_cdxj_line(line)
                offset, length = entry.offset, entry.length
                filename = entry.fields["filename"]
                url = entry.fields["url"]
            except (ValueError, KeyError) as exc:
                problems.append(f"{where}: {exc}")
                continue
            problem = _check_record_at(zf, names, f"archive/{filename}", offset, length, url)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


def _read_member_range(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, offset: int, length: int
) -> bytes:
    """Bytes [offset, offset+length) of a member, read directly when it is STORED.

    zipfile's own seek re-reads a member from its start on every backward seek; a replay
    tool reads a stored WARC by absolute position, and so do we.
    """
    if info.compress_type == zipfile.ZIP_STORED and zf.fp is not None:
        zf.fp.seek(info.header_offset)
        local = zf.fp.read(30)
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        zf.fp.seek(info.header_offset + 30 + name_len + extra_len + offset)
        return zf.fp.read(length)
    with zf.open(info) as fh:
        fh.seek(offset)
        return fh.read(length)


def _index_lines(zf: zipfile.ZipFile, name: str) -> Iterator[str]:
    with zf.open(name) as raw:
        if name.endswith(".gz"):
            with gzip.open(raw, "rt", encoding="utf-8") as text:
                yield from text
        else:
            for line in raw:
                yield line.decode("utf-8")


def _check_record_at(
    zf: zipfile.ZipFile, names: dict, member: str, offset: int, length: int, url: str
) -> str | None:
    info = names.get(member)
    if info is None:
        return f"names {member}, which is not in the ZIP"
    if offset < 0 or length <= 0 or offset + length > info.file_size:
        return f"offset {offset}+{length} outside {member} ({info.file_size} bytes)"
    chunk = _read_member_range(zf, info, offset, length)
    decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        text = decomp.decompress(chunk)
    except zlib.error:
        return f"offset {offset} in {member} is not the start of a gzip member"
    if not decomp.eof or decomp.unused_data:
        return f"{member}:{offset}+{length} is not exactly one gzip member"
    head = text.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    if not head.startswith("WARC/"):
        return f"offset {offset} in {member} is not a WARC record"
    if f"\r\nWARC-Target-URI: {url}\r\n" not in head + "\r\n":
        return f"record at {member}:{offset} is not for {url}"
    return None
