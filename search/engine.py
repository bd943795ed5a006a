"""Running a query against the index: ranked hits, highlighted snippets, the phrase timeline.

Matching is on the folded text (no diacritics), so "quyet dinh" finds "quyết định"; when the
query has diacritics, versions that also match it exactly (NFC, case-insensitive) rank before
the others. Scores are FTS5's bm25 (title weighted 5×, body 1×), sign flipped: higher is
better.
"""

from __future__ import annotations

import re
import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from search.index import _SEP, KINDS, SearchIndex
from search.query import Query, QueryError, parse_query
from search.text import fold_with_map, nfc

BY = ("published", "captured")
HIT_FIELDS = ["type", "url", "title", "portal", "published_at", "snapshot_id", "captured_at",
              "warc_file", "warc_offset", "snippet", "first_snapshot", "last_snapshot", "score"]
MARK = ("«", "»")
SNIPPET_CHARS = 180
RANK_CAP = 20_000  # matches ranked by bm25 at most, for a query with a limit and no filter


@dataclass
class Filters:
    types: list[str] = field(default_factory=list)
    portal: str | None = None
    since: str | None = None  # ISO date (inclusive)
    until: str | None = None  # ISO date (inclusive)
    by: str = "published"
    snapshot: str | None = None
    limit: int = 20


def _where(filters: Filters, idx: SearchIndex) -> tuple[list[str], list]:
    sql, args = [], []
    if filters.types:
        unknown = [t for t in filters.types if t not in KINDS]
        if unknown:
            raise QueryError(f"unknown type {unknown[0]!r}; known: {', '.join(KINDS)}")
        sql.append(f"v.type IN ({', '.join('?' * len(filters.types))})")
        args += filters.types
    if filters.portal:
        sql.append("v.portal = ?")
        args.append(filters.portal.lower())
    if filters.snapshot:
        row = idx.db.execute("SELECT position FROM snapshots WHERE snapshot_id = ?",
                             (filters.snapshot,)).fetchone()
        if row is None:
            known = ", ".join(idx.indexed()) or "none"
            raise QueryError(f"unknown snapshot {filters.snapshot!r} (indexed: {known})")
        sql.append("v.first_pos <= ? AND v.last_pos >= ?")
        args += [row[0], row[0]]
    if filters.by == "published":
        if filters.since:
            sql.append("substr(v.published_at, 1, 10) >= ?")
            args.append(filters.since)
        if filters.until:
            sql.append("substr(v.published_at, 1, 10) <= ?")
            args.append(filters.until)
    else:  # the version was in the archive at some capture within [since, until]
        if filters.since:
            sql.append("substr(v.last_captured_at, 1, 10) >= ?")
            args.append(filters.since)
        if filters.until:
            sql.append("substr(v.first_captured_at, 1, 10) <= ?")
            args.append(filters.until)
    return sql, args


def search(index_path: Path, query: str | Query, filters: Filters | None = None) -> list[dict]:
    """Ranked hits (dicts with HIT_FIELDS) for `query`; QueryError for bad input."""
    q = query if isinstance(query, Query) else parse_query(query)
    filters = filters or Filters()
    idx = SearchIndex(index_path, readonly=True)
    try:
        where, args = _where(filters, idx)
        rows = (_top(idx, q, filters.limit) if not where
                else _filtered(idx, q, where, args, filters.limit))
    except sqlite3.OperationalError as exc:
        raise QueryError(f"the index cannot run this query: {exc}") from None
    finally:
        idx.close()
    terms = q.positive_terms()
    return [_hit(r, terms) for r in rows]


