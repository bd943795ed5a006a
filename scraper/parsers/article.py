"""Article detail pages of the NukeViet `news` module → the `article` record."""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from itertools import chain
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from scraper.parsers import nukeviet as nv
from scraper.parsers.authors import (
    AUTHOR_LABEL,
    SOURCE_LABEL,
    labelled_field,
    parse_author_line,
    parse_source_line,
)
from scraper.parsers.captions import has_credit, is_residue, same_caption, split_caption_credit
from scraper.parsers.dates import parse_date, parse_date_line
from scraper.parsers.dom import (
    absolute,
    drop_tree,
    first,
    inner_html,
    lines_of,
    raw_text,
    text_of,
)
from scraper.parsers.text import (
    contains,
    contains_any,
    has_numeric_ref,
    needle_groups,
    normalize_text,
    to_int,
)

_CAPTION_CLASS = re.compile(r"caption|image|img|note|desc|chuthich|chu-thich", re.I)
_CENTER = re.compile(r"text-align\s*:\s*center", re.I)
_BLOCKS = frozenset({"p", "div", "center", "h4", "h5", "h6", "blockquote", "li", "td", "th",
                     "figure", "section", "span"})


def find_root(doc):
    """The element holding the article (title, date line, body), or None."""
    return find_root_and_body(doc)[0]


def find_root_and_body(doc) -> tuple:
    """(root, body) of the article, or (None, None).

    `body` is also what `_first_in(nv.BODY, root)` gives: the first match in the whole page
    lies inside root (root is its ancestor) and no match inside root comes before it, so
    `parse_article` can take it instead of searching again.
    """
    body = _first_in(nv.BODY, doc)
    if body is None:
        return None, None
    # The nearest wrapper the themes put around title, date line and body.
    for anc in body.iterancestors():
        if anc.get("itemtype", "").endswith("NewsArticle") or anc.get("id") == "news_detail":
            return anc, body
        if "news_column" in (anc.get("class") or ""):
            return anc, body
    return None, None


def _first_in(selectors, root):
    for selector in selectors:
        el = first(selector, root)
        if el is not None:
            return el
    return None


class _PageWords:
    """Substring tests on the decoded page that tell which tree queries cannot match.

    For a word of ASCII letters, digits and hyphens: no named entity spells those characters,
    so only a numeric reference (`&#`) could hide it from a test on the decoded page. That
    second test scans the whole page too, so it runs at most once per page. Each query skipped
    is a walk over a large part of the tree.
    """

    __slots__ = ("text", "_refs")

    def __init__(self, text: str | None) -> None:
        self.text = text
        self._refs: bool | None = None

    def may_contain(self, word: str) -> bool:
        if self.text is None or contains(self.text, word):
            return True
        if self._refs is None:
            self._refs = has_numeric_ref(self.text)
        return self._refs


def _has_img(el) -> bool:
    """`el.find(".//img") is not None` by a C-level walk, without ElementPath's Python code."""
    return any(img is not el for img in el.iter("img"))


def _inside(el, ancestor) -> bool:
    return ancestor is not None and any(a is ancestor for a in el.iterancestors())


def article_id(url: str) -> int | None:
    """Numeric id after the last hyphen before `.html` (`…/alias-123.html` → 123)."""
    parts = urlsplit(url)
    m = nv.ARTICLE_ID.search(parts.path)
    if m:
        return int(m.group(1))
    query = parse_qs(parts.query)
    for op in query.get("op", []):  # index.php?nv=news&op=<cat>/<alias>-<ID>
        m = nv.QUERY_ARTICLE_ID.search(op)
        if m:
            return int(m.group(1))
    ids = query.get("id")
    return int(ids[0]) if ids and ids[0].isdigit() else None


def _head_values(root, tag: str, key: str, value: str, attr: str):
    """`/html/head/<tag>[@key='value']/@attr` without XPath (an evaluation costs ~25 000
    instructions before it reads a node; these walk a handful of elements)."""
    if root.tag != "html":
        return
    for head in root.iterchildren("head"):
        yield from _attr_values(head.iterchildren(tag), key, value, attr)


