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
import tomllib
from pathlib import Path

from scraper.parsers.dom import css, xp
from scraper.parsers.text import fold

# The data of scraper/profiles/nukeviet.toml (document labels, table columns, soft-404
# wordings and boxes). Read with tomllib, not through scraper.profiles.spec: the profile names
# this package's parse as its hook, and loading it here would import this module again.
with (Path(__file__).parent.parent / "profiles" / "nukeviet.toml").open("rb") as _handle:
    _PROFILE = tomllib.load(_handle)


def _profile_labels() -> dict[str, str]:
    return {fold(label): name for label, name in _PROFILE["document"]["labels"].items()}

# --- article detail -------------------------------------------------------------------------
# The XPaths below are written in the form libxml2 evaluates fastest; each comment gives the
# plain form that selects the same nodes in the same (document) order:
# - `descendant::x` for `.//x`: the abbreviation first gathers every node under the context,
#   text nodes included, then takes their `x` children (2x slower on a whole page);
# - `x/@class[contains(., 'c')]/..` for `x[contains(@class, 'c')]`: the predicate builds a
#   node-set and a string for every candidate element, the attribute step only for elements
#   that have the attribute (2-3x faster). Neither form changes which nodes match; both
#   hold only for predicates that do not depend on position (none here does).
ARTICLE_ROOTS = [
    xp(".//*[contains(@itemtype, 'NewsArticle')]"),
    xp(".//div[contains(@class, 'news_column') and contains(@class, 'newsdetail')]"),
    xp(".//*[@id='news_detail']"),
    xp(".//div[contains(@class, 'news_column')]"),
]
TITLE = [
    # .//h1[contains(@class, 'title')]
    xp("descendant::h1/@class[contains(., 'title')]/.."),
    # .//*[@itemprop='headline']
    xp("descendant::*/@itemprop[. = 'headline']/.."),
    # .//h3[contains(@class, 'title')]
    xp("descendant::h3/@class[contains(., 'title')]/.."),
    # .//h2[contains(@class, 'title')]
    xp("descendant::h2/@class[contains(., 'title')]/.."),
    # .//*[@id='news_detail']//h1
    xp("descendant::*/@id[. = 'news_detail']/../descendant::h1"),
    # .//h1
    xp("descendant::h1"),
]
# (`id()` is an index lookup in libxml2; `//*[@id=…]` walks the whole tree.)
BODY = [
    xp("id('news-bodyhtml')"),
    # .//div[contains(@class, 'bodytext')]
    xp("descendant::div/@class[contains(., 'bodytext')]/.."),
    # .//*[@itemprop='articleBody']
    xp("descendant::*/@itemprop[. = 'articleBody']/.."),
    # .//*[contains(@class, 'bodytext')]
    xp("descendant::*/@class[contains(., 'bodytext')]/.."),
]
# .newsdetailmetatop
META_TOP = xp("descendant-or-self::*/@class"
              "[contains(concat(' ', normalize-space(.), ' '), ' newsdetailmetatop ')]/..")
DATE_SPANS = [
    # .//*[contains(@class, 'newsdetailmetatop')]//span[contains(@class, 'h5')]
    xp("descendant::*/@class[contains(., 'newsdetailmetatop')]/.."
       "/descendant::span/@class[contains(., 'h5')]/.."),
    # .//span[contains(@class, 'h5')]
    xp("descendant::span/@class[contains(., 'h5')]/.."),
    # .//span[contains(@class, 'time')]
    xp("descendant::span/@class[contains(., 'time')]/.."),
    # .//*[contains(@class, 'time')]
    xp("descendant::*/@class[contains(., 'time')]/.."),
    # .//*[@itemprop='datePublished']
    xp("descendant::*/@itemprop[. = 'datePublished']/.."),
]
HOMETEXT = [
    # .//div[contains(@class, 'hometext')]
    xp("descendant::div/@class[contains(., 'hometext')]/.."),
    # .//*[@id='hometext']
    xp("descendant::*/@id[. = 'hometext']/.."),
    # .//*[@itemprop='description']
    xp("descendant::*/@itemprop[. = 'description']/.."),
    # .//*[contains(@class, 'hometext')]
    xp("descendant::*/@class[contains(., 'hometext')]/.."),
]
# .//figure | .//*[@id='imghome'] | .//div[contains(@class, 'imghome')]
LEAD_FIGURES = xp("descendant::figure | descendant::*/@id[. = 'imghome']/.."
                  " | descendant::div/@class[contains(., 'imghome')]/..")
