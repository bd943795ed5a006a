"""Platform detection, profile-driven and generic extraction on pages of every platform.

The fixtures under tests/pages/<platform>/ follow each platform's real templates
(PLATFORMS.md): a WordPress block theme with Yoast's JSON-LD @graph, a SharePoint 2013
publishing page and a vbpl.vn attribute page, Liferay / VNPT ePortal portlets, DotNetNuke with
EasyDNNnews, Joomla 4 com_content, the "upload" portal, and a custom ASP.NET site with only a
visible title, date line and byline. test_parsers_fixtures.py compares every field with
expected.json (and test_parsers_encoding.py their NFD and windows-1258 twins); the tests here
state the acceptance facts one by one, so a regenerated expected.json cannot hide a wrong one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.parsers import parse_page
from scraper.parsers.authors import parse_author_line, split_labelled
from scraper.parsers.detect import detect
from scraper.parsers.text import decode_html
from scraper.profiles.spec import PLATFORMS, builtin

PAGES = Path(__file__).parent / "pages"


def page(name: str) -> tuple[bytes, str]:
    directory = PAGES / name
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    return (directory / "page.html").read_bytes(), meta["url"]


def parsed(name: str) -> dict:
    body, url = page(name)
    return parse_page(body, url)


# name, platform, page type, title, published_at, authors
ARTICLES = [
    ("wordpress/article", "wordpress", "Lai Châu triển khai tiêm chủng mở rộng cho trẻ em vùng cao",
     "2024-05-03T10:15:00+07:00", [("Hoàng Anh", None)]),
    ("sharepoint/article", "sharepoint",
     "Bộ Y tế hướng dẫn các địa phương phòng, chống dịch sởi",
     "2024-04-15T10:30:00+07:00", [("Minh Hà", "Cục Y tế dự phòng")]),
    ("liferay/article", "liferay",
     "Hội nghị triển khai nhiệm vụ phát triển kinh tế - xã hội quý II",
     "2024-04-18T14:05:00+07:00", [("Thu Trang", "Trung tâm Truyền thông tỉnh")]),
    ("dotnetnuke/article", "dotnetnuke",
     "Huyện Tam Đường ra quân xây dựng nông thôn mới năm 2024",
     "2024-03-12T08:30:00+07:00", [("Hoàng Minh", "Trung tâm VHTT&TT huyện")]),
    ("joomla/article", "joomla", "Lễ tổng kết năm học 2023 - 2024",
     "2024-05-24T09:12:45+07:00", [("Phạm Thu Hằng", None)]),
    ("upload-portal/article", "upload-portal",
     "Lai Châu: Đẩy mạnh tiêu thụ chè Shan tuyết qua sàn thương mại điện tử",
     "2024-05-03T10:15:00+07:00", [("Quang Huy", "Sở Công Thương")]),
    ("generic/article_aspx", "generic", "Bản tin thời tiết nông vụ tuần từ 15 đến 21/4/2024",
     "2024-04-18T14:05:00+07:00", [("Văn Tuấn", "Trung tâm Khuyến nông quốc gia")]),
]

# Sentences of the body, and chrome that must stay out of it.
BODY = {
    "wordpress/article": (["Đợt tiêm chủng nhằm bảo vệ hơn 3.200 trẻ em dưới 5 tuổi",
                           "Huyện Nậm Nhùn: 5 xã, 1.300 trẻ."],
                          ["Chia sẻ", "Bài viết liên quan", "Phòng chống sốt xuất huyết",
                           "Hội nghị sơ kết", "© 2024"]),
    "sharepoint/article": (["Các cơ sở khám chữa bệnh cần bố trí khu cách ly"],
                           ["Tin liên quan", "Tăng cường tiêm chủng", "Bản quyền",
                            "Tác giả", "Trang chủ"]),
    "liferay/article": (["Tăng trưởng kinh tế quý I ước đạt 6,8%"],
                        ["Facebook", "Họp báo định kỳ", "Lịch tiếp công dân", "Tác giả",
                         "Cơ quan chủ quản"]),
    "dotnetnuke/article": (["huyện phấn đấu có thêm 2 xã đạt chuẩn nông thôn mới nâng cao"],
                           ["In bài viết", "Hội nghị nông dân giỏi", "Liên kết",
                            "Bản quyền"]),
    "joomla/article": (["26 em đạt giải học sinh giỏi cấp tỉnh"],
                       ["Trước", "Lượt xem", "Danh mục", "giáo dục"]),
    "upload-portal/article": (["Doanh số bán chè qua kênh trực tuyến"],
                              ["Chia sẻ", "Hội chợ nông sản", "Hợp tác xã chè Tân Uyên",
                               "Tác giả", "Nguồn tin", "Tầng 5"]),
    "generic/article_aspx": (["Nông dân nên theo dõi bản tin",
                              "không khí lạnh yếu sẽ ảnh hưởng"],
                             ["Các tin khác", "Điều chỉnh lịch gieo cấy", "Bản quyền",
                              "Tác giả", "Nguồn tin", "Trang chủ"]),
}

# (name, caption, credit) of the first image with a caption.
CAPTIONS = [
    ("wordpress/article", "Cán bộ Trạm Y tế xã Ka Lăng tiêm vắc xin cho trẻ", "Hoàng Anh"),
    ("sharepoint/article", "Tiêm vắc xin sởi cho trẻ tại Lai Châu", "Minh Hà"),
    ("liferay/article", "Quang cảnh hội nghị", "Thu Trang"),
    ("dotnetnuke/article", "Người dân xã Bình Lư làm đường bê tông", "Hoàng Minh"),
    ("joomla/article", "Học sinh nhận giấy khen tại buổi lễ", "Thu Hằng"),
    ("upload-portal/article", "Sản phẩm chè Shan tuyết của hợp tác xã Tả Phìn", "Quang Huy"),
    ("generic/article_aspx", "Lúa xuân giai đoạn làm đòng tại Lai Châu", "Văn Tuấn"),
]


@pytest.mark.parametrize(("name", "platform", "title", "published", "authors"), ARTICLES,
                         ids=[a[0] for a in ARTICLES])
def test_article_fields(name, platform, title, published, authors):
    result = parsed(name)
    assert result["platform"] == platform
    assert result["page_type"] == "article"
    article = result["article"]
    assert article["title"] == title
    assert article["published_at"] == published
    assert [(a["name"], a["organization"]) for a in article["authors"]] == authors
    assert result["sources"]["title"] and result["sources"]["published_at"]


@pytest.mark.parametrize("name", sorted(BODY))
def test_body_has_the_text_and_no_chrome(name):
    present, absent = BODY[name]
    body = parsed(name)["article"]["body_text"]
    for sentence in present:
        assert sentence in body
    for chrome in absent:
        assert chrome not in body


@pytest.mark.parametrize(("name", "caption", "credit"), CAPTIONS, ids=[c[0] for c in CAPTIONS])
def test_captions_keep_their_credits(name, caption, credit):
    images = parsed(name)["article"]["images"]
    assert (images[0]["caption"], images[0]["credit"]) == (caption, credit)
    assert images[0]["src"].startswith("https://")


def test_sharepoint_document_attributes_vbpl_layout():
    result = parsed("sharepoint/document_detail")
    assert (result["platform"], result["page_type"]) == ("sharepoint", "document_detail")
    doc = result["document"]
    assert doc["document_id"] == 152034
    assert (doc["number"], doc["serial"], doc["year"], doc["type_code"]) == (
        "12/2024/QĐ-UBND", 12, 2024, "QĐ")
    assert (doc["issued_on"], doc["effective_on"]) == ("2024-04-15", "2024-04-25")
    # `Cơ quan ban hành/ Chức danh / Người ký` | org | position | name
    assert (doc["issuer"], doc["signer"]) == ("Ủy ban nhân dân tỉnh Lai Châu", "Hà Trọng Hải")
    assert doc["doc_type"] == "Quyết định"
    assert doc["attachments"][0]["name"] == "12_2024_QD-UBND.pdf"
    assert result["sources"]["signer"] == "labels"


def test_liferay_document_portlet():
    result = parsed("liferay/document_detail")
    assert (result["platform"], result["page_type"]) == ("liferay", "document_detail")
    doc = result["document"]
    assert (doc["number"], doc["type_code"], doc["issuer_code"]) == ("85/KH-UBND", "KH", "UBND")
    assert (doc["issued_on"], doc["effective_on"]) == ("2024-01-12", "2024-01-12")
    assert (doc["issuer"], doc["signer"], doc["doc_type"]) == (
        "UBND tỉnh", "Tống Thanh Hải", "Kế hoạch")
    assert doc["field"] == "Khoa học - Công nghệ, Thông tin - Truyền thông"
    assert doc["attachments"][0]["url"].startswith("https://tinh.example.gov.vn/documents/")


def test_upload_portal_listing():
    result = parsed("upload-portal/category_listing")
    assert (result["platform"], result["page_type"]) == ("upload-portal", "category_listing")
    items = result["listing"]["items"]
    assert [i["date"] for i in items] == ["2024-05-03T10:15:00+07:00",
                                          "2024-04-28T16:40:00+07:00"]
    assert items[1]["title"] == "Hội chợ nông sản Lai Châu 2024"
    assert result["listing"]["next_page"].endswith("/tin-tuc-su-kien/tin-trong-tinh?page=2")


def test_a_page_no_rule_matches_is_other_with_its_platform():
    result = parsed("generic/other")
    assert (result["platform"], result["page_type"], result["article"]) == (
        "generic", "other", None)
    body, url = page("wordpress/article")
    # A WordPress page whose URL and markup say nothing of an article: still no exception.
    bare = b"<html><head><meta name='generator' content='WordPress 6.5'></head><body>" \
           b"<div class='wp-site-blocks'><p>Xin ch\xc3\xa0o</p></div></body></html>"
    result = parse_page(bare, "https://x.example/lien-he/")
    assert (result["platform"], result["page_type"]) == ("wordpress", "other")


@pytest.mark.parametrize("body", [
    b"<html><body><table><tr><td>S\xe1\xbb\x91 k\xc3\xbd hi\xe1\xbb\x87u</td></tr></table>",
    b"<html><head><script type='application/ld+json'>{\"@graph\": [1, [null], {\"@type\": "
    b"\"NewsArticle\", \"headline\": 5, \"author\": {\"@id\": 7}}]}</script></head>"
    b"<body><h1>x</h1></body></html>",
    b"<html><head><meta property='og:type' content='article'><meta property="
    b"'article:published_time' content='2024-13-45T99:00:00+0700'></head><body></body></html>",
    b"<html><body class='post'><div id='ctl00_PlaceHolderMain_x'><time datetime='x'>"
    b"32/13/2024 25:61</time></div></body></html>",
])
def test_odd_markup_never_raises(body):
    result = parse_page(body, "https://x.example/Pages/a.aspx")
    assert result["page_type"] in ("article", "other", "document_detail")
    assert isinstance(result["sources"], dict)


def test_detection_never_uses_the_host_name():
    body, url = page("wordpress/article")
    # The same bytes under a NukeViet-era portal's host, and the NukeViet seed page under a
    # host that says "wordpress": each stays what its markup says.
    assert parse_page(body, "http://www.laichau.gov.vn/2024/05/x/")["platform"] == "wordpress"
    nv_body = (PAGES / "egov45/article_seed/page.html").read_bytes()
    assert parse_page(nv_body, "https://wordpress.example/vi/news/a-1.html")["platform"] \
        == "nukeviet"


@pytest.mark.parametrize("name, platform", [
    ("wordpress/article", "wordpress"), ("sharepoint/article", "sharepoint"),
    ("sharepoint/document_detail", "sharepoint"), ("liferay/article", "liferay"),
    ("liferay/document_detail", "liferay"), ("dotnetnuke/article", "dotnetnuke"),
    ("joomla/article", "joomla"), ("upload-portal/article", "upload-portal"),
    ("upload-portal/category_listing", "upload-portal"), ("generic/article_aspx", "generic"),
    ("generic/other", "generic"), ("egov45/home", "nukeviet"),
    ("default40/soft_404", "nukeviet"),
])
def test_detection_evidence(name, platform):
    body, url = page(name)
    text, _ = decode_html(body)
    found = detect(text, url)
    assert found.platform == platform
    assert bool(found.evidence) == (platform != "generic")


def test_a_visible_date_that_disagrees_wins_and_is_recorded():
    body, url = page("upload-portal/article")
    moved = body.replace(b'content="2024-05-03T10:15:00+0700"',
                         b'content="2024-05-04T08:00:00+0700"')
    result = parse_page(moved, url)
    assert result["article"]["published_at"] == "2024-05-03T10:15:00+07:00"
    assert result["sources"]["published_at"] == "visible"
    assert result["disagreements"] == [{"field": "published_at",
                                        "used": "2024-05-03T10:15:00+07:00",
                                        "visible": "2024-05-03T10:15:00+07:00",
                                        "profile": "2024-05-04T08:00:00+07:00"}]
    # Agreeing values: the structured one (with seconds), no disagreement.
    assert parse_page(body, url)["disagreements"] == []


def test_jsonld_graph_feeds_the_generic_path():
    html = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@graph": [{"@type": "WebSite", "@id": "#w", "name": "Sở"},
    {"@type": "NewsArticle", "headline": "Khai mạc hội chợ", "datePublished":
    "2024-06-01T01:30:00Z", "author": [{"@id": "#p1"}, {"@type": "Person", "name": "Lan Anh"}],
    "keywords": "hội chợ, thương mại"},
    {"@type": "Person", "@id": "#p1", "name": "Minh Tú"}]}</script></head>
    <body><article><h1>Khai mạc hội chợ</h1><p>Sáng nay hội chợ thương mại khai mạc với
    hơn 200 gian hàng của doanh nghiệp trong và ngoài tỉnh, thu hút đông đảo người dân.</p>
    <p>Hội chợ kéo dài đến hết ngày 7/6 tại quảng trường trung tâm thành phố.</p></article>
    </body></html>"""
    result = parse_page(html.encode(), "https://x.example/tin/khai-mac")
    assert (result["platform"], result["page_type"]) == ("generic", "article")
    article = result["article"]
    assert article["published_at"] == "2024-06-01T08:30:00+07:00"
    assert [a["name"] for a in article["authors"]] == ["Minh Tú", "Lan Anh"]
    assert article["tags"] == ["hội chợ", "thương mại"]
    assert result["sources"] == {**result["sources"], "title": "jsonld",
                                 "published_at": "jsonld", "authors": "jsonld",
                                 "body_text": "trafilatura"}
    assert "200 gian hàng" in article["body_text"]


