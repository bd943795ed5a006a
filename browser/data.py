"""What the archive browser's pages show, read from the archive through `archive/` and `audit/`.

Everything here only reads. Closed snapshots never change, so what is derived from them (diffs,
per-snapshot tables) is cached in memory, keyed by the snapshot ids and their `ended_at`.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.snapshot import (
    Snapshot,
    SnapshotError,
    list_snapshots,
    open_snapshot,
    snapshot_portal,
)
from audit.diff import (
    ARTICLE_FIELDS,
    DOCUMENT_FIELDS,
    DiffError,
    diff_snapshots,
    field_change,
    normalize_text,
)

KINDS = {"article": ("articles", "article_id", ARTICLE_FIELDS),
         "document": ("documents", "document_id", DOCUMENT_FIELDS)}
# Tables offered for download, in the order the snapshot page lists them.
TABLES = ("articles", "article_authors", "images", "documents", "document_files",
          "document_listings", "pages", "rejects")
DATASET_NAME = re.compile(r"^([a-z_]{1,40})\.(parquet|csv)$")
MAX_ROWS = 500  # rows a listing shows before it says how many more there are


class NotFound(Exception):
    """A snapshot, item, table or URL the archive does not hold (HTTP 404)."""


# -- portals and snapshots -------------------------------------------------------------------
def portal_of(snap: Snapshot) -> str:
    """The portal a snapshot belongs to: its registry name (docs/portals.md), or for a
    snapshot written before the registry its seed's host, as `snapshots` lists it."""
    return snapshot_portal(snap.manifest)


def portals(root: Path) -> dict[str, list[Snapshot]]:
    out: dict[str, list[Snapshot]] = {}
    for snap in list_snapshots(root):
        out.setdefault(portal_of(snap), []).append(snap)
    return out


def get_snapshot(root: Path, snapshot_id: str) -> Snapshot:
    try:
        return open_snapshot(root, snapshot_id)
    except SnapshotError as exc:
        raise NotFound(str(exc)) from None


def previous_closed(root: Path, snap: Snapshot) -> Snapshot | None:
    """The closed snapshot of the same portal just before `snap`, if any."""
    before = None
    for other in portals(root).get(portal_of(snap), []):
        if other.snapshot_id == snap.snapshot_id:
            return before
        if other.status == "closed":
            before = other
    return None


@lru_cache(maxsize=64)
def _cached_diff(root: str, a: str, b: str, a_end: str, b_end: str,
                 states: bool) -> dict[str, Any]:
    if states:
        from audit.state_diff import diff_states

        return diff_states(Path(root), a, b)
    return diff_snapshots(Path(root), a, b)


def diff(root: Path, a: str, b: str, states: bool = False) -> dict[str, Any]:
    """`audit.diff.diff_snapshots` (what A and B captured: the timeline's counts), or with
    `states` `audit.state_diff.diff_states` (the portal's state, what `portal-archive diff`
    prints by default: an article refiled under a new URL is one changed article, an item a
    night did not re-check is not removed), cached: closed snapshots do not change. Raises
    DiffError or audit.state.StateError (one line) for snapshots that cannot be compared."""
    sa, sb = get_snapshot(root, a), get_snapshot(root, b)
    for snap in (sa, sb):
        if snap.status != "closed":
            raise DiffError(f"snapshot {snap.snapshot_id} is {snap.status}; only closed "
                            f"snapshots can be diffed")
    return _cached_diff(str(root), a, b, str(sa.manifest.get("ended_at")),
                        str(sb.manifest.get("ended_at")), states)


def timeline(root: Path, portal: str, verifier: Verifier | None = None) -> list[dict[str, Any]]:
    """One row per snapshot of the portal, oldest first: counts, changes, verify status."""
    snaps = portals(root).get(portal)
    if snaps is None:
        raise NotFound(f"no portal {portal!r} in the archive")
    rows = []
    previous: Snapshot | None = None
    for snap in snaps:
        stats = snap.manifest.get("stats") or {}
        row: dict[str, Any] = {"snap": snap, "captures": stats.get("captures"),
                               "revisits": stats.get("revisits"), "changes": None,
                               "previous": previous.snapshot_id if previous else None,
                               "verify": verifier.status(snap.snapshot_id) if verifier else None,
                               "quality": cached_quality(root, snap)}
        if snap.status == "closed" and previous is not None:
            try:
                s = diff(root, previous.snapshot_id, snap.snapshot_id)["summary"]
                row["changes"] = {"new": s["added"], "changed": s["changed"],
                                  "removed": s["deleted"], "not_captured": s["not_captured"]}
            except DiffError:
                row["changes"] = None
        rows.append(row)
        if snap.status == "closed":
            previous = snap
    return rows


