"""Fixity verification of snapshots: manifest hashes, WARC digests, revisit targets, CDXJ.

For one snapshot, `verify_snapshot` checks
1. the manifest: every listed file exists with its size and sha256; files that are not listed
   (except in `reports/` and `logs/`, written after closing by design) are problems;
2. every WARC record: its block digest and (for non-revisits) its payload digest, computed here
   over the raw bytes (sha1 base32 as warcio writes; hex and other algorithms also accepted),
   plus any record that cannot be read at all (truncated or corrupt gzip member);
3. every revisit: its `WARC-Refers-To` record is found (through the dedup index, else by
   scanning the archive's WARCs), is a response with the same payload digest, whose payload
   still hashes to that digest, in a snapshot that was not aborted;
4. the CDXJ index: every line names an existing WARC and the offset of a record with the same
   URI, payload digest and length; every response/revisit record has a line.
Every problem names the snapshot, the check, the file, the offset and the record id.

Hand-written digest checking (not warcio's `check_digests`) because warcio skips revisit
records and stops at the first unreadable record without giving its offset in a usable form.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import parse_cdxj_line
from archive.snapshot import (
    MANIFEST,
    SnapshotError,
    dedup_path,
    list_snapshots,
    open_snapshot,
    resolve_archive_path,
    sha256_file,
)
from archive.warc import OPEN_SUFFIX

# Files written into a closed snapshot on purpose (diff reports, nightly logs).
LATE_DIRS = ("reports/", "logs/")
# Dataset versions written beside a closed snapshot by `extract --force`, each with the
# sha256 of its files in its own extract.json (pipelines.extract_target).
EXTRACTS_DIR = "extracts/"
_CHUNK = 1 << 16


@dataclass
class Problem:
    """One mismatch, located as precisely as the check allows."""

    snapshot_id: str
    check: str  # manifest | warc | revisit | cdxj | dedup
    file: str | None
    offset: int | None
    record_id: str | None
    message: str
    # Set where one damage explains many problems (archive.verify_summary groups by it):
    # "unreadable" (a WARC from `offset` on), "original-in-damaged-file" and
    # "original-in-missing-file" (a revisit whose original is lost; `about` names its file).
    kind: str = ""
    about: str | None = None

    def __str__(self) -> str:
        return self.line()

    def line(self) -> str:
        where = self.file or "-"
        if self.offset is not None:
            where += f" @ {self.offset}"
        if self.record_id:
            where += f" {self.record_id}"
        return f"{self.snapshot_id}: {self.check}: {where}: {self.message}"


@dataclass
class SnapshotReport:
    """What `verify_snapshot` checked in one snapshot and what it found."""

    snapshot_id: str
    status: str
    files: int = 0
    records: int = 0
    revisits: int = 0
    cdxj_lines: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


@dataclass(frozen=True)
class RecordInfo:
    """What verification learned about one WARC record."""

    file: str
    offset: int
    length: int
    rec_type: str
    record_id: str | None
    uri: str | None
    payload_digest: str | None  # as written in the header
    payload_ok: bool | None  # None: nothing to check (revisit, no digest)
    block_ok: bool | None
    refers_to: str | None
    refers_to_uri: str | None
    problem: str | None = None  # a block shorter than its Content-Length, missing headers


# -- digests ---------------------------------------------------------------------------------
def _encodings(digest: bytes) -> set[str]:
    return {base64.b32encode(digest).decode("ascii").upper(), digest.hex().upper()}


def digest_matches(header: str | None, hasher: Any) -> bool | None:
    """Whether a `algo:value` header matches `hasher` (None when there is no header)."""
    if not header:
        return None
    algo, _, value = header.partition(":")
    if hasher is None or algo.replace("-", "").lower() != hasher.name.replace("-", "").lower():
        return False
    return value.strip().upper() in _encodings(hasher.digest())


def _hasher(header: str | None) -> Any:
    if not header:
        return None
    algo = header.partition(":")[0].replace("-", "").lower()
    try:
        return hashlib.new(algo)
    except ValueError:
        return None


def _hash_block(record: Any) -> tuple[bool | None, bool | None, str | None]:
    """(block ok, payload ok, problem) for one record, streaming its raw block."""
    headers = record.rec_headers
    block_header = headers.get_header("WARC-Block-Digest")
    payload_header = headers.get_header("WARC-Payload-Digest")
    block_h = _hasher(block_header)
    payload_h = _hasher(payload_header) if record.rec_type != "revisit" else None
    is_http = (headers.get_header("Content-Type") or "").startswith("application/http")
    pending = b""  # bytes of an HTTP block until its header end is found
    in_payload = not is_http
    stream = record.raw_stream
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if block_h is not None:
            block_h.update(chunk)
        if payload_h is None:
            continue
        if in_payload:
            payload_h.update(chunk)
            continue
        pending += chunk
        end = pending.find(b"\r\n\r\n")
        if end >= 0:
            payload_h.update(pending[end + 4:])
            pending, in_payload = b"", True
    block_ok = digest_matches(block_header, block_h) if block_header else None
    if record.rec_type == "revisit" or not payload_header:
        payload_ok = None
    else:
        payload_ok = digest_matches(payload_header, payload_h)
    declared = headers.get_header("Content-Length")
    problem = None
    if declared is None or not declared.strip().isdigit():
        problem = "record headers incomplete (no Content-Length): truncated or corrupt"
    elif size != int(declared):
        problem = f"record block is {size} bytes, Content-Length says {declared}: truncated"
    return block_ok, payload_ok, problem


class WarcReadProblem(Exception):
    """A record that cannot be read; `offset` is where it starts."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


