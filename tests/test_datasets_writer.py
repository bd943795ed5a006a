"""DatasetWriter, row building, validation and normalization, on parse dicts shaped as issue 3."""

from __future__ import annotations

import copy
import json
import random
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipelines import normalize as n
from pipelines.datasets import DatasetWriter
from pipelines.rows import build_rows
from pipelines.schema import LINEAGE_COLUMNS, SCHEMAS, TABLES
from pipelines.selection import wants_parse
from pipelines.validate import ValidationError

SNAP = "20261127T192512Z"
ARTICLE_URL = ("http://127.0.0.1:8080/vi/news/tin-tuc-su-kien/"
               "tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-1234.html")


def capture(i: int = 0, **over) -> dict:
    """A capture_info dict as archive.warc.SnapshotWarcWriter returns it (contract 5)."""
    info = {
        "snapshot_id": SNAP,
        "captured_at": f"2026-11-27T19:25:{12 + i % 40:02d}.123456Z",
        "warc_file": "portal-20261127192512000-00000-127.0.0.1-8080.warc.gz",
        "warc_offset": 1000 + 5000 * i,
        "warc_record_id": f"<urn:uuid:00000000-0000-4000-8000-{i:012d}>",
        "payload_digest": f"sha1:{i:032d}",
        "url": ARTICLE_URL,
        "status": 200,
        "content_type": "text/html; charset=utf-8",
        "record_type": "response",
        "length": 4821,
    }
    info.update(over)
    return info


def seed_parse(article_id: int = 1234, url: str = ARTICLE_URL) -> dict:
    """The seed article of PORTAL.md as parse_page returns it (issue 3, item 8)."""
    return {
        "url": url,
        "page_type": "article",
        "article": {
            "article_id": article_id,
            "url": url,
            "title": "Tiếp tục quan tâm củng cố hệ thống chính trị cơ sở",
            "published_at": "2015-03-25T09:21:00+07:00",
            "published_raw": "Thứ tư - 25/03/2015 09:21",
            "views": 349,
            "comments": 0,
            "summary": "Trong những năm qua, thực hiện Nghị quyết Trung ương 6 (khóa X)…",
            "body_text": "Trong những năm qua, thực hiện Nghị quyết.\n\nChất lượng học tập được "
                         "nâng lên.",
            "body_html": "<p>Trong những năm qua, thực hiện Nghị quyết.</p>\n<p>Chất lượng…</p>",
            "authors": [{"name": "Thúy Vân", "organization": "Văn phòng Tỉnh ủy"}],
            "source": None,
            "images": [
                {"src": "http://127.0.0.1:8080/uploads/news/2015_03/lop-boi-duong.jpg",
                 "alt": "Lớp bồi dưỡng nghiệp vụ QLNN",
                 "caption": "Lớp bồi dưỡng nghiệp vụ QLNN cho công chức, viên chức tại huyện "
                            "Than Uyên năm 2014",
                 "credit": "TP"},
                {"src": "http://127.0.0.1:8080/uploads/news/2015_03/hoi-nghi.jpg",
                 "alt": "5 3 15", "caption": "Hội nghị triển khai nhiệm vụ năm 2015",
                 "credit": "AT"},
            ],
            "tags": ["hệ thống chính trị", "cơ sở|xã"],
            "category": "Tin tức - Sự kiện",
            "breadcrumbs": [{"title": "Trang nhất", "url": "http://127.0.0.1:8080/vi/"},
                            {"title": "Tin tức - Sự kiện",
                             "url": "http://127.0.0.1:8080/vi/news/tin-tuc-su-kien/"}],
            "rating": {"score": 0, "votes": 0},
            "attachments": [],
            "related": [{"url": "http://127.0.0.1:8080/vi/news/tin-tuc-su-kien/hoi-nghi-1230.html",
                         "title": "Hội nghị tổng kết", "date": "2015-03-20"}],
        },
        "document": None,
        "listing": None,
        "sidebar_documents": [
            {"number": "17/CT-UBND", "title": "Chỉ thị về tăng cường công tác quản lý",
             "views": 424, "downloads": 9,
             "url": "http://127.0.0.1:8080/vi/laws/detail/chi-thi-17-ct-ubnd-87/"},
        ],
    }


def document_parse(document_id: int = 87) -> dict:
    url = f"http://127.0.0.1:8080/vi/laws/detail/chi-thi-17-ct-ubnd-{document_id}/"
    return {
        "url": url, "page_type": "document_detail", "article": None, "listing": None,
        "document": {
            "document_id": document_id, "url": url, "number": "17/CT-UBND", "serial": 17,
            "type_code": "CT", "issuer_code": "UBND",
            "title": "Chỉ thị về tăng cường công tác quản lý", "summary": "Về việc …",
            "issued_on": "2015-03-20", "effective_on": "20/03/2015", "expires_on": "...",
            "doc_type": "Chỉ thị", "field": "Hành chính", "issuer": "UBND tỉnh",
            "signer": "Nguyễn Văn A",
            "attachments": [{"url": url + "?download=1&id=0", "name": "17-ct-ubnd.pdf"},
                            {"url": url + "?download=1&id=1", "name": "phu-luc.docx"}],
            "body_text": "Nội dung chỉ thị.",
        },
        "sidebar_documents": [],
    }