# -- one snapshot ----------------------------------------------------------------------------
def _datasets_dir(snap: Snapshot) -> Path:
    return snap.path / "datasets"


def dataset_file(root: Path, snapshot_id: str, name: str) -> Path:
    """A dataset file of a snapshot, by a name checked against the known tables (no paths)."""
    m = DATASET_NAME.match(name or "")
    if not m or m.group(1) not in TABLES:
        raise NotFound(f"no dataset {name!r}")
    snap = get_snapshot(root, snapshot_id)
    base = _datasets_dir(snap).resolve()
    path = (base / name).resolve()
    if path.parent != base or not path.is_file():
        raise NotFound(f"no dataset {name!r} in snapshot {snapshot_id}")
    return path


def datasets(snap: Snapshot) -> list[dict[str, Any]]:
    """Each table's row count (from the Parquet footer) and its two files' sizes."""
    out = []
    base = _datasets_dir(snap)
    for table in TABLES:
        parquet, csv = base / f"{table}.parquet", base / f"{table}.csv"
        if not parquet.is_file():
            continue
        out.append({"table": table, "rows": pq.ParquetFile(parquet).metadata.num_rows,
                    "parquet": parquet.stat().st_size,
                    "csv": csv.stat().st_size if csv.is_file() else None})
    return out


class _KeyedTable:
    """One closed snapshot's Parquet table, opened once, with each row group's min and max of
    a key column: the rows of one key are read from the few groups that can hold them (the
    writer writes groups of 500 rows in capture order, so a key is in one or two of them).
    pyarrow's `filters=` does the same pruning but reopens and re-reads the footer each time:
    15 ms a read against 1-3 ms here, times 3 tables × 10 snapshots for an item page."""

    def __init__(self, path: Path, key: str) -> None:
        self.file = pq.ParquetFile(path)
        self.lock = threading.Lock()
        meta = self.file.metadata
        col = next((j for j in range(meta.num_columns)
                    if meta.row_group(0).column(j).path_in_schema == key), None) \
            if meta.num_row_groups else None
        self.ranges = []
        for i in range(meta.num_row_groups):
            stats = meta.row_group(i).column(col).statistics if col is not None else None
            if stats is not None and stats.has_min_max:
                self.ranges.append((i, stats.min, stats.max))
            else:
                self.ranges.append((i, None, None))

    def rows(self, key_col: str, key: Any, columns: list[str] | None) -> pa.Table:
        groups = [i for i, lo, hi in self.ranges if lo is None or lo <= key <= hi]
        with self.lock:
            table = self.file.read_row_groups(groups, columns=columns)
        return table.filter(pc.equal(table.column(key_col), key))


@lru_cache(maxsize=256)
def _keyed(path: str, mtime: float, key: str) -> _KeyedTable:
    return _KeyedTable(Path(path), key)


def _rows_for(snap: Snapshot, table: str, key_col: str, key: Any,
              columns: list[str] | None = None) -> pa.Table | None:
    """The rows of `table` whose `key_col` is `key` (see _KeyedTable)."""
    path = _datasets_dir(snap) / f"{table}.parquet"
    if not path.is_file():
        return None
    if isinstance(key, int) and key < 0:
        # An item keyed by URL (no numeric id on its platform): the state's id is a stand-in
        # for its item_key (audit.keys), so its rows are found by item_key.
        from audit.keys import fill_ids, shown_key

        item = shown_key(key)
        if not isinstance(item, str):
            return None
        wanted = None if columns is None else list(dict.fromkeys([*columns, "item_key"]))
        rows = _keyed(str(path), path.stat().st_mtime, "item_key").rows("item_key", item, wanted)
        rows = fill_ids(rows, table)
        return rows if columns is None else rows.select(columns)
    return _keyed(str(path), path.stat().st_mtime, key_col).rows(key_col, key, columns)


def _read(snap: Snapshot, table: str, columns: list[str] | None = None,
          filters: Any = None) -> pa.Table | None:
    path = _datasets_dir(snap) / f"{table}.parquet"
    if not path.is_file():
        return None
    return pq.read_table(path, columns=columns, filters=filters)


