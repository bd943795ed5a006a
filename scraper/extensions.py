"""Scrapy extensions: a one-line progress display for people watching a crawl in a terminal."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressLine:
    """Rewrites one stderr line every second: pages, rate, queue, errors. Silent when not a TTY."""

    def __init__(self, crawler, stream=None, force: bool = False) -> None:
        self.stream = stream or sys.stderr
        if not (force or crawler.settings.getbool("PORTAL_PROGRESS", True)):
            raise NotConfigured
        if not force and not self.stream.isatty():
            raise NotConfigured
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(1.0, now=False)

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        errors = stats.get_value("portal/fetch_errors", 0)
        revisits = stats.get_value("portal/captures/revisit", 0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (
            f"pages {pages}  {pages / elapsed:.1f}/s  queue {queued}  "
            f"revisits {revisits}  errors {errors}"
        )

    def show(self) -> None:
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()

    def closed(self, spider) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.show()
        self.stream.write("\n")
        self.stream.flush()
