"""Repair of a WARC cut short by kill -9: the partial trailing record is found and cut off."""

from __future__ import annotations

import shutil

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.repair import repair_snapshot, repair_warc, scan_gzip_members
from archive.samples import sample_captures
from archive.warc import SnapshotWarcWriter


def read_all(path) -> list[str]:
    """Record types, reading every record's content to the end (raises on damage)."""
    types = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, check_digests=True):
            rec.content_stream().read()
            assert rec.digest_checker.passed is not False, rec.digest_checker.problems
            types.append(rec.rec_type)
    return types


@pytest.fixture
def live_warc(tmp_path):
    """A `.open` file as a running crawl leaves it (writer not closed), plus its record ends."""
    snap = tmp_path / "archive" / "snapshots" / "S1"
    writer = SnapshotWarcWriter(snap, "S1", "127.0.0.1:8080")
    infos = [writer.write_capture(c) for c in sample_captures()]
    open_path = snap / "warcs" / (writer.current_file + ".open")
    # copy what is on disk now, as a kill -9 would leave it
    killed = tmp_path / "killed.warc.gz.open"
    shutil.copyfile(open_path, killed)
    writer.close()
    return killed, infos


def test_intact_file_is_left_alone(live_warc):
    path, infos = live_warc
    size = path.stat().st_size
    report = repair_warc(path)
    assert report.removed_bytes == 0 and report.partial_path is None
    assert report.good_end == size and report.records == 1 + 3 * len(infos)
    assert path.stat().st_size == size


@pytest.mark.parametrize("where", ["gzip_header", "mid_member", "before_trailer", "mid_pdf"])
def test_truncated_file_is_cut_at_last_complete_record(live_warc, tmp_path, where):
    path, infos = live_warc
    full = path.read_bytes()
    pdf = infos[-1]
    cuts = {
        "gzip_header": pdf["warc_offset"] + 5,  # kill just after a member was started
        "mid_member": infos[3]["warc_offset"] + infos[3]["length"] // 2,
        "before_trailer": pdf["warc_offset"] + pdf["length"] - 3,  # CRC/size not written
        "mid_pdf": pdf["warc_offset"] + 700,
    }
    cut = cuts[where]
    path.write_bytes(full[:cut])

    report = repair_warc(path)
    # the cut record, and the capture's records after it, are gone; all before are whole
    assert report.good_end == max(off for off in _record_ends(full) if off <= cut)
    assert report.removed_bytes == cut - report.good_end > 0
    assert path.stat().st_size == report.good_end
    partial = tmp_path / "killed.warc.gz.partial"
    assert report.partial_path == str(partial)
    assert partial.read_bytes() == full[report.good_end : cut]
    types = read_all(path)
    assert types[0] == "warcinfo" and len(types) == report.records
    assert repair_warc(path).removed_bytes == 0  # idempotent


def _record_ends(data: bytes) -> list[int]:
    import zlib

    ends, pos = [0], 0
    while pos < len(data):
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        d.decompress(data[pos:])
        pos = len(data) - len(d.unused_data)
        ends.append(pos)
    return ends


def test_garbage_tail_is_cut(live_warc):
    path, infos = live_warc
    size = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(b"\x00" * 4096)  # e.g. a preallocated block after a crash
    report = repair_warc(path)
    assert report.good_end == size and report.removed_bytes == 4096
    assert len(read_all(path)) == 1 + 3 * len(infos)


def test_dry_run_changes_nothing(live_warc):
    path, _ = live_warc
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    report = repair_warc(path, dry_run=True)
    assert report.removed_bytes > 0 and report.partial_path is None
    assert path.read_bytes() == data[:-10]


def test_repair_snapshot_finalizes_open_files(tmp_path):
    snap = tmp_path / "archive" / "snapshots" / "S1"
    writer = SnapshotWarcWriter(snap, "S1", "127.0.0.1:8080")
    for cap in sample_captures():
        writer.write_capture(cap)
    open_path = snap / "warcs" / (writer.current_file + ".open")
    final = snap / "warcs" / writer.current_file
    data = open_path.read_bytes()
    # simulate the kill: the writer object is abandoned, the file cut mid-record
    writer._file.close()
    open_path.write_bytes(data[: len(data) - 50])
    (snap / "warcs" / "portal-20261127000000000-00009-h.warc.gz.open").write_bytes(b"\x1f\x8b\x08")

    reports = repair_snapshot(snap)
    assert [r.removed_bytes > 0 for r in reports] == [True, True]
    assert sorted(p.name for p in (snap / "warcs").iterdir()) == sorted(
        [final.name, final.name + ".partial", "portal-20261127000000000-00009-h.warc.gz.partial"]
    )
    assert read_all(final)[-1] == "request"  # the last capture's metadata record was cut
    assert scan_gzip_members(final)[0] == final.stat().st_size
    # a writer started after repair continues with the next serial
    with SnapshotWarcWriter(snap, "S1", "127.0.0.1:8080") as w:
        assert w.write_capture(sample_captures()[0])["warc_file"].split("-")[2] == "00010"


# A child process writes captures, then stalls in the middle of writing a response record's
# body (after flushing what it has) and is killed with SIGKILL: a real kill -9, no timing.
CHILD = r"""
import io, os, sys, threading
from pathlib import Path
import archive.warc as warc
from archive.dedup import DedupIndex
from archive.samples import sample_captures

snap = Path(sys.argv[1])
writer = warc.SnapshotWarcWriter(
    snap, "S1", "127.0.0.1:8080", dedup=DedupIndex(snap.parent.parent / "dedup.sqlite3")
)
caps = sample_captures()
for cap in caps[:-1]:
    writer.write_capture(cap)

class StallMidBody(io.BytesIO):
    passes = 0
    def read(self, n=-1):
        if self.tell() == 0:
            StallMidBody.passes += 1
        data = super().read(n)
        # pass 1 is warcio's block digest, pass 2 writes the record
        if StallMidBody.passes == 2 and self.tell() >= 64 * 1024 and data:
            writer._file.flush()
            print("stalled", flush=True)
            threading.Event().wait()
        return data

warc.BytesIO = StallMidBody
big = caps[-1]
big.body = os.urandom(256 * 1024)
writer.write_capture(big)
"""


def test_real_kill_9_mid_record_then_repair(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from archive.dedup import DedupIndex

    snap = tmp_path / "archive" / "snapshots" / "S1"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(snap)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "stalled"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    (open_file,) = (snap / "warcs").iterdir()
    assert open_file.name.endswith(".warc.gz.open")
    caps = sample_captures()
    reports = repair_snapshot(snap)
    assert len(reports) == 1 and reports[0].removed_bytes > 64 * 1024 // 2
    final = snap / "warcs" / open_file.name.removesuffix(".open")
    assert reports[0].renamed_to == str(final)
    assert read_all(final) == ["warcinfo"] + ["response", "request", "metadata"] * (len(caps) - 1)
    # Pending dedup entries are written in batches, so the kill lost those of the last
    # captures; the resume's recovery from the repaired WARC adds back the entry of every
    # finished candidate, and none for the killed capture.
    from scraper.profiles.nukeviet import NukeVietProfile
    from scraper.resume import recover_state

    with DedupIndex(tmp_path / "archive" / "dedup.sqlite3") as idx:
        recover_state([final], NukeVietProfile("http://127.0.0.1:8080/"), tmp_path / "archive",
                      idx)
        finished = [c for c in caps[:-1] if c.status == 200 and c.body]
        assert idx.count("S1", pending=True) == len(finished)
