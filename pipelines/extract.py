"""Re-extraction: rebuild a snapshot's datasets from WARC files alone, with no network.

Each WARC is read with warcio's ArchiveIterator; every `response` and `revisit` record becomes
the same `capture_info` dict the crawl's WARC writer returns (contract 5), its body is decoded
(chunked / content-encoding, by warcio) and parsed with `parse_page`, and both go through the
one `DatasetWriter` (contract 6), so the tables equal the ones the crawl wrote.

A WARC of a closed snapshot whose size still matches its manifest is read through the
snapshot's CDXJ index instead: only its response and revisit records are visited (seek, read
the record, parse its headers), and only the bodies that are parsed are decompressed and
digest-checked. That skips the request and metadata records (two thirds of a crawl's records)
and every image and attachment body; a record that does not match its index line sends the
file back to the full sequential read, which also checks every digest. Fixity of whole files is
`portal-archive verify`'s job.

Files are read in parallel (one worker per file; an indexed file is cut into consecutive runs of
its CDXJ lines of about equal cost when there are more jobs than files, so one large WARC uses
every core); each worker spools its results to a temporary pickle stream that the parent
merges in input order as soon as it is done, so output is deterministic and memory stays flat.
A revisit's content comes from its original: looked up in the archive's dedup index, then in
the same file (or share), then among all the WARCs given (by the worker when every file is
indexed, else by the parent).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import multiprocessing
import multiprocessing.pool
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator

from archive.records import (
    CAPTURE_TYPES,
    capture_info_for,
    read_body,
    read_head,
    read_record_at,
)
from pipelines.reading import read_capture, wants_body
from pipelines.selection import HTML_TYPES, wants_text

if TYPE_CHECKING:
    from pipelines.attachment_text import TextOptions
    from pipelines.datasets import DatasetWriter

ParseFn = Callable[[bytes, str, str | None], dict]
_UNRESOLVED = "unresolved-revisit"


@dataclass
class ExtractResult:
    """What `extract_warcs` did: rows per table, captures read, one line per problem."""

    counts: dict[str, int]
    captures: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_capture(info: dict, body: bytes, parse: ParseFn,
                  text: TextOptions | None = None) -> dict | None:
    """`parse` for captures that carry a page (see `wants_parse`), the text of an attachment
    (`wants_text`), else None: `pipelines.reading.read_capture`, as in the crawl."""
    return read_capture(info, body, parse, text)


class _DedupLookup:
    """Revisit originals from dedup indexes (read only; absent index → no hits): the target
    archive's, then that of the archive the WARC sits in, so extracting a later snapshot's
    WARCs into another archive still finds originals in the earlier snapshots."""

    def __init__(self, archive_root: Path | None, warc: Path | None = None) -> None:
        self.indexes: list[tuple[Path, Any]] = []
        roots = [archive_root, source_archive(warc) if warc is not None else None]
        for root in dict.fromkeys(Path(r).resolve() for r in roots if r is not None):
            path = root / "dedup.sqlite3"
            if path.is_file():
                from archive.dedup import DedupIndex

                self.indexes.append((root, DedupIndex(path, readonly=True)))

    def find(self, digest: str | None) -> tuple[Path, int, dict] | None:
        if not digest:
            return None
        for root, index in self.indexes:
            entry = index.lookup(digest)
            if entry is None:
                continue
            extra = {
                "refers_to_snapshot_id": entry.snapshot_id,
                "refers_to_warc_path": entry.warc_path,
                "refers_to_offset": entry.offset,
                "refers_to_length": entry.length,
            }
            return root / entry.warc_path, entry.offset, extra
        return None

    def close(self) -> None:
        for _, index in self.indexes:
            index.close()


def source_archive(warc: Path) -> Path | None:
    """The archive root a WARC sits in (`<root>/snapshots/<ID>/warcs/<name>`), else None."""
    parents = Path(warc).resolve().parents
    if len(parents) > 3 and parents[0].name == "warcs" and parents[2].name == "snapshots":
        return parents[3]
    return None


def iter_file(path: Path, snapshot_id: str, parse: ParseFn, dedup: _DedupLookup,
              text: TextOptions | None = None,
              originals: Originals | None = None) -> Iterator[tuple[dict, Any]]:
    """(capture_info, parsed | None | _UNRESOLVED) per capture of one WARC, in file order.

    A damaged file ends the iteration with `WarcReadError` naming the file and the offset of
    the first record that could not be read; every capture before it has been yielded.
    """
    name = path.name
    local: dict[str, int] = {}  # payload digest → offset of a response in this file
    end = at = 0
    with open(path, "rb") as fh:
        # check_digests: a damaged (bit-flipped) record fails its block or payload digest.
        it = ArchiveIterator(fh, check_digests="raise")
        try:
            for record in it:
                # Body first: warcio's get_record_offset() reads the record to its end.
                body = read_body(record) if record.rec_type == "response" else None
                offset = at = it.get_record_offset()
                _check_record_complete(it, record)
                end = at = offset + it.get_record_length()
                if record.rec_type not in CAPTURE_TYPES:
                    continue
                info = capture_info_for(record, name, offset, snapshot_id)
                info["length"] = it.get_record_length()
                if body is not None:
                    parsed = parse_capture(info, body, parse, text)
                    if info["payload_digest"]:
                        local.setdefault(info["payload_digest"], offset)
                else:
                    parsed = _resolve(info, path, local, dedup, parse, text, originals)
                yield info, parsed
        except WarcReadError:
            raise
        except Exception as exc:  # warcio raises several types for damaged input
            # `at`: start of the record that failed, or the first byte not accounted for.
            at = _skip_blank_lines(fh, at)
            raise WarcReadError(f"{name}: unreadable WARC record at offset {at}: "
                                f"{_one_line(exc)}") from exc
        # warcio stops quietly at a record cut off in its header: look at what is left.
        fh.seek(end)
        if fh.read(1 << 16).strip():
            raise WarcReadError(f"{name}: truncated or unreadable data at offset {end} "
                                f"(file size {path.stat().st_size})")


class _IndexMismatch(Exception):
    """A record is not what the snapshot's CDXJ line says: read the file sequentially."""


