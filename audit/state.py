"""The portal's state as of a snapshot: every item ever seen, its last known version and status.

Nightly snapshots are incremental: a night re-fetches navigation pages, new items and the known
items the freshness policy says are due, so one snapshot's datasets hold only part of the
portal. The *state* as of closed snapshot S puts the closed snapshots up to S together: for
every article (`article_id`) and document (`document_id`) ever captured up to S, one row with

- its version as last captured up to S (all the dataset columns of that capture; `snapshot_id`,
  `captured_at`, `warc_file`, `warc_offset`, `warc_record_id`, `payload_digest` are the lineage
  of that version: `portal-archive show` and `warcio extract` find it);
- `status`: `present` (S fetched it and got the item), `withdrawn` (the last fetch of its URL
  got HTTP 404 / 410 or a soft-404 page: `withdrawn_reason`, `withdrawn_at` and
  `withdrawn_snapshot` say which and the first night it was seen gone) or `not_rechecked` (last
  seen present, S did not re-check it: it is as of `last_verified_at`);
- `last_verified_at` / `last_verified_snapshot`: the last fetch that told something about the
  item (the item itself, or its withdrawal). A fetch that got a server error, no answer or a
  redirect to nowhere verifies nothing;
- `first_seen_at` / `first_seen_snapshot`: its first capture.

Closed snapshots are never written to: the state is derived from their datasets each time (a
few seconds for 50,000 articles over 30 nights, see docs/benchmarks.md), and `write_state` can
materialise it under `<archive>/state/<ID>/` as a rebuildable cache that nothing requires.

How it stays fast: only the narrow columns (key, URLs, capture order) of every snapshot are read
to find each item's events; the winning versions' full rows are then taken from the snapshots
that hold them, one `take` per snapshot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.snapshot import list_snapshots, snapshot_portal
from audit.diff import DiffError, resolve_ref
from audit.keys import HOME_REDIRECT, fill_ids, needs_item_key, table_of
from pipelines.schema import UTC_TIMESTAMP, schema_for

KINDS = {"article": ("articles", "article_id"), "document": ("documents", "document_id")}
# Child tables: rows of one capture (warc_record_id) of one parent key.
CHILDREN = {"article_authors": "article", "images": "article", "document_files": "document"}
STATUSES = ("present", "withdrawn", "not_rechecked")
GONE_STATUSES = {404: "http_404", 410: "http_410"}


def redirected_home(pages: pa.Table) -> pa.ChunkedArray:
    """Per pages row: a 3xx answer whose Location is the site's home page."""
    if "location" not in pages.column_names:
        return pa.chunked_array([pa.array([False] * pages.num_rows)])
    status = pages.column("status")
    is_3xx = pc.and_kleene(pc.greater_equal(status, 300), pc.less(status, 400))
    home = pc.match_substring_regex(pc.fill_null(pages.column("location"), "x"), HOME_REDIRECT)
    return pc.fill_null(pc.and_kleene(is_3xx, home), False)
STATE_FIELDS = [
    pa.field("status", pa.string(), nullable=False),
    pa.field("last_verified_at", UTC_TIMESTAMP, nullable=False),
    pa.field("last_verified_snapshot", pa.string(), nullable=False),
    pa.field("first_seen_at", UTC_TIMESTAMP, nullable=False),
    pa.field("first_seen_snapshot", pa.string(), nullable=False),
    pa.field("withdrawn_at", UTC_TIMESTAMP),
    pa.field("withdrawn_snapshot", pa.string()),
    pa.field("withdrawn_reason", pa.string()),
]
_ORDER_COLUMNS = ["captured_at", "warc_file", "warc_offset"]


class StateError(Exception):
    """A state that cannot be built (unknown or open snapshot, missing datasets); one line."""


@dataclass
class PortalState:
    """The state as of `snapshot_id`: per kind one row per item, sorted by key."""

    archive_root: Path
    snapshot_id: str
    snapshots: list[str]  # the closed snapshots it is built from, oldest first
    articles: pa.Table
    documents: pa.Table
    _children: dict[str, pa.Table] = field(default_factory=dict, repr=False)

    def table(self, kind: str) -> pa.Table:
        return self.articles if kind == "article" else self.documents

    def child(self, name: str) -> pa.Table:
        """Rows of child table `name` (CHILDREN) of the state's versions, read when first
        asked for: most readers of a state never need them."""
        if name not in self._children:
            kind = CHILDREN[name]
            (self._children[name],) = _children(self.archive_root, self.snapshots,
                                                [self.table(kind)], kind, name)
        return self._children[name]

    @property
    def children(self) -> dict[str, pa.Table]:
        """article_authors, images and document_files of those versions."""
        return {name: self.child(name) for name in CHILDREN}


