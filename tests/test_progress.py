"""The crawl's progress line: pages, rate, queue, revisits, errors; silent off a terminal."""

from __future__ import annotations

import io

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from scraper.extensions import ProgressLine
from scraper.spiders.portal import PortalSpider


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_shows_counts_on_a_terminal():
    crawler = get_crawler(PortalSpider)
    stream = Tty()
    line = ProgressLine(crawler, stream=stream)
    stats = crawler.stats
    stats.set_value("response_received_count", 120)
    stats.set_value("scheduler/enqueued", 300)
    stats.set_value("scheduler/dequeued", 125)
    stats.set_value("portal/fetch_errors", 2)
    stats.set_value("portal/captures/revisit", 7)
    line.show()
    out = stream.getvalue()
    assert out.startswith("\r\x1b[K")
    assert "pages 120" in out and "queue 175" in out and "errors 2" in out
    assert "revisits 7" in out and "/s" in out


def test_progress_line_is_off_when_not_a_terminal_or_disabled():
    with pytest.raises(NotConfigured):
        ProgressLine(get_crawler(PortalSpider), stream=io.StringIO())
    with pytest.raises(NotConfigured):
        ProgressLine(get_crawler(PortalSpider, {"PORTAL_PROGRESS": False}), stream=Tty())
