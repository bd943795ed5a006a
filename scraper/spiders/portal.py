"""The portal spider: walks a whole site as its profile describes and yields one item per capture.

Navigation only. What a page *says* comes from `scraper.parsers.parse_page`, which the item
pipeline runs on the body the spider hands over; which URLs exist and what role they play comes
from the site profile. Redirects are followed here rather than by RedirectMiddleware (disabled
in settings) so that every 3xx capture reaches a callback and gets its row in the `pages`
table, and so the redirect target goes through the dupefilter like any other link, as in
Heritrix.

Depth and Referer are set here too, on each request as it is made, instead of by Scrapy's
DepthMiddleware and RefererMiddleware (disabled in settings): each spider middleware wraps
every callback's whole output in another async generator layer, and those two layers cost
about a tenth of the crawler's CPU. The spider already knows each link's parent, and every
followed URL is on the portal's own origin, so the referrer is worked out once per response
by RefererMiddleware's own policy code (REFERER_ENABLED, REFERRER_POLICY and the response's
Referrer-Policy header still apply), and DEPTH_PRIORITY and DEPTH_LIMIT keep their meaning.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.referer import RefererMiddleware

from pipelines.selection import wants_parse, wants_text
from scraper.budget import BudgetSpent
from scraper.freshness import FreshnessPolicy
from scraper.health import ERROR_STAT_PREFIX, failure_kind
from scraper.middlewares import META_CAPTURES, META_HOPS, META_LINKS, META_VIA
from scraper.profiles.site import FILE, PAGE, REQUISITE, Link, SiteProfile

# Scheduler priorities: page requisites before pages so a captured page replays early; files last.
PRIORITY = {REQUISITE: 20, "sitemap": 10, "feed": 10, PAGE: 0, FILE: -10}


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(
        self,
        profile: SiteProfile,
        frontier: Iterable[Link] = (),
        freshness: FreshnessPolicy | None = None,
        known_items: Iterable[str] = (),
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.profile = profile
        self.allowed_domains = [profile.netloc.split(":")[0]]
        # On resume, links recovered from the WARCs of the interrupted run (see scraper.resume).
        self.frontier = list(frontier)
        # Incremental crawls skip known item pages and resources that are not due (nightly).
        self.freshness = freshness
        # Item URLs captured by earlier snapshots: re-checked even when no page links to them
        # any more, so a withdrawn article is seen as 404 / soft 404, not just "not captured".
        self.known_items = list(known_items)
        # URLs this spider already asked for. Scrapy's dupefilter would drop repeats too, but
        # only after each went through the spider middlewares and the scheduler: a portal page
        # links ~20 URLs, mostly seen before, and that detour was most of the crawl's CPU.
        self.requested: set[str] = set()
        # What DepthMiddleware and RefererMiddleware would do, from the crawl's settings.
        self._depth_priority = 0
        self._depth_limit = 0
        self._referer: RefererMiddleware | None = None  # None: REFERER_ENABLED = False

    async def start(self) -> AsyncIterator[Request]:
        settings = self.crawler.settings
        self._depth_priority = settings.getint("DEPTH_PRIORITY")
        self._depth_limit = settings.getint("DEPTH_LIMIT")
        try:
            self._referer = RefererMiddleware.from_crawler(self.crawler)
        except NotConfigured:
            self._referer = None
        # Seeds and a resumed crawl's frontier are always fetched; known items when due.
        for link in [*self.profile.seeds(), *self.frontier]:
            if link.url not in self.requested:
                self.requested.add(link.url)
                yield self.request_for(link, hops="", via=None)
        for url in self.known_items:
            for request in self.follow(Link(url, PAGE, "K"), hops="", via=None):
                yield request

    def request_for(self, link: Link, hops: str, via: str | None, depth: int = 0,
                    referrer: str | None = None) -> Request:
        # As DepthMiddleware would: seeds have no depth, each link one more than its page.
        priority = PRIORITY.get(link.role, 0) - depth * self._depth_priority
        return Request(
            link.url,
            callback=self.parse,
            errback=self.on_error,
            priority=priority,
            headers={"Referer": referrer} if referrer else None,
            meta={
                "depth": depth,
                META_CAPTURES: [],
                META_HOPS: hops + link.via if link.via != "S" else "",
                META_VIA: via,
                "role": link.role,
                "handle_httpstatus_all": True,
                "dont_redirect": True,
            },
        )

    # -- callbacks -------------------------------------------------------------------------------
    def parse(self, response: Response) -> Iterator[dict | Request]:
        yield from self._orphan_items()
        captures = response.meta.get(META_CAPTURES, [])
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        for i, info in enumerate(captures):
            # `wants_parse` is the rule `extract` applies too, so both parse the same captures.
            # The item pipeline parses the body (with `parse_page`), or reads an attachment's
            # text, in its worker process.
            if i == len(captures) - 1 and (wants_parse(info) or wants_text(info)):
                yield {"capture": info, "body": response.body, "url": response.url,
                       "content_type": content_type}
            else:
                yield {"capture": info, "parsed": None}

        hops = response.meta.get(META_HOPS, "")
        depth = response.meta.get("depth", 0) + 1
        if self._depth_limit and depth > self._depth_limit:
            self.crawler.stats.inc_value("depth/request_ignored_count")
            return
        if 300 <= response.status < 400:
            location = response.headers.get(b"Location")
            if location:
                target = self.profile.canonicalize(
                    urljoin(response.url, location.decode("latin-1"))
                )
                if target:
                    role = self.profile.role_of(target)
                    yield from self.follow(Link(target, role, "R"), hops, response.url, depth,
                                           self._referrer(response, target))
            return
        if response.status != 200 or response.meta.get("role") == FILE:
            return
        links = response.meta.get(META_LINKS)
        if links is None:
            links = self.profile.extract_links(response.body, response.url, content_type)
        referrer = None
        for link in links:
            if link.url in self.requested:
                continue
            if referrer is None:
                referrer = self._referrer(response, link.url) or ""
            yield from self.follow(link, hops, response.url, depth, referrer)

    def follow(self, link: Link, hops: str, via: str | None, depth: int = 0,
               referrer: str | None = None) -> Iterator[Request]:
        if link.url in self.requested:
            return
        self.requested.add(link.url)
        if self.freshness is not None and not self.freshness.due(link.url, link.role):
            self.crawler.stats.inc_value("portal/skipped_fresh")
            return
        if depth:
            self.crawler.stats.max_value("request_depth_max", depth)
        yield self.request_for(link, hops, via, depth, referrer)

    def _referrer(self, response: Response, url: str) -> str | None:
        """The Referer for a link of `response` to `url`, by RefererMiddleware's policy."""
        if self._referer is None:
            return None
        policy = self._referer.policy(response, Request(url))
        return policy.referrer(response.url, url)

    def on_error(self, failure) -> Iterator[dict]:
        yield from self._orphan_items()
        if failure.check(BudgetSpent):  # not sent: --max-pages was reached, not a failure
            return
        request = failure.request
        self.logger.warning("fetch failed: %s (%s)", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value("portal/fetch_errors")
        # By kind (DNS, refused, timeout…): a crawl where nothing answered says why.
        self.crawler.stats.inc_value(ERROR_STAT_PREFIX + failure_kind(failure.value))
        for info in request.meta.get(META_CAPTURES, []):
            yield {"capture": info, "parsed": None}

    def _orphan_items(self) -> Iterator[dict]:
        orphans = getattr(self.crawler, "portal_orphan_captures", None)
        while orphans:
            yield {"capture": orphans.pop(0), "parsed": None}