# -- snapshots -------------------------------------------------------------------------------
def resolve_snapshot(archive_root: Path, ref: str | None, portal: str | None = None) -> str:
    """A closed snapshot id from an id, `latest`/None or `previous` (among `portal`'s
    snapshots when given): `audit.diff.resolve_ref`, its errors as StateError."""
    try:
        return resolve_ref(Path(archive_root), ref or "latest", portal=portal)
    except DiffError as exc:
        raise StateError(str(exc)) from None


def closed_up_to(archive_root: Path, snapshot_id: str) -> list[str]:
    """Ids of the closed snapshots up to and including `snapshot_id`, oldest first."""
    snaps = list_snapshots(Path(archive_root))
    ids = [s.snapshot_id for s in snaps]
    if snapshot_id not in ids:
        raise StateError(f"no snapshot {snapshot_id!r} in {archive_root}")
    # The state of one portal: only its own snapshots (an archive may hold several portals,
    # docs/portals.md; in a single-portal archive they are all of one).
    portal = snapshot_portal(snaps[ids.index(snapshot_id)].manifest)
    return [s.snapshot_id for s in snaps[: ids.index(snapshot_id) + 1]
            if s.status == "closed" and snapshot_portal(s.manifest) == portal]


def _datasets(archive_root: Path, snapshot_id: str) -> Path:
    return Path(archive_root) / "snapshots" / snapshot_id / "datasets"


def _parquet(archive_root: Path, snapshot_id: str, table: str) -> Path:
    path = _datasets(archive_root, snapshot_id) / f"{table}.parquet"
    if not path.is_file():
        raise StateError(
            f"snapshot {snapshot_id} has no datasets ({path.name} missing in {path.parent}); "
            f"build them with `portal-archive extract`")
    return path


def _read(path: Path, columns: list[str], dictionary: tuple[str, ...] = ()) -> pa.Table:
    """Columns of a Parquet file; a column an older file lacks comes back as nulls. Columns in
    `dictionary` stay dictionary-encoded (a snapshot's few WARC file names, not one string per
    row)."""
    names = set(pq.read_schema(path).names)
    extra = ["item_key"] if needs_item_key(table_of(path), columns, names) \
        and "item_key" not in columns else []
    table = pq.read_table(path, columns=[c for c in columns if c in names] + extra,
                          read_dictionary=[c for c in dictionary if c in names])
    table = fill_ids(table, table_of(path))  # (audit.keys: ids completed from item_key)
    for name in columns:
        if name not in names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table.select(columns)


def _file_ranks(*columns: pa.ChunkedArray) -> list[pa.Array]:
    """Each WARC file name column as its rank among the file names of all of them (one
    snapshot's), so events sort by file as by name without carrying the strings."""
    dicts = []
    for col in columns:
        col = col.combine_chunks()
        if not pa.types.is_dictionary(col.type):
            col = col.dictionary_encode()
        dicts.append(col)
    names = sorted({n for d in dicts for n in d.dictionary.to_pylist() if n is not None})
    value_set = pa.array(names, pa.string())
    out = []
    for d in dicts:
        rank = pc.index_in(d.dictionary.cast(pa.string()), value_set=value_set)
        out.append(pc.cast(rank.take(d.indices), pa.int32()))
    return out


