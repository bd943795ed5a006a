"""NukeViet 4.x site profile: where each field lives in the themes we know.

Covers the 4.0 `default` theme (4.0.22 variant with `h3.title` and a plain `div.bodytext`),
4.5 / eGovernment (`.newsdetail`, three `span.h5` in `.newsdetailmetatop`, schema.org
attributes, `p#stringrating`, `Tác giả`, `Tags`) and the 2015 custom egov-like theme of the
seed page, plus the `laws` module (table and flex listings, detail, sidebar block).
Selectors go from most to least specific so that unknown variants still fall through to a
working, looser rule. Field labels are matched folded (no diacritics, lower case).
"""

from __future__ import annotations

import re

from scraper.parsers.dom import css, xp

# --- article detail -------------------------------------------------------------------------
ARTICLE_ROOTS = [
    xp(".//*[contains(@itemtype, 'NewsArticle')]"),
    xp(".//div[contains(@class, 'news_column') and contains(@class, 'newsdetail')]"),
    xp(".//*[@id='news_detail']"),
    xp(".//div[contains(@class, 'news_column')]"),
]
TITLE = [
    xp(".//h1[contains(@class, 'title')]"),
    xp(".//*[@itemprop='headline']"),
    xp(".//h3[contains(@class, 'title')]"),
    xp(".//h2[contains(@class, 'title')]"),
    xp(".//*[@id='news_detail']//h1"),
    xp(".//h1"),
]
# (`id()` is an index lookup in libxml2; `//*[@id=…]` walks the whole tree.)
BODY = [
    xp("id('news-bodyhtml')"),
    xp(".//div[contains(@class, 'bodytext')]"),
    xp(".//*[@itemprop='articleBody']"),
    xp(".//*[contains(@class, 'bodytext')]"),
]
META_TOP = css(".newsdetailmetatop")
DATE_SPANS = [xp(".//*[contains(@class, 'newsdetailmetatop')]//span[contains(@class, 'h5')]"),
              xp(".//span[contains(@class, 'h5')]"), xp(".//span[contains(@class, 'time')]"),
              xp(".//*[contains(@class, 'time')]"), xp(".//*[@itemprop='datePublished']")]
HOMETEXT = [xp(".//div[contains(@class, 'hometext')]"), xp(".//*[@id='hometext']"),
            xp(".//*[@itemprop='description']"), xp(".//*[contains(@class, 'hometext')]")]
LEAD_FIGURES = xp(".//figure | .//*[@id='imghome'] | .//div[contains(@class, 'imghome')]")
ATTACHMENTS = xp(".//*[contains(@class, 'news-download-file')]//a")
STRINGRATING = xp("id('stringrating')")
RATING_SENTENCE = re.compile(
    r"Tổng số điểm(?: của bài viết)?(?: là)?\s*:?\s*([\d.,]+)\s*trong\s*([\d.,]+)\s*đánh giá",
    re.I,
)
TAG_ICONS = xp(".//*[contains(@class, 'fa-tags')]")
TAG_LINKS = xp(".//*[contains(@class, 'keywords') or contains(@class, 'news-tags') or "
               "@itemprop='keywords']//a")
TAG_HREFS = xp(".//a[contains(@href, '/tag/') or contains(@href, 'op=tag')]")
RELATED_LISTS = xp(".//ul[contains(@class, 'related')]/li")
TEMP_CRUMBS = xp("//ul[contains(@class, 'temp-breadcrumbs')]//a")
CRUMBS = css("ul.breadcrumbs li a, .breadcrumb li a, [itemtype*='BreadcrumbList'] a")
# First words of the author and source lines, as typed (the page is NFC by then).
AUTHOR_WORDS = ("Tác giả", "tác giả", "TÁC GIẢ", "Author", "Người viết")
SOURCE_WORDS = ("Nguồn", "nguồn", "NGUỒN", "Source")
# "nguồn" is also an everyday word: only a labelled form makes the source search worth it.
SOURCE_HINTS = ("Nguồn tin", "Nguồn:", "nguồn tin", "NGUỒN TIN", "Source:")
TAG_HINTS = ("fa-tags", "class=\"keywords", "itemprop=\"keywords", "/tag/", "op=tag", "news-tags")

# Boilerplate that must never reach extracted text even when a theme nests it oddly.
# Checked in one pass over the body (a CSS union would walk it once per alternative).
BOILERPLATE_IDS = frozenset({"timeoutsess", "form3B", "idcomment", "showcomment",
                             "formcomment"})
BOILERPLATE_CLASSES = frozenset({
    "timeoutsess", "other-news", "related", "news-download-file", "socialicon", "fb-like",
    "g-plusone", "comment", "control", "hover-star", "adminlink", "block-law",
    "temp-breadcrumbs", "breadcrumbs",
})
BOILERPLATE_TAGS = frozenset({"script", "style", "noscript"})

# --- listings -------------------------------------------------------------------------------
LISTING_ITEMS = [
    xp("//div[contains(@class, 'news_column')]//div[contains(@class, 'panel-body')]"),
    css(".news_column .news-item, .news_column .item"),
    css(".viewcat .item, .news-list .item"),
]
LISTING_LINK = xp(".//h2//a[@href] | .//h3//a[@href] | .//h4//a[@href] | "
                  ".//*[contains(@class, 'title')]//a[@href]")
LIST_GROUP_LINKS = css(".news_column ~ .list-group > a[href], div.list-group > a.show[href]")
NEXT_LINKS = [xp("//ul[contains(@class, 'pagination')]//a[contains(concat(' ', @rel, ' '), "
                 "' next ')]"),
              xp("//a[contains(concat(' ', @rel, ' '), ' next ')]"),
              xp("/html/head/link[contains(concat(' ', @rel, ' '), ' next ')]")]
