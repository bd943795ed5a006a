"""Build a small archive of replica nights for the search tests (no network, no server).

Each night's pages are rendered with the replica's Python API (`Site.render`), written into
WARCs as a crawl writes them, the snapshot closed and its datasets built by `extract_warcs`
(the real parsers), as tests/test_diff_replica.py does. A night may fetch only some item URLs,
as an incremental nightly does: the others are *not re-checked* that night.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.dedup import DedupIndex
from archive.snapshot import close_snapshot, create_snapshot
from archive.warc import Capture, SnapshotWarcWriter
from pipelines.extract import extract_warcs
from replica import ReplicaConfig, Site

BASE = "http://127.0.0.1:8080"
ITEM_URL = re.compile(r"^/vi/(news/[^?]+\.html|laws/detail/[^?]+/)$")


def site(night: int, articles: int = 40, seed: int = 1) -> Site:
    return Site(ReplicaConfig(articles=articles, seed=seed, night=night, theme="custom2015"))


def item_urls(s: Site) -> list[str]:
    return [u for u in s.canonical_urls() if ITEM_URL.match(u)]


def add_night(root: Path, snapshot_id: str, s: Site, urls: list[str], night: int) -> None:
    add_fetches(root, snapshot_id, [(s, url) for url in urls], night)


def add_fetches(root: Path, snapshot_id: str, fetches: list[tuple[Site, str]],
                night: int) -> None:
    """A snapshot of `fetches` [(replica Site, path)] in that order, a second apart (a night
    may mix sites: a page as one night served it, then as a later night does)."""
    snap = create_snapshot(root, snapshot_id, profile="nukeviet4", seeds=[BASE + "/"])
    when = datetime(2026, 11, 27, 19, 0, tzinfo=UTC) + timedelta(days=night)
    with DedupIndex(root / "dedup.sqlite3") as idx:
        writer = SnapshotWarcWriter(snap.path, snapshot_id, "127.0.0.1:8080", dedup=idx,
                                    archive_root=root)
        for i, (s, url) in enumerate(fetches):
            status, headers, body = s.render(url, base=BASE)
            writer.write_capture(Capture(url=BASE + url, status=status,
                                         response_headers=list(headers.items()), body=body,
                                         fetched_at=when + timedelta(seconds=i)))
        writer.close()
        close_snapshot(root, snapshot_id, dedup=idx)
    result = extract_warcs(snap.warc_files(), snapshot_id, archive_root=root, jobs=1,
                           progress=False)
    assert not result.errors, result.errors
