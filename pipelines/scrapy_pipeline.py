"""Scrapy item pipeline that feeds crawl captures into the snapshot's DatasetWriter.

Items are dicts `{"capture": capture_info, "parsed": parse dict or None}` (contract 6). This is
the only module of `pipelines/` that knows about Scrapy.
"""

from __future__ import annotations

import logging
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from pipelines.datasets import DatasetWriter

logger = logging.getLogger(__name__)


class DatasetPipeline:
    """Write `<PORTAL_SNAPSHOT_DIR>/datasets/` for snapshot `PORTAL_SNAPSHOT_ID`."""

    def __init__(self, snapshot_dir: str | Path, snapshot_id: str) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self.snapshot_id = snapshot_id
        self.writer: DatasetWriter | None = None
        self.counts: dict[str, int] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        snapshot_dir = crawler.settings.get("PORTAL_SNAPSHOT_DIR")
        snapshot_id = crawler.settings.get("PORTAL_SNAPSHOT_ID")
        if not snapshot_dir or not snapshot_id:
            raise NotConfigured("PORTAL_SNAPSHOT_DIR and PORTAL_SNAPSHOT_ID must be set")
        return cls(snapshot_dir, snapshot_id)

    def open_spider(self, spider=None) -> None:
        self.writer = DatasetWriter(self.snapshot_dir / "datasets", self.snapshot_id)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        if "capture" in adapter:
            assert self.writer is not None, "open_spider was not called"
            self.writer.add(adapter["capture"], adapter.get("parsed"))
        return item

    def close_spider(self, spider=None) -> None:
        if self.writer is None:
            return
        self.counts = self.writer.close()
        self.writer = None
        logger.info(
            "datasets written to %s: %s",
            self.snapshot_dir / "datasets",
            ", ".join(f"{t}={c}" for t, c in self.counts.items()),
        )
