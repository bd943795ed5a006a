"""Generic extraction: what any page says about itself, in every form it may say it.

schema.org JSON-LD (`@graph` too) and microdata, OpenGraph and `article:*` meta,
`<meta name="author">`, `<time datetime>`, visible Vietnamese date lines and labelled bylines,
and the main text through trafilatura. Used for the `generic` platform and as the fallback
whenever a profile's own rules find nothing for a field (`scraper/parsers/profiled.py`).
Each reader is computed once per page, on first use.
"""

from __future__ import annotations

import json
import re
from functools import cached_property

from lxml import etree

from scraper.parsers.authors import AUTHOR_LABEL, labelled_field, parse_author_line
from scraper.parsers.dom import text_of
from scraper.parsers.text import normalize_text
from scraper.parsers.vndates import parse_machine, parse_visible

_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle",
                  "analysisnewsarticle", "webpage", "report", "govermentpermit"}
_STRONG_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle",
                 "analysisnewsarticle", "report"}
_LD = etree.XPath("//script[@type='application/ld+json']/text()")
_ITEMPROP = etree.XPath("//*[@itemprop]")
_TIMES = etree.XPath("//time[@datetime]")
_BYLINE_CANDIDATES = ("p", "div", "span", "li", "em", "strong", "b", "i")


def _types(node: dict) -> set[str]:
    t = node.get("@type", [])
    return {str(x).rsplit("/", 1)[-1].lower() for x in (t if isinstance(t, list) else [t])}


def _names(value, index: dict) -> list[str]:
    """Author values: a string, a Person/Organization, an `@id` reference, or a list."""
    out: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and "name" not in item and item.get("@id") in index:
            item = index[item["@id"]]
        name = item.get("name") if isinstance(item, dict) else item
        name = normalize_text(name if isinstance(name, str) else None)
        if name and not name.startswith(("http://", "https://")) and name not in out:
            out.append(name)
    return out


