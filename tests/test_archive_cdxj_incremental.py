"""The CDXJ built while a crawl writes its WARCs equals cdxj-indexer's index of the files."""

from __future__ import annotations

import shutil

import pytest

from archive.cdxj import IncrementalCdxj, build_cdxj
from archive.dedup import DedupIndex
from archive.samples import sample_captures
from archive.snapshot import close_snapshot, create_snapshot
from archive.warc import SnapshotWarcWriter
from pipelines.background import BackgroundDatasetWriter

SEED = "http://127.0.0.1:8080/"


def write_open_snapshot(archive, snapshot_id="S1", max_size=20_000, n_articles=12):
    """An open snapshot whose captures are written (several rotated files) but not closed."""
    snap = create_snapshot(archive, snapshot_id, profile="nukeviet4", seeds=[SEED])
    with DedupIndex(archive / "dedup.sqlite3") as idx, SnapshotWarcWriter(
            snap.path, snapshot_id, "127.0.0.1:8080", dedup=idx, max_size=max_size) as w:
        infos = [w.write_capture(c) for c in sample_captures(n_articles=n_articles)]
        files = list(w.files)
    return snap, infos, files


def reference_index(snap, tmp_path) -> bytes:
    out = tmp_path / "reference.cdxj"
    build_cdxj(snap.warc_files(), out)
    return out.read_bytes()


@pytest.mark.parametrize("step", [1, 3, 100])
def test_range_by_range_equals_cdxj_indexer_on_whole_files(tmp_path, step):
    snap, infos, files = write_open_snapshot(tmp_path / "archive")
    assert len(files) > 2  # rotation: the index spans several files
    inc = IncrementalCdxj(snap.path / "warcs")
    for info in infos[::step]:
        inc.advance(info["warc_file"], info["warc_end"])
    coverage = inc.finish(tmp_path / "inc.cdxj")

    assert (tmp_path / "inc.cdxj").read_bytes() == reference_index(snap, tmp_path)
    assert coverage == {p.name: p.stat().st_size for p in snap.warc_files()}


def test_ranges_are_read_from_open_files_too(tmp_path):
    snap, infos, _ = write_open_snapshot(tmp_path / "archive", max_size=10**9)
    (path,) = snap.warc_files()
    path.rename(path.with_name(path.name + ".open"))  # as while the crawler still writes
    inc = IncrementalCdxj(snap.path / "warcs")
    inc.advance(infos[3]["warc_file"], infos[3]["warc_end"])
    coverage = inc.finish(tmp_path / "inc.cdxj")
    path.with_name(path.name + ".open").rename(path)
    assert coverage == {path.name: path.stat().st_size}
    assert (tmp_path / "inc.cdxj").read_bytes() == reference_index(snap, tmp_path)


def test_a_range_past_the_end_of_the_file_is_an_error(tmp_path):
    snap, infos, _ = write_open_snapshot(tmp_path / "archive")
    inc = IncrementalCdxj(snap.path / "warcs")
    with pytest.raises(ValueError, match="expected"):
        inc.advance(infos[0]["warc_file"], infos[0]["warc_end"] + 10**6)


def test_close_uses_a_prebuilt_index_only_if_it_covers_every_file(tmp_path):
    archive = tmp_path / "archive"
    snap, infos, _ = write_open_snapshot(archive)
    reference = reference_index(snap, tmp_path)
    inc = IncrementalCdxj(snap.path / "warcs")
    prebuilt = snap.path / "state" / "index.cdxj"
    coverage = inc.finish(prebuilt)

    # One byte short of one file: not the finished files, so the close indexes them itself.
    stale = dict(coverage)
    first = sorted(stale)[0]
    stale[first] -= 1
    backup = tmp_path / "prebuilt.cdxj"
    shutil.copy(prebuilt, backup)
    prebuilt.write_text("garbage that must not become the index\n", encoding="utf-8")
    copy_archive = tmp_path / "copy"
    shutil.copytree(archive, copy_archive)
    close_snapshot(copy_archive, "S1", prebuilt_index=(
        copy_archive / "snapshots" / "S1" / "state" / "index.cdxj", stale))
    assert (copy_archive / "snapshots" / "S1" / "indexes" / "index.cdxj").read_bytes() == reference

    # The real coverage: the prebuilt file becomes the index as it is.
    shutil.copy(backup, prebuilt)
    manifest = close_snapshot(archive, "S1", prebuilt_index=(prebuilt, coverage))
    assert snap.index_path.read_bytes() == reference
    assert manifest["stats"]["captures"] == len(infos)
    assert not (snap.path / "state").exists()


def test_dataset_worker_builds_the_index_from_capture_ends(tmp_path):
    snap, infos, _ = write_open_snapshot(tmp_path / "archive")
    index_path = snap.path / "state" / "index.cdxj"
    writer = BackgroundDatasetWriter(tmp_path / "datasets", "S1", batch_size=4,
                                     warcs_dir=snap.path / "warcs", index_path=index_path)
    for info in infos:
        writer.add(info, None)
    counts = writer.close()
    assert counts["pages"] == len(infos)
    assert writer.index_error is None
    assert writer.index_coverage == {p.name: p.stat().st_size for p in snap.warc_files()}
    assert index_path.read_bytes() == reference_index(snap, tmp_path)


def test_dataset_worker_index_failure_leaves_the_datasets_alone(tmp_path):
    snap, infos, _ = write_open_snapshot(tmp_path / "archive")
    bad = [dict(info) for info in infos]
    bad[2]["warc_end"] += 10**9  # far past the end of its file
    writer = BackgroundDatasetWriter(tmp_path / "datasets", "S1", batch_size=4,
                                     warcs_dir=snap.path / "warcs",
                                     index_path=snap.path / "state" / "index.cdxj")
    for info in bad:
        writer.add(info, None)
    assert writer.close()["pages"] == len(infos)
    assert writer.index_coverage is None
    assert "expected" in writer.index_error
    assert not (snap.path / "state" / "index.cdxj").exists()
