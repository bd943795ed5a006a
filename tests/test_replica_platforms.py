"""The replica's platforms (replica/platforms/): every canonical URL answers, every link of
every page is canonical, a known trap or off-site, missing pages answer the platform's way,
and the nights' changes show at the ground truth's URLs.

Pages are rendered with `Site.render` (no socket); one test serves a platform over HTTP.
Links are read with lxml, from the replica's side (nothing from scraper/ is used).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from functools import cache
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest

from replica import ReplicaConfig, Site
from replica.testing import fetch, run_replica

BASE = "http://127.0.0.1:8080"
BUILT = ["upload-portal"]  # platforms of replica/platforms/ besides nukeviet, tested here
ALL = ["nukeviet", *BUILT]
MISSING = {  # status of a missing page, and what the body or Location says
    "upload-portal": (302, "/"),
}


@cache
def site(platform: str, night: int = 0, articles: int = 40) -> Site:
    return Site(ReplicaConfig(articles=articles, seed=3, night=night, platform=platform,
                              nfd_rate=0.0))


def links(url: str, ctype: str, body: bytes) -> list[str]:
    """Absolute URLs a crawler would find in a page: hrefs and srcs, sitemap <loc>s."""
    if ctype.startswith("application/xml"):
        root = lxml.etree.fromstring(body)
        return [el.text.strip() for el in root.iter("{*}loc")]
    if not ctype.startswith("text/html"):
        return []
    doc = lxml.html.fromstring(body)
    out = []
    for el, attr, link, _ in doc.iterlinks():
        if el.tag == "form" or (el.tag == "a" and attr != "href"):
            continue
        if link.startswith(("javascript:", "mailto:", "#")):
            continue
        out.append(urljoin(url, link).split("#")[0])
    return out


def is_trap(platform: str, url: str) -> bool:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return any(re.search(p, target) for p in site(platform).platform.trap_patterns)


@pytest.mark.parametrize("platform", ALL)
def test_every_canonical_url_answers_200_with_its_content_type(platform):
    s = site(platform)
    urls = s.canonical_urls("")
    assert len(urls) == len(set(urls)), "a canonical URL is listed twice"
    kinds = set()
    for u in urls:
        status, headers, body = s.render(u, base=BASE)
        assert status == 200, (u, status)
        ctype = headers["Content-Type"]
        kind = ctype.split(";")[0]
        kinds.add(kind)
        if u.endswith((".html", ".aspx")):
            assert kind == "text/html", (u, ctype)
        if u.endswith(".jpg"):
            assert kind == "image/jpeg" and body[:2] == b"\xff\xd8", u
        if u.endswith(".png") or u.endswith(".ico"):
            assert kind == "image/png" and body[:4] == b"\x89PNG", u
        if u.endswith(".pdf"):
            assert kind == "application/pdf" or "html" in kind, (u, ctype)  # a not-a-PDF
        if u.endswith(".css"):
            assert kind == "text/css"
        if u.endswith(".xml"):
            assert kind == "application/xml"
    assert {"text/html", "image/jpeg", "application/pdf", "application/xml"} <= kinds


@pytest.mark.parametrize("platform", ALL)
def test_every_link_is_canonical_a_trap_or_off_site(platform):
    s = site(platform)
    canonical = set(s.canonical_urls(BASE))
    seen_traps = set()
    reached = {BASE + "/"}
    for url in sorted(canonical):
        status, headers, body = s.render(url[len(BASE):], base=BASE)
        for link in links(url, headers["Content-Type"], body):
            if urlsplit(link).netloc != urlsplit(BASE).netloc:
                continue  # off-site (share buttons and the like)
            if link in canonical:
                reached.add(link)
                continue
            assert is_trap(platform, link), f"{url} links {link}: neither canonical nor a trap"
            seen_traps.add(link)
    # Every canonical URL is linked from some page (the site is crawlable from its home).
    unlinked = canonical - reached - {BASE + "/robots.txt", BASE + "/favicon.ico",
                                      BASE + "/sitemap.xml"}
    assert not unlinked, sorted(unlinked)[:5]
    assert seen_traps, "the platform's traps are linked somewhere"
    for trap in sorted(seen_traps)[:5]:  # traps answer (a page or a redirect), as on the site
        status, _, _ = s.render(trap[len(BASE):], base=BASE)
        assert status in (200, 301, 302), trap


@pytest.mark.parametrize("platform", BUILT)
def test_missing_pages_answer_the_platform_way(platform):
    s = site(platform)
    want_status, want = MISSING[platform]
    article = next(u for u in s.canonical_urls("") if u.endswith(".html"))
    for target in ("/khong-co-trang-nay", article.replace(".html", "-x.html"),
                   "/upload/2003591/20990101/x_00000.jpg"):
        status, headers, body = s.render(target, base=BASE)
        assert status == want_status, target
        if status in (301, 302):
            assert headers["Location"] == want
        else:
            assert want in body.decode("utf-8")


@pytest.mark.parametrize("platform", BUILT)
def test_nights_changes_show_at_the_truth_urls(platform):
    a, b = site(platform, 0), site(platform, 2)
    truth = b.changes(0, 2, "")
    assert truth == a.changes(0, 2, "")  # the truth does not depend on the serving night
    assert truth["added"] and truth["removed"] and truth["changed"]
    status_missing = MISSING[platform][0]
    for entry in truth["added"]:
        assert b.render(entry["url"])[0] == 200
        if entry["kind"] == "article":
            assert a.render(entry["url"])[0] == status_missing
    for entry in truth["removed"]:
        assert a.render(entry["url"])[0] == 200
        assert b.render(entry["url"])[0] == status_missing
    ix = b.platform.index()
    for entry in truth["changed"]:
        k = ix.article_at[entry["url"]]
        new = b.model.article_any(k, 2)
        page = htmllib.unescape(b.render(entry["url"])[2].decode("utf-8"))
        old_page = htmllib.unescape(a.render(entry["url"])[2].decode("utf-8"))
        assert page != old_page
        if "title" in entry["fields"]:
            assert new.title in page
        if "authors" in entry["fields"]:
            assert new.author_line in page and new.author_line not in old_page
        if "body_text" in entry["fields"]:
            assert all(p in page for p in new.paragraphs)
        if "images" in entry["fields"]:
            assert all(" ".join(im.caption_lines).split()[-1] in page
                       for _, im in new.images if im.caption_lines)
    # Keys: the canonical URL where the platform shows no id
    if platform == "upload-portal":
        assert all(e["key"] == e["url"] for g in truth.values() for e in g)


@pytest.mark.parametrize("platform", BUILT)
def test_canonical_urls_grow_with_the_nights_and_keep_their_paths(platform):
    a, b = site(platform, 0), site(platform, 2)
    ua, ub = set(a.canonical_urls("")), set(b.canonical_urls(""))
    removed = {e["url"] for e in b.changes(0, 2)["removed"]}
    articles_a = {u for u in ua if u.endswith(".html")}
    assert articles_a - ub == removed  # only withdrawn articles leave
    assert {e["url"] for e in b.changes(0, 2)["added"]} <= ub - ua


@pytest.mark.parametrize("platform", BUILT)
def test_attachments_truth_is_served(platform):
    s = site(platform)
    truth = s.attachments(BASE)
    assert {t["owner"] for t in truth} == {"article", "document"}
    canonical = set(s.canonical_urls(BASE))
    for t in truth:
        assert t["url"] in canonical and t["page_url"] in canonical
        status, headers, _ = s.render(t["url"][len(BASE):], base=BASE)
        assert status == 200 and headers["Content-Type"] == t["content_type"]
        _, _, page = s.render(t["page_url"][len(BASE):], base=BASE)
        assert t["url"][len(BASE):].encode() in page  # the owner page links it


# ---- upload-portal specifics -------------------------------------------------------------
def test_upload_portal_urls_and_markup():
    s = site("upload-portal")
    urls = s.canonical_urls("")
    articles = [u for u in urls if re.fullmatch(r"/[a-z-]+/[a-z-]+/[a-z0-9-]+\.html", u)]
    assert len(articles) == 40 - len(s.model.state(0).removed)
    images = [u for u in urls if u.startswith("/upload/") and "/fck/" not in u]
    assert images and all(re.fullmatch(r"/upload/\d+/\d{8}/[A-Za-z0-9_-]+_[0-9a-f]{5}\."
                                       r"(jpg|png)", u) for u in images)
    files = [u for u in urls if "/fck/files/" in u]
    assert files and all(re.fullmatch(r"/upload/\d+/fck/files/[A-Za-z0-9_.-]+", u)
                         for u in files)
    seed_url = s.platform.article_url(1)
    assert seed_url == ("/chinh-quyen/xay-dung-dang/"
                        "tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so.html")
    page = lxml.html.fromstring(s.render(seed_url, base=BASE)[2])
    meta = {m.get("property"): m.get("content") for m in page.iter("meta") if m.get("property")}
    assert meta["article:published_time"] == "2015-03-25T09:21:00+0700"
    assert meta["og:url"] == BASE + seed_url and meta["og:title"].startswith("Tiếp tục")
    assert page.xpath('//meta[@property="article:published_time"]/@itemprop') == [
        "datePublished"]
    assert page.cssselect("h1.title-detail")[0].text_content().startswith("Tiếp tục quan tâm")
    assert "(ảnh: TP)" in page.cssselect("figure.image figcaption")[0].text_content()
    listing = lxml.html.fromstring(s.render("/chinh-quyen/xay-dung-dang", base=BASE)[2])
    items = listing.cssselect("article.post-item.row.clearfix")
    assert items and all(re.fullmatch(r"[0-9a-f]{24}", it.get("data-id")) for it in items)
    assert all(it.cssselect(".post-title h4 a") for it in items)


def test_upload_portal_category_pagination_covers_every_article():
    s = site("upload-portal", 0, 200)
    c = "/tin-tuc-su-kien/thoi-su-chinh-tri"
    found, n = [], 1
    while True:
        status, _, body = s.render(c if n == 1 else f"{c}?trang={n}", base=BASE)
        if status != 200:
            break
        doc = lxml.html.fromstring(body)
        found += [a.get("href") for a in doc.cssselect("article.post-item .post-title h4 a")]
        n += 1
    assert status == 302 and n > 2
    expected = [s.platform.article_url(k) for k in s.model.category_ids(0, 0, 0, 10_000)]
    assert found == expected


def test_upload_portal_documents_show_label_value_tables():
    s = site("upload-portal")
    d = s.model.document(2)
    doc = lxml.html.fromstring(s.render(s.platform.document_url(2), base=BASE)[2])
    rows = {tr[0].text_content(): tr[1].text_content() for tr in doc.cssselect("table tr")}
    assert rows["Số ký hiệu"] == d.number
    assert rows["Ngày ban hành"] == f"{d.issued_on:%d/%m/%Y}"
    assert rows["Cơ quan ban hành"] == d.issuer and rows["Người ký"] == d.signer
    assert rows["Loại văn bản"] == d.doc_type


def test_upload_portal_served_over_http_with_its_cookie_and_302():
    config = ReplicaConfig(articles=20, platform="upload-portal", nfd_rate=0.0)
    with run_replica(config) as base:
        status, headers, body = fetch(base, "/")
        assert status == 200 and "ASP.NET_SessionId=" in headers["set-cookie"]
        assert b"post-item row clearfix" in body
        status, headers, _ = fetch(base, "/tin-tuc-su-kien/khong-co.html")
        assert status == 302 and headers["location"] == "/"
        truth = json.loads(json.dumps(Site(config).changes(0, 1, base.rstrip("/"))))
        assert all(e["url"].startswith(base.rstrip("/") + "/") for e in truth["added"])