def _attr_values(elements, key: str, value: str, attr: str):
    """`attr` of each of `elements` whose `key` is `value` (and that has `attr`)."""
    for el in elements:
        if el.get(key) == value:
            found = el.get(attr)
            if found is not None:
                yield found


def _canonical_hrefs(doc):
    """What `/html/head/link[@rel='canonical']/@href`, then `/html/head/meta[@property=
    'og:url']/@content`, then `//link[@rel='canonical']/@href` select, in that order."""
    root = doc.getroottree().getroot()
    yield from _head_values(root, "link", "rel", "canonical", "href")
    yield from _head_values(root, "meta", "property", "og:url", "content")
    yield from _attr_values(root.iter("link"), "rel", "canonical", "href")


_OG_TITLE = etree.XPath("//meta[@property='og:title']/@content")


def canonical_url(doc, url: str, base: str) -> str:
    for href in _canonical_hrefs(doc):
        resolved = absolute(href, base)
        if resolved:
            return resolved
    return url


def _date_line(root, words: _PageWords | None = None
               ) -> tuple[object | None, dict | None, str | None]:
    selectors = nv.DATE_SPANS
    if words is not None and not words.may_contain("newsdetailmetatop"):
        selectors = selectors[1:]  # the first one looks only inside that class
    for selector in selectors:
        for el in selector(root):
            text = text_of(el)
            parsed = parse_date_line(text)
            if parsed:
                return el, parsed, text
    for el in root.iter("span", "div", "p", "em", "time", "small"):
        text = text_of(el)
        if len(text) < 80:
            parsed = parse_date_line(text)
            if parsed:
                return el, parsed, text
    return None, None, None


def _raw_date(text: str) -> str:
    """The date line as shown, without counters that some themes print in the same element."""
    m = re.search(r"\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?",
                  text)
    return text[: m.end()].strip() if m else text


_NUMBER_ONLY = re.compile(r"[\d.,]+")


def _counters(date_el, root) -> tuple[int | None, int | None]:
    views = comments = None
    container = date_el.getparent() if date_el is not None else None
    if container is not None:
        numeric = []
        # The date element and what it holds, by identity (lxml keeps one proxy per node
        # while it is referenced): cheaper than an ancestor walk for every element.
        in_date = set(date_el.iter())
        for el in container.iter("span", "em", "li", "strong"):
            if el in in_date:
                continue
            icon = " ".join(i.get("class") or "" for i in el.iter("i", "em"))
            text = text_of(el)
            value = to_int(text)
            if value is None:
                continue
            if "fa-eye" in icon:
                views = value
            elif "fa-comment" in icon:
                comments = value
            elif _NUMBER_ONLY.fullmatch(text):
                numeric.append(value)
        if views is None and numeric:
            views = numeric.pop(0)
        if comments is None and numeric:
            comments = numeric.pop(0)
    if views is None:
        m = nv.VIEWS_LABEL.search(text_of(first(nv.META_TOP, root)))
        views = to_int(m.group(1)) if m else None
    return views, comments


def _text_after(img, container) -> str:
    """Text that follows an image inside its block, stopping at the next image."""
    parts: list[str] = []
    node = img
    while node is not None and node is not container:
        if node.tail:
            parts.append(node.tail)
        sib = node.getnext()
        while sib is not None:
            if isinstance(sib.tag, str):
                if sib.tag == "img" or _has_img(sib):
                    return normalize_text(" ".join(parts))
                parts.append(text_of(sib))
            if sib.tail:
                parts.append(sib.tail)
            sib = sib.getnext()
        node = node.getparent()
    return normalize_text(" ".join(parts))


def _styled_as_caption(el) -> bool:
    if el is None:
        return False
    if _CAPTION_CLASS.search(el.get("class") or "") or _CENTER.search(el.get("style") or ""):
        return True
    children = [c for c in el if isinstance(c.tag, str) and c.tag != "br"]
    text = normalize_text(el.text)
    return bool(children) and not text and all(c.tag in ("em", "i") for c in children)