# Bytes read of a record whose body is not parsed: its WARC and HTTP headers fit in far less.
_HEAD_BYTES = 16384
# First try for `read_head`: enough for the headers of nearly every record.
_FIRST_HEAD_BYTES = 4096

# offset, length, url, whether the index says HTML, payload digest of a response (else None),
# whether it is an attachment whose text is read (`wants_text`: what may take seconds of OCR)
IndexLine = tuple[int, int, str, bool, str | None, bool]
# payload digest → (WARC, offset) of a response with that payload
Originals = dict[str, tuple[Path, int]]


def iter_indexed(path: Path, records: list[IndexLine], snapshot_id: str, parse: ParseFn,
                 dedup: _DedupLookup, text: TextOptions | None = None,
                 originals: Originals | None = None) -> Iterator[tuple[dict, Any]]:
    """Like `iter_file`, visiting only the records the CDXJ lists.

    Anything unexpected (no WARC capture of that URL at the offset, a record that cannot be
    read or fails its digests) raises `_IndexMismatch`: the caller then reads the whole file
    sequentially, which finds and reports real damage with its file and offset.
    """
    name = path.name
    local: dict[str, int] = {}
    with open(path, "rb") as fh:
        for offset, length, url, html, *_ in records:
            # Only the head of an image or attachment: its body is neither parsed nor checked.
            size = length if html else min(length, _HEAD_BYTES)
            try:
                head = None if html else read_head(fh, offset, min(size, _FIRST_HEAD_BYTES))
                if head is not None and head.rec_headers.get_header("WARC-Target-URI") == url:
                    info, record = capture_info_for(head, name, offset, snapshot_id), head
                    body = None
                else:
                    info, record, body = _read_indexed(fh, name, offset, size, url, snapshot_id,
                                                       whole=size == length)
                if body is None and record.rec_type == "response" and wants_body(info):
                    # A page the index did not call HTML, or an attachment: read all of it.
                    info, record, body = _read_indexed(fh, name, offset, length, url,
                                                       snapshot_id, whole=True)
            except _IndexMismatch:
                raise
            except Exception as exc:  # warcio raises several types for damaged input
                raise _IndexMismatch(f"{name}: offset {offset}: {_one_line(exc)}") from exc
            info["length"] = length
            if record.rec_type == "revisit":
                parsed = _resolve(info, path, local, dedup, parse, text, originals)
            else:
                parsed = None if body is None else parse_capture(info, body, parse, text)
                if info["payload_digest"]:
                    local.setdefault(info["payload_digest"], offset)
            yield info, parsed