def pages_by_type(snap: Snapshot) -> list[dict[str, Any]]:
    """(page type, HTTP status, count) of the snapshot's `pages` table."""
    pages = _read(snap, "pages", ["page_type", "status"])
    if pages is None or pages.num_rows == 0:
        return []
    counts = pages.group_by(["page_type", "status"]).aggregate([([], "count_all")])
    rows = [{"page_type": r["page_type"] or "-", "status": r["status"], "count": r["count_all"]}
            for r in counts.to_pylist()]
    return sorted(rows, key=lambda r: (r["page_type"], r["status"] or 0))


PAGE_SIZE = 100  # rows of a page listing per screen


@lru_cache(maxsize=16)
def _pages_sorted(path: str, mtime: float) -> pa.Table:
    """A snapshot's `pages` table (the listed columns), sorted by URL, kept in memory: a
    closed snapshot does not change, and sorting 20,000 rows per request cost 100 ms."""
    table = pq.read_table(path, columns=["url", "status", "page_type", "title", "captured_at",
                                         "record_type", "article_id", "document_id"])
    return table.sort_by([("url", "ascending")])


def pages_list(snap: Snapshot, page_type: str | None, status: int | None,
               start: int = 0) -> tuple[list, int]:
    """The snapshot's pages of one type and status, PAGE_SIZE of them from `start`, and how
    many there are in all."""
    path = _datasets_dir(snap) / "pages.parquet"
    if not path.is_file():
        return [], 0
    pages = _pages_sorted(str(path), path.stat().st_mtime)
    mask = None
    if page_type:
        mask = pc.equal(pages.column("page_type"), page_type)
    if status is not None:
        m = pc.equal(pages.column("status"), status)
        mask = m if mask is None else pc.and_(mask, m)
    if mask is not None:
        pages = pages.filter(mask)
    return pages.slice(start, PAGE_SIZE).to_pylist(), pages.num_rows


def rejects(snap: Snapshot) -> tuple[list[dict[str, Any]], int]:
    table = _read(snap, "rejects")
    if table is None:
        return [], 0
    return table.slice(0, MAX_ROWS).to_pylist(), table.num_rows


@lru_cache(maxsize=32)
def _cached_quality(root: str, snapshot_id: str, ended_at: str) -> dict[str, Any]:
    from audit.quality import read_quality, snapshot_quality

    # The report kept at close (crawl, nightly); computed here only for a snapshot without one.
    return read_quality(root, snapshot_id) or snapshot_quality(Path(root), snapshot_id)


@lru_cache(maxsize=256)
def _kept_quality(root: str, snapshot_id: str, ended_at: str) -> dict[str, Any] | None:
    from audit.quality import read_quality

    return read_quality(root, snapshot_id)


def quality(root: Path, snap: Snapshot) -> dict[str, Any]:
    """`audit.quality.snapshot_quality`, cached (a closed snapshot does not change)."""
    key = (str(root), snap.snapshot_id, str(snap.manifest.get("ended_at")))
    report = _cached_quality(*key)
    _quality_done[key] = report
    return report


def cached_quality(root: Path, snap: Snapshot) -> dict[str, Any] | None:
    """The quality report if it was kept at close or computed already (the timeline does not
    wait for it)."""
    key = (str(root), snap.snapshot_id, str(snap.manifest.get("ended_at")))
    return _quality_done.get(key) or _kept_quality(*key)


_quality_done: dict[tuple[str, str, str], dict[str, Any]] = {}


# -- one item across snapshots ---------------------------------------------------------------
@dataclass
class Version:
    """Consecutive captures of an item whose compared fields are all equal."""

    number: int
    values: dict[str, Any]
    captures: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # vs the version before


def _display(kind: str, row: dict[str, Any], snap: Snapshot) -> dict[str, Any]:
    """The compared fields of one row as readable values (NFC, whitespace collapsed)."""
    out: dict[str, Any] = {}
    for name in KINDS[kind][2]:
        if name == "authors":
            out[name] = _children(snap, "article_authors", row, lambda r: (
                normalize_text(r["name"]) + (f" ({normalize_text(r['organization'])})"
                                             if r.get("organization") else "")))
            continue
        if name == "images":
            out[name] = _children(snap, "images", row, lambda r: " — ".join(
                x for x in (urlsplit(r["src"]).path, normalize_text(r.get("caption"))) if x))
            continue
        value = row.get(name)
        if name == "tags":
            value = [normalize_text(t) for t in value or []]
        elif name == "attachments":
            value = [normalize_text(a.get("name")) or urlsplit(a.get("url") or "").path
                     for a in value or []]
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, str):
            value = normalize_text(value) or None
        out[name] = value
    return out


