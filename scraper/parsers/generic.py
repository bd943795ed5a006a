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
from functools import cache, cached_property, lru_cache

from lxml import etree

from scraper.parsers.authors import AUTHOR_LABEL, labelled_field, parse_author_line
from scraper.parsers.dom import BLOCK_TAGS, SKIP_TAGS, text_of
from scraper.parsers.text import normalize_text
from scraper.parsers.vndates import parse_machine, parse_visible

_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle",
                  "analysisnewsarticle", "webpage", "report", "govermentpermit"}
_STRONG_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle",
                 "analysisnewsarticle", "report"}
# (`regexp=False`: no EXSLT regular-expression functions registered for each call; none of
# these uses them.)
_LD = etree.XPath("//script[@type='application/ld+json']/text()", regexp=False)
_ITEMPROP = etree.XPath("//*[@itemprop]", regexp=False)
_TIMES = etree.XPath("//time[@datetime]", regexp=False)
# OpenGraph fields read from one meta key each, and every field `PageMeta.opengraph` has.
_OG_KEYS = {"type": "og:type", "title": "og:title", "url": "og:url",
            "description": "og:description", "published": "article:published_time",
            "modified": "article:modified_time", "section": "article:section"}
_OG_FIELDS = ("type", "title", "url", "description", "published", "modified", "authors",
              "section", "tags")
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

    def og(self, what: str):
        """One field of `opengraph`, computed alone (`first` asks for one field of a
        source; building them all cost more than reading the one)."""
        key = _OG_KEYS.get(what)
        if key is not None:
            value = self.meta(key)
            return parse_machine(value) if what in ("published", "modified") else value
        if what == "authors":
            author = self.meta("article:author")
            return [author] if author and "://" not in author else []
        if what == "tags":
            return [normalize_text(t) for t in self._meta.get("article:tag", []) if t]
        return None

    @cached_property
    def opengraph(self) -> dict:
        return {what: self.og(what) for what in _OG_FIELDS}

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
            # (`meta` and `opengraph` answer the one field asked, not all of theirs.)
            if source == "meta":
                if what == "authors":
                    author = self.meta("author")
                    value = [author] if author else []
                else:
                    value = self.meta("description") if what == "description" else None
            elif source == "opengraph":
                value = self.og(what)
            else:
                value = getattr(self, source).get(what)
            if value:
                return value, source
        return None, None


class _Long(Exception):
    """Raised inside `short_text`'s walk once the text is proven long."""


class _ShortText:
    """The walk of `short_text`: `dom.text_of`'s pieces, with a lower bound on the length of
    their normalised text kept as they come.

    The bound counts the ASCII characters that are not white space, up to the first `&`:
    `normalize_text` collapses white space and drops invisible characters (not ASCII), and
    the text is NFC already unless an `&` sends it through `html.unescape`, which changes
    nothing before the `&`, and NFC, which folds a letter and its combining marks into one
    character (each ASCII letter still gives one). The bound is computed in chunks, only
    once enough raw text has come for it to reach the limit."""

    __slots__ = ("parts", "limit", "raw", "proven", "counted", "next_check")

    def __init__(self, first: str, limit: int) -> None:
        self.parts = [first]
        self.limit = limit
        self.raw = len(first)
        self.proven = 0
        self.counted = 0
        self.next_check = limit

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.raw += len(text)
        if self.raw >= self.next_check:
            self._check()

    def _check(self) -> None:
        if self.counted < 0:
            return  # an `&` came: nothing after it counts
        chunk = "".join(self.parts[self.counted:])
        self.counted = len(self.parts)
        amp = chunk.find("&")
        if amp != -1:
            chunk, self.counted = chunk[:amp], -1
        self.proven += len(b"".join(chunk.encode("ascii", "ignore")
                                    .translate(None, _ASCII_SEPARATORS).split()))
        if self.proven >= self.limit:
            raise _Long
        # (The bound grows by at most what the raw text grows.)
        self.next_check = self.raw + self.limit - self.proven

    def walk(self, el) -> None:
        """`dom._collect(el, parts, " ")`, each text piece through `add`."""
        tag = el.tag
        if tag == "br":
            self.parts.append(" ")
        elif isinstance(tag, str) and tag not in SKIP_TAGS:
            block = tag in BLOCK_TAGS
            if block:
                self.parts.append(" ")
            text = el.text
            if text:
                self.add(text)
            if len(el):
                for child in el:
                    self.walk(child)
            if block:
                self.parts.append(" ")
        tail = el.tail
        if tail:
            self.add(tail)


