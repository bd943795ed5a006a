"""The Scrapy item pipeline writes the same tables as DatasetWriter used directly."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from test_datasets_writer import SNAP, capture, document_parse, seed_parse

from pipelines.datasets import DatasetWriter
from pipelines.scrapy_pipeline import DatasetPipeline


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
