"""The snapshot WARC writer, read back record by record with warcio."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.samples import sample_captures
from archive.warc import Capture, SnapshotWarcWriter, flatten_headers, sanitize_host

NAME_RX = re.compile(r"^portal-\d{17}-\d{5}-127\.0\.0\.1-8080\.warc\.gz$")


def warcio_check(paths: list[Path]) -> subprocess.CompletedProcess:
    warcio = Path(sys.executable).with_name("warcio")
    return subprocess.run(
        [str(warcio), "check", "-v", *map(str, paths)], capture_output=True, text=True
    )


def read_records(path: Path) -> list:
    """(offset, record, block) per record; block = the record's bytes after its WARC headers."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            rec.raw_stream.read()
            out.append((it.get_record_offset(), rec))
    data = gzip.decompress(path.read_bytes())
    blocks = []
    pos = 0
    for _ in out:  # walk the decompressed records by their Content-Length
        head_end = data.index(b"\r\n\r\n", pos) + 4
        length = int(re.search(rb"\r\nContent-Length: (\d+)\r\n", data[pos:head_end]).group(1))
        blocks.append(data[head_end : head_end + length])
        pos = head_end + length + 4
    return [(off, rec, block) for (off, rec), block in zip(out, blocks, strict=True)]


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture
def written(tmp_path):
    snap = tmp_path / "archive" / "snapshots" / "S1"
    caps = sample_captures()
    writer = SnapshotWarcWriter(
        snap, "S1", "127.0.0.1:8080", warcinfo={"robots": "obey", "operator": "Test Archive"}
    )
    infos = [writer.write_capture(c) for c in caps]
    writer.close()
    files = sorted((snap / "warcs").iterdir())
    return caps, infos, files


def test_one_file_named_and_renamed_on_close(written):
    _, infos, files = written
    assert [f.name for f in files] == [infos[0]["warc_file"]]
    assert NAME_RX.match(files[0].name)


def test_warcio_check_passes_with_every_digest_checked(written):
    _, _, files = written
    result = warcio_check(files)
    assert result.returncode == 0, result.stdout + result.stderr
    # every record's digest is actually verified, none skipped
    assert result.stdout.count("digest pass") == 1 + 3 * len(written[0])


def test_records_read_back_in_order_and_paired(written):
    caps, infos, files = written
    records = read_records(files[0])
    types = [rec.rec_type for _, rec, _ in records]
    assert types == ["warcinfo"] + ["response", "request", "metadata"] * len(caps)
    for i, info in enumerate(infos):
        (_, resp, _), (_, req, _), (_, meta, _) = records[1 + 3 * i : 4 + 3 * i]
        resp_id = resp.rec_headers.get_header("WARC-Record-ID")
        assert resp_id == info["warc_record_id"]
        assert req.rec_headers.get_header("WARC-Concurrent-To") == resp_id
        assert meta.rec_headers.get_header("WARC-Concurrent-To") == resp_id
        for rec in (resp, req, meta):
            assert rec.rec_headers.protocol == "WARC/1.1"
            assert rec.rec_headers.get_header("WARC-Target-URI") == caps[i].url
        assert resp.rec_headers.get_header("WARC-IP-Address") == (caps[i].ip or None)
    # WARC-Date is the fetch time, with microseconds, for all three records
    assert {r.rec_headers.get_header("WARC-Date") for _, r, _ in records[1:4]} == {
        "2026-11-27T19:25:12.345678Z"
    }


def test_request_line_keeps_path_and_query_and_host(written):
    caps, _, files = written
    requests = [rec for _, rec, _ in read_records(files[0]) if rec.rec_type == "request"]
    article = requests[1]
    assert article.http_headers.protocol == "GET"
    assert article.http_headers.statusline == (
        "/index.php?language=vi&nv=news&op=thoi-su/bai-viet-1-1001.html HTTP/1.1"
    )
    assert article.http_headers.get_header("Host") == "127.0.0.1:8080"
    assert article.http_headers.get_header("Accept-Encoding") == "gzip, deflate"


def test_gzip_body_stored_raw_with_payload_digest_over_encoded_bytes(written):
    caps, infos, files = written
    records = read_records(files[0])
    _, resp, raw = records[4]  # first article's response
    cap = caps[1]
    assert resp.http_headers.statusline == "200 OK"
    assert resp.http_headers.get_header("Content-Encoding") == "gzip"
    head, body = raw.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert body == cap.body  # still gzip-encoded, byte for byte
    assert gzip.decompress(body).startswith(b"<!DOCTYPE html>")
    assert resp.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(cap.body)
    assert infos[1]["payload_digest"] == sha1_b32(cap.body)
    assert resp.rec_headers.get_header("WARC-Block-Digest") == sha1_b32(raw)