# .//*[contains(@class, 'news-download-file')]//a
ATTACHMENTS = xp("descendant::*/@class[contains(., 'news-download-file')]/../descendant::a")
STRINGRATING = xp("id('stringrating')")
RATING_SENTENCE = re.compile(
    r"Tổng số điểm(?: của bài viết)?(?: là)?\s*:?\s*([\d.,]+)\s*trong\s*([\d.,]+)\s*đánh giá",
    re.I,
)
# .//*[contains(@class, 'fa-tags')]
TAG_ICONS = xp("descendant::*/@class[contains(., 'fa-tags')]/..")
# .//*[contains(@class, 'keywords') or contains(@class, 'news-tags') or @itemprop='keywords']//a
TAG_LINKS = xp("(descendant::*/@class[contains(., 'keywords') or contains(., 'news-tags')]/.."
               " | descendant::*/@itemprop[. = 'keywords']/..)/descendant::a")
# .//a[contains(@href, '/tag/') or contains(@href, 'op=tag')]
TAG_HREFS = xp("descendant::a/@href[contains(., '/tag/') or contains(., 'op=tag')]/..")
# .//ul[contains(@class, 'related')]/li
RELATED_LISTS = xp("descendant::ul/@class[contains(., 'related')]/../li")
# //ul[contains(@class, 'temp-breadcrumbs')]//a
TEMP_CRUMBS = xp("/descendant::ul/@class[contains(., 'temp-breadcrumbs')]/../descendant::a")
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
    # //div[contains(@class, 'news_column')]//div[contains(@class, 'panel-body')]
    xp("/descendant::div/@class[contains(., 'news_column')]/.."
       "/descendant::div/@class[contains(., 'panel-body')]/.."),
    css(".news_column .news-item, .news_column .item"),
    css(".viewcat .item, .news-list .item"),
]
# .//h2//a[@href] | .//h3//a[@href] | .//h4//a[@href] | .//*[contains(@class, 'title')]//a[@href]
LISTING_LINK = xp("(descendant::h2 | descendant::h3 | descendant::h4"
                  " | descendant::*/@class[contains(., 'title')]/..)/descendant::a[@href]")
LIST_GROUP_LINKS = css(".news_column ~ .list-group > a[href], div.list-group > a.show[href]")
NEXT_LINKS = [
    # //ul[contains(@class, 'pagination')]//a[contains(concat(' ', @rel, ' '), ' next ')]
    xp("/descendant::ul/@class[contains(., 'pagination')]/.."
       "/descendant::a/@rel[contains(concat(' ', ., ' '), ' next ')]/.."),
    # //a[contains(concat(' ', @rel, ' '), ' next ')]
    xp("/descendant::a/@rel[contains(concat(' ', ., ' '), ' next ')]/.."),
    # /html/head/link[contains(concat(' ', @rel, ' '), ' next ')]
    xp("/html/head/link/@rel[contains(concat(' ', ., ' '), ' next ')]/.."),
]
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
# //div[contains(@class, 'block-law')]
SIDEBAR_BLOCKS = xp("/descendant::div/@class[contains(., 'block-law')]/..")
# .//*[contains(concat(' ', normalize-space(@class), ' '), ' item ')]
SIDEBAR_BLOCK_ITEMS = xp("descendant::*/@class"
                         "[contains(concat(' ', normalize-space(.), ' '), ' item ')]/..")
SIDEBAR_CODE = css(".law-code a, .law-code")
SIDEBAR_TITLE = css(".law-title")
SIDEBAR_VIEW = css(".law-view")

# Folded label → document field, for `tr.hoatim` / table-properties rows: the
# `[document.labels]` table of scraper/profiles/nukeviet.toml (data, not code).
LAW_LABELS = _profile_labels()
# Column headers of the older table listing.
LAW_COLUMNS = {fold(header): name
               for header, name in _PROFILE["listing"]["columns"].items()}

# Substrings that must occur in the page for the DOM queries above to find anything.
# (Plain `in` tests: a regex scan of a 30 KB page costs more than the DOM query it saves.)
ARTICLE_HINTS = ("bodytext", "articleBody", "news-bodyhtml")
LAW_DETAIL_HINTS = ("law-detail", "laws-detail", "lawh3", "hoatim")
SOFT_404_HINTS = ("chủ đề", "Chủ đề", "tồn tại", "404", "tìm thấy", "&#")

# --- soft 404 -------------------------------------------------------------------------------
# (nukeviet.toml `[soft_404]`: one alternation, case-insensitive, as the profile checker reads
# each pattern.)
SOFT_404 = re.compile("|".join(_PROFILE["soft_404"]["patterns"]), re.I)
ERROR_BOXES = css(", ".join(_PROFILE["soft_404"]["selectors"]))

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
