"""The replica's enterprise platforms (Liferay / VNPT ePortal, SharePoint 2013 with vbpl-like
documents, DotNetNuke with EasyDNNnews): every canonical URL answers, every link of every page
is canonical, a known trap or off-site, missing pages answer the platform's way, the nights'
changes show at the ground truth's URLs, and each platform's own markup is there.

Pages are rendered with `Site.render` (no socket), links read with lxml from the replica's
side (nothing from scraper/ is used); one test serves a platform over HTTP.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from functools import cache
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest

from replica import FaultConfig, ReplicaConfig, Site
from replica.platforms.sharepoint import sp_time
from replica.testing import fetch, run_replica

BASE = "http://127.0.0.1:8080"
PLATFORMS = ["liferay", "sharepoint", "dotnetnuke"]
TZ = timezone(timedelta(hours=7))


@cache
def site(platform: str, night: int = 0, articles: int = 40) -> Site:
    return Site(ReplicaConfig(articles=articles, seed=3, night=night, platform=platform,
                              nfd_rate=0.0))


def text_of(body: bytes) -> str:
    return htmllib.unescape(body.decode("utf-8"))


def parse(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(body.decode("utf-8"))


def links(url: str, ctype: str, body: bytes) -> list[str]:
    """Absolute URLs a crawler would find in a page: hrefs and srcs, sitemap <loc>s, RSS
    item links."""
    if ctype.split(";")[0] in ("text/xml", "application/xml"):
        root = lxml.etree.fromstring(body)
        return [el.text.strip() for el in [*root.iter("{*}loc"), *root.iterfind(".//item/link")]]
    if not ctype.startswith("text/html"):
        return []
    doc = lxml.html.fromstring(body.decode("utf-8"))
    out = []
    for el, attr, link, _ in doc.iterlinks():
        if el.tag == "form" or (el.tag == "a" and attr != "href"):
            continue
        if link.startswith(("javascript:", "mailto:", "#")):
            continue
        out.append(urljoin(url, link).split("#")[0])
    return out


def is_trap(s: Site, url: str) -> bool:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return any(re.search(p, target) for p in s.platform.trap_patterns)


def article_urls(s: Site) -> list[str]:
    return [s.platform.article_path(s, k) for k in s.platform.alive_articles(s)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_canonical_url_answers_200_with_its_content_type(platform):
    s = site(platform)
    urls = s.canonical_urls("")
    assert len(urls) == len(set(urls)), "a canonical URL is listed twice"
    kinds = set()
    for u in urls:
        status, headers, body = s.render(u, base=BASE)
        assert status == 200, (u, status)
        kind = headers["Content-Type"].split(";")[0]
        kinds.add(kind)
        path = urlsplit(u).path
        if path.endswith(".aspx") and "LinkClick" not in path:
            assert kind in ("text/html", "text/xml"), (u, kind)
        if path.endswith(".jpg"):
            assert kind == "image/jpeg" and body[:2] == b"\xff\xd8", u
        if path.endswith((".png", ".ico")):
            assert kind == "image/png" and body[:4] == b"\x89PNG", u
        if path.endswith(".css"):
            assert kind == "text/css", u
    assert {"text/html", "image/jpeg", "application/pdf", "text/xml"} <= kinds
    # Items are there: every live article, every document.
    assert set(article_urls(s)) <= set(urls)
    st = s.model.state(0)
    assert sum(1 for u in urls if u in {s.platform.document_path(s, k)
                                        for k in range(1, st.max_document + 1)}) \
        == st.max_document


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_link_is_canonical_a_trap_or_off_site(platform):
    s = site(platform)
    canonical = set(s.canonical_urls(BASE))
    seen_traps = set()
    reached = set()
    for url in sorted(canonical):
        status, headers, body = s.render(url[len(BASE):], base=BASE)
        for link in links(url, headers["Content-Type"], body):
            if urlsplit(link).netloc != urlsplit(BASE).netloc:
                continue  # off-site (share buttons)
            if link in canonical:
                reached.add(link)
                continue
            assert is_trap(s, link), f"{url} links {link}: neither canonical nor a trap"
            seen_traps.add(link)
    # Every canonical URL is linked from some page: the site is crawlable from its home.
    unlinked = canonical - reached - {BASE + "/robots.txt", BASE + "/sitemap.xml",
                                      BASE + "/sitemap.aspx"}
    assert not unlinked, sorted(unlinked)[:5]
    # The home page is reached from "/" (a redirect on Liferay and SharePoint).
    status, headers, _ = s.render("/", base=BASE)
    assert status == 200 or headers["Location"] in {u[len(BASE):] for u in canonical}
    assert len(seen_traps) >= 3, "the platform's traps are linked"
    for trap in sorted(seen_traps):  # traps answer (a page or a redirect), as on the site
        status, _, _ = s.render(trap[len(BASE):], base=BASE)
        assert status in (200, 301, 302), trap


def missing_cases(s: Site) -> list[tuple[str, int, str]]:
    """(target, status, what the body says) for each way a page can be missing."""
    p = s.platform
    if p.name == "liferay":
        said = "Không tìm thấy trang yêu cầu"
        return [("/web/guest/khong-co-trang-nay", 404, said),
                ("/web/guest/kinh-te/-/view-content/499999-khong-co", 404, said),
                ("/web/guest/van-ban/-/van-ban/chi-tiet/99999", 404, said),
                ("/documents/20121/0/x.jpg/00000000-0000-0000-0000-000000000000", 404, said)]
    if p.name == "sharepoint":
        return [("/khong-co/Pages/default.aspx", 404, "404 FILE NOT FOUND"),
                ("/tin-tuc/kinh-te/Pages/khong-co.aspx", 404, "404 FILE NOT FOUND"),
                ("/tin-tuc/kinh-te/Pages/chi-tiet.aspx?ItemID=99999", 200,
                 "Không tìm thấy dữ liệu"),
                ("/laichau/Pages/vbpq-thuoctinh.aspx?dvid=318&ItemID=1", 200,
                 "Không tìm thấy dữ liệu"),
                ("/laichau/Lists/vbpq/Attachments/150001/khong-co.pdf", 404,
                 "404 FILE NOT FOUND")]
    return [("/khong-co-trang-nay", 404, "Không tìm thấy trang"),
            ("/tin-tuc/ArtMID/1520/ArticleID/99999/Khong-co", 200, "Bài viết không tồn tại"),
            ("/van-ban/mid/1600/ItemID/99999", 404, "Không tìm thấy trang"),
            ("/LinkClick.aspx?fileticket=xx&tabid=57&portalid=0&mid=1600", 404,
             "Không tìm thấy trang")]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_missing_pages_answer_the_platform_way(platform):
    s = site(platform)
    for target, want_status, said in missing_cases(s):
        status, _, body = s.render(target, base=BASE)
        assert status == want_status, target
        assert said in text_of(body), target


def gone(s: Site, url: str) -> bool:
    """Whether `url` answers as a missing item on this platform."""
    status, _, body = s.render(url, base=BASE)
    page = text_of(body)
    return status == 404 or any(w in page for w in ("Không tìm thấy dữ liệu",
                                                    "Bài viết không tồn tại"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_nights_changes_show_at_the_truth_urls(platform):
    a, b = site(platform, 0), site(platform, 2)
    truth = b.changes(0, 2, "")
    assert truth == a.changes(0, 2, "")  # the truth does not depend on the serving night
    assert truth["added"] and truth["removed"] and truth["changed"]
    for entry in truth["added"]:
        assert b.render(entry["url"])[0] == 200
        if entry["kind"] == "article":
            assert gone(a, entry["url"]), entry
    for entry in truth["removed"]:
        assert a.render(entry["url"])[0] == 200
        assert gone(b, entry["url"]), entry
        status = b.render(entry["url"])[0]
        assert status == (404 if entry["reason"] == "http_404" else 200), entry
    for entry in truth["changed"]:
        k = next(k for k in range(1, 100) if b.platform.article_key(k) == entry["key"])
        assert b.platform.article_path(b, k) == entry["url"]
        new, old = b.model.article_any(k, 2), b.model.article_any(k, 0)
        page, old_page = text_of(b.render(entry["url"])[2]), text_of(a.render(entry["url"])[2])
        assert page != old_page
        if "title" in entry["fields"]:
            assert new.title in page and new.title not in old_page
        if "authors" in entry["fields"]:
            assert new.author_line in page and new.author_line not in old_page
        if "body_text" in entry["fields"]:
            assert all(p in page for p in new.paragraphs)
        if "images" in entry["fields"]:
            assert any(im.caption_lines[-1] in page and im.caption_lines[-1] not in old_page
                       for _, im in new.images if im.caption_lines)
        assert old.published == new.published
    # Keys are the platform's own ids, shown in the URL.
    for group in truth.values():
        for entry in group:
            assert entry["key"].isdigit() and entry["key"] in entry["url"], entry


@pytest.mark.parametrize("platform", PLATFORMS)
def test_canonical_urls_grow_with_the_nights_and_keep_their_paths(platform):
    a, b = site(platform, 0), site(platform, 2)
    ua, ub = set(a.canonical_urls("")), set(b.canonical_urls(""))
    removed = {e["url"] for e in b.changes(0, 2)["removed"]}
    assert set(article_urls(a)) - ub == removed  # only withdrawn articles leave
    assert {e["url"] for e in b.changes(0, 2)["added"]} <= ub - ua


@pytest.mark.parametrize("platform", PLATFORMS)
def test_attachments_truth_is_served_and_linked(platform):
    s = site(platform)
    truth = s.attachments(BASE)
    assert {t["owner"] for t in truth} == {"article", "document"}
    canonical = set(s.canonical_urls(BASE))
    for t in truth:
        assert t["url"] in canonical and t["page_url"] in canonical
        status, headers, _ = s.render(t["url"][len(BASE):], base=BASE)
        assert status == 200 and headers["Content-Type"] == t["content_type"]
        assert t["name"] in headers["Content-Disposition"]
        page = s.render(t["page_url"][len(BASE):], base=BASE)[2].decode("utf-8")
        assert htmllib.escape(t["url"][len(BASE):]) in page  # the owner page links it


def follow_pages(s: Site, first: str, item_sel: str, next_sel: str) -> list[str]:
    """The article links of a listing, following its `next` links to the end."""
    found, url, seen = [], first, set()
    while url and url not in seen:
        seen.add(url)
        status, _, body = s.render(url, base=BASE)
        assert status == 200, url
        doc = lxml.html.fromstring(body.decode("utf-8"))
        found += [a.get("href") for a in doc.cssselect(item_sel)]
        nxt = doc.cssselect(next_sel)
        url = nxt[0].get("href") if nxt else None
    return found


@pytest.mark.parametrize("platform,first,item_sel,next_sel", [
    ("liferay", "/web/guest/kinh-te", ".news-item h3 a", "a[aria-label=Next]"),
    ("sharepoint", "/tin-tuc/kinh-te/Pages/default.aspx", ".news-list a.title",
     ".ms-bottompaging a.next"),
    ("dotnetnuke", "/tin-tuc/ArtMID/1520/CategoryID/2/Kinh-te", ".edn_articleTitle a",
     ".article_pager a.next"),
])
def test_category_pagination_covers_every_article(platform, first, item_sel, next_sel):
    s = site(platform, 0, 300)
    found = follow_pages(s, first, item_sel, next_sel)
    assert found == [s.platform.article_path(s, k) for k in s.model.category_ids(1, 0, 0, 10**5)]
    assert len(found) > s.platform.articles_per_page  # several pages


# ---- each platform's own markup ------------------------------------------------------------
def test_liferay_article_markup_and_fingerprints():
    s = site("liferay")
    url = s.platform.article_path(s, 1)
    assert re.fullmatch(r"/web/guest/xay-dung-dang/-/view-content/450001-[a-z0-9-]+", url)
    status, headers, body = s.render(url, base=BASE)
    assert headers["Content-Type"] == "text/html;charset=UTF-8"
    doc = lxml.html.fromstring(body.decode("utf-8"))
    page = body.decode("utf-8")
    for mark in ('class="lfr-css-file"', "_WAR_vnpteportalportlet", "/o/vnpt-portal-theme/",
                 "portlet-boundary_ArticleDetail_WAR_vnpteportalportlet_", "var Liferay"):
        assert mark in page, mark
    assert doc.cssselect(".detail-article h1.title")[0].text_content().startswith("Tiếp tục")
    assert doc.cssselect(".detail-article .date")[0].text_content().strip() \
        == "Thứ tư, 25/03/2015 - 09:21"
    assert "Tác giả: " in doc.cssselect(".detail-article .author")[0].text_content()
    captions = [td.text_content() for td in doc.cssselect("table.image-table tr:nth-child(2) td")]
    assert captions and any(c.endswith("(Ảnh: TP)") for c in captions)
    imgs = doc.cssselect(".detail-article .content img")
    assert imgs and all(re.fullmatch(r"/documents/20121/0/[^/]+/[0-9a-f-]{36}\?t=\d+",
                                     im.get("src")) for im in imgs)


def test_liferay_document_table_and_files():
    s = site("liferay")
    d = s.model.document(3)
    doc = parse(s.render(s.platform.document_path(s, 3), base=BASE)[2])
    rows = {tr[0].text_content(): tr[1] for tr in doc.cssselect(".vanban-detail table tr")}
    assert rows["Số ký hiệu"].text_content() == d.number
    assert rows["Ngày ban hành"].text_content() == f"{d.issued_on:%d/%m/%Y}"
    assert rows["Cơ quan ban hành"].text_content() == d.issuer
    assert rows["Người ký"].text_content() == d.signer
    assert rows["Loại văn bản"].text_content() == d.doc_type
    assert rows["Trích yếu"].text_content() == d.summary
    assert rows["Tình trạng hiệu lực"].text_content() in ("Còn hiệu lực", "Hết hiệu lực")
    hrefs = [a.get("href") for a in rows["Tệp đính kèm"].cssselect("a")]
    assert len(hrefs) == len(d.files) and all(
        re.fullmatch(r"/documents/20121/35003/[^/]+/[0-9a-f-]{36}\?version=1\.0&t=\d+"
                     r"&download=true", h) for h in hrefs)


def test_sharepoint_dates_are_vi_vn_with_sa_ch():
    assert sp_time(datetime(2024, 4, 15, 10, 30, tzinfo=TZ)) == "15/04/2024 10:30:00 SA"
    assert sp_time(datetime(2024, 4, 15, 14, 5, tzinfo=TZ)) == "15/04/2024 2:05:00 CH"
    assert sp_time(datetime(2024, 4, 15, 0, 5, 9, tzinfo=TZ)) == "15/04/2024 12:05:09 SA"
    assert sp_time(datetime(2024, 4, 15, 12, 0, tzinfo=TZ)) == "15/04/2024 12:00:00 CH"


def test_sharepoint_article_markup_and_fingerprints():
    s = site("sharepoint")
    url = s.platform.article_path(s, 1)
    assert url == "/tin-tuc/xay-dung-dang/Pages/chi-tiet.aspx?ItemID=1"
    status, headers, body = s.render(url, base=BASE)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    for mark in ('content="Microsoft SharePoint"', "/_layouts/15/", "_spPageContextInfo",
                 "ctl00_PlaceHolderMain_PageContent__ControlWrapper_RichHtmlField",
                 "ms-rtestate-field"):
        assert mark in page, mark
    doc = lxml.html.fromstring(body.decode("utf-8"))
    assert doc.get_element_by_id("ctl00_PlaceHolderMain_ArticleStartDate").text \
        == "25/03/2015 9:21:00 SA"
    assert doc.get_element_by_id("ctl00_PlaceHolderMain_TitleField").text.startswith("Tiếp tục")
    byline = doc.get_element_by_id(
        "ctl00_PlaceHolderMain_ArticleByLine__ControlWrapper_RichHtmlField")
    assert byline.text_content().startswith("Tác giả: ")
    body_el = doc.get_element_by_id(
        "ctl00_PlaceHolderMain_PageContent__ControlWrapper_RichHtmlField")
    captions = [em.text_content() for em in body_el.cssselect("p em")]
    assert any(c.endswith("(Ảnh: TP)") for c in captions)
    assert all(im.get("src").startswith("/tin-tuc/PublishingImages/2015/03/")
               for im in body_el.cssselect("img"))
    # robots.txt keeps crawlers out of /_layouts/, where SharePoint's own files live
    robots = s.render("/robots.txt")[2].decode()
    assert "Disallow: /_layouts/" in robots


def test_sharepoint_vbpq_attributes_and_full_text():
    s = site("sharepoint")
    d = s.model.document(2)
    attrs = s.platform.document_path(s, 2)
    assert attrs == "/laichau/Pages/vbpq-thuoctinh.aspx?dvid=318&ItemID=150002"
    doc = parse(s.render(attrs, base=BASE)[2])
    cells = [td.text_content() for td in doc.cssselect(".vbProperties td")]
    pairs = {cells[i]: cells[i + 1] for i in range(len(cells) - 1)}
    assert pairs["Số ký hiệu"] == d.number
    assert pairs["Ngày ban hành"] == f"{d.issued_on:%d/%m/%Y}"
    assert pairs["Loại văn bản"] == d.doc_type and pairs["Lĩnh vực"] == d.field
    assert pairs["Cơ quan ban hành/ Chức danh / Người ký"] == d.issuer
    assert d.signer in cells and pairs["Trích yếu"] == d.summary
    assert pairs["Tình trạng hiệu lực"] in ("Còn hiệu lực", "Hết hiệu lực")
    files = [a.get("href") for a in doc.cssselect(".fileAttack a")]
    assert files == [f"/laichau/Lists/vbpq/Attachments/150002/{n}" for n, _ in d.files]
    full = text_of(s.render(attrs.replace("thuoctinh", "toanvan"), base=BASE)[2])
    assert all(p in full for p in d.body)


def test_dotnetnuke_article_markup_and_fingerprints():
    s = site("dotnetnuke")
    url = s.platform.article_path(s, 1)
    assert url.startswith("/tin-tuc/ArtMID/1520/ArticleID/3001/Tiep-tuc-quan-tam")
    body = s.render(url, base=BASE)[2]
    page = body.decode("utf-8")
    for mark in ("dnn_ctr1520_ModuleContent", "/Portals/0/", "/Portals/_default/skins/",
                 "DnnModule-EasyDNNnews", 'content="DotNetNuke "'):
        assert mark in page, mark
    doc = lxml.html.fromstring(body.decode("utf-8"))
    assert doc.cssselect("time.edn_articleDate")[0].text == "25/03/2015 09:21"
    assert doc.cssselect("h1.edn_articleTitle")[0].text.startswith("Tiếp tục")
    captions = [p.text_content() for p in doc.cssselect(".edn_articleContent p.caption")]
    assert any(c.endswith(". Ảnh: TP") for c in captions)
    assert all(im.get("src").startswith("/Portals/0/EasyDNNnews/3001/")
               for im in doc.cssselect(".edn_articleContent img"))
    # A wrong title slug with the right ArticleID goes to the canonical URL.
    status, headers, _ = s.render("/tin-tuc/ArtMID/1520/ArticleID/3001/Sai", base=BASE)
    assert status == 301 and headers["Location"] == url


def test_dotnetnuke_documents_through_linkclick():
    s = site("dotnetnuke")
    d = s.model.document(4)
    doc = parse(s.render("/van-ban/mid/1600/ItemID/4", base=BASE)[2])
    rows = {tr[0].text_content(): tr[1].text_content() for tr in doc.cssselect("table.vb-info tr")}
    assert rows["Số ký hiệu"] == d.number and rows["Loại văn bản"] == d.doc_type
    assert rows["Ngày có hiệu lực"] == (f"{d.effective_on:%d/%m/%Y}" if d.effective_on else "")
    assert rows["Người ký"].startswith(d.signer) and rows["Cơ quan ban hành"] == d.issuer
    href = doc.cssselect(".vb-files a")[0].get("href")
    assert href.startswith("/LinkClick.aspx?fileticket=")
    status, headers, _ = s.render(href, base=BASE)
    assert status == 200 and d.files[0][0] in headers["Content-Disposition"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_nfd_and_windows_1258_variants_apply(platform):
    nfd = Site(ReplicaConfig(articles=20, seed=3, platform=platform, nfd_rate=1.0))
    cp = Site(ReplicaConfig(articles=20, seed=3, platform=platform, nfd_rate=0.0,
                            cp1258_rate=1.0))
    url = nfd.platform.article_path(nfd, 1)
    body = nfd.render(url)[2].decode("utf-8")
    assert body == unicodedata.normalize("NFD", body) and "Tie\u0302\u0301p tu\u0323c" in body
    status, headers, raw = cp.render(url)
    assert headers["Content-Type"] == "text/html; charset=windows-1258"
    assert 'charset=windows-1258"' in raw.decode("cp1258")


@pytest.mark.parametrize("platform,cookie,header", [
    ("liferay", "JSESSIONID", "liferay-portal"),
    ("sharepoint", "ASP.NET_SessionId", "microsoftsharepointteamservices"),
    ("dotnetnuke", "ASP.NET_SessionId", "x-powered-by"),
])
def test_served_over_http_with_the_platforms_headers(platform, cookie, header):
    config = ReplicaConfig(articles=20, platform=platform, nfd_rate=0.0)
    with run_replica(config) as base:
        status, headers, body = fetch(base, "/")
        if status == 302:
            status, headers, body = fetch(base, headers["location"])
        assert status == 200 and f"{cookie}=" in headers["set-cookie"]
        assert header in headers
        status, _, _ = fetch(base, "/khong-co-trang-nay")
        assert status == 404


@pytest.mark.parametrize("platform", PLATFORMS)
def test_fault_pages_are_linked_and_answer_when_the_faults_are_on(platform):
    on = Site(ReplicaConfig(articles=10, platform=platform, nfd_rate=0.0,
                            faults=FaultConfig(redirect_loop=True, oversize=True)))
    off = site(platform)
    home = off.platform.listing_paths(off)[0]
    page = on.render(home)[2].decode("utf-8")
    assert 'href="/vi/loop/"' in page and 'href="/vi/oversize/"' in page
    assert "/vi/loop/" not in off.render(home)[2].decode("utf-8")
    assert on.render("/vi/loop/")[1]["Location"] == "/vi/loop-b/"
    assert on.render("/vi/loop-b/")[1]["Location"] == "/vi/loop/"
    assert on.respond("/vi/oversize/").stream_size > 0
    assert off.render("/vi/loop/")[0] == 404