def test_chunked_header_renamed_and_record_self_consistent(written):
    caps, _, files = written
    records = read_records(files[0])
    listing = [
        rec
        for _, rec, _ in records
        if rec.rec_type == "response" and "page-2" in rec.rec_headers.get_header("WARC-Target-URI")
    ][0]
    assert listing.http_headers.get_header("Transfer-Encoding") is None
    assert listing.http_headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"


def test_raw_non_ascii_header_bytes_preserved(written):
    _, _, files = written
    pdf = [raw for _, rec, raw in read_records(files[0]) if rec.rec_type == "response"][-1]
    expected = 'Content-Disposition: attachment; filename="Quyết định 15.pdf"'.encode()
    assert expected in pdf


def test_metadata_record_fields(written):
    caps, _, files = written
    metas = [raw for _, rec, raw in read_records(files[0]) if rec.rec_type == "metadata"]
    pdf_meta = metas[-1].decode()
    assert "fetchedAt: 2026-11-27T19:25:14.595678Z\r\n" in pdf_meta
    assert "hopsFromSeed: LLE\r\n" in pdf_meta
    assert "via: http://127.0.0.1:8080/\r\n" in pdf_meta
    assert "fetchTimeMs: 12\r\n" in pdf_meta
    assert "outlinks: 12\r\n" in metas[0].decode()


def test_warcinfo_describes_file_and_snapshot(written):
    _, _, files = written
    _, info, raw = read_records(files[0])[0]
    assert info.rec_type == "warcinfo"
    assert info.rec_headers.get_header("WARC-Filename") == files[0].name
    text = raw.decode()
    for line in (
        "isPartOf: S1",
        "robots: obey",
        "operator: Test Archive",
        "format: WARC File Format 1.1",
    ):
        assert line + "\r\n" in text
    assert re.search(r"^software: portal-archive/\S+ \(warcio/1\.", text, re.M)


def test_capture_info_offsets_point_at_the_records(written):
    caps, infos, files = written
    records = read_records(files[0])
    offsets = [off for off, _, _ in records] + [files[0].stat().st_size]
    for i, info in enumerate(infos):
        assert info["warc_offset"] == offsets[1 + 3 * i]
        assert info["length"] == offsets[2 + 3 * i] - offsets[1 + 3 * i]
        assert info["record_type"] == "response"
        assert info["status"] == caps[i].status
        assert info["url"] == caps[i].url
        assert info["captured_at"].endswith("Z")
        with open(files[0], "rb") as fh:
            fh.seek(info["warc_offset"])
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers.get_header("WARC-Record-ID") == info["warc_record_id"]
    assert infos[-1]["content_type"] == "application/pdf"


def test_rotation_makes_several_complete_files_each_opened_by_warcinfo(tmp_path):
    snap = tmp_path / "a" / "snapshots" / "S2"
    writer = SnapshotWarcWriter(snap, "S2", "127.0.0.1:8080", max_size=20_000)
    infos = [writer.write_capture(c) for c in sample_captures(n_articles=12)]
    assert writer.current_file is not None
    assert (snap / "warcs" / (writer.current_file + ".open")).is_file()
    writer.close()
    files = sorted((snap / "warcs").iterdir())
    assert len(files) >= 3
    assert all(NAME_RX.match(f.name) for f in files)
    assert [int(f.name.split("-")[2]) for f in files] == list(range(len(files)))
    assert sorted({i["warc_file"] for i in infos}) == [f.name for f in files]
    for f in files:
        records = read_records(f)
        assert records[0][1].rec_type == "warcinfo"
        assert records[0][1].rec_headers.get_header("WARC-Filename") == f.name
        # a capture's three records never straddle two files
        assert [r.rec_type for _, r, _ in records[1:]] == ["response", "request", "metadata"] * (
            (len(records) - 1) // 3
        )
    assert warcio_check(files).returncode == 0


def test_new_writer_continues_serials(tmp_path):
    snap = tmp_path / "a" / "snapshots" / "S3"
    caps = sample_captures(n_articles=1)
    with SnapshotWarcWriter(snap, "S3", "h") as w:
        first = w.write_capture(caps[0])["warc_file"]
    with SnapshotWarcWriter(snap, "S3", "h") as w:
        second = w.write_capture(caps[1])["warc_file"]
    assert first.split("-")[2] == "00000" and second.split("-")[2] == "00001"


