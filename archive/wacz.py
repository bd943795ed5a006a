"""WACZ 1.1.1 packages of a closed snapshot, written as a stream, and a structural checker.

`write_wacz` never holds the package in memory: WARCs are copied into the ZIP in 1 MiB
blocks, STORED (already gzip, and replay tools need byte-range access), hashing as they go.
The records that a deduplicated snapshot's revisits refer to are carried along, so the
package replays without the earlier snapshots.
`check_wacz` verifies what py-wacz's validator does not: every listed resource is present
with its size and sha256, WARCs are stored, pages and index lines are well formed, and index
offsets land on the WARC record they name.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archive.cdxj import build_cdxj, parse_cdxj_line, read_cdxj
from archive.dedup import DedupEntry, DedupIndex
from archive.snapshot import dedup_path, read_manifest, resolve_archive_path, warc_files

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
HTML_TYPES = ("text/html", "application/xhtml+xml")
# CDXJ lines in a member named `.cdx`: pywb's `wb-manager add --unpack-wacz` only picks up
# `.cdx`/`.cdx.gz` indexes, ReplayWeb.page reads any of them.
WACZ_INDEX = "indexes/index.cdx"
_CHUNK = 1 << 20
_TITLE_BYTES = 256 * 1024  # titles come from the page head; no need to read more


# -- writing ------------------------------------------------------------------------------
def write_wacz(
    snapshot_dir: Path | str,
    out_path: Path | str,
    title: str | None = None,
    include_originals: bool = True,
) -> dict:
    """Package a closed snapshot as WACZ at `out_path`; returns the datapackage dict.

    A deduplicated snapshot's revisits point at records in earlier snapshots. With
    `include_originals` (the default) those records are copied byte for byte (each is its own
    gzip member) into `archive/originals-<ID>.warc.gz` and indexed, so the package replays on
    its own. Written as `<out>.tmp` and renamed: a failure leaves no half package behind.
    """
    snapshot_dir = Path(snapshot_dir)
    out_path = Path(out_path)
    manifest = read_manifest(snapshot_dir)
    snapshot_id = str(manifest.get("snapshot_id") or snapshot_dir.name)
    if manifest.get("status") != "closed":
        raise ValueError(f"snapshot {snapshot_id} is not closed")
    index = snapshot_dir / "indexes" / "index.cdxj"
    if not index.is_file():
        raise ValueError(f"snapshot {snapshot_id} has no indexes/index.cdxj")
    archive_root = snapshot_dir.parent.parent  # contract 2: <archive>/snapshots/<ID>
    warcs = warc_files(snapshot_dir)
    revisits, originals, missing = find_originals(
        index, archive_root, snapshot_id, resolve=include_originals
    )

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    try:
        with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".wacz-") as work:
            indexes = [index]
            if originals:
                extra = Path(work) / f"originals-{snapshot_id}.warc.gz"
                copy_original_records(originals.values(), archive_root, extra, snapshot_id)
                build_cdxj([extra], Path(work) / "originals.cdxj")
                warcs = [*warcs, extra]
                indexes.append(Path(work) / "originals.cdxj")
            pages = collect_pages(warcs, archive_root, originals)
            package = _write_package(tmp, manifest, title, pages, warcs, indexes)
        package_info = {"revisits": revisits, "originals": len(originals), "missing": missing}
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    package["portal_archive_originals"] = package_info
    return package


def _write_package(
    tmp: Path,
    manifest: dict[str, Any],
    title: str | None,
    pages: list[dict[str, Any]],
    warcs: list[Path],
    indexes: list[Path],
) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        pages_text = _pages_jsonl(pages).encode("utf-8")
        resources.append(_write_bytes(zf, "pages/pages.jsonl", pages_text))
        for warc in warcs:
            resources.append(_copy_file(zf, f"archive/{warc.name}", warc, zipfile.ZIP_STORED))
        resources.append(_write_merged_index(zf, WACZ_INDEX, indexes))
        package: dict[str, Any] = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title or f"Snapshot {manifest.get('snapshot_id')}",
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "software": _software(manifest),
            "resources": resources,
        }
        main = _main_page(pages, manifest.get("seeds") or [])
        if main:
            package["mainPageUrl"], package["mainPageDate"] = main["url"], main["ts"]
        package_bytes = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        _write_bytes(zf, "datapackage.json", package_bytes)
        digest = {"path": "datapackage.json", "hash": _sha256_prefixed(package_bytes)}
        _write_bytes(zf, "datapackage-digest.json", json.dumps(digest, indent=2).encode())
    return package


def find_originals(
    index: Path, archive_root: Path, snapshot_id: str, resolve: bool = True
) -> tuple[int, dict[str, DedupEntry], int]:
    """(revisit count, payload digest → original capture, revisits whose original is unknown).

    Originals come from the archive's dedup index; a revisit whose digest is not there (index
    missing or rebuilt) is counted as missing and will not replay from the package.
    """
    digests = []
    for line in read_cdxj(index):
        if line.fields.get("mime") == "warc/revisit" and line.fields.get("digest"):
            digest = str(line.fields["digest"])
            digests.append(digest if ":" in digest else "sha1:" + digest)
    db = dedup_path(archive_root)
    if not resolve or not digests or not db.is_file():  # never create a dedup index here
        return len(digests), {}, len(digests)
    originals: dict[str, DedupEntry] = {}
    missing = 0
    with DedupIndex(db, readonly=True) as idx:
        for digest in digests:
            entry = originals.get(digest) or idx.lookup(digest)
            if entry is None or entry.snapshot_id == snapshot_id:
                missing += 1
            else:
                originals[digest] = entry
    return len(digests), originals, missing


def copy_original_records(
    entries: Iterable[DedupEntry], archive_root: Path, out: Path, snapshot_id: str
) -> int:
    """Copy each entry's gzip member byte for byte into `out`, after a warcinfo record."""
    from archive.warc import WARC_VERSION as VERSION

    with open(out, "wb") as dst:
        writer = WARCWriter(dst, gzip=True, warc_version=VERSION)
        info = (
            f"isPartOf: {snapshot_id}\r\n"
            "description: original records that revisit records of this snapshot refer to, "
            "copied byte for byte from earlier snapshots of the archive\r\n"
        ).encode()
        writer.write_record(
            writer.create_warc_record(
                "",
                "warcinfo",
                payload=BytesIO(info),
                length=len(info),
                warc_headers_dict={"WARC-Filename": out.name},
            )
        )
        count = 0
        for entry in sorted(entries, key=lambda e: (e.warc_path, e.offset)):
            src_path = resolve_archive_path(archive_root, entry.warc_path)
            with open(src_path, "rb") as src:
                src.seek(entry.offset)
                data = src.read(entry.length)
            if len(data) != entry.length or data[:2] != b"\x1f\x8b":
                raise ValueError(f"{entry.warc_path}@{entry.offset}: not a WARC record member")
            dst.write(data)
            count += 1
    return count


