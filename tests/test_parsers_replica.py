"""Pages of every type and theme fetched from the local replica parse to what the replica
knows it published (its model is the ground truth), field by field.

The parsers were written from PORTAL.md and the NukeViet templates, not from the replica's
HTML, so this is an independent check that both sides read the portal the same way.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from replica.content import CAT_INDEX
from replica.testing import ReplicaConfig, Site, fetch, run_replica
from scraper.parsers import parse_page

THEMES = ("custom2015", "default40", "egov45")
ARTICLES = 40


def _get(base: str, url: str) -> tuple[dict, bytes, str]:
    status, headers, body = fetch(base, url[len(base):] or "/")
    assert status == 200, url
    return headers, body, headers.get("content-type", "")


@pytest.fixture(scope="module", params=THEMES)
def crawl(request):
    """Every canonical HTML page of a small replica, parsed: (site, base, {url: result})."""
    config = ReplicaConfig(articles=ARTICLES, seed=7, theme=request.param, nfd_rate=0.2,
                           cp1258_rate=0.2)
    site = Site(config)
    with run_replica(config) as base:
        results = {}
        for url in site.canonical_urls(base):
            headers, body, content_type = _get(base, url)
            if content_type.startswith("text/html"):
                results[url] = parse_page(body, url, content_type)
        extra = {}
        for path in ("/vi/news/chuyen-muc-khong-co/", "/vi/news/xay-dung-dang/page-999/"):
            _, body, content_type = _get(base, base + path)
            extra[path] = parse_page(body, base + path, content_type)
        yield request.param, site, base, results, extra


def _articles(results):
    return {url: r for url, r in results.items() if url.endswith(".html")}


def test_page_types_follow_the_url_kind(crawl):
    _, _, base, results, extra = crawl
    for url, result in results.items():
        path = urlsplit(url).path
        if path.endswith(".html"):
            expected = "article"
        elif "/laws/detail/" in path:
            expected = "document_detail"
        elif re.fullmatch(r"/vi/laws/(page-\d+/)?", path):
            expected = "document_listing"
        elif "/tag/" in path:
            expected = "tag_listing"
        elif re.fullmatch(r"/vi/news/[\w-]+/(page-\d+/)?", path):
            expected = "category_listing"
        else:
            continue
        assert result["page_type"] == expected, url
    assert results[base + "/"]["page_type"] == "other"
    assert extra["/vi/news/chuyen-muc-khong-co/"]["page_type"] == "soft_404"


def test_articles_match_the_replica_model(crawl):
    theme, site, base, results, _ = crawl
    model = site.model
    checked, wrong = 0, []
    for url, result in _articles(results).items():
        article = result["article"]
        truth = model.article(article["article_id"], site.night)
        fields = model.article_fields(truth)
        got = {
            "title": article["title"],
            "summary": article["summary"],
            "published_at": article["published_at"],
            "authors": tuple((a["name"], a["organization"]) for a in article["authors"]),
            "images": tuple((urlsplit(i["src"]).path, i["alt"], i["caption"], i["credit"])
                            for i in article["images"]),
            "tags": len(article["tags"]),
            "attachments": tuple(a["name"] for a in article["attachments"]),
            "source": article["source"],
            "rating": (article["rating"]["score"], article["rating"]["votes"]),
            "comments": article["comments"],
        }
        want = {
            "title": fields["title"],
            "summary": fields["summary"],
            "published_at": fields["published_at"],
            "authors": fields["authors"],
            "images": fields["images"],
            "tags": len(fields["tags"]),
            "attachments": tuple(name for name, _ in fields["attachments"]),
            "source": truth.source,
            "rating": truth.rating,
            "comments": truth.comments if got["comments"] is not None else None,
        }
        for key in want:
            checked += 1
            if got[key] != want[key]:
                wrong.append((url, key, got[key], want[key]))
        paragraphs, captions = fields["body_text"]
        body = article["body_text"] or ""
        for text in list(paragraphs) + [line for lines in captions for line in lines]:
            checked += 1
            if text not in body:
                wrong.append((url, "body_text", text[:60], "missing"))
    assert checked > ARTICLES * 10
    assert not wrong, f"{len(wrong)}/{checked} fields differ in {theme}: {wrong[:5]}"


def test_articles_have_no_boilerplate_or_alt_duplicates(crawl):
    _, _, _, results, _ = crawl
    for url, result in _articles(results).items():
        article = result["article"]
        body = article["body_text"]
        assert "Bạn đã không sử dụng Site" not in body, url
        assert "Tổng số điểm" not in body and "lượt xem" not in body, url
        for image in article["images"]:
            # A caption typed in the body appears there once, never again from the alt text.
            if image["caption"]:
                assert body.count(image["caption"] + " (") <= 1, url
            if image["alt"] and re.fullmatch(r"\d+ \d+ \d+", image["alt"]):
                assert image["alt"] not in body, url


def test_documents_match_the_replica_model(crawl):
    theme, site, _, results, _ = crawl
    wrong, checked = [], 0
    for url, result in results.items():
        if result["page_type"] != "document_detail":
            continue
        doc = result["document"]
        truth = site.model.document(doc["document_id"])
        want = {
            "number": truth.number, "title": truth.title, "summary": truth.summary,
            "issued_on": truth.issued_on.date().isoformat(),
            "effective_on": truth.effective_on.date().isoformat() if truth.effective_on else None,
            "expires_on": truth.expires_on.date().isoformat() if truth.expires_on else None,
            "doc_type": truth.doc_type, "field": truth.field, "issuer": truth.issuer,
            "reviewer": truth.reviewer, "signer": truth.signer,
            "attachments": tuple(name for name, _ in truth.files),
        }
        got = dict(doc, attachments=tuple(a["name"] for a in doc["attachments"]))
        for key, value in want.items():
            checked += 1
            if got[key] != value:
                wrong.append((url, key, got[key], value))
        for line in truth.body:
            checked += 1
            if line not in (doc["body_text"] or ""):
                wrong.append((url, "body_text", line[:60], "missing"))
    assert checked > 40
    assert not wrong, f"{len(wrong)}/{checked} document fields differ in {theme}: {wrong[:5]}"


def test_category_pagination_chain_lists_every_article_once(crawl):
    _, site, base, results, extra = crawl
    firsts = [u for u in results if re.fullmatch(r"/vi/news/[\w-]+/", urlsplit(u).path)
              and "/tag/" not in u and "/page-" not in u]
    assert firsts
    for first in firsts:
        alias = urlsplit(first).path.split("/")[3]
        seen, url = [], first
        while url:
            listing = results[url]["listing"] if url in results else None
            assert listing is not None, url
            seen += [item["url"] for item in listing["items"]]
            url = listing["next_page"]
            assert len(seen) < 1000
        assert len(seen) == len(set(seen))
        assert len(seen) == site.model.category_total(CAT_INDEX[alias], site.night)
        assert all(f"/{alias}/" in u for u in seen)
        for item in results[first]["listing"]["items"]:
            assert item["title"] and item["date"] and item["date"].endswith("+07:00")
    past = extra["/vi/news/xay-dung-dang/page-999/"]
    assert past["page_type"] == "category_listing"
    assert past["listing"] == {"items": [], "next_page": None}


def test_document_listing_rows_and_sidebar(crawl):
    theme, _, base, results, _ = crawl
    listing = results[base + "/vi/laws/"]["listing"]
    assert listing["items"]
    pages = [u for u in results if re.fullmatch(r"/vi/laws/page-\d+/", urlsplit(u).path)]
    assert (listing["next_page"] is not None) == bool(pages)
    for item in listing["items"]:
        assert item["number"] and item["title"] and item["issued_on"]
        assert item["url"].startswith(base + "/vi/laws/detail/")
    sidebar = results[base + "/"]["sidebar_documents"]
    assert [d["number"] for d in sidebar][:4] == ["17/CT-UBND", "3600/UBND-VX", "130/TB-UBND",
                                                  "3505/KH-UBND"]
    assert all(isinstance(d["views"], int) and isinstance(d["downloads"], int) for d in sidebar)


def test_nfd_and_windows_1258_pages_parse_like_their_utf8_twins():
    plain_cfg = ReplicaConfig(articles=12, seed=5, theme="custom2015", nfd_rate=0.0)
    urls = [u for u in Site(plain_cfg).canonical_urls("") if u.endswith(".html")][:6]
    parsed = []
    for extra in ({"nfd_rate": 0.0}, {"nfd_rate": 1.0}, {"cp1258_rate": 1.0, "nfd_rate": 0.0}):
        config = ReplicaConfig(articles=12, seed=5, theme="custom2015", **extra)
        with run_replica(config) as base:
            results = []
            for path in urls:
                _, body, content_type = _get(base, base + path)
                result = parse_page(body, base + path, content_type)
                result["article"]["views"] = None  # volatile: every cookie-less fetch counts
                # Each replica listens on its own port: compare URLs without it.
                results.append(json.loads(json.dumps(result).replace(base, "http://portal")))
        parsed.append(results)
    assert parsed[0] == parsed[1] == parsed[2]