# -- item 6: labelled fields that share one block --------------------------------------------

def test_each_label_starts_a_new_field():
    line = "Tác giả: Minh Đức, Thu Hà - Báo Lai Châu Nguồn tin: Báo Lai Châu Ảnh: Tư liệu"
    assert split_labelled(line) == [("author", "Minh Đức, Thu Hà - Báo Lai Châu"),
                                    ("source", "Báo Lai Châu"), ("photo", "Tư liệu")]
    assert parse_author_line(line) == [
        {"name": "Minh Đức", "organization": "Báo Lai Châu"},
        {"name": "Thu Hà", "organization": "Báo Lai Châu"}]
    # A label glued to the organisation (no space where the <br> was).
    assert parse_author_line("Tác giả: A - Sở Y tếNguồn tin: B") == [
        {"name": "A", "organization": "Sở Y tế"}]


def test_nukeviet_byline_sharing_a_block():
    body = (PAGES / "egov45/article_files/page.html").read_bytes()
    shared = body.replace(
        "Sở Thông tin và Truyền thông\n    \t\t</p>\n    \t\t<p class=\"h5 text-right\">\n"
        "    \t\t\t<strong>Nguồn tin: </strong>".encode(),
        "Sở Thông tin và Truyền thông<br>\n    \t\t\t<strong>Nguồn tin: </strong>".encode())
    assert shared != body
    meta = json.loads((PAGES / "egov45/article_files/meta.json").read_text())
    article = parse_page(shared, meta["url"])["article"]
    assert article["authors"] == [
        {"name": "Hoàng Anh", "organization": "Sở Thông tin và Truyền thông"},
        {"name": "Thanh Xuân", "organization": "Sở Thông tin và Truyền thông"}]
    assert article["source"] == "Sở Thông tin và Truyền thông"


