"""Search through time: when a phrase appeared in an item, and when it was gone.

For every item (article, document, attachment) one of whose versions holds the phrase:
`first_seen` is the first snapshot of the first version that holds it; `gone_at` the first
snapshot after that in which the item was captured *without* it (`gone_reason: edited`) or
found withdrawn (`http_404`, `http_410`, `soft_404`: the fetch of its URL, the portal-state
rule of audit/state.py). A night that did not re-check the item (incremental nightly) is
neither: the phrase stays as last seen. Evidence lists the WARC locations of the first capture
with the phrase, the last capture with it and the capture that shows it gone.

A phrase with diacritics is matched exactly (NFC, case-insensitive); without, on the folded
text (so "quyet dinh" follows "quyết định").
"""

from __future__ import annotations

from pathlib import Path

from search.fulltext import FullText
from search.index import FULLTEXT, SearchIndex
from search.query import QueryError, Term, parse_query


def _evidence(role: str, snapshot_id: str, captured_at: str, warc_file: str,
              warc_offset: int) -> dict:
    return {"role": role, "snapshot_id": snapshot_id, "captured_at": captured_at,
            "warc_file": warc_file, "warc_offset": warc_offset}


def timeline(index_path: Path, phrase: str, types: list[str] | None = None) -> dict:
    """`{"phrase", "items": [{type, url, title, first_seen, gone_at, gone_reason, evidence}]}`."""
    q = parse_query(phrase if '"' in phrase else f'"{phrase}"')
    if not isinstance(q.tree, Term):
        raise QueryError(f"--timeline takes one phrase, not an expression: {phrase!r}")
    fulltext = FullText(Path(index_path).parent / FULLTEXT)
    matching = {vid for vid, _ in fulltext.search(q, folded=not q.exact_wanted, limit=0)}
    idx = SearchIndex(index_path, readonly=True)
    try:
        db = idx.db
        if not matching:
            return {"phrase": phrase, "items": []}
        marks = ",".join("?" * len(matching))
        items = db.execute(f"SELECT DISTINCT type, item_key FROM versions WHERE id IN ({marks})",
                           sorted(matching)).fetchall()
        out = []
        for typ, key in items:
            if types and typ not in types:
                continue
            out.append(_item(db, typ, key, matching))
    finally:
        idx.close()
    out.sort(key=lambda i: (i["first_seen"], i["type"], i["url"]))
    return {"phrase": phrase, "items": out}


def _item(db, typ: str, key: str, matching: set[int]) -> dict:
    versions = db.execute(
        "SELECT id, url, title, first_pos, first_snapshot, first_captured_at, first_warc_file, "
        "first_warc_offset, last_pos, last_snapshot, last_captured_at, last_warc_file, "
        "last_warc_offset FROM versions WHERE type = ? AND item_key = ? ORDER BY first_pos, id",
        (typ, key)).fetchall()
    gone = db.execute("SELECT pos, snapshot_id, captured_at, warc_file, warc_offset, reason "
                      "FROM gone WHERE type = ? AND item_key = ? ORDER BY pos", (typ, key)
                      ).fetchall()
    # Events in snapshot order; in one snapshot a capture of the item outranks a gone fetch.
    events = [(v[3], 0, "version", v) for v in versions] + [(g[0], 1, "gone", g) for g in gone]
    events.sort(key=lambda e: (e[0], e[1]))
    first = last = None
    gone_at = reason = None
    evidence: list[dict] = []
    for pos, _, kind, row in events:
        if kind == "version":
            if row[0] in matching:
                if first is None:
                    first = row
                last = row
            elif first is not None:
                gone_at, reason = row[4], "edited"
                evidence.append(_evidence("without_phrase", row[4], row[5], row[6], row[7]))
                break
        elif first is not None and pos > last[8]:
            gone_at, reason = row[1], row[5]
            evidence.append(_evidence("withdrawn", row[1], row[2], row[3], row[4]))
            break
    head = [_evidence("first_with_phrase", *first[4:8]),
            _evidence("last_with_phrase", *last[9:13])]
    latest = versions[-1]
    return {"type": typ, "url": latest[1], "title": latest[2], "first_seen": first[4],
            "gone_at": gone_at, "gone_reason": reason, "evidence": head + evidence}