# -- events ----------------------------------------------------------------------------------
def withdrawal_reasons(status: pa.Array | pa.ChunkedArray,
                       page_type: pa.Array | pa.ChunkedArray,
                       home: pa.Array | pa.ChunkedArray | None = None) -> pa.Array:
    """Per fetch (a `pages` row), why it found the item at that URL withdrawn: `http_404`,
    `http_410` (GONE_STATUSES), `soft_404` (a "not found" page served as 2xx) or
    `redirect_home` (a 3xx to the home page, as the upload portal answers a missing page:
    `home` from `redirected_home`), else null.

    The one rule of a withdrawal: the state and `search --timeline` (through the index) both
    take it from here.
    """
    status = pc.cast(status, pa.int64())
    reason = pc.if_else(pc.fill_null(pc.equal(page_type, "soft_404"), False),
                        pa.scalar("soft_404"), pa.scalar(None, pa.string()))
    if home is not None:
        reason = pc.if_else(home, pa.scalar("redirect_home"), reason)
    # Checked last, so first: a 404/410 status names the reason even on a soft-404 page.
    for code, name in reversed(GONE_STATUSES.items()):
        reason = pc.if_else(pc.fill_null(pc.equal(status, code), False), pa.scalar(name), reason)
    return reason.combine_chunks() if isinstance(reason, pa.ChunkedArray) else reason


def _events(archive_root: Path, snaps: list[str], table: str, key: str) -> pa.Table:
    """Every capture of an item (present) and every fetch of its URL that found it gone.

    Columns: key, captured_at, snap (index in `snaps`), file (rank of the WARC file name in its
    snapshot), warc_offset, row (in that snapshot's table; -1 for a gone event), gone (bool),
    reason.
    """
    present, urls, gone = [], [], []
    for i, sid in enumerate(snaps):
        rows = _read(_parquet(archive_root, sid, table),
                     [key, "url", "page_url", *_ORDER_COLUMNS], dictionary=("warc_file",))
        n = rows.num_rows
        for col in ("url", "page_url"):
            urls.append(pa.table({"url": rows.column(col), key: rows.column(key)}))
        # Pages that found an item gone: status and type first, the rest for those rows only.
        path = _parquet(archive_root, sid, "pages")
        pages = _read(path, ["status", "page_type", "location"])
        why = withdrawal_reasons(pages.column("status"), pages.column("page_type"),
                                 redirected_home(pages))
        hits = np.flatnonzero(pc.is_valid(why).to_numpy(zero_copy_only=False))
        found = None
        if len(hits):
            read, renumber = _read_rows(path, hits, ["url", *_ORDER_COLUMNS])
            found = read.take(pa.array(renumber(hits)))
        files = _file_ranks(rows.column("warc_file"),
                            *([found.column("warc_file")] if found is not None else []))
        present.append(pa.table({
            key: rows.column(key), "captured_at": rows.column("captured_at"),
            "snap": pa.array(np.full(n, i, dtype=np.int32)), "file": files[0],
            "warc_offset": rows.column("warc_offset"),
            "row": pa.array(np.arange(n, dtype=np.int64)),
            "gone": pa.array(np.zeros(n, dtype=bool)),
            "reason": pa.nulls(n, pa.string()),
        }))
        if found is not None:
            reasons = why.take(pa.array(hits))
            m = found.num_rows
            gone.append(pa.table({
                "url": found.column("url"), "captured_at": found.column("captured_at"),
                "snap": pa.array(np.full(m, i, dtype=np.int32)), "file": files[1],
                "warc_offset": found.column("warc_offset"),
                "row": pa.array(np.full(m, -1, dtype=np.int64)),
                "gone": pa.array(np.ones(m, dtype=bool)),
                "reason": reasons,
            }))
    events = pa.concat_tables(present)
    if gone:
        # A gone fetch belongs to every item ever captured at that URL (its page or canonical URL).
        gone_events = pa.concat_tables(gone)
        url_keys = pa.concat_tables(urls)
        url_keys = url_keys.filter(pc.is_in(url_keys.column("url"),
                                            value_set=pc.unique(gone_events.column("url"))))
        url_keys = url_keys.group_by(["url", key], use_threads=False).aggregate([])
        gone_rows = gone_events.join(url_keys, "url", join_type="inner", use_threads=False)
        events = pa.concat_tables([events, gone_rows.select(events.column_names)])
    return events


@dataclass
class _Outcome:
    """Per item (sorted by key): positions in the sorted events of its decisive events."""

    keys: np.ndarray
    first: np.ndarray  # first present event
    version: np.ndarray  # last present event (the version)
    last: np.ndarray  # last event (last verification)
    withdrawn: np.ndarray  # first gone event after the version, or -1

    def take(self, idx: np.ndarray) -> _Outcome:
        return _Outcome(self.keys[idx], self.first[idx], self.version[idx], self.last[idx],
                        self.withdrawn[idx])