@pytest.mark.parametrize("name", ["sharepoint/article", "liferay/article",
                                  "upload-portal/article", "generic/article_aspx"])
def test_byline_block_on_other_platforms(name):
    article = parsed(name)["article"]
    assert article["source"] and "Nguồn" not in article["source"]
    assert all("Nguồn" not in (a["organization"] or "") for a in article["authors"])


def test_every_platform_ships_a_profile():
    for platform in PLATFORMS:
        profile = builtin(platform)
        assert profile.platform == platform
        assert profile.labels, platform  # document labels, inherited from generic
        if platform != "generic":
            assert profile.fingerprints, platform


# -- item 7: a charset declaration that lies ---------------------------------------------------

@pytest.mark.parametrize("name", ["egov45/article_seed", "sharepoint/article",
                                  "generic/article_aspx", "liferay/document_detail"])
@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252"])
def test_windows_1258_page_declaring_a_western_charset(name, declared):
    from test_parsers_encoding import to_cp1258

    body, url = page(name)
    html = body.decode("utf-8").replace("charset=utf-8", f"charset={declared}", 1) \
        .replace("charset=UTF-8", f"charset={declared}", 1)
    lying = to_cp1258(html)
    expected = parse_page(body, url)
    assert parse_page(lying, url, f"text/html; charset={declared}") == expected
    assert parse_page(lying, url) == expected  # the declaration only in <meta>


