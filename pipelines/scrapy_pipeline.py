"""Scrapy item pipeline that feeds crawl captures into the snapshot's dataset writer.

Items are dicts `{"capture": capture_info, "parsed": parse dict or None}` (contract 6), or
`{"capture": capture_info, "body": bytes, "url": str, "content_type": str}` for a page still to
parse with `parse_page` or an attachment whose text is still to read (PORTAL_OCR,
PORTAL_OCR_TIME_LIMIT and PORTAL_ATTACHMENT_MAX_BYTES say how: `pipelines.attachment_text`). By
default (`PORTAL_DATASETS_IN_WORKER = True`) parsing and writing happen in a child process
(`pipelines.background`), off the crawler's event loop; with False, in the crawler process. When
the crawl gives its WARC writer's arguments (`crawler.portal_warc_args`), that child writes the
WARC records too, and `capture_info` may be the `PendingCapture` its writer returned. This is the
only module of `pipelines/` that knows about Scrapy.
"""

from __future__ import annotations

import logging
import resource
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from pipelines.background import BackgroundDatasetWriter, WarcWriteError
from pipelines.selection import wants_parse

logger = logging.getLogger(__name__)


class DatasetPipeline:
    """Write `<PORTAL_SNAPSHOT_DIR>/datasets/` for snapshot `PORTAL_SNAPSHOT_ID`."""

    def __init__(self, snapshot_dir: str | Path, snapshot_id: str,
                 in_worker: bool = True, text_options: Any = None) -> None:
        self.snapshot_dir = Path(snapshot_dir)
        self.text_options = text_options  # pipelines.attachment_text.TextOptions
        self.snapshot_id = snapshot_id
        self.in_worker = in_worker
        self.writer: Any = None  # BackgroundDatasetWriter or pipelines.datasets.DatasetWriter
        self.counts: dict[str, int] | None = None
        self.stats = None  # the crawler's stats collector, when built by Scrapy
        self.crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler):
        snapshot_dir = crawler.settings.get("PORTAL_SNAPSHOT_DIR")
        snapshot_id = crawler.settings.get("PORTAL_SNAPSHOT_ID")
        if not snapshot_dir or not snapshot_id:
            raise NotConfigured("PORTAL_SNAPSHOT_DIR and PORTAL_SNAPSHOT_ID must be set")
        from pipelines.attachment_text import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, TextOptions

        try:
            text_options = TextOptions(
                ocr=crawler.settings.get("PORTAL_OCR", "auto"),
                time_limit=crawler.settings.getfloat("PORTAL_OCR_TIME_LIMIT",
                                                     DEFAULT_TIME_LIMIT),
                max_bytes=crawler.settings.getint("PORTAL_ATTACHMENT_MAX_BYTES",
                                                  DEFAULT_MAX_BYTES))
        except ValueError as exc:
            raise NotConfigured(f"attachment text settings: {exc}") from exc
        pipe = cls(snapshot_dir, snapshot_id,
                   crawler.settings.getbool("PORTAL_DATASETS_IN_WORKER", True), text_options)
        pipe.stats = crawler.stats
        pipe.crawler = crawler
        return pipe

    def open_spider(self, spider=None) -> None:
        out_dir = self.snapshot_dir / "datasets"
        if self.in_worker:
            # The worker indexes the WARCs as they grow; the snapshot's close takes that
            # index from state/ (removed at close) if it covers every finished file. Given
            # the crawl's WARC writer arguments (`crawler.portal_warc_args`, set by
            # scraper.crawl), it writes the WARC records too, and WarcCaptureMiddleware hands
            # its captures to `crawler.portal_warc_sink` instead of writing them itself.
            warc = getattr(self.crawler, "portal_warc_args", None)
            self.writer = BackgroundDatasetWriter(
                out_dir, self.snapshot_id, warcs_dir=self.snapshot_dir / "warcs",
                index_path=self.prebuilt_index_path, warc=warc,
                on_written=self._count_captures if warc is not None else None,
                text_options=self.text_options)
            if warc is not None:
                self.crawler.portal_warc_sink = self.writer
        else:  # pyarrow is imported only where the tables are written
            from pipelines.datasets import DatasetWriter

            self.writer = DatasetWriter(out_dir, self.snapshot_id)

    def _archive_error(self, exc: WarcWriteError, stop_engine: bool) -> None:
        if self.crawler is None:
            raise exc
        from scraper.middlewares import stop_for_archive_error

        stop_for_archive_error(self.crawler, exc, stop_engine=stop_engine)

    def _count_captures(self, record_type: str, n: int) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"portal/captures/{record_type}", n)

    @property
    def prebuilt_index_path(self) -> Path:
        return self.snapshot_dir / "state" / "index.cdxj"

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        if "capture" not in adapter:
            return item
        assert self.writer is not None, "open_spider was not called"
        info, body = adapter["capture"], adapter.get("body")
        if isinstance(self.writer, BackgroundDatasetWriter):
            try:
                if body is None:
                    self.writer.add(info, adapter.get("parsed"))
                else:
                    self.writer.add(info, body=body, url=adapter.get("url"),
                                    content_type=adapter.get("content_type"))
            except WarcWriteError as exc:  # an earlier batch's capture could not be archived
                self._archive_error(exc, stop_engine=True)
                raise DropItem(f"not archived: {exc}") from exc
        elif body is None:
            self.writer.add(info, adapter.get("parsed"))
        elif wants_parse(info):
            from scraper.parsers import parse_page

            parsed = parse_page(body, adapter.get("url") or info["url"],
                                adapter.get("content_type"), **self.writer.parse_kwargs)
            self.writer.add(info, parsed)
        else:  # an attachment: its text
            from pipelines.reading import read_capture

            self.writer.add(info, read_capture(info, body, text=self.text_options))
        return item

    def close_spider(self, spider=None) -> None:
        if self.writer is None:
            return
        if self.crawler is not None and getattr(self.crawler, "portal_warc_sink",
                                                None) is self.writer:
            self.crawler.portal_warc_sink = None  # nothing is captured after this
        try:
            self.counts = self.writer.close()
        except WarcWriteError as exc:  # the last batches: the crawl is closing already
            self._archive_error(exc, stop_engine=False)
            self.writer = None
            return
        if self.stats is not None:
            # Peak memory of both processes, for the crawl's report and the benchmarks.
            self.stats.set_value("portal/maxrss_kb",
                                 resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            worker_kb = getattr(self.writer, "worker_maxrss_kb", None)
            if worker_kb is not None:
                self.stats.set_value("portal/dataset_worker_maxrss_kb", worker_kb)
        coverage = getattr(self.writer, "index_coverage", None)
        if coverage is not None and self.crawler is not None:
            self.crawler.portal_prebuilt_index = (self.prebuilt_index_path, coverage)
        index_error = getattr(self.writer, "index_error", None)
        if index_error:
            logger.warning("the CDXJ index could not be built during the crawl (%s); it is "
                           "built when the snapshot closes", index_error)
        self.writer = None
        logger.info(
            "datasets written to %s: %s",
            self.snapshot_dir / "datasets",
            ", ".join(f"{t}={c}" for t, c in self.counts.items()),
        )
