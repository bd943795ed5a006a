"""Turn one capture and its parse dict into typed table rows, plus rejects for bad records.

`build_rows(capture_info, parsed, snapshot_id)` is the single place where parse dicts
(issue 3 / contract 1) meet the table schemas (pipelines/schema.py). It is a pure function: the
crawl pipeline, `extract` and the lineage test all call it and get the same rows.
"""

from __future__ import annotations

import json
import os
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from pipelines import normalize as n
from pipelines.attachment_text import guess_language
from pipelines.schema import TABLES
from pipelines.validate import ValidationError, expect_list, expect_mapping, field, require

Rows = dict[str, list[dict[str, Any]]]


def lineage(capture: dict, snapshot_id: str) -> dict[str, Any]:
    """The contract-3 lineage columns; a capture without them is a programming error."""
    missing = [k for k in ("captured_at", "warc_file", "warc_offset", "warc_record_id")
               if capture.get(k) in (None, "")]
    if missing:
        raise ValueError(f"capture_info lacks lineage keys: {', '.join(missing)}")
    return {
        "snapshot_id": snapshot_id,
        "captured_at": n.timestamp(capture["captured_at"]),
        # Contract 3: the name inside warcs/, whatever path the caller had.
        "warc_file": os.path.basename(str(capture["warc_file"])),
        "warc_offset": n.integer(capture["warc_offset"]),
        "warc_record_id": str(capture["warc_record_id"]),
        "payload_digest": capture.get("payload_digest") or None,
    }


def raw_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def reject(lin: dict, table: str, key: Any, url: str | None, reason: str, raw: Any) -> dict:
    return {**lin, "table": table, "key": None if key is None else str(key), "url": url,
            "reason": reason, "raw": raw_json(raw)}


def item_key(item_id: int | None, url: str | None) -> str | None:
    """The key audits match an item on: the platform's own id (NukeViet's article id, a
    WordPress post id, a SharePoint ItemID: what the profile's `id` rules read), else its
    canonical URL without scheme and host (`/tin-tuc/thoi-su/slug.html`: the upload portal
    shows no id; a portal moving to https or to another host name keeps its keys)."""
    if item_id is not None:
        return str(item_id)
    if not url:
        return None
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _page_item_key(article: dict, document: dict) -> str | None:
    record = article or document
    if not record:
        return None
    id_name = "article_id" if article else "document_id"
    item_id = _lenient(n.integer, record.get(id_name))
    return item_key(item_id, _lenient(n.url, record.get("url")))


def site_columns(parsed: dict | None, profile: str | None = None) -> dict[str, str | None]:
    """`platform` (from the parse) and `profile` (the crawl's, else the platform's)."""
    platform = (parsed or {}).get("platform")
    platform = platform if isinstance(platform, str) else None
    return {"platform": platform, "profile": profile or (parsed or {}).get("profile")
            or platform}


def page_row(lin: dict, capture: dict, parsed: dict | None, profile: str | None = None) -> dict:
    """One `pages` row per capture, whatever it holds (errors, redirects, revisits, files)."""
    article = _dict((parsed or {}).get("article"))
    document = _dict((parsed or {}).get("document"))
    listing = _dict((parsed or {}).get("listing"))
    title = article.get("title") or document.get("title")
    return {
        **lin,
        "url": n.text(capture.get("url")) or "",
        "status": _lenient(n.integer, capture.get("status")),
        "content_type": n.media_type(capture.get("content_type")),
        "record_type": capture.get("record_type") or "response",
        "length": _lenient(n.integer, capture.get("length")),
        "refers_to_record_id": capture.get("refers_to_record_id") or None,
        "refers_to_uri": capture.get("refers_to_uri") or None,
        "refers_to_date": _lenient(n.timestamp, capture.get("refers_to_date")),
        "page_type": (parsed or {}).get("page_type"),
        "title": _lenient(n.text, title),
        "article_id": _lenient(n.integer, article.get("article_id")) if article else None,
        "document_id": _lenient(n.integer, document.get("document_id")) if document else None,
        "listing_items": len(listing["items"]) if isinstance(listing.get("items"), list) else None,
        "next_page": _lenient(n.text, listing.get("next_page")) if listing else None,
        "item_key": _page_item_key(article, document),
        # (A page's parse only: an attachment's text has no platform.)
        **(site_columns(parsed, profile) if parsed and "page_type" in parsed
           else {"platform": None, "profile": None}),
        "location": _lenient(n.text, capture.get("location")),
    }


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _lenient(convert, value):
    # The pages row must exist for every capture: a bad value here becomes null (the record
    # itself, if bad, is rejected with its reason by the table builders below).
    try:
        return convert(value)
    except ValidationError:
        return None


