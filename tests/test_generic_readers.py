"""The generic readers made cheaper for issue 14's speed target (bench/
bench_generic_instructions.py) give what the slower forms they replaced gave: `short_text`
against `text_of`, the Python filters of the text-node searches against the XPath
predicates they stand for, the page's date line against its body's, the shared trafilatura
options against `trafilatura.extract`'s keyword arguments."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from scraper.parsers import parse_page
from scraper.parsers.dom import parse_html, text_of
from scraper.parsers.generic import (
    AUTHOR_WORDS,
    SOURCE_WORDS,
    _digit_texts,
    _texts_with,
    byline,
    main_text,
    short_text,
    source_line,
    visible_date,
)
from scraper.parsers.profiled import _body_if_same_dates, _Page
from scraper.parsers.text import decode_page
from scraper.profiles.spec import builtin

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in (ROOT / "tests" / "pages").glob("*/*") if (p / "page.html").exists())
HELDOUT = sorted(p for p in (ROOT / "tests" / "heldout").glob("*/*")
                 if (p / "page.html").exists())

# The XPath forms the Python filters replaced (generic.py before issue 14's speed work).
OLD_DIGIT_TEXTS = etree.XPath(
    "descendant::text()[string-length(translate(., '0123456789', '')) < string-length(.)"
    " and string-length(normalize-space(.)) < 100]")
OLD_AUTHOR_TEXTS = etree.XPath(
    "descendant::text()[contains(., 'ác giả') or contains(., 'ÁC GIẢ') or contains(., 'uthor')"
    " or contains(., 'gười viết') or contains(., 'hóng viên') or contains(., 'ài và ảnh')"
    " or contains(., 'ài, ảnh')]")
OLD_SOURCE_TEXTS = etree.XPath(
    "descendant::text()[contains(., 'guồn') or contains(., 'GUỒN') or contains(., 'ource')]")


def _doc(path: Path):
    body = (path / "page.html").read_bytes()
    text, _, verbatim = decode_page(body, None)
    return parse_html(text, body if verbatim else None)


def _same_nodes(a: list, b: list) -> bool:
    return [(x.getparent(), x.is_tail, str(x)) for x in a] == [
        (x.getparent(), x.is_tail, str(x)) for x in b]


@pytest.mark.parametrize("path", PAGES + HELDOUT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_text_node_filters_match_the_xpath_predicates(path):
    doc = _doc(path)
    assert _same_nodes(_digit_texts(doc), OLD_DIGIT_TEXTS(doc))
    assert _same_nodes(_texts_with(doc, AUTHOR_WORDS), OLD_AUTHOR_TEXTS(doc))
    assert _same_nodes(_texts_with(doc, SOURCE_WORDS), OLD_SOURCE_TEXTS(doc))


def test_digit_filter_edge_cases():
    """ASCII digits only (`translate` knows no other), and normalize-space's length: XML
    white space collapsed, a no-break space kept."""
    doc = parse_html(
        "<html><body><p>Ngày ٣</p><span>18/04/2024</span>"
        f"<div>{'x ' * 30}\n\n\t{' ' * 80}1</div><div>{'x' * 99}1</div>"
        f"<div>{'x' * 98}\u00a0\u00a01</div></body></html>")
    found = [str(t) for t in _digit_texts(doc)]
    assert found == [str(t) for t in OLD_DIGIT_TEXTS(doc)]
    assert "18/04/2024" in found and not any("٣" in t for t in found)
    assert any(t.endswith("1") and t.startswith("x x") for t in found)  # 62 after collapsing
    assert not any(t == "x" * 99 + "1" for t in found)  # 100: too long
    assert not any("\u00a0" in t for t in found)  # a no-break space is not XML space


# Pieces of HTML the walk must treat as text_of does: entities (`&amp;amp;` leaves an `&` in
# the text, which sends it through html.unescape and NFC), invisible characters, no-break
# and other spaces, combining marks, blocks and `<br>`, skipped tags, comments.
PIECES = ["Tác giả", "x", "ab cd", "1234567890", "&amp;amp;", "&amp;", "A &amp; B",
          "&amp;#768;", "e&#769;", "\u200b", "\u00ad", "\u00a0", "\u2003", "\x1c", "\u3000",
          "  ", "\n", "<br>", "<br/>", "<!-- c -->", "<script>var x = 1;</script>",
          "<style>p{}</style>", "<select><option>Chọn</option></select>",
          "&lt;b&gt;", "Nguồn: TTXVN", "đường", "ÁC GIẢ"]
TAGS = ["p", "div", "span", "b", "i", "li", "td", "em", "strong", "a", "h1", "section",
        "noscript", "button"]


@st.composite
def fragments(draw, depth: int = 0):
    parts = draw(st.lists(st.one_of(
        st.sampled_from(PIECES),
        st.text(alphabet="aăđ ế\u0301\u00a0xyz0", max_size=12)) if depth >= 2 else
        st.one_of(st.sampled_from(PIECES), fragments(depth + 1)), max_size=6))
    if depth == 0:
        return "".join(parts)
    tag = draw(st.sampled_from(TAGS))
    return f"<{tag}>{''.join(parts)}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(fragments(), st.integers(min_value=1, max_value=120))
def test_short_text_is_text_of_under_the_limit(html, limit):
    doc = parse_html(f"<html><body><div id='x'>{html}</div></body></html>")
    el = doc.find(".//div[@id='x']")
    full = text_of(el)
    assert short_text(el, limit) == (full if len(full) < limit else None)


def test_short_text_on_long_blocks():
    """An article's block: proven long without reading it all; the same answer with an
    `&` at the start (no early bound) and on leaves."""
    paragraphs = "".join(f"<p>Đoạn {i}: Chủ tịch UBND tỉnh chỉ đạo các sở, ngành.</p>"
                         for i in range(200))
    for prefix in ("", "A &amp;amp; B "):
        doc = parse_html(f"<html><body><div>{prefix}{paragraphs}</div></body></html>")
        div = doc.find(".//div")
        assert short_text(div, 80) is None
        assert short_text(div, 10 ** 6) == text_of(div)
    leaf = parse_html("<html><body><span> 18/04/2024   14:05 </span></body></html>"
                      ).find(".//span")
    assert short_text(leaf, 80) == "18/04/2024 14:05"
    assert short_text(leaf, 16) is None
    assert short_text(None, 5) == ""


@pytest.mark.parametrize("path", PAGES + HELDOUT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_readers_on_fixture_pages_match_text_of(path):
    """Every element's short_text against text_of at the limits the readers use."""
    doc = _doc(path)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        full = text_of(el)
        for limit in (80, 301, 400, 600):
            assert short_text(el, limit) == (full if len(full) < limit else None), el


