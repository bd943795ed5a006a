"""The dataset worker as the crawl's WARC writer: the same records as the writer in-process,
rows that stand on pending capture infos, dedup across snapshots, and no record written
after the crawler is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.dedup import DedupIndex
from archive.repair import repair_snapshot
from archive.samples import sample_captures
from archive.warc import Capture, SnapshotWarcWriter
from pipelines.background import BackgroundDatasetWriter, PendingCapture, WarcWriteError
from pipelines.selection import wants_parse

HOST = "127.0.0.1:8080"


def records(snapshot_dir: Path) -> list[tuple]:
    """Everything of every record but its id and the ids it points at (random per run)."""
    out = []
    for path in sorted((snapshot_dir / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                headers = {k: v for k, v in rec.rec_headers.headers
                           if k not in ("WARC-Record-ID", "WARC-Concurrent-To",
                                        "WARC-Filename", "WARC-Refers-To")}
                if rec.rec_type == "warcinfo":
                    headers.pop("WARC-Date", None)
                http = rec.http_headers.to_str() if rec.http_headers else None
                out.append((rec.rec_type, sorted(headers.items()), http,
                            rec.content_stream().read()))
    return out


def in_worker(archive: Path, snapshot_id: str, captures, dedup: Path | None = None,
              batch_size: int = 4) -> tuple[BackgroundDatasetWriter, list]:
    snap = archive / "snapshots" / snapshot_id
    written: dict[str, int] = {}
    writer = BackgroundDatasetWriter(
        snap / "datasets", snapshot_id, batch_size=batch_size, max_pending=2,
        warc={"snapshot_dir": str(snap), "snapshot_id": snapshot_id, "host": HOST,
              "archive_root": str(archive), "warcinfo": {"operator": "test"},
              "dedup_path": str(dedup) if dedup else None},
        on_written=lambda kind, n: written.__setitem__(kind, written.get(kind, 0) + n))
    pending = [writer.write_capture(c) for c in captures]
    for info in pending:
        writer.add(info)
    writer.close()
    return writer, pending, written


def test_worker_writes_the_records_the_writer_writes_in_process(tmp_path):
    captures = sample_captures(n_articles=6)
    direct = tmp_path / "direct" / "snapshots" / "S1"
    with SnapshotWarcWriter(direct, "S1", HOST, archive_root=tmp_path / "direct",
                            warcinfo={"operator": "test"}) as writer:
        infos = [writer.write_capture(c) for c in captures]

    worker, pending, written = in_worker(tmp_path / "bg", "S1", captures)
    assert records(tmp_path / "bg" / "snapshots" / "S1") == records(direct)
    assert worker.warc_stats["captures"] == len(captures) == written["response"]
    assert worker.warc_stats["files"] == [p.name for p in
                                          sorted((tmp_path / "bg" / "snapshots" / "S1"
                                                  / "warcs").glob("*.warc.gz"))]
    # The pending infos choose the same pages to parse as the written ones would.
    assert all(isinstance(p, PendingCapture) for p in pending)
    assert [wants_parse(p) for p in pending] == [wants_parse(i) for i in infos]
    # Each row carries the lineage of its capture as the worker wrote it.
    snap = tmp_path / "bg" / "snapshots" / "S1"
    rows = pq.read_table(snap / "datasets" / "pages.parquet").to_pylist()
    (warc,) = (snap / "warcs").glob("*.warc.gz")
    with open(warc, "rb") as fh:
        it = ArchiveIterator(fh)
        at = [(rec.rec_headers.get_header("WARC-Target-URI"), it.get_record_offset(),
               rec.rec_headers.get_header("WARC-Record-ID"))
              for rec in it if rec.rec_type == "response"]
    assert [(r["url"], r["warc_offset"], r["warc_record_id"]) for r in rows] == at
    assert [r["url"] for r in rows] == [i["url"] for i in infos]


def test_worker_dedups_against_closed_snapshots(tmp_path):
    archive, dedup_file = tmp_path / "archive", tmp_path / "archive" / "dedup.sqlite"
    captures = sample_captures(n_articles=3)
    first, _, _ = in_worker(archive, "S1", captures, dedup=dedup_file)
    with DedupIndex(dedup_file) as dedup:
        dedup.commit_snapshot("S1")
    second, _, written = in_worker(archive, "S2", captures, dedup=dedup_file)
    assert first.warc_stats["revisits"] == 0
    assert second.warc_stats["revisits"] == written["revisit"] > 0
    types = [r[0] for r in records(archive / "snapshots" / "S2")]
    assert types.count("revisit") == written["revisit"]


CRAWLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from archive.samples import sample_captures
    from pipelines.background import BackgroundDatasetWriter
    snap = Path(sys.argv[1])
    writer = BackgroundDatasetWriter(
        snap / "datasets", "S1", batch_size=1, max_pending=100,
        warc={"snapshot_dir": str(snap), "snapshot_id": "S1", "host": "127.0.0.1:8080"})
    captures = sample_captures(n_articles=40)
    writer.write_capture(captures[0])
    writer._pending[0].result()  # the worker is up and has written a capture
    print(next(iter(writer._pool._processes)), flush=True)
    for capture in captures[1:] * 20:  # a backlog the worker cannot have written yet
        writer.write_capture(capture)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_worker_stops_writing_when_the_crawler_is_killed(tmp_path):
    snap = tmp_path / "S1"
    proc = subprocess.run([sys.executable, "-c", CRAWLER, str(snap)], capture_output=True,
                          text=True, cwd=Path(__file__).parent.parent, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    worker = int(proc.stdout.split()[0])
    deadline = time.monotonic() + 30
    while _alive(worker):  # readiness: the worker goes with its crawler, not after a delay
        assert time.monotonic() < deadline, "the WARC worker outlived its crawler"
        time.sleep(0.05)
    (warc,) = (snap / "warcs").glob("*.open")
    size = warc.stat().st_size
    repair_snapshot(snap)  # at most one partial record to cut; every other one reads back
    (final,) = (snap / "warcs").glob("*.warc.gz")
    with open(final, "rb") as fh:
        n = sum(1 for rec in ArchiveIterator(fh) if rec.rec_type == "response")
    assert 1 <= n < 40 * 20
    assert final.stat().st_size <= size


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its (re)parent to reap it.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_capture_that_cannot_be_written_is_reported_and_gets_no_row(tmp_path):
    snap = tmp_path / "S1"
    writer = BackgroundDatasetWriter(
        snap / "datasets", "S1", batch_size=1, max_pending=100,
        warc={"snapshot_dir": str(snap), "snapshot_id": "S1", "host": HOST})
    first, second = sample_captures(n_articles=2)[:2]
    bad = Capture(url="http://127.0.0.1:8080/bad", status=200, request_headers=[("X", None)])
    for capture in (first, bad, second):
        writer.add(writer.write_capture(capture))  # the bad one's row must not break the rest
    with pytest.raises(WarcWriteError, match="could not write the WARC records of "
                                             "http://127.0.0.1:8080/bad: "):
        writer.close()
    (warc,) = (snap / "warcs").glob("*.warc.gz")  # finished, and it reads to its end
    with open(warc, "rb") as fh:
        uris = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                if r.rec_type == "response"]
    assert uris == [first.url, second.url]
