"""`crawl --max-pages N`: at most N requests reach the portal, so at most N captures.

Scrapy's CLOSESPIDER_PAGECOUNT closes the spider once N responses have *arrived*; by then up
to CONCURRENT_REQUESTS more are in flight and each of them is archived too (`--max-pages 3`
gave 10 captures at concurrency 8). This middleware sits next to the downloader, counts the
requests actually sent (robots.txt and retries included: each is a capture) and starts the
close as the N-th one goes out; the engine then lets the N in flight finish and sends nothing
more. Requests that were already past the scheduler are dropped with `BudgetSpent`, which the
spider does not count as a fetch error.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.utils.defer import deferred_from_coro

# The finish reason Scrapy gives a page-count stop; the crawl closes the snapshot after it.
REASON = "closespider_pagecount"


class BudgetSpent(IgnoreRequest):
    """A request not sent because --max-pages requests already were."""


class RequestBudgetMiddleware:
    """Downloader middleware: send at most CLOSESPIDER_PAGECOUNT requests, then close."""

    def __init__(self, crawler) -> None:
        self.limit = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if self.limit <= 0:
            raise NotConfigured
        self.crawler = crawler
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        if self.sent >= self.limit:
            self.crawler.stats.inc_value("portal/max_pages_dropped")
            raise BudgetSpent(f"--max-pages {self.limit} reached")
        self.sent += 1
        if self.sent == self.limit:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=REASON))
