"""Resume state of an interrupted crawl, rebuilt from the snapshot's own WARC files.

Why not Scrapy's JOBDIR alone: after a `kill -9` JOBDIR loses the requests that were in flight
and the unflushed tail of `requests.seen`, and its priority-queue state is only saved on a clean
stop, so a resumed crawl can silently skip URLs. The WARCs, repaired by `archive.repair`, are the
exact record of what was captured; the frontier is every outlink of a captured page that was not
captured itself. That makes resume exact after any kind of stop, at the cost of one re-read of
the WARCs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator

from archive.dedup import DedupEntry, DedupIndex
from archive.records import read_record_at
from archive.snapshot import resolve_archive_path
from archive.warc import dedup_candidate
from scraper.profiles.site import Link, SiteProfile


@dataclass
class ResumeState:
    captured: set[str] = field(default_factory=set)
    frontier: list[Link] = field(default_factory=list)
    robots: dict[str, str] = field(default_factory=dict)  # netloc → archived robots.txt


def _http_header(record, name: str) -> str | None:
    if record.http_headers is None:
        return None
    return record.http_headers.get_header(name)


def recover_state(
    warc_paths: list[Path], profile: SiteProfile, archive_root: Path,
    dedup: DedupIndex | None = None,
) -> ResumeState:
    """Captured URLs, the outstanding frontier and archived robots.txt, from repaired WARCs."""
    state = ResumeState()
    outlinks: dict[str, Link] = {}
    for path in warc_paths:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                if record.rec_type not in ("response", "revisit"):
                    continue
                status = _visit(record, state, outlinks, profile, archive_root, dedup)
                if dedup is not None and record.rec_type == "response":
                    _restore_pending(dedup, it, record, path, status, archive_root)
    state.frontier = [link for u, link in outlinks.items() if u not in state.captured]
    if dedup is not None:
        dedup.flush()
    return state


def _visit(record, state: ResumeState, outlinks: dict[str, Link], profile: SiteProfile,
           archive_root: Path, dedup: DedupIndex | None) -> int:
    """Note one captured response or revisit and the links it leads to; returns its status."""
    url = record.rec_headers.get_header("WARC-Target-URI")
    state.captured.add(url)
    http = record.http_headers
    status = int(http.get_statuscode() or 0) if http else 0
    if 300 <= status < 400:
        location = _http_header(record, "Location")
        target = profile.canonicalize(urljoin(url, location)) if location else None
        if target:
            outlinks.setdefault(target, Link(target, profile.role_of(target), "R"))
        return status
    if status == 200 and record.rec_type == "response" and (
            urlsplit(url).path == "/robots.txt"):
        body = record.content_stream().read()
        state.robots[urlsplit(url).netloc] = body.decode("utf-8", "replace")
        return status
    if status != 200 or profile.role_of(url) == "file":
        return status
    ctype = _http_header(record, "Content-Type") or ""
    if record.rec_type == "response":
        body = record.content_stream().read()
    else:
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        entry = dedup.lookup(digest) if (dedup and digest) else None
        if entry is None:
            return status
        original = resolve_archive_path(archive_root, entry.warc_path)
        info, body = read_record_at(original, entry.offset)
        ctype = info["content_type"] or ""
    for link in profile.extract_links(body, url, ctype):
        outlinks.setdefault(link.url, link)
    return status


def _restore_pending(dedup: DedupIndex, it: ArchiveIterator, record, path: Path, status: int,
                     archive_root: Path) -> None:
    """Add the capture's pending dedup entry again, as `SnapshotWarcWriter` did when it wrote
    the record: the index writes entries in batches, so a kill can lose the last few (adding
    one that is there already changes nothing)."""
    headers = record.rec_headers
    digest = headers.get_header("WARC-Payload-Digest")
    # The writer's rule, read back from the record (the crawler only sends GET requests).
    if not digest or not dedup_candidate("GET", status, record.payload_length,
                                         bool(headers.get_header("WARC-Truncated"))):
        return
    offset = it.get_record_offset()
    it.read_to_end(record)
    snapshot_id = Path(path).parent.parent.name
    dedup.add(snapshot_id, DedupEntry(
        payload_digest=digest,
        uri=headers.get_header("WARC-Target-URI"),
        date=headers.get_header("WARC-Date"),
        snapshot_id=snapshot_id,
        warc_path=Path(path).resolve().relative_to(Path(archive_root).resolve()).as_posix(),
        offset=offset,
        length=it.get_record_length(),
        record_id=headers.get_header("WARC-Record-ID"),
    ))