def _read_indexed(fh: Any, name: str, offset: int, size: int, url: str, snapshot_id: str,
                  whole: bool) -> tuple[dict, Any, bytes | None]:
    """(capture_info, record, body or None) of the capture at `offset`, from `size` bytes.

    The body is read (and the digests checked) only for a page to parse, and only when all
    of the record was read.
    """
    fh.seek(offset)
    # One reader per record: it decompresses only what is read of the record.
    it = ArchiveIterator(io.BytesIO(fh.read(size)), check_digests="raise")
    record = next(iter(it), None)
    if (record is None or record.format != "warc" or record.rec_type not in CAPTURE_TYPES
            or record.rec_headers.get_header("WARC-Target-URI") != url):
        raise _IndexMismatch(f"{name}: no capture of {url} at offset {offset}")
    info = capture_info_for(record, name, offset, snapshot_id)
    body = None
    if whole and record.rec_type == "response" and wants_body(info):
        body = read_body(record)
        it.read_to_end(record)  # checks the block and payload digests
        _check_record_complete(it, record)
    return info, record, body


def indexed_records(paths: list[Path]) -> dict[Path, list[IndexLine]]:
    """Index lines (offset, length, url, is HTML, response digest) of each capture, by WARC,
    for the WARCs whose index can be trusted.

    A WARC qualifies when it sits in `<snapshot>/warcs/` of a closed snapshot that has
    `indexes/index.cdxj`, and its size equals the one in the manifest (a file cut or appended
    to since the snapshot closed is read sequentially, where damage is found and reported).
    """
    by_snapshot: dict[Path, list[Path]] = {}
    for path in paths:
        if path.parent.name == "warcs":
            by_snapshot.setdefault(path.parent.parent, []).append(path)
    found: dict[Path, list[IndexLine]] = {}
    for snapshot_dir, warcs in by_snapshot.items():
        found.update(_records_of_snapshot(snapshot_dir, warcs))
    return found


def _records_of_snapshot(snapshot_dir: Path, warcs: list[Path]) -> dict[Path, list[IndexLine]]:
    index = snapshot_dir / "indexes" / "index.cdxj"
    try:
        manifest = json.loads((snapshot_dir / "manifest.json").read_text(encoding="utf-8"))
        sizes = {f["path"]: int(f["size"]) for f in manifest.get("files", [])}
        if manifest.get("status") != "closed" or not index.is_file():
            return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # no usable manifest: read sequentially
    wanted = {p.name: p for p in warcs
              if sizes.get(f"warcs/{p.name}") == _size(p)}
    records: dict[Path, list[IndexLine]] = {p: [] for p in wanted.values()}
    try:
        with open(index, encoding="utf-8") as fh:
            for line in fh:
                fields = json.loads(line.split(" ", 2)[2])
                path = wanted.get(fields.get("filename"))
                if path is not None:
                    mime = str(fields.get("mime", "")).lower()
                    digest = fields.get("digest") if mime != "warc/revisit" else None
                    text = wants_text({"status": fields.get("status"), "url": fields["url"],
                                       "content_type": mime})
                    records[path].append((int(fields["offset"]), int(fields["length"]),
                                          fields["url"], mime in HTML_TYPES, digest, text))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return {}
    for path in records:
        records[path].sort()
    return records


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _skip_blank_lines(fh: Any, offset: int) -> int:
    # In uncompressed WARCs the record length leaves out the blank lines after each record;
    # point at where the next record really starts.
    fh.seek(offset)
    head = fh.read(64)
    return offset + len(head) - len(head.lstrip(b"\r\n"))


