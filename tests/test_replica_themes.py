"""Each theme serves the markup PORTAL.md describes for its NukeViet version."""

from __future__ import annotations

import re
import unicodedata

import lxml.html
import pytest

from replica import ReplicaConfig, Site

SEED_URL = "/vi/news/xay-dung-dang/tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-1.html"
LAW_LABELS = ["Số kí hiệu", "Ngày ban hành", "Ngày bắt đầu hiệu lực", "Ngày hết hiệu lực",
              "Thể loại", "Lĩnh vực", "Cơ quan ban hành", "Cơ quan thẩm tra", "Người ký"]


@pytest.fixture(scope="module", params=["custom2015", "default40", "egov45"])
def site(request) -> Site:
    return Site(ReplicaConfig(articles=150, theme=request.param, nfd_rate=0.0))


def page(site: Site, url: str) -> lxml.html.HtmlElement:
    status, _, body = site.render(url)
    assert status == 200, url
    return lxml.html.fromstring(unicodedata.normalize("NFC", body.decode()))


def text(el) -> str:
    return " ".join(el.text_content().split())


def rich_article(site: Site) -> str:
    """An article with tags, a source line, several authors and a captioned image."""
    m = site.model
    for k in range(2, 150):
        a = m.article_any(k, 0)
        if a.tags and len(a.authors) > 1 and any(i.caption_lines for _, i in a.images):
            return a.path
    raise AssertionError("no rich article")


def test_article_markup(site):
    doc = page(site, SEED_URL)
    theme = site.theme.name
    title_sel = "h3.title" if theme == "custom2015" else "h1.title"
    assert text(doc.cssselect(title_sel)[0]) == "Tiếp tục quan tâm củng cố hệ thống chính trị cơ sở"
    assert doc.cssselect("div.news_column")
    if theme == "custom2015":
        assert doc.cssselect("div.bodytext") and not doc.cssselect("#news-bodyhtml")
    else:
        assert doc.cssselect("div#news-bodyhtml.bodytext")
    if theme == "egov45":
        col = doc.cssselect("div.news_column.newsdetail[itemscope]")[0]
        assert col.get("itemtype").endswith("/NewsArticle")
        spans = doc.cssselect(".newsdetailmetatop span.h5")
        assert len(spans) == 3
        assert text(spans[0]) == "Thứ tư - 25/03/2015 09:21"
        assert doc.cssselect("p#stringrating")
        assert "Tác giả: Thúy Vân - Văn phòng Tỉnh ủy" in text(doc)
        # 4.5 overwrites datePublished with the edit time
        published = doc.cssselect('meta[itemprop="datePublished"]')[0].get("content")
        assert published != "2015-03-25T09:21:00+07:00"
    else:
        assert not doc.cssselect("p#stringrating")
        assert "Tác giả bài viết: Thúy Vân - Văn phòng Tỉnh ủy" in text(doc)
        assert text(doc.cssselect("span.h5")[0]) == "Thứ tư - 25/03/2015 09:21"
    assert "Tổng số điểm của bài viết là: 0 trong 0 đánh giá" in text(doc.cssselect("#form3B")[0])
    assert len(doc.cssselect("#form3B input.hover-star")) == 5
    published_time = doc.cssselect('meta[property="article:published_time"]')[0].get("content")
    assert published_time == "2015-03-25+0709:21:00"  # the malformed value real sites emit
    crumbs = doc.cssselect("ul.temp-breadcrumbs li a")
    assert text(crumbs[0]) == "Trang nhất"
    assert not doc.cssselect("ul.breadcrumbs li")  # filled by JavaScript on the real site
    assert doc.cssselect("div#timeoutsess")


def test_article_parts(site):
    doc = page(site, rich_article(site))
    theme = site.theme.name
    tags = doc.cssselect("em.fa-tags")[0].getparent()
    label = "Tags" if theme == "egov45" else "Từ khóa:"
    assert label in text(tags)
    assert all(re.match(r"^/vi/news/tag/[a-z0-9-]+$", a.get("href"))
               for a in tags.cssselect("a"))
    author = [p for p in doc.cssselect("p.h5.text-right") if "Tác giả" in text(p)][0]
    assert "," in text(author)  # several authors
    assert doc.cssselect(".other-news ul.related > li > a")
    for em in doc.cssselect(".other-news ul.related > li > em:last-child"):
        assert re.fullmatch(r"\(\d\d/\d\d/\d{4}\)", text(em))
    body = text(doc.cssselect("div.bodytext")[0])
    assert re.search(r"\((ảnh|Ảnh): [^)]+\)|Ảnh: ", body)


