"""The NukeViet site profile: canonical URLs, scope, traps and link roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.profiles.nukeviet import FEED, FILE, PAGE, REQUISITE, SITEMAP, NukeVietProfile

BASE = "http://portal.example:8080/"
P = NukeVietProfile(BASE)
PAGES = Path(__file__).parent / "pages"


@pytest.mark.parametrize("url, canonical", [
    (BASE + "vi/news/kinh-te/bai-viet-12.html?nocache=1700000000",
     BASE + "vi/news/kinh-te/bai-viet-12.html"),
    ("HTTP://PORTAL.EXAMPLE:8080/vi/news/#top", BASE + "vi/news/"),
    (BASE + "vi/laws/detail/qd-7/?download=1&id=0", BASE + "vi/laws/detail/qd-7/?download=1&id=0"),
    (BASE + "vi/news/tag/kinh-te", BASE + "vi/news/tag/kinh-te"),
])
def test_canonical_form(url, canonical):
    assert P.canonicalize(url) == canonical


@pytest.mark.parametrize("url", [
    BASE + "vi/news/print/bai-viet-12.html",
    BASE + "vi/news/savefile/bai-viet-12.html",
    BASE + "vi/news/sendmail/bai-viet-12.html",
    BASE + "en/news/",
    BASE + "index.php?language=vi&nv=news&op=kinh-te/bai-viet-12.html",
    BASE + "index.php?scaptcha=captcha&t=17",
    BASE + "vi/users/login/?nv_redirect=abc",
    BASE + "index.php?language=vi&nv=comment&module=news&checkss=deadbeef",
    BASE + "vi/laws/detail/qd-7/?pdf=1&id=0",
    BASE + "admin/index.php",
    "http://other.example/vi/news/",
    "mailto:vanphong@laichau.gov.vn",
    "javascript:void(0)",
])
def test_traps_and_out_of_scope_are_dropped(url):
    assert P.canonicalize(url) is None


def test_query_form_is_the_site_itself_when_rewrite_is_off():
    plain = NukeVietProfile(BASE, rewrite=False)
    url = BASE + "index.php?language=vi&nv=news&op=kinh-te"
    assert plain.canonicalize(url) == url


@pytest.mark.parametrize("url, role", [
    (BASE + "vi/news/kinh-te/", PAGE),
    (BASE + "themes/egov/css/style.css", REQUISITE),
    (BASE + "uploads/news/2015_03/anh.jpg", REQUISITE),
    (BASE + "vi/laws/detail/qd-7/?download=1&id=1", FILE),
    (BASE + "uploads/laws/qd-7.pdf", FILE),
    (BASE + "sitemap-vi.news.xml", SITEMAP),
    (BASE + "vi/news/rss/kinh-te/", FEED),
])
def test_roles(url, role):
    assert P.role_of(url) == role


def test_links_of_the_seed_page():
    page = (PAGES / "custom2015" / "article_seed" / "page.html").read_bytes()
    url = ("http://www.laichau.gov.vn/vi/news/xay-dung-dang/"
           "tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-2356.html")
    profile = NukeVietProfile("http://www.laichau.gov.vn/")
    links = profile.extract_links(page, url, "text/html; charset=utf-8")
    urls = [link.url for link in links]
    assert len(urls) == len(set(urls))
    roles = {link.role for link in links}
    assert {PAGE, REQUISITE} <= roles
    # the sidebar's four documents, under the portal's own alias of the laws module
    assert sum("/vi/van-ban/detail/" in u for u in urls) == 4
    assert url in urls and profile.root + "themes/default/css/style.css" in urls
    assert not any(mark in u for u in urls for mark in ("/print/", "/sendmail/", "/savefile/"))
    embeds = [link for link in links if link.role == REQUISITE]
    assert all(link.via == "E" for link in embeds)


def test_xml_and_css_links():
    sitemap = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
               b'sitemap/0.9"><sitemap><loc>' + BASE.encode() + b'sitemap-vi.news.xml</loc>'
               b'</sitemap></sitemapindex>')
    links = P.extract_links(sitemap, BASE + "sitemap.xml", "application/xml")
    assert [(lnk.url, lnk.role) for lnk in links] == [(BASE + "sitemap-vi.news.xml", SITEMAP)]
    css = b"body{background:url('../images/bg.png')} .x{background:url(data:image/png;base64,AA)}"
    links = P.extract_links(css, BASE + "themes/egov/css/style.css", "text/css")
    assert [lnk.url for lnk in links] == [BASE + "themes/egov/images/bg.png"]


def test_broken_html_gives_no_links_not_an_error():
    assert P.extract_links(b"", BASE, "text/html") == []
    assert P.extract_links(b"\x00\xff\xfe", BASE, "text/html") == []


def test_every_kind_of_embed_and_style_url_is_a_requisite():
    html = (b"<html><head><link rel=stylesheet href='/s.css'><link rel=next>"
            b"<style>p{background:url(/j.png)}</style></head><body>"
            # an anchor without href but with a style url() once crashed link extraction
            b"<a style='background:url(/a.png)'>x</a><a href=' /k.html '>k</a>"
            b"<div style='background: url(/b.png)' data-src='/c.png'></div>"
            b"<script data-src='/d.js'></script><script src='/m.js'></script>"
            b"<embed src='/f.swf'><input type=image src='/g.png'><input type=text>"
            b"<img srcset='/h.png 1x, /i.png 2x'><video><source src='/v.mp4'></video>"
            b"</body></html>")
    links = P.extract_links(html, BASE, "text/html")
    assert {(lnk.url[len(BASE) - 1:], lnk.role) for lnk in links} == {
        ("/s.css", REQUISITE), ("/j.png", REQUISITE), ("/k.html", PAGE), ("/b.png", REQUISITE),
        ("/c.png", REQUISITE), ("/m.js", REQUISITE), ("/f.swf", REQUISITE),
        ("/g.png", REQUISITE), ("/h.png", REQUISITE), ("/i.png", REQUISITE),
        ("/v.mp4", REQUISITE),
    }
