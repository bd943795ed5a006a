"""Field-by-field diff of two snapshots' datasets: what was added, removed and changed.

Articles are matched by `article_id`, documents by `document_id` (and, for documents that lose
their id between snapshots, by an unambiguous `number`). Every compared field is normalised
first (Unicode NFC, whitespace runs collapsed, empty = null), so normalisation and whitespace
never count as changes; volatile counters (views, comments, downloads, rating) and page chrome
are not compared at all. The comparison is vectorised with pyarrow: each side's comparable
fields become one string column per field, the two sides are aligned on the sorted keys, raw
values are compared in Arrow, and only rows that differ there are normalised and word-diffed in
Python.

A key present in A and missing from B is *removed*, with a reason taken from B's `pages` table:
`http_404` / `http_410` (B fetched the URL and got that status), `soft_404` (B's page was
recognised as a soft 404), or `not_captured` (B did not fetch it, or fetched it without getting
the item: this is never a deletion, and items say so with `deleted: false`).

`diff_snapshots(archive_root, a, b)` returns the JSON-ready dict documented in docs/audit.md;
`audit.diff_report` renders it as HTML, Markdown, CSV or JSON.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.snapshot import SnapshotError, latest_closed, list_snapshots, open_snapshot
from audit.keys import HOME_REDIRECT, fill_ids, needs_item_key, shown_key, sort_key

ARTICLE_FIELDS: tuple[str, ...] = (
    "title", "body_text", "summary", "published_at", "authors", "images", "tags", "category",
    "attachments",
)
DOCUMENT_FIELDS: tuple[str, ...] = (
    "number", "title", "issued_on", "effective_on", "expires_on", "doc_type", "field", "issuer",
    "signer",
)
# Fields shown as running text with a word-level diff; the others are short values or lists.
TEXT_FIELDS = frozenset({"title", "body_text", "summary"})
LIST_FIELDS = frozenset({"authors", "images", "tags", "attachments"})
DELETION_REASONS = ("http_404", "http_410", "soft_404", "redirect_home")
LINEAGE = ("snapshot_id", "captured_at", "warc_file", "warc_offset", "warc_record_id",
           "payload_digest")

# Separators inside canonical strings: control characters never left in normalised text.
_ITEM_SEP = "\x1e"
_PART_SEP = "\x1f"


class DiffError(Exception):
    """A diff that cannot be made (unknown snapshot, no datasets…); one line for the user."""


# -- canonical values (vectorised) -----------------------------------------------------------
# Each compared field becomes one string per row: the raw value, or a list's items joined with
# control-character separators. Equal raw strings are equal after normalisation, so the fast
# path compares raw strings in Arrow, and only rows that differ there are normalised (in
# Python, `canonical`) to decide whether the difference is real or only NFC / whitespace.
def _as_string(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column of any type as strings (timestamps as UTC microseconds, dates ISO)."""
    if pa.types.is_timestamp(arr.type):
        return pc.cast(pc.cast(arr, pa.int64()), pa.string())
    return pc.cast(arr, pa.string())