def _accept(candidate: str, alt: str, styled: bool) -> bool:
    if not candidate or is_residue(candidate) or len(candidate) > 400:
        return False
    return has_credit(candidate) or same_caption(candidate, alt) or styled


def _caption_text(img, scope) -> str | None:
    """The editor-typed caption of an image: figcaption, same cell or next row, same block
    after a line break, or the next paragraph."""
    alt = normalize_text(img.get("alt"))
    for anc in img.iterancestors():
        if anc is scope:
            break
        if anc.tag == "figure":
            cap = anc.find(".//figcaption")
            cap_text = text_of(cap) if cap is not None else ""
            if cap_text:
                return cap_text
            after = _text_after(img, anc)
            return after if after and not is_residue(after) else None
        if anc.tag in ("td", "th"):
            after = _text_after(img, anc)
            if after:
                return after if not is_residue(after) else None
            row = anc.getparent()
            nxt = row.getnext() if row is not None else None
            while nxt is not None and not text_of(nxt) and not _has_img(nxt):
                nxt = nxt.getnext()
            if nxt is not None and not _has_img(nxt):
                cells = [c for c in nxt if c.tag in ("td", "th")]
                index = list(row).index(anc) if anc in list(row) else 0
                cell = cells[index] if index < len(cells) else nxt
                text = text_of(cell)
                return text if text and not is_residue(text) else None
            return None
    container = img.getparent()
    while container is not None and container is not scope and container.tag not in _BLOCKS:
        container = container.getparent()
    if container is None:
        return None
    after = _text_after(img, container)
    if after:
        # Same block: a caption typed on the line after the image (`<img><br>caption`).
        holder = img.getparent() if img.getparent().tag == "a" else img
        nxt = holder.getnext()
        on_next_line = nxt is not None and nxt.tag == "br" and not normalize_text(holder.tail)
        styled = on_next_line or _styled_as_caption(container)
        return after if _accept(after, alt, styled) else None
    if container is scope:
        return None
    sib = container.getnext()
    # Wrappers around the image alone (SharePoint's RichImageField: two `div`s): the caption
    # follows the outermost one that holds nothing else.
    levels = 0
    while sib is None and levels < 3:
        parent = container.getparent()
        if parent is None or parent is scope or parent.tag in ("body", "html") or text_of(parent):
            break
        container, sib, levels = parent, parent.getnext(), levels + 1
    skipped = 0
    text = text_of(sib)
    while sib is not None and skipped < 2 and not text and not _has_img(sib):
        sib, skipped = sib.getnext(), skipped + 1
        text = text_of(sib)
    if sib is None or not isinstance(sib.tag, str) or _has_img(sib):
        return None
    return text if _accept(text, alt, _styled_as_caption(sib)) else None


def _image(img, scope, base: str) -> dict | None:
    src = absolute(img.get("src") or img.get("data-src"), base)
    if not src:
        return None
    caption, credit = split_caption_credit(_caption_text(img, scope))
    return {"src": src, "alt": normalize_text(img.get("alt")) or None,
            "caption": caption, "credit": credit}


def _images(root, body, base: str) -> list[dict]:
    images: list[dict] = []
    seen: set[str] = set()
    lead = [(img, body if _inside(img, body) else root) for fig in nv.LEAD_FIGURES(root)
            if not _inside(fig, body) for img in fig.iter("img")]
    # (An image found under the body is inside it, unless it is the body itself.)
    found_in_body = [(img, body if img is not body else root) for img in body.iter("img")]
    for img, scope in lead + found_in_body:
        found = _image(img, scope, base)
        if found and found["src"] not in seen:
            seen.add(found["src"])
            images.append(found)
    return images


