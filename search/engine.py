"""Running a query against the index: ranked hits, highlighted snippets, the phrase timeline.

Matching is on the folded text (no diacritics), so "quyet dinh" finds "quyết định"; when the
query has diacritics, versions that also match it exactly (NFC, case-insensitive) rank before
the others. Scores are tantivy's BM25 (title boosted 5×): higher is better.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from search.fulltext import FullText
from search.index import _SEP, FULLTEXT, KINDS, SearchIndex
from search.query import Query, QueryError, parse_query
from search.text import fold_with_map, nfc

BY = ("published", "captured")
HIT_FIELDS = ["type", "url", "title", "portal", "published_at", "snapshot_id", "captured_at",
              "warc_file", "warc_offset", "snippet", "first_snapshot", "last_snapshot", "score"]
MARK = ("«", "»")
SNIPPET_CHARS = 180


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
    # By capture: the version was in the archive at some capture within [since, until].
    after, before = (("published_at", "published_at") if filters.by == "published"
                     else ("last_captured_at", "first_captured_at"))
    for bound, column, op in ((filters.since, after, ">="), (filters.until, before, "<=")):
        if bound:
            sql.append(f"substr(v.{column}, 1, 10) {op} ?")
            args.append(bound)
    return sql, args


def search(index_path: Path, query: str | Query, filters: Filters | None = None) -> list[dict]:
    """Ranked hits (dicts with HIT_FIELDS) for `query`; QueryError for bad input."""
    q = query if isinstance(query, Query) else parse_query(query)
    filters = filters or Filters()
    idx = SearchIndex(index_path, readonly=True)
    try:
        where, args = _where(filters, idx)
        fulltext = FullText(Path(index_path).parent / FULLTEXT)
        rows = _ranked(idx, fulltext, q, where, args, filters.limit)
    except ValueError as exc:  # tantivy's query parser
        if isinstance(exc, QueryError):
            raise
        raise QueryError(f"the index cannot run this query: {exc}") from None
    finally:
        idx.close()
    terms = q.positive_terms()
    return [_hit(r, terms) for r in rows]


def _ranked(idx: SearchIndex, fulltext: FullText, q: Query, where: list[str], args: list,
            limit: int) -> list[dict]:
    """Best first: exact matches (when the query has diacritics), then folded ones. With a
    filter, candidates are fetched in growing batches until `limit` pass it."""
    batch = limit * 4 if limit else 0
    while True:
        exact = fulltext.search(q, folded=False, limit=batch) if q.exact_wanted else []
        folded = fulltext.search(q, folded=True, limit=batch + len(exact) if batch else 0)
        seen = {vid for vid, _ in exact}
        order = [(v, sc, 1) for v, sc in exact] + [(v, sc, 0) for v, sc in folded
                                                   if v not in seen]
        rows = _rows(idx, order, where, args)
        exhausted = not batch or len(folded) < batch + len(exact)
        if not limit or len(rows) >= limit or exhausted:
            return rows[:limit] if limit else rows
        batch *= 8


def _rows(idx: SearchIndex, order: list[tuple[int, float, int]], where: list[str],
          args: list) -> list[dict]:
    found: dict[int, dict] = {}
    ids = [v for v, _, _ in order]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        sql = (f"SELECT * FROM versions v WHERE v.id IN ({','.join('?' * len(chunk))})"
               + "".join(f" AND {w}" for w in where))
        cur = idx.db.execute(sql, chunk + args)
        names = [d[0] for d in cur.description]
        for r in cur.fetchall():
            found[r[0]] = dict(zip(names, r, strict=True))
    return [{**found[v], "score": sc, "exact": ex} for v, sc, ex in order if v in found]


def _hit(row: dict, terms) -> dict:
    title, _, body = zlib.decompress(row["text"]).decode().partition(_SEP)
    return {
        "type": row["type"], "url": row["url"], "title": row["title"],
        "portal": row["portal"], "published_at": row["published_at"],
        "snapshot_id": row["first_snapshot"], "captured_at": row["first_captured_at"],
        "warc_file": row["first_warc_file"], "warc_offset": row["first_warc_offset"],
        "snippet": snippet(body or title, terms) or snippet(title, terms),
        "first_snapshot": row["first_snapshot"], "last_snapshot": row["last_snapshot"],
        "score": round(float(row["score"]), 6),
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
