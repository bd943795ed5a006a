"""Category and tag listings of the `news` module: items and the next-page link."""

from __future__ import annotations

import copy

from scraper.parsers import nukeviet as nv
from scraper.parsers.dates import parse_datetime
from scraper.parsers.dom import absolute, first, text_of
from scraper.parsers.text import to_int

_NOT_SUMMARY = (
    ".//h1 | .//h2 | .//h3 | .//h4 | .//ul | .//img | .//*[contains(@class, 'text-muted')] | "
    ".//*[contains(@class, 'viewmore')] | .//p[contains(@class, 'text-right')] | "
    ".//a[contains(@class, 'more')] | .//script"
)


def _item(panel, base: str) -> dict | None:
    link = first(nv.LISTING_LINK, panel)
    url = absolute(link.get("href"), base) if link is not None else None
    if not url:
        return None
    meta_texts = [text_of(li) for li in panel.xpath(".//ul[contains(@class, 'list-inline')]/li")]
    if not meta_texts:
        meta_texts = [text_of(el) for el in panel.xpath(".//*[contains(@class, 'text-muted')]")]
    date = next((d for d in map(parse_datetime, meta_texts) if d), None)
    meta = " | ".join(meta_texts)
    views = nv.VIEWS_LABEL.search(meta)
    comments = nv.COMMENTS_LABEL.search(meta)
    rest = copy.deepcopy(panel)
    for el in rest.xpath(_NOT_SUMMARY):
        el.drop_tree()
    return {
        "url": url,
        "title": text_of(link) or link.get("title") or None,
        "date": date,
        "views": to_int(views.group(1)) if views else None,
        "comments": to_int(comments.group(1)) if comments else None,
        "summary": text_of(rest) or None,
    }


def listing_items(doc, base: str) -> list[dict]:
    """Listing items (url, title, date, views, comments, summary) in page order."""
    for selector in nv.LISTING_ITEMS:
        items = [it for it in (_item(p, base) for p in selector(doc)) if it]
        if items:
            return items
    return []


def next_page(doc, base: str) -> str | None:
    """Absolute URL of the next page from `rel="next"`, else None."""
    for selector in nv.NEXT_LINKS:
        for a in selector(doc):
            url = absolute(a.get("href"), base)
            if url:
                return url
    return None
