"""Field-by-field diff of two snapshots' datasets: what was added, removed and changed.

Articles are matched by `article_id`, documents by `document_id` (and, for documents that lose
their id between snapshots, by an unambiguous `number`). Every compared field is normalised
first (Unicode NFC, whitespace runs collapsed, empty = null), so normalisation and whitespace
never count as changes; volatile counters (views, comments, downloads, rating) and page chrome
are not compared at all. The comparison is vectorised with pyarrow: each side's comparable
fields become one canonical string column per field, the two sides are hash-joined on the key,
and only rows whose canonical values differ get a Python word-level diff.

A key present in A and missing from B is *removed*, with a reason taken from B's `pages` table:
`http_404` / `http_410` (B fetched the URL and got that status), `soft_404` (B's page was
recognised as a soft 404), or `not_captured` (B did not fetch it, or fetched it without getting
the item: this is never a deletion, and items say so with `deleted: false`).

`diff_snapshots(archive_root, a, b)` returns the JSON-ready dict documented in docs/audit.md;
`archive.diff_report` renders it as HTML, Markdown, CSV or JSON.
"""

from __future__ import annotations

import difflib
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
DELETION_REASONS = ("http_404", "http_410", "soft_404")
LINEAGE = ("snapshot_id", "captured_at", "warc_file", "warc_offset", "warc_record_id",
           "payload_digest")

# Separators inside canonical strings: control characters never left in normalised text.
_ITEM_SEP = "\x1e"
_PART_SEP = "\x1f"
# RE2 (pyarrow) `\s` is ASCII only; \p{Z} adds NBSP and the other Unicode spaces.
_WS = r"[\s\p{Z}]+"


class DiffError(Exception):
    """A diff that cannot be made (unknown snapshot, no datasets…); one line for the user."""


# -- normalisation (vectorised) --------------------------------------------------------------
def _norm_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """NFC, whitespace collapsed and trimmed, '' → null, for a string column."""
    arr = pc.utf8_normalize(arr, "NFC")
    arr = pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, _WS, " "))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _as_string(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Canonical text for one column of any type (timestamps as UTC microseconds)."""
    if pa.types.is_timestamp(arr.type):
        return pc.cast(pc.cast(arr, pa.int64()), pa.string())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return _norm_text(arr)
    return pc.cast(arr, pa.string())


def _join_list(lists: pa.Array | pa.ChunkedArray,
               items: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """One canonical string per list: `items(flat values)` joined with _ITEM_SEP; [] → null."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    lists = pc.fill_null(lists, pa.scalar([], lists.type))
    flat = lists.flatten()  # honours slicing, unlike .values
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    rebuilt = pa.ListArray.from_arrays(offsets, items(flat))
    joined = pc.binary_join(rebuilt, _ITEM_SEP)
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)


def _join_parts(*parts: pa.Array) -> pa.Array:
    """Element-wise join of several string columns with _PART_SEP (null parts as '')."""
    filled = [pc.fill_null(p, "") for p in parts]
    return pc.binary_join_element_wise(*filled, _PART_SEP)


def _link_items(flat: pa.Array) -> pa.Array:
    return _join_parts(_norm_text(pc.struct_field(flat, "url")),
                       _norm_text(pc.struct_field(flat, "name")))


# -- reading one side ------------------------------------------------------------------------
SideKind = tuple[pa.Table, pa.Table]


@dataclass
class Side:
    """One snapshot's comparable records: per kind, (canonical table, dataset rows)."""

    snapshot_id: str
    articles: SideKind
    documents: SideKind
    pages: dict[str, dict[str, Any]]  # url → latest pages row (status, page_type, lineage)


def _read(datasets: Path, table: str, snapshot_id: str) -> pa.Table:
    path = datasets / f"{table}.parquet"
    if not path.is_file():
        raise DiffError(
            f"snapshot {snapshot_id} has no datasets ({path.name} missing in {datasets}); "
            f"build them with `portal-archive extract`"
        )
    return pq.read_table(path)


def _last_per_key(table: pa.Table, key: str) -> pa.Table:
    """The latest capture of each key (by captured_at, file, offset) within one snapshot."""
    if table.num_rows == 0:
        return table
    order = [(key, "ascending"), ("captured_at", "ascending"), ("warc_file", "ascending"),
             ("warc_offset", "ascending")]
    table = table.take(pc.sort_indices(table, sort_keys=order))
    keys = table.column(key).to_numpy(zero_copy_only=False)
    last = np.ones(len(keys), dtype=bool)
    last[:-1] = keys[:-1] != keys[1:]
    return table.filter(pa.array(last))