def test_fast_rule_xpaths_select_what_cssselect_selects():
    """Every rule of every shipped profile, in the rewritten XPath it runs as, selects the
    same nodes in the same order as cssselect's own translation, on every fixture page."""
    from lxml.cssselect import CSSSelector

    from scraper.parsers.dom import parse_html
    from scraper.profiles.spec import PageNeedles

    saved = sorted(PAGES.glob("*/*/page.html")) + sorted(
        (PAGES.parent / "heldout").glob("*/*/page.html"))
    texts = [decode_html(p.read_bytes())[0] for p in saved]
    docs = [parse_html(text) for text in texts]
    # The class index answers plain class chains (`Rule._from_index`): under the whole page
    # and under record roots (elements holding a class and a few descendants).
    pages = [(doc, PageNeedles(text)) for doc, text in zip(docs, texts, strict=True)]
    subroots = [[el for el in doc.iter() if isinstance(el.tag, str) and el.get("class")
                 and len(el) > 1][:6] for doc in docs]
    checked = 0
    for platform in PLATFORMS:
        profile = builtin(platform)
        tables = (profile.article, profile.document, profile.listing,
                  {"soft_404": profile.soft_404_rules})
        for rules in (r for table in tables for r in table.values()):
            for rule in rules:
                plain = CSSSelector(rule.css, translator="html")
                for doc, text in zip(docs, texts, strict=True):
                    found = rule(doc)
                    assert found == plain(doc), (platform, rule.css)
                    # A rule skipped for a needle the page lacks could not have matched.
                    assert not found or rule.may_match(PageNeedles(text)), (platform, rule.css)
                    checked += 1
                for (doc, has), roots in zip(pages, subroots, strict=True):
                    assert rule(doc, has) == plain(doc), (platform, rule.css)
                    for root in roots:
                        assert rule(root, has) == plain(root), (platform, rule.css, root)
    assert checked > 3000