def _top(idx: SearchIndex, q: Query, limit: int) -> list[dict]:
    """No filter: FTS5's own top-N by rank (measured several times faster than ranking through
    the join), exact matches first when the query has diacritics."""
    lim = " LIMIT ?" if limit else ""

    def ranked(table: str, text: str, n: int) -> list[tuple[int, float]]:
        sql = f"SELECT rowid, rank FROM {table} WHERE {table} MATCH ? ORDER BY rank" + lim
        if limit:
            # FTS5 scores every match before taking the top N: a word found in most versions
            # would cost time in proportion to the archive. Past RANK_CAP matches, only the
            # newest RANK_CAP versions are ranked (measured in bench_search.py).
            count = idx.db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                                   (text,)).fetchone()[0]
            if count > RANK_CAP:
                sql = (f"SELECT rowid, rank FROM (SELECT rowid, rank FROM {table} WHERE {table} "
                       f"MATCH ? ORDER BY rowid DESC LIMIT {RANK_CAP}) ORDER BY rank LIMIT ?")
        return idx.db.execute(sql, (text, n) if limit else (text,)).fetchall()

    exact = ranked("fts_exact", q.fts(folded=False), limit) if q.exact_wanted else []
    seen = {rowid for rowid, _ in exact}
    folded = ranked("fts_fold", q.fts(folded=True), limit + len(exact))
    order = [(r, rank, 1) for r, rank in exact] + [(r, rank, 0) for r, rank in folded
                                                   if r not in seen]
    if limit:
        order = order[:limit]
    if not order:
        return []
    cur = idx.db.execute(f"SELECT * FROM versions WHERE id IN ({','.join('?' * len(order))})",
                         [r for r, _, _ in order])
    names = [d[0] for d in cur.description]
    found = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    return [{**found[r], "rank": rank, "exact": ex} for r, rank, ex in order]


def _filtered(idx: SearchIndex, q: Query, where: list[str], args: list, limit: int) -> list:
    exact = ("(v.id IN (SELECT rowid FROM fts_exact WHERE fts_exact MATCH ?))"
             if q.exact_wanted else "0")
    sql = (f"SELECT v.*, bm25(fts_fold, 5.0, 1.0) AS rank, {exact} AS exact "
           "FROM fts_fold JOIN versions v ON v.id = fts_fold.rowid "
           "WHERE fts_fold MATCH ? " + "".join(f"AND {w} " for w in where)
           + "ORDER BY exact DESC, rank, v.id")
    params = ([q.fts(folded=False)] if q.exact_wanted else []) + [q.fts(folded=True)] + args
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    cur = idx.db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _hit(row: dict, terms) -> dict:
    title, _, body = zlib.decompress(row["text"]).decode().partition(_SEP)
    return {
        "type": row["type"], "url": row["url"], "title": row["title"],
        "portal": row["portal"], "published_at": row["published_at"],
        "snapshot_id": row["first_snapshot"], "captured_at": row["first_captured_at"],
        "warc_file": row["first_warc_file"], "warc_offset": row["first_warc_offset"],
        "snippet": snippet(body or title, terms) or snippet(title, terms),
        "first_snapshot": row["first_snapshot"], "last_snapshot": row["last_snapshot"],
        "score": round(-row["rank"], 6),
        "exact": bool(row["exact"]),
        # For the timeline and tests: the version's last capture and its item key.
        "item_key": row["item_key"], "last_captured_at": row["last_captured_at"],
        "last_warc_file": row["last_warc_file"], "last_warc_offset": row["last_warc_offset"],
        "id": row["id"],
    }


def _term_pattern(term) -> str:
    words = [re.escape(fold_with_map(nfc(w))[0].lower()) for w in term.words]
    tail = r"[^\W_]*" if term.prefix else r"(?![^\W_])"
    return r"(?<![^\W_])" + r"[\W_]+".join(words) + tail


def find_terms(text: str, terms) -> list[tuple[int, int]]:
    """Spans (in `text`, NFC) of the folded terms, sorted, not overlapping."""
    if not text or not terms:
        return []
    folded, where = fold_with_map(nfc(text))
    rx = re.compile("|".join(f"(?:{_term_pattern(t)})" for t in terms))
    spans = []
    for m in rx.finditer(folded):
        if m.end() > m.start():
            spans.append((where[m.start()], where[m.end() - 1] + 1))
    return spans


def snippet(text: str, terms, width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `text` around its first match, matches in «…»."""
    text = " ".join(nfc(text or "").split())
    spans = find_terms(text, terms)
    if not spans:
        return ""
    start = max(0, spans[0][0] - width // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space < end + 20 else end
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(text[pos:a] + MARK[0] + text[a:b] + MARK[1])
        pos = b
    out.append(text[pos:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")
