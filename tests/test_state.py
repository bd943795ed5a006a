"""The portal's state as of a snapshot (audit.state) and the diff of states (audit.state_diff).

Three closed snapshots written by the real DatasetWriter (helpers of test_diff.py), shaped as
nightly runs make them: A a full night, B and C incremental nights that re-fetched a few items.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lxml import html as lxml_html
from test_diff import article, article_url, build_snapshot, document, document_url, page

from audit.diff_report import render, summary_line
from audit.state import StateError, build_state, portal_state, state_dir, write_state
from audit.state_diff import diff_states
from pipelines.loader import load_table
from portal_archive.cli import main

A, B, C = "20261126T020000Z", "20261127T020000Z", "20261128T020000Z"


@pytest.fixture
def archive(tmp_path):
    # A: full night, articles 1-5 and document 101.
    build_snapshot(tmp_path, A, [page(article_url(k), article(k)) for k in range(1, 6)]
                   + [page(document_url(101), document(101))])
    # B: re-checked 1 (edited) and 2 (gone, 404), found 6; 3, 4, 5 and 101 not fetched.
    build_snapshot(tmp_path, B, [page(article_url(1), article(1, title="Tiêu đề mới")),
                                 page(article_url(2), None, 404),
                                 page(article_url(6), article(6))])
    # C: re-checked 3 (same), 4 (edited since A), 2 (still gone), 5 (server error), found 7.
    build_snapshot(tmp_path, C, [page(article_url(3), article(3)),
                                 page(article_url(4), article(4, title="Đã sửa")),
                                 page(article_url(7), article(7)),
                                 page(article_url(2), None, 404),
                                 page(article_url(5), None, 503)])
    return tmp_path


def rows(table, *cols):
    return {r[cols[0]]: tuple(r[c] for c in cols[1:]) for r in table.to_pylist()}


def test_state_has_every_item_ever_seen_with_its_last_version_and_status(archive):
    state = build_state(archive, C)
    assert state.snapshots == [A, B, C]
    got = rows(state.articles, "article_id", "status", "snapshot_id", "last_verified_snapshot",
               "first_seen_snapshot", "withdrawn_snapshot", "withdrawn_reason")
    assert got == {
        1: ("not_rechecked", B, B, A, None, None),
        2: ("withdrawn", A, C, A, B, "http_404"),  # version: the last capture before it went
        3: ("present", C, C, A, None, None),
        4: ("present", C, C, A, None, None),
        5: ("not_rechecked", A, A, A, None, None),  # a 503 verifies nothing
        6: ("not_rechecked", B, B, B, None, None),
        7: ("present", C, C, C, None, None),
    }
    titles = rows(state.articles, "article_id", "title")
    assert titles[1] == ("Tiêu đề mới",) and titles[4] == ("Đã sửa",)
    assert rows(state.documents, "document_id", "status") == {101: ("not_rechecked",)}
    # Lineage: the version's own capture, readable with `show` / `warcio extract`.
    one = state.articles.to_pylist()[0]
    assert one["warc_file"].startswith("portal-20261127") and one["warc_record_id"]
    # Child rows are those of each item's version.
    authors = state.children["article_authors"].to_pylist()
    assert sorted(a["article_id"] for a in authors) == [1, 2, 3, 4, 5, 6, 7]
    assert {a["warc_record_id"] for a in authors} == set(
        state.articles.column("warc_record_id").to_pylist())


def test_state_versions_agree_with_duckdb(archive):
    """Each item's version is its latest capture up to the snapshot, as DuckDB finds it."""
    files = [str(archive / "snapshots" / s / "datasets" / "articles.parquet") for s in (A, B)]
    expected = duckdb.connect().execute(f"""
        SELECT article_id, warc_record_id FROM read_parquet({files!r})
        QUALIFY row_number() OVER (PARTITION BY article_id
                                   ORDER BY captured_at DESC, warc_offset DESC) = 1
        ORDER BY article_id""").fetchall()
    state = portal_state(archive, B, "articles")
    assert list(zip(state.column("article_id").to_pylist(),
                    state.column("warc_record_id").to_pylist(), strict=True)) == expected


