"""`extract` never changes a closed snapshot: into an existing id it is refused; with --force it
writes a new, separately named dataset version, and a damaged WARC leaves every file as it was;
a new id extracted from a damaged WARC is `aborted`, not `closed`.

The archive is one snapshot written by SnapshotWarcWriter from `archive.samples` (30 articles),
its datasets built before closing as a resumed crawl builds them, then closed (every file hashed
in the manifest). The commands run as users run them: the `portal-archive` CLI in a subprocess.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from e2e import cli, tree_state

from archive.dedup import DedupIndex
from archive.samples import sample_captures
from archive.snapshot import close_snapshot, create_snapshot
from archive.warc import SnapshotWarcWriter
from pipelines.extract import extract_warcs

SID = "20261127T192512Z"


def closed_snapshot(root: Path, sid: str) -> Path:
    snap = create_snapshot(root, sid, profile="nukeviet4", seeds=["http://127.0.0.1:8080/"])
    with DedupIndex(root / "dedup.sqlite3") as idx:
        writer = SnapshotWarcWriter(snap.path, sid, "127.0.0.1:8080", dedup=idx,
                                    archive_root=root)
        for capture in sample_captures(n_articles=30):
            writer.write_capture(capture)
        writer.close()
        result = extract_warcs(snap.warc_files(), sid, archive_root=root, jobs=1,
                               progress=False)
        assert result.errors == [] and result.counts["articles"] == 31
        close_snapshot(root, sid, dedup=idx)
    return snap.path


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "archive"
    snap_dir = closed_snapshot(root, SID)
    (warc,) = sorted((snap_dir / "warcs").glob("*.warc.gz"))
    data = warc.read_bytes()
    bad = tmp_path / "cut.warc.gz"  # a copy cut in the middle of a record, as a failed transfer
    bad.write_bytes(data[: len(data) // 2])
    return root, snap_dir, warc, bad


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def articles(datasets: Path) -> int:
    return pq.read_table(datasets / "articles.parquet").num_rows


def test_extract_into_a_closed_snapshot_is_refused_and_changes_nothing(archive):
    root, snap_dir, _, bad = archive
    before = tree_state(root)
    done = cli("extract", str(bad), "--snapshot", SID, "--archive", str(root), check=False)
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert f"snapshot {SID} already exists and is closed" in line
    assert "immutable" in line and "--force" in line
    assert tree_state(root) == before
    assert articles(snap_dir / "datasets") == 31
    cli("verify", SID, "--archive", str(root))


def test_force_with_a_damaged_warc_leaves_every_file_as_it_was(archive):
    root, _, _, bad = archive
    before = tree_state(root)
    done = cli("extract", str(bad), "--snapshot", SID, "--archive", str(root), "--force",
               "--jobs", "1", check=False)
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert line.startswith("portal-archive extract: error: cut.warc.gz: unreadable WARC record "
                           "at offset ")
    assert f"no dataset version written, snapshot {SID} is unchanged" in line
    assert tree_state(root) == before  # not even an empty extracts/ folder
    cli("verify", SID, "--archive", str(root))


def test_force_writes_a_new_dataset_version_beside_the_snapshot(archive):
    root, snap_dir, warc, _ = archive
    before = tree_state(root)
    done = cli("extract", str(warc), "--snapshot", SID, "--archive", str(root), "--force",
               "--jobs", "1")
    (version,) = (snap_dir / "extracts").iterdir()
    assert f"new dataset version {version} (snapshot {SID} unchanged)" in done.stdout
    after = tree_state(root)
    assert {k: v for k, v in after.items() if not k.startswith(f"snapshots/{SID}/extracts")} \
        == before
    assert articles(version) == 31
    assert (pq.read_table(version / "pages.parquet").sort_by("warc_offset")
            .equals(pq.read_table(snap_dir / "datasets" / "pages.parquet")
                    .sort_by("warc_offset")))
    info = json.loads((version / "extract.json").read_text())
    assert info["snapshot_id"] == SID and info["version"] == version.name
    assert info["counts"]["articles"] == 31
    assert {f["path"] for f in info["files"]} == {p.name for p in version.glob("*.*")} - {
        "extract.json"}
    # verify checks the version against its own extract.json, and the snapshot as before
    ok = cli("verify", SID, "--archive", str(root))
    assert f"extracts/{version.name}/: dataset version" in ok.stdout
    (version / "articles.csv").write_bytes(b"edited")
    failed = cli("verify", SID, "--archive", str(root), check=False)
    assert failed.returncode == 1
    assert f"extracts/{version.name}/articles.csv" in failed.stdout


def test_a_new_snapshot_from_a_damaged_warc_is_aborted_not_closed(archive):
    root, _, _, bad = archive
    done = cli("extract", str(bad), "--snapshot", "foreign", "--archive", str(root),
               "--jobs", "1", check=False)
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert "unreadable WARC record at offset" in line
    assert "snapshot foreign is marked aborted" in line
    manifest = json.loads((root / "snapshots" / "foreign" / "manifest.json").read_text())
    assert manifest["status"] == "aborted" and manifest["note"] == "extracted"
    assert "unreadable WARC record" in manifest["abort_reason"]
    listing = json.loads(cli("snapshots", "--archive", str(root), "--json").stdout)
    assert {s["snapshot_id"]: s["status"] for s in listing} == {SID: "closed",
                                                                "foreign": "aborted"}
    # the good records before the damage are kept as evidence, hashed in the manifest
    assert 0 < articles(root / "snapshots" / "foreign" / "datasets") < 31
    assert any(f["path"] == "datasets/articles.parquet" for f in manifest["files"])
    # never a diff base: `latest` still names the closed snapshot
    diff = cli("diff", SID, "latest", "--archive", str(root), "--format", "json")
    assert json.loads(diff.stdout)["b"] == SID


def test_a_new_snapshot_from_good_warcs_is_closed_with_its_files_hashed(archive):
    root, _, warc, _ = archive
    cli("extract", str(warc), "--snapshot", "copy", "--archive", str(root), "--jobs", "1")
    manifest = json.loads((root / "snapshots" / "copy" / "manifest.json").read_text())
    assert manifest["status"] == "closed" and manifest["stats"]["captures"] == 35
    assert any(f["path"] == "datasets/articles.parquet" for f in manifest["files"])
    assert not [p for p in (root / "snapshots").iterdir() if p.name.startswith(".")]
    done = cli("verify", "copy", "--archive", str(root))
    assert "manifest lists no files" not in done.stdout


def test_extract_into_another_archive_finds_originals_in_the_source_archive(archive, tmp_path):
    """A later snapshot's unchanged pages are revisits: their content is in the earlier
    snapshot, found through the dedup index of the archive the WARCs sit in."""
    root, _, _, _ = archive
    later = closed_snapshot(root, "20261128T192512Z")
    warcs = sorted((later / "warcs").glob("*.warc.gz"))
    other = tmp_path / "other"
    done = cli("extract", *map(str, warcs), "--snapshot", "later", "--archive", str(other),
               "--jobs", "1")
    assert "warning" not in done.stderr
    datasets = other / "snapshots" / "later" / "datasets"
    pages = pq.read_table(datasets / "pages.parquet").to_pylist()
    assert sum(p["record_type"] == "revisit" for p in pages) >= 30
    assert articles(datasets) == 31
    assert articles(datasets) == articles(later / "datasets")