def _check_record_complete(it: ArchiveIterator, record: Any) -> None:
    # warcio reads a record cut short by the end of the file without complaint. Its
    # LimitReader tells how much of Content-Length never came, and for a gzip member whose
    # end is missing zlib's `eof` tells whether the member really ended.
    missing = getattr(record.raw_stream, "limit", 0) or 0
    if missing > 0:
        raise EOFError(f"record cut short: {missing} of {record.length} bytes missing")
    decompressor = getattr(it.reader, "decompressor", None)
    if decompressor is not None and not getattr(decompressor, "eof", True):
        raise EOFError("gzip member cut short (truncated file)")


def _resolve(
    info: dict, path: Path, local: dict[str, int], dedup: _DedupLookup, parse: ParseFn,
    text: TextOptions | None = None, originals: Originals | None = None,
) -> Any:
    """Parse a revisit from its original's body, or _UNRESOLVED for the parent to finish.

    `originals`: the responses the WARCs' indexes list (all the files of the job), so that a
    share of a file finds an original in another share or file itself."""
    if not wants_body(info):
        return None
    digest = info["payload_digest"]
    found = dedup.find(digest)
    if found is not None and found[0].exists():
        original_path, original_offset, extra = found
        info.update(extra)
    elif digest in local:
        original_path, original_offset = path, local[digest]
    elif originals and digest in originals:
        original_path, original_offset = originals[digest]
    else:
        return _UNRESOLVED
    _, body = read_record_at(original_path, original_offset)
    return parse_capture(info, body, parse, text)