def scan_warc(path: Path) -> Iterator[RecordInfo]:
    """Every record of a WARC with its digests checked; WarcReadProblem at the first bad one."""
    offset = 0
    last_start: int | None = None
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, no_record_parse=True)
        try:
            for record in it:
                # `it.offset` is where this record starts; get_record_offset() would first
                # read the record to its end (and leave nothing to hash).
                offset = it.offset
                block_ok, payload_ok, problem = _hash_block(record)
                it.read_to_end(record)
                length = it.get_record_length()
                h = record.rec_headers
                yield RecordInfo(
                    file=path.name, offset=offset, length=length, rec_type=record.rec_type,
                    record_id=h.get_header("WARC-Record-ID"),
                    uri=h.get_header("WARC-Target-URI"),
                    payload_digest=h.get_header("WARC-Payload-Digest"),
                    payload_ok=payload_ok, block_ok=block_ok,
                    refers_to=h.get_header("WARC-Refers-To"),
                    refers_to_uri=h.get_header("WARC-Refers-To-Target-URI"),
                    problem=problem,
                )
                last_start, offset = offset, it.offset
        except Exception as exc:  # warcio/zlib raise many types on damaged input
            raise WarcReadProblem(offset, " ".join(f"{type(exc).__name__}: {exc}".split())) \
                from exc
    _check_last_member(path, offset, last_start)


def _check_last_member(path: Path, offset: int, last_start: int | None) -> None:
    """WarcReadProblem if the file does not end with a complete gzip member.

    warcio reads a gzip member cut before its trailer without complaint; a truncated file
    (copy interrupted, disk full) shows here even when the manifest is not there to tell.
    """
    size = path.stat().st_size
    if offset != size:
        raise WarcReadProblem(offset, f"{size - offset} bytes after the last record")
    if last_start is None or not path.name.endswith(".gz"):
        return
    with open(path, "rb") as fh:
        fh.seek(last_start)
        tail = fh.read()
    decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        decomp.decompress(tail)
    except zlib.error as exc:
        raise WarcReadProblem(last_start, f"corrupt gzip member: {exc}") from exc
    if not decomp.eof:
        raise WarcReadProblem(last_start, "last gzip member incomplete: file truncated")


