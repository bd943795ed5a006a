"""`extract` reads a closed snapshot's WARCs through its CDXJ index, and gets exactly what the
full sequential read gets; an index that disagrees with its WARC, or a WARC changed since the
snapshot closed, sends the file back to the sequential read (which reports damage)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from e2e import crawl, replica_args, replica_process, snapshot_ids, warc_paths
from test_extract_warc import TIMING_COLUMNS, assert_same_datasets, table

import archive.records as warc_records
import pipelines.extract as ex
from pipelines.schema import SCHEMAS, TABLES

pytestmark = pytest.mark.slow

ARGS = replica_args(articles=30, seed=5, theme="default40")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Two crawls of an unchanged replica: the second snapshot is mostly revisits."""
    root = tmp_path_factory.mktemp("archive")
    with replica_process(*ARGS) as base:
        crawl(base, root, "--max-warc-size", "300000")
        crawl(base, root, "--max-warc-size", "300000")
    return root


@pytest.fixture
def reads(monkeypatch) -> dict[str, list[str]]:
    """Which reader each WARC went through (jobs=1 runs in this process)."""
    seen: dict[str, list[str]] = {"indexed": [], "sequential": []}
    indexed, sequential = ex.iter_indexed, ex.iter_file

    def spy_indexed(path, *args, **kwargs):
        seen["indexed"].append(path.name)
        return indexed(path, *args, **kwargs)

    def spy_sequential(path, *args, **kwargs):
        seen["sequential"].append(path.name)
        return sequential(path, *args, **kwargs)

    monkeypatch.setattr(ex, "iter_indexed", spy_indexed)
    monkeypatch.setattr(ex, "iter_file", spy_sequential)
    return seen


def extract(archive: Path, sid: str, out: Path, warcs: list[Path] | None = None):
    return ex.extract_warcs(warcs or warc_paths(archive, sid), sid, archive_root=archive,
                            out_dir=out, jobs=1, progress=False)


@pytest.mark.parametrize("night", [0, 1])
def test_indexed_read_equals_sequential_read(archive, tmp_path, reads, monkeypatch, night):
    sid = snapshot_ids(archive)[night]
    warcs = warc_paths(archive, sid)
    assert len(warcs) > 1
    result = extract(archive, sid, tmp_path / "indexed")
    assert result.errors == [] and result.warnings == []
    assert sorted(reads["indexed"]) == sorted(p.name for p in warcs)
    assert reads["sequential"] == []

    monkeypatch.setattr(ex, "indexed_records", lambda paths: {})
    sequential = extract(archive, sid, tmp_path / "sequential")
    assert sorted(reads["sequential"]) == sorted(p.name for p in warcs)
    assert sequential.counts == result.counts and sequential.captures == result.captures
    assert_same_datasets(tmp_path / "indexed", tmp_path / "sequential")
    # ...and both hold the rows the crawl itself wrote (in the order it handled responses).
    assert_same_rows(tmp_path / "indexed", archive / "snapshots" / sid / "datasets")
    if night == 1:
        assert result.counts["articles"] >= 30  # revisits were parsed from their originals


def assert_same_rows(a: Path, b: Path) -> None:
    """Same rows in every table, in lineage order (warc_file, warc_offset, position)."""
    for name in TABLES:
        ta, tb = table(a, name), table(b, name)
        assert ta.schema.equals(SCHEMAS[name]) and tb.schema.equals(SCHEMAS[name])
        keys = [(k, "ascending") for k in ("warc_file", "warc_offset", "block", "position")
                if k in ta.column_names]
        timing = list(TIMING_COLUMNS.get(name, ()))
        assert ta.sort_by(keys).drop_columns(timing).to_pylist() == \
            tb.sort_by(keys).drop_columns(timing).to_pylist(), name


def copy_snapshot(archive: Path, sid: str, dest: Path) -> Path:
    """A copy of the archive (dedup index included) to tamper with."""
    shutil.copytree(archive, dest)
    return dest / "snapshots" / sid


def test_index_that_disagrees_with_its_warc_falls_back_to_reading_it_all(archive, tmp_path,
                                                                          reads):
    sid = snapshot_ids(archive)[0]
    snap = copy_snapshot(archive, sid, tmp_path / "copy")
    index = snap / "indexes" / "index.cdxj"
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    key, stamp, blob = lines[0].split(" ", 2)
    fields = json.loads(blob)
    fields["offset"] = str(int(fields["offset"]) + 1)  # points into the middle of a record
    lines[0] = f"{key} {stamp} {json.dumps(fields)}\n"
    index.write_text("".join(lines), encoding="utf-8")

    result = extract(tmp_path / "copy", sid, tmp_path / "out",
                     warc_paths(tmp_path / "copy", sid))
    assert result.errors == []
    assert reads["sequential"] == [fields["filename"]]
    assert_same_rows(tmp_path / "out", archive / "snapshots" / sid / "datasets")


