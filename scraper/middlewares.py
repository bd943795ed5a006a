"""Downloader middlewares: WARC capture of every exchange, and Retry-After aware retries.

`WarcCaptureMiddleware` sits next to the download handler (priority 950, above
HttpCompressionMiddleware at 590), so it sees the request exactly as sent (cookies, encodings)
and the response exactly as received (still gzip-encoded, redirects and errors included).
It decodes a page's body once, for its links; `DecodeOnceCompressionMiddleware` (in
HttpCompressionMiddleware's place) hands that decoded body on instead of inflating it again.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.response import response_status_message

from archive.warc import Capture
from pipelines.background import WarcWriteError
from scraper.crawl import ARCHIVE_ERROR_REASON, ARCHIVE_ERROR_STAT

logger = logging.getLogger(__name__)

META_CAPTURES = "portal_captures"  # list of capture_info dicts, shared along redirects/retries
META_HOPS = "portal_hops"  # Heritrix-style hop path, e.g. "LLE"
META_VIA = "portal_via"  # the URL that led here
META_LINKS = "portal_links"  # outlinks found at capture time, reused by the spider
META_DECODED = "portal_decoded"  # (encoded body, decoded body) of a page decoded for its links


def _header_pairs(headers) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        key = name.decode("latin-1")
        for value in values:
            pairs.append((key, value.decode("latin-1")))
    return pairs


def _request_headers(request: Request) -> list[tuple[str, str]]:
    pairs = _header_pairs(request.headers)
    if not any(k.lower() == "host" for k, _ in pairs):
        # Twisted adds Host on the wire; put it back so the request record is what was sent.
        pairs.insert(0, ("Host", urlsplit(request.url).netloc))
    return pairs


class WarcCaptureMiddleware:
    """Writes request + response (or revisit) + metadata records for every downloaded response."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        # Set by scraper.crawl.run_crawl on the crawler (live objects cannot go in settings).
        self.writer = getattr(crawler, "portal_warc_writer", None)
        if self.writer is None:
            raise NotConfigured("no WARC writer attached to the crawler")
        # Captures that never reach a spider callback (robots.txt, fetched by the engine itself);
        # the spider turns them into items at its next callback so every capture gets a row.
        self.orphans: list[dict] = crawler.portal_orphan_captures
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        links = self._outlinks(request, response)
        capture = Capture(
            url=request.url,
            method=request.method,
            request_headers=_request_headers(request),
            request_body=request.body or b"",
            http_version=getattr(response, "protocol", None) or "HTTP/1.1",
            status=response.status,
            reason=self._reason(response.status),
            response_headers=_header_pairs(response.headers),
            body=response.body,
            fetched_at=datetime.now(UTC),
            ip=str(response.ip_address) if getattr(response, "ip_address", None) else None,
            hops=request.meta.get(META_HOPS, ""),
            via=request.meta.get(META_VIA),
            outlinks=len(links) if links is not None else None,
        )
        # The dataset worker writes the records when it can (see pipelines.background); its
        # pending info carries no record type yet, and the worker counts them instead.
        sink = getattr(self.crawler, "portal_warc_sink", None) or self.writer
        try:
            info = sink.write_capture(capture)
        except Exception as exc:
            # The worker's other errors (its dataset rows) are raised as before; a capture
            # that could not be archived stops the crawl.
            if sink is not self.writer and not isinstance(exc, WarcWriteError):
                raise
            stop_for_archive_error(self.crawler, exc)
            raise IgnoreRequest(f"not archived: {exc}") from exc
        if info.get("record_type"):
            self.crawler.stats.inc_value(f"portal/captures/{info['record_type']}")
        if META_CAPTURES in request.meta:
            request.meta[META_CAPTURES].append(info)
        else:
            self.orphans.append(info)
            # robots.txt's `Sitemap:` lines: the spider follows them at its next callback.
            pending = getattr(self.crawler.spider, "pending_links", None)
            if links and pending is not None:
                pending.extend(links)
        return response

    def _outlinks(self, request: Request, response: Response) -> list | None:
        """Links of a 200 page, stylesheet, feed or sitemap, for the metadata record's count.

        The body here is still content-encoded (this middleware sits before decompression), so
        gzip/deflate are undone on a copy, never past DOWNLOAD_MAXSIZE (a small gzip bomb must
        not fill memory; HttpCompressionMiddleware then refuses it as usual). The spider
        reuses the list instead of parsing again, and DecodeOnceCompressionMiddleware the body.
        """
        profile = getattr(self.crawler.spider, "profile", None)
        if profile is None or response.status != 200 or request.meta.get("role") == "file":
            return None
        encoding = response.headers.get(b"Content-Encoding", b"").decode("latin-1").lower()
        body = response.body
        if encoding in ("gzip", "x-gzip", "deflate"):
            max_size = request.meta.get("download_maxsize", self.max_size)
            body = _inflate(body, zlib.MAX_WBITS | 16 if encoding != "deflate" else zlib.MAX_WBITS,
                            max_size)
            if body is None:
                return None  # corrupt or too big: the spider sees what HttpCompression makes
            request.meta[META_DECODED] = (response.body, body)
        elif encoding not in ("", "identity"):
            return None  # e.g. br: the spider extracts links from the decoded body
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        links = profile.extract_links(body, request.url, ctype)
        request.meta[META_LINKS] = links
        return links

    @staticmethod
    def _reason(status: int) -> str:
        # Scrapy does not keep the server's reason phrase; the standard one is what NukeViet sends.
        try:
            return HTTPStatus(status).phrase
        except ValueError:
            return ""