@lru_cache(maxsize=8)
def _label_queries(words: tuple[str, ...]) -> tuple[etree.XPath, ...]:
    starts = " or ".join(f"starts-with(normalize-space(.), '{w}')" for w in words)
    # (`descendant::x` for `.//x`: see nukeviet.py.)
    return (etree.XPath(f"descendant::strong[{starts}]/parent::p"
                        f" | descendant::b[{starts}]/parent::p"),
            etree.XPath(f"descendant::p[{starts}]"),
            etree.XPath(f"descendant::div[{starts}] | descendant::span[{starts}]"
                        f" | descendant::li[{starts}]"))


def _labelled_line(scope, body, label: re.Pattern[str], words: tuple[str, ...]) -> str | None:
    # The templates print `<p><strong>Tác giả: </strong>…</p>`: look at labelled `strong`s
    # first (few, cheap), then any paragraph or block starting with the label.
    for query in _label_queries(words):
        for el in query(scope):
            if body is not None and (el is body or _inside(el, body)):
                continue
            text = text_of(el)
            if len(text) < 400 and label.match(text):
                # Skip wrappers that hold several labelled lines (author + source).
                if el.tag != "p" and el.find(".//p") is not None:
                    continue
                return text
    return None


def _tags(scope, words: _PageWords | None = None) -> list[str]:
    links = []
    icons = nv.TAG_ICONS(scope) if words is None or words.may_contain("fa-tags") else ()
    for icon in icons:
        links = list(icon.getparent().iterdescendants("a"))  # = findall(".//a"), in C
        if links:
            break
    if not links:
        links = nv.TAG_LINKS(scope) or nv.TAG_HREFS(scope)
    tags: list[str] = []
    for a in links:
        tag = text_of(a)
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _rating(scope) -> dict | None:
    # Lazily: the rating form is looked for (a walk over the scope) only when the
    # `#stringrating` element does not hold the sentence.
    texts = chain((text_of(el) for el in nv.STRINGRATING(scope)),
                  (text_of(el) for el in scope.iter("form") if el.get("id") == "form3B"))
    for text in texts:
        m = nv.RATING_SENTENCE.search(text)
        if m:
            return {"score": to_int(m.group(1)), "votes": to_int(m.group(2))}
    return None


def _attachments(scope, base: str) -> list[dict]:
    files: list[dict] = []
    for a in nv.ATTACHMENTS(scope):
        url = absolute(a.get("href"), base)
        if not url or any(f["url"] == url for f in files):
            continue
        strong = a.find(".//strong")
        name = text_of(strong) if strong is not None else text_of(a) or a.get("title")
        files.append({"url": url, "name": normalize_text(name) or None})
    return files


_DATE_SUFFIX = re.compile(r"\s*\([\d/:\s]+\)$")


def _related(scope, base: str) -> list[dict]:
    related: list[dict] = []
    seen: set[str] = set()
    for li in nv.RELATED_LISTS(scope):
        url = a = None
        for candidate in li.iter("a"):
            url = absolute(candidate.get("href"), base)
            if url:
                a = candidate
                break
        if a is None or url in seen:
            continue
        seen.add(url)
        title = text_of(a) or normalize_text(a.get("title"))
        dated = []
        for e in li.iter("em", "span"):
            raw = raw_text(e)
            # Normalising cannot add a "(" unless it unescapes one: skip the icons.
            if "(" in raw or "&" in raw:
                text = normalize_text(raw, is_nfc=True)  # = text_of(e)
                if "(" in text:
                    dated.append(text)
        date = parse_date(" ".join(dated) or text_of(li))
        if title and date and title.endswith(")"):
            # viewcat lists put `<em>(d/m/Y)</em>` inside the link: keep it out of the title.
            title = _DATE_SUFFIX.sub("", title)
        related.append({"url": url, "title": title or None, "date": date})
    return related


def breadcrumbs(doc, base: str) -> list[dict]:
    links = nv.TEMP_CRUMBS(doc) or nv.CRUMBS(doc)
    crumbs = []
    for a in links:
        title = text_of(a) or normalize_text(a.get("title"))
        if title:
            crumbs.append({"title": title, "url": absolute(a.get("href"), base)})
    return crumbs


