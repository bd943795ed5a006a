"""Inflating a page once: WarcCaptureMiddleware's bounded inflate, and the compression
middleware that reuses its result instead of inflating the body again."""

from __future__ import annotations

import gzip
import zlib

import pytest
from scrapy.downloadermiddlewares import httpcompression
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.middlewares import META_DECODED, DecodeOnceCompressionMiddleware, _inflate

PAGE = ("<html><head><title>Tin tức</title></head><body>"
        + "<p><a href='/vi/news/a-1.html'>Lai Châu</a></p>" * 200
        + "</body></html>").encode("utf-8")


def test_inflate_gives_the_page_back_from_gzip_and_deflate():
    assert _inflate(gzip.compress(PAGE), zlib.MAX_WBITS | 16, 0) == PAGE
    assert _inflate(zlib.compress(PAGE), zlib.MAX_WBITS, 10_000_000) == PAGE


def test_inflate_refuses_a_bomb_without_inflating_all_of_it():
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB in about 50 KB
    assert len(bomb) < 100_000
    assert _inflate(bomb, zlib.MAX_WBITS | 16, 1_000_000) is None


@pytest.mark.parametrize("body", [gzip.compress(PAGE)[:-40], b"not gzip at all",
                                  gzip.compress(PAGE) + gzip.compress(PAGE)])
def test_inflate_leaves_anything_but_one_whole_stream_to_scrapy(body):
    assert _inflate(body, zlib.MAX_WBITS | 16, 0) is None


def _response(url: str, body: bytes) -> HtmlResponse:
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8",
                                                 "Content-Encoding": "gzip"})


def _middleware() -> DecodeOnceCompressionMiddleware:
    return DecodeOnceCompressionMiddleware.from_crawler(get_crawler())


def test_reuses_the_body_already_inflated_for_this_response(monkeypatch):
    def no_second_inflate(*args, **kwargs):
        raise AssertionError("the body was inflated twice")

    monkeypatch.setattr(httpcompression, "gunzip", no_second_inflate)
    url = "http://portal.test/vi/news/"
    response = _response(url, gzip.compress(PAGE))
    request = Request(url, meta={META_DECODED: (response.body, PAGE)})
    out = _middleware().process_response(request, response)
    assert out.body == PAGE and isinstance(out, HtmlResponse)
    assert b"Content-Encoding" not in out.headers
    assert out.text.startswith("<html><head><title>Tin tức")
    assert META_DECODED not in request.meta  # not held for the rest of the request's life


def test_inflates_as_scrapy_does_when_nothing_was_decoded_for_this_body():
    url = "http://portal.test/vi/news/"
    stale = Request(url, meta={META_DECODED: (gzip.compress(b"other"), b"other")})
    for request in (Request(url), stale):
        # (Scrapy's middleware edits the response's headers in place: a fresh one each time.)
        out = _middleware().process_response(request, _response(url, gzip.compress(PAGE)))
        assert out.body == PAGE and b"Content-Encoding" not in out.headers
