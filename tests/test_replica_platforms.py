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
import unicodedata
from functools import cache
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest

from portal_archive.cli import main
from replica import FaultConfig, ReplicaConfig, Site
from replica.content import CATEGORIES
from replica.platforms.upload_portal import PARENT_OF
from replica.testing import fetch, run_replica

BASE = "http://127.0.0.1:8080"
# platforms of replica/platforms/ besides nukeviet, tested here
BUILT = ["upload-portal", "wordpress", "custom"]
ALL = ["nukeviet", *BUILT]
MISSING = {  # status of a missing page, and what the body or Location says
    "upload-portal": (302, "/"),
    "wordpress": (404, "Không tìm thấy trang"),
    "custom": (200, "Không tìm thấy trang bạn yêu cầu"),
}


@cache
def site(platform: str, night: int = 0, articles: int = 40) -> Site:
    return Site(ReplicaConfig(articles=articles, seed=3, night=night, platform=platform,
                              nfd_rate=0.0))


def links(url: str, ctype: str, body: bytes) -> list[str]:
    """Absolute URLs a crawler would find in a page: hrefs and srcs, sitemap <loc>s,
    robots.txt's Sitemap lines."""
    if url.endswith("/robots.txt"):
        return [line.split(":", 1)[1].strip() for line in body.decode().splitlines()
                if line.lower().startswith("sitemap:")]
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
    assert {"text/html", "image/jpeg", "application/pdf"} <= kinds
    if platform != "custom":  # the custom site has neither sitemap nor feed
        assert "application/xml" in kinds


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
    unlinked = canonical - reached - {BASE + "/robots.txt", BASE + "/favicon.ico"}
    assert not unlinked, sorted(unlinked)[:5]
    assert seen_traps, "the platform's traps are linked somewhere"
    for trap in sorted(seen_traps)[:5]:  # traps answer (a page or a redirect), as on the site
        status, _, _ = s.render(trap[len(BASE):], base=BASE)
        assert status in (200, 301, 302), trap


@pytest.mark.parametrize("platform", BUILT)
def test_missing_pages_answer_the_platform_way(platform):
    s = site(platform)
    want_status, want = MISSING[platform]
    article = s.platform.article_url(2)
    for target in ("/khong-co-trang-nay", article.replace(".", "-x.").rstrip("/") + "-x/",
                   "/upload/2003591/20990101/x_00000.jpg", "/wp-content/uploads/x.jpg"):
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
        if "moved_from" in entry:  # re-filed: the old URL goes the missing way, the new shows
            assert "category" in entry["fields"]
            assert a.render(entry["moved_from"])[0] == 200
            assert b.render(entry["moved_from"])[0] == status_missing
            assert a.render(entry["url"])[0] == status_missing
            assert b.render(entry["url"])[0] == 200
            continue
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
    truth = b.changes(0, 2)
    removed = {e["url"] for e in truth["removed"]}
    moved = {e["moved_from"] for e in truth["changed"] if "moved_from" in e}
    articles_a = {a.platform.article_url(k) for k in a.platform.alive_articles()}
    # only withdrawn and re-filed articles leave their URLs
    assert articles_a <= ua and articles_a - ub == removed | moved
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


def test_upload_portal_refiles_one_article_a_night():
    before, after = site("upload-portal", 0), site("upload-portal", 1)
    moved = [e for e in after.changes(0, 1)["changed"] if "moved_from" in e]
    assert len(moved) == 1
    entry = moved[0]
    k = after.platform.index().article_at[entry["url"]]
    old_cat, new_cat = before.platform.category_at(k), after.platform.category_at(k)
    assert old_cat != new_cat
    assert entry["url"].startswith(f"/{PARENT_OF[CATEGORIES[new_cat][0]]}/"
                                   f"{CATEGORIES[new_cat][0]}/")

    def listed(s: Site, cat: int) -> list[str]:
        hrefs, n = [], 1
        base_path = f"/{PARENT_OF[CATEGORIES[cat][0]]}/{CATEGORIES[cat][0]}"
        while (r := s.render(base_path if n == 1 else f"{base_path}?trang={n}"))[0] == 200:
            doc = lxml.html.fromstring(r[2])
            hrefs += [a.get("href") for a in doc.cssselect(".post-title h4 a")]
            n += 1
        return hrefs

    assert entry["moved_from"] in listed(before, old_cat)
    assert entry["url"] not in listed(before, new_cat)
    assert entry["url"] in listed(after, new_cat)
    assert entry["moved_from"] not in listed(after, old_cat)
    page = lxml.html.fromstring(after.render(entry["url"], base=BASE)[2])
    crumbs = [a.text for a in page.cssselect(".breadcrumb a")]
    assert crumbs[-1] == CATEGORIES[new_cat][1]


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


