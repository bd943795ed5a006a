"""Diff of two portal states (audit.state): what the portal changed between nights A and B.

Each item's version in the state as of A is compared with its version in the state as of B:

- **re-checked after A** (the state as of B verified it in a snapshot after A, B or one between):
  `added` if the state as of A never saw it, `removed` if it was present as of A and was since
  found gone (HTTP 404 / 410, soft 404: `reason`, `withdrawn_at`), `changed` / `unchanged` by
  the same field comparison as `audit.diff` (the version as of A may be in any earlier
  snapshot), `restored` (in `changed`) if it had been withdrawn and came back;
- **not re-checked** since A: listed apart with the date it was last verified, never counted as
  added, removed or unchanged. An incremental night re-fetches only the items the freshness
  policy says are due, so most items of a nightly diff are here.

No item an earlier snapshot holds is ever `added`. `diff_states(archive_root, a, b)` returns the
JSON-ready dict of `audit.diff.diff_snapshots` (same core keys and item shapes) plus
`not_rechecked`, `summary.not_rechecked`, `summary.oldest_verified` and `policy`;
`audit.diff_report` renders it. See docs/audit.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from archive.snapshot import open_snapshot
from audit.diff import (
    ARTICLE_FIELDS,
    DOCUMENT_FIELDS,
    LINEAGE,
    _author_text,
    _changed_fields,
    _display,
    _evidence,
    _image_text,
    _iso,
    _pair_documents_by_number,
    article_canon,
    canonical,
    document_canon,
    field_change,
    normalize_text,
)
from audit.keys import shown_key, sort_key
from audit.state import LazyKind, StateError, _children, closed_up_to, lazy_states, resolve_snapshot

REASON_EXPLANATION = {
    "http_404": "fetched the URL and got HTTP 404",
    "http_410": "fetched the URL and got HTTP 410 Gone",
    "soft_404": "fetched the URL and got a soft-404 page",
    "redirect_home": "fetched the URL and was redirected to the home page (the platform's "
                     "answer for a missing item)",
}
_STATUS_OF = {"http_404": 404, "http_410": 410, "redirect_home": 302}
# The version columns a diff reads: lineage, identity and the compared fields (no body_html,
# counters or breadcrumbs, the bulk of a state it does not need).
_IDENTITY = [*LINEAGE, "url", "page_url", "title"]
DIFF_COLUMNS = {
    "article": list(dict.fromkeys(["article_id", *_IDENTITY, *(
        f for f in ARTICLE_FIELDS if f not in ("authors", "images"))])),
    "document": list(dict.fromkeys(["document_id", *_IDENTITY, *DOCUMENT_FIELDS])),
}


class _Rows:
    """Rows of a state addressed by their position in the whole state (sorted by key), backed
    by the few rows that were read: `rows.column(name)[position]` as on a pa.Table."""

    def __init__(self, table: pa.Table, positions: np.ndarray) -> None:
        self.table = table
        self.index = {int(p): i for i, p in enumerate(positions)}

    def column(self, name: str) -> _Column:
        return _Column(self.table.column(name), self.index)


class _Column:
    def __init__(self, column: pa.ChunkedArray, index: dict[int, int]) -> None:
        self.values, self.index = column, index

    def __getitem__(self, position: int) -> pa.Scalar:
        return self.values[self.index[int(position)]]


@dataclass
class _Side:
    """The items of one state a diff reads, at `positions` of the state: rows and children."""

    positions: np.ndarray
    table: pa.Table
    children: dict[str, pa.Table]

    @classmethod
    def read(cls, lazy: LazyKind, positions: np.ndarray) -> _Side:
        positions = np.unique(positions).astype(np.int64)
        table = lazy.rows(positions, DIFF_COLUMNS[lazy.kind])
        children = {}
        if lazy.kind == "article":
            for name in ("article_authors", "images"):
                (children[name],) = _children(lazy.archive_root, lazy.snaps, [table],
                                              "article", name)
        return cls(positions, table, children)

    def rows(self) -> _Rows:
        return _Rows(self.table, self.positions)

    def sub(self, positions: np.ndarray) -> np.ndarray:
        """Row numbers in `table` of state positions."""
        return np.searchsorted(self.positions, positions)

    def canon(self, kind: str) -> dict[str, pa.Array]:
        if kind == "article":
            return article_canon(self.table, self.children["article_authors"],
                                 self.children["images"])
        return document_canon(self.table)


def _children_display(side: _Side, positions: list[int]) -> dict:
    """Authors and images of the given article rows as readable strings (as audit.diff)."""
    out: dict[str, dict] = {"authors": {}, "images": {}}
    if not positions:
        return out
    rows = side.rows()
    keys = {(rows.column("warc_record_id")[i].as_py(), rows.column("article_id")[i].as_py())
            for i in positions}
    ids = pa.array(sorted({k[0] for k in keys}))
    for table, name, fmt in (("article_authors", "authors", _author_text),
                             ("images", "images", _image_text)):
        child = side.children[table]
        child = child.filter(pc.is_in(child.column("warc_record_id"), value_set=ids))
        for row in sorted(child.to_pylist(), key=lambda r: r["position"]):
            key = (row["warc_record_id"], row["article_id"])
            if key in keys:
                out[name].setdefault(key, []).append(fmt(row))
    return out


def _title(rows: _Rows, i: int) -> str | None:
    return normalize_text(rows.column("title")[i].as_py()) or None


def _moves(la: LazyKind, lb: LazyKind, old: np.ndarray, added: np.ndarray) -> dict[int, int]:
    """{B position: A position} of items whose URL changed (a re-filed article on a platform
    whose items are keyed by URL): an A item gone from its URL (withdrawn, or not found
    again) and an item added in B with the same title and publication time, each the only
    one so: one item, changed (`category`, …), not one removed and one added. Items with
    the platform's own ids never move (their key does not depend on the URL)."""
    old = old[la.keys[old] < 0] if len(old) else old
    added = added[lb.keys[added] < 0] if len(added) else added
    if not len(old) or not len(added):
        return {}

    def index(lazy: LazyKind, positions: np.ndarray) -> dict[tuple, list[int]]:
        rows = lazy.rows(positions, ["title", "published_at"]).to_pydict()
        out: dict[tuple, list[int]] = {}
        for pos, title, when in zip(positions.tolist(), rows["title"], rows["published_at"],
                                    strict=True):
            if normalize_text(title) and when is not None:
                out.setdefault((normalize_text(title), when), []).append(int(pos))
        return out

    was, new = index(la, old), index(lb, added)
    return {new[k][0]: was[k][0] for k in was if len(was[k]) == 1 and len(new.get(k, [])) == 1}