def test_diff_of_states_lists_not_rechecked_items_apart(archive):
    d = diff_states(archive, B, C)
    assert [i["key"] for i in d["added"]] == [7]
    assert d["removed"] == []  # 2 was gone already in B's state
    (changed,) = d["changed"]
    # 4 was last verified in A: compared with that version, wherever it is.
    assert (changed["key"], changed["fields"], changed["a"]["snapshot_id"]) == (4, ["title"], A)
    assert d["unchanged"] == 1  # 3
    unchecked = {(i["kind"], i["key"]): i for i in d["not_rechecked"]}
    assert set(unchecked) == {("article", 1), ("article", 5), ("article", 6),
                              ("document", 101)}
    assert unchecked[("article", 5)]["last_verified_at"].startswith("2026-11-26")
    assert unchecked[("article", 1)]["last_verified_snapshot"] == B
    s = d["summary"]
    assert (s["not_rechecked"], s["still_withdrawn"]) == (4, 1)
    assert s["oldest_verified"].startswith("2026-11-26")
    assert summary_line(d) == (f"{B} → {C}: 1 added, 0 removed, 1 changed, 1 unchanged "
                               "(re-checked), 4 not re-checked (oldest last verified 2026-11-26)")


def test_diff_across_nights_reports_changes_seen_in_between(archive):
    d = diff_states(archive, A, C)
    assert [i["key"] for i in d["added"]] == [6, 7]
    assert [(i["key"], i["reason"], i["withdrawn_snapshot"]) for i in d["removed"]] == [
        (2, "http_404", B)]
    assert [(i["key"], i["b"]["snapshot_id"]) for i in d["changed"]] == [(1, B), (4, C)]
    assert [(i["kind"], i["key"]) for i in d["not_rechecked"]] == [("article", 5),
                                                                  ("document", 101)]


def test_no_item_an_earlier_snapshot_holds_is_added(tmp_path):
    """A night whose previous snapshot is empty does not make the whole portal 'added'."""
    build_snapshot(tmp_path, A, [page(article_url(k), article(k)) for k in range(1, 4)])
    build_snapshot(tmp_path, B, [])  # e.g. the portal was down all night
    build_snapshot(tmp_path, C, [page(article_url(k), article(k)) for k in range(1, 5)])
    d = diff_states(tmp_path, B, C)
    assert [i["key"] for i in d["added"]] == [4]
    assert d["unchanged"] == 3 and d["not_rechecked"] == []
    empty = diff_states(tmp_path, A, B)
    assert empty["added"] == empty["removed"] == empty["changed"] == []
    assert len(empty["not_rechecked"]) == 3


def test_withdrawn_item_that_comes_back_is_restored_not_added(tmp_path):
    build_snapshot(tmp_path, A, [page(article_url(1), article(1))])
    build_snapshot(tmp_path, B, [page(article_url(1), None, 410)])
    build_snapshot(tmp_path, C, [page(article_url(1), article(1))])
    assert rows(portal_state(tmp_path, B), "article_id", "status", "withdrawn_reason") == {
        1: ("withdrawn", "http_410")}
    d = diff_states(tmp_path, B, C)
    assert d["added"] == [] and [(i["key"], i["restored"]) for i in d["changed"]] == [(1, True)]
    assert rows(portal_state(tmp_path, C), "article_id", "status", "withdrawn_at") == {
        1: ("present", None)}


