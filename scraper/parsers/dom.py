"""Small lxml helpers shared by the page parsers: parsing, text with block breaks, URLs."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from scraper.parsers.text import normalize_lines, normalize_text

# Elements whose text is never content.
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "select", "option", "button",
                       "textarea", "iframe", "object", "embed", "svg"})
BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td",
    "th", "thead", "tbody", "blockquote", "figure", "figcaption", "section", "article",
    "header", "footer", "center", "pre", "dl", "dt", "dd", "hr", "address", "form", "caption",
})


def css(selector: str) -> CSSSelector:
    """Compile once at import: CSSSelector translates to XPath, which is the slow part."""
    return CSSSelector(selector)


def xp(expression: str) -> etree.XPath:
    """A compiled XPath, for hot lookups: `contains(@class, …)` is cheaper than the exact
    class-token test CSS selectors compile to. (`regexp=False`: no EXSLT regular-expression
    functions registered at each call, ~3000 instructions of the ~25 000 a call costs.)"""
    return etree.XPath(expression, regexp=False)


# Plain lxml elements, not lxml.html's: its per-element Python class lookup costs a quarter
# of the parse time, and nothing here needs HtmlElement methods (see `drop_tree`).
_PARSER = etree.HTMLParser(remove_pis=True, no_network=True)
# The same for UTF-8 bytes: the encoding is given, so `<meta charset>` cannot override it.
_UTF8_PARSER = etree.HTMLParser(remove_pis=True, no_network=True, encoding="utf-8")


def parse_html(text: str, utf8: bytes | None = None):
    """Parse a decoded page into an lxml tree (root `<html>`); None when there is nothing.

    `utf8`, when given, must be `text` encoded in UTF-8 (`decode_page` says when the body
    is): libxml2 parses it without first converting the string, a tenth of the parse time.
    """
    if not text or not text.strip():
        return None
    try:
        root = (etree.fromstring(text, _PARSER) if utf8 is None
                else etree.fromstring(utf8, _UTF8_PARSER))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and isinstance(root.tag, str) else None


def drop_tree(el) -> None:
    """Remove an element and its content, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def inner_html(el) -> str:
    """Serialized content of an element (text and children), without its own tag."""
    return ((el.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html", with_tail=True)
        for child in el
    )).strip()


def first(selector: CSSSelector, root):
    found = selector(root)
    return found[0] if found else None


def _tag(el) -> str:
    return el.tag if isinstance(el.tag, str) else ""


def text_of(el, skip=None) -> str:
    """All visible text inside an element on one line (br and blocks become spaces).

    `skip(child)` may return True for descendants whose own text must be left out.
    """
    if el is None:
        return ""
    tag = el.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        return ""
    # decode_html normalised the whole page to NFC before parsing.
    if not len(el):  # a leaf: most links, headings and spans
        return normalize_text(el.text, is_nfc=True)
    parts: list[str] = [el.text or ""]
    for child in el:
        _collect(child, parts, " ", skip)
    return normalize_text("".join(parts), is_nfc=True)


def raw_text(el) -> str:
    """The string `text_of` normalises (`text_of(el) == normalize_text(raw_text(el),
    is_nfc=True)`), for callers that join several texts and normalise them once."""
    if el is None:
        return ""
    tag = el.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        return ""
    if not len(el):
        return el.text or ""
    parts: list[str] = [el.text or ""]
    for child in el:
        _collect(child, parts, " ")
    return "".join(parts)


def lines_of(el) -> str:
    """Visible text inside an element, one line per block and per `<br>`, lines normalised."""
    tag = _tag(el) if el is not None else ""
    if not tag or tag in SKIP_TAGS:
        return ""
    parts: list[str] = [el.text or ""]
    for child in el:
        _collect(child, parts, "\n")
    return normalize_lines("".join(parts), is_nfc=True)


def _collect(el, parts: list[str], brk: str, skip=None) -> None:
    tag = el.tag
    if tag == "br":
        parts.append(brk)
    elif isinstance(tag, str) and tag not in SKIP_TAGS and not (skip and skip(el)):
        # (Comments, processing instructions and skipped tags contribute only their tail.)
        block = tag in BLOCK_TAGS
        if block:
            parts.append(brk)
        # (Each `.text`/`.tail` read decodes a new string, and most elements are leaves.)
        text = el.text
        if text:
            parts.append(text)
        if len(el):
            for child in el:
                _collect(child, parts, brk, skip)
        if block:
            parts.append(brk)
    tail = el.tail
    if tail:
        parts.append(tail)


def absolute(href: str | None, base: str) -> str | None:
    """Absolute URL for an href/src; None for empty, `#`, `javascript:` and `data:` links."""
    # No entity decoding here: lxml already decoded the attribute, and a second pass would
    # turn `?a=1&not=2` into `?a=1¬=2`.
    if not href:
        return None
    href = href.strip()
    if href.startswith("/") and not href.startswith("//"):
        # Root-relative, the usual NukeViet link: no need for urljoin's general algorithm.
        return origin(base) + href
    if href.startswith(("http://", "https://")):
        return href
    return _absolute(href, base)


# Relative links repeat within a page (menus, pagination): urljoin is the cost. The two
# usual forms above skip the cache: its key holds the page URL, so it only helps within one
# page, and hashing and storing the key would cost more than they do.
@lru_cache(maxsize=65536)
def _absolute(href: str, base: str) -> str | None:
    if not href or href.startswith("#"):
        return None
    scheme = urlsplit(href).scheme.lower()
    if scheme in ("javascript", "data", "mailto", "tel"):
        return None
    try:
        return urljoin(base, href)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def origin(base: str) -> str:
    """`scheme://host[:port]` of a URL ("" without a scheme): what root-relative links join."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""


_BASE_HREF = xp("/html/head/base/@href")


def base_url(doc, url: str) -> str:
    """The document's `<base href>` resolved against its URL, else the URL."""
    for href in _BASE_HREF(doc):
        resolved = absolute(href, url)
        if resolved:
            return resolved
    return url


def has_class(el, name: str) -> bool:
    return name in (el.get("class") or "").split()
