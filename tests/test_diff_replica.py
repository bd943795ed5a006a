"""The diff against the replica's ground truth: two nights, several seeds, every theme.

No network: each night's pages are rendered with the replica's Python API (`Site.render`),
written into WARCs by SnapshotWarcWriter as a crawl would, the snapshot closed, the datasets
rebuilt with `extract_warcs` (the real parsers), and the two snapshots diffed. Night B fetches
every article and document URL of both nights, as a crawl re-checking known URLs does, so
removed articles are seen as 404 / soft-404 pages.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from archive.dedup import DedupIndex
from archive.snapshot import close_snapshot, create_snapshot
from archive.warc import Capture, SnapshotWarcWriter
from audit.diff import diff_snapshots
from pipelines.extract import extract_warcs
from replica import ReplicaConfig, Site
from replica.config import THEMES

BASE = "http://127.0.0.1:8080"
NIGHT_A, NIGHT_B = 0, 3
ITEM_URL = re.compile(r"^/vi/(news/[^?]+\.html|laws/detail/[^?]+/)$")


def site(seed: int, theme: str, night: int) -> Site:
    return Site(ReplicaConfig(articles=120, seed=seed, night=night, theme=theme))


def item_urls(s: Site) -> list[str]:
    return [u for u in s.canonical_urls() if ITEM_URL.match(u)]


def snapshot_of(root, snapshot_id: str, s: Site, urls: list[str], night: int) -> None:
    snap = create_snapshot(root, snapshot_id, profile="nukeviet4", seeds=[BASE + "/"])
    when = datetime(2026, 11, 27, 19, 0, tzinfo=UTC) + timedelta(days=night)
    with DedupIndex(root / "dedup.sqlite3") as idx:
        writer = SnapshotWarcWriter(snap.path, snapshot_id, "127.0.0.1:8080", dedup=idx,
                                    archive_root=root)
        for i, url in enumerate(urls):
            status, headers, body = s.render(url, base=BASE)
            writer.write_capture(Capture(url=BASE + url, status=status,
                                         response_headers=list(headers.items()), body=body,
                                         fetched_at=when + timedelta(seconds=i)))
        writer.close()
        close_snapshot(root, snapshot_id, dedup=idx)
    result = extract_warcs(snap.warc_files(), snapshot_id, archive_root=root, jobs=1,
                           progress=False)
    assert not result.errors, result.errors


@pytest.mark.slow
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("seed", [1, 7])
def test_diff_equals_ground_truth(tmp_path, seed, theme):
    night_a, night_b = site(seed, theme, NIGHT_A), site(seed, theme, NIGHT_B)
    urls_a = item_urls(night_a)
    urls_b = list(dict.fromkeys(item_urls(night_b) + urls_a))
    snapshot_of(tmp_path, "A", night_a, urls_a, NIGHT_A)
    snapshot_of(tmp_path, "B", night_b, urls_b, NIGHT_B)

    truth = night_b.changes(NIGHT_A, NIGHT_B)
    assert truth["added"] and truth["removed"] and truth["changed"]  # the test can fail
    got = diff_snapshots(tmp_path, "A", "B")

    assert sorted((i["kind"], i["key"]) for i in got["added"]) == \
        sorted((i["kind"], i["key"]) for i in truth["added"])
    assert sorted((i["kind"], i["key"], i["reason"]) for i in got["removed"]) == \
        sorted((i["kind"], i["key"], i["reason"]) for i in truth["removed"])
    assert {(i["kind"], i["key"]): sorted(i["fields"]) for i in got["changed"]} == \
        {(i["kind"], i["key"]): sorted(i["fields"]) for i in truth["changed"]}
    # every URL of the truth is the one the diff reports (canonical article URLs)
    assert {BASE + i["url"] for i in truth["changed"]} == {i["url"] for i in got["changed"]}
    assert all(r["deleted"] for r in got["removed"])