# White space to `str.split` that `bytes.split` keeps (the other ASCII ones it splits on).
_ASCII_SEPARATORS = b"\x1c\x1d\x1e\x1f"


def short_text(el, limit: int) -> str | None:
    """`text_of(el)` when it is shorter than `limit` characters, else None, without
    collecting more of a long element's text than proves it long: the date-line, byline and
    image searches climb from a text node through its blocks, and an outer one holds the
    whole article."""
    if el is None:
        return ""
    tag = el.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        return ""
    if not len(el):
        text = normalize_text(el.text, is_nfc=True)
    else:
        walk = _ShortText(el.text or "", limit)
        try:
            for child in el:
                walk.walk(child)
        except _Long:
            return None
        text = normalize_text("".join(walk.parts), is_nfc=True)
    return text if len(text) < limit else None


_CLOCK = re.compile(r"\d{1,2}\s*[:hg]\s*\d{2}")


# Every text node under a root, as strings that know their element (`getparent`,
# `is_tail`). The date-line and byline searches filter them in Python: the same nodes, in
# the same order, as XPath predicates on the string value would give (`translate`,
# `normalize-space`, `contains`), for a third of the time: libxml2 copies a node's string
# for every string function it applies, and those predicates were most of the generic
# path's own time on a page without markup (bench/bench_generic_instructions.py).
_TEXTS = etree.XPath("descendant::text()", regexp=False)
_ASCII_DIGIT = re.compile("[0-9]")
_XML_SPACES = re.compile("[ \t\r\n]+")


def all_texts(root) -> list:
    """Every text node under root, for the `texts` argument of `visible_date`, `byline`
    and `source_line` when several of them search the same root."""
    return _TEXTS(root)


def _digit_texts(root, texts=None) -> list:
    """Text nodes that hold a digit (a date line does), short enough to be part of one:
    `descendant::text()[string-length(translate(., '0123456789', '')) <
    string-length(.) and string-length(normalize-space(.)) < 100]`. The elements around
    them are the only candidates (computing every element's text, nested blocks included,
    was most of a profile-driven parse)."""
    search = _ASCII_DIGIT.search
    return [t for t in (_TEXTS(root) if texts is None else texts) if search(t) is not None
            and _normalized_under_100(t)]


def _normalized_under_100(t: str) -> bool:
    """`string-length(normalize-space(t)) < 100`. normalize-space never lengthens a string
    and keeps every character that is not XML white space: most paragraphs are settled by
    their length and four counts, without building the collapsed string."""
    if len(t) < 100:
        return True
    if len(t) - t.count(" ") - t.count("\n") - t.count("\t") - t.count("\r") >= 100:
        return False
    return len(_XML_SPACES.sub(" ", t).strip(" ")) < 100


def _containers(node, levels: int = 3):
    """The element holding a text node, then its ancestors (at most `levels` in all)."""
    el = node.getparent()
    if el is not None and node.is_tail:
        el = el.getparent()
    while el is not None and levels:
        yield el
        el, levels = el.getparent(), levels - 1


def visible_date(root, skip=None, texts=None) -> tuple[str, str, object] | None:
    """(ISO, raw, element) of the date line: the first short element whose text is a date
    with a time, else the first with a date only (a title such as `tuần từ 15 đến
    21/4/2024` holds a date too, but no time). Of an element and its ancestors, the
    outermost one that is still a short date line counts (`Ngày: <b>18/04/2024</b> 14:05`)."""
    date_only = None
    seen: set = set()
    for node in _digit_texts(root, texts):
        best = None
        for el in _containers(node):
            if el.tag not in DATE_TAGS or (skip is not None and skip(el)):
                continue
            text = short_text(el, 80)
            if text is None:
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


DATE_TAGS = frozenset({"time", "span", "div", "p", "em", "small", "li", "td", "strong", "i",
                        "b", "dd", "font"})