def _child_canon(child: pa.Table, key: str, parts: list[str], parents: pa.Table) -> pa.Array:
    """Per parent row, its child rows (by capture and position) as one canonical string."""
    if child.num_rows == 0:
        return pa.nulls(parents.num_rows, pa.string())
    child = child.take(pc.sort_indices(
        child, sort_keys=[("warc_record_id", "ascending"), (key, "ascending"),
                          ("position", "ascending")]))
    item = _join_parts(*[_norm_text(child.column(p)) for p in parts])
    grouped = (pa.table({"warc_record_id": child.column("warc_record_id"),
                         key: child.column(key), "item": item})
               .group_by(["warc_record_id", key], use_threads=False)
               .aggregate([("item", "list")]))
    joined = pc.binary_join(grouped.column("item_list"), _ITEM_SEP)
    lookup = pa.table({"warc_record_id": grouped.column("warc_record_id"),
                       key: grouped.column(key), "canon": joined})
    # A left join reorders rows: carry the parent's row number through it.
    left = pa.table({"warc_record_id": parents.column("warc_record_id"),
                     key: parents.column(key),
                     "_row": pa.array(np.arange(parents.num_rows))})
    out = left.join(lookup, ["warc_record_id", key], join_type="left outer", use_threads=False)
    out = out.sort_by("_row")
    return out.column("canon").combine_chunks()


def _article_side(datasets: Path, snapshot_id: str) -> SideKind:
    arts = _last_per_key(_read(datasets, "articles", snapshot_id), "article_id")
    authors = _read(datasets, "article_authors", snapshot_id)
    images = _read(datasets, "images", snapshot_id)
    canon = {
        "title": _as_string(arts.column("title")),
        "body_text": _as_string(arts.column("body_text")),
        "summary": _as_string(arts.column("summary")),
        "published_at": _as_string(arts.column("published_at")),
        "authors": _child_canon(authors, "article_id", ["name", "organization"], arts),
        "images": _child_canon(images, "article_id", ["src", "caption", "credit"], arts),
        "tags": _join_list(arts.column("tags"), _norm_text),
        "category": _as_string(arts.column("category")),
        "attachments": _join_list(arts.column("attachments"), _link_items),
    }
    return _side_table(arts, "article_id", canon)


def _document_side(datasets: Path, snapshot_id: str) -> SideKind:
    docs = _last_per_key(_read(datasets, "documents", snapshot_id), "document_id")
    canon = {f: _as_string(docs.column(f)) for f in DOCUMENT_FIELDS}
    return _side_table(docs, "document_id", canon)


def _side_table(rows: pa.Table, key: str, canon: dict[str, pa.Array]) -> SideKind:
    """(canonical table: key, _row, canon_<field>…; the dataset rows `_row` points into)."""
    cols: dict[str, Any] = {"key": rows.column(key), "_row": pa.array(np.arange(rows.num_rows))}
    cols.update({f"canon_{f}": v for f, v in canon.items()})
    return pa.table(cols), rows


def _pages_lookup(datasets: Path, snapshot_id: str) -> dict[str, dict[str, Any]]:
    pages = _read(datasets, "pages", snapshot_id)
    if pages.num_rows == 0:
        return {}
    pages = pages.select(["url", "status", "page_type", "record_type", *LINEAGE])
    pages = pages.take(pc.sort_indices(pages, sort_keys=[("captured_at", "ascending"),
                                                         ("warc_file", "ascending"),
                                                         ("warc_offset", "ascending")]))
    return {row["url"]: row for row in pages.to_pylist()}  # later captures win


def load_side(archive_root: Path, snapshot_id: str) -> Side:
    """Read one snapshot's datasets into comparable form; DiffError if it has none."""
    datasets = Path(archive_root) / "snapshots" / snapshot_id / "datasets"
    articles = _article_side(datasets, snapshot_id)
    documents = _document_side(datasets, snapshot_id)
    return Side(snapshot_id, articles, documents, _pages_lookup(datasets, snapshot_id))


# -- snapshot references ---------------------------------------------------------------------
def resolve_ref(archive_root: Path, ref: str) -> str:
    """A snapshot id from an id or the shorthands `latest` / `previous` (closed snapshots)."""
    if ref in ("latest", "previous"):
        latest = latest_closed(archive_root)
        if latest is None:
            raise DiffError(f"no closed snapshot in {archive_root}")
        if ref == "latest":
            return latest.snapshot_id
        prev = latest_closed(archive_root, before=latest.snapshot_id)
        if prev is None:
            raise DiffError(f"only one closed snapshot in {archive_root}: no `previous`")
        return prev.snapshot_id
    try:
        snap = open_snapshot(archive_root, ref)
    except SnapshotError:
        known = ", ".join(s.snapshot_id for s in list_snapshots(archive_root)) or "none"
        raise DiffError(f"no snapshot {ref!r} in {archive_root} (known: {known})") from None
    if snap.status != "closed":
        raise DiffError(f"snapshot {ref} is {snap.status}; only closed snapshots can be diffed")
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


def removal_reason(pages_b: dict[str, dict[str, Any]], urls: list[str]) -> tuple[str, str, dict]:
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
        what = f"HTTP {status}" if status is not None else "no HTTP response"
        return ("not_captured",
                f"B fetched the URL ({what}, page type {page.get('page_type')}) but did not "
                f"get this record: not a deletion", page)
    return "not_captured", "B did not fetch the URL: not a deletion", {}