def _outcome(events: pa.Table, key: str) -> tuple[pa.Table, _Outcome]:
    order = pc.sort_indices(events, sort_keys=[(key, "ascending"), ("captured_at", "ascending"),
                                               ("snap", "ascending"), ("file", "ascending"),
                                               ("warc_offset", "ascending")])
    events = events.take(order)
    keys = np.asarray(events.column(key).to_numpy(zero_copy_only=False), dtype=np.int64)
    gone = events.column("gone").to_numpy(zero_copy_only=False)
    n = len(keys)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return events, _Outcome(empty, empty, empty, empty, empty)
    pos = np.arange(n)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], n] - 1
    last_present = np.maximum.accumulate(np.where(~gone, pos, -1))[ends]
    # Items only ever seen gone cannot occur (a gone fetch maps through a captured URL), but a
    # gone event before the first capture can: such an item is kept from its first capture.
    has = last_present >= starts
    starts, ends, last_present = starts[has], ends[has], last_present[has]
    # First present event: the first non-gone position at or after the group start.
    next_present = np.minimum.accumulate(np.where(~gone, pos, n)[::-1])[::-1]
    first = next_present[starts]
    withdrawn = np.where(gone[ends], last_present + 1, -1)
    return events, _Outcome(keys[starts], first, last_present, ends, withdrawn)


def outcome(events: pa.Table, key: str) -> tuple[pa.Table, _Outcome]:
    """The state's rule on a table of events (the columns `_events` gives: key, captured_at,
    snap, file, warc_offset, gone, and any others, which are carried along): the events
    sorted, and per item its first capture, its version (last capture), its last event and
    the gone event that withdrew it (-1 if not withdrawn). `search --timeline` applies it to
    the events its index keeps, so that a withdrawal means the same there as here."""
    return _outcome(events, key)


def _take_versions(archive_root: Path, snaps: list[str], table: str,
                   wanted: list[tuple[np.ndarray, np.ndarray]],
                   columns: list[str] | None = None) -> list[pa.Table]:
    """The rows of the winning captures: for each (snapshot index, row) pair of arrays in
    `wanted`, one table in that order. Each snapshot's table is read once for all of them.
    `columns`: only those (all by default)."""
    parts: list[list[pa.Table]] = [[] for _ in wanted]
    where: list[list[np.ndarray]] = [[] for _ in wanted]
    needed = np.unique(np.concatenate([snap for snap, _ in wanted])) if wanted else []
    for i in needed:
        path = _parquet(archive_root, snaps[int(i)], table)
        rows_of = [row[snap == i] for snap, row in wanted]
        full, renumber = _read_rows(path, np.concatenate(rows_of), columns)
        for j, (snap, _) in enumerate(wanted):
            picked = np.flatnonzero(snap == i)
            if len(picked):
                parts[j].append(full.take(pa.array(renumber(rows_of[j]))))
                where[j].append(picked)
        del full
    out = []
    for j, (snap, _) in enumerate(wanted):
        if not parts[j]:
            empty = schema_for(table).empty_table()
            out.append(empty if columns is None else empty.select(columns))
            continue
        # Older snapshots may lack a newer column: "default" promotion fills it with nulls.
        rows = pa.concat_tables(parts[j], promote_options="default")
        back = np.empty(len(snap), dtype=np.int64)
        back[np.concatenate(where[j])] = np.arange(len(snap))
        out.append(rows.take(pa.array(back)))
    return out