def _diff_kind(kind: str, fields: tuple[str, ...], la: LazyKind, lb: LazyKind,
               cut_a: int) -> dict[str, Any]:
    keys_a, keys_b = la.keys, lb.keys
    key_col = f"{kind}_id"
    # Every item of state A is in state B (B's state is built from a superset of snapshots).
    in_a = np.isin(keys_b, keys_a, assume_unique=True)
    pos_a = np.searchsorted(keys_a, keys_b)  # meaningful where in_a
    rechecked = lb.last_verified > cut_a  # verified in a snapshot after A
    gone_b = lb.withdrawn >= 0
    gone_a = np.zeros(len(keys_b), dtype=bool)
    gone_a[in_a] = la.withdrawn[pos_a[in_a]] >= 0
    withdrawn_after = lb.withdrawn > cut_a

    not_rechecked = np.flatnonzero(~rechecked)
    added = np.flatnonzero(rechecked & ~in_a & ~gone_b)
    transient = np.flatnonzero(rechecked & ~in_a & gone_b)  # appeared and went after A
    removed = np.flatnonzero(rechecked & in_a & gone_b & (~gone_a | withdrawn_after))
    still_gone = np.flatnonzero(rechecked & in_a & gone_b & gone_a & ~withdrawn_after)
    compare = np.flatnonzero(rechecked & in_a & ~gone_b)

    # Items that moved (URL keys): gone from their old URL, added at a new one.
    gone_or_unseen = np.r_[removed, not_rechecked[in_a[not_rechecked]]].astype(np.int64)
    moves = _moves(la, lb, pos_a[gone_or_unseen], added)
    moved_a = set(moves.values())
    # Read only the versions compared or listed (documents: all, for matching by number).
    if kind == "document":
        side_a = _Side.read(la, np.arange(len(keys_a)))
        side_b = _Side.read(lb, np.arange(len(keys_b)))
    else:
        side_a = _Side.read(la, np.r_[pos_a[np.r_[compare, removed]],
                                      np.array(list(moves.values()), dtype=np.int64)])
        side_b = _Side.read(lb, np.r_[compare, added, removed])
    rows_a, rows_b = side_a.rows(), side_b.rows()
    canon_a, canon_b = side_a.canon(kind), side_b.canon(kind)
    ia, ib = pos_a[compare], compare
    pairs = [(int(side_a.positions[ra]), int(side_b.positions[rb]), changed)
             for ra, rb, changed in _changed_fields(fields, canon_a, canon_b, side_a.sub(ia),
                                                    side_b.sub(ib))]
    changed_b = {rb for _, rb, _ in pairs}
    restored = {int(rb) for rb in compare if gone_a[rb]}
    # A restored item is reported even when its text is what it was before it went.
    pairs += [(int(pos_a[rb]), rb, set()) for rb in sorted(restored - changed_b)]
    unchanged = len(compare) - len(pairs)

    paired_b: set[int] = set()
    unpaired_old: set[int] = set()
    moved_from: dict[int, str] = {}
    for rb, ra in moves.items():
        paired_b.add(rb)
        unpaired_old.add(int(keys_a[ra]))
        moved_from[rb] = rows_a.column("url")[ra].as_py()
        row_a, row_b = int(side_a.sub(np.array([ra]))[0]), int(side_b.sub(np.array([rb]))[0])
        pairs.append((ra, rb, {f for f in fields if canonical(canon_a[f][row_a].as_py())
                               != canonical(canon_b[f][row_b].as_py())}))
    if kind == "document":
        # A document whose id changed: the old id went (or was not re-checked), a new id with
        # the same number appeared. Match them as one document, as audit.diff does.
        old = [int(pos_a[r]) for r in np.r_[removed, not_rechecked] if in_a[r]]
        for ra, rb in _pair_documents_by_number(old, added.tolist(), side_a.table,
                                                side_b.table):
            paired_b.add(rb)
            unpaired_old.add(int(keys_a[ra]))
            changed = {f for f in fields if canonical(canon_a[f][ra].as_py())
                       != canonical(canon_b[f][rb].as_py())}
            pairs.append((ra, rb, changed))

    children_a: dict = {"authors": {}, "images": {}}
    children_b: dict = {"authors": {}, "images": {}}
    if kind == "article":
        need = [(ra, rb) for ra, rb, ch in pairs if ch & {"authors", "images"}]
        children_a = _children_display(side_a, [ra for ra, _ in need])
        children_b = _children_display(side_b, [rb for _, rb in need])

    changed_items = []
    for ra, rb, changed in pairs:
        names = [f for f in fields if f in changed]
        item = {
            "kind": kind, "key": shown_key(rows_b.column(key_col)[rb].as_py()),
            "url": rows_b.column("url")[rb].as_py(), "title": _title(rows_b, rb),
            "fields": names,
            "changes": {f: field_change(f, _display(kind, f, rows_a, ra, children_a),
                                        _display(kind, f, rows_b, rb, children_b))
                        for f in names},
            "a": _evidence(rows_a, ra), "b": _evidence(rows_b, rb),
        }
        if rb in restored:
            item["restored"] = True
            item["withdrawn_at"] = _iso(rows_a.column("withdrawn_at")[ra].as_py())
        key_a = shown_key(rows_a.column(key_col)[ra].as_py())
        if rb in moved_from:
            item["key_a"], item["matched_by"] = key_a, "content"
            item["moved_from"] = moved_from[rb]
        elif key_a != item["key"]:
            item["key_a"], item["matched_by"] = key_a, "number"
        changed_items.append(item)

    added_items = [{"kind": kind, "key": shown_key(rows_b.column(key_col)[rb].as_py()),
                    "url": rows_b.column("url")[rb].as_py(), "title": _title(rows_b, rb),
                    "first_seen_at": _iso(rows_b.column("first_seen_at")[rb].as_py()),
                    "b": _evidence(rows_b, rb)}
                   for rb in added.tolist() if rb not in paired_b]
    removed_items = []
    for rb in removed.tolist():
        if int(pos_a[rb]) in moved_a:
            continue
        reason = rows_b.column("withdrawn_reason")[rb].as_py()
        sid = rows_b.column("withdrawn_snapshot")[rb].as_py()
        when = _iso(rows_b.column("withdrawn_at")[rb].as_py())
        removed_items.append({
            "kind": kind, "key": shown_key(rows_b.column(key_col)[rb].as_py()),
            "url": rows_b.column("url")[rb].as_py(), "title": _title(rows_b, rb),
            "reason": reason, "deleted": True,
            "explanation": f"snapshot {sid} {REASON_EXPLANATION.get(reason, reason)}",
            "withdrawn_at": when, "withdrawn_snapshot": sid,
            "a": _evidence(rows_a, int(pos_a[rb])),
            "b": {"snapshot_id": sid, "captured_at": when, "url": rows_b.column("url")[rb].as_py(),
                  "status": _STATUS_OF.get(reason, 200), "page_type": (
                      "soft_404" if reason == "soft_404" else None)},
        })
    unchecked = []
    listed = lb.rows(not_rechecked, [key_col, "url", "page_url", "title", *LINEAGE]).select(
        [key_col, "url", "page_url", "title", "status", "last_verified_at",
         "last_verified_snapshot", *LINEAGE]).to_pylist()  # one conversion, not one per cell
    for row in listed:
        if row[key_col] in unpaired_old:
            continue
        evidence = {name: row[name] for name in LINEAGE}
        evidence.update(captured_at=_iso(row["captured_at"]), url=row["page_url"])
        unchecked.append({
            "kind": kind, "key": shown_key(row[key_col]), "url": row["url"],
            "title": normalize_text(row["title"]) or None,
            "status": "withdrawn" if row["status"] == "withdrawn" else "present",
            "last_verified_at": _iso(row["last_verified_at"]),
            "last_verified_snapshot": row["last_verified_snapshot"], "a": evidence,
        })
    return {"added": added_items, "removed": removed_items, "changed": changed_items,
            "unchanged": unchanged, "not_rechecked": unchecked,
            "still_withdrawn": len(still_gone), "transient": len(transient)}