def article_rows(lin: dict, art: Any, page_url: str, site: dict | None = None) -> Rows:
    what = "article"
    art = expect_mapping(art, what)
    article_id = field(art, "article_id", n.integer, what)
    url = field(art, "url", n.url, what) or page_url
    key = item_key(article_id, url)
    if key is None:
        raise ValidationError("article: missing article_id and url")
    rating = expect_mapping(art.get("rating") or {}, "article.rating")
    authors = expect_list(art.get("authors"), "article.authors")
    images = expect_list(art.get("images"), "article.images")
    row = {
        **lin,
        "article_id": article_id,
        "url": url,
        "page_url": page_url,
        "title": field(art, "title", n.text, what),
        "published_at": field(art, "published_at", n.portal_timestamp, what),
        "published_raw": field(art, "published_raw", n.raw, what),
        "views": field(art, "views", n.integer, what),
        "comments": field(art, "comments", n.integer, what),
        "summary": field(art, "summary", n.text, what),
        "body_text": field(art, "body_text", n.block, what),
        "body_html": field(art, "body_html", _html, what),
        "source": field(art, "source", n.text, what),
        "category": field(art, "category", n.text, what),
        "breadcrumbs": field(art, "breadcrumbs", n.crumbs, what),
        "tags": field(art, "tags", n.text_list, what),
        "rating_score": field(rating, "score", n.number, "article.rating"),
        "rating_votes": field(rating, "votes", n.integer, "article.rating"),
        "author_count": len(authors),
        "image_count": len(images),
        "attachments": [_link(a, "article.attachments") for a in
                        expect_list(art.get("attachments"), "article.attachments")],
        "related": [_related(r) for r in expect_list(art.get("related"), "article.related")],
        "item_key": key,
        **(site or {"platform": None, "profile": None}),
    }
    out: Rows = {"articles": [row], "article_authors": [], "images": [], "rejects": []}
    for pos, author in enumerate(authors, 1):
        _child(out, "article_authors", lin, f"{key}#{pos}", page_url, author,
               lambda a, pos=pos: {**lin, "article_id": article_id, "position": pos,
                                   **_author(a), "item_key": key})
    for pos, image in enumerate(images, 1):
        _child(out, "images", lin, f"{key}#{pos}", page_url, image,
               lambda i, pos=pos: {**lin, "article_id": article_id, "position": pos,
                                   **_image(i), "item_key": key})
    return out


def _child(out: Rows, table: str, lin: dict, key: str, url: str, record: Any, build) -> None:
    """Add one child row, or a reject for it alone (its siblings and parent are kept)."""
    try:
        out[table].append(build(record))
    except ValidationError as exc:
        out["rejects"].append(reject(lin, table, key, url, str(exc), record))


def _author(a: Any) -> dict:
    a = expect_mapping(a, "author")
    return {"name": n.text(require(a, "name", "author")),
            "organization": field(a, "organization", n.text, "author")}


def _image(i: Any) -> dict:
    i = expect_mapping(i, "image")
    return {"src": field(i, "src", n.url, "image") or _missing("image", "src"),
            "alt": field(i, "alt", n.text, "image"),
            "caption": field(i, "caption", n.text, "image"),
            "credit": field(i, "credit", n.text, "image")}


def _link(a: Any, what: str) -> dict:
    a = expect_mapping(a, what)
    return {"url": field(a, "url", n.url, what) or _missing(what, "url"),
            "name": field(a, "name", n.text, what)}


def _related(r: Any) -> dict:
    what = "article.related"
    r = expect_mapping(r, what)
    return {"url": field(r, "url", n.url, what), "title": field(r, "title", n.text, what),
            "date": field(r, "date", n.day, what)}


