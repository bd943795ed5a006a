"""Explicit pyarrow schemas of the dataset tables (see docs/schema.md for every column).

Every table starts with the lineage columns of contract 3, so any row can be traced back to the
WARC record it was parsed from. Column order here is the column order in Parquet and CSV.
"""

from __future__ import annotations

import pyarrow as pa

# The portal shows times in this zone; instants are stored as UTC by Arrow, shown in this zone.
PORTAL_TZ = "Asia/Ho_Chi_Minh"

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
PORTAL_TIMESTAMP = pa.timestamp("us", tz=PORTAL_TZ)

LINEAGE_FIELDS: list[pa.Field] = [
    pa.field("snapshot_id", pa.string(), nullable=False),
    pa.field("captured_at", UTC_TIMESTAMP, nullable=False),
    pa.field("warc_file", pa.string(), nullable=False),
    pa.field("warc_offset", pa.int64(), nullable=False),
    pa.field("warc_record_id", pa.string(), nullable=False),
    pa.field("payload_digest", pa.string()),
]
LINEAGE_COLUMNS: list[str] = [f.name for f in LINEAGE_FIELDS]

LINK = pa.struct([pa.field("url", pa.string()), pa.field("name", pa.string())])
CRUMB = pa.struct([pa.field("title", pa.string()), pa.field("url", pa.string())])
DOC_RELATION = pa.struct(
    [pa.field("relation", pa.string()), pa.field("url", pa.string()),
     pa.field("title", pa.string())]
)
RELATED = pa.struct(
    [pa.field("url", pa.string()), pa.field("title", pa.string()), pa.field("date", pa.date32())]
)


def _table(*fields: pa.Field) -> pa.Schema:
    return pa.schema(LINEAGE_FIELDS + list(fields))


PAGES = _table(
    pa.field("url", pa.string(), nullable=False),
    pa.field("status", pa.int64()),
    pa.field("content_type", pa.string()),
    pa.field("record_type", pa.string(), nullable=False),
    pa.field("length", pa.int64()),
    pa.field("refers_to_record_id", pa.string()),
    pa.field("refers_to_uri", pa.string()),
    pa.field("refers_to_date", UTC_TIMESTAMP),
    pa.field("page_type", pa.string()),
    pa.field("title", pa.string()),
    pa.field("article_id", pa.int64()),
    pa.field("document_id", pa.int64()),
    pa.field("listing_items", pa.int64()),
    pa.field("next_page", pa.string()),
    # Issue 14: the item a page holds, and the platform / profile that parsed it.
    pa.field("item_key", pa.string()),
    pa.field("platform", pa.string()),
    pa.field("profile", pa.string()),
    pa.field("location", pa.string()),
)