def listing_parse() -> dict:
    url = "http://127.0.0.1:8080/vi/laws/chi-thi/"
    return {
        "url": url, "page_type": "document_listing", "article": None, "document": None,
        "listing": {"items": [
            {"number": "17/CT-UBND", "title": "Chỉ thị 17", "issued_on": "2015-03-20",
             "url": "http://127.0.0.1:8080/vi/laws/detail/chi-thi-17-ct-ubnd-87/"},
            {"number": "3600/UBND-VX", "title": "Công văn 3600", "issued_on": "02/12/2014",
             "url": "http://127.0.0.1:8080/vi/laws/detail/cong-van-3600-86/"},
        ], "next_page": url + "page-2/"},
        "sidebar_documents": [],
    }


def read(out, table):
    return pq.read_table(out / f"{table}.parquet")


# -- normalize / validate ----------------------------------------------------------------------
def test_text_is_nfc_and_whitespace_collapsed():
    nfd = unicodedata.normalize("NFD", "  Tiếp tục\u00a0 quan\ttâm \n")
    assert n.text(nfd) == "Tiếp tục quan tâm"
    assert unicodedata.is_normalized("NFC", n.text(nfd))
    assert n.block("Đoạn  một \n\n\n  Đoạn hai ") == "Đoạn một\nĐoạn hai"
    assert n.text("   ") is None


def _block_by_definition(value):
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = (" ".join(line.split()) for line in value.split("\n"))
    return "\n".join(line for line in lines if line) or None