def _doc_relation(r: Any) -> dict:
    what = "document.related"
    r = expect_mapping(r, what)
    return {"relation": field(r, "relation", n.text, what), "url": field(r, "url", n.url, what),
            "title": field(r, "title", n.text, what)}


def _raw_of(doc: dict, name: str) -> str | None:
    """The date as shown, when the parser keeps it (`issued_raw`), else the value it gave."""
    key = f"{name}_raw" if doc.get(f"{name}_raw") is not None else f"{name}_on"
    return n.raw(doc.get(key))


def _html(value: Any) -> str | None:
    # HTML keeps its own whitespace; only NFC, as every text column.
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"expected text, got {type(value).__name__}")
    return unicodedata.normalize("NFC", value) or None


def _missing(what: str, key: str):
    raise ValidationError(f"{what}: missing {key}")


def document_rows(lin: dict, doc: Any, page_url: str, site: dict | None = None) -> Rows:
    what = "document"
    doc = expect_mapping(doc, what)
    document_id = field(doc, "document_id", n.integer, what)
    url = field(doc, "url", n.url, what) or page_url
    key = item_key(document_id, url)
    if key is None:
        raise ValidationError("document: missing document_id and url")
    number = field(doc, "number", n.text, what)
    files = expect_list(doc.get("attachments"), "document.attachments")
    row = {
        **lin,
        "document_id": document_id,
        "number": number,
        "serial": field(doc, "serial", n.integer, what),
        "year": field(doc, "year", n.integer, what),
        "type_code": field(doc, "type_code", n.text, what),
        "issuer_code": field(doc, "issuer_code", n.text, what),
        "url": url,
        "page_url": page_url,
        "title": field(doc, "title", n.text, what),
        "summary": field(doc, "summary", n.text, what),
        "issued_on": field(doc, "issued_on", n.day, what),
        "issued_raw": _raw_of(doc, "issued"),
        "effective_on": field(doc, "effective_on", n.day, what),
        "effective_raw": _raw_of(doc, "effective"),
        "expires_on": field(doc, "expires_on", n.day, what),
        "expires_raw": _raw_of(doc, "expires"),
        "doc_type": field(doc, "doc_type", n.text, what),
        "field": field(doc, "field", n.text, what),
        "issuer": field(doc, "issuer", n.text, what),
        "reviewer": field(doc, "reviewer", n.text, what),
        "signer": field(doc, "signer", n.text, what),
        "file_count": len(files),
        "body_text": field(doc, "body_text", n.block, what),
        "related": [_doc_relation(r) for r in expect_list(doc.get("related"),
                                                          "document.related")],
        "item_key": key,
        **(site or {"platform": None, "profile": None}),
    }
    out: Rows = {"documents": [row], "document_files": [], "rejects": []}
    for pos, f in enumerate(files, 1):
        _child(out, "document_files", lin, f"{key}#{pos}", page_url, f,
               lambda f, pos=pos: {**lin, "document_id": document_id, "number": number,
                                   "position": pos, **_link(f, "document.attachments"),
                                   "item_key": key})
    return out


def listing_row(lin: dict, item: Any, listing_url: str, block: str, pos: int) -> dict:
    what = f"{block} item"
    item = expect_mapping(item, what)
    doc_url = field(item, "url", n.url, what)
    issued_key = "issued_on" if "issued_on" in item else "date"
    document_id = field(item, "document_id", n.integer, what) or n.id_from_url(doc_url)
    return {
        **lin,
        "listing_url": listing_url,
        "block": block,
        "position": pos,
        "document_id": document_id,
        "number": field(item, "number", n.text, what),
        "serial": field(item, "serial", n.integer, what),
        "year": field(item, "year", n.integer, what),
        "type_code": field(item, "type_code", n.text, what),
        "issuer_code": field(item, "issuer_code", n.text, what),
        "title": field(item, "title", n.text, what),
        "summary": field(item, "summary", n.text, what),
        "issued_on": field(item, issued_key, n.day, what),
        "issued_raw": n.raw(item.get("issued_raw", item.get(issued_key))),
        "views": field(item, "views", n.integer, what),
        "downloads": field(item, "downloads", n.integer, what),
        "url": doc_url,
        "attachments": [_link(a, f"{what}.attachments") for a in
                        expect_list(item.get("attachments"), f"{what}.attachments")],
    }