@pytest.mark.parametrize("path", PAGES + HELDOUT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_page_and_its_body_have_one_date_line(path):
    doc = _doc(path)
    body = _body_if_same_dates(doc)
    if body is not None:
        assert visible_date(doc) == visible_date(body)
    texts = doc.xpath("descendant::text()")
    assert byline(doc) == byline(doc, texts=texts)
    assert source_line(doc) == source_line(doc, texts=texts)


def test_a_head_holding_a_date_element_keeps_the_whole_page():
    doc = parse_html("<html><head><title>Tin 1</title></head><body><p>x</p></body></html>")
    assert _body_if_same_dates(doc) is doc.find("body")
    etree.SubElement(doc.find("head"), "span").text = "18/04/2024 14:05"
    assert _body_if_same_dates(doc) is None
    assert visible_date(doc)[0].startswith("2024-04-18T14:05")
    assert visible_date(doc.find("body")) is None
    page = _Page(doc, "http://x.gov.vn/a", "http://x.gov.vn/a", "", builtin("generic"))
    assert page.date_line(doc.find("body")) is None
    assert page.date_line(doc)[0].startswith("2024-04-18T14:05")


def test_date_line_is_searched_once_a_page(monkeypatch):
    """The article test, the date and the images of a page without markup share one
    search (it was three)."""
    import scraper.parsers.profiled as profiled

    calls = []
    real = profiled.visible_date
    monkeypatch.setattr(profiled, "visible_date",
                        lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    path = ROOT / "tests" / "pages" / "generic" / "article_aspx"
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    result = parse_page((path / "page.html").read_bytes(), meta["url"])
    assert result["page_type"] == "article" and result["article"]["published_at"]
    assert len(calls) == 1


@pytest.mark.parametrize("path", [p for p in PAGES if p.parent.name in ("generic", "wordpress",
                                                                        "joomla", "liferay")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_main_text_options_are_extracts_keywords(path):
    """The Extractor built once gives what the keyword arguments gave."""
    text = decode_page((path / "page.html").read_bytes(), None)[0]
    old = trafilatura.extract(text, include_comments=False, include_tables=True,
                              include_images=False, favor_precision=True, fast=True)
    new = trafilatura.extract(text, options=sys.modules["scraper.parsers.generic"]
                              ._extractor())
    assert new == old
    if old:
        assert main_text(text)