def _read_rows(path: Path, rows: np.ndarray, columns: list[str] | None):
    """The row groups of `path` that hold `rows` (all of it if they are most of it), and a
    function mapping file row numbers to row numbers in what was read.

    Most of an old nightly snapshot is superseded by later captures: what is left of it in a
    state is a few versions (withdrawn items, items not re-checked since), so reading only
    their row groups (DatasetWriter writes one per 500 rows) skips most of the decoding.
    """
    meta = pq.ParquetFile(path)
    sizes = np.array([meta.metadata.row_group(g).num_rows
                      for g in range(meta.metadata.num_row_groups)], dtype=np.int64)
    starts = np.r_[0, np.cumsum(sizes)[:-1]] if len(sizes) else np.zeros(0, dtype=np.int64)
    groups = np.unique(np.searchsorted(starts, rows, side="right") - 1)
    if len(sizes) <= 1 or sizes[groups].sum() > 0.6 * sizes.sum():
        table = fill_ids(pq.read_table(path), table_of(path)) if columns is None \
            else _read(path, columns)
        return table, lambda r: r
    names = set(meta.schema_arrow.names)
    wanted = None if columns is None else [c for c in columns if c in names]
    if wanted is not None and needs_item_key(table_of(path), wanted, names) \
            and "item_key" not in wanted:
        wanted.append("item_key")
    table = fill_ids(meta.read_row_groups(groups.tolist(), columns=wanted), table_of(path))
    if columns is not None:
        for name in columns:
            if name not in names:
                table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
        table = table.select(columns)
    # Row r of the file is row (r - start of its group) + rows of the groups read before it.
    offset = np.zeros(len(sizes), dtype=np.int64)
    offset[groups] = np.r_[0, np.cumsum(sizes[groups])[:-1]]

    def renumber(r: np.ndarray) -> np.ndarray:
        g = np.searchsorted(starts, r, side="right") - 1
        return r - starts[g] + offset[g]

    return table, renumber


def _state_columns(rows: pa.Table, events: pa.Table, out: _Outcome,
                   snaps: list[str]) -> pa.Table:
    """`rows` (the versions) with the STATE_FIELDS appended; `snaps` ends with the state's."""
    snap_ids = pa.array(snaps, pa.string())
    snap_col = events.column("snap").to_numpy()
    at = events.column("captured_at")

    def at_pos(p: np.ndarray) -> pa.Array:
        return at.take(pa.array(p))

    def snap_at(p: np.ndarray) -> pa.Array:
        return snap_ids.take(pa.array(snap_col[p]))

    n = len(out.keys)
    is_withdrawn = out.withdrawn >= 0
    verified_in_last = snap_col[out.last] == len(snaps) - 1 if n else np.zeros(0, dtype=bool)
    status = np.where(is_withdrawn, "withdrawn",
                      np.where(verified_in_last, "present", "not_rechecked"))
    wpos = np.where(is_withdrawn, out.withdrawn, 0)
    mask = pa.array(~is_withdrawn)
    reason = events.column("reason").take(pa.array(wpos)) if n else pa.array([], pa.string())
    extra = {
        "status": pa.array(status.tolist() if n else [], pa.string()),
        "last_verified_at": at_pos(out.last),
        "last_verified_snapshot": snap_at(out.last),
        "first_seen_at": at_pos(out.first),
        "first_seen_snapshot": snap_at(out.first),
        "withdrawn_at": pc.if_else(mask, pa.nulls(n, UTC_TIMESTAMP), at_pos(wpos)),
        "withdrawn_snapshot": pc.if_else(mask, pa.nulls(n, pa.string()), snap_at(wpos)),
        "withdrawn_reason": pc.if_else(mask, pa.nulls(n, pa.string()), reason),
    }
    for spec in STATE_FIELDS:
        rows = rows.append_column(spec, pc.cast(extra[spec.name], spec.type))
    return rows


@dataclass
class LazyKind:
    """One kind (article or document) of a state before its rows are read: per item, sorted by
    key, what its events say. `rows(positions, columns)` reads the versions of some items only
    (a nightly diff needs the full rows of the few items the night re-checked)."""

    archive_root: Path
    snaps: list[str]  # the snapshots up to the state's, oldest first
    kind: str
    events: pa.Table
    out: _Outcome

    @property
    def keys(self) -> np.ndarray:
        return self.out.keys

    def _snap_at(self, pos: np.ndarray) -> np.ndarray:
        return self.events.column("snap").to_numpy()[pos]

    @property
    def last_verified(self) -> np.ndarray:
        """Index (in `snaps`) of each item's last verification."""
        return self._snap_at(self.out.last)

    @property
    def withdrawn(self) -> np.ndarray:
        """Index of the snapshot that saw each item gone, -1 for items not withdrawn."""
        gone = self.out.withdrawn >= 0
        return np.where(gone, self._snap_at(np.where(gone, self.out.withdrawn, 0)), -1)

    def rows(self, positions: np.ndarray | None = None,
             columns: list[str] | None = None) -> pa.Table:
        """The state rows (version and STATE_FIELDS) of the items at `positions` (all: None)."""
        out = self.out if positions is None else self.out.take(positions)
        snap = self._snap_at(out.version)
        row = self.events.column("row").to_numpy()[out.version]
        (rows,) = _take_versions(self.archive_root, self.snaps, KINDS[self.kind][0],
                                 [(snap, row)], columns)
        return _state_columns(rows, self.events, out, self.snaps)


