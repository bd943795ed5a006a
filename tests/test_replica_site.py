"""The replica's site model and pages, without a socket: determinism, URL map, seed article,
redirects, traps, pagination ends, feeds and sitemaps, NFD and windows-1258 pages."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata

import lxml.etree
import lxml.html
import pytest

from replica import ReplicaConfig, Site
from replica.content import CATEGORIES, PER_PAGE

SEED_URL = "/vi/news/xay-dung-dang/tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-1.html"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(ReplicaConfig(articles=120, seed=3, nfd_rate=0.0))


def doc(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(unicodedata.normalize("NFC", body.decode("utf-8")))


def text(el) -> str:
    return " ".join(el.text_content().split())


def test_same_seed_gives_byte_identical_pages():
    a, b = Site(ReplicaConfig(articles=80, seed=7)), Site(ReplicaConfig(articles=80, seed=7))
    for url in a.canonical_urls()[::7]:
        assert a.render(url) == b.render(url), url


def test_different_seeds_give_different_sites():
    a, b = Site(ReplicaConfig(articles=80, seed=1)), Site(ReplicaConfig(articles=80, seed=2))
    assert a.render("/vi/news/")[2] != b.render("/vi/news/")[2]
    assert a.canonical_urls() != b.canonical_urls()


@pytest.mark.parametrize("theme", ["custom2015", "default40", "egov45"])
def test_every_canonical_url_answers_200(theme):
    s = Site(ReplicaConfig(articles=40, theme=theme, night=2))
    urls = s.canonical_urls()
    assert len(urls) == len(set(urls))
    for url in urls:
        status, headers, body = s.render(url)
        assert status == 200, url
        assert body, url


@pytest.mark.parametrize("theme", ["custom2015", "egov45"])
def test_every_canonical_url_is_reachable_by_links_from_home(theme):
    s = Site(ReplicaConfig(articles=60, theme=theme, night=1, nfd_rate=0.0))
    canonical = set(s.canonical_urls())
    seen, todo = {"/"}, ["/"]
    while todo:
        url = todo.pop()
        status, headers, body = s.render(url)
        if status != 200 or not headers["Content-Type"].startswith("text/html"):
            continue
        for _, _, link, _ in doc(body).iterlinks():
            link = link.split("#")[0].replace("http://127.0.0.1:8080", "")
            if link.startswith("/") and link not in seen and (
                    link in canonical or link.endswith(".css")):
                seen.add(link)
                todo.append(link)
    for css in [u for u in seen if u.endswith(".css")]:  # url(../images/logo.png)
        if b"../images/logo.png" in s.render(css)[2]:
            seen.add(css.rsplit("/css/", 1)[0] + "/images/logo.png")
    for xml in ("/sitemap.xml", "/sitemap-vi.xml", "/sitemap-vi.news.xml", "/sitemap-vi.laws.xml",
                "/robots.txt"):
        seen.add(xml)  # reachable from robots.txt and the sitemap chain
    assert canonical - seen == set()


def test_canonical_urls_cover_every_kind(site):
    urls = site.canonical_urls("http://h")
    assert all(u.startswith("http://h/") for u in urls)
    paths = [u[len("http://h"):] for u in urls]
    kinds = {
        "article": lambda p: p.endswith(".html"),
        "listing page": lambda p: "/page-" in p,
        "tag": lambda p: "/tag/" in p,
        "law detail": lambda p: p.startswith("/vi/laws/detail/") and p.endswith("/"),
        "law attachment": lambda p: "/vi/laws/detail/" in p and "download=1" in p,
        "image": lambda p: p.startswith("/uploads/news/"),
        "css": lambda p: p.endswith(".css"),
        "js": lambda p: p.endswith(".js"),
        "rss": lambda p: "/rss/" in p,
        "sitemap": lambda p: p.startswith("/sitemap"),
    }
    for kind, test in kinds.items():
        assert any(test(p) for p in paths), kind
    traps = ("/print/", "/savefile/", "/sendmail/", "nocache=", "/en/", "index.php")
    assert not [p for p in paths if any(t in p for t in traps)]


def test_seed_article_reproduced():
    s = Site(ReplicaConfig(articles=30, nfd_rate=0.0))
    status, _, body = s.render(SEED_URL, session_known=False)
    assert status == 200
    page = doc(body)
    assert text(page.cssselect("h3.title")[0]) == ("Tiếp tục quan tâm củng cố hệ thống chính "
                                                    "trị cơ sở")
    meta = text(page.cssselect("span.h5")[0].getparent())
    assert meta == "Thứ tư - 25/03/2015 09:21 349 0"
    body_text = text(page.cssselect("div.bodytext")[0])
    assert body_text.count("tại huyện Than Uyên năm 2014 (ảnh: TP)") == 1
    assert "(Mường Tè) làm đường dân sinh (ảnh: AT)" in body_text
    assert [i.get("alt") for i in page.cssselect("div.bodytext img")][1:] == ["4 3 15", "5 3 15"]
    assert "Tác giả bài viết: Thúy Vân - Văn phòng Tỉnh ủy" in text(page)
    assert "Tổng số điểm của bài viết là: 0 trong 0 đánh giá" in text(page)
    items = page.cssselect(".block-law .item")
    assert [text(i.cssselect(".law-code")[0]) for i in items] == [
        "Số: 17/CT-UBND", "Số: 3600/UBND-VX", "Số: 130/TB-UBND", "Số: 3505/KH-UBND"]
    assert [text(i.cssselect("em.law-view")[0]) for i in items] == [
        "lượt xem: 424 | lượt tải:9", "lượt xem: 857 | lượt tải:52",
        "lượt xem: 946 | lượt tải:39", "lượt xem: 997 | lượt tải:9"]
    assert "Thời gian chờ: 60 giây" in text(page.cssselect("#timeoutsess")[0])
    for item in items:  # the four documents have detail pages
        href = item.cssselect(".law-code")[0].get("href")
        status, _, law = s.render(href)
        assert status == 200
        assert text(doc(law).cssselect("h1.lawh3")[0]) == text(item.cssselect(".law-title")[0])


@pytest.mark.parametrize("target", [
    "/news/xay-dung-dang/tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-1.html",
    "/vi/news/xay-dung-dang/sai-alias-1.html",
    "/vi/news/kinh-te/tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-1.html",
    "/index.php?language=vi&nv=news&op=xay-dung-dang/"
    "tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-1",
])
def test_non_canonical_article_urls_redirect_301(site, target):
    status, headers, _ = site.render(target)
    assert status == 301
    location = headers["Location"]
    if location.startswith("/vi/news/xay-dung-dang/tiep"):
        assert location == SEED_URL
    else:  # two hops for the unprefixed form: /vi prefix first, then canonical
        assert site.render(location)[0] in (200, 301)
    final = location
    for _ in range(3):
        status, headers, _ = site.render(final)
        if status != 301:
            break
        final = headers["Location"]
    assert final == SEED_URL and status == 200


def test_listing_redirects_and_index_php(site):
    assert site.render("/laws/")[1]["Location"] == "/vi/laws/"
    assert site.render("/index.php?language=vi&nv=news&op=kinh-te")[1]["Location"] == \
        "/vi/news/kinh-te/"
    assert site.render("/index.php/vi/news/")[1]["Location"] == "/vi/news/"
    assert site.render("/vi/news/kinh-te")[1]["Location"] == "/vi/news/kinh-te/"


def test_portal_url_variants(site):
    assert site.render("/vi/kinh-te/page-2/")[1]["Location"] == "/vi/news/kinh-te/page-2/"
    assert site.render("/vi/van-ban/page-2/")[1]["Location"] == "/vi/laws/page-2/"
    page = doc(site.render("/vi/news/")[2])
    login = [a.get("href") for a in page.iter("a") if "nv_redirect=" in (a.get("href") or "")]
    assert login and site.render(login[0])[0] == 200
    article = doc(site.render(SEED_URL)[2])
    captcha = article.cssselect("img.captchaImg")[0].get("src")
    assert "scaptcha=" in captcha and site.render(captcha)[1]["Content-Type"] == "image/png"
    law = doc(site.render(site.model.document(1).path)[2])
    quick = law.cssselect('[data-toggle="collapsepdf"]')[0].get("data-src")
    status, headers, body = site.render(quick)
    assert body.startswith(b"%PDF") and "Content-Disposition" not in headers
    cat = doc(site.render("/vi/news/kinh-te/")[2])
    assert cat.cssselect('link[rel="alternate"][href="/vi/news/rss/kinh-te/"]')


def test_unknown_category_is_a_soft_200(site):
    status, _, body = site.render("/vi/news/khong-ton-tai/")
    assert status == 200
    assert "Lỗi không có chủ đề" in body.decode()


def test_unknown_article_id_is_404(site):
    assert site.render("/vi/news/kinh-te/bai-viet-999999.html")[0] == 404
    assert site.render("/vi/khong-co-trang-nay/")[0] == 404


def pagination(page) -> list:
    return page.cssselect("ul.pagination li")


def test_pagination_markup_and_ends(site):
    total = site.model.category_total(None, 0)
    pages = -(-total // PER_PAGE)
    assert pages >= 5
    first = doc(site.render("/vi/news/")[2])
    assert not first.cssselect('a[rel="prev"]')
    nxt = first.cssselect('ul.pagination a[rel="next"]')[0]
    assert nxt.get("href") == "/vi/news/page-2/" and nxt.get("title") == "Tin Tức - Trang 2"
    assert first.cssselect("ul.pagination li.active a")[0].get("href") == "#"
    assert first.cssselect("ul.pagination li.disabled > span")  # ellipsis
    last = doc(site.render(f"/vi/news/page-{pages}/")[2])
    assert not last.cssselect('a[rel="next"]')
    assert last.cssselect('a[rel="prev"]')[0].get("href") == f"/vi/news/page-{pages - 1}/"
    assert last.cssselect(".news_column .panel-body h3 a")
    status, _, body = site.render(f"/vi/news/page-{pages + 3}/")
    assert status == 200
    past = doc(body)
    assert not past.cssselect('a[rel="next"]')
    assert not past.cssselect(".news_column .panel-body h3 a")


def test_walking_listings_reaches_every_article(site):
    seen = set()
    for alias, _ in CATEGORIES:
        url = f"/vi/news/{alias}/"
        while url:
            page = doc(site.render(url)[2])
            seen.update(a.get("href") for a in page.cssselect(".news_column .panel-body h2 a, "
                                                              ".news_column .panel-body h3 a"))
            nxt = page.cssselect('ul.pagination a[rel="next"]')
            url = nxt[0].get("href") if nxt else None
    articles = {u for u in site.canonical_urls() if u.endswith(".html")}
    assert seen == articles


def test_article_page_links_trap_urls_that_answer(site):
    page = doc(site.render(SEED_URL)[2])
    hrefs = [a.get("href") for a in page.iter("a") if a.get("href")]
    for kind in ("print", "savefile", "sendmail"):
        trap = [h for h in hrefs if f"/vi/news/{kind}/" in h]
        assert trap, kind
        assert site.render(trap[0])[0] == 200
    nocache = [h for h in hrefs if "nocache=" in h]
    assert nocache and site.render(nocache[0])[0] == 200
    en = [h for h in hrefs if h.startswith("/en/")]
    assert en and site.render(en[0])[0] == 200
    comment = [h for h in hrefs if "nv=comment" in h and "checkss=" in h]
    assert comment and site.render(comment[0])[0] == 200


def test_rating_is_a_post(site):
    resp = site.respond("/index.php?language=vi&nv=news&op=rating", method="POST")
    assert resp.status == 200 and "Cảm ơn" in resp.text


def test_attachments_are_real_files_of_every_kind():
    """Every kind of attachment is served with its type, and reads back with the libraries and
    tools a reader would use (pypdfium2, python-docx, antiword), not with our own code."""
    pdfium = pytest.importorskip("pypdfium2")
    docx = pytest.importorskip("docx")
    s = Site(ReplicaConfig(articles=40, documents=20))
    truth = s.attachments()
    assert {t["kind"] for t in truth} == {"pdf", "scan", "docx", "doc", "rtf", "truncated",
                                          "encrypted", "notpdf"}
    assert {t["url"] for t in truth} == {u for u in s.canonical_urls() if "download=1" in u}
    for t in truth:
        status, headers, body = s.render(t["url"])
        assert status == 200 and headers["Content-Type"] == t["content_type"]
        assert headers["Content-Disposition"] == f'attachment; filename="{t["name"]}"'
        kind = t["kind"]
        if kind in ("pdf", "scan"):
            pdf = pdfium.PdfDocument(body)
            text = "\n".join(p.get_textpage().get_text_bounded() for p in pdf)
            if kind == "pdf":
                assert " ".join(text.split()) == " ".join(t["text"].split())
            else:
                assert text.strip() == "" and t["key_sentences"]  # pixels only
        elif kind == "docx":
            paras = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
            assert "\n".join(paras) == t["text"]
        elif kind == "doc":
            assert body.startswith(b"\xd0\xcf\x11\xe0")  # OLE2: a real Word 97 file
        elif kind == "rtf":
            assert body.startswith(b"{\\rtf1")
        elif kind == "encrypted":
            with pytest.raises(pdfium.PdfiumError, match="password"):
                pdfium.PdfDocument(body)
        elif kind == "truncated":
            assert body.startswith(b"%PDF-") and b"%%EOF" not in body
        else:
            assert body.startswith(b"<!DOCTYPE html>")
        assert (t["text"] is None) == (kind == "scan" or t["broken"] is not None)


def test_antiword_reads_the_doc_fixtures():
    if shutil.which("antiword") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("antiword is missing (.ci/run installs it)")
        pytest.skip("antiword is not installed")
    s = Site(ReplicaConfig(articles=40, documents=20))
    docs = [t for t in s.attachments() if t["kind"] == "doc"]
    assert docs
    for t in docs:
        _, _, body = s.render(t["url"])
        with tempfile.NamedTemporaryFile(suffix=".doc") as fh:
            fh.write(body)
            fh.flush()
            out = subprocess.run(["antiword", "-m", "UTF-8.txt", "-w", "0", fh.name],
                                 capture_output=True, check=True, text=True).stdout
        assert " ".join(out.split()) == " ".join(t["text"].split())


def test_attachments_are_deterministic():
    code = ("import hashlib, sys; from replica import ReplicaConfig, Site; "
            "s = Site(ReplicaConfig(articles=40, documents=20)); "
            "print(hashlib.sha1(b''.join(s.render(t['url'])[2] for t in s.attachments()))"
            ".hexdigest())")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 1


def test_images_decode():
    pil = pytest.importorskip("PIL.Image")
    s = Site(ReplicaConfig(articles=60))
    imgs = [u for u in s.canonical_urls() if u.startswith("/uploads/")]
    exts = set()
    for url in imgs[:30]:
        status, headers, body = s.render(url)
        im = pil.open(io.BytesIO(body))
        im.load()
        exts.add((url.rsplit(".", 1)[1], im.format))
    assert ("jpg", "JPEG") in exts and ("png", "PNG") in exts


def test_robots_sitemaps_rss_well_formed(site):
    robots = site.render("/robots.txt")[2].decode()
    assert "Disallow: /data/config/" in robots and "Disallow: /admin/" in robots
    assert robots.strip().splitlines()[-1] == "Sitemap: http://127.0.0.1:8080/sitemap.xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = lxml.etree.fromstring(site.render("/sitemap.xml")[2])
    assert index.xpath("//s:loc/text()", namespaces=ns) == ["http://127.0.0.1:8080/sitemap-vi.xml"]
    vi = lxml.etree.fromstring(site.render("/sitemap-vi.xml")[2])
    locs = vi.xpath("//s:loc/text()", namespaces=ns)
    assert locs == ["http://127.0.0.1:8080/sitemap-vi.news.xml",
                    "http://127.0.0.1:8080/sitemap-vi.laws.xml"]
    news = lxml.etree.fromstring(site.render("/sitemap-vi.news.xml")[2])
    lastmods = news.xpath("//s:lastmod/text()", namespaces=ns)
    assert lastmods and all(t.endswith("+07:00") for t in lastmods)
    rss = lxml.etree.fromstring(site.render("/vi/news/rss/")[2])
    assert len(rss.xpath("//item")) == 30
    cat = lxml.etree.fromstring(site.render("/vi/news/rss/kinh-te/")[2])
    assert 0 < len(cat.xpath("//item")) <= 30


def test_sitemap_keeps_only_the_1000_newest():
    s = Site(ReplicaConfig(articles=1200))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    news = lxml.etree.fromstring(s.render("/sitemap-vi.news.xml")[2])
    assert len(news.xpath("//s:url", namespaces=ns)) == 1000


def test_some_pages_are_nfd_and_really_decomposed():
    s = Site(ReplicaConfig(articles=80, nfd_rate=0.3))
    html_urls = [u for u in s.canonical_urls() if u.endswith((".html", "/"))]
    nfd = [u for u in html_urls if s.is_nfd_page(u)]
    nfc = [u for u in html_urls if not s.is_nfd_page(u)]
    assert nfd and nfc
    for url in nfd[:5]:
        body = s.render(url)[2].decode()
        assert unicodedata.is_normalized("NFD", body)
        assert not unicodedata.is_normalized("NFC", body)
    for url in nfc[:5]:
        assert unicodedata.is_normalized("NFC", s.render(url)[2].decode())


def test_windows_1258_pages_decode_to_the_same_text():
    plain = Site(ReplicaConfig(articles=30, nfd_rate=0.0))
    s = Site(ReplicaConfig(articles=30, nfd_rate=0.0, cp1258_rate=1.0))
    status, headers, body = s.render(SEED_URL)
    assert headers["Content-Type"] == "text/html; charset=windows-1258"
    decoded = unicodedata.normalize("NFC", body.decode("cp1258"))
    original = plain.render(SEED_URL)[2].decode()
    assert decoded == original.replace("charset=utf-8", "charset=windows-1258", 1)


def test_startup_is_lazy_at_50000_articles():
    s = Site(ReplicaConfig(articles=50000))
    assert s.model.base_article.cache_info().currsize < 100
    assert s.render("/vi/news/page-2400/")[0] == 200
    assert s.render("/vi/news/page-2600/")[0] == 200


def test_first_title_and_alias_are_the_heads():
    """Platforms index every article by `first_alias` instead of building every teaser."""
    m = Site(ReplicaConfig(articles=120, seed=4, night=3)).model
    for k in range(1, m.state(3).max_article + 1):
        assert (m.first_title(k), m.first_alias(k)) == (m.head(k).title, m.head(k).alias)