def test_canonical_walks_select_what_the_xpaths_selected():
    """`canonical_url` walks the head instead of evaluating three XPaths: the same hrefs,
    in the same order, on every saved page and on odd placements."""
    from lxml import etree

    from scraper.parsers.article import _canonical_hrefs
    from scraper.parsers.dom import parse_html

    xpaths = (etree.XPath("/html/head/link[@rel='canonical']/@href"),
              etree.XPath("/html/head/meta[@property='og:url']/@content"),
              etree.XPath("//link[@rel='canonical']/@href"))
    odd = [b'<html><head><link rel="canonical" href=""><link rel=canonical href="/a">'
           b'<meta property="og:url" content="/b"></head><body><link rel="canonical" '
           b'href="/c"><LINK REL="canonical" HREF="/d"><link rel="Canonical" href="/e">'
           b'</body></html>',
           b'<div><link rel="canonical" href="/x"><meta property="og:url" content="/z">'
           b'</div>',
           b'<!-- c --><html><body><head><link rel="canonical" href="/y"></head></body>'
           b'</html>']
    bodies = [p.read_bytes() for p in sorted(PAGES.glob("*/*/page.html"))] + odd
    for body in bodies:
        doc = parse_html(decode_html(body)[0])
        assert list(_canonical_hrefs(doc)) == [str(h) for x in xpaths for h in x(doc)]