def test_block_agrees_with_its_definition_on_any_whitespace():
    # Whatever the input (Unicode spaces, CR, combining marks), the result is what
    # normalising, splitting and joining every line gives.
    pieces = ["Đoạn", "một", "e\u0301", " ", "  ", "\n", "\n\n", "\r", "\r\n", "\t", "\xa0",
              "\u2003", "\u2028", "\x85", "\x1c", "\x0b"]
    rng = random.Random(5)
    for _ in range(20000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert n.block(value) == _block_by_definition(value), repr(value)
    assert n.block("Dòng một\nDòng hai có chữ\nDòng ba") == "Dòng một\nDòng hai có chữ\nDòng ba"


@pytest.mark.parametrize("raw,expected", [
    ("2015-03-25", date(2015, 3, 25)), ("25/03/2015", date(2015, 3, 25)),
    ("5/3/2015", date(2015, 3, 5)), ("...", None), ("", None), (None, None)])
def test_day(raw, expected):
    assert n.day(raw) == expected


@pytest.mark.parametrize("raw", ["2015-03-25+0709:21:00", "32/13/2015", "hôm qua"])
def test_bad_dates_raise(raw):
    with pytest.raises(ValidationError):
        n.day(raw) if "/" in raw or " " in raw else n.portal_timestamp(raw)


def test_breadcrumbs_from_dicts_or_titles():
    assert n.crumbs(["Trang nhất", {"title": " Tin  tức ", "url": "/vi/news/"}, {"url": "/x"}]) \
        == [{"title": "Trang nhất", "url": None}, {"title": "Tin tức", "url": "/vi/news/"}]


def test_integer_coercion():
    assert n.integer("1.234") == 1234
    assert n.integer(" 424 ") == 424
    for bad in ("12a", True, 1.5, [1]):
        with pytest.raises(ValidationError):
            n.integer(bad)


def test_naive_portal_time_is_vietnam_time():
    got = n.portal_timestamp("2015-03-25T09:21:00")
    assert got.utcoffset() == timedelta(hours=7)
    assert n.timestamp("2026-11-27T19:25:12Z") == datetime(2026, 11, 27, 19, 25, 12, tzinfo=UTC)


# -- rows --------------------------------------------------------------------------------------
def test_seed_article_rows():
    rows = build_rows(capture(), seed_parse(), SNAP)
    (art,) = rows["articles"]
    assert art["article_id"] == 1234
    assert art["published_at"] == datetime(2015, 3, 25, 9, 21, tzinfo=timezone(timedelta(hours=7)))
    assert art["published_raw"] == "Thứ tư - 25/03/2015 09:21"
    assert (art["views"], art["comments"], art["rating_votes"]) == (349, 0, 0)
    assert art["related"][0]["date"] == date(2015, 3, 20)
    assert [c["title"] for c in art["breadcrumbs"]] == ["Trang nhất", "Tin tức - Sự kiện"]
    assert art["body_text"].splitlines()[1] == "Chất lượng học tập được nâng lên."
    assert art["body_html"].startswith("<p>")
    assert rows["article_authors"] == [{**{k: art[k] for k in LINEAGE_COLUMNS},
                                        "article_id": 1234, "position": 1, "name": "Thúy Vân",
                                        "organization": "Văn phòng Tỉnh ủy", "item_key": "1234"}]
    assert art["item_key"] == "1234"  # the NukeViet id, as text (issue 14)
    assert [i["credit"] for i in rows["images"]] == ["TP", "AT"]
    (side,) = rows["document_listings"]
    assert (side["block"], side["document_id"], side["downloads"]) == ("sidebar", 87, 9)
    (page,) = rows["pages"]
    assert (page["content_type"], page["page_type"], page["article_id"]) == (
        "text/html", "article", 1234)
    assert rows["rejects"] == []
    for table, table_rows in rows.items():
        for row in table_rows:
            assert list(row) == SCHEMAS[table].names, table
            assert row["warc_file"].endswith(".warc.gz") and row["snapshot_id"] == SNAP


def test_document_rows_split_number_dates_and_files():
    rows = build_rows(capture(url="http://127.0.0.1:8080/vi/laws/detail/x-87/"),
                      document_parse(), SNAP)
    (doc,) = rows["documents"]
    assert (doc["serial"], doc["type_code"], doc["issuer_code"]) == (17, "CT", "UBND")
    assert doc["issued_on"] == date(2015, 3, 20) and doc["effective_on"] == date(2015, 3, 20)
    assert doc["expires_on"] is None and doc["expires_raw"] == "..."
    assert [f["position"] for f in rows["document_files"]] == [1, 2]
    assert {f["number"] for f in rows["document_files"]} == {"17/CT-UBND"}


def test_listing_rows():
    rows = build_rows(capture(url="http://127.0.0.1:8080/vi/laws/chi-thi/"), listing_parse(),
                      SNAP)
    got = [(r["position"], r["document_id"], r["issued_on"]) for r in rows["document_listings"]]
    assert got == [(1, 87, date(2015, 3, 20)), (2, 86, date(2014, 12, 2))]
    assert rows["pages"][0]["listing_items"] == 2
    assert rows["pages"][0]["next_page"].endswith("page-2/")


def test_invalid_records_go_to_rejects_with_reason():
    parsed = seed_parse()
    parsed["article"]["published_at"] = "2015-03-25+0709:21:00"  # the broken meta format
    parsed["sidebar_documents"].append({"number": "9/QĐ-UBND", "views": "nhiều"})
    rows = build_rows(capture(), parsed, SNAP)
    assert rows["articles"] == [] and rows["images"] == [] and rows["article_authors"] == []
    reasons = {(r["table"], r["key"]): r["reason"] for r in rows["rejects"]}
    assert "unparsable timestamp" in reasons[("articles", "1234")]
    assert "published_at" in reasons[("articles", "1234")]
    assert "views" in reasons[("document_listings", "sidebar#2")]
    raw = json.loads(next(r["raw"] for r in rows["rejects"] if r["table"] == "articles"))
    assert raw["title"] == parsed["article"]["title"]  # nothing lost
    assert len(rows["pages"]) == 1 and len(rows["document_listings"]) == 1


def test_an_article_without_a_numeric_id_is_keyed_by_its_url():
    """Issue 14: a platform that shows no id (the upload portal) keys items by canonical URL
    (without scheme and host); before, every such article was rejected."""
    parsed = copy.deepcopy(seed_parse())
    parsed["article"].pop("article_id")
    parsed["platform"] = "upload-portal"
    rows = build_rows(capture(), parsed, SNAP, profile="upload-portal")
    assert rows["rejects"] == []
    (art,) = rows["articles"]
    url = urlsplit(parsed["article"]["url"])
    assert art["article_id"] is None and art["item_key"] == url.path
    assert (art["platform"], art["profile"]) == ("upload-portal", "upload-portal")
    assert {a["item_key"] for a in rows["article_authors"] + rows["images"]} == {url.path}
    assert rows["pages"][0]["item_key"] == url.path


@pytest.mark.parametrize("mutate,table,needle", [
    (lambda p: p["article"].update(views="nhiều"), "articles", "views"),
    (lambda p: p["article"].update(tags="a, b"), "articles", "expected a list"),
    (lambda p: p.update(article=None), "articles", "no article record"),
    (lambda p: p["article"]["authors"].append({"organization": "X"}), "article_authors",
     "missing name"),
    (lambda p: p["article"]["images"].append({"alt": "no src"}), "images", "missing src"),
])
def test_each_kind_of_invalid_record_is_rejected(mutate, table, needle):
    parsed = copy.deepcopy(seed_parse())
    mutate(parsed)
    rejects = build_rows(capture(), parsed, SNAP)["rejects"]
    assert [r["table"] for r in rejects] == [table]
    assert needle in rejects[0]["reason"]


def test_non_html_capture_gets_only_a_pages_row():
    rows = build_rows(capture(url="http://127.0.0.1:8080/uploads/a.jpg", content_type="image/jpeg",
                              status=200), None, SNAP)
    assert [t for t, r in rows.items() if r] == ["pages"]
    assert not wants_parse(capture(content_type="image/jpeg"))
    assert not wants_parse(capture(status=404))
    assert wants_parse(capture(content_type="text/html"))


# -- writer ------------------------------------------------------------------------------------
def write_many(out, count, batch_size):
    w = DatasetWriter(out, SNAP, batch_size=batch_size)
    for i in range(count):
        url = ARTICLE_URL.replace("1234", str(1000 + i))
        w.add(capture(i, url=url), seed_parse(1000 + i, url))
    return w


def test_streams_in_batches_and_keeps_every_row_in_add_order(tmp_path):
    w = write_many(tmp_path, 25, batch_size=4)
    counts = w.close()
    assert counts["articles"] == 25 and counts["images"] == 50 and counts["pages"] == 25
    meta = pq.ParquetFile(tmp_path / "articles.parquet").metadata
    assert meta.num_rows == 25 and meta.num_row_groups > 1  # written batch by batch
    ids = read(tmp_path, "articles").column("article_id").to_pylist()
    assert ids == list(range(1000, 1025))
    for table in TABLES:
        assert read(tmp_path, table).schema.equals(SCHEMAS[table]), table


def test_every_table_exists_after_close_even_empty(tmp_path):
    counts = DatasetWriter(tmp_path, SNAP).close()
    assert set(counts) == set(TABLES) and not any(counts.values())
    for table in TABLES:
        assert read(tmp_path, table).num_rows == 0
        assert read(tmp_path, table).schema.equals(SCHEMAS[table])
        header = (tmp_path / f"{table}.csv").read_bytes()
        assert header.startswith(b"\xef\xbb\xbfsnapshot_id,captured_at,")


def test_atomic_write_no_final_files_before_close_and_no_temp_after(tmp_path):
    w = write_many(tmp_path, 5, batch_size=2)
    names = {p.name for p in tmp_path.iterdir()}
    assert names and all(name.endswith(".tmp") for name in names)
    w.close()
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")}


def test_abort_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), DatasetWriter(tmp_path, SNAP) as w:
        w.add(capture(), seed_parse())
        raise RuntimeError("crawl died")
    assert list(tmp_path.iterdir()) == []


