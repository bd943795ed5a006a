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

from archive.dedup import DedupIndex
from archive.extract import read_record_at
from archive.snapshot import resolve_archive_path
from scraper.profiles.nukeviet import Link, NukeVietProfile


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
    warc_paths: list[Path], profile: NukeVietProfile, archive_root: Path,
    dedup: DedupIndex | None = None,
) -> ResumeState:
    """Captured URLs, the outstanding frontier and archived robots.txt, from repaired WARCs."""
    state = ResumeState()
    outlinks: dict[str, Link] = {}
    for path in warc_paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type not in ("response", "revisit"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                state.captured.add(url)
                http = record.http_headers
                status = int(http.get_statuscode() or 0) if http else 0
                if 300 <= status < 400:
                    location = _http_header(record, "Location")
                    target = profile.canonicalize(urljoin(url, location)) if location else None
                    if target:
                        outlinks.setdefault(target, Link(target, profile.role_of(target), "R"))
                    continue
                if status == 200 and record.rec_type == "response" and (
                        urlsplit(url).path == "/robots.txt"):
                    body = record.content_stream().read()
                    state.robots[urlsplit(url).netloc] = body.decode("utf-8", "replace")
                    continue
                if status != 200 or profile.role_of(url) == "file":
                    continue
                ctype = _http_header(record, "Content-Type") or ""
                if record.rec_type == "response":
                    body = record.content_stream().read()
                else:
                    digest = record.rec_headers.get_header("WARC-Payload-Digest")
                    entry = dedup.lookup(digest) if (dedup and digest) else None
                    if entry is None:
                        continue
                    original = resolve_archive_path(archive_root, entry.warc_path)
                    info, body = read_record_at(original, entry.offset)
                    ctype = info["content_type"] or ""
                for link in profile.extract_links(body, url, ctype):
                    outlinks.setdefault(link.url, link)
    state.frontier = [link for u, link in outlinks.items() if u not in state.captured]
    return state
