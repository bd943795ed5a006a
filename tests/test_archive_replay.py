"""Revisits written by our writer replay in real pywb with the original's payload, both from
the snapshots' WARCs and from the WACZ of the second snapshot alone."""

from __future__ import annotations

import gzip
import shutil
from datetime import timedelta

import e2e
import pytest

from archive.dedup import DedupIndex
from archive.samples import sample_captures
from archive.snapshot import close_snapshot, create_snapshot, warc_files
from archive.wacz import write_wacz
from archive.warc import SnapshotWarcWriter


def two_nights(archive):
    idx = DedupIndex(archive / "dedup.sqlite3")
    for day, sid in enumerate(("S1", "S2")):
        snap = create_snapshot(archive, sid)
        with SnapshotWarcWriter(snap.path, sid, "127.0.0.1:8080", dedup=idx) as writer:
            for cap in sample_captures():
                cap.fetched_at += timedelta(days=day)  # the second crawl, a night later
                writer.write_capture(cap)
        close_snapshot(archive, sid, dedup=idx)
    idx.close()


@pytest.fixture
def pywb_warcs(tmp_path):
    """pywb over both nights' WARCs."""
    archive = tmp_path / "archive"
    two_nights(archive)
    warcs = [p for sid in ("S1", "S2") for p in warc_files(archive / "snapshots" / sid)]
    with e2e.pywb_server(tmp_path / "replay", warcs) as base:
        yield base


@pytest.fixture
def pywb_wacz(tmp_path):
    """pywb over nothing but the WACZ of the second night (unpacked by wb-manager)."""
    archive = tmp_path / "archive"
    two_nights(archive)
    wacz = tmp_path / "S2.wacz"
    write_wacz(archive / "snapshots" / "S2", wacz)
    shutil.rmtree(archive)  # the earlier snapshot is gone: the package must suffice
    with e2e.pywb_server(tmp_path / "replay", wacz=wacz) as base:
        yield base


@pytest.mark.parametrize("server", ["pywb_warcs", "pywb_wacz"])
def test_revisit_replays_original_payload(server, request):
    pywb = request.getfixturevalue(server)
    article = sample_captures()[1]
    pdf = sample_captures()[-1]
    # 2026-11-28 = the second snapshot, where both are revisit records
    status, headers, body = e2e.http_get(pywb, f"/c/20261128192514id_/{pdf.url}")
    assert status == 200
    assert headers["Memento-Datetime"] == "Sat, 28 Nov 2026 19:25:14 GMT"
    assert body == pdf.body

    status, headers, body = e2e.http_get(
        pywb,
        "/c/20261128192512id_/http://127.0.0.1:8080/index.php",
        "language=vi&nv=news&op=thoi-su/bai-viet-1-1001.html",
    )
    assert status == 200
    assert headers["Memento-Datetime"].startswith("Sat, 28 Nov 2026")
    assert body == gzip.decompress(article.body)  # pywb decodes the stored gzip for replay
    assert "Hội nghị triển khai nhiệm vụ năm 2026 số 1".encode() in body