def test_csv_has_bom_and_reads_back_to_the_parquet_values(tmp_path):
    w = write_many(tmp_path, 3, batch_size=2)
    w.add(capture(9, url="http://127.0.0.1:8080/vi/laws/detail/x-87/"), document_parse())
    w.close()
    raw = (tmp_path / "articles.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Thúy".encode() not in raw[:3]
    for table in ("articles", "documents", "images", "document_listings"):
        csv = pd.read_csv(tmp_path / f"{table}.csv", encoding="utf-8-sig", dtype=str,
                          keep_default_na=False)
        pq_rows = read(tmp_path, table).to_pylist()
        assert len(csv) == len(pq_rows) > 0
        for csv_row, row in zip(csv.to_dict("records"), pq_rows, strict=True):
            assert csv_row["title" if "title" in row else "src"] == (
                row.get("title") or row.get("src") or "")
            assert n.timestamp(csv_row["captured_at"]) == row["captured_at"]
            if table == "articles":
                assert json.loads(csv_row["tags"]) == row["tags"] == ["hệ thống chính trị",
                                                                      "cơ sở|xã"]
                assert n.timestamp(csv_row["published_at"]) == row["published_at"]
                assert csv_row["published_at"] == "2015-03-25T09:21:00+07:00"
                assert int(csv_row["views"]) == row["views"]
                assert csv_row["summary"] == row["summary"]
            if table == "documents":
                assert csv_row["issued_on"] == "2015-03-20" and csv_row["expires_on"] == ""


def test_close_twice_and_add_after_close_fail(tmp_path):
    w = DatasetWriter(tmp_path, SNAP)
    w.close()
    with pytest.raises(RuntimeError):
        w.add(capture(), None)
    with pytest.raises(RuntimeError):
        w.close()


def test_capture_without_lineage_is_an_error(tmp_path):
    w = DatasetWriter(tmp_path, SNAP)
    with pytest.raises(ValueError, match="warc_offset"):
        w.add({**capture(), "warc_offset": None}, None)
    w.abort()