def read_record_info(path: Path, offset: int) -> RecordInfo | None:
    """The record starting exactly at `offset` (digests checked), or None if there is none."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            it = ArchiveIterator(fh, no_record_parse=True)
            record = next(iter(it))
            block_ok, payload_ok, problem = _hash_block(record)
            it.read_to_end(record)
            h = record.rec_headers
            return RecordInfo(
                file=path.name, offset=offset, length=it.get_record_length(),
                rec_type=record.rec_type, record_id=h.get_header("WARC-Record-ID"),
                uri=h.get_header("WARC-Target-URI"),
                payload_digest=h.get_header("WARC-Payload-Digest"),
                payload_ok=payload_ok, block_ok=block_ok,
                refers_to=h.get_header("WARC-Refers-To"),
                refers_to_uri=h.get_header("WARC-Refers-To-Target-URI"), problem=problem)
    except Exception:  # not a record boundary, or damaged
        return None


# -- revisit originals -----------------------------------------------------------------------
class OriginalFinder:
    """Finds the response a revisit refers to: dedup index first, then a scan of all WARCs."""

    def __init__(self, archive_root: Path) -> None:
        self.root = Path(archive_root)
        self.statuses = {s.snapshot_id: s.status for s in list_snapshots(self.root)}
        self._dedup = None
        path = dedup_path(self.root)
        if path.is_file():
            from archive.dedup import DedupIndex

            self._dedup = DedupIndex(path, readonly=True)
        self._by_id: dict[str, tuple[str, Path, RecordInfo]] | None = None
        self._damage: dict[Path, int | None] = {}  # WARC → offset from which it is unreadable

    def note_damage(self, path: Path, offset: int | None) -> None:
        self._damage[Path(path).resolve()] = offset

    def damaged_at(self, path: Path) -> int | None:
        """Offset from which the WARC at `path` cannot be read (None: it reads to its end)."""
        key = Path(path).resolve()
        if key not in self._damage:
            try:
                for _ in scan_warc(path):
                    pass
                self._damage[key] = None
            except WarcReadProblem as exc:
                self._damage[key] = exc.offset
        return self._damage[key]

    def close(self) -> None:
        if self._dedup is not None:
            self._dedup.close()

    def via_dedup(self, digest: str | None) -> tuple[str, Path, int, str] | None:
        """(snapshot id, path, offset, record id) the dedup index holds for `digest`."""
        if self._dedup is None or not digest:
            return None
        entry = self._dedup.lookup(digest)
        if entry is None:
            return None
        return (entry.snapshot_id, resolve_archive_path(self.root, entry.warc_path),
                entry.offset, entry.record_id)

    def by_record_id(self, record_id: str) -> tuple[str, Path, RecordInfo] | None:
        if self._by_id is None:
            self._by_id = {}
            for snap in list_snapshots(self.root):
                for path in snap.warc_files():
                    try:
                        for info in scan_warc(path):
                            if info.rec_type == "response" and info.record_id:
                                self._by_id[info.record_id] = (snap.snapshot_id, path, info)
                    except WarcReadProblem:
                        continue  # reported when that snapshot is verified
        return self._by_id.get(record_id)


def _check_revisit(rev: RecordInfo, report: SnapshotReport, finder: OriginalFinder) -> None:
    def problem(message: str, check: str = "revisit", kind: str = "",
                about: str | None = None) -> None:
        report.problems.append(Problem(report.snapshot_id, check, rev.file, rev.offset,
                                       rev.record_id, message, kind, about))

    if not rev.refers_to:
        problem("revisit without WARC-Refers-To")
        return
    found: tuple[str, Path, RecordInfo] | None = None
    hit = finder.via_dedup(rev.payload_digest)
    if hit is not None:
        snap_id, path, offset, record_id = hit
        lost = _lost_original(finder, rev, snap_id, path, offset, record_id)
        if lost is not None:
            problem(*lost)  # one problem, not a dedup and a revisit one per revisit
            return
        info = read_record_info(path, offset) if path.is_file() else None
        if record_id == rev.refers_to and info is not None and info.record_id == record_id:
            found = (snap_id, path, info)
        elif record_id == rev.refers_to:
            problem(f"dedup index points at {path.name} @ {offset} for {record_id}, but no such "
                    f"record is there", check="dedup")
    if found is None:
        found = finder.by_record_id(rev.refers_to)
    if found is None:
        problem(f"original {rev.refers_to} ({rev.refers_to_uri}) not found in the archive")
        return
    snap_id, path, orig = found
    where = f"{snap_id}/{path.name} @ {orig.offset}"
    if orig.rec_type != "response":
        problem(f"original {rev.refers_to} at {where} is a {orig.rec_type}, not a response")
    elif orig.payload_digest != rev.payload_digest:
        problem(f"original at {where} has payload digest {orig.payload_digest}, "
                f"revisit says {rev.payload_digest}")
    elif orig.payload_ok is False:
        problem(f"original at {where} no longer matches its payload digest")
    elif rev.refers_to_uri and orig.uri != rev.refers_to_uri:
        problem(f"original at {where} is for {orig.uri}, revisit says {rev.refers_to_uri}")
    elif finder.statuses.get(snap_id) == "aborted":
        problem(f"original at {where} is in aborted snapshot {snap_id}")


def _lost_original(finder: OriginalFinder, rev: RecordInfo, snap_id: str, path: Path,
                   offset: int, record_id: str) -> tuple[str, str, str, str] | None:
    """(message, check, kind, about) when the dedup index puts the revisit's original in a
    WARC that is gone or cut before the original: the damage itself is reported with that
    WARC, and every revisit of it gets one problem naming it."""
    if record_id != rev.refers_to:
        return None
    about = f"{snap_id}/warcs/{path.name}"
    what = f"original {rev.refers_to} ({rev.refers_to_uri})"
    if not path.is_file():
        return (f"{what} was in {about} @ {offset}, which is missing", "revisit",
                "original-in-missing-file", about)
    damage = finder.damaged_at(path)
    if damage is not None and offset >= damage:
        return (f"{what} was in {about} @ {offset}, past the damage at offset {damage}",
                "revisit", "original-in-damaged-file", about)
    return None


# -- manifest and CDXJ -----------------------------------------------------------------------
def _check_manifest(snap_dir: Path, manifest: dict, report: SnapshotReport) -> None:
    sid = report.snapshot_id
    listed = {f["path"]: f for f in manifest.get("files") or []}
    if not listed:
        report.notes.append("manifest lists no files (fixity never recorded, e.g. a snapshot "
                            "made by `extract`): only WARC digests, revisits and CDXJ checked")
    for rel, entry in sorted(listed.items()):
        path = snap_dir / rel
        report.files += 1
        if not path.is_file():
            report.problems.append(Problem(sid, "manifest", rel, None, None, "file missing"))
            continue
        sha, size = sha256_file(path)
        if size != entry.get("size"):
            report.problems.append(Problem(
                sid, "manifest", rel, None, None,
                f"size {size} bytes, manifest says {entry.get('size')}"))
        elif sha != entry.get("sha256"):
            report.problems.append(Problem(
                sid, "manifest", rel, None, None,
                f"sha256 {sha}, manifest says {entry.get('sha256')}"))
    if not listed:
        return
    for path in sorted(p for p in snap_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(snap_dir).as_posix()
        if rel in listed or rel in (MANIFEST, MANIFEST + ".tmp") or rel.startswith("state/"):
            continue
        if rel.startswith(EXTRACTS_DIR):
            continue  # dataset versions: checked against their own extract.json below
        if rel.startswith(LATE_DIRS):
            report.notes.append(f"{rel}: written after the snapshot closed (not in manifest)")
        else:
            report.problems.append(Problem(sid, "manifest", rel, None, None,
                                           "file not listed in the manifest"))


def _check_extracts(snap_dir: Path, report: SnapshotReport) -> None:
    """Each dataset version under `extracts/` against its own `extract.json`."""
    sid = report.snapshot_id
    versions = snap_dir / EXTRACTS_DIR
    if not versions.is_dir():
        return
    for version in sorted(versions.iterdir()):
        rel_dir = f"{EXTRACTS_DIR}{version.name}"
        if version.name.startswith("."):
            report.notes.append(f"{rel_dir}/: unfinished dataset version left by an "
                                "interrupted `extract --force` (not used; safe to delete)")
            continue
        try:
            listed = {f["path"]: f for f in json.loads(
                (version / "extract.json").read_text(encoding="utf-8"))["files"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            report.problems.append(Problem(sid, "manifest", f"{rel_dir}/extract.json", None,
                                           None, f"dataset version without a readable "
                                                 f"extract.json ({exc.__class__.__name__})"))
            continue
        bad = len(report.problems)
        for name, entry in sorted(listed.items()):
            path, rel = version / name, f"{rel_dir}/{name}"
            report.files += 1
            if not path.is_file():
                report.problems.append(Problem(sid, "manifest", rel, None, None, "file missing"))
                continue
            sha, size = sha256_file(path)
            if (size, sha) != (entry.get("size"), entry.get("sha256")):
                report.problems.append(Problem(sid, "manifest", rel, None, None,
                                               f"size {size} / sha256 {sha} differ from "
                                               f"{rel_dir}/extract.json"))
        for path in sorted(p for p in version.rglob("*") if p.is_file()):
            name = path.relative_to(version).as_posix()
            if name != "extract.json" and name not in listed:
                report.problems.append(Problem(sid, "manifest", f"{rel_dir}/{name}", None, None,
                                               f"file not listed in {rel_dir}/extract.json"))
        if len(report.problems) == bad:
            report.notes.append(f"{rel_dir}/: dataset version written by `extract --force` "
                                f"after the snapshot closed ({len(listed)} files, all match)")


def _check_cdxj(snap_dir: Path, records: dict[tuple[str, int], RecordInfo],
                unreadable: set[str], report: SnapshotReport) -> None:
    sid = report.snapshot_id
    index = snap_dir / "indexes" / "index.cdxj"
    if not index.is_file():
        if records:
            report.problems.append(Problem(sid, "cdxj", "indexes/index.cdxj", None, None,
                                           "index missing"))
        return
    seen: set[tuple[str, int]] = set()
    missing_files: dict[str, int] = {}
    with open(index, encoding="utf-8", errors="replace") as fh:
        for lineno, text in enumerate(fh, 1):
            if not text.strip():
                continue
            report.cdxj_lines += 1
            try:
                line = parse_cdxj_line(text)
                name, offset = line.fields["filename"], line.offset
                length = line.length
            except (ValueError, KeyError, TypeError) as exc:
                report.problems.append(Problem(sid, "cdxj", "indexes/index.cdxj", None, None,
                                               f"line {lineno}: unreadable ({exc})"))
                continue
            if not (snap_dir / "warcs" / name).is_file():
                missing_files[name] = missing_files.get(name, 0) + 1
                continue
            seen.add((name, offset))
            rec = records.get((name, offset))
            if rec is None:
                if name in unreadable:
                    continue  # the WARC's own problem is already reported
                report.problems.append(Problem(
                    sid, "cdxj", name, offset, None,
                    f"index line {lineno} ({line.fields.get('url')}): no record starts at "
                    f"this offset"))
                continue
            issues = []
            if rec.uri != line.fields.get("url"):
                issues.append(f"URI {rec.uri!r} ≠ index {line.fields.get('url')!r}")
            digest = line.fields.get("digest")
            if digest and rec.payload_digest and digest != rec.payload_digest:
                issues.append(f"digest {rec.payload_digest} ≠ index {digest}")
            if length != rec.length:
                issues.append(f"length {rec.length} ≠ index {length}")
            if issues:
                report.problems.append(Problem(sid, "cdxj", name, offset, rec.record_id,
                                               f"index line {lineno}: " + "; ".join(issues)))
    for name, count in sorted(missing_files.items()):
        report.problems.append(Problem(sid, "cdxj", name, None, None,
                                       f"{count} index line(s) point at a missing WARC file"))
    for (name, offset), rec in sorted(records.items()):
        if rec.rec_type in ("response", "revisit") and (name, offset) not in seen:
            report.problems.append(Problem(sid, "cdxj", name, offset, rec.record_id,
                                           f"{rec.rec_type} record of {rec.uri} not in the index"))


# -- entry points ----------------------------------------------------------------------------
def verify_snapshot(archive_root: Path | str, snapshot_id: str,
                    finder: OriginalFinder | None = None) -> SnapshotReport:
    """Check one snapshot (see the module docstring); SnapshotError if it does not exist."""
    root = Path(archive_root)
    snap = open_snapshot(root, snapshot_id)
    report = SnapshotReport(snapshot_id, snap.status)
    own_finder = finder is None
    finder = finder or OriginalFinder(root)
    try:
        if snap.status == "open":
            report.notes.append("snapshot is open: manifest hashes not recorded yet")
        else:
            _check_manifest(snap.path, snap.manifest, report)
            _check_extracts(snap.path, report)
        if snap.status == "aborted":
            report.notes.append("snapshot was aborted: kept as evidence, never a diff base")
        if snap.status == "failed":
            reason = (snap.manifest.get("health") or {}).get("reason") or "nothing archived"
            report.notes.append(f"snapshot failed ({reason}): kept as evidence, never a dedup "
                                "source or diff base")
        warcs_dir = snap.path / "warcs"
        leftovers = sorted(warcs_dir.glob("*" + OPEN_SUFFIX)) if warcs_dir.is_dir() else []
        if snap.status == "closed":
            for p in leftovers:
                report.problems.append(Problem(snapshot_id, "warc", p.name, None, None,
                                               "unfinished .open WARC in a closed snapshot"))
        records: dict[tuple[str, int], RecordInfo] = {}
        unreadable: set[str] = set()
        for path in snap.warc_files():
            try:
                for rec in scan_warc(path):
                    records[(rec.file, rec.offset)] = rec
                    report.records += 1
                    _record_problems(rec, report)
                    if rec.rec_type == "revisit":
                        report.revisits += 1
                        _check_revisit(rec, report, finder)
                finder.note_damage(path, None)
            except WarcReadProblem as exc:
                unreadable.add(path.name)
                finder.note_damage(path, exc.offset)
                report.problems.append(Problem(
                    snapshot_id, "warc", path.name, exc.offset, None,
                    f"unreadable from this offset on (truncated or corrupt): {exc}",
                    "unreadable"))
        if snap.status != "open":
            _check_cdxj(snap.path, records, unreadable, report)
    finally:
        if own_finder:
            finder.close()
    return report


def _record_problems(rec: RecordInfo, report: SnapshotReport) -> None:
    if rec.problem:
        report.problems.append(Problem(report.snapshot_id, "warc", rec.file, rec.offset,
                                       rec.record_id, f"{rec.rec_type} record: {rec.problem}"))
    for name, ok, header in (("block", rec.block_ok, "WARC-Block-Digest"),
                             ("payload", rec.payload_ok, "WARC-Payload-Digest")):
        if ok is False:
            report.problems.append(Problem(
                report.snapshot_id, "warc", rec.file, rec.offset, rec.record_id,
                f"{rec.rec_type} record of {rec.uri or '-'}: {name} digest does not match "
                f"{header}"))


def verify_archive(archive_root: Path | str,
                   snapshot_ids: list[str] | None = None) -> list[SnapshotReport]:
    """Verify the given snapshots, or every snapshot of the archive (oldest first)."""
    root = Path(archive_root)
    ids = snapshot_ids or [s.snapshot_id for s in list_snapshots(root)]
    finder = OriginalFinder(root)
    try:
        return [verify_snapshot(root, sid, finder) for sid in ids]
    finally:
        finder.close()


def reports_json(reports: list[SnapshotReport]) -> str:
    return json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2) + "\n"


__all__ = ["Problem", "SnapshotReport", "SnapshotError", "verify_snapshot", "verify_archive",
           "scan_warc", "read_record_info", "digest_matches", "reports_json"]
