"""WACZ packages of a closed snapshot, the structural checker, and the two CLI commands."""

from __future__ import annotations

import json
import zipfile

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.dedup import DedupIndex
from archive.samples import sample_captures
from archive.snapshot import close_snapshot, create_snapshot
from archive.wacz import check_wacz, write_wacz
from archive.warc import SnapshotWarcWriter
from portal_archive.cli import main

SEED = "http://127.0.0.1:8080/"


def crawl(archive, snapshot_id, close=True):
    idx = DedupIndex(archive / "dedup.sqlite3")
    snap = create_snapshot(archive, snapshot_id, profile="nukeviet4", seeds=[SEED])
    with SnapshotWarcWriter(
        snap.path, snapshot_id, "127.0.0.1:8080", dedup=idx, max_size=20_000
    ) as w:
        for cap in sample_captures():
            w.write_capture(cap)
    if close:
        close_snapshot(archive, snapshot_id, dedup=idx)
    idx.close()
    return snap


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    crawl(root, "20261126T010000Z")
    crawl(root, "20261127T010000Z")  # all 200s become revisits
    crawl(root, "20261128T010000Z", close=False)
    return root


@pytest.fixture(scope="module")
def wacz(archive, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "first.wacz"
    package = write_wacz(archive / "snapshots" / "20261126T010000Z", out, title="Test")
    return out, package


def test_wacz_passes_the_structural_check(wacz):
    path, package = wacz
    assert check_wacz(path) == []
    assert package["wacz_version"] == "1.1.1" and package["profile"] == "data-package"
    assert package["mainPageUrl"] == SEED


def test_wacz_layout_stored_warcs_and_digest(wacz, archive):
    path, package = wacz
    warcs = sorted(p.name for p in (archive / "snapshots/20261126T010000Z/warcs").iterdir())
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert sorted(n for n in names if n.startswith("archive/")) == [
            f"archive/{w}" for w in warcs
        ]
        assert len(warcs) > 1
        for name in names:
            if name.startswith("archive/"):
                info = zf.getinfo(name)
                assert info.compress_type == zipfile.ZIP_STORED
                src = archive / "snapshots/20261126T010000Z/warcs" / name.split("/", 1)[1]
                assert zf.read(name) == src.read_bytes()  # byte-identical, not recompressed
        assert {
            "indexes/index.cdx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        } <= set(names)
        listed = {r["path"] for r in json.loads(zf.read("datapackage.json"))["resources"]}
        assert listed == set(names) - {"datapackage.json", "datapackage-digest.json"}


def test_pages_jsonl_lists_html_pages_with_ts_and_title(wacz):
    path, _ = wacz
    with zipfile.ZipFile(path) as zf:
        lines = [json.loads(x) for x in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert lines[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    pages = lines[1:]
    html_urls = [
        c.url
        for c in sample_captures()
        if c.status == 200 and c.url.endswith((".html", "/", "page-2"))
    ]
    assert [p["url"] for p in pages] == html_urls
    assert pages[0]["ts"] == "2026-11-27T19:25:12.345678Z"
    assert (
        pages[1]["title"]
        == "Hội nghị triển khai nhiệm vụ năm 2026 số 1 - Cổng thông tin điện tử tỉnh"
    )


def wacz_records(path) -> dict[str, tuple[str, object]]:
    """record id → (member name, record headers) of every record in the WACZ's WARCs."""
    found = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("archive/"):
                with zf.open(name) as fh:
                    for rec in ArchiveIterator(fh):
                        found[rec.rec_headers.get_header("WARC-Record-ID")] = (
                            name,
                            rec.rec_headers,
                        )
    return found


def test_wacz_of_revisit_snapshot_carries_the_originals(archive, tmp_path):
    out = tmp_path / "second.wacz"
    package = write_wacz(archive / "snapshots" / "20261127T010000Z", out)
    assert check_wacz(out) == []
    assert package["portal_archive_originals"] == {"revisits": 8, "originals": 8, "missing": 0}
    records = wacz_records(out)
    revisits = [h for _, h in records.values() if h.get_header("WARC-Type") == "revisit"]
    assert len(revisits) == 8
    for h in revisits:  # every revisit's original travels in the package
        name, orig = records[h.get_header("WARC-Refers-To")]
        assert name == "archive/originals-20261127T010000Z.warc.gz"
        assert orig.get_header("WARC-Type") == "response"
        assert orig.get_header("WARC-Payload-Digest") == h.get_header("WARC-Payload-Digest")
    with zipfile.ZipFile(out) as zf:
        index = zf.read("indexes/index.cdx").decode().splitlines()
        pages = [json.loads(x) for x in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert index == sorted(index) and len(index) == 10 + 8
    assert sum('"filename": "originals-20261127T010000Z.warc.gz"' in x for x in index) == 8
    # titles of unchanged pages come from their originals
    assert len(pages) == 7 and all(p["title"].startswith(("Trang chủ", "Hội nghị")) for p in pages)


def test_wacz_without_originals(archive, tmp_path):
    out = tmp_path / "bare.wacz"
    package = write_wacz(archive / "snapshots" / "20261127T010000Z", out, include_originals=False)
    assert check_wacz(out) == []
    assert package["portal_archive_originals"] == {"revisits": 8, "originals": 0, "missing": 8}
    with zipfile.ZipFile(out) as zf:
        assert not any("originals" in n for n in zf.namelist())
        pages = [json.loads(x) for x in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert len(pages) == 7 and all("title" not in p for p in pages)


def rewrite(src, dst, drop=(), replace=None):
    """Copy a WACZ, leaving out or replacing members (datapackage.json kept as is)."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = replace.get(info.filename, zin.read(info.filename))
            zout.writestr(info, data)


def test_check_finds_a_missing_warc(wacz, tmp_path):
    path, package = wacz
    warc = next(r["path"] for r in package["resources"] if r["path"].startswith("archive/"))
    bad = tmp_path / "missing.wacz"
    rewrite(path, bad, drop={warc})
    problems = check_wacz(bad)
    assert f"{warc}: listed in datapackage.json but missing from the ZIP" in problems
    assert any("which is not in the ZIP" in p for p in problems)  # index names it too


def test_check_finds_bad_hash_bad_pages_and_bad_offsets(wacz, tmp_path):
    path, _ = wacz
    with zipfile.ZipFile(path) as zf:
        pages = zf.read("pages/pages.jsonl").decode().splitlines()
        index = zf.read("indexes/index.cdx").decode().splitlines()
    pages[1] = json.dumps({"url": "http://x/", "ts": "yesterday"})
    key, ts, blob = index[0].split(" ", 2)
    fields = json.loads(blob)
    fields["offset"] = str(int(fields["offset"]) + 1)
    index[0] = f"{key} {ts} {json.dumps(fields)}"
    key, ts, blob = index[1].split(" ", 2)
    fields = json.loads(blob)
    fields["length"] = str(int(fields["length"]) - 1)
    index[1] = f"{key} {ts} {json.dumps(fields)}"
    bad = tmp_path / "bad.wacz"
    rewrite(
        path,
        bad,
        replace={
            "pages/pages.jsonl": ("\n".join(pages) + "\n").encode(),
            "indexes/index.cdx": ("\n".join(index) + "\n").encode(),
        },
    )
    problems = check_wacz(bad)
    assert "pages/pages.jsonl: sha256 does not match datapackage.json" in problems
    assert "pages/pages.jsonl line 2: ts 'yesterday' is not RFC 3339" in problems
    assert any(p.startswith("indexes/index.cdx line 1:") and "not the start" in p for p in problems)
    assert any(
        p.startswith("indexes/index.cdx line 2:") and "not exactly one gzip member" in p
        for p in problems
    )


def test_check_finds_compressed_warc_and_tampered_datapackage(wacz, tmp_path):
    path, _ = wacz
    bad = tmp_path / "deflated.wacz"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "datapackage.json":
                data = data.replace(b'"Test"', b'"Tampered"')
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    problems = check_wacz(bad)
    assert any("WARC is compressed in the ZIP" in p for p in problems)
    assert "datapackage-digest.json: hash does not match datapackage.json" in problems
    assert check_wacz(tmp_path / "nope.wacz")[0].startswith("not a readable ZIP")


def test_write_wacz_refuses_open_snapshot(archive, tmp_path):
    with pytest.raises(ValueError, match="not closed"):
        write_wacz(archive / "snapshots" / "20261128T010000Z", tmp_path / "x.wacz")
    assert not (tmp_path / "x.wacz").exists()


# -- CLI ----------------------------------------------------------------------------------
def test_snapshots_command_table_and_json(archive, capsys):
    assert main(["snapshots", "--archive", str(archive)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "STATUS", "PORTAL", "STARTED", "ENDED", "CAPTURES",
                              "REVISITS", "SIZE"]
    rows = [line.split() for line in out[1:]]
    # A snapshot written before the registry belongs to the portal named after its seed's host.
    assert {r[2] for r in rows} == {"127.0.0.1"}
    assert [(r[0], r[1], r[5], r[6]) for r in rows] == [
        ("20261126T010000Z", "closed", "10", "0"),
        ("20261127T010000Z", "closed", "10", "8"),
        ("20261128T010000Z", "open", "-", "-"),
    ]
    assert main(["snapshots", "--archive", str(archive), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["status"] for d in data] == ["closed", "closed", "open"]
    assert data[1]["revisits"] == 8 and data[0]["size"] > data[1]["size"] > 0


def test_snapshots_command_on_empty_archive(tmp_path, capsys):
    assert main(["snapshots", "--archive", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == f"no snapshots in {tmp_path}"


def test_wacz_command(archive, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out.wacz"
    assert main(["wacz", "20261126T010000Z", "--archive", str(archive), "--out", str(out)]) == 0
    assert check_wacz(out) == []
    assert str(out) in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    assert main(["wacz", "20261127T010000Z", "--archive", str(archive)]) == 0
    assert check_wacz(tmp_path / "20261127T010000Z.wacz") == []
    out = capsys.readouterr().out
    assert out.startswith("20261127T010000Z.wacz: WACZ 1.1.1, 2 WARC file(s), ")
    assert "8 original record(s) for 8 revisit(s)" in out


def test_wacz_command_errors(archive, capsys):
    assert main(["wacz", "19990101T000000Z", "--archive", str(archive)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("portal-archive wacz: error: no snapshot '19990101T000000Z'")
    assert "portal-archive snapshots --archive" in err and "\n" not in err
    assert main(["wacz", "20261128T010000Z", "--archive", str(archive)]) == 2
    assert "is open; only closed snapshots" in capsys.readouterr().err