_CHROME = frozenset({"nav", "header", "footer", "aside", "script", "style"})


def content_images(date_el) -> list:
    """Images of a page without markup for its body: those in the smallest block around
    the date line that holds the text (not the banner, menus or sidebars)."""
    scope = date_el
    while scope is not None and short_text(scope, 400) is not None:
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
                text = short_text(prev, 301)
                if text is None:
                    return None  # (over 300 characters)
                if len(text) >= 15:
                    return text
            prev = prev.getprevious()
        el, levels = el.getparent(), levels + 1
    return None


# The words `byline` and `source_line` look for: a page whose source holds none of
# them (nor a character reference or a named accented letter that could spell one) has no
# such text node, and the walk over every text node is skipped.
AUTHOR_WORDS = ("ác giả", "ÁC GIẢ", "uthor", "gười viết", "hóng viên", "ài và ảnh", "ài, ảnh")
SOURCE_WORDS = ("guồn", "GUỒN", "ource")
_SPELLED = ("&#", "acute;", "grave;", "circ;", "tilde;")


def may_hold(has, words: tuple[str, ...]) -> bool:
    """Whether a page (`has`: a container of its source, `needle in has`) may hold one of
    `words` in its text."""
    return any(w in has for w in words) or any(s in has for s in _SPELLED)


def _texts_with(root, words: tuple[str, ...], texts=None) -> list:
    """Text nodes under root that contain one of `words` (one regex search a node)."""
    search = _any_of(words).search
    return [t for t in (_TEXTS(root) if texts is None else texts) if search(t) is not None]


@lru_cache(maxsize=16)
def _any_of(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in words))


def _labelled_blocks(root, words: tuple[str, ...], skip=None, texts=None):
    """For each text node holding one of `words`: the short blocks around it, innermost
    first."""
    for node in _texts_with(root, words, texts):
        levels = []
        for el in _containers(node, 4):
            if el.tag not in _BYLINE_CANDIDATES or (skip is not None and skip(el)):
                continue
            text = short_text(el, 301)
            if text is None:
                break  # (over 300 characters)
            if el.tag not in ("p", "span", "em", "strong", "b", "i") and any(
                    c.tag in ("p", "div") for c in el):
                break  # a wrapper of several blocks
            levels.append((el, text))
        yield levels


def byline(root, skip=None, texts=None
           ) -> tuple[list[dict], str | None, str | None, object | None]:
    """(authors, source, line, element) from the first labelled byline block under root:
    of the blocks around the label, the outermost that starts with it."""
    for levels in _labelled_blocks(root, AUTHOR_WORDS, skip, texts):
        for el, text in reversed(levels):
            if AUTHOR_LABEL.match(text):
                return parse_author_line(text), labelled_field(text, "source"), text, el
    return [], None, None, None


def source_line(root, skip=None, texts=None) -> str | None:
    for levels in _labelled_blocks(root, SOURCE_WORDS, skip, texts):
        for _, text in reversed(levels):
            found = labelled_field(text, "source")
            if found and text.lower().startswith(("nguồn", "source")):
                return found
    return None


@cache
def _extractor():
    """trafilatura's options, built once: `Extractor()` reads its config file's values
    on every call (about 3% of a `main_text` call)."""
    from trafilatura.settings import Extractor

    # fast=True skips trafilatura's fallback extractors (readability, jusText): the same
    # text on every fixture article, at a fraction of the time (bench/bench_platforms.py).
    # No comments, tables kept, no images, precision.
    return Extractor(output_format="txt", fast=True, precision=True, comments=False,
                     tables=True, images=False)


def main_text(html_text: str) -> str | None:
    """Main text by trafilatura (paragraphs one per line), NFC and collapsed per line."""
    import trafilatura

    text = trafilatura.extract(html_text, options=_extractor())
    if not text:
        return None
    # (Table rows come as `| cell | cell |`: keep the cells' text.)
    lines = [normalize_text(line.strip().strip("|").replace(" | ", " ")) if line.strip()
             .startswith("|") else normalize_text(line) for line in text.split("\n")]
    # trafilatura marks list items with "- "; the parse JSON keeps one line per item.
    return "\n".join(line[2:] if line.startswith("- ") else line for line in lines if line
                     ) or None