class WarcReadError(Exception):
    """A WARC that cannot be read to its end; the message names file and offset."""


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    # The message may quote raw bytes of the damaged record: keep the line printable.
    text = "".join(c if c.isprintable() and ord(c) < 0x7F else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- workers -----------------------------------------------------------------------------------
@dataclass
class _FileJob:
    path: Path
    snapshot_id: str
    archive_root: Path | None
    spool_dir: Path
    parse: ParseFn | None
    records: list[IndexLine] | None = None  # from the snapshot's CDXJ, if trusted
    text: TextOptions | None = None  # how attachments are read
    # Byte range of the file this job covers when a file is shared out between jobs
    # (`_share_out`): [start, end), end None for the end of the file.
    span: tuple[int, int | None] | None = None
    # Every response the indexes list, when all the files are indexed (`_index_originals`).
    originals: Originals | None = None

    def size(self) -> int:
        """Bytes of the file this job stands for (the progress bar's unit)."""
        total = self.path.stat().st_size
        if self.span is None:
            return total
        start, end = self.span
        return (total if end is None else end) - start

    def covers(self, offset: int) -> bool:
        if self.span is None:
            return True
        start, end = self.span
        return start <= offset and (end is None or offset < end)


@dataclass
class _FileResult:
    path: Path
    spool: Path
    digests: dict[str, int]  # response payload digest → offset, for cross-file revisits
    error: str | None


def parse_with_fallback(site_ref: tuple, body: bytes, url: str,
                        content_type: str | None = None) -> dict:
    """`parse_page` with the crawl's profile (`site_ref`: snapshot folder, its profile file or
    platform, the file if any; see DatasetWriter.site_ref): a site profile file parses every
    page, a platform's profile those detection cannot tell, as in the crawl."""
    from scraper.parsers import parse_page

    spec = _site_spec(site_ref[:2])
    if spec is not None and site_ref[2]:
        return parse_page(body, url, content_type, profile=spec)
    return parse_page(body, url, content_type, fallback=spec)


@functools.cache
def _site_spec(site_ref: tuple):
    from scraper.profiles.choose import named_profile

    folder, name = site_ref
    return named_profile(name, Path(folder)) if name else None


def _default_parse() -> ParseFn:
    from scraper.parsers import parse_page

    return parse_page


def _captures_of(job: _FileJob, parse: ParseFn,
                 dedup: _DedupLookup) -> Iterator[tuple[dict, Any]]:
    """A file's captures: through its index when it has one; from the first record the index
    gets wrong, by reading the file sequentially (captures already given are not repeated)."""
    done: set[int] = set()
    if job.records is not None:
        try:
            for info, parsed in iter_indexed(job.path, job.records, job.snapshot_id, parse,
                                             dedup, job.text, job.originals):
                done.add(info["warc_offset"])
                yield info, parsed
            return
        except _IndexMismatch:
            pass
    # A share of a file (`span`) reads the whole file too, and keeps its own captures: rare
    # (the index disagreed with the file), and then every record is checked anyway.
    for info, parsed in iter_file(job.path, job.snapshot_id, parse, dedup, job.text,
                                  job.originals):
        if info["warc_offset"] not in done and job.covers(info["warc_offset"]):
            yield info, parsed


def _extract_file(job: _FileJob) -> _FileResult:
    """Worker: read one WARC, spool (capture_info, parsed) pairs to a pickle stream."""
    parse = job.parse or _default_parse()
    dedup = _DedupLookup(job.archive_root, job.path)
    fd, spool = tempfile.mkstemp(prefix="extract-", suffix=".pickle", dir=job.spool_dir)
    digests, error = {}, None
    with os.fdopen(fd, "wb") as out:
        try:
            _spool(_captures_of(job, parse, dedup), out, digests)
        except WarcReadError as exc:
            error = str(exc)  # what was spooled before the damage is kept
        finally:
            dedup.close()
    return _FileResult(job.path, Path(spool), digests, error)


def _spool(captures: Iterator[tuple[dict, Any]], out: Any, digests: dict[str, int]) -> None:
    for info, parsed in captures:
        pickle.dump((info, parsed), out, protocol=pickle.HIGHEST_PROTOCOL)
        if info["record_type"] == "response" and info["payload_digest"]:
            digests.setdefault(info["payload_digest"], info["warc_offset"])


def _read_spool(spool: Path) -> Iterator[tuple[dict, Any]]:
    with open(spool, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


# -- the whole job -----------------------------------------------------------------------------
def extract_warcs(
    warcs: list[str | os.PathLike],
    snapshot_id: str,
    archive_root: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    jobs: int | None = None,
    parse: ParseFn | None = None,
    progress: bool | None = None,
    text: TextOptions | None = None,
) -> ExtractResult:
    """Rebuild the datasets of `snapshot_id` from `warcs`, in the order given.

    Tables go to `out_dir` (default `<archive_root>/snapshots/<ID>/datasets`). `parse` defaults
    to `scraper.parsers.parse_page`; it must be picklable (a module-level function) when
    `jobs` > 1. `progress` None means: a bar when stderr is a terminal. `text` says how
    attachments are read (OCR mode, time limit; `pipelines.attachment_text.TextOptions`); each
    job OCRs on every core (Tesseract runs in its own processes, so a share heavy with scans
    does not wait for one core while the others finish their parsing).
    """
    paths = [Path(p) for p in warcs]
    root = Path(archive_root) if archive_root is not None else None
    if out_dir is None:
        if root is None:
            raise ValueError("give archive_root or out_dir")
        out_dir = root / "snapshots" / snapshot_id / "datasets"
    out_dir = Path(out_dir)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if progress is None:
        progress = sys.stderr.isatty()

    from pipelines.attachment_text import TextOptions
    from pipelines.datasets import DatasetWriter  # pyarrow: only when tables are written

    text = text or TextOptions()

    result = ExtractResult(counts={})
    writer = DatasetWriter(out_dir, snapshot_id)
    if parse is None and writer.site_ref is not None:
        # The snapshot's crawl profile, for pages whose platform detection cannot tell (as
        # the crawl parsed them); a reference, so that worker processes load it themselves.
        parse = functools.partial(parse_with_fallback, writer.site_ref)
    try:
        with tempfile.TemporaryDirectory(prefix=".extract-", dir=out_dir) as spool_dir:
            indexed = indexed_records(paths)
            file_jobs = [_FileJob(p, snapshot_id, root, Path(spool_dir), parse, indexed.get(p),
                                  text) for p in paths]
            if jobs > len(file_jobs):
                file_jobs = _share_out(file_jobs, jobs)
            jobs = min(jobs, len(file_jobs) or 1)
            originals = _index_originals(file_jobs)
            if jobs == 1 and originals is not None:
                _run_direct(file_jobs, writer, result, parse, progress, text, originals)
            else:
                if originals is not None:
                    file_jobs = [dataclasses.replace(j, originals=originals) for j in file_jobs]
                _merge(_run(file_jobs, jobs, progress), writer, result, parse, text, originals)
    except BaseException:
        writer.abort()
        raise
    result.counts = writer.close()
    return result


# A file is shared out between jobs only with at least this many captures per share: below
# that, a share's start (its own reader, dedup index and spool) costs more than it spreads.
_MIN_SHARE_RECORDS = 32
# Shares per job: the pool hands the next share to whichever worker is free, so more shares
# even out the end of the run (4 against 2: bench/bench_attachments.py, docs/benchmarks.md).
_SHARES_PER_JOB = 4
# What an attachment whose text is read weighs when a file is cut into shares, in bytes of
# page: parsing HTML runs at about 20 MB/s, while an attachment costs 0.05 s (text layer) to
# seconds (OCR of a scan) whatever its size; cut by bytes alone, a snapshot's attachments (its
# documents' files, crawled last) all fell into its last share (bench_attachments.py: 16 of
# the 18 s of a 2-job run in one share of 133 records).
_TEXT_COST = 2_000_000


def _share_out(file_jobs: list[_FileJob], jobs: int) -> list[_FileJob]:
    """Cut each indexed file into consecutive runs of its CDXJ lines, of about equal cost
    (bytes, an attachment whose text is read as _TEXT_COST), so that `jobs` processes have
    work even when a snapshot is one large WARC.

    _SHARES_PER_JOB shares per job, so a share heavy with OCR or large pages does not leave
    the other cores idle at the end. The shares are merged in file order, so the rows do not
    depend on `jobs`; a revisit whose original is in another share is resolved by its worker
    from the indexes' responses (`_index_originals`).
    """
    out: list[_FileJob] = []
    for job in file_jobs:
        records = job.records
        parts = (min(_SHARES_PER_JOB * jobs, len(records) // _MIN_SHARE_RECORDS)
                 if records else 0)
        if parts < 2:
            out.append(job)
            continue
        cost = [line[1] + (_TEXT_COST if line[5] else 0) for line in records]
        total = sum(cost)
        shares: list[list[IndexLine]] = [[]]
        done = 0
        for line, c in zip(records, cost, strict=True):
            if shares[-1] and len(shares) < parts and done >= total * len(shares) / parts:
                shares.append([])
            shares[-1].append(line)
            done += c
        for i, share in enumerate(shares):
            start = 0 if i == 0 else share[0][0]
            end = shares[i + 1][0][0] if i + 1 < len(shares) else None
            out.append(dataclasses.replace(job, records=share, span=(start, end)))
    return out


def _progress_bar(file_jobs: list[_FileJob], progress: bool) -> Any:
    """A tqdm bar over the bytes of all the WARCs (hidden unless `progress`)."""
    from tqdm import tqdm

    return tqdm(total=sum(j.size() for j in file_jobs), unit="B", unit_scale=True,
                desc="extract", disable=not progress, file=sys.stderr)


def _index_originals(file_jobs: list[_FileJob]) -> Originals | None:
    """Every response the indexes list (digest → its first WARC and offset), when every file
    is indexed; None otherwise (originals are then learnt as the files are read)."""
    if not all(job.records is not None for job in file_jobs):
        return None
    originals: Originals = {}
    for job in file_jobs:
        for offset, _, _, _, digest, *_ in job.records or ():
            if digest:
                originals.setdefault(digest, (job.path, offset))
    return originals


def _run(file_jobs: list[_FileJob], jobs: int, progress: bool) -> Iterator[_FileResult]:
    """The workers' results in input order, each as soon as it and those before it are done
    (the parent merges one while the workers read the next)."""
    if jobs == 1:
        with _progress_bar(file_jobs, progress) as bar:
            for job in file_jobs:
                yield _extract_file(job)
                bar.update(job.size())
        return
    # The pool before the bar: tqdm's monitor thread would rule out fork (_start_method).
    with worker_pool(jobs) as pool, _progress_bar(file_jobs, progress) as bar:
        # imap hands results back in input order, so the output is deterministic.
        for job, res in zip(file_jobs, pool.imap(_extract_file, file_jobs), strict=True):
            bar.update(job.size())
            yield res


def worker_pool(jobs: int) -> multiprocessing.pool.Pool:
    """The pool of `extract --jobs N`: forked when it can be (_start_method), each worker with
    its own signal handlers (_worker_signals)."""
    return multiprocessing.get_context(_start_method()).Pool(jobs, _worker_signals)


def _start_method() -> str:
    """fork when this process runs one thread, spawn otherwise.

    A forked worker starts with the parent's modules and caches (the parsers, the built-in
    profiles, compiled patterns): a spawned one imports and loads them again, about 0.4 s of
    CPU per worker, an eighth of a 2-job run of bench_attachments.py. But a child forked from
    a process with other threads (a resumed crawl runs Twisted's) can deadlock on a lock one of
    them held, so then spawn (forkserver, which forks from a preloaded __main__, hung the same
    way under pytest)."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        _warm_up()
        return "fork"
    return "spawn"


def _worker_signals() -> None:
    """The workers' own signal handlers, not the parent's.

    A forked worker inherits the parent's handlers, and a resumed crawl's parent runs Scrapy's,
    which catch SIGTERM to stop a reactor the worker does not run: Pool.terminate() (SIGTERM)
    then never ended a worker waiting on the task queue, and the crawl hung at close (seen
    under load in CI, reproduced with a kill -9 and resume on a busy machine)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _warm_up() -> None:
    """Load what every worker needs before forking them, so each does not load it again."""
    from scraper.profiles.spec import builtins

    builtins()
    _default_parse()


def _merge(
    file_results: Iterable[_FileResult],
    writer: DatasetWriter,
    result: ExtractResult,
    parse: ParseFn | None,
    text: TextOptions | None = None,
    originals: Originals | None = None,
) -> None:
    """Feed every spooled capture to the writer in input order, finishing cross-file revisits.

    With `originals` (every file indexed: the workers had them too) each result is merged as
    it comes, while the workers go on; otherwise all of them are waited for, since a revisit's
    original may be in a later file."""
    if originals is None:
        file_results = list(file_results)
        originals = {}
        for res in file_results:
            for digest, offset in res.digests.items():
                originals.setdefault(digest, (res.path, offset))
    for res in file_results:
        for info, parsed in _read_spool(res.spool):
            _add(writer, result, info, parsed, originals, parse, text)
        res.spool.unlink(missing_ok=True)
        if res.error and res.error not in result.errors:  # shares of one file: said once
            result.errors.append(res.error)


def _run_direct(file_jobs: list[_FileJob], writer: DatasetWriter, result: ExtractResult,
                parse: ParseFn | None, progress: bool, text: TextOptions | None,
                originals: Originals) -> None:
    """One process and indexed WARCs: captures go straight to the writer, without the spool
    (pickling every parse cost about a twentieth of the job). The indexes say in advance where
    each response is (`originals`), so a revisit whose original is in a later file is
    resolved in place."""
    with _progress_bar(file_jobs, progress) as bar:
        for job in file_jobs:
            dedup = _DedupLookup(job.archive_root, job.path)
            try:
                for info, parsed in _captures_of(job, job.parse or _default_parse(), dedup):
                    _add(writer, result, info, parsed, originals, parse, text)
            except WarcReadError as exc:
                result.errors.append(str(exc))
            finally:
                dedup.close()
            bar.update(job.size())


def _add(writer: DatasetWriter, result: ExtractResult, info: dict, parsed: Any,
         originals: dict[str, tuple[Path, int]], parse: ParseFn | None,
         text: TextOptions | None = None) -> None:
    """Write one capture; a revisit left unresolved by its worker is parsed from its original
    among all the WARCs given, or written with a reject when there is none."""
    if parsed == _UNRESOLVED:
        where = originals.get(info["payload_digest"])
        if where is None:
            msg = (f"{info['warc_file']}: revisit at offset {info['warc_offset']} of "
                   f"{info['url']}: original {info['payload_digest']} not found")
            result.warnings.append(msg)
            writer.add(info, None)
            writer.add_reject(info, "pages", "revisit original not found", info)
            result.captures += 1
            return
        _, body = read_record_at(*where)
        parsed = parse_capture(info, body, parse or _default_parse(), text)
    writer.add(info, parsed)
    result.captures += 1

