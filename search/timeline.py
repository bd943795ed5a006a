"""Search through time: when a phrase appeared in an item, and when it was gone.

For every item (article, document, attachment) one of whose versions holds the phrase:
`first_seen` is the first snapshot as of which the item's version (its last capture, as the
portal state has it) holds the phrase; `gone_at` the first snapshot after that as of which the
version no longer holds it (`gone_reason: edited`) or the item is withdrawn (`http_404`,
`http_410`, `soft_404`). Whether an item is withdrawn as of a snapshot, and which fetch shows
it, is decided by the portal state's own rule (`audit.state.withdrawal_reasons` picks the
fetches, when the index is built; `audit.state.outcome` orders them with the item's captures,
here), so the timeline and `diff` / the state agree. A night that did not re-check the item
(incremental nightly) is neither: the phrase stays as last seen. Evidence lists the WARC
locations of the first capture with the phrase, the last capture with it and the capture that
shows it gone.

The index keeps the first and last capture of each unchanged version (search/index.py), so
those are the captures the rule sees.

A phrase with diacritics is matched exactly (NFC, case-insensitive); without, on the folded
text (so "quyet dinh" follows "quyết định").
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from audit.state import outcome
from search.fulltext import FullText
from search.index import FULLTEXT, SearchIndex
from search.query import QueryError, Term, parse_query


def timeline(index_path: Path, phrase: str, types: list[str] | None = None) -> dict:
    """`{"phrase", "items": [{type, url, title, first_seen, gone_at, gone_reason, evidence}]}`."""
    q = parse_query(phrase if '"' in phrase else f'"{phrase}"')
    if not isinstance(q.tree, Term):
        raise QueryError(f"--timeline takes one phrase, not an expression: {phrase!r}")
    fulltext = FullText(Path(index_path).parent / FULLTEXT)
    matching = {vid for vid, _ in fulltext.search(q, folded=not q.exact_wanted, limit=0)}
    if not matching:
        return {"phrase": phrase, "items": []}
    idx = SearchIndex(index_path, readonly=True)
    try:
        db = idx.db
        marks = ",".join("?" * len(matching))
        items = db.execute(f"SELECT DISTINCT type, item_key FROM versions WHERE id IN ({marks})"
                           " ORDER BY type, item_key", sorted(matching)).fetchall()
        items = [(t, k) for t, k in items if not types or t in types]
        out = _items(db, items, matching)
    finally:
        idx.close()
    out.sort(key=lambda i: (i["first_seen"], i["type"], i["url"]))
    return {"phrase": phrase, "items": out}


def _events(db, items: list[tuple[str, str]]) -> tuple[pa.Table, list[tuple]]:
    """Every capture the index keeps of the items and every fetch that found one gone, as the
    events table of audit.state (key = the item's position in `items`), and per item its
    latest version (url, title)."""
    cols: dict[str, list] = {c: [] for c in ("key", "captured_at", "snap", "warc_file",
                                             "warc_offset", "gone", "reason", "vid",
                                             "snapshot_id", "at")}

    def add(i, pos, snapshot_id, captured_at, warc_file, offset, gone, reason, vid):
        for name, value in zip(cols, (i, datetime.fromisoformat(captured_at), pos, warc_file,
                                      offset, gone, reason, vid, snapshot_id, captured_at),
                               strict=True):
            cols[name].append(value)

    latest = []
    for i, (typ, key) in enumerate(items):
        versions = db.execute(
            "SELECT id, url, title, first_pos, first_snapshot, first_captured_at, "
            "first_warc_file, first_warc_offset, last_pos, last_snapshot, last_captured_at, "
            "last_warc_file, last_warc_offset FROM versions WHERE type = ? AND item_key = ? "
            "ORDER BY first_pos, id", (typ, key)).fetchall()
        for v in versions:
            add(i, *v[3:8], False, None, v[0])
            if v[8:13] != v[3:8]:
                add(i, *v[8:13], False, None, v[0])
        for g in db.execute("SELECT pos, snapshot_id, captured_at, warc_file, warc_offset, "
                            "reason FROM gone WHERE type = ? AND item_key = ?", (typ, key)):
            add(i, *g[:5], True, g[5], -1)
        latest.append(versions[-1][1:3])
    files = sorted(set(cols["warc_file"]))
    rank = {name: r for r, name in enumerate(files)}
    table = pa.table({
        "key": pa.array(cols["key"], pa.int64()),
        "captured_at": pa.array(cols["captured_at"], pa.timestamp("us", tz="UTC")),
        "snap": pa.array(cols["snap"], pa.int32()),
        "file": pa.array([rank[f] for f in cols["warc_file"]], pa.int32()),
        "warc_offset": pa.array(cols["warc_offset"], pa.int64()),
        "gone": pa.array(cols["gone"], pa.bool_()),
        "reason": pa.array(cols["reason"], pa.string()),
        "vid": pa.array(cols["vid"], pa.int64()),
        "snapshot_id": pa.array(cols["snapshot_id"], pa.string()),
        "at": pa.array(cols["at"], pa.string()),
        "warc_file": pa.array(cols["warc_file"], pa.string()),
    })
    return table, latest


def _evidence(role: str, row: dict) -> dict:
    return {"role": role, "snapshot_id": row["snapshot_id"], "captured_at": row["at"],
            "warc_file": row["warc_file"], "warc_offset": row["warc_offset"]}


def _items(db, items: list[tuple[str, str]], matching: set[int]) -> list[dict]:
    """Walk the snapshots in order; as of each, the state's rule (audit.state.outcome) says
    which capture is each item's version and whether the item is withdrawn."""
    if not items:
        return []
    events, latest = _events(db, items)
    first: dict[int, dict] = {}
    last: dict[int, dict] = {}
    gone: dict[int, tuple[str, str, dict]] = {}
    snap = events.column("snap")
    for pos in np.unique(snap.to_numpy()):
        ordered, out = outcome(events.filter(pc.less_equal(snap, int(pos))), "key")
        rows = ordered.to_pylist()
        for item, version, withdrawn in zip(out.keys.tolist(), out.version.tolist(),
                                            out.withdrawn.tolist(), strict=True):
            if item in gone:
                continue
            if withdrawn >= 0:
                if item in first:
                    row = rows[withdrawn]
                    gone[item] = (row["snapshot_id"], row["reason"],
                                  _evidence("withdrawn", row))
                continue
            row = rows[version]
            if row["vid"] in matching:
                first.setdefault(item, row)
                last[item] = row
            elif item in first:
                gone[item] = (row["snapshot_id"], "edited", _evidence("without_phrase", row))
    result = []
    for item, row in first.items():
        typ, _ = items[item]
        url, title = latest[item]
        gone_at, reason, shown = gone.get(item, (None, None, None))
        evidence = [_evidence("first_with_phrase", row),
                    _evidence("last_with_phrase", last[item])] + ([shown] if shown else [])
        result.append({"type": typ, "url": url, "title": title, "first_seen": row["snapshot_id"],
                       "gone_at": gone_at, "gone_reason": reason, "evidence": evidence})
    return result