def _write_merged_index(zf: zipfile.ZipFile, arcname: str, indexes: list[Path]) -> dict:
    """Merge already sorted CDXJ files into one sorted member, hashing as it streams."""
    digest = hashlib.sha256()
    size = 0
    handles = [open(p, encoding="utf-8") for p in indexes]  # noqa: SIM115 (closed below)
    try:
        with zf.open(_zipinfo(arcname, zipfile.ZIP_DEFLATED), "w", force_zip64=True) as out:
            for line in heapq.merge(*handles):
                data = line.encode("utf-8")
                digest.update(data)
                size += len(data)
                out.write(data)
    finally:
        for handle in handles:
            handle.close()
    return _resource(arcname, "sha256:" + digest.hexdigest(), size)


def collect_pages(
    warcs: list[Path],
    archive_root: Path | None = None,
    originals: dict[str, DedupEntry] | None = None,
) -> list[dict[str, Any]]:
    """One entry per HTML URL captured with status 200 (first capture), in capture order.

    The title comes from `<title>`: of the response, or for a revisit of its original when
    `originals` knows it.
    """
    originals = originals or {}
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
                    head = record.content_stream().read(_TITLE_BYTES)
                else:
                    entry = originals.get(record.rec_headers.get_header("WARC-Payload-Digest"))
                    head = _original_head(archive_root, entry) if entry and archive_root else b""
                page_title = _title(head)
                if page_title:
                    page["title"] = page_title
                pages.append(page)
    return pages


def _original_head(archive_root: Path, entry: DedupEntry) -> bytes:
    with open(resolve_archive_path(archive_root, entry.warc_path), "rb") as fh:
        fh.seek(entry.offset)
        for record in ArchiveIterator(fh):
            return record.content_stream().read(_TITLE_BYTES)
    return b""


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


def resource_name(arcname: str) -> str:
    """A Frictionless resource name for a ZIP member: its file name, lower case, with any
    character outside `a-z0-9-._/` as `-` (Frictionless rejects `originals-20261203T153028Z…`
    and py-wacz's validator with it). py-wacz names its own resources the same way."""
    return re.sub(r"[^a-z0-9._/-]", "-", arcname.rsplit("/", 1)[-1].lower())


def _resource(arcname: str, sha: str, size: int) -> dict[str, Any]:
    return {"name": resource_name(arcname), "path": arcname, "hash": sha, "bytes": size}


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
    suffixes = (".cdx", ".cdxj", ".cdx.gz")
    indexes = [n for n in names if n.startswith("indexes/") and n.endswith(suffixes)]
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
