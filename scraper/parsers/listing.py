"""Category and tag listings of the `news` module: items and the next-page link."""

from __future__ import annotations

import re

from scraper.parsers import nukeviet as nv
from scraper.parsers.dates import parse_datetime
from scraper.parsers.dom import absolute, drop_tree, first, raw_text, text_of, xp
from scraper.parsers.text import normalize_text, to_int

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "ul", "ol", "img", "script", "style"})
_NOT_SUMMARY_CLASSES = frozenset({"text-muted", "viewmore", "text-right", "more", "adminlink"})


def _not_summary(el) -> bool:
    """Title, meta line, thumbnails, admin and read-more links of a listing item."""
    return el.tag in _HEADINGS or bool(_NOT_SUMMARY_CLASSES.intersection(
        (el.get("class") or "").split()))


# .//*[contains(@class, 'text-muted')] (the faster form: see nukeviet.py)
_MUTED = xp("descendant::*/@class[contains(., 'text-muted')]/..")


def _meta_items(panel) -> list:
    """`.//ul[contains(@class, 'list-inline')]/li` in document order, by a C-level walk over
    the item's `li` elements (an XPath call per item costs more on these small subtrees)."""
    found = []
    for li in panel.iter("li"):
        parent = li.getparent()
        if (li is not panel and parent is not None and parent is not panel and parent.tag == "ul"
                and "list-inline" in (parent.get("class") or "")):
            found.append(li)
    return found


def _item(panel, base: str) -> dict | None:
    link = None
    for child in panel:  # the title heading is a direct child in every listing template
        if child.tag in ("h2", "h3", "h4"):
            # = child.find(".//a[@href]"), without ElementPath's Python-level matching.
            link = next((a for a in child.iter("a") if a is not child
                         and a.get("href") is not None), None)
            break
    if link is None:
        link = first(nv.LISTING_LINK, panel)
    url = absolute(link.get("href"), base) if link is not None else None
    if not url:
        return None
    meta_els = _meta_items(panel) or _MUTED(panel)
    if not meta_els:
        # topic.tpl (tag and topic pages): `<p><em class="fa-clock-o"></em><em>H:i d/m/Y</em></p>`
        meta_els = [p for p in panel.iter("p") if len(text_of(p)) < 40
                    and parse_datetime(text_of(p))]
    meta_texts = [text_of(el) for el in meta_els]
    date = next((d for d in map(parse_datetime, meta_texts) if d), None)
    meta = " | ".join(meta_texts)
    views = nv.VIEWS_LABEL.search(meta) if ":" in meta else None
    comments = nv.COMMENTS_LABEL.search(meta) if ":" in meta else None
    summary = _summary(panel, meta_els)
    return {
        "url": url,
        "title": text_of(link) or link.get("title") or None,
        "date": date,
        "views": to_int(views.group(1)) if views else None,
        "comments": to_int(comments.group(1)) if comments else None,
        "summary": summary or None,
    }


def _summary(panel, meta_els: list) -> str:
    """The lead text, which sits directly in the item (a `<p>` or bare hometext HTML): the
    item's own children only, leaving out title, meta line, thumbnails and links."""

    def joined(text) -> str:
        parts = [panel.text or ""]
        for child in panel:
            if isinstance(child.tag, str) and not _not_summary(child) and child not in meta_els:
                parts.append(text(child))
            parts.append(child.tail or "")
        return " ".join(parts)

    # Normalising each child's text and then the whole gives the same as normalising the
    # whole once, unless an entity is left to unescape (the first unescaping can make a
    # second one, and unescaped text goes through NFC): then do it the long way.
    text = joined(raw_text)
    if "&" in text:
        text = joined(text_of)
    return normalize_text(text, is_nfc=True)


def _list_group_items(doc, base: str) -> list[dict]:
    """viewcat_list.tpl: `div.list-group > a.show` with the summary in `data-content`."""
    items = []
    for a in nv.LIST_GROUP_LINKS(doc):
        url = absolute(a.get("href"), base)
        if not url:
            continue
        heading = a.find(".//h4")
        if heading is not None:
            for label in heading.xpath(".//*[contains(@class, 'label')]"):
                drop_tree(label)
        title = normalize_text(a.get("title")) or text_of(heading if heading is not None else a)
        # data-content holds the plain-text hometext (tags stripped by the CMS, but be safe).
        summary = normalize_text(re.sub(r"<[^>]+>", " ", a.get("data-content") or ""))
        items.append({"url": url, "title": title or None, "date": None, "views": None,
                      "comments": None, "summary": summary or None})
    return items


def listing_items(doc, base: str) -> list[dict]:
    """Listing items (url, title, date, views, comments, summary) in page order."""
    for selector in nv.LISTING_ITEMS:
        items = [it for it in (_item(p, base) for p in selector(doc)) if it]
        if items:
            return items
    return _list_group_items(doc, base)


def next_page(doc, base: str) -> str | None:
    """Absolute URL of the next page from `rel="next"`, else None."""
    for selector in nv.NEXT_LINKS:
        for a in selector(doc):
            url = absolute(a.get("href"), base)
            if url:
                return url
    return None