def stop_for_archive_error(crawler, exc: BaseException, stop_engine: bool = True) -> None:
    """Stop the crawl at its first capture that could not be archived (a full disk, bad
    input). Crawling on would close the snapshot with holes that nothing points out; stopped
    with this finish reason (and the error in the stats, which `run_crawl` also
    reads when the error only shows as the crawl closes), the snapshot stays open, every record
    written so far stays readable, and `crawl --resume` fetches what is missing."""
    if crawler.stats.get_value(ARCHIVE_ERROR_STAT):
        return  # already stopping
    message = f"{type(exc).__name__}: {exc}"
    crawler.stats.set_value(ARCHIVE_ERROR_STAT, message)
    logger.error("a capture could not be archived (%s); stopping the crawl, the snapshot stays "
                 "open for `crawl --resume`", message)
    if stop_engine:
        deferred_from_coro(crawler.engine.close_spider_async(reason=ARCHIVE_ERROR_REASON))


def _inflate(body: bytes, wbits: int, max_size: int) -> bytes | None:
    """`body` inflated, or None if it is not one whole zlib/gzip stream or inflates past
    `max_size` bytes (0: no limit)."""
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, max_size + 1) if max_size else inflater.decompress(body)
    except zlib.error:
        return None
    if (max_size and len(out) > max_size) or not inflater.eof or inflater.unused_data:
        return None
    return out


class DecodeOnceCompressionMiddleware(HttpCompressionMiddleware):
    """HttpCompressionMiddleware that takes the body WarcCaptureMiddleware already inflated.

    The capture middleware must inflate a page to find its links before the WARC records are
    written; inflating it a second time here (with gzip.GzipFile, slower than zlib) was about
    2% of the crawler's CPU. Only a body decoded from this very response, with one gzip or
    deflate encoding, is reused; everything else (size warnings, stats, the response class,
    other encodings, bombs) is HttpCompressionMiddleware's own code.
    """

    _reuse: bytes | None = None

    def process_response(self, request: Request, response: Response, spider=None):
        decoded = request.meta.pop(META_DECODED, None)
        if decoded is None or decoded[0] is not response.body:
            return super().process_response(request, response)
        self._reuse = decoded[1]
        try:
            return super().process_response(request, response)
        finally:
            self._reuse = None

    def _handle_encoding(self, body: bytes, content_encoding: list[bytes],
                         max_size: int) -> tuple[bytes, list[bytes]]:
        to_decode, to_keep = self._split_encodings(content_encoding)
        if self._reuse is not None and len(to_decode) == 1 and not to_keep:
            return self._reuse, []
        return super()._handle_encoding(body, content_encoding, max_size)


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that waits as long as a 429/503 `Retry-After` asks before retrying.

    Scrapy's RetryMiddleware retries at once; a portal that says "come back in 30 s" deserves to
    be believed. The wait is capped by RETRY_AFTER_MAX (seconds) so one header cannot stall a
    nightly run, and only this request waits: the rest of the crawl goes on.
    """

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        wait = self._retry_after(response)
        if wait:
            logger.info("Retry-After %.1fs for %s", wait, request.url)
            self.crawler.stats.inc_value("portal/retry_after_waits")
            await asyncio.sleep(wait)
        return retry

    def _retry_after(self, response: Response) -> float:
        raw = response.headers.get(b"Retry-After")
        if not raw:
            return 0.0
        text = raw.decode("latin-1").strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                when = parsedate_to_datetime(text)
            except (TypeError, ValueError):
                return 0.0
            seconds = (when - datetime.now(UTC)).total_seconds()
        return max(0.0, min(seconds, self.max_wait))


class ArchivedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware that reuses a robots.txt already archived in this snapshot.

    A resumed crawl must not capture any URL twice; Scrapy's middleware refetches robots.txt in
    every process. `PORTAL_ARCHIVED_ROBOTS` maps netloc → the archived body.
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        for netloc, body in (crawler.settings.get("PORTAL_ARCHIVED_ROBOTS") or {}).items():
            self._parsers[netloc] = build_from_crawler(
                self._parserimpl, crawler, body.encode("utf-8")
            )