def _join_list(lists: pa.Array | pa.ChunkedArray,
               items: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """One string per list: `items(flat values)` joined with _ITEM_SEP; [] and null → ''."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    lists = pc.fill_null(lists, pa.scalar([], lists.type))
    flat = lists.flatten()  # honours slicing, unlike .values
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    return pc.binary_join(pa.ListArray.from_arrays(offsets, items(flat)), _ITEM_SEP)


def _join_parts(*parts: pa.Array) -> pa.Array:
    """Element-wise join of several string columns with _PART_SEP (null parts as '')."""
    filled = [pc.fill_null(p, "") for p in parts]
    return pc.binary_join_element_wise(*filled, _PART_SEP)


def _site_path(urls: pa.Array | pa.ChunkedArray) -> pa.Array:
    """URLs without scheme and host: the same file served from another host name, port or
    over https (a portal moving to TLS, a replica on another port) is not a content change."""
    return pc.replace_substring_regex(urls, r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", "")


def _link_items(flat: pa.Array) -> pa.Array:
    return _join_parts(_site_path(pc.struct_field(flat, "url")), pc.struct_field(flat, "name"))


def canonical(value: str | None) -> str:
    """The normalised form of a canonical string: every part NFC with whitespace collapsed."""
    if not value:
        return ""
    items = (_PART_SEP.join(normalize_text(p) for p in item.split(_PART_SEP))
             for item in value.split(_ITEM_SEP))
    return _ITEM_SEP.join(i for i in items if i.strip(_PART_SEP))


# -- reading one side ------------------------------------------------------------------------
SideKind = tuple[np.ndarray, dict[str, pa.Array], pa.Table]


@dataclass
class Side:
    """One snapshot's comparable records: per kind, (sorted keys, canonical columns, rows)."""

    snapshot_id: str
    articles: SideKind
    documents: SideKind
    pages: PagesLookup  # url → latest pages row (status, page_type, lineage)


def _read(datasets: Path, table: str, snapshot_id: str,
          columns: list[str] | None = None) -> pa.Table:
    path = datasets / f"{table}.parquet"
    if not path.is_file():
        raise DiffError(
            f"snapshot {snapshot_id} has no datasets ({path.name} missing in {datasets}); "
            f"build them from its WARCs as a new snapshot with `portal-archive extract "
            f"WARC… --snapshot NEW_ID` (a closed snapshot itself is never changed)"
        )
    if needs_item_key(table, columns, set(pq.read_schema(path).names)) and columns is not None \
            and "item_key" not in columns:
        return fill_ids(pq.read_table(path, columns=[*columns, "item_key"]),
                        table).drop_columns(["item_key"])
    return fill_ids(pq.read_table(path, columns=columns), table)


def _last_per_key(table: pa.Table, key: str) -> pa.Table:
    """The latest capture of each key (by captured_at, file, offset), sorted by key."""
    if table.num_rows == 0:
        return table
    order = [(key, "ascending"), ("captured_at", "ascending"), ("warc_file", "ascending"),
             ("warc_offset", "ascending")]
    small = table.select([key, "captured_at", "warc_file", "warc_offset"])
    idx = pc.sort_indices(small, sort_keys=order).to_numpy()
    keys = small.column(key).to_numpy(zero_copy_only=False)[idx]
    last = np.ones(len(keys), dtype=bool)
    last[:-1] = keys[:-1] != keys[1:]
    idx = idx[last]
    if len(idx) == table.num_rows and np.array_equal(idx, np.arange(len(idx))):
        return table  # already one row per key, in key order: no copy of the text columns
    return table.take(pa.array(idx))


def _child_canon(child: pa.Table, key: str, parts: list[str], parents: pa.Table) -> pa.Array:
    """Per parent row, its child rows (same capture, by position) as one canonical string."""
    if child.num_rows == 0 or parents.num_rows == 0:
        return pa.array([""] * parents.num_rows, pa.string())
    child = child.take(pc.sort_indices(
        child, sort_keys=[("warc_record_id", "ascending"), (key, "ascending"),
                          ("position", "ascending")]))
    item = _join_parts(*[_site_path(child.column(p)) if p == "src" else child.column(p)
                         for p in parts])
    grouped = (pa.table({"warc_record_id": child.column("warc_record_id"),
                         key: child.column(key), "item": item})
               .group_by(["warc_record_id", key], use_threads=False)
               .aggregate([("item", "list")]))
    lookup = pa.table({"warc_record_id": grouped.column("warc_record_id"),
                       key: grouped.column(key),
                       "canon": pc.binary_join(grouped.column("item_list"), _ITEM_SEP)})
    # A join reorders rows: carry the parent's row number through it.
    left = pa.table({"warc_record_id": parents.column("warc_record_id"),
                     key: parents.column(key),
                     "_row": pa.array(np.arange(parents.num_rows))})
    out = left.join(lookup, ["warc_record_id", key], join_type="left outer", use_threads=False)
    return pc.fill_null(out.sort_by("_row").column("canon"), "").combine_chunks()


def _article_side(datasets: Path, snapshot_id: str) -> SideKind:
    columns = [*LINEAGE, "article_id", "url", "page_url", *ARTICLE_FIELDS]
    columns = [c for c in columns if c not in ("authors", "images")]
    arts = _last_per_key(_read(datasets, "articles", snapshot_id, columns), "article_id")
    authors = _read(datasets, "article_authors", snapshot_id)
    images = _read(datasets, "images", snapshot_id)
    return _keys(arts, "article_id"), article_canon(arts, authors, images), arts


def article_canon(arts: pa.Table, authors: pa.Table, images: pa.Table) -> dict[str, pa.Array]:
    """The compared fields of article rows as canonical strings (authors and images from
    their child rows of the same capture); also used by the state diff (audit.state_diff)."""
    return {
        "title": _as_string(arts.column("title")),
        "body_text": _as_string(arts.column("body_text")),
        "summary": _as_string(arts.column("summary")),
        "published_at": _as_string(arts.column("published_at")),
        "authors": _child_canon(authors, "article_id", ["name", "organization"], arts),
        "images": _child_canon(images, "article_id", ["src", "caption", "credit"], arts),
        "tags": _join_list(arts.column("tags"), lambda flat: flat),
        "category": _as_string(arts.column("category")),
        "attachments": _join_list(arts.column("attachments"), _link_items),
    }


def document_canon(docs: pa.Table) -> dict[str, pa.Array]:
    """The compared fields of document rows as canonical strings."""
    return {f: _as_string(docs.column(f)) for f in DOCUMENT_FIELDS}


def _document_side(datasets: Path, snapshot_id: str) -> SideKind:
    docs = _last_per_key(_read(datasets, "documents", snapshot_id), "document_id")
    return _keys(docs, "document_id"), document_canon(docs), docs


def _keys(rows: pa.Table, key: str) -> np.ndarray:
    return np.asarray(rows.column(key).to_numpy(zero_copy_only=False), dtype=np.int64)


class PagesLookup:
    """B's latest `pages` row per URL, materialised only for the URLs asked about."""

    def __init__(self, pages: pa.Table) -> None:
        if "location" not in pages.column_names:  # datasets written before pages.location
            pages = pages.append_column("location", pa.nulls(pages.num_rows, pa.string()))
        self._pages = pages.select(["url", "status", "page_type", "record_type", "location",
                                    *LINEAGE])
        order = pc.sort_indices(self._pages, sort_keys=[("captured_at", "ascending"),
                                                        ("warc_file", "ascending"),
                                                        ("warc_offset", "ascending")])
        urls = self._pages.column("url").take(order).to_pylist()
        rows = order.to_pylist()
        self._row = dict(zip(urls, rows, strict=True))  # later captures win

    def get(self, url: str | None) -> dict[str, Any] | None:
        row = self._row.get(url) if url else None
        if row is None:
            return None
        return self._pages.slice(row, 1).to_pylist()[0]


def _pages_lookup(datasets: Path, snapshot_id: str) -> PagesLookup:
    return PagesLookup(_read(datasets, "pages", snapshot_id))


def load_side(archive_root: Path, snapshot_id: str) -> Side:
    """Read one snapshot's datasets into comparable form; DiffError if it has none."""
    datasets = Path(archive_root) / "snapshots" / snapshot_id / "datasets"
    articles = _article_side(datasets, snapshot_id)
    documents = _document_side(datasets, snapshot_id)
    return Side(snapshot_id, articles, documents, _pages_lookup(datasets, snapshot_id))


# -- snapshot references ---------------------------------------------------------------------
def resolve_ref(archive_root: Path, ref: str, portal: str | None = None) -> str:
    """A snapshot id from an id or the shorthands `latest` / `previous` (closed snapshots),
    among `portal`'s snapshots when given (docs/portals.md)."""
    if ref in ("latest", "previous"):
        of = f" of portal {portal!r}" if portal else ""
        latest = latest_closed(archive_root, portal=portal)
        if latest is None:
            raise DiffError(f"no closed snapshot{of} in {archive_root}")
        if ref == "latest":
            return latest.snapshot_id
        prev = latest_closed(archive_root, before=latest.snapshot_id, portal=portal)
        if prev is None:
            raise DiffError(f"only one closed snapshot{of} in {archive_root}: no `previous`")
        return prev.snapshot_id
    try:
        snap = open_snapshot(archive_root, ref)
    except SnapshotError:
        known = ", ".join(s.snapshot_id for s in list_snapshots(archive_root)) or "none"
        raise DiffError(f"no snapshot {ref!r} in {archive_root} (known: {known})") from None
    if snap.status != "closed":
        raise DiffError(f"snapshot {ref} is {snap.status}; only closed snapshots can be diffed "
                        "or read as a portal state")
    return ref


# -- word diff -------------------------------------------------------------------------------
def normalize_text(value: str | None) -> str:
    """The text as compared: NFC, whitespace collapsed (the Python twin of `_norm_text`)."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def token_diff(a: list[str], b: list[str], sep: str = " ") -> list[list[str]]:
    """difflib opcodes over tokens, as `[[op, text], …]` with op `=`, `-` or `+`."""
    ops: list[list[str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(["=", sep.join(a[i1:i2])])
            continue
        if tag in ("delete", "replace"):
            ops.append(["-", sep.join(a[i1:i2])])
        if tag in ("insert", "replace"):
            ops.append(["+", sep.join(b[j1:j2])])
    return ops


def word_diff(a: str | None, b: str | None) -> list[list[str]]:
    """Word-level diff of two texts after normalisation."""
    return token_diff(normalize_text(a).split(), normalize_text(b).split())


# -- display values ------------------------------------------------------------------------
def _display(kind: str, field: str, rows: pa.Table, i: int, children: dict[str, Any]) -> Any:
    """The human value of one field of row i (normalised text, ISO dates, lists of strings)."""
    if field in ("authors", "images"):
        return children[field].get((rows.column("warc_record_id")[i].as_py(),
                                    rows.column(f"{kind}_id")[i].as_py()), [])
    value = rows.column(field)[i].as_py()
    if field == "tags":
        return [normalize_text(t) for t in value or []]
    if field == "attachments":
        return [_link_text(a) for a in value or []]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        return normalize_text(value) or None
    return value


def _link_text(link: dict) -> str:
    name, url = normalize_text(link.get("name")), link.get("url") or ""
    return f"{name} <{url}>" if name else url


def _children_display(datasets: Path, snapshot_id: str, keys: set[tuple[str, int]]) -> dict:
    """Authors and images of the given (record id, article id) captures, as readable strings."""
    out: dict[str, dict] = {"authors": {}, "images": {}}
    if not keys:
        return out
    record_ids = pa.array(sorted({k[0] for k in keys}))
    for table, fmt in (("article_authors", _author_text), ("images", _image_text)):
        rows = _read(datasets, table, snapshot_id)
        rows = rows.filter(pc.is_in(rows.column("warc_record_id"), value_set=record_ids))
        for row in sorted(rows.to_pylist(), key=lambda r: r["position"]):
            key = (row["warc_record_id"], row["article_id"])
            if key in keys:
                out["authors" if table == "article_authors" else "images"].setdefault(
                    key, []).append(fmt(row))
    return out


def _author_text(row: dict) -> str:
    name, org = normalize_text(row["name"]), normalize_text(row.get("organization"))
    return f"{name} ({org})" if org else name


def _image_text(row: dict) -> str:
    caption = normalize_text(row.get("caption"))
    credit = normalize_text(row.get("credit"))
    text = row["src"]
    if caption:
        text += f" — {caption}"
    if credit:
        text += f" (ảnh: {credit})"
    return text


def field_change(field: str, a: Any, b: Any) -> dict[str, Any]:
    """{a, b, diff} for one changed field; diff is word-level for text, item-level for lists."""
    if field in LIST_FIELDS:
        ops = token_diff(list(a or []), list(b or []), sep="\n")
        # Item-level ops may join several items; split them back to one item per op.
        diff = [[op, item] for op, text in ops for item in text.split("\n")]
    elif field in TEXT_FIELDS or isinstance(a, str) or isinstance(b, str):
        diff = word_diff(a if isinstance(a, str) else None, b if isinstance(b, str) else None)
    else:
        diff = []
    return {"a": a, "b": b, "diff": diff}


# -- the diff --------------------------------------------------------------------------------
def _evidence(rows: pa.Table, i: int) -> dict[str, Any]:
    ev = {name: rows.column(name)[i].as_py() for name in LINEAGE}
    ev["captured_at"] = _iso(ev["captured_at"])
    ev["url"] = rows.column("page_url")[i].as_py()
    return ev


def _iso(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _page_evidence(page: dict[str, Any]) -> dict[str, Any]:
    ev = {name: page.get(name) for name in LINEAGE}
    ev["captured_at"] = _iso(ev["captured_at"])
    ev.update(url=page["url"], status=page.get("status"), page_type=page.get("page_type"),
              record_type=page.get("record_type"))
    return ev


def removal_reason(pages_b: PagesLookup | dict[str, dict[str, Any]],
                   urls: list[str]) -> tuple[str, str, dict]:
    """(reason, explanation, B's page row or {}) for an item missing from B."""
    for url in urls:
        page = pages_b.get(url)
        if page is None:
            continue
        status = page.get("status")
        if status == 404:
            return "http_404", "B fetched the URL and got HTTP 404", page
        if status == 410:
            return "http_410", "B fetched the URL and got HTTP 410 Gone", page
        if page.get("page_type") == "soft_404":
            return "soft_404", f"B fetched the URL and got a soft-404 page (HTTP {status})", page
        if status is not None and 300 <= status < 400 and re.match(
                HOME_REDIRECT, page.get("location") or "x"):
            return ("redirect_home", f"B fetched the URL and was redirected (HTTP {status}) to "
                    "the home page: the platform's answer for a missing item", page)
        what = f"HTTP {status}" if status is not None else "no HTTP response"
        return ("not_captured",
                f"B fetched the URL ({what}, page type {page.get('page_type')}) but did not "
                f"get this record: not a deletion", page)
    return "not_captured", "B did not fetch the URL: not a deletion", {}


def _pair_documents_by_number(only_a: list[int], only_b: list[int], rows_a: pa.Table,
                              rows_b: pa.Table) -> list[tuple[int, int]]:
    """(A row, B row) of documents whose id changed but whose number is the same, unambiguous."""
    if not only_a or not only_b:
        return []

    def by_number(rows_idx: list[int], rows: pa.Table) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        numbers = rows.column("number")
        for r in rows_idx:
            number = normalize_text(numbers[r].as_py())
            if number:
                found.setdefault(number, []).append(r)
        return found

    na, nb = by_number(only_a, rows_a), by_number(only_b, rows_b)
    return [(ra[0], nb[n][0]) for n, ra in na.items()
            if len(ra) == 1 and len(nb.get(n, [])) == 1]


def _changed_fields(fields: tuple[str, ...], canon_a: dict[str, pa.Array],
                    canon_b: dict[str, pa.Array], ia: np.ndarray,
                    ib: np.ndarray) -> list[tuple[int, int, set[str]]]:
    """(A row, B row, changed fields) of matched rows that really differ.

    Raw strings are compared in Arrow for all rows at once; the few rows that differ are
    normalised in Python to drop differences of Unicode form or whitespace only.
    """
    if len(ia) == 0:
        return []
    def aligned(arr: pa.Array, idx: np.ndarray) -> pa.Array:
        if len(idx) == len(arr) and np.array_equal(idx, np.arange(len(idx))):
            return arr  # the common case of identical key sets: no copy
        return arr.take(pa.array(idx))

    raw_diff: dict[str, np.ndarray] = {}
    for f in fields:
        va = pc.fill_null(aligned(canon_a[f], ia), "")
        vb = pc.fill_null(aligned(canon_b[f], ib), "")
        raw_diff[f] = pc.not_equal(va, vb).to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(np.logical_or.reduce([raw_diff[f] for f in fields]))
    out = []
    for i in candidates:
        ra, rb = int(ia[i]), int(ib[i])
        changed = {f for f in fields if raw_diff[f][i]
                   and canonical(canon_a[f][ra].as_py()) != canonical(canon_b[f][rb].as_py())}
        if changed:
            out.append((ra, rb, changed))
    return out


def _diff_kind(kind: str, fields: tuple[str, ...], side_a: SideKind, side_b: SideKind,
               pages_b: PagesLookup, datasets: tuple[Path, Path],
               snap_ids: tuple[str, str]) -> dict[str, Any]:
    (keys_a, canon_a, rows_a), (keys_b, canon_b, rows_b) = side_a, side_b
    # Keys are unique and sorted on each side (_last_per_key).
    _, ia, ib = np.intersect1d(keys_a, keys_b, assume_unique=True, return_indices=True)
    only_a = np.flatnonzero(~np.isin(keys_a, keys_b, assume_unique=True)).tolist()
    only_b = np.flatnonzero(~np.isin(keys_b, keys_a, assume_unique=True)).tolist()
    pairs = _changed_fields(fields, canon_a, canon_b, ia, ib)
    unchanged = len(ia) - len(pairs)

    paired_a: set[int] = set()
    paired_b: set[int] = set()
    if kind == "document":
        for ra, rb in _pair_documents_by_number(only_a, only_b, rows_a, rows_b):
            paired_a.add(ra)
            paired_b.add(rb)
            changed = {f for f in fields if canonical(canon_a[f][ra].as_py())
                       != canonical(canon_b[f][rb].as_py())}
            if changed:
                pairs.append((ra, rb, changed))
            else:
                unchanged += 1

    children_a: dict = {"authors": {}, "images": {}}
    children_b: dict = {"authors": {}, "images": {}}
    if kind == "article":
        need = [(ra, rb) for ra, rb, ch in pairs if ch & {"authors", "images"}]
        children_a = _children_display(datasets[0], snap_ids[0], {
            (rows_a.column("warc_record_id")[ra].as_py(), rows_a.column("article_id")[ra].as_py())
            for ra, _ in need})
        children_b = _children_display(datasets[1], snap_ids[1], {
            (rows_b.column("warc_record_id")[rb].as_py(), rows_b.column("article_id")[rb].as_py())
            for _, rb in need})

    key_col = f"{kind}_id"
    changed_items = []
    for ra, rb, changed in pairs:
        names = [f for f in fields if f in changed]
        item = {
            "kind": kind,
            "key": shown_key(rows_b.column(key_col)[rb].as_py()),
            "url": rows_b.column("url")[rb].as_py(),
            "title": normalize_text(rows_b.column("title")[rb].as_py()) or None,
            "fields": names,
            "changes": {f: field_change(f, _display(kind, f, rows_a, ra, children_a),
                                        _display(kind, f, rows_b, rb, children_b))
                        for f in names},
            "a": _evidence(rows_a, ra),
            "b": _evidence(rows_b, rb),
        }
        key_a = shown_key(rows_a.column(key_col)[ra].as_py())
        if key_a != item["key"]:
            item["key_a"] = key_a
            item["matched_by"] = "number"
        changed_items.append(item)

    added = []
    for rb in only_b:
        if rb in paired_b:
            continue
        added.append({"kind": kind, "key": shown_key(rows_b.column(key_col)[rb].as_py()),
                      "url": rows_b.column("url")[rb].as_py(),
                      "title": normalize_text(rows_b.column("title")[rb].as_py()) or None,
                      "b": _evidence(rows_b, rb)})
    removed = []
    for ra in only_a:
        if ra in paired_a:
            continue
        url, page_url = rows_a.column("url")[ra].as_py(), rows_a.column("page_url")[ra].as_py()
        reason, why, page = removal_reason(pages_b, [page_url, url])
        item = {"kind": kind, "key": shown_key(rows_a.column(key_col)[ra].as_py()), "url": url,
                "title": normalize_text(rows_a.column("title")[ra].as_py()) or None,
                "reason": reason, "deleted": reason in DELETION_REASONS, "explanation": why,
                "a": _evidence(rows_a, ra)}
        if page:
            item["b"] = _page_evidence(page)
        removed.append(item)
    return {"added": added, "removed": removed, "changed": changed_items,
            "unchanged": unchanged}


def diff_snapshots(archive_root: Path | str, a: str, b: str) -> dict[str, Any]:
    """Compare the datasets of snapshots `a` and `b` (ids or `latest`/`previous`).

    Returns `{a, b, summary, added, removed, changed, unchanged}`; items are sorted by kind and
    key. See the module docstring and docs/audit.md for the semantics.
    """
    root = Path(archive_root)
    a, b = resolve_ref(root, a), resolve_ref(root, b)
    side_a, side_b = load_side(root, a), load_side(root, b)
    datasets = (root / "snapshots" / a / "datasets", root / "snapshots" / b / "datasets")
    parts = [
        _diff_kind("article", ARTICLE_FIELDS, side_a.articles, side_b.articles, side_b.pages,
                   datasets, (a, b)),
        _diff_kind("document", DOCUMENT_FIELDS, side_a.documents, side_b.documents,
                   side_b.pages, datasets, (a, b)),
    ]
    order = {"article": 0, "document": 1}

    def sort(items: list[dict]) -> list[dict]:
        return sorted(items, key=lambda it: (order[it["kind"]], *sort_key(it["key"])))

    added = sort([x for p in parts for x in p["added"]])
    removed = sort([x for p in parts for x in p["removed"]])
    changed = sort([x for p in parts for x in p["changed"]])
    unchanged = sum(p["unchanged"] for p in parts)
    deleted = sum(1 for r in removed if r["deleted"])
    summary = {
        "added": len(added), "removed": len(removed), "deleted": deleted,
        "not_captured": len(removed) - deleted, "changed": len(changed),
        "unchanged": unchanged,
        "by_kind": {
            kind: {"added": len(p["added"]), "removed": len(p["removed"]),
                   "changed": len(p["changed"]), "unchanged": p["unchanged"]}
            for kind, p in zip(("article", "document"), parts, strict=True)
        },
    }
    return {"a": a, "b": b, "summary": summary, "added": added, "removed": removed,
            "changed": changed, "unchanged": unchanged}