ARTICLES = _table(
    pa.field("article_id", pa.int64()),
    pa.field("url", pa.string(), nullable=False),
    pa.field("page_url", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("published_at", PORTAL_TIMESTAMP),
    pa.field("published_raw", pa.string()),
    pa.field("views", pa.int64()),
    pa.field("comments", pa.int64()),
    pa.field("summary", pa.string()),
    pa.field("body_text", pa.string()),
    pa.field("body_html", pa.string()),
    pa.field("source", pa.string()),
    pa.field("category", pa.string()),
    pa.field("breadcrumbs", pa.list_(CRUMB), nullable=False),
    pa.field("tags", pa.list_(pa.string()), nullable=False),
    pa.field("rating_score", pa.float64()),
    pa.field("rating_votes", pa.int64()),
    pa.field("author_count", pa.int64(), nullable=False),
    pa.field("image_count", pa.int64(), nullable=False),
    pa.field("attachments", pa.list_(LINK), nullable=False),
    pa.field("related", pa.list_(RELATED), nullable=False),
    # The item's key (what audits match on): the platform's own id, else the canonical URL.
    pa.field("item_key", pa.string(), nullable=False),
    pa.field("platform", pa.string()),
    pa.field("profile", pa.string()),
)

ARTICLE_AUTHORS = _table(
    pa.field("article_id", pa.int64()),
    pa.field("position", pa.int64(), nullable=False),
    pa.field("name", pa.string(), nullable=False),
    pa.field("organization", pa.string()),
    pa.field("item_key", pa.string(), nullable=False),
)

IMAGES = _table(
    pa.field("article_id", pa.int64()),
    pa.field("position", pa.int64(), nullable=False),
    pa.field("src", pa.string(), nullable=False),
    pa.field("alt", pa.string()),
    pa.field("caption", pa.string()),
    pa.field("credit", pa.string()),
    pa.field("item_key", pa.string(), nullable=False),
)

DOCUMENTS = _table(
    pa.field("document_id", pa.int64()),
    pa.field("number", pa.string()),
    pa.field("serial", pa.int64()),
    pa.field("year", pa.int64()),
    pa.field("type_code", pa.string()),
    pa.field("issuer_code", pa.string()),
    pa.field("url", pa.string(), nullable=False),
    pa.field("page_url", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("summary", pa.string()),
    pa.field("issued_on", pa.date32()),
    pa.field("issued_raw", pa.string()),
    pa.field("effective_on", pa.date32()),
    pa.field("effective_raw", pa.string()),
    pa.field("expires_on", pa.date32()),
    pa.field("expires_raw", pa.string()),
    pa.field("doc_type", pa.string()),
    pa.field("field", pa.string()),
    pa.field("issuer", pa.string()),
    pa.field("reviewer", pa.string()),
    pa.field("signer", pa.string()),
    pa.field("file_count", pa.int64(), nullable=False),
    pa.field("body_text", pa.string()),
    pa.field("related", pa.list_(DOC_RELATION), nullable=False),
    pa.field("item_key", pa.string(), nullable=False),
    pa.field("platform", pa.string()),
    pa.field("profile", pa.string()),
)

DOCUMENT_FILES = _table(
    pa.field("document_id", pa.int64()),
    pa.field("number", pa.string()),
    pa.field("position", pa.int64(), nullable=False),
    pa.field("url", pa.string(), nullable=False),
    pa.field("name", pa.string()),
    pa.field("item_key", pa.string(), nullable=False),
)

DOCUMENT_LISTINGS = _table(
    pa.field("listing_url", pa.string(), nullable=False),
    pa.field("block", pa.string(), nullable=False),
    pa.field("position", pa.int64(), nullable=False),
    pa.field("document_id", pa.int64()),
    pa.field("number", pa.string()),
    pa.field("serial", pa.int64()),
    pa.field("year", pa.int64()),
    pa.field("type_code", pa.string()),
    pa.field("issuer_code", pa.string()),
    pa.field("title", pa.string()),
    pa.field("summary", pa.string()),
    pa.field("issued_on", pa.date32()),
    pa.field("issued_raw", pa.string()),
    pa.field("views", pa.int64()),
    pa.field("downloads", pa.int64()),
    pa.field("url", pa.string()),
    pa.field("attachments", pa.list_(LINK), nullable=False),
)

ATTACHMENT_TEXTS = _table(
    pa.field("url", pa.string(), nullable=False),
    pa.field("content_type", pa.string()),
    pa.field("file_type", pa.string(), nullable=False),
    pa.field("method", pa.string(), nullable=False),
    pa.field("pages", pa.int64()),
    pa.field("ocr_pages", pa.int64(), nullable=False),
    pa.field("characters", pa.int64(), nullable=False),
    pa.field("language", pa.string()),
    pa.field("seconds", pa.float64(), nullable=False),
    pa.field("document_id", pa.int64()),
    pa.field("article_id", pa.int64()),
    pa.field("linked_from", pa.string()),
    pa.field("name", pa.string()),
    pa.field("text", pa.string(), nullable=False),
    pa.field("item_key", pa.string()),  # of the linking document or article
)

REJECTS = _table(
    pa.field("table", pa.string(), nullable=False),
    pa.field("key", pa.string()),
    pa.field("url", pa.string()),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("raw", pa.string(), nullable=False),
)

SCHEMAS: dict[str, pa.Schema] = {
    "pages": PAGES,
    "articles": ARTICLES,
    "article_authors": ARTICLE_AUTHORS,
    "images": IMAGES,
    "documents": DOCUMENTS,
    "document_files": DOCUMENT_FILES,
    "document_listings": DOCUMENT_LISTINGS,
    "attachment_texts": ATTACHMENT_TEXTS,
    "rejects": REJECTS,
}
TABLES: tuple[str, ...] = tuple(SCHEMAS)

# Counters the portal bumps on every visit: kept, but never a content change (DESIGN.md).
VOLATILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("views", "comments", "rating_score", "rating_votes"),
    "document_listings": ("views", "downloads"),
    "attachment_texts": ("seconds",),  # time spent reading the file, not its content
}


def schema_for(table: str) -> pa.Schema:
    """The schema of `table`; ValueError naming the known tables otherwise."""
    try:
        return SCHEMAS[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLES)}") from None