def test_concurrent_writers_threads_keep_records_whole(tmp_path):
    snap = tmp_path / "a" / "snapshots" / "S4"
    writer = SnapshotWarcWriter(snap, "S4", "127.0.0.1:8080")
    caps = sample_captures(n_articles=10)
    threads = [
        threading.Thread(target=lambda: [writer.write_capture(c) for c in caps]) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    files = list((snap / "warcs").iterdir())
    records = read_records(files[0])
    assert len(records) == 1 + 3 * 4 * len(caps)
    assert warcio_check(files).returncode == 0


def test_write_after_close_is_refused(tmp_path):
    writer = SnapshotWarcWriter(tmp_path / "a" / "snapshots" / "S5", "S5", "h")
    writer.close()
    with pytest.raises(RuntimeError):
        writer.write_capture(Capture(url="http://h/", status=200, body=b"x"))


def test_helpers():
    assert sanitize_host("127.0.0.1:8080") == "127.0.0.1-8080"
    assert sanitize_host("sotttt.quangngai.gov.vn") == "sotttt.quangngai.gov.vn"
    assert flatten_headers({b"Set-Cookie": [b"a=1", b"b=2"], "X": "y"}) == [
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
        ("X", "y"),
    ]


def test_failed_capture_leaves_no_partial_record(tmp_path, monkeypatch):
    snap = tmp_path / "a" / "snapshots" / "S6"
    writer = SnapshotWarcWriter(snap, "S6", "127.0.0.1:8080")
    caps = sample_captures(n_articles=2)
    writer.write_capture(caps[0])
    # bad input is refused before anything is written
    with pytest.raises((TypeError, AttributeError)):
        writer.write_capture(Capture(url="http://h/", status=200, request_headers=[("X", None)]))

    # a failure half-way through the records (here: the request record) is rolled back
    real = writer._write
    calls = []

    def failing_write(record):
        calls.append(record.rec_type)
        if record.rec_type == "request":
            raise OSError("disk full")
        return real(record)

    monkeypatch.setattr(writer, "_write", failing_write)
    with pytest.raises(OSError):
        writer.write_capture(caps[1])
    assert calls == ["response", "request"]
    monkeypatch.setattr(writer, "_write", real)
    writer.write_capture(caps[2])
    writer.close()
    files = sorted((snap / "warcs").iterdir())
    uris = [r.rec_headers.get_header("WARC-Target-URI") for _, r, _ in read_records(files[0])[1:]]
    assert uris == [caps[0].url] * 3 + [caps[2].url] * 3
    assert warcio_check(files).returncode == 0


def test_truncated_body_is_marked_and_never_deduplicated(tmp_path):
    from archive.dedup import DedupIndex
    from archive.snapshot import close_snapshot, create_snapshot

    archive = tmp_path / "archive"
    idx = DedupIndex(archive / "dedup.sqlite3")
    pdf = sample_captures()[-1]
    cut = Capture(**{**pdf.__dict__, "body": pdf.body[:1000], "truncated": "length"})
    snap = create_snapshot(archive, "S1")
    with SnapshotWarcWriter(snap.path, "S1", "h", dedup=idx) as w:
        w.write_capture(pdf)
        w.write_capture(cut)
    close_snapshot(archive, "S1", dedup=idx)
    assert idx.lookup(sha1_b32(pdf.body)) is not None
    assert idx.lookup(sha1_b32(cut.body)) is None  # a cut body is no dedup source
    snap2 = create_snapshot(archive, "S2")
    with SnapshotWarcWriter(snap2.path, "S2", "h", dedup=idx) as w:
        again = w.write_capture(Capture(**{**pdf.__dict__, "truncated": "time"}))
    assert again["record_type"] == "response"  # nor a revisit, even of a known payload
    records = read_records(sorted((snap2.path / "warcs").iterdir())[0])
    assert records[1][1].rec_headers.get_header("WARC-Truncated") == "time"
    first = read_records(sorted((snap.path / "warcs").iterdir())[0])
    assert first[1][1].rec_headers.get_header("WARC-Truncated") is None
    assert first[4][1].rec_headers.get_header("WARC-Truncated") == "length"
    assert warcio_check(sorted((snap.path / "warcs").iterdir())).returncode == 0


def test_a_full_disk_mid_capture_leaves_every_earlier_record_readable(tmp_path):
    # RLIMIT_FSIZE fails writes past a size with EFBIG, as a full disk fails them with ENOSPC
    # (Python ignores SIGXFSZ): the write that fails raises its OSError and nothing else, the
    # writer stops, and the file repairs to exactly the captures written before.
    import resource

    from archive.repair import repair_snapshot

    snap = tmp_path / "a" / "snapshots" / "S7"
    writer = SnapshotWarcWriter(snap, "S7", "127.0.0.1:8080")
    caps = sample_captures(n_articles=4)
    writer.write_capture(caps[0])
    limit = writer._file.tell() + 3000
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    written = [caps[0].url]
    try:
        with pytest.raises(OSError, match="File too large"):
            for capture in caps[1:]:
                writer.write_capture(capture)
                written.append(capture.url)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    with pytest.raises(RuntimeError, match="closed"):
        writer.write_capture(caps[0])
    writer.close()
    repair_snapshot(snap)
    files = sorted((snap / "warcs").glob("*.warc.gz"))
    uris = [r.rec_headers.get_header("WARC-Target-URI") for path in files
            for _, r, _ in read_records(path) if r.rec_type == "response"]
    assert uris == written
    assert warcio_check(files).returncode == 0