def _summary_junk(el) -> bool:
    """The lead figure and images of a hometext block (`.//figure | .//*[@id='imghome'] |
    .//img`)."""
    return el.tag in ("figure", "img") or el.get("id") == "imghome"


def _summary(root, body) -> str | None:
    el = _first_in(nv.HOMETEXT, root)
    if el is None or (body is not None and _inside(el, body)):
        return None
    # Skipping them gives the text of a copy with them dropped (their tails kept), without
    # copying.
    return text_of(el, skip=_summary_junk) or None


def _is_boilerplate(el) -> bool:
    if el.tag in nv.BOILERPLATE_TAGS or el.get("id") in nv.BOILERPLATE_IDS:
        return True
    classes = el.get("class")
    return bool(classes) and not nv.BOILERPLATE_CLASSES.isdisjoint(classes.split())


def _clean_body(body):
    if not any(_is_boilerplate(el) for el in body.iter(etree.Element)):
        return body  # the usual case: nothing to cut, no copy needed
    body = copy.deepcopy(body)
    for el in [el for el in body.iter(etree.Element) if _is_boilerplate(el)]:
        if el.getparent() is not None:
            drop_tree(el)
    return body


# Most pages show neither a source line nor tags: two or three scans of the page instead of
# one per hint (see `needle_groups`).
_SOURCE_GROUPS = needle_groups(nv.SOURCE_HINTS, ("guồn tin",))
_TAG_GROUPS = needle_groups(nv.TAG_HINTS, ("tag", "keywords"))


def parse_article(doc, root, url: str, base: str, text: str | None = None,
                  body=None) -> dict:
    """Build the article record from the root found by `find_root`.

    `text` (the decoded page) lets absent author/source labels skip their tree searches.
    """
    if body is None:
        body = _first_in(nv.BODY, root)
    scope = root.getparent() if root.getparent() is not None else root
    title_el = _first_in(nv.TITLE, root)
    title = text_of(title_el) if title_el is not None else None
    if not title:
        og = _OG_TITLE(doc)
        title = normalize_text(og[0]) if og else None
    hints = _PageWords(text)
    date_el, parsed, date_text = _date_line(root, hints)
    views, comments = _counters(date_el, root)
    crumbs = breadcrumbs(doc, base)
    categories = [c for c in crumbs[1:] if c["url"] != url]
    author_line = source_line = None
    if text is None or any(contains(text, word) for word in nv.AUTHOR_WORDS):
        author_line = _labelled_line(root, body, AUTHOR_LABEL, nv.AUTHOR_WORDS)
    if text is None or contains_any(text, _SOURCE_GROUPS):
        source_line = _labelled_line(root, body, SOURCE_LABEL, nv.SOURCE_WORDS)
    clean = _clean_body(body)
    canonical = canonical_url(doc, url, base)  # (its last fallback walks the whole tree)
    return {
        "article_id": article_id(url) or article_id(canonical),
        "url": canonical,
        "title": title or None,
        "published_at": parsed["published_at"] if parsed else None,
        "published_raw": _raw_date(date_text) if date_text else None,
        "views": views,
        "comments": comments,
        "summary": _summary(root, body),
        "body_text": lines_of(clean) or None,
        "body_html": inner_html(clean) or None,
        "authors": parse_author_line(author_line) if author_line else [],
        "source": (parse_source_line(source_line) if source_line
                   # `Tác giả: … <br> Nguồn tin: …` in one block (issue 14 item 6)
                   else labelled_field(author_line, "source") if author_line else None),
        "images": _images(root, body, base),
        "tags": _tags(scope, hints) if text is None or contains_any(text, _TAG_GROUPS) else [],
        "category": categories[-1]["title"] if categories else None,
        "breadcrumbs": crumbs,
        "rating": _rating(scope),
        "attachments": (_attachments(scope, base) if hints.may_contain("news-download-file")
                        else []),
        "related": _related(scope, base),
    }