def lazy_states(archive_root: Path, snapshot_ids: list[str],
                kind: str) -> list[LazyKind]:
    """LazyKind of `kind` as of each closed snapshot id (resolved), reading the events once."""
    root = Path(archive_root)
    order = [s.snapshot_id for s in list_snapshots(root)]
    snaps = closed_up_to(root, max(snapshot_ids, key=order.index))
    others = [sid for sid in snapshot_ids if sid not in snaps]
    if others:
        raise StateError(f"snapshots {', '.join(snapshot_ids)} belong to different portals "
                         "(docs/portals.md); compare them with `diff --captures`")
    table, key = KINDS[kind]
    events = _events(root, snaps, table, key)
    out = []
    for sid in snapshot_ids:
        cut = snaps.index(sid)
        upto = events if cut == len(snaps) - 1 else events.filter(
            pc.less_equal(events.column("snap"), cut))
        out.append(LazyKind(root, snaps[:cut + 1], kind, *_outcome(upto, key)))
    return out


def _states_of_kind(archive_root: Path, snaps: list[str], kind: str, cuts: list[int],
                    columns: list[str] | None = None) -> list[pa.Table]:
    """The state of one kind as of each snapshot index in `cuts` (events and tables read
    once)."""
    lazy = lazy_states(archive_root, [snaps[c] for c in cuts], kind)
    wanted = [(z._snap_at(z.out.version), z.events.column("row").to_numpy()[z.out.version])
              for z in lazy]
    versions = _take_versions(archive_root, snaps, KINDS[kind][0], wanted, columns)
    return [_state_columns(rows, z.events, z.out, z.snaps)
            for rows, z in zip(versions, lazy, strict=True)]


def _children(archive_root: Path, snaps: list[str], parents_list: list[pa.Table], kind: str,
              child: str) -> list[pa.Table]:
    """Rows of `child` belonging to each state's versions (same capture, same parent key)."""
    key = KINDS[kind][1]
    schema = schema_for(child)
    holders = set()
    for parents in parents_list:
        holders.update(pc.unique(parents.column("snapshot_id")).to_pylist())
    parts = []
    for sid in snaps:
        if sid not in holders:
            continue
        path = _parquet(archive_root, sid, child)
        keys = pa.concat_arrays([
            p.filter(pc.equal(p.column("snapshot_id"), sid)).column(key).combine_chunks()
            for p in parents_list])
        # Candidate rows from the narrow integer key column (a snapshot rarely holds two
        # captures of one item; the join below keeps the right capture's), then only their
        # row groups are read.
        narrow = _read(path, [key]).column(key)
        rows = np.flatnonzero(pc.is_in(narrow, value_set=keys).to_numpy(zero_copy_only=False))
        if len(rows):
            table, renumber = _read_rows(path, rows, None)
            parts.append(table.take(pa.array(renumber(rows))))
    every = pa.concat_tables(parts, promote_options="default") if parts else schema.empty_table()
    out = []
    for parents in parents_list:
        wanted = pa.table({"warc_record_id": parents.column("warc_record_id"),
                           key: parents.column(key)})
        rows = every.join(wanted, ["warc_record_id", key], join_type="left semi",
                          use_threads=False)
        out.append(rows.sort_by([(key, "ascending"), ("position", "ascending")]))
    return out


def build_states(archive_root: str | os.PathLike, snapshots: list[str | None],
                 columns: dict[str, list[str]] | None = None) -> list[PortalState]:
    """The states as of several closed snapshots, reading each snapshot's tables once.

    `columns` ({"article": [...], "document": [...]}) limits the version columns read (the
    diff needs neither `body_html` nor the counters); every column by default.
    """
    root = Path(archive_root)
    ids = [resolve_snapshot(root, s) for s in snapshots]
    order = [s.snapshot_id for s in list_snapshots(root)]
    snaps = closed_up_to(root, max(ids, key=order.index))
    cuts = [snaps.index(sid) for sid in ids]
    columns = columns or {}
    articles = _states_of_kind(root, snaps, "article", cuts, columns.get("article"))
    documents = _states_of_kind(root, snaps, "document", cuts, columns.get("document"))
    return [PortalState(root, sid, snaps[:cut + 1], articles[j], documents[j])
            for j, (sid, cut) in enumerate(zip(ids, cuts, strict=True))]