def test_caption_credit_forms_and_layouts_all_occur():
    s = Site(ReplicaConfig(articles=200))
    layouts, credits = set(), set()
    for k in range(2, 200):
        for _, im in s.model.article_any(k, 0).images:
            layouts.add(im.layout)
            credits.add(im.credit_text.split(" ")[0] if im.credit_text else "")
    assert {"alt_eq", "table", "br", "plain", "none"} <= layouts
    assert {"(ảnh:", "(Ảnh:", "Ảnh:"} <= credits
    lines = [s.model.article_any(k, 0).author_line for k in range(2, 200)]
    assert any(" - " in x for x in lines) and any(" – " in x for x in lines)
    assert any(" — " in x for x in lines)
    assert any("-" not in x and "–" not in x and "—" not in x for x in lines)  # no organisation
    assert any(s.model.article_any(k, 0).source for k in range(2, 200))


def test_listing_markup_and_date_format(site):
    doc = page(site, "/vi/news/kinh-te/")
    items = doc.cssselect(".news_column .panel-body")
    assert items[0].cssselect("h2 a") and items[1].cssselect("h3 a")
    meta = text(items[1].cssselect("ul.list-inline")[0])
    if site.theme.name == "egov45":
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d(?! [AP]M)", meta)
    else:
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d [AP]M", meta)
    assert re.search(r"Đã xem: \d+", meta) and re.search(r"Phản hồi: \d+", meta)
    assert page(site, "/vi/news/").cssselect("div.text-center ul.pagination")


def test_laws_listing_layout(site):
    doc = page(site, "/vi/laws/")
    if site.theme.name == "egov45":
        assert doc.cssselect("div.flex-table-laws > div.table-rows.table-head")
        row = doc.cssselect("div.flex-table-laws > div.table-rows")[1]
        for cls in ("c-stt", "c-code", "c-time", "c-intro", "c-file"):
            assert row.cssselect(f".{cls}"), cls
        assert row.cssselect(".c-file ul.laws-download a[href*='download=1']")
        assert not doc.cssselect("table.table-striped")
    else:
        heads = [text(th) for th in doc.cssselect("table.table-striped th")]
        assert heads == ["STT", "Số kí hiệu", "Ngày ban hành", "Trích yếu", "File đính kèm"]
        assert not doc.cssselect("div.flex-table-laws")
    assert doc.cssselect("div.generate_page ul.pagination")


def test_law_detail_table_order(site):
    doc = page(site, site.model.document(1).path)
    assert text(doc.cssselect("h1.lawh3")[0]).startswith("Chỉ thị về việc tăng cường")
    rows = doc.cssselect("tr.hoatim")
    assert [text(r.cssselect("td")[0]) for r in rows] == LAW_LABELS
    assert text(rows[0].cssselect("td")[1]) == "17/CT-UBND"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", text(rows[1].cssselect("td")[1]))
    assert [text(h) for h in doc.cssselect("h2.lawh3")] == ["Nội dung", "File đính kèm"]
    link = doc.cssselect(".laws-download-file .list-group-item a[href*='download=1']")[0]
    assert link.get("href").endswith("?download=1&id=0")
    assert re.fullmatch(r"Tải tập tin 1: .+\.pdf", text(link))


def test_every_page_references_theme_requisites(site):
    doc = page(site, "/vi/news/")
    css = [x.get("href") for x in doc.cssselect('link[rel="StyleSheet"]')]
    js = [x.get("src") for x in doc.cssselect("script[src]")]
    assert css and all(h.startswith(f"/themes/{site.theme.name}/css/") for h in css)
    assert js and all(h.startswith(f"/themes/{site.theme.name}/js/") for h in js)
    for url in css + js:
        assert site.render(url)[0] == 200


def test_topic_block_and_topic_page(site):
    m = site.model
    k = next(k for k in range(2, 150) if m.topic_of(k) is not None)
    doc = page(site, m.teaser(k, 0).path)
    other = doc.cssselect(".other-news")[0]
    assert [text(p) for p in other.cssselect("p.h3")][0] == "Theo dòng sự kiện"
    more = [a for a in other.cssselect("a") if "/vi/news/topic/" in a.get("href")][0]
    topic = page(site, more.get("href"))
    assert topic.cssselect(".news_column .panel-body h2 a, .news_column .panel-body h3 a")