def _children(snap: Snapshot, table: str, row: dict[str, Any], fmt: Any) -> list[str]:
    rows = _rows_for(snap, table, "article_id", row["article_id"])
    if rows is None:
        return []
    rows = rows.filter(pc.equal(rows.column("warc_record_id"), row["warc_record_id"]))
    return [fmt(r) for r in sorted(rows.to_pylist(), key=lambda r: r["position"])]


def _item_columns(kind: str) -> list[str]:
    _, key_col, fields = KINDS[kind]
    shown = [f for f in fields if f not in ("authors", "images")]
    return [key_col, "url", "page_url", "snapshot_id", "captured_at", "warc_file",
            "warc_offset", "warc_record_id", "payload_digest", *shown]


def item_history(root: Path, kind: str, key: int) -> dict[str, Any]:
    """Every capture of an article or document across closed snapshots, grouped into versions
    (field-level changes between them), with its state on each night and its WARC lineage."""
    if kind not in KINDS:
        raise NotFound(f"no kind {kind!r}")
    table, key_col, _ = KINDS[kind]
    versions: list[Version] = []
    nights: list[dict[str, Any]] = []
    urls: list[str] = []
    title = None
    for snap in list_snapshots(root):
        if snap.status != "closed":
            continue
        # Only the columns shown (not body_html), from the row groups that can hold the key.
        rows = _rows_for(snap, table, key_col, key, _item_columns(kind))
        rows = sorted(rows.to_pylist() if rows is not None else [],
                      key=lambda r: (r["captured_at"], r["warc_file"], r["warc_offset"]))
        for row in rows:
            values = _display(kind, row, snap)
            capture = {"snapshot_id": snap.snapshot_id, "url": row["page_url"],
                       "captured_at": row["captured_at"], "warc_file": row["warc_file"],
                       "warc_offset": row["warc_offset"],
                       "warc_record_id": row["warc_record_id"],
                       "payload_digest": row["payload_digest"]}
            for u in (row["url"], row["page_url"]):
                if u and u not in urls:
                    urls.append(u)
            title = values.get("title") or title
            if versions and versions[-1].values == values:
                versions[-1].captures.append(capture)
                continue
            changes = {}
            if versions:
                before = versions[-1].values
                changes = {f: field_change(f, before.get(f), values.get(f))
                           for f in values if before.get(f) != values.get(f)}
            versions.append(Version(len(versions) + 1, values, [capture], changes))
        nights.append({"snapshot_id": snap.snapshot_id, "started_at":
                       snap.manifest.get("started_at"), "rows": len(rows), "snap": snap})
    if not versions:
        raise NotFound(f"no {kind} {key} in any closed snapshot")
    states = []
    every = tuple(night["snapshot_id"] for night in nights)
    for i, night in enumerate(nights):
        states.append({"snapshot_id": night["snapshot_id"], "started_at": night["started_at"],
                       **_state_on(root, every[:i + 1], kind, key, every)})
    return {"kind": kind, "key": key, "title": title, "url": urls[0] if urls else None,
            "versions": versions, "states": states}


REASONS = {"http_404": "HTTP 404", "http_410": "HTTP 410", "soft_404": "soft 404"}


def _state_on(root: Path, closed: tuple[str, ...], kind: str, key: int,
              every_closed: tuple[str, ...]) -> dict[str, Any]:
    """The item's state as of the last of `closed` (the closed snapshots up to it), as
    `audit.state.portal_state` gives it to `diff` and the loader: present, withdrawn (how,
    since which night) or not re-checked (since when); `not_yet` before its first capture."""
    every = _every_night(str(root), every_closed)
    states = every.get((closed[-1], kind)) if every is not None else None
    if states is None:  # not built from the same snapshots: this one alone
        states = _night_states(str(root), closed, kind)
    if states is None:
        return {"state": "unknown", "detail": "", "since": None, "since_snapshot": None}
    keys, cols = states
    i = int(np.searchsorted(keys, key))
    if i == len(keys) or keys[i] != key:
        return {"state": "not_yet", "detail": "", "since": None, "since_snapshot": None}
    status = cols["status"][i]
    if status == "withdrawn":
        return {"state": status, "detail": REASONS.get(cols["withdrawn_reason"][i], ""),
                "since": cols["withdrawn_at"][i], "since_snapshot": cols["withdrawn_snapshot"][i]}
    if status == "not_rechecked":
        return {"state": status, "detail": "", "since": cols["last_verified_at"][i],
                "since_snapshot": cols["last_verified_snapshot"][i]}
    return {"state": status, "detail": "", "since": None, "since_snapshot": None}


