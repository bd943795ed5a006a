"""`history` and `show`: captures of a URL across snapshots, and the archived version at a date.

Three real snapshots on three nights, written by SnapshotWarcWriter with the dedup index: the
second night's pages are revisits of the first's; on the third night one article changed.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from datetime import timedelta

import pytest

from archive.dedup import DedupIndex
from archive.samples import article_html, sample_captures
from archive.snapshot import close_snapshot, create_snapshot
from archive.warc import SnapshotWarcWriter
from audit.history import HistoryError, closest, parse_when, select, url_captures
from portal_archive.cli import main

BASE = "http://127.0.0.1:8080"
ARTICLE = f"{BASE}/index.php?language=vi&nv=news&op=thoi-su/bai-viet-2-1002.html"
PDF = f"{BASE}/uploads/laws/quyet-dinh-15-2026.pdf"
NIGHTS = ("20261127T192512Z", "20261128T192512Z", "20261129T192512Z")


def night_captures(night: int):
    caps = []
    for cap in sample_captures(BASE):
        cap = dataclasses.replace(cap, fetched_at=cap.fetched_at + timedelta(days=night))
        if night == 2 and cap.url == ARTICLE:
            html = article_html(2).replace(b"</h1>", " (cập nhật)</h1>".encode())
            body = gzip.compress(html, mtime=0)
            headers = [(n, str(len(body)) if n == "Content-Length" else v)
                       for n, v in cap.response_headers]
            cap = dataclasses.replace(cap, body=body, response_headers=headers)
        caps.append(cap)
    return caps


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    for night, sid in enumerate(NIGHTS):
        snap = create_snapshot(root, sid)
        with DedupIndex(root / "dedup.sqlite3") as idx:
            writer = SnapshotWarcWriter(snap.path, sid, "127.0.0.1:8080", dedup=idx,
                                        archive_root=root)
            for cap in night_captures(night):
                writer.write_capture(cap)
            writer.close()
            close_snapshot(root, sid, dedup=idx)
    return root


def test_history_lists_every_capture_with_change_marks(archive):
    caps = url_captures(archive, ARTICLE)
    assert [c.snapshot_id for c in caps] == list(NIGHTS)
    assert [c.record_type for c in caps] == ["response", "revisit", "response"]
    assert [c.change for c in caps] == ["first", "unchanged", "changed"]
    assert all(c.status == 200 and c.digest.startswith("sha1:") for c in caps)
    assert caps[0].digest == caps[1].digest != caps[2].digest
    assert caps[0].captured_at == "2026-11-27T19:25:12Z"


def test_history_matches_url_by_surt_key(archive):
    assert len(url_captures(archive, ARTICLE.replace("127.0.0.1:8080", "127.0.0.1:8080"
                                                      .upper()))) == 3
    assert url_captures(archive, f"{BASE}/never-captured.html") == []


def test_history_cli_table_and_json(archive, capsys):
    assert main(["history", ARTICLE, "--archive", str(archive)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["CAPTURED", "STATUS", "TYPE", "DIGEST", "SNAPSHOT", "CHANGE"]
    assert out[2].split()[2] == "revisit" and out[2].split()[-1] == "unchanged"
    assert out[-1] == "3 capture(s) in 3 snapshot(s), 1 change(s) of content"
    assert main(["history", ARTICLE, "--json", "--archive", str(archive)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["change"] for d in data] == ["first", "unchanged", "changed"]
    assert main(["history", f"{BASE}/nope", "--archive", str(archive)]) == 1
    assert "no capture of" in capsys.readouterr().err


def test_show_latest_by_default(archive, capsys):
    assert main(["show", ARTICLE, "--archive", str(archive)]) == 0
    captured = capsys.readouterr()
    assert "<h1>Hội nghị triển khai nhiệm vụ năm 2026 số 2 (cập nhật)</h1>" in captured.out
    assert NIGHTS[2] in captured.err


def test_show_at_a_date_resolves_the_revisit(archive, capsys):
    assert main(["show", ARTICLE, "--at", "2026-11-28T20:00Z", "--headers",
                 "--archive", str(archive)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "Content-Type: text/html; charset=UTF-8" in lines
    # the decoded payload of the original (night 0), not a gzip stream
    assert article_html(2).decode("utf-8") in captured.out
    assert "(cập nhật)" not in captured.out
    assert f"in snapshot {NIGHTS[1]} (revisit" in captured.err
    assert "payload from <urn:uuid:" in captured.err and NIGHTS[0] in captured.err


def test_show_binary_payload_to_file(archive, tmp_path, capsys):
    out = tmp_path / "qd.pdf"
    assert main(["show", PDF, "--at", NIGHTS[0], "--out", str(out),
                 "--archive", str(archive)]) == 0
    assert out.read_bytes().startswith(b"%PDF-1.4") and out.read_bytes().endswith(b"%%EOF\n")


def test_show_errors(archive, capsys):
    assert main(["show", f"{BASE}/nope", "--archive", str(archive)]) == 1
    assert main(["show", ARTICLE, "--at", "hôm qua", "--archive", str(archive)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "no capture of" in err[0] and "cannot read the date" in err[1]


def test_closest_and_parse_when(archive):
    caps = url_captures(archive, ARTICLE)
    assert closest(caps).snapshot_id == NIGHTS[2]
    assert closest(caps, parse_when("2026-11-27T00:00:00Z")).snapshot_id == NIGHTS[0]
    assert closest(caps, parse_when("20261128T192512Z")).snapshot_id == NIGHTS[1]
    assert closest(caps, parse_when("2026-11-30T02:00:00+07:00")).snapshot_id == NIGHTS[2]
    with pytest.raises(HistoryError):
        closest([])
    assert select(caps, NIGHTS[1]).snapshot_id == NIGHTS[1]  # a snapshot id
    assert select(caps, None).snapshot_id == NIGHTS[2]