VIEWS_LABEL = re.compile(r"(?:Đã xem|Lượt xem|Xem|views?)\s*:\s*([\d.,]+)", re.I)
COMMENTS_LABEL = re.compile(r"(?:Phản hồi|Bình luận|comments?)\s*:\s*([\d.,]+)", re.I)

# --- laws module ----------------------------------------------------------------------------
LAW_DETAIL_ROOTS = [css(".law-detail"), css(".laws-detail"), css("h1.lawh3"),
                    css("tr.hoatim")]
LAW_TITLE = [css("h1.lawh3"), css(".law-detail h1"), css(".laws-detail h1")]
LAW_PROPERTY_ROWS = css("tr.hoatim, table.table-properties tr, .law-detail table tr")
LAW_FILES = css(".laws-download-file .list-group-item a, .laws-download-file a")
LAW_BODY = [css(".law-detail .bodytext"), css("#doc-body .bodytext"), css(".laws-body")]
LAW_SECTION_HEADINGS = css("h2.lawh3, h3.lawh3")
LAW_FLEX_ROWS = css("div.flex-table-laws > div.table-rows")
# A document listing shows one of these: the flex layout's class or a `Số kí hiệu` column.
LAW_LISTING_HINTS = ("flex-table-laws", "kí hiệu", "ký hiệu", "Kí hiệu", "Ký hiệu", "KÝ HIỆU")
LAW_TABLES = css("table")
SIDEBAR_BLOCKS = xp("//div[contains(@class, 'block-law')]")
SIDEBAR_BLOCK_ITEMS = xp(".//*[contains(concat(' ', normalize-space(@class), ' '), ' item ')]")
SIDEBAR_CODE = css(".law-code a, .law-code")
SIDEBAR_TITLE = css(".law-title")
SIDEBAR_VIEW = css(".law-view")

# Folded label → document field, for `tr.hoatim` / table-properties rows.
LAW_LABELS = {
    "so ki hieu": "number",
    "so hieu": "number",
    "ki hieu": "number",
    "ngay ban hanh": "issued_on",
    "ngay bat dau hieu luc": "effective_on",
    "ngay co hieu luc": "effective_on",
    "ngay hieu luc": "effective_on",
    "hieu luc tu": "effective_on",
    "ngay het hieu luc": "expires_on",
    "the loai": "doc_type",
    "loai van ban": "doc_type",
    "linh vuc": "field",
    "co quan ban hanh": "issuer",
    "noi ban hanh": "issuer",
    "co quan tham tra": "reviewer",
    "nguoi ki": "signer",
    "van ban bi thay the": "replaced",
    "van ban thay the": "replacing",
    "van ban lien quan": "related",
}
# Column headers of the older table listing.
LAW_COLUMNS = {
    "stt": "stt",
    "so ki hieu": "number",
    "so hieu": "number",
    "ngay ban hanh": "issued_on",
    "trich yeu": "title",
    "file dinh kem": "files",
    "tep dinh kem": "files",
    "tai ve": "files",
}

# Substrings that must occur in the page for the DOM queries above to find anything.
# (Plain `in` tests: a regex scan of a 30 KB page costs more than the DOM query it saves.)
ARTICLE_HINTS = ("bodytext", "articleBody", "news-bodyhtml")
LAW_DETAIL_HINTS = ("law-detail", "laws-detail", "lawh3", "hoatim")
SOFT_404_HINTS = ("chủ đề", "Chủ đề", "tồn tại", "404", "tìm thấy", "&#")

# --- soft 404 -------------------------------------------------------------------------------
SOFT_404 = re.compile(
    r"Lỗi không có chủ đề|Không có chủ đề|Chủ đề không tồn tại|Bài viết không tồn tại|"
    r"Trang không tồn tại|Không tìm thấy (?:trang|bài viết|chủ đề|nội dung)|"
    r"Lỗi 404|Error 404|404 Not Found",
    re.I,
)
ERROR_BOXES = css(".alert, #no_permission, .error, .nv-error, .alert-danger, .alert-info, "
                  "#nv_info_die, .nv-infodie, .info_die")

# --- URLs -----------------------------------------------------------------------------------
ARTICLE_ID = re.compile(r"-(\d+)\.html?$", re.I)
QUERY_ARTICLE_ID = re.compile(r"/[^/]*-(\d+)(?:\.html?)?$", re.I)
LAW_ID = re.compile(r"-(\d+)/?$")
HOME_PATHS = re.compile(r"^/(?:[a-z]{2}/?)?(?:index\.php)?/?$", re.I)
TAG_URL = re.compile(r"/tag/|[?&]op=tag\b", re.I)
# Module names of the news module seen on portals (it can be renamed, e.g. `tin-tuc`).
NEWS_MODULES = ("news", "tin-tuc", "tintuc")
_NOT_CATEGORY = r"(?!tag/|topic/|rss/|print/|savefile/|sendmail/|search/|groups/|content/)"
CATEGORY_PATH = re.compile(
    r"^(?:/index\.php)?(?:/[a-z]{2})?/(?:" + "|".join(NEWS_MODULES) + r")/" + _NOT_CATEGORY
    + r"[\w-]+/(?:page-\d+/?)?$",
    re.I,
)
CATEGORY_OP = re.compile(_NOT_CATEGORY + r"[\w-]+(?:/page-\d+)?/?$", re.I)