def build_rows(capture: dict, parsed: dict | None, snapshot_id: str,
               profile: str | None = None) -> Rows:
    """All rows one capture contributes, table by table (every table present, maybe empty).
    `profile`: the name of the crawl's site profile (the `profile` column)."""
    lin = lineage(capture, snapshot_id)
    out: Rows = {t: [] for t in TABLES}
    out["pages"].append(page_row(lin, capture, parsed, profile))
    if not parsed:
        return out
    page_url = out["pages"][0]["url"]
    page_type = parsed.get("page_type")

    site = site_columns(parsed, profile)
    article = parsed.get("article")
    if article is not None or page_type == "article":
        _merge(out, _guarded(lin, "articles", article, page_url, article_rows, "article_id",
                             site))
    document = parsed.get("document")
    if document is not None or page_type == "document_detail":
        _merge(out, _guarded(lin, "documents", document, page_url, document_rows,
                             "document_id", site))
    listing = parsed.get("listing")
    if page_type == "document_listing" and isinstance(listing, dict):
        _listing_block(out, lin, listing.get("items"), page_url, "listing")
    _listing_block(out, lin, parsed.get("sidebar_documents"), page_url, "sidebar")
    if "attachment" in parsed:
        _attachment(out, lin, capture, parsed["attachment"], page_url)
    return out


def _attachment(out: Rows, lin: dict, capture: dict, record: Any, url: str) -> None:
    """One `attachment_texts` row for a file whose text was read (pipelines.attachment_text),
    or a reject with the reason it could not be (`{"error": reason, …}`). The linking
    document or article is filled in by the writer, which has seen the pages before."""
    if isinstance(record, dict) and record.get("error"):
        out["rejects"].append(reject(lin, "attachment_texts", url, url, str(record["error"]),
                                     {k: v for k, v in record.items() if k != "error"}))
        return
    what = "attachment"
    try:
        record = expect_mapping(record, what)
        text = record.get("text")
        if not isinstance(text, str):
            raise ValidationError("attachment: text is missing")
        text = unicodedata.normalize("NFC", text)
        out["attachment_texts"].append({
            **lin,
            "url": url,
            "content_type": n.media_type(capture.get("content_type")),
            "file_type": field(record, "file_type", n.text, what) or _missing(what, "file_type"),
            "method": field(record, "method", n.text, what) or _missing(what, "method"),
            "pages": field(record, "pages", n.integer, what),
            "ocr_pages": field(record, "ocr_pages", n.integer, what) or 0,
            "characters": len(text),
            "language": guess_language(text),
            "seconds": field(record, "seconds", n.number, what) or 0.0,
            "document_id": None, "article_id": None, "linked_from": None, "name": None,
            "text": text, "item_key": None,
        })
    except ValidationError as exc:
        out["rejects"].append(reject(lin, "attachment_texts", url, url, str(exc), record))


def _listing_block(out: Rows, lin: dict, items: Any, page_url: str, block: str) -> None:
    try:
        items = expect_list(items, f"{block} items")
    except ValidationError as exc:
        out["rejects"].append(reject(lin, "document_listings", None, page_url, str(exc), items))
        return
    for pos, item in enumerate(items, 1):
        _child(out, "document_listings", lin, f"{block}#{pos}", page_url, item,
               lambda i, pos=pos: listing_row(lin, i, page_url, block, pos))


def _guarded(lin: dict, table: str, record: Any, page_url: str, build, key_name: str,
             site: dict | None = None) -> Rows:
    if record is None:
        return {"rejects": [reject(lin, table, None, page_url,
                                   f"page_type says {table[:-1]} but no {table[:-1]} record",
                                   record)]}
    try:
        return build(lin, record, page_url, site)
    except ValidationError as exc:
        key = record.get(key_name) if isinstance(record, dict) else None
        return {"rejects": [reject(lin, table, key, page_url, str(exc), record)]}


def _merge(out: Rows, more: Rows) -> None:
    for table, rows in more.items():
        out[table].extend(rows)
