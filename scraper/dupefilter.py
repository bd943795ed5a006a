"""A request dupefilter pre-seeded with URLs already captured, for exact resume."""

from __future__ import annotations

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request


class SeededDupeFilter(RFPDupeFilter):
    """RFPDupeFilter that starts out having seen `PORTAL_SEEN_URLS` (GET requests)."""

    @classmethod
    def from_crawler(cls, crawler):
        dupefilter = super().from_crawler(crawler)
        for url in crawler.settings.getlist("PORTAL_SEEN_URLS"):
            dupefilter.request_seen(Request(url))
        return dupefilter