def build_state(archive_root: str | os.PathLike, snapshot: str | None = None) -> PortalState:
    """The state as of closed snapshot `snapshot` (an id, `latest`/None or `previous`)."""
    return build_states(archive_root, [snapshot])[0]


def portal_state(archive_root: str | os.PathLike, snapshot_id: str | None = None,
                 table: str = "articles", columns: list[str] | None = None) -> pa.Table:
    """The state of `table` as of a closed snapshot, as one Arrow table (the public API).

    `table`: `articles` or `documents` (one row per item, the dataset's columns plus the
    STATE_FIELDS: status, last_verified_at, withdrawn_at…), or a child table
    (`article_authors`, `images`, `document_files`: the rows of those versions, with their
    item's `status`). `snapshot_id`: an id, `latest` or None (the newest closed snapshot), or
    `previous`. `columns` (items tables only): the version columns to read, all by default;
    the STATE_FIELDS are always there (the browser asks for the key only). Raises StateError
    (one line) for an unknown, open or dataset-less snapshot and ValueError for another table.
    """
    if table not in ("articles", "documents", *CHILDREN):
        raise ValueError(f"no state for table {table!r}; choose from articles, documents, "
                         f"{', '.join(CHILDREN)}")
    if columns is not None and table not in ("articles", "documents"):
        raise ValueError("columns: only for the articles and documents states")
    cached = _cached(Path(archive_root), snapshot_id, table)
    if cached is not None:
        return cached if columns is None else cached.select(
            [*columns, *(f.name for f in STATE_FIELDS)])
    root = Path(archive_root)
    snaps = closed_up_to(root, resolve_snapshot(root, snapshot_id))
    kind = CHILDREN.get(table) or ("article" if table == "articles" else "document")
    (state,) = _states_of_kind(root, snaps, kind, [len(snaps) - 1], columns)  # that kind only
    if table in ("articles", "documents"):
        return state
    key = KINDS[kind][1]
    (rows,) = _children(root, snaps, [state], kind, table)
    parents = state.select(["warc_record_id", key, "status"])
    joined = rows.join(parents, ["warc_record_id", key], join_type="inner", use_threads=False)
    return joined.sort_by([(key, "ascending"), ("position", "ascending")])


# -- optional materialisation ------------------------------------------------------------------
def state_dir(archive_root: Path, snapshot_id: str) -> Path:
    """Where `write_state` puts a state: outside the snapshot, which stays as it was closed."""
    return Path(archive_root) / "state" / snapshot_id


def write_state(archive_root: str | os.PathLike, snapshot: str | None = None) -> Path:
    """Materialise the state as `<archive>/state/<ID>/state_<table>.parquet` (a cache).

    Rebuildable at any time from the snapshots; deleting the folder loses nothing. Files are
    written as temporary files and renamed, so a reader never sees half a table.
    """
    root = Path(archive_root)
    state = build_state(root, snapshot)
    out = state_dir(root, state.snapshot_id)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"articles": state.articles, "documents": state.documents, **state.children}
    for name, data in tables.items():
        tmp = out / f"state_{name}.parquet.{os.getpid()}.tmp"
        pq.write_table(data, tmp)
        os.replace(tmp, out / f"state_{name}.parquet")
    (out / "built_from.txt").write_text("\n".join(state.snapshots) + "\n", encoding="utf-8")
    return out


def _cached(root: Path, snapshot_id: str | None, table: str) -> pa.Table | None:
    """A materialised state of `table` if one exists and was built from the same snapshots."""
    if table not in ("articles", "documents"):
        return None
    try:
        sid = resolve_snapshot(root, snapshot_id)
        path = state_dir(root, sid) / f"state_{table}.parquet"
        if not path.is_file():
            return None
        built = (state_dir(root, sid) / "built_from.txt").read_text(encoding="utf-8").split()
        if built != closed_up_to(root, sid):
            return None  # a snapshot was added or aborted before it since: rebuild
        return pq.read_table(path)
    except (OSError, StateError):
        return None
