"""`parse_page`: one saved page (bytes + URL) → the parse JSON of docs/parse.md.

Detection order matters: a soft-404 page still has the theme's chrome, and a document
detail page may sit in a news-like panel, so the most specific signatures are tried first.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from scraper.parsers import nukeviet as nv
from scraper.parsers.article import canonical_url, find_root_and_body, parse_article
from scraper.parsers.documents import (
    could_hold_detail,
    could_hold_listing,
    document_listing_items,
    find_detail_root,
    parse_document,
    sidebar_documents,
)
from scraper.parsers.dom import base_url, parse_html, text_of
from scraper.parsers.listing import listing_items, next_page
from scraper.parsers.text import contains, contains_any, decode_page, needle_groups

PAGE_TYPES = ("article", "category_listing", "tag_listing", "document_detail",
              "document_listing", "soft_404", "other")


def empty_result(url: str, page_type: str = "other") -> dict:
    return {"url": url, "page_type": page_type, "article": None, "document": None,
            "listing": None, "sidebar_documents": []}


def looks_binary(body: bytes) -> bool:
    """NUL bytes in the first KiB: an image, PDF or archive, not a page."""
    head = body[:1024]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _is_soft_404(doc) -> bool:
    for el in nv.ERROR_BOXES(doc):
        if nv.SOFT_404.search(text_of(el)):
            return True
    title = doc.findtext(".//title") or ""
    return bool(nv.SOFT_404.search(title))


def parse_page(body: bytes, url: str, content_type: str | None = None) -> dict:
    """Parse one page. Never raises on bad input: unknown or broken pages give `other`."""
    if not body or looks_binary(body):
        return empty_result(url)
    text, _, verbatim = decode_page(body, content_type)
    doc = parse_html(text, body if verbatim else None)
    if doc is None:
        return empty_result(url)
    base = base_url(doc, url)
    result = empty_result(url)
    # Cheap substring tests on the decoded page skip DOM queries that cannot match: most
    # pages of a portal are articles, and each skipped query is a walk over the whole tree.
    if contains(text, "block-law"):
        result["sidebar_documents"] = sidebar_documents(doc, base)
    # Laws first: its markup is specific, while a laws page may sit in a news-like column.
    # Most pages have no row a document page could have: the walk that tells costs less
    # than the three hint scans.
    law_root = (find_detail_root(doc)
                if could_hold_detail(doc) and contains_any(text, _LAW_DETAIL_GROUPS)
                else None)
    root = article_body = None
    if law_root is None and _has_any(text, nv.ARTICLE_HINTS):
        root, article_body = find_root_and_body(doc)
    if law_root is not None:
        result["page_type"] = "document_detail"
        result["document"] = parse_document(doc, law_root, url, base,
                                            canonical_url(doc, url, base))
        return result
    if root is not None:
        result["page_type"] = "article"
        result["article"] = parse_article(doc, root, url, base, text, article_body)
        return result
    # Likewise for a document listing (one walk and one scan instead of four scans).
    doc_items = (document_listing_items(doc, base)
                 if could_hold_listing(doc, text) and contains_any(text, _LAW_LISTING_GROUPS)
                 else None)
    if doc_items is not None:
        result["page_type"] = "document_listing"
        result["listing"] = {"items": doc_items, "next_page": next_page(doc, base)}
        return result
    items = listing_items(doc, base)
    # A soft 404 has no items; the substring test spares the DOM search on other pages
    # (`&#`: a page that spells Vietnamese with numeric entities would defeat it).
    if not items and _has_any(text, nv.SOFT_404_HINTS):
        body = doc.find("body")
        if _is_soft_404(doc) or (body is not None
                                 and nv.SOFT_404.search(text_of(body)[:5000])):
            result["page_type"] = "soft_404"
            return result
    if _is_home(url):
        return result
    tag = nv.TAG_URL.search(url) is not None
    # An empty listing is still a listing (a page past the end, a category or tag with no
    # article yet): the crawler needs to see that it ended, so rely on the URL shape here.
    if items or tag or _is_category_url(url):
        result["page_type"] = "tag_listing" if tag else "category_listing"
        result["listing"] = {"items": items, "next_page": next_page(doc, base)}
    return result


def _is_category_url(url: str) -> bool:
    parts = urlsplit(url)
    if nv.CATEGORY_PATH.match(parts.path):
        return True
    query = parse_qs(parts.query)
    ops = query.get("op", [])
    return query.get("nv", [""])[0] in nv.NEWS_MODULES and bool(ops) and bool(
        nv.CATEGORY_OP.match(ops[0]))


def _has_any(text: str, needles: tuple[str, ...]) -> bool:
    return any(contains(text, needle) for needle in needles)


_LAW_DETAIL_GROUPS = needle_groups(nv.LAW_DETAIL_HINTS, ("-detail",))
_LAW_LISTING_GROUPS = needle_groups(nv.LAW_LISTING_HINTS, ("í hiệu", "ý hiệu"))


def _is_home(url: str) -> bool:
    """The portal's home page (`/`, `/vi/`, `/index.php?language=vi`): its news blocks are
    not a listing of one category."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return bool(nv.HOME_PATHS.match(parts.path)) and not query.get("nv")
