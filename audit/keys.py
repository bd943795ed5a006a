"""Item keys for the audits: articles and documents are matched on `item_key`.

`item_key` (pipelines.rows.item_key) is the platform's own id as text where the profile reads
one (NukeViet, WordPress, SharePoint, Liferay …) and the canonical URL without scheme and host
where the platform shows none (the upload portal). The diff, the state and the history were
written around integer ids, vectorised with numpy and Arrow; rather than rewriting them for
strings, each table is read with its id column (`article_id` / `document_id`) completed from
`item_key`: a numeric key is the id itself (so NukeViet's datasets, written with or without
`item_key`, read exactly as before, in the same order), and a URL key gets a stand-in integer,
a 63-bit hash of the key made negative so that it can never equal a real id. Matching on the
completed id is matching on `item_key`. `shown_key` turns a stand-in back into its item key
for reports and JSON.

Datasets written before `item_key` existed have no such column and an id on every row: they
are read unchanged, and compare with new ones (whose numeric keys are those same ids).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

# A redirect to the site's home page (`Location: /` or `http://host/`): how some platforms
# (the upload portal) answer a missing item instead of a 404 (pages.location).
HOME_REDIRECT = r"^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?/?$"
# Table → the id column its item_key completes.
ID_COLUMN = {"articles": "article_id", "article_authors": "article_id", "images": "article_id",
             "documents": "document_id", "document_files": "document_id"}
# Stand-in → item key, for display; filled as tables are read (one process, a few MB at most).
_NAMES: dict[int, str] = {}


def stand_in(item_key: str) -> int:
    """The integer an item key is matched as: the id itself when numeric, else a negative
    63-bit hash of the key (stable across processes and runs)."""
    if item_key.isdigit() and len(item_key) < 19:
        return int(item_key)
    digest = hashlib.blake2b(item_key.encode("utf-8"), digest_size=8).digest()
    value = -(int.from_bytes(digest, "big") >> 1) - 1
    _NAMES[value] = item_key
    return value


def shown_key(value):
    """An id as reports show it: a stand-in becomes its item key (the URL path)."""
    if isinstance(value, int) and value < 0:
        return _NAMES.get(value, value)
    return value


def sort_key(key) -> tuple:
    """Items in key order: numeric ids in their order, then URL keys by URL."""
    return (1, key, 0) if isinstance(key, str) else (0, "", key)


def table_of(path: Path | str) -> str:
    return Path(path).stem


def needs_item_key(table: str, columns: list[str] | None, names: set[str]) -> bool:
    """Whether reading `columns` of `table` must also read `item_key` to complete its id."""
    key = ID_COLUMN.get(table)
    return (key is not None and "item_key" in names
            and (columns is None or key in columns))


def fill_ids(table: pa.Table, name: str) -> pa.Table:
    """`table` (of dataset table `name`) with null ids completed from `item_key`."""
    key = ID_COLUMN.get(name)
    if key is None or key not in table.column_names or "item_key" not in table.column_names:
        return table
    ids = table.column(key)
    if ids.null_count == 0:
        return table
    keys = table.column("item_key")
    missing = pc.and_(pc.is_null(ids), pc.is_valid(keys)).to_pylist()
    values = ids.to_pylist()
    for i, (gap, item) in enumerate(zip(missing, keys.to_pylist(), strict=True)):
        if gap:
            values[i] = stand_in(item)
    index = table.column_names.index(key)
    return table.set_column(index, table.schema.field(key), pa.array(values, pa.int64()))