@lru_cache(maxsize=64)
def _night_states(root: str, closed: tuple[str, ...],
                  kind: str) -> tuple[np.ndarray, dict[str, list[Any]]] | None:
    """Per snapshot (keyed by the closed snapshots up to it, which never change), the state
    columns of every item of `kind`, sorted by key: computed once, then a binary search per
    item page. Only the key column of the versions is read, not their text."""
    from audit.state import StateError, portal_state

    table, key_col, _ = KINDS[kind]
    try:
        state = portal_state(root, closed[-1], table, columns=[key_col])
    except StateError:  # e.g. a snapshot without datasets: its state is not known
        return None
    return _state_lookup(state, key_col)


def _state_lookup(state: pa.Table, key_col: str) -> tuple[np.ndarray, dict[str, list[Any]]]:
    names = ("status", "withdrawn_reason", "withdrawn_at", "withdrawn_snapshot",
             "last_verified_at", "last_verified_snapshot")
    return (state.column(key_col).to_numpy(),
            {n: state.column(n).to_pylist() for n in names})


@lru_cache(maxsize=4)
def _every_night(root: str, closed: tuple[str, ...]
                 ) -> dict[tuple[str, str], tuple[np.ndarray, dict[str, list[Any]]]] | None:
    """The state as of every closed snapshot at once (`audit.state.build_states`, the same
    computation as `portal_state`, reading each snapshot's tables once: 2 s instead of 7 s for
    10 nights of 20,000 articles, bench/bench_browser.py), key column only. None if one of
    them has no state (no datasets): then each night is asked for alone."""
    from audit.state import StateError, build_states

    if not closed:
        return None
    try:
        states = build_states(root, list(closed), columns={"article": ["article_id"],
                                                           "document": ["document_id"]})
    except StateError:
        return None
    return {(st.snapshot_id, kind): _state_lookup(st.table(kind), KINDS[kind][1])
            for st in states for kind in KINDS}


# -- verify in the background ----------------------------------------------------------------
class Verifier:
    """In a background thread: the diffs of consecutive snapshots (cached for the timeline),
    the portal's state as of every night (cached for the item pages), then the fixity checks
    (`archive.verify`) of the closed snapshots, one after the other; the pages show
    `checking…` until a snapshot's result is in. It reads the archive only."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._results: dict[str, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="verify", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from archive.verify import verify_snapshot

        # First the diffs of consecutive nights, which the portal timeline shows (seconds each
        # on a large portal, then cached), then the slower fixity checks.
        for portal_snaps in portals(self.root).values():
            closed = [s for s in portal_snaps if s.status == "closed"]
            for a, b in zip(closed, closed[1:], strict=False):
                # A pair that cannot be diffed shows no counts on the timeline.
                with contextlib.suppress(DiffError, NotFound, OSError):
                    diff(self.root, a.snapshot_id, b.snapshot_id)
        # The portal's state as of every night, which item pages show (seconds, then cached).
        with contextlib.suppress(Exception):  # an item page then computes it, or says unknown
            _every_night(str(self.root), tuple(s.snapshot_id for s in list_snapshots(self.root)
                                               if s.status == "closed"))
        for snap in list_snapshots(self.root):
            if snap.status != "closed":
                continue
            try:
                problems = len(verify_snapshot(self.root, snap.snapshot_id).problems)
            except Exception:  # a snapshot that cannot be read at all: one problem
                problems = 1
            with self._lock:
                self._results[snap.snapshot_id] = problems

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def status(self, snapshot_id: str) -> int | None:
        """Problems found, or None while not checked yet."""
        with self._lock:
            return self._results.get(snapshot_id)


def status_counts(snap: Snapshot) -> list[tuple[str, int]]:
    stats = snap.manifest.get("stats") or {}
    return sorted(Counter({str(k): int(v) for k, v in
                           (stats.get("by_status") or {}).items()}).items())