def _policy(archive_root: Path, snapshot_id: str) -> dict[str, Any] | None:
    """B's freshness policy as recorded in its manifest (None: every known item re-fetched)."""
    settings = open_snapshot(archive_root, snapshot_id).manifest.get("settings") or {}
    policy = settings.get("incremental")
    return dict(policy) if isinstance(policy, dict) else None


def diff_states(archive_root: Path | str, a: str, b: str) -> dict[str, Any]:
    """Compare the portal's state as of closed snapshot `a` with its state as of `b`.

    `a` and `b` are ids or `latest` / `previous`; `a` must not be after `b`. StateError (one
    line) otherwise. See the module docstring for the semantics.
    """
    root = Path(archive_root)
    a, b = resolve_snapshot(root, a), resolve_snapshot(root, b)
    up_to_b = closed_up_to(root, b)
    if a not in up_to_b:
        raise StateError(f"snapshot {a} is after {b}: give the older snapshot first")
    cut_a = up_to_b.index(a)
    parts = []
    for kind, fields in (("article", ARTICLE_FIELDS), ("document", DOCUMENT_FIELDS)):
        la, lb = lazy_states(root, [a, b], kind)
        parts.append(_diff_kind(kind, fields, la, lb, cut_a))
    order = {"article": 0, "document": 1}

    def merged(name: str) -> list[dict]:
        items = [x for p in parts for x in p[name]]
        return sorted(items, key=lambda it: (order[it["kind"]], *sort_key(it["key"])))

    added, removed, changed = merged("added"), merged("removed"), merged("changed")
    unchecked = merged("not_rechecked")
    unchanged = sum(p["unchanged"] for p in parts)
    oldest = min((i["last_verified_at"] for i in unchecked), default=None)
    summary = {
        "added": len(added), "removed": len(removed), "deleted": len(removed),
        "not_captured": 0, "changed": len(changed), "unchanged": unchanged,
        "not_rechecked": len(unchecked), "oldest_verified": oldest,
        "still_withdrawn": sum(p["still_withdrawn"] for p in parts),
        "transient": sum(p["transient"] for p in parts),
        "by_kind": {
            kind: {"added": len(p["added"]), "removed": len(p["removed"]),
                   "changed": len(p["changed"]), "unchanged": p["unchanged"],
                   "not_rechecked": len(p["not_rechecked"])}
            for kind, p in zip(("article", "document"), parts, strict=True)
        },
    }
    return {"a": a, "b": b, "compares": "states", "policy": _policy(root, b),
            "summary": summary, "added": added, "removed": removed, "changed": changed,
            "unchanged": unchanged, "not_rechecked": unchecked}
