"""`verify`: every kind of damage to a snapshot is found and located; a clean archive passes.

The archive is two real snapshots written by SnapshotWarcWriter from `archive.samples` and
closed with close_snapshot (so S2 holds revisits of S1's responses through the dedup index).
"""

from __future__ import annotations

import gzip
import json

import e2e
import pytest

from archive.cdxj import read_cdxj
from archive.dedup import DedupIndex
from archive.samples import sample_captures
from archive.snapshot import close_snapshot, create_snapshot, open_snapshot
from archive.verify import scan_warc, verify_archive, verify_snapshot
from archive.warc import SnapshotWarcWriter
from portal_archive.cli import main


def write_snapshot(root, snapshot_id, n_articles=5):
    snap = create_snapshot(root, snapshot_id, profile="nukeviet4", seeds=["http://127.0.0.1/"])
    with DedupIndex(root / "dedup.sqlite3") as idx:
        writer = SnapshotWarcWriter(snap.path, snapshot_id, "127.0.0.1:8080", dedup=idx,
                                    archive_root=root)
        for capture in sample_captures(n_articles=n_articles):
            writer.write_capture(capture)
        writer.close()
        close_snapshot(root, snapshot_id, dedup=idx)
    return open_snapshot(root, snapshot_id)


@pytest.fixture
def archive(tmp_path):
    write_snapshot(tmp_path, "S1")
    write_snapshot(tmp_path, "S2")
    return tmp_path


def warc(root, sid):
    (path,) = open_snapshot(root, sid).warc_files()
    return path


def records(path, rec_type):
    return [r for r in scan_warc(path) if r.rec_type == rec_type]


def problems(root, sid=None, check=None):
    reports = verify_archive(root, [sid] if sid else None)
    found = [p for r in reports for p in r.problems]
    return [p for p in found if check is None or p.check == check]