def test_page_needles_answer_from_the_tree_like_the_page_text():
    """With the page's tree, `PageNeedles` answers a class name from the class attributes
    and an element name from the elements: never False where the rule could match."""
    from scraper.parsers.dom import parse_html
    from scraper.profiles.spec import PageNeedles

    text = ('<html><head><META name="x"></head><body><div class="a-b  news\tbox">'
            '<TABLE><tr><td>x &#273; y</td></tr></TABLE><p>not-a-class time</p>'
            '<script>var s = "class=\\"ghost\\"";</script></div></body></html>')
    doc = parse_html(text)
    has = PageNeedles(text, doc)
    assert ".news" in has and ".box" in has and ".a-b" in has
    assert ".not-a-class" not in has and ".ghost" not in has  # text, not class attributes
    assert "<table" in has and "<TABLE" in has and "<meta" in has and "<Meta" in has
    assert "<time" not in has and "<TIME" not in has  # a word, not an element
    assert "&#" in has and "&#" not in PageNeedles("a # b &amp; c#", parse_html("<p>a</p>"))
    assert "ghost" in has and "#ghost" in has  # plain and id needles still read the text
    plain = PageNeedles(text)  # without the tree: substrings of the page, as before
    assert ".ghost" in plain and "<time" not in plain and "<table" in plain


def test_needles_read_from_the_tree_never_skip_a_rule_that_matches():
    """A rule whose XPath finds anything on a saved page is never skipped by its needles,
    read from the tree (class attributes, elements) as `_Page` reads them."""
    from scraper.parsers.dom import parse_html
    from scraper.profiles.spec import PageNeedles

    checked = 0
    for path in sorted(PAGES.glob("*/*/page.html")):
        text = decode_html(path.read_bytes())[0]
        doc = parse_html(text)
        has = PageNeedles(text, doc)
        for platform in PLATFORMS:
            prof = builtin(platform)
            for table in (prof.article, prof.document, prof.listing):
                for rules in table.values():
                    for rule in rules:
                        if rule.select(doc):
                            checked += 1
                            assert rule.may_match(has), (path, rule.css)
    assert checked > 100


def test_url_roles_with_the_literal_prefilter_match_the_plain_regexes():
    """`Profile.role` skips a role whose patterns' required literals the URL lacks: the
    same role as the regexes alone, on the fixtures' and a replica's URLs (upper-cased too)
    and on soups of the patterns' own pieces."""
    import random
    import re
    from urllib.parse import urlsplit

    from replica import PLATFORMS as REPLICA_PLATFORMS
    from replica import ReplicaConfig, Site
    from scraper.profiles.spec import builtins, required_literal

    assert required_literal(r"^/wp-(?:admin|login\.php)") == "/wp-"
    assert required_literal(r"/van-ban/?$") == "/van-ban"
    assert required_literal(r"ab+c") == "ab"
    assert required_literal(r"(?:rss|feed)") is None
    assert required_literal(r"a|bc") is None
    urls = []
    for platform in REPLICA_PLATFORMS:
        urls += Site(ReplicaConfig(platform=platform, articles=12, seed=1)).canonical_urls()
    for meta in sorted(PAGES.glob("*/*/meta.json")):
        parts = urlsplit(json.loads(meta.read_text(encoding="utf-8"))["url"])
        urls.append(parts.path + ("?" + parts.query if parts.query else ""))
    pieces = sorted({x for prof in builtins() for pats in prof.urls.values() for p in pats
                     for x in re.findall(r"[A-Za-z_./?=&-]{2,}", p.pattern)})
    rng = random.Random(2)
    soups = ["/" + "".join(rng.choice(pieces + ["/", "1", "23", "?", "&", "-"])
                           for _ in range(rng.randint(1, 6))) for _ in range(2000)]
    cases = urls + [u.upper() for u in urls] + soups + [s.upper() for s in soups[:500]]
    for prof in builtins():
        prof.role("/")
        plain = [(role, regex) for role, regex, _ in prof._roles]
        for url in cases:
            assert prof.role(url) == next((r for r, rx in plain if rx.search(url)), None), (
                prof.name, url)
