"""End to end: crawl the replica, and every attachment it serves is in `attachment_texts` with
its ground-truth text, or in `rejects` with the reason; `extract` gives the same rows.

Checked with tools we did not write: DuckDB reads the tables, warcio the WARC records that the
lineage names, and the ground truth comes from `portal-archive replica --attachments`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from e2e import cli, crawl, replica_args, replica_process, snapshot_ids
from test_attachment_text import char_ratio, found_sentences, need, tesseract_vie
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.slow

ARGS = replica_args(articles=40, extra=("--documents", "20"))
REASONS = {"truncated": "truncated PDF", "encrypted": "encrypted PDF",
           "notpdf": "not a PDF: the content is an HTML page"}


def rows(datasets: Path, sql: str) -> list[dict]:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    for table in ("attachment_texts", "rejects"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM "
                    f"read_parquet('{datasets / (table + '.parquet')}')")
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    need("antiword")
    tesseract_vie()
    archive = tmp_path_factory.mktemp("archive")
    with replica_process(*ARGS) as base:
        crawl(base, archive)
        port = base.rstrip("/").rsplit(":", 1)[1]
        truth = json.loads(cli("replica", "--port", port, *ARGS, "--attachments").stdout)
    (sid,) = snapshot_ids(archive)
    return archive, sid, truth


def test_every_attachment_is_a_text_row_or_a_reject(crawled):
    archive, sid, truth = crawled
    datasets = archive / "snapshots" / sid / "datasets"
    texts = {r["url"]: r for r in rows(datasets, "SELECT * FROM attachment_texts")}
    rejects = {r["url"]: r for r in rows(
        datasets, "SELECT * FROM rejects WHERE \"table\" = 'attachment_texts'")}
    assert len(texts) == len(rows(datasets, "SELECT url FROM attachment_texts"))  # once each
    assert set(texts) | set(rejects) == {t["url"] for t in truth}
    assert not set(texts) & set(rejects)
    for t in truth:
        if t["broken"]:
            assert rejects[t["url"]]["reason"].startswith(REASONS[t["kind"]]), t
            continue
        row = texts[t["url"]]
        if t["kind"] == "scan":
            assert row["method"] == "ocr" and row["ocr_pages"] == row["pages"] == 1
            assert found_sentences(t["key_sentences"], row["text"]) >= 0.9
        else:
            assert char_ratio(t["text"], row["text"]) >= 0.99, t["url"]
        assert row["language"] == "vi" and row["characters"] == len(row["text"])
        # the page that links it: its document or article, and the name it shows
        owner = row["document_id"] if t["owner"] == "document" else row["article_id"]
        assert owner == t["key"] and row["name"] == t["name"]
        assert row["linked_from"] == t["page_url"]
    methods = {r["method"] for r in texts.values()}
    assert methods == {"text-layer", "ocr", "docx", "doc", "rtf"}


def test_lineage_names_the_attachments_own_record(crawled):
    archive, sid, _ = crawled
    datasets = archive / "snapshots" / sid / "datasets"
    for row in rows(datasets, "SELECT url, warc_file, warc_offset, warc_record_id, "
                              "payload_digest FROM attachment_texts"):
        with open(archive / "snapshots" / sid / "warcs" / row["warc_file"], "rb") as fh:
            fh.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            headers = record.rec_headers
            assert headers.get_header("WARC-Target-URI") == row["url"]
            assert headers.get_header("WARC-Record-ID") == row["warc_record_id"]
            assert headers.get_header("WARC-Payload-Digest") == row["payload_digest"]


def test_extract_gives_the_same_rows(crawled, tmp_path):
    archive, sid, _ = crawled
    warcs = sorted((archive / "snapshots" / sid / "warcs").glob("*.warc.gz"))
    copies = tmp_path / "warcs"
    copies.mkdir()
    for w in warcs:
        shutil.copy(w, copies / w.name)
    other = tmp_path / "other"
    cli("extract", *[str(copies / w.name) for w in warcs], "--snapshot", sid,
        "--archive", str(other), "--jobs", "2")
    sql = ("SELECT * EXCLUDE (seconds) FROM attachment_texts ORDER BY warc_file, warc_offset")
    crawled_rows = rows(archive / "snapshots" / sid / "datasets", sql)
    assert crawled_rows == rows(other / "snapshots" / sid / "datasets", sql)
    sql = "SELECT * FROM rejects ORDER BY warc_file, warc_offset"
    assert rows(archive / "snapshots" / sid / "datasets", sql) == \
        rows(other / "snapshots" / sid / "datasets", sql)


def test_extract_shares_one_file_between_jobs(crawled, tmp_path):
    """The snapshot is one WARC: `extract --jobs 2` cuts it by its CDXJ offsets, and every
    table comes out as the crawl wrote it (sorted by lineage, reading time aside). Last in
    this file: it adds a dataset version beside the closed snapshot's datasets (--force)."""
    from pipelines import extract as ex

    archive, sid, _ = crawled
    snap = archive / "snapshots" / sid
    warcs = sorted((snap / "warcs").glob("*.warc.gz"))
    assert len(warcs) == 1
    records = ex.indexed_records(warcs)[warcs[0]]
    job = ex._FileJob(warcs[0], sid, archive, tmp_path, None, records)
    shares = ex._share_out([job], 2)
    assert len(shares) == 2 * ex._SHARES_PER_JOB
    assert [line for share in shares for line in share.records] == records
    assert [s.span for s in shares][0][0] == 0 and shares[-1].span[1] is None
    assert all(a.span[1] == b.span[0] for a, b in zip(shares, shares[1:], strict=False))
    assert sum(s.size() for s in shares) == warcs[0].stat().st_size

    before = snap / "datasets"
    cli("extract", str(warcs[0]), "--snapshot", sid, "--archive", str(archive), "--jobs", "2",
        "--force")
    (after,) = (snap / "extracts").iterdir()
    for table in ("pages", "articles", "documents", "document_files", "document_listings",
                  "attachment_texts", "rejects"):
        exclude = " EXCLUDE (seconds)" if table == "attachment_texts" else ""
        keys = "warc_file, warc_offset" + (
            ", block, position" if table == "document_listings" else
            ", position" if table == "document_files" else "")
        sql = f"SELECT *{exclude} FROM read_parquet('{{}}') ORDER BY {keys}"
        assert parquet_rows(before / f"{table}.parquet", sql) == \
            parquet_rows(after / f"{table}.parquet", sql), table


def parquet_rows(path: Path, sql: str) -> list[tuple]:
    duckdb = pytest.importorskip("duckdb")
    return duckdb.connect().execute(sql.format(path)).fetchall()