# ---- wordpress specifics -----------------------------------------------------------------
def test_wordpress_single_post_markup_and_metadata():
    s = site("wordpress")
    seed_url = s.platform.article_url(1)
    assert seed_url == "/2015/03/25/tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so/"
    page = lxml.html.fromstring(s.render(seed_url, base=BASE)[2])
    assert page.cssselect("article.post h1.entry-title")[0].text.startswith("Tiếp tục quan tâm")
    assert page.cssselect(".post-meta time")[0].get("datetime") == "2015-03-25T09:21:00+07:00"
    graph = json.loads(page.cssselect("script.yoast-schema-graph")[0].text)["@graph"]
    article = next(n for n in graph if n["@type"] == "Article")
    assert article["datePublished"] == "2015-03-25T02:21:00+00:00"  # Yoast writes UTC
    assert article["headline"] == page.cssselect("h1.entry-title")[0].text
    content = page.cssselect(".entry-content")[0]
    captions = [c.text_content() for c in content.cssselect(
        "p.wp-caption-text, figcaption.wp-element-caption")]
    assert captions and all("(ảnh: TP)" in c or "Ảnh" in c or "ảnh" in c for c in captions)
    assert content.cssselect("p.has-text-align-right strong")[0].text == s.model.article_any(
        1, 0).author_line
    assert page.xpath("//meta[@name='generator']/@content") == ["WordPress 6.4.3"]
    shortlink = page.xpath("//link[@rel='shortlink']/@href")[0]
    status, headers, _ = s.render(shortlink[len(BASE):], base=BASE)
    assert status == 301 and headers["Location"] == seed_url


def test_wordpress_shows_both_caption_markups_and_uploads_paths():
    s = site("wordpress", 0, 120)
    classic = block = 0
    for k in list(s.platform.alive_articles())[:60]:
        body = s.render(s.platform.article_url(k), base=BASE)[2]
        classic += body.count(b'class="wp-caption-text"')
        block += body.count(b'class="wp-element-caption"')
    assert classic and block
    images = [u for u in s.canonical_urls("") if u.startswith("/wp-content/uploads/")]
    assert images and all(re.fullmatch(r"/wp-content/uploads/\d{4}/\d{2}/[^/]+", u)
                          for u in images)


def test_wordpress_keys_are_post_ids_and_documents_a_post_type():
    s = site("wordpress", 2)
    truth = s.changes(0, 2, BASE)
    for group in truth.values():
        for entry in group:
            page = lxml.html.fromstring(s.render(entry["url"][len(BASE):], base=BASE)[2]) \
                if group is not truth["removed"] else None
            assert entry["key"].isdigit()
            if page is not None:
                assert page.cssselect("article")[0].get("id") == f"post-{entry['key']}"
    doc = lxml.html.fromstring(s.render(s.platform.document_url(3), base=BASE)[2])
    rows = {tr[0].text_content(): tr[1].text_content()
            for tr in doc.cssselect("table.vb-thuoc-tinh tr")}
    d = s.model.document(3)
    assert rows["Số ký hiệu"] == d.number and rows["Người ký"] == d.signer
    assert rows["Ngày ban hành"] == f"{d.issued_on:%d/%m/%Y}"
    status, _, body = s.render("/category/kinh-te/page/99/", base=BASE)
    assert status == 404 and "Không tìm thấy trang".encode() in body


# ---- custom (ASP.NET, no structured metadata) --------------------------------------------
def test_custom_shows_only_visible_metadata():
    s = site("custom")
    url = s.platform.article_url(1)
    assert re.fullmatch(r"/vn/chuyen-muc/\d+/\d+/[a-z0-9-]+\.aspx", url)
    body = s.render(url, base=BASE)[2]
    page = lxml.html.fromstring(body)
    assert not page.xpath("//meta[@property] | //time | //script[@type='application/ld+json']"
                          " | //*[@itemprop]")
    assert page.cssselect(".date-line")[0].text == "Thứ tư, 25/03/2015 - 09:21"
    assert page.cssselect("h1.news-title")[0].text.startswith("Tiếp tục quan tâm")
    assert page.cssselect("#__VIEWSTATE")[0].get("value")
    author = page.cssselect("p.news-author b")[0]
    assert author.text == "Tác giả: " + s.model.article_any(1, 0).author_line
    with_source = next(k for k in s.platform.alive_articles()
                       if s.model.article_any(k, 0).source)
    block = lxml.html.fromstring(s.render(s.platform.article_url(with_source), base=BASE)[2])
    assert "Nguồn tin:" in block.cssselect("p.news-author b")[0].text_content()
    assert block.cssselect("p.news-author b br")  # the two labels share one paragraph