def test_warc_changed_since_the_snapshot_closed_is_read_sequentially(archive, tmp_path, reads):
    sid = snapshot_ids(archive)[0]
    snap = copy_snapshot(archive, sid, tmp_path / "copy")
    warcs = warc_paths(tmp_path / "copy", sid)
    damaged = warcs[-1]
    good_size = damaged.stat().st_size
    with open(damaged, "ab") as fh:
        fh.write(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\ncut")

    result = extract(tmp_path / "copy", sid, tmp_path / "out", warcs)
    assert reads["sequential"] == [damaged.name]
    assert len(result.errors) == 1
    assert damaged.name in result.errors[0] and f"offset {good_size}" in result.errors[0]
    # Every record before the damage is still extracted: the tables hold the crawl's rows.
    assert_same_rows(tmp_path / "out", snap / "datasets")


def test_index_with_a_wrong_mime_type_still_parses_the_page(archive, tmp_path, reads,
                                                            monkeypatch):
    """Non-HTML captures are read only up to their headers; a page the index calls an image
    is read again in full and parsed, without giving up on the index."""
    monkeypatch.setattr(ex, "_HEAD_BYTES", 1500)  # less than a page's record
    sid = snapshot_ids(archive)[0]
    snap = copy_snapshot(archive, sid, tmp_path / "copy")
    index = snap / "indexes" / "index.cdxj"
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for i, line in enumerate(lines):
        key, stamp, blob = line.split(" ", 2)
        fields = json.loads(blob)
        if fields["mime"] == "text/html" and int(fields["length"]) > 1500:
            fields["mime"] = "image/jpeg"
            lines[i] = f"{key} {stamp} {json.dumps(fields)}\n"
            changed += 1
    assert changed > 5
    index.write_text("".join(lines), encoding="utf-8")

    result = extract(tmp_path / "copy", sid, tmp_path / "out", warc_paths(tmp_path / "copy", sid))
    assert result.errors == [] and reads["sequential"] == []
    assert_same_rows(tmp_path / "out", archive / "snapshots" / sid / "datasets")


def test_one_process_without_spool_equals_the_worker_pool(archive, tmp_path):
    """jobs=1 on indexed WARCs writes captures straight to the tables; the worker pool spools
    them; both give the same tables, row for row, revisits included."""
    sid = snapshot_ids(archive)[1]
    warcs = warc_paths(archive, sid)
    one = ex.extract_warcs(warcs, sid, archive_root=archive, out_dir=tmp_path / "one", jobs=1,
                           progress=False)
    two = ex.extract_warcs(warcs, sid, archive_root=archive, out_dir=tmp_path / "two", jobs=2,
                           progress=False)
    assert one.counts == two.counts and one.errors == two.errors == []
    assert_same_datasets(tmp_path / "one", tmp_path / "two")


@pytest.mark.parametrize("night", [0, 1])
def test_read_head_gives_warcios_headers_for_every_capture(archive, night):
    """The head-only reader used for images and attachments: same capture info as warcio's
    ArchiveIterator for every response and revisit; None when the headers do not fit."""
    from warcio.archiveiterator import ArchiveIterator

    sid = snapshot_ids(archive)[night]
    checked = revisits = 0
    for path in warc_paths(archive, sid):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            records = [(it.get_record_offset(), rec.rec_type, rec.rec_headers, rec.http_headers)
                       for rec in it]
        with open(path, "rb") as fh:
            for offset, rec_type, rec_headers, http_headers in records:
                head = warc_records.read_head(fh, offset, 4096)
                if rec_type not in ("response", "revisit"):
                    assert head is None  # warcinfo, request, metadata: not a capture
                    continue
                assert head is not None, (path.name, offset)
                whole = warc_records.RecordHead(rec_type, rec_headers, http_headers)
                expected = warc_records.capture_info_for(whole, path.name, offset, sid)
                assert warc_records.capture_info_for(head, path.name, offset, sid) == expected
                assert warc_records.read_head(fh, offset, 200) is None  # cut inside the headers
                checked += 1
                revisits += rec_type == "revisit"
    assert checked > 50
    assert (revisits > 0) == (night == 1)
