"""The notebook loader across snapshots, latest=True, dtypes, errors, and the DuckDB recipe."""

from __future__ import annotations

import copy

import pandas as pd
import pyarrow as pa
import pytest
from test_datasets_writer import ARTICLE_URL, capture, document_parse, seed_parse

from pipelines.datasets import DatasetWriter
from pipelines.loader import list_snapshots, load_table

OLD, NEW = "20261126T020000Z", "20261127T020000Z"


def url_of(article_id):
    return ARTICLE_URL.replace("1234", str(article_id))


@pytest.fixture
def archive(tmp_path):
    """Two snapshots: article 1 edited (and re-authored) in NEW, article 2 only in OLD,
    article 3 only in NEW; views changed between them."""
    for snap, day, versions in (
        (OLD, "26", {1: ("Bản cũ", ["Thúy Vân", "Minh Anh"], 100), 2: ("Chỉ có ở bản cũ", [], 5)}),
        (NEW, "27", {1: ("Bản mới", ["Thúy Vân"], 180), 3: ("Bài mới", ["Hoàng Lan"], 1)}),
    ):
        w = DatasetWriter(tmp_path / "snapshots" / snap / "datasets", snap)
        for i, (aid, (title, authors, views)) in enumerate(versions.items()):
            parsed = copy.deepcopy(seed_parse(aid, url_of(aid)))
            parsed["article"].update(title=title, views=views,
                                     authors=[{"name": a, "organization": None} for a in authors])
            cap = capture(i, url=url_of(aid), snapshot_id=snap,
                          captured_at=f"2026-11-{day}T02:00:0{i}Z")
            w.add(cap, parsed)
        w.add(capture(7, url="http://127.0.0.1:8080/vi/laws/detail/x-87/", snapshot_id=snap,
                      captured_at=f"2026-11-{day}T02:01:00Z"), document_parse())
        w.close()
    (tmp_path / "snapshots" / "20261128T020000Z").mkdir()  # open crawl, no datasets yet
    return tmp_path


def test_list_snapshots_only_those_with_datasets(archive):
    assert list_snapshots(archive) == [OLD, NEW]


def test_all_snapshots_in_one_frame_with_snapshot_id(archive):
    df = load_table("articles", archive=archive)
    assert list(zip(df.snapshot_id, df.article_id, strict=True)) == [
        (OLD, 1), (OLD, 2), (NEW, 1), (NEW, 3)]
    assert load_table("articles", archive=archive, snapshot="all").equals(df)
    one = load_table("articles", archive=archive, snapshot=NEW)
    assert set(one.snapshot_id) == {NEW} and len(one) == 2


def test_dtypes_are_typed(archive):
    df = load_table("articles", archive=archive)
    assert df["article_id"].dtype == "Int64" and df["views"].dtype == "Int64"
    assert str(df["captured_at"].dt.tz) == "UTC"
    assert str(df["published_at"].dt.tz) == "Asia/Ho_Chi_Minh"
    assert df["published_at"].iloc[0] == pd.Timestamp("2015-03-25T09:21:00+07:00")
    assert isinstance(df["tags"].dtype, pd.ArrowDtype)
    assert df["tags"].iloc[0] == ["hệ thống chính trị", "cơ sở|xã"]
    docs = load_table("documents", archive=archive)
    assert docs["issued_on"].dtype == pd.ArrowDtype(pa.date32())
    assert docs["expires_on"].isna().all()


def test_latest_keeps_the_newest_version_of_each_article(archive):
    df = load_table("articles", archive=archive, latest=True)
    got = {r.article_id: (r.snapshot_id, r.title, r.views) for r in df.itertuples()}
    assert got == {1: (NEW, "Bản mới", 180), 2: (OLD, "Chỉ có ở bản cũ", 5),
                   3: (NEW, "Bài mới", 1)}


def test_latest_child_rows_come_from_the_latest_capture_only(archive):
    authors = load_table("article_authors", archive=archive, latest=True)
    got = sorted(zip(authors.article_id, authors["name"], authors.snapshot_id, strict=True))
    # article 1 lost "Minh Anh" in NEW: the old author row must not survive
    assert got == [(1, "Thúy Vân", NEW), (3, "Hoàng Lan", NEW)]
    docs = load_table("documents", archive=archive, latest=True)
    assert list(docs.snapshot_id) == [NEW]
    files = load_table("document_files", archive=archive, latest=True)
    assert list(files.position) == [1, 2] and set(files.snapshot_id) == {NEW}


def test_clear_errors(archive, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown table 'article'.*articles"):
        load_table("article", archive=archive)
    with pytest.raises(ValueError, match=f"unknown snapshot 2020.*available: {OLD}, {NEW}"):
        load_table("articles", archive=archive, snapshot="2020")
    with pytest.raises(FileNotFoundError, match="no snapshot with datasets"):
        load_table("articles", archive=tmp_path / "empty")
    monkeypatch.setenv("PORTAL_ARCHIVE_HOME", str(archive))
    assert len(load_table("pages")) == 6  # default archive from the environment


def test_duckdb_recipe_from_docs_reads_the_same_files(archive):
    duckdb = pytest.importorskip("duckdb")
    # docs/datasets.md, "DuckDB": latest version of each article across snapshots
    con = duckdb.connect()
    rows = con.execute(
        """
        SELECT article_id, snapshot_id, title, views
        FROM read_parquet(? || '/snapshots/*/datasets/articles.parquet')
        QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY captured_at DESC) = 1
        ORDER BY article_id
        """,
        [str(archive)],
    ).fetchall()
    assert rows == [(1, NEW, "Bản mới", 180), (2, OLD, "Chỉ có ở bản cũ", 5),
                    (3, NEW, "Bài mới", 1)]


def test_pyarrow_dataset_recipe_from_docs(archive):
    import pyarrow.dataset as ds

    # docs/datasets.md, "pyarrow"
    dataset = ds.dataset(sorted(archive.glob("snapshots/*/datasets/articles.parquet")))
    table = dataset.to_table(columns=["snapshot_id", "article_id", "views"],
                             filter=ds.field("views") > 50)
    assert sorted(table.column("article_id").to_pylist()) == [1, 1]


def test_duckdb_top_authors_recipe_from_docs(archive):
    duckdb = pytest.importorskip("duckdb")
    glob = str(archive / "snapshots" / "*" / "datasets")
    rows = duckdb.connect().execute(f"""
        SELECT a.name, count(*) AS articles
        FROM read_parquet('{glob}/article_authors.parquet') a
        JOIN (SELECT article_id, max(captured_at) AS captured_at
              FROM read_parquet('{glob}/articles.parquet')
              GROUP BY article_id) l USING (article_id, captured_at)
        GROUP BY a.name ORDER BY articles DESC, a.name LIMIT 10
    """).fetchall()
    assert rows == [("Hoàng Lan", 1), ("Thúy Vân", 1)]


def test_csv_recipe_from_docs(archive):
    import json

    path = archive / "snapshots" / NEW / "datasets" / "articles.csv"
    df = pd.read_csv(path, encoding="utf-8-sig", parse_dates=["captured_at", "published_at"])
    df["tags"] = df["tags"].map(json.loads)
    typed = load_table("articles", archive=archive, snapshot=NEW)
    assert list(df.title) == list(typed.title)
    assert list(df.tags) == [list(t) for t in typed.tags]
    assert (df.published_at == typed.published_at).all()
    assert list(typed.tags.list.len()) == [2, 2]
