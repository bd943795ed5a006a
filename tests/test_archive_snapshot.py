"""Snapshot folders: manifest lifecycle, CDXJ index, file hashes, listing."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import read_cdxj
from archive.dedup import DedupIndex
from archive.samples import sample_captures
from archive.snapshot import (
    SnapshotError,
    abort_snapshot,
    close_snapshot,
    create_snapshot,
    latest_closed,
    list_snapshots,
    new_snapshot_id,
    open_snapshot,
    resolve_archive_path,
)
from archive.warc import SnapshotWarcWriter
from portal_archive import __version__

SEED = "http://127.0.0.1:8080/"


def crawl(archive, snapshot_id, *, close=True, max_size=10**9):
    idx = DedupIndex(archive / "dedup.sqlite3")
    snap = create_snapshot(
        archive, snapshot_id, profile="nukeviet4", seeds=[SEED], settings={"DOWNLOAD_DELAY": 0}
    )
    with SnapshotWarcWriter(
        snap.path, snapshot_id, "127.0.0.1:8080", dedup=idx, max_size=max_size
    ) as w:
        infos = [w.write_capture(c) for c in sample_captures()]
    (snap.path / "state" / "requests.queue").write_text("x")
    manifest = close_snapshot(archive, snapshot_id, dedup=idx) if close else None
    idx.close()
    return snap, infos, manifest


def test_new_snapshot_id_is_utc_timestamp():
    assert new_snapshot_id(datetime(2026, 11, 27, 19, 25, 12, tzinfo=UTC)) == "20261127T192512Z"


def test_create_writes_open_manifest_and_layout(tmp_path):
    snap = create_snapshot(tmp_path, "20261127T192512Z", profile="nukeviet4", seeds=[SEED])
    manifest = json.loads((snap.path / "manifest.json").read_text())
    assert manifest["status"] == "open"
    assert manifest["software"] == {"name": "portal-archive", "version": __version__}
    assert manifest["seeds"] == [SEED] and manifest["profile"] == "nukeviet4"
    assert manifest["started_at"].endswith("Z") and manifest["ended_at"] is None
    for sub in ("warcs", "indexes", "datasets", "reports", "logs", "state"):
        assert (snap.path / sub).is_dir()
    with pytest.raises(SnapshotError):
        create_snapshot(tmp_path, "20261127T192512Z")
    with pytest.raises(SnapshotError):
        create_snapshot(tmp_path, "../evil")


def test_close_builds_index_hashes_files_and_commits_dedup(tmp_path):
    snap, infos, manifest = crawl(tmp_path, "S1", max_size=20_000)
    assert manifest["status"] == "closed" and manifest["ended_at"]
    assert open_snapshot(tmp_path, "S1").manifest == manifest
    stats = manifest["stats"]
    assert stats["captures"] == len(infos) == stats["responses"]
    assert stats["revisits"] == 0
    assert stats["by_status"] == {"200": len(infos) - 2, "301": 1, "404": 1}
    assert stats["by_type"] == {"application/pdf": 1, "text/html": len(infos) - 2, "unknown": 1}
    assert not (snap.path / "state").exists()  # resume state dropped once closed

    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = sorted(
        p.relative_to(snap.path).as_posix()
        for p in snap.path.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    )
    assert sorted(listed) == on_disk
    assert "indexes/index.cdxj" in listed
    for rel, f in listed.items():
        data = (snap.path / rel).read_bytes()
        assert f["size"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest()

    with DedupIndex(tmp_path / "dedup.sqlite3") as idx:
        pdf = idx.lookup(infos[-1]["payload_digest"])
        assert pdf.snapshot_id == "S1" and pdf.offset == infos[-1]["warc_offset"]
        assert resolve_archive_path(tmp_path, pdf.warc_path).is_file()
        assert idx.lookup(infos[-2]["payload_digest"]) is None  # the 404 is no dedup source


def test_cdxj_sorted_and_offsets_point_at_the_records(tmp_path):
    snap, infos, _ = crawl(tmp_path, "S1", max_size=20_000)
    text = snap.index_path.read_text()
    assert text.splitlines() == sorted(text.splitlines())
    lines = list(read_cdxj(snap.index_path))
    assert len(lines) == len(infos)  # one per response; metadata/request not indexed
    by_id = {i["warc_record_id"]: i for i in infos}
    for line in lines:
        path = snap.warcs_dir / line.fields["filename"]
        with open(path, "rb") as fh:
            fh.seek(line.offset)
            rec = next(iter(ArchiveIterator(fh)))
        info = by_id[rec.rec_headers.get_header("WARC-Record-ID")]
        assert rec.rec_headers.get_header("WARC-Target-URI") == line.fields["url"] == info["url"]
        assert (line.fields["filename"], line.offset, line.length) == (
            info["warc_file"],
            info["warc_offset"],
            info["length"],
        )
        assert line.timestamp == info["captured_at"][:19].replace("-", "").replace(":", "").replace(
            "T", ""
        )


def test_close_refuses_unfinished_warcs_and_wrong_status(tmp_path):
    snap = create_snapshot(tmp_path, "S1")
    writer = SnapshotWarcWriter(snap.path, "S1", "h")
    writer.write_capture(sample_captures()[0])
    with pytest.raises(SnapshotError, match="unfinished"):
        close_snapshot(tmp_path, "S1")
    writer.close()
    close_snapshot(tmp_path, "S1")
    with pytest.raises(SnapshotError, match="closed, not open"):
        close_snapshot(tmp_path, "S1")
    with pytest.raises(SnapshotError, match="no snapshot"):
        open_snapshot(tmp_path, "nope")


def test_list_latest_closed_and_abort(tmp_path):
    crawl(tmp_path, "20261125T010000Z")
    crawl(tmp_path, "20261126T010000Z")
    crawl(tmp_path, "20261127T010000Z", close=False)
    abort_snapshot(tmp_path, "20261127T010000Z", reason="killed")
    ids = [(s.snapshot_id, s.status) for s in list_snapshots(tmp_path)]
    assert ids == [
        ("20261125T010000Z", "closed"),
        ("20261126T010000Z", "closed"),
        ("20261127T010000Z", "aborted"),
    ]
    assert latest_closed(tmp_path).snapshot_id == "20261126T010000Z"
    assert latest_closed(tmp_path, before="20261126T010000Z").snapshot_id == "20261125T010000Z"
    assert latest_closed(tmp_path, before="20261125T010000Z") is None
    assert latest_closed(tmp_path, before="20261130T000000Z").snapshot_id == "20261126T010000Z"
    aborted = open_snapshot(tmp_path, "20261127T010000Z").manifest
    assert aborted["abort_reason"] == "killed" and aborted["ended_at"]
    assert list_snapshots(tmp_path / "missing") == []