def test_clean_archive_passes(archive, capsys):
    reports = verify_archive(archive)
    assert [r.snapshot_id for r in reports] == ["S1", "S2"]
    assert all(r.ok for r in reports), [p.line() for r in reports for p in r.problems]
    s2 = reports[1]
    assert s2.revisits > 0 and s2.records > s2.revisits and s2.cdxj_lines > 0
    assert s2.files == len(open_snapshot(archive, "S2").manifest["files"])
    assert main(["verify", "--archive", str(archive)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("OK: 2 snapshot(s)")


def test_payload_tampered_inside_a_valid_gzip_member(archive, capsys):
    path = warc(archive, "S1")
    target = records(path, "response")[1]
    data = path.read_bytes()
    member = gzip.decompress(data[target.offset:target.offset + target.length])
    # a byte of the (gzip content-encoded) HTTP body, just before the record's closing CRLFs
    member = member[:-10] + bytes([member[-10] ^ 0x01]) + member[-9:]
    # Same file size (only the sha256 can tell): recompress at the level that gives the member
    # its length (a stored member for an already compressed body, see archive.warc).
    packed = next((p for p in (gzip.compress(member, level, mtime=0) for level in (9, 6, 0))
                   if len(p) == target.length), None)
    assert packed is not None
    path.write_bytes(data[:target.offset] + packed + data[target.offset + target.length:])
    found = problems(archive, "S1", "warc")
    assert any(p.offset == target.offset and p.record_id == target.record_id
               and "payload digest" in p.message and p.file == path.name for p in found)
    assert any(p.check == "manifest" and p.file == f"warcs/{path.name}"
               and "sha256" in p.message for p in problems(archive, "S1"))
    assert main(["verify", "S1", "--archive", str(archive)]) == 1
    captured = capsys.readouterr()
    assert f"@ {target.offset} {target.record_id}" in captured.out
    assert "FAILED" in captured.err and captured.err.count("\n") == 1


def test_flipped_byte_in_compressed_data(archive):
    path = warc(archive, "S1")
    target = records(path, "response")[2]
    data = bytearray(path.read_bytes())
    data[target.offset + target.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    found = problems(archive, "S1", "warc")
    assert found and all(p.file == path.name for p in found)
    assert any(p.offset == target.offset for p in found)


def test_truncated_warc(archive):
    path = warc(archive, "S2")
    last = list(scan_warc(path))[-2]
    path.write_bytes(path.read_bytes()[:last.offset + last.length // 2])
    found = problems(archive, "S2")
    assert any(p.check == "warc" and p.offset == last.offset and "unreadable" in p.message
               for p in found)
    assert any(p.check == "manifest" and "size" in p.message for p in found)


def test_deleted_warc(archive):
    path = warc(archive, "S2")
    path.unlink()
    found = problems(archive, "S2")
    assert any(p.check == "manifest" and p.file == f"warcs/{path.name}"
               and p.message == "file missing" for p in found)
    assert any(p.check == "cdxj" and p.file == path.name and "missing WARC" in p.message
               for p in found)


def test_cdxj_offset_edited(archive):
    index = open_snapshot(archive, "S1").index_path
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(read_cdxj(index))
    wrong = first.offset + 7
    lines[0] = lines[0].replace(f'"offset": "{first.offset}"', f'"offset": "{wrong}"')
    index.write_text("".join(lines), encoding="utf-8")
    found = problems(archive, "S1", "cdxj")
    assert any(p.offset == wrong and "no record starts at this offset" in p.message
               for p in found)
    # ... and the record it used to point at is now missing from the index
    assert any(p.offset == first.offset and "not in the index" in p.message for p in found)


def test_cdxj_pointing_at_another_record(archive):
    index = open_snapshot(archive, "S1").index_path
    entries = list(read_cdxj(index))
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    a, b = entries[0], entries[1]
    lines[0] = lines[0].replace(f'"offset": "{a.offset}"', f'"offset": "{b.offset}"')
    index.write_text("".join(lines), encoding="utf-8")
    found = problems(archive, "S1", "cdxj")
    assert any(p.offset == b.offset and "URI" in p.message and "digest" in p.message
               for p in found)


def test_broken_revisit_target(archive):
    (archive / "snapshots" / "S1" / "warcs" / warc(archive, "S1").name).unlink()
    found = problems(archive, "S2", "revisit")
    revisits = records(warc(archive, "S2"), "revisit")
    assert {p.record_id for p in found} == {r.record_id for r in revisits}
    assert all(p.kind == "original-in-missing-file" and "which is missing" in p.message
               and p.offset is not None for p in found)


def test_revisit_target_with_other_payload(archive):
    """The dedup index and the scan find the original, but its digest is not the revisit's."""
    with DedupIndex(archive / "dedup.sqlite3") as idx:
        rev = records(warc(archive, "S2"), "revisit")[0]
        entry = idx.lookup(rev.payload_digest)
        other = next(r for r in records(warc(archive, "S1"), "response")
                     if r.payload_digest != rev.payload_digest)
    path = warc(archive, "S2")
    data = path.read_bytes()
    member = gzip.decompress(data[rev.offset:rev.offset + rev.length])
    member = member.replace(entry.record_id.encode(), other.record_id.encode())
    path.write_bytes(data[:rev.offset] + gzip.compress(member) + data[rev.offset + rev.length:])
    found = problems(archive, "S2", "revisit")
    assert any(p.record_id == rev.record_id and "payload digest" in p.message for p in found)


def test_unlisted_files(archive):
    snap = open_snapshot(archive, "S1")
    (snap.path / "warcs" / "stray.warc.gz").write_bytes(b"")
    (snap.path / "reports" / "diff.html").write_text("<p>later</p>", encoding="utf-8")
    report = verify_snapshot(archive, "S1")
    assert [(p.check, p.file) for p in report.problems] == [
        ("manifest", "warcs/stray.warc.gz")]
    assert any("reports/diff.html" in n for n in report.notes)
    # a report iterates (and counts) as its problems, each printing as one located line
    assert len(report.problems) == 1 and not report.ok
    assert str(report.problems[0]) == "S1: manifest: warcs/stray.warc.gz: file not listed " \
        "in the manifest"


def test_json_output_and_unknown_snapshot(archive, capsys):
    assert main(["verify", "--json", "--archive", str(archive)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["snapshot_id"] for d in data] == ["S1", "S2"] and all(d["ok"] for d in data)
    assert main(["verify", "NOPE", "--archive", str(archive)]) == 2
    assert "no snapshot 'NOPE'" in capsys.readouterr().err



def test_one_truncated_warc_is_one_line_and_its_lost_originals_another(tmp_path):
    """A WARC cut short: the summary first, then one line for the damage and one for the 30-odd
    revisits of the next snapshot whose originals were in the lost part (before: a line per
    damaged record, and two per revisit); --verbose lists every problem, --json keeps all."""
    write_snapshot(tmp_path, "S1", n_articles=30)
    write_snapshot(tmp_path, "S2", n_articles=30)
    path = warc(tmp_path, "S1")
    responses = records(path, "response")
    cut = responses[3]  # cut inside the 4th response: originals from there on are lost
    path.write_bytes(path.read_bytes()[:cut.offset + cut.length // 2])
    lost = [r for r in records(warc(tmp_path, "S2"), "revisit")
            if next(o for o in responses if o.record_id == r.refers_to).offset >= cut.offset]
    assert len(lost) >= 25

    data = json.loads(e2e.cli("verify", "--json", "--archive", str(tmp_path),
                              check=False).stdout)
    every = [p for d in data for p in d["problems"]]  # --json keeps every problem
    assert sum(p["kind"] == "original-in-damaged-file" for p in every) == len(lost)
    at_cut = [p for p in every if p["snapshot_id"] == "S1" and p["offset"] == cut.offset]
    assert {p["check"] for p in at_cut} == {"warc", "cdxj"}  # the record, its index line

    done = e2e.cli("verify", "--archive", str(tmp_path), check=False)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "FAILED:" in done.stderr
    name, s2 = path.name, warc(tmp_path, "S2").name
    size = next(f["size"] for f in open_snapshot(tmp_path, "S1").manifest["files"]
                if f["path"] == f"warcs/{name}")
    assert done.stdout.splitlines() == [
        f"FAILED: {len(every)} problem(s) in 2 snapshot(s) (2 snapshot(s), 4 files, "
        f"{sum(d['records'] for d in data)} WARC records (33 revisits), 70 CDXJ lines)",
        f"S1: manifest: warcs/{name}: size {path.stat().st_size} bytes, manifest says {size}",
        f"S1: warc: warcs/{name}: truncated or corrupt at offset {cut.offset}: last gzip member "
        f"incomplete: file truncated ({len(at_cut)} problems)",
        f"S2: revisit: revisits whose original is in a damaged file (S1/warcs/{name}): "
        f"{len(lost)} (first: warcs/{s2} @ {lost[0].offset} {lost[0].record_id})",
    ]

    verbose = e2e.cli("verify", "--verbose", "--archive", str(tmp_path), check=False)
    lines = verbose.stdout.splitlines()
    assert lines[0] == done.stdout.splitlines()[0] and len(lines) == 1 + len(every)
    assert all(any(r.record_id in line for line in lines) for r in lost)
