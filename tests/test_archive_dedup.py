"""Dedup index rules, and revisit records written on a second snapshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.dedup import DedupEntry, DedupIndex
from archive.samples import sample_captures
from archive.snapshot import abort_snapshot, close_snapshot, create_snapshot
from archive.warc import REVISIT_PROFILE, SnapshotWarcWriter


def entry(snapshot_id: str, digest: str = "sha1:AAAA", uri: str = "http://h/a") -> DedupEntry:
    return DedupEntry(
        payload_digest=digest,
        uri=uri,
        date="2026-11-27T19:25:12.345678Z",
        snapshot_id=snapshot_id,
        warc_path=f"snapshots/{snapshot_id}/warcs/x.warc.gz",
        offset=403,
        length=529,
        record_id=f"<urn:uuid:{snapshot_id}-{uri[-1]}>",
    )


def test_pending_entries_are_not_dedup_sources(tmp_path):
    with DedupIndex(tmp_path / "dedup.sqlite3") as idx:
        idx.add("S1", entry("S1"))
        assert idx.lookup("sha1:AAAA") is None
        assert idx.count("S1", pending=True) == 1
        assert idx.status("S1") == "open"


def test_commit_makes_first_capture_the_source(tmp_path):
    with DedupIndex(tmp_path / "dedup.sqlite3") as idx:
        idx.add("S1", entry("S1", uri="http://h/a"))
        idx.add("S1", entry("S1", uri="http://h/b"))  # same payload later: ignored
        assert idx.commit_snapshot("S1") == 1
        assert idx.lookup("sha1:AAAA") == entry("S1", uri="http://h/a")
        # a later snapshot never replaces the first capture
        idx.add("S2", entry("S2", uri="http://h/c"))
        assert idx.commit_snapshot("S2") == 0
        assert idx.lookup("sha1:AAAA").snapshot_id == "S1"
        assert idx.count(pending=True) == 0
        assert idx.status("S1") == "closed"


def test_discarded_snapshot_is_never_a_source(tmp_path):
    with DedupIndex(tmp_path / "dedup.sqlite3") as idx:
        idx.add("S1", entry("S1"))
        idx.discard_snapshot("S1")
        idx.commit_snapshot("S1")  # nothing left to commit
        assert idx.lookup("sha1:AAAA") is None
        assert idx.status("S1") == "closed"
    # persisted: a new connection sees the same thing
    with DedupIndex(tmp_path / "dedup.sqlite3") as idx:
        assert idx.lookup("sha1:AAAA") is None


def test_discarding_a_committed_snapshot_removes_its_entries(tmp_path):
    with DedupIndex(tmp_path / "dedup.sqlite3") as idx:
        idx.add("S1", entry("S1"))
        idx.commit_snapshot("S1")
        idx.discard_snapshot("S1")
        assert idx.lookup("sha1:AAAA") is None
        assert idx.status("S1") == "aborted"


def crawl(archive: Path, snapshot_id: str, idx: DedupIndex) -> list[dict]:
    snap = create_snapshot(
        archive, snapshot_id, profile="nukeviet4", seeds=["http://127.0.0.1:8080/"]
    )
    with SnapshotWarcWriter(snap.path, snapshot_id, "127.0.0.1:8080", dedup=idx) as writer:
        return [writer.write_capture(c) for c in sample_captures()]


def revisit_records(archive: Path, snapshot_id: str) -> list:
    found = []
    for path in sorted((archive / "snapshots" / snapshot_id / "warcs").iterdir()):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "revisit":
                    found.append((rec, rec.content_stream().read()))
    return found


def test_second_snapshot_writes_revisits_with_all_refers_to_headers(tmp_path):
    archive = tmp_path / "archive"
    idx = DedupIndex(archive / "dedup.sqlite3")
    first = crawl(archive, "S1", idx)
    close_snapshot(archive, "S1", dedup=idx)
    second = crawl(archive, "S2", idx)
    stats = close_snapshot(archive, "S2", dedup=idx)["stats"]
    assert (stats["captures"], stats["responses"], stats["revisits"]) == (10, 2, 8)
    assert stats["by_status"] == {"200": 8, "301": 1, "404": 1}
    assert stats["by_type"] == {"text/html": 1, "unknown": 1, "warc/revisit": 8}

    candidates = [i for i, c in enumerate(sample_captures()) if c.status == 200 and c.body]
    assert [i for i, info in enumerate(second) if info["record_type"] == "revisit"] == candidates
    for i in candidates:
        orig, info = first[i], second[i]
        assert info["payload_digest"] == orig["payload_digest"]
        assert info["refers_to_record_id"] == orig["warc_record_id"]
        assert info["refers_to_uri"] == orig["url"]
        assert info["refers_to_warc_path"] == f"snapshots/S1/warcs/{orig['warc_file']}"
        assert info["refers_to_offset"] == orig["warc_offset"]
    # redirect and 404 are never revisits
    assert {second[i]["status"] for i in range(len(second)) if i not in candidates} == {301, 404}

    revisits = revisit_records(archive, "S2")
    assert len(revisits) == len(candidates)
    for (rec, body), i in zip(revisits, candidates, strict=True):
        h = rec.rec_headers
        assert h.get_header("WARC-Profile") == REVISIT_PROFILE
        assert h.get_header("WARC-Refers-To") == first[i]["warc_record_id"]
        assert h.get_header("WARC-Refers-To-Target-URI") == first[i]["url"]
        assert h.get_header("WARC-Refers-To-Date") == first[i]["captured_at"]
        assert h.get_header("WARC-Payload-Digest") == first[i]["payload_digest"]
        assert rec.http_headers.statusline == "200 OK"  # HTTP headers kept
        assert body == b""  # and no body
    warcs = sorted((archive / "snapshots" / "S2" / "warcs").iterdir())
    warcio = Path(sys.executable).with_name("warcio")
    assert subprocess.run([str(warcio), "check", *map(str, warcs)]).returncode == 0

    # revisit records are much smaller than the responses they stand for
    assert sum(second[i]["length"] for i in candidates) < 0.5 * sum(
        first[i]["length"] for i in candidates
    )


def test_open_snapshot_is_not_a_source_for_a_concurrent_one(tmp_path):
    archive = tmp_path / "archive"
    idx = DedupIndex(archive / "dedup.sqlite3")
    crawl(archive, "S1", idx)  # never closed
    assert all(info["record_type"] == "response" for info in crawl(archive, "S2", idx))


def test_aborted_first_snapshot_gives_no_revisits(tmp_path):
    archive = tmp_path / "archive"
    idx = DedupIndex(archive / "dedup.sqlite3")
    crawl(archive, "S1", idx)
    abort_snapshot(archive, "S1", dedup=idx, reason="killed")
    second = crawl(archive, "S2", idx)
    assert all(info["record_type"] == "response" for info in second)
    assert revisit_records(archive, "S2") == []
    close_snapshot(archive, "S2", dedup=idx)
    third = crawl(archive, "S3", idx)
    sources = {i["refers_to_snapshot_id"] for i in third if i["record_type"] == "revisit"}
    assert sources == {"S2"}


def _pending_rows(path: Path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT payload_digest, uri, date, snapshot_id, warc_path, offset, "
                            "length, record_id FROM pending ORDER BY seq").fetchall()


def test_entries_are_written_in_batches_and_flushed_on_close(tmp_path):
    from archive.dedup import PENDING_BATCH

    db = tmp_path / "dedup.sqlite3"
    idx = DedupIndex(db)
    for i in range(PENDING_BATCH + 3):
        idx.add("S1", entry("S1", digest=f"sha1:{i:04d}", uri=f"http://h/{i}"))
    # one batch is in the database, the rest still in memory
    assert len(_pending_rows(db)) == PENDING_BATCH
    idx.close()
    rows = _pending_rows(db)
    assert [r[0] for r in rows] == [f"sha1:{i:04d}" for i in range(PENDING_BATCH + 3)]


def test_resume_restores_pending_entries_a_kill_lost(tmp_path):
    """A kill loses the entries not yet written: recover_state adds them back from the WARCs,
    exactly as the writer made them, so the snapshot is a full dedup source once closed."""
    import sqlite3

    from scraper.profiles.nukeviet import NukeVietProfile
    from scraper.resume import recover_state

    archive = tmp_path / "archive"
    db = archive / "dedup.sqlite3"
    snap = create_snapshot(archive, "S1", profile="nukeviet4", seeds=["http://127.0.0.1:8080/"])
    with DedupIndex(db) as idx, SnapshotWarcWriter(snap.path, "S1", "127.0.0.1:8080",
                                                    dedup=idx, max_size=20_000) as w:
        for c in sample_captures():
            w.write_capture(c)
    written = _pending_rows(db)
    assert len(written) >= 5
    with sqlite3.connect(db) as conn:  # as if the last entries had been in memory at a kill
        conn.execute("DELETE FROM pending WHERE seq > 2")
    with DedupIndex(db) as idx:
        recover_state(sorted((snap.path / "warcs").glob("*.warc.gz")),
                      NukeVietProfile("http://127.0.0.1:8080/"), archive, idx)
    assert _pending_rows(db) == written