def test_custom_pager_posts_back_but_next_links_are_crawlable():
    s = site("custom", 0, 200)
    path = "/vn/chuyen-muc/112/thoi-su-chinh-tri.aspx"
    page = lxml.html.fromstring(s.render(path, base=BASE)[2])
    hrefs = [a.get("href") for a in page.cssselect(".pager a")]
    assert any(h.startswith("javascript:__doPostBack(") for h in hrefs)
    assert f"{path}?page=2" in hrefs
    truth = s.changes(0, 0)  # no change within a night
    assert truth == {"added": [], "removed": [], "changed": []}
    keys = Site(ReplicaConfig(articles=200, seed=3, night=1, platform="custom")).changes(0, 1)
    for entry in keys["added"] + keys["changed"]:
        assert f"/{entry['key']}/" in entry["url"]  # the id in the URL is the key


# ---- the command line and the page variants ----------------------------------------------
@pytest.mark.parametrize("platform", BUILT)
def test_cli_ground_truth_honours_platform(platform, capsys):
    args = ["replica", "--articles", "20", "--port", "9999", "--platform", platform]
    config = ReplicaConfig(articles=20, platform=platform)
    assert main([*args, "--list-urls"]) == 0
    assert capsys.readouterr().out.split() == Site(config).canonical_urls(
        "http://127.0.0.1:9999")
    assert main([*args, "--changes", "0", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == Site(config).changes(
        0, 2, "http://127.0.0.1:9999")
    assert main([*args, "--attachments"]) == 0
    assert json.loads(capsys.readouterr().out) == Site(config).attachments(
        "http://127.0.0.1:9999")


def test_cli_rejects_an_unknown_platform(capsys):
    assert main(["replica", "--platform", "joomla", "--list-urls"]) == 2
    err = capsys.readouterr().err
    assert "unknown platform 'joomla'" in err and "upload-portal" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("platform", BUILT)
def test_nfd_and_windows_1258_variants_apply(platform):
    url = Site(ReplicaConfig(articles=20, platform=platform)).platform.article_url(1)
    nfd = Site(ReplicaConfig(articles=20, platform=platform, nfd_rate=1.0))
    body = nfd.render(url)[2].decode("utf-8")
    assert unicodedata.normalize("NFD", "Tiếp tục") in body and "Tiếp tục" not in body
    cp = Site(ReplicaConfig(articles=20, platform=platform, nfd_rate=0.0, cp1258_rate=1.0))
    status, headers, raw = cp.render(url)
    assert headers["Content-Type"] == "text/html; charset=windows-1258"
    text = unicodedata.normalize("NFC", raw.decode("cp1258"))
    assert re.search(r'charset="?windows-1258"', text)  # the page says so too
    assert "Tiếp tục quan tâm" in text


@pytest.mark.parametrize("platform", BUILT)
def test_fault_pages_are_linked_and_served_when_switched_on(platform):
    s = Site(ReplicaConfig(articles=20, platform=platform,
                           faults=FaultConfig(redirect_loop=True, oversize=True)))
    home = s.render("/", base=BASE)[2]
    assert b'href="/vi/loop/"' in home and b'href="/vi/oversize/"' in home
    assert s.render("/vi/loop/")[:2] == (302, {"Content-Type": "text/html; charset=utf-8",
                                                "Location": "/vi/loop-b/"})
    assert s.respond("/vi/oversize/").stream_size == 50 * 1024 * 1024
    plain = site(platform)
    assert b"/vi/loop/" not in plain.render("/", base=BASE)[2]
    assert plain.render("/vi/loop/")[0] == MISSING[platform][0]


def test_wordpress_over_http_sets_no_cookie_and_answers_404():
    with run_replica(ReplicaConfig(articles=20, platform="wordpress", nfd_rate=0.0)) as base:
        status, headers, body = fetch(base, "/")
        assert status == 200 and "set-cookie" not in headers
        assert headers["x-powered-by"].startswith("PHP/") and b"wp-content/themes" in body
        assert fetch(base, "/khong-co/")[0] == 404


ODD_TARGETS = [
    "//", "/%ZZ", "/?p=abc", "/?p=99999999", "/?page=", "/page/abc/", "/page/1/", "/page/999/",
    "/category/", "/category/kinh-te/page/2/feed/", "/tag/x/", "/van-ban/x/", "/van-ban?trang=x",
    "/tin-tuc-su-kien?trang=2", "/tin-tuc-su-kien/kinh-te?trang=-1", "/a/b/c/d.html",
    "/vn/chuyen-muc/abc/x.aspx", "/vn/chuyen-muc/112/999999/x.aspx", "/vn/in-bai.aspx?id=x",
    "/vn/van-ban.aspx?page=0", "/upload/2003591/fck/files/x.pdf", "/wp-content/uploads/x.png",
    "/Uploads/Files/2015/03/x.doc", "/2015/03/25/x/feed/", "/wp-sitemap-x.xml", "/index.php",
]


@pytest.mark.parametrize("platform", BUILT)
def test_odd_requests_get_the_platform_answer_never_an_error(platform):
    s = site(platform)
    allowed = {200, MISSING[platform][0], 301}
    for target in ODD_TARGETS:
        for method in ("GET", "HEAD", "POST"):
            assert s.respond(target, method=method).status in allowed, (method, target)