def test_errors_are_one_line(archive, capsys):
    with pytest.raises(StateError, match="no snapshot 'nope'"):
        build_state(archive, "nope")
    with pytest.raises(StateError, match="after"):
        diff_states(archive, C, A)
    assert main(["diff", C, A, "--archive", str(archive)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(ValueError, match="no state for table"):
        portal_state(archive, C, "pages")


def test_cli_diff_compares_states_and_captures_on_request(archive, capsys):
    assert main(["diff", B, C, "--archive", str(archive), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["compares"] == "states" and out["summary"]["not_rechecked"] == 4
    assert main(["diff", B, C, "--archive", str(archive), "--format", "json",
                 "--captures"]) == 0
    old = json.loads(capsys.readouterr().out)
    # Comparing captures only: B's 1 and 6 look removed (not captured), 3 and 4 look added.
    assert [i["key"] for i in old["added"]] == [3, 4, 7]


def test_html_report_explains_the_policy_and_collapses_not_rechecked(archive, tmp_path):
    out = tmp_path / "report.html"
    assert main(["diff", B, C, "--archive", str(archive), "--out", str(out)]) == 0
    doc = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    cards = [" ".join(c.text_content().split()) for c in doc.get_element_by_id("summary")]
    assert "1unchanged (re-checked)" in cards
    assert "4not re-checked (oldest last verified 2026-11-26)" in cards
    assert "freshness policy" in doc.get_element_by_id("policy").text_content()
    details = doc.get_element_by_id("not-rechecked")
    assert details.tag == "details" and details.get("open") is None
    assert len(details.xpath(".//tr")) == 1 + 4
    md = render(diff_states(archive, B, C), "md")
    assert "## Not re-checked in B (4" in md


def test_loader_state(archive):
    df = load_table("articles", archive, latest=True, state=True)
    assert list(df.article_id) == [1, 2, 3, 4, 5, 6, 7]
    assert dict(zip(df.article_id, df.status, strict=True))[2] == "withdrawn"
    assert str(df.last_verified_at.dtype) == "datetime64[us, UTC]"
    assert df.withdrawn_at.notna().sum() == 1
    as_of_b = load_table("articles", archive, snapshot=B, state=True)
    assert len(as_of_b) == 6 and set(as_of_b.status) == {"present", "withdrawn",
                                                        "not_rechecked"}
    images = load_table("images", archive, snapshot=B, state=True)
    assert sorted(images.article_id) == [1, 2, 3, 4, 5, 6] and "status" in images
    # state=False keeps the captures of the snapshot: only what B fetched.
    assert sorted(load_table("articles", archive, snapshot=B).article_id) == [1, 6]
    with pytest.raises(ValueError, match="no snapshot"):
        load_table("articles", archive, snapshot="20990101T000000Z", state=True)
    with pytest.raises(ValueError, match="one snapshot"):
        load_table("articles", archive, snapshot=[A, B], state=True)
    with pytest.raises(ValueError, match="state=True is for"):
        load_table("pages", archive, state=True)


def test_materialised_state_is_a_rebuildable_cache(archive):
    path = write_state(archive, B)
    assert path == state_dir(archive, B) and (path / "state_articles.parquet").is_file()
    assert portal_state(archive, B).equals(build_state(archive, B).articles)
    # The snapshots themselves are untouched: verify still passes.
    from archive.verify import verify_snapshot
    assert verify_snapshot(archive, B).ok
    # A stale cache (built from other snapshots) is ignored, not trusted.
    (path / "built_from.txt").write_text(A + "\n")
    assert portal_state(archive, B).num_rows == 6


def test_state_columns_are_documented_in_schema_md():
    from test_datasets_docs import documented_columns, sections

    from audit.state import STATE_FIELDS

    docs = documented_columns(next(v for k, v in sections().items() if k.startswith("State")))
    assert list(docs) == [f.name for f in STATE_FIELDS]
    for f in STATE_FIELDS:
        assert docs[f.name].startswith(str(f.type).split("[")[0]), f.name
        assert docs[f.name].endswith(", null") == f.nullable, f.name


def test_reading_only_the_row_groups_that_hold_the_versions(tmp_path):
    from audit.state import _read_rows

    table = pa.table({"k": pa.array(range(5000)), "text": [f"bài {i}" for i in range(5000)]})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=500)
    for rows in ([3, 4999, 2500, 2501, 0], [1200], list(range(0, 5000, 7))):
        wanted = np.array(rows)
        read, renumber = _read_rows(path, wanted, None)
        assert read.take(pa.array(renumber(wanted))).equals(table.take(pa.array(wanted)))
    read, _ = _read_rows(path, np.array([1200]), ["text", "missing"])
    assert read.num_rows == 500 and read.column_names == ["text", "missing"]


def test_document_whose_id_changed_is_matched_by_number(tmp_path):
    build_snapshot(tmp_path, A, [page(document_url(7), document(7))])
    moved = document(70, number="7/CT-UBND", title="Chỉ thị về quản lý (sửa đổi)")
    build_snapshot(tmp_path, B, [page(document_url(70), moved)])
    d = diff_states(tmp_path, A, B)
    assert d["added"] == [] and d["not_rechecked"] == []
    (item,) = d["changed"]
    assert (item["key"], item["key_a"], item["matched_by"], item["fields"]) == (
        70, 7, "number", ["title"])
