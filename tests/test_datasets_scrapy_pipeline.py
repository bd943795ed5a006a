"""The Scrapy item pipeline writes the same tables as DatasetWriter used directly, whether it
parses and writes in the crawler process or in its worker process."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from test_datasets_writer import SNAP, capture, document_parse, seed_parse

from pipelines.background import BackgroundDatasetWriter
from pipelines.datasets import DatasetWriter
from pipelines.scrapy_pipeline import DatasetPipeline
from scraper.parsers import parse_page


def items():
    return [
        {"capture": capture(0), "parsed": seed_parse()},
        {"capture": capture(1, url="http://127.0.0.1:8080/uploads/a.pdf",
                            content_type="application/pdf"), "parsed": None},
        {"capture": capture(2, url="http://127.0.0.1:8080/vi/laws/detail/x-87/"),
         "parsed": document_parse()},
    ]


def test_pipeline_writes_datasets_like_the_writer(tmp_path):
    crawler = get_crawler(settings_dict={"PORTAL_SNAPSHOT_DIR": str(tmp_path / "snap"),
                                         "PORTAL_SNAPSHOT_ID": SNAP})
    pipe = DatasetPipeline.from_crawler(crawler)
    pipe.open_spider(None)
    for item in items():
        assert pipe.process_item(item, None) is item
    pipe.close_spider(None)
    assert pipe.counts["pages"] == 3 and pipe.counts["documents"] == 1

    direct = DatasetWriter(tmp_path / "direct", SNAP)
    for item in items():
        direct.add(item["capture"], item["parsed"])
    direct.close()
    for table in pipe.counts:
        a = pq.read_table(tmp_path / "snap" / "datasets" / f"{table}.parquet")
        b = pq.read_table(tmp_path / "direct" / f"{table}.parquet")
        assert a.equals(b), table


def test_pipeline_needs_its_settings():
    with pytest.raises(NotConfigured):
        DatasetPipeline.from_crawler(get_crawler(settings_dict={}))


# -- pages parsed by the pipeline, in its worker process -----------------------------------------
PAGES = Path(__file__).parent / "pages" / "custom2015"


def page_items() -> list[dict]:
    """Items as the spider yields them: saved pages still to parse, and a PDF capture."""
    out = []
    for i, name in enumerate(("article_seed", "document_detail", "document_listing_table",
                              "category_listing", "soft_404")):
        meta = json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))
        out.append({"capture": capture(i, url=meta["url"]),
                    "body": (PAGES / name / "page.html").read_bytes(), "url": meta["url"],
                    "content_type": "text/html; charset=utf-8"})
    out.append({"capture": capture(9, url="http://127.0.0.1:8080/uploads/a.pdf",
                                   content_type="application/pdf"), "parsed": None})
    return out


def run_pipeline(out: Path, items: list[dict], in_worker: bool) -> dict[str, int]:
    pipe = DatasetPipeline(out, SNAP, in_worker=in_worker)
    pipe.open_spider(None)
    for item in items:
        assert pipe.process_item(item, None) is item
    pipe.close_spider(None)
    return pipe.counts


@pytest.mark.parametrize("in_worker", [True, False])
def test_pages_parsed_by_the_pipeline_give_the_tables_of_parse_page(tmp_path, in_worker):
    counts = run_pipeline(tmp_path / "snap", page_items(), in_worker)
    assert counts["pages"] == 6 and counts["articles"] == 1 and counts["documents"] == 1
    assert counts["document_listings"] > 0

    direct = DatasetWriter(tmp_path / "direct", SNAP)
    for item in page_items():
        parsed = item.get("parsed")
        if "body" in item:
            parsed = parse_page(item["body"], item["url"], item["content_type"])
        direct.add(item["capture"], parsed)
    assert direct.close() == counts
    for table in counts:
        a = tmp_path / "snap" / "datasets" / f"{table}.parquet"
        assert pq.read_table(a).equals(pq.read_table(tmp_path / "direct" / f"{table}.parquet"))
        b = (tmp_path / "direct" / f"{table}.csv").read_bytes()
        assert a.with_suffix(".csv").read_bytes() == b, table


def test_many_batches_keep_capture_order(tmp_path):
    writer = BackgroundDatasetWriter(tmp_path, SNAP, batch_size=3, max_pending=2)
    for i in range(50):
        writer.add(capture(i, url=f"http://127.0.0.1:8080/uploads/{i}.pdf",
                           content_type="application/pdf"))
    assert writer.close()["pages"] == 50
    assert writer.worker_maxrss_kb > 10_000  # the worker's own peak RSS, in KiB
    offsets = pq.read_table(tmp_path / "pages.parquet").column("warc_offset").to_pylist()
    assert offsets == [capture(i)["warc_offset"] for i in range(50)]


def test_an_error_in_the_worker_is_raised_and_leaves_no_table(tmp_path):
    writer = BackgroundDatasetWriter(tmp_path, SNAP, batch_size=2)
    writer.add(capture(0), seed_parse())
    broken = capture(1)
    del broken["warc_record_id"]  # a capture without lineage is a programming error
    writer.add(broken, None)
    with pytest.raises(ValueError, match="lacks lineage keys: warc_record_id"):
        writer.add(capture(2), None)
        writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