class PageMeta:
    """The machine-readable metadata of one page, each source read on first use.

    `has` (`needle in has` for the page's source), when given, spares the walk of a source
    the page cannot hold (no `ld+json`, no `itemprop`, …): most pages lack most of them."""

    def __init__(self, doc, has=None) -> None:
        self.doc = doc
        self.has = has

    def _lacks(self, *words: str) -> bool:
        return self.has is not None and not any(w in self.has for w in words)

    @cached_property
    def jsonld(self) -> dict:
        nodes: list[dict] = []
        if self._lacks("ld+json"):
            return {}
        for raw in _LD(self.doc):
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):
                continue
            stack = data if isinstance(data, list) else [data]
            while stack:
                node = stack.pop(0)
                if isinstance(node, list):
                    stack.extend(node)
                elif isinstance(node, dict):
                    graph = node.get("@graph")
                    if isinstance(graph, list):
                        stack.extend(graph)
                    nodes.append(node)
        index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
        best = None
        for node in nodes:
            types = _types(node)
            if types & _STRONG_TYPES:
                best = node
                break
            if best is None and types & _ARTICLE_TYPES and node.get("headline"):
                best = node
        if best is None:
            return {}
        out = {"type": sorted(_types(best))[0] if _types(best) else None,
               "title": normalize_text(best.get("headline") or best.get("name")) or None,
               "published": parse_machine(best.get("datePublished")),
               "modified": parse_machine(best.get("dateModified")),
               "authors": _names(best.get("author"), index) if best.get("author") else [],
               "description": normalize_text(best.get("description")) or None}
        section = best.get("articleSection")
        out["section"] = normalize_text(section[0] if isinstance(section, list) and section
                                        else section if isinstance(section, str) else None
                                        ) or None
        keywords = best.get("keywords")
        if isinstance(keywords, str):
            keywords = [k for k in (normalize_text(k) for k in keywords.split(",")) if k]
        out["tags"] = [normalize_text(k) for k in keywords or [] if isinstance(k, str)]
        return out

    @cached_property
    def _meta(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        if self._lacks("<meta", "<META", "<Meta"):
            return found
        # (`iter`, a C walk, not an XPath `//meta[@property or @name or @itemprop]`: an
        # element without those attributes gets an empty key below, skipped all the same.)
        for el in self.doc.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
            value = el.get("content")
            if key and value is not None:
                found.setdefault(key, []).append(value)
        return found

    def meta(self, key: str) -> str | None:
        values = self._meta.get(key)
        return normalize_text(values[0]) or None if values else None

    @cached_property
    def opengraph(self) -> dict:
        tags = [normalize_text(t) for t in self._meta.get("article:tag", []) if t]
        author = self.meta("article:author")
        return {"type": self.meta("og:type"), "title": self.meta("og:title"),
                "url": self.meta("og:url"), "description": self.meta("og:description"),
                "published": parse_machine(self.meta("article:published_time")),
                "modified": parse_machine(self.meta("article:modified_time")),
                "authors": [author] if author and "://" not in author else [],
                "section": self.meta("article:section"), "tags": tags}

    @cached_property
    def microdata(self) -> dict:
        out: dict = {"authors": []}
        for el in (() if self._lacks("itemprop", "ITEMPROP", "itemProp") else
                   _ITEMPROP(self.doc)):
            if el.tag == "meta":
                continue  # (read by `_meta` with the other meta tags)
            prop = el.get("itemprop")
            if prop == "headline" and "title" not in out:
                out["title"] = text_of(el) or None
            elif prop == "datePublished" and "published" not in out:
                out["published"] = parse_machine(el.get("datetime") or el.get("content"))
            elif prop == "author":
                named = [n for n in el.iter() if n.get("itemprop") == "name"]
                name = text_of(named[0]) if named else text_of(el)
                if name and name not in out["authors"]:
                    out["authors"].append(name)
            elif prop == "articleBody" and "body" not in out:
                out["body"] = el
        if "published" not in out and self.meta("datepublished"):
            out["published"] = parse_machine(self.meta("datepublished"))
        return out

    @cached_property
    def time(self) -> dict:
        for el in (() if self._lacks("<time", "<TIME") else _TIMES(self.doc)):
            when = parse_machine(el.get("datetime"))
            if when:
                return {"published": when, "element": el}
        return {}

    def first(self, what: str, order: tuple[str, ...]):
        """(value, source) of the first metadata source in `order` that has `what`."""
        for source in order:
            if source == "meta":
                value = {"authors": [self.meta("author")] if self.meta("author") else [],
                         "description": self.meta("description")}.get(what)
            else:
                value = getattr(self, source).get(what)
            if value:
                return value, source
        return None, None


_CLOCK = re.compile(r"\d{1,2}\s*[:hg]\s*\d{2}")


# Text nodes that hold a digit (a date line does), short enough to be part of one. Searched
# by libxml2; the elements around them are the only candidates (computing every element's
# text, nested blocks included, was most of a profile-driven parse).
_DIGIT_TEXTS = etree.XPath(
    "descendant::text()[string-length(translate(., '0123456789', '')) < string-length(.)"
    " and string-length(normalize-space(.)) < 100]")


def _containers(node, levels: int = 3):
    """The element holding a text node, then its ancestors (at most `levels` in all)."""
    el = node.getparent()
    if el is not None and node.is_tail:
        el = el.getparent()
    while el is not None and levels:
        yield el
        el, levels = el.getparent(), levels - 1


def visible_date(root, skip=None) -> tuple[str, str, object] | None:
    """(ISO, raw, element) of the date line: the first short element whose text is a date
    with a time, else the first with a date only (a title such as `tuần từ 15 đến
    21/4/2024` holds a date too, but no time). Of an element and its ancestors, the
    outermost one that is still a short date line counts (`Ngày: <b>18/04/2024</b> 14:05`)."""
    date_only = None
    seen: set = set()
    for node in _DIGIT_TEXTS(root):
        best = None
        for el in _containers(node):
            if el.tag not in _DATE_TAGS or (skip is not None and skip(el)):
                continue
            text = text_of(el)
            if len(text) >= 80:
                break
            if len(text) >= 6 and id(el) not in seen:
                parsed = parse_visible(text)
                if parsed:
                    best = (parsed[0], parsed[1], el)
        if best is None:
            continue
        seen.add(id(best[2]))
        if _CLOCK.search(best[1]):
            return best
        if date_only is None:
            date_only = best
    return date_only


_DATE_TAGS = frozenset({"time", "span", "div", "p", "em", "small", "li", "td", "strong", "i",
                        "b", "dd", "font"})


_CHROME = frozenset({"nav", "header", "footer", "aside", "script", "style"})


def content_images(date_el) -> list:
    """Images of a page without markup for its body: those in the smallest block around
    the date line that holds the text (not the banner, menus or sidebars)."""
    scope = date_el
    while scope is not None and len(text_of(scope)) < 400:
        scope = scope.getparent()
    if scope is None or scope.tag in ("body", "html"):
        return []
    return [img for img in scope.iter("img")
            if not any(a.tag in _CHROME for a in img.iterancestors())]


def title_before(date_el) -> str | None:
    """The visible title of a page without markup for it: the text block just above its
    date line (`<div class="newsTitle">…</div><div class="newsDate">…</div>`)."""
    el, levels = date_el, 0
    while el is not None and levels < 3:
        prev = el.getprevious()
        while prev is not None:
            if isinstance(prev.tag, str) and prev.tag not in ("script", "style", "br", "img"):
                text = text_of(prev)
                if 15 <= len(text) <= 300:
                    return text
                if len(text) > 300:
                    return None
            prev = prev.getprevious()
        el, levels = el.getparent(), levels + 1
    return None


# The words `_AUTHOR_TEXTS` and `_SOURCE_TEXTS` look for: a page whose source holds none of
# them (nor a character reference or a named accented letter that could spell one) has no
# such text node, and the walk over every text node is skipped.
AUTHOR_WORDS = ("ác giả", "ÁC GIẢ", "uthor", "gười viết", "hóng viên", "ài và ảnh", "ài, ảnh")
SOURCE_WORDS = ("guồn", "GUỒN", "ource")
_SPELLED = ("&#", "acute;", "grave;", "circ;", "tilde;")


def may_hold(has, words: tuple[str, ...]) -> bool:
    """Whether a page (`has`: a container of its source, `needle in has`) may hold one of
    `words` in its text."""
    return any(w in has for w in words) or any(s in has for s in _SPELLED)


_AUTHOR_TEXTS = etree.XPath(
    "descendant::text()[contains(., 'ác giả') or contains(., 'ÁC GIẢ') or contains(., 'uthor')"
    " or contains(., 'gười viết') or contains(., 'hóng viên') or contains(., 'ài và ảnh')"
    " or contains(., 'ài, ảnh')]")
_SOURCE_TEXTS = etree.XPath(
    "descendant::text()[contains(., 'guồn') or contains(., 'GUỒN') or contains(., 'ource')]")


def _labelled_blocks(root, query, skip=None):
    """For each text node `query` finds: the short blocks around it, innermost first."""
    for node in query(root):
        levels = []
        for el in _containers(node, 4):
            if el.tag not in _BYLINE_CANDIDATES or (skip is not None and skip(el)):
                continue
            text = text_of(el)
            if len(text) > 300:
                break
            if el.tag not in ("p", "span", "em", "strong", "b", "i") and any(
                    c.tag in ("p", "div") for c in el):
                break  # a wrapper of several blocks
            levels.append((el, text))
        yield levels


def byline(root, skip=None) -> tuple[list[dict], str | None, str | None, object | None]:
    """(authors, source, line, element) from the first labelled byline block under root:
    of the blocks around the label, the outermost that starts with it."""
    for levels in _labelled_blocks(root, _AUTHOR_TEXTS, skip):
        for el, text in reversed(levels):
            if AUTHOR_LABEL.match(text):
                return parse_author_line(text), labelled_field(text, "source"), text, el
    return [], None, None, None


def source_line(root, skip=None) -> str | None:
    for levels in _labelled_blocks(root, _SOURCE_TEXTS, skip):
        for _, text in reversed(levels):
            found = labelled_field(text, "source")
            if found and text.lower().startswith(("nguồn", "source")):
                return found
    return None


def main_text(html_text: str) -> str | None:
    """Main text by trafilatura (paragraphs one per line), NFC and collapsed per line."""
    import trafilatura

    # fast=True skips trafilatura's fallback extractors (readability, jusText): the same
    # text on every fixture article, at a fraction of the time (bench/bench_platforms.py).
    text = trafilatura.extract(html_text, include_comments=False, include_tables=True,
                               include_images=False, favor_precision=True, fast=True)
    if not text:
        return None
    # (Table rows come as `| cell | cell |`: keep the cells' text.)
    lines = [normalize_text(line.strip().strip("|").replace(" | ", " ")) if line.strip()
             .startswith("|") else normalize_text(line) for line in text.split("\n")]
    # trafilatura marks list items with "- "; the parse JSON keeps one line per item.
    return "\n".join(line[2:] if line.startswith("- ") else line for line in lines if line
                     ) or None
