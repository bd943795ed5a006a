"""`parse_page`: one saved page (bytes + URL) → the parse JSON of docs/parse.md.

Detection order matters: a soft-404 page still has the theme's chrome, and a document
detail page may sit in a news-like panel, so the most specific signatures are tried first.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from lxml import etree

from scraper.parsers import nukeviet as nv
from scraper.parsers.article import canonical_url, find_root_and_body, parse_article
from scraper.parsers.detect import detect
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
from scraper.parsers.profiled import parse_with_profile
from scraper.parsers.text import contains, contains_any, decode_page, needle_groups
from scraper.profiles.spec import Profile, builtin

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


def parse_page(body: bytes, url: str, content_type: str | None = None,
               profile: Profile | None = None, fallback: Profile | None = None) -> dict:
    """Parse one page. Never raises on bad input: unknown or broken pages give `other`.

    The platform comes from the fingerprints of the shipped profiles (`detect`), unless a
    `profile` is given (`portal-archive profile check`); its `parse` hook, if it names one,
    parses the page, else its rules do (`profiled.py`). `fallback`: the crawl's profile, for
    a page whose platform the fingerprints do not tell (detected `generic`: a page with
    little chrome, such as a bare table listing).
    """
    # (No page to detect from: the platform is the given profile's, else `generic`.)
    if not body or looks_binary(body):
        return _finish(empty_result(url), profile.platform if profile else "generic")
    text, _, verbatim = decode_page(body, content_type)
    doc = parse_html(text, body if verbatim else None)
    if doc is None:
        return _finish(empty_result(url), profile.platform if profile else "generic")
    # (`<base href>` is rare: two reverse scans spare the XPath on the other pages.)
    base = (base_url(doc, url) if text.rfind("<base") != -1 or text.rfind("<BASE") != -1
            else url)
    if profile is None:
        platform = detect(text, url, complete=False).platform
        profile = fallback if platform == "generic" and fallback is not None \
            else builtin(platform)
    hook = profile.hooks.get("parse")
    if hook is not None:
        return _finish(hook(doc, text, url, base, profile), profile.platform)
    try:
        result = parse_with_profile(doc, url, base, text, profile)
    except (ValueError, TypeError, AttributeError, LookupError, etree.LxmlError):
        # Markup no rule foresaw must not stop an extract of a whole snapshot: the page
        # is kept as `other` (its capture stays in the WARC and the pages table).
        result = empty_result(url)
    return _finish(result, profile.platform)


def _finish(result: dict, platform: str) -> dict:
    """The contract's key order, with the platform, field sources and disagreements."""
    out = {key: result[key] for key in _KEYS}
    out["platform"] = platform
    out["sources"] = result.get("sources") or {}
    out["disagreements"] = result.get("disagreements") or []
    return out


_KEYS = ("url", "page_type", "article", "document", "listing", "sidebar_documents")


def parse_nukeviet(doc, text: str, url: str, base: str, profile: Profile | None = None
                   ) -> dict:
    """NukeViet 4.x: the hand-tuned parse (the `parse` hook of nukeviet.toml).

    Its fast paths (substring tests before tree walks, see docs/parse.md) are measured in
    bench/bench_parsers.py; expressing them as generic rules would cost that speed.
    """
    result = empty_result(url)
    result = _parse_nukeviet(doc, text, url, base, result)
    result["sources"] = nukeviet_sources(result)
    return result


# NukeViet's record fields and where its parse reads them (visible text only: the
# machine-readable dates are broken there, so `trust.machine_dates = false`).
_NV_VISIBLE = frozenset({"published_at", "published_raw", "authors", "source"})
_NV_LABELS = frozenset({"number", "issued_on", "effective_on", "expires_on", "doc_type",
                        "field", "issuer", "reviewer", "signer"})


def nukeviet_sources(result: dict) -> dict[str, str]:
    record = result.get("article") or result.get("document")
    if not record:
        return {}
    sources = {}
    for key, value in record.items():
        if value in (None, [], "") or key in ("url", "article_id", "document_id"):
            continue
        sources[key] = ("visible" if key in _NV_VISIBLE else
                        "labels" if result.get("document") and key in _NV_LABELS else
                        "profile")
    return sources


def _parse_nukeviet(doc, text: str, url: str, base: str, result: dict) -> dict:
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
