"""The parsers' shortcuts give exactly what the plain code gives: the fast XPath forms select
the plain forms' nodes, and the text shortcuts equal the general text functions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from scraper.parsers import nukeviet as nv
from scraper.parsers.article import _label_queries
from scraper.parsers.documents import (
    could_hold_detail,
    could_hold_listing,
    document_listing_items,
    find_detail_root,
)
from scraper.parsers.dom import parse_html, raw_text, text_of
from scraper.parsers.text import (
    _OTHER_SPACE,
    contains_any,
    decode_html,
    has_numeric_ref,
    needle_groups,
    normalize_lines,
    normalize_text,
)

PAGES = sorted(Path(__file__).parent.glob("pages/*/*/page.html"))

# Each fast selector of nukeviet.py beside the plain XPath its comment gives.
SELECTORS = [
    (nv.TITLE[0], ".//h1[contains(@class, 'title')]"),
    (nv.TITLE[1], ".//*[@itemprop='headline']"),
    (nv.TITLE[2], ".//h3[contains(@class, 'title')]"),
    (nv.TITLE[3], ".//h2[contains(@class, 'title')]"),
    (nv.TITLE[4], ".//*[@id='news_detail']//h1"),
    (nv.TITLE[5], ".//h1"),
    (nv.BODY[1], ".//div[contains(@class, 'bodytext')]"),
    (nv.BODY[2], ".//*[@itemprop='articleBody']"),
    (nv.BODY[3], ".//*[contains(@class, 'bodytext')]"),
    (nv.META_TOP, "descendant-or-self::*[@class and contains(concat(' ', "
                  "normalize-space(@class), ' '), ' newsdetailmetatop ')]"),
    (nv.DATE_SPANS[0], ".//*[contains(@class, 'newsdetailmetatop')]//span[contains(@class, 'h5')]"),
    (nv.DATE_SPANS[1], ".//span[contains(@class, 'h5')]"),
    (nv.DATE_SPANS[2], ".//span[contains(@class, 'time')]"),
    (nv.DATE_SPANS[3], ".//*[contains(@class, 'time')]"),
    (nv.DATE_SPANS[4], ".//*[@itemprop='datePublished']"),
    (nv.HOMETEXT[0], ".//div[contains(@class, 'hometext')]"),
    (nv.HOMETEXT[1], ".//*[@id='hometext']"),
    (nv.HOMETEXT[2], ".//*[@itemprop='description']"),
    (nv.HOMETEXT[3], ".//*[contains(@class, 'hometext')]"),
    (nv.LEAD_FIGURES, ".//figure | .//*[@id='imghome'] | .//div[contains(@class, 'imghome')]"),
    (nv.ATTACHMENTS, ".//*[contains(@class, 'news-download-file')]//a"),
    (nv.TAG_ICONS, ".//*[contains(@class, 'fa-tags')]"),
    (nv.TAG_LINKS, ".//*[contains(@class, 'keywords') or contains(@class, 'news-tags') or "
                   "@itemprop='keywords']//a"),
    (nv.TAG_HREFS, ".//a[contains(@href, '/tag/') or contains(@href, 'op=tag')]"),
    (nv.RELATED_LISTS, ".//ul[contains(@class, 'related')]/li"),
    (nv.TEMP_CRUMBS, "//ul[contains(@class, 'temp-breadcrumbs')]//a"),
    (nv.LISTING_ITEMS[0], "//div[contains(@class, 'news_column')]"
                          "//div[contains(@class, 'panel-body')]"),
    (nv.LISTING_LINK, ".//h2//a[@href] | .//h3//a[@href] | .//h4//a[@href] | "
                      ".//*[contains(@class, 'title')]//a[@href]"),
    (nv.NEXT_LINKS[0], "//ul[contains(@class, 'pagination')]//a[contains(concat(' ', @rel, ' '), "
                       "' next ')]"),
    (nv.NEXT_LINKS[1], "//a[contains(concat(' ', @rel, ' '), ' next ')]"),
    (nv.NEXT_LINKS[2], "/html/head/link[contains(concat(' ', @rel, ' '), ' next ')]"),
    (nv.SIDEBAR_BLOCKS, "//div[contains(@class, 'block-law')]"),
    (nv.SIDEBAR_BLOCK_ITEMS, ".//*[contains(concat(' ', normalize-space(@class), ' '), ' item ')]"),
]

for _words in (nv.AUTHOR_WORDS, nv.SOURCE_WORDS):
    _starts = " or ".join(f"starts-with(normalize-space(.), '{w}')" for w in _words)
    SELECTORS += zip(_label_queries(_words), (
        f".//strong[{_starts}]/parent::p | .//b[{_starts}]/parent::p",
        f".//p[{_starts}]",
        f".//div[{_starts}] | .//span[{_starts}] | .//li[{_starts}]"), strict=True)

# A page that exercises the selectors the fixtures do not (fallback markup).
SYNTHETIC = """<html><head><link rel="next prefetch" href="/p2"><link rel="nofollow"></head><body>
<div id="news_detail" class="x"><h2 class="title big">T2</h2><h1>In detail</h1>
<span class="time">10:00</span><div id="hometext">lead</div>
<div class="keywords"><a href="/a">k1</a></div><p itemprop="keywords"><a>k2</a>
<span class="news-tags"><a>k3</a></span></p><span class="time"><span class="time">n</span></span>
<div class="title"><a href="/x">x</a><a>no href</a></div></div>
<ul class="related"><li>a</li></ul><div><span>Nguồn: X</span><li>Tác giả: Y</li>
<p><b>Source: Z</b></p></div></body></html>"""


def _documents():
    for path in PAGES:
        doc = parse_html(decode_html(path.read_bytes())[0])
        if doc is not None:
            yield doc
    yield parse_html(SYNTHETIC)


@pytest.mark.parametrize("fast, plain", SELECTORS, ids=[p[:60] for _, p in SELECTORS])
def test_fast_selector_selects_what_the_plain_one_does(fast, plain):
    plain = etree.XPath(plain)
    for doc in _documents():
        # From the root and from every element: the article code runs them on subtrees.
        for context in doc.iter(etree.Element):
            assert fast(context) == plain(context)


def test_raw_text_is_what_text_of_normalises():
    for doc in _documents():
        for el in doc.iter():
            assert text_of(el) == normalize_text(raw_text(el), is_nfc=True)


def test_other_space_is_every_split_separator_but_space_and_newline():
    spaces = {chr(c) for c in range(0x110000) if chr(c).isspace()} - {" ", "\n"}
    assert {chr(c) for c in range(0x110000) if _OTHER_SPACE.match(chr(c))} == spaces


lines = st.lists(st.sampled_from(
    ["a", "ệ", " ", "  ", "\n", "\n\n", "\xa0", "\t", "\u3000", "\u200b", "\u00ad", "&amp;",
     "&#", "e\u0301", "\r"]), max_size=30).map("".join)


@given(lines, st.booleans())
def test_normalize_lines_is_normalize_text_per_line(value, is_nfc):
    expected = "\n".join(filter(None, (normalize_text(line, is_nfc)
                                       for line in value.split("\n"))))
    assert normalize_lines(value, is_nfc) == expected


@given(st.text(alphabet="&#ab", max_size=12))
def test_has_numeric_ref(value):
    assert has_numeric_ref(value) == ("&#" in value)


needles = st.lists(st.text(alphabet="ab-#", min_size=1, max_size=4), min_size=1, max_size=5)


@given(st.text(alphabet="ab-#", max_size=16), needles,
       st.lists(st.text(alphabet="ab-", min_size=1, max_size=2), max_size=3))
def test_needle_groups_find_what_any_finds(text, needles, keys):
    groups = needle_groups(tuple(needles), tuple(keys))
    assert contains_any(text, groups) == any(n in text for n in needles)


# Pieces of laws-module markup, shuffled into pages below.
LAW_PIECES = ['<div class="law-detail">', '<div class="laws-detail">', "</div>",
              '<h1 class="lawh3">T</h1>', "<table>", '<table class="table-properties">',
              "</table>", '<tr class="hoatim"><td>Số kí hiệu</td><td>17/CT-UBND</td></tr>',
              "<tr><th>Số kí hiệu</th><th>Trích yếu</th></tr>",
              '<tr><td>Ngày ban hành</td><td><a href="/d/1/">1/1/2020</a></td></tr>',
              '<div class="flex-table-laws"><div class="table-rows"><span class="c-code">'
              '<a href="/d/2/">2/QĐ</a></span></div></div>', "<p>p</p>", "<section>",
              "</section>"]


@given(st.lists(st.sampled_from(LAW_PIECES), min_size=1, max_size=10))
def test_could_hold_is_true_whenever_the_laws_search_finds_something(pieces):
    html = "<html><body>" + "".join(pieces) + "</body></html>"
    doc = parse_html(html)
    if find_detail_root(doc) is not None:
        assert could_hold_detail(doc)
    if document_listing_items(doc, "http://x/") is not None:
        assert could_hold_listing(doc, html)


def test_could_hold_on_the_fixture_pages():
    for path in PAGES:
        text = decode_html(path.read_bytes())[0]
        doc = parse_html(text)
        if find_detail_root(doc) is not None:
            assert could_hold_detail(doc)
        if document_listing_items(doc, "http://x/") is not None:
            assert could_hold_listing(doc, text)