def _pair_documents_by_number(
    joined: pa.Table, a_rows: pa.Table, b_rows: pa.Table
) -> list[tuple[int, int]]:
    """(A row, B row) of documents whose id changed but whose number is the same, unambiguous."""
    only_a = joined.filter(pc.is_null(joined.column("_row_b")))
    only_b = joined.filter(pc.is_null(joined.column("_row_a")))
    if not only_a.num_rows or not only_b.num_rows:
        return []

    def by_number(side: pa.Table, rows_col: str, rows: pa.Table) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for r in side.column(rows_col).to_pylist():
            number = normalize_text(rows.column("number")[r].as_py())
            if number:
                found.setdefault(number, []).append(r)
        return found

    na, nb = by_number(only_a, "_row_a", a_rows), by_number(only_b, "_row_b", b_rows)
    return [(ra[0], nb[n][0]) for n, ra in na.items()
            if len(ra) == 1 and len(nb.get(n, [])) == 1]


def _diff_kind(kind: str, fields: tuple[str, ...], side_a: SideKind,
               side_b: SideKind, pages_b: dict, datasets: tuple[Path, Path],
               snap_ids: tuple[str, str]) -> dict[str, Any]:
    (canon_a, rows_a), (canon_b, rows_b) = side_a, side_b
    joined = canon_a.join(canon_b, "key", join_type="full outer", left_suffix="_a",
                          right_suffix="_b", coalesce_keys=True, use_threads=False)
    # Column names after the join: canon_<f>_a/_b only where both sides have them (always).
    has_a = pc.is_valid(joined.column("_row_a"))
    has_b = pc.is_valid(joined.column("_row_b"))
    both = joined.filter(pc.and_(has_a, has_b))
    diff_masks = {}
    any_changed = pa.array(np.zeros(both.num_rows, dtype=bool))
    for f in fields:
        ca = pc.fill_null(both.column(f"canon_{f}_a"), "\x00")
        cb = pc.fill_null(both.column(f"canon_{f}_b"), "\x00")
        mask = pc.not_equal(ca, cb)
        diff_masks[f] = mask
        any_changed = pc.or_(any_changed, mask)
    changed_rows = both.filter(any_changed)
    masks = {f: m.filter(any_changed).to_pylist() for f, m in diff_masks.items()}
    pairs = [(ra, rb, {f for f in fields if masks[f][i]})
             for i, (ra, rb) in enumerate(zip(changed_rows.column("_row_a").to_pylist(),
                                              changed_rows.column("_row_b").to_pylist(),
                                              strict=True))]
    unchanged = both.num_rows - changed_rows.num_rows

    renumbered = []
    if kind == "document":
        for ra, rb in _pair_documents_by_number(joined, rows_a, rows_b):
            fa = {f: canon_a.column(f"canon_{f}")[ra].as_py() for f in fields}
            fb = {f: canon_b.column(f"canon_{f}")[rb].as_py() for f in fields}
            changed = {f for f in fields if fa[f] != fb[f]}
            renumbered.append((ra, rb))
            if changed:
                pairs.append((ra, rb, changed))
            else:
                unchanged += 1
    paired_a = {ra for ra, _ in renumbered}
    paired_b = {rb for _, rb in renumbered}

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
            "key": rows_b.column(key_col)[rb].as_py(),
            "url": rows_b.column("url")[rb].as_py(),
            "title": normalize_text(rows_b.column("title")[rb].as_py()) or None,
            "fields": names,
            "changes": {f: field_change(f, _display(kind, f, rows_a, ra, children_a),
                                        _display(kind, f, rows_b, rb, children_b))
                        for f in names},
            "a": _evidence(rows_a, ra),
            "b": _evidence(rows_b, rb),
        }
        key_a = rows_a.column(key_col)[ra].as_py()
        if key_a != item["key"]:
            item["key_a"] = key_a
            item["matched_by"] = "number"
        changed_items.append(item)

    added = []
    for rb in joined.filter(pc.invert(has_a)).column("_row_b").to_pylist():
        if rb in paired_b:
            continue
        added.append({"kind": kind, "key": rows_b.column(key_col)[rb].as_py(),
                      "url": rows_b.column("url")[rb].as_py(),
                      "title": normalize_text(rows_b.column("title")[rb].as_py()) or None,
                      "b": _evidence(rows_b, rb)})
    removed = []
    for ra in joined.filter(pc.invert(has_b)).column("_row_a").to_pylist():
        if ra in paired_a:
            continue
        url, page_url = rows_a.column("url")[ra].as_py(), rows_a.column("page_url")[ra].as_py()
        reason, why, page = removal_reason(pages_b, [page_url, url])
        item = {"kind": kind, "key": rows_a.column(key_col)[ra].as_py(), "url": url,
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
        return sorted(items, key=lambda it: (order[it["kind"]], it["key"]))

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
