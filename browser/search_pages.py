"""The archive browser's search pages: ranked hits and a phrase's timeline across nights.

Searching is the `search/` package's (its query language, ranking, snippets and `--timeline`):
this module only finds the index, reads the browser's filters from the request, and adds what a
page needs beside each hit: the version's fate (live, changed on a later night, withdrawn) from
the index's own tables, the URL its first capture was recorded under (to replay it), and for an
attachment the article or document that links it.

The app never builds or updates the index (a request must not write into the archive, and a
build can take minutes): without one, the page names the exact command that builds it. A
read-only archive's index is searched from a copy in the user's cache, as `portal-archive
search` does (tantivy cannot open an index on read-only storage).
"""

from __future__ import annotations

import re
import shlex
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyarrow.compute as pc
import pyarrow.parquet as pq
from flask import Blueprint, current_app, g, render_template, request
from markupsafe import Markup, escape

from archive.records import read_head
from archive.snapshot import list_snapshots
from browser.i18n import translate
from search.engine import MARK, Filters
from search.engine import search as run_search
from search.index import (
    DB_NAME,
    KINDS,
    SIDECAR,
    SearchIndex,
    _writable,
    cache_dir,
    closed_snapshots,
    damage,
    index_dir,
)
from search.query import QueryError, Term, parse_query
from search.timeline import timeline as run_timeline

PAGE = 20  # hits a screen; "more" asks for PAGE more
TIMELINE_ROWS = 200  # items a timeline page lists (its per-night counts cover them all)
MAX_HITS = 500
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WARC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.warc\.gz$")
_COPY_LOCK = threading.Lock()

bp = Blueprint("search_pages", __name__)


# -- where the index is ----------------------------------------------------------------------
@dataclass
class IndexState:
    """The index the pages search, or why there is none (with the command that makes one)."""

    path: Path | None = None
    problem: str | None = None  # message key: search_no_index, search_damaged, search_no_data
    detail: str = ""
    command: str | None = None  # the exact command that builds or updates it
    missing: list[str] = field(default_factory=list)  # closed snapshots not indexed yet


def _command(archive: Path, folder: Path | None = None) -> str:
    cmd = f"portal-archive index --archive {shlex.quote(str(archive))}"
    return cmd + (f" --index-dir {shlex.quote(str(folder))}" if folder is not None else "")


def _indexed(db_path: Path) -> list[str]:
    idx = SearchIndex(db_path, readonly=True)
    try:
        return idx.indexed()
    finally:
        idx.close()


_LOCATED: dict[str, tuple[float, tuple, IndexState]] = {}
LOCATE_SECONDS = 10.0  # how long a located index is trusted without looking again


def _signature(archive: Path) -> tuple:
    """What changes when the index or the set of snapshots does: the index files and their
    sidecars (rewritten at every update) and the snapshots folder."""
    out = []
    for path in (index_dir(archive) / SIDECAR, index_dir(archive) / DB_NAME,
                 cache_dir(archive) / SIDECAR, cache_dir(archive) / DB_NAME,
                 archive / "snapshots"):
        try:
            st = path.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def locate_index(archive: Path) -> IndexState:
    """`find_index`, remembered for a few seconds while the index files stay the same: it
    reads every snapshot's manifest and opens the index (~60 ms on the demo archive), and a
    search page is asked for often. A snapshot closing rewrites the index's sidecar."""
    archive = Path(archive)
    key, now, sig = str(archive), time.monotonic(), _signature(archive)
    hit = _LOCATED.get(key)
    if hit is not None and now - hit[0] < LOCATE_SECONDS and hit[1] == sig:
        return hit[2]
    state = find_index(archive)
    _LOCATED[key] = (now, _signature(archive), state)
    return state


def find_index(archive: Path) -> IndexState:
    """The archive's index (`<archive>/index/`), or for a read-only archive its copy in the
    user's cache; never built here."""
    archive = Path(archive)
    wanted = closed_snapshots(archive)
    if not wanted:
        return IndexState(problem="search_no_data")
    own = index_dir(archive)
    writable = _writable(own)
    cache = cache_dir(archive)
    folder = own
    if not writable:
        with _COPY_LOCK:
            folder = _cached_copy(own, cache)
    build = _command(archive, None if writable else cache)
    if folder is None or not (folder / DB_NAME).is_file():
        return IndexState(problem="search_no_index", command=build)
    why = damage(folder)
    if why is not None:
        return IndexState(problem="search_damaged", detail=why,
                          command=_command(archive, None if writable else cache) + " --rebuild")
    indexed = set(_indexed(folder / DB_NAME))
    missing = [s for s in wanted if s not in indexed]
    return IndexState(path=folder / DB_NAME, missing=missing, command=build if missing else None)


def _cached_copy(own: Path, cache: Path) -> Path | None:
    """The cache folder, holding a copy of the archive's own index when the cache has none (or
    an older one): a read-only archive's index is searched there."""
    has_own = (own / DB_NAME).is_file() and damage(own) is None
    has_cache = (cache / DB_NAME).is_file() and damage(cache) is None
    if has_own and (not has_cache or len(_indexed(own / DB_NAME))
                    > len(_indexed(cache / DB_NAME))):
        shutil.rmtree(cache, ignore_errors=True)
        try:
            shutil.copytree(own, cache, ignore=shutil.ignore_patterns(".lock", ".build-*",
                                                                       ".old-*"))
        except OSError:
            shutil.rmtree(cache, ignore_errors=True)
            return None
        return cache
    return cache if has_cache or (cache / DB_NAME).is_file() else None


# -- what a hit shows beside the engine's fields ---------------------------------------------
def highlight(snippet: str) -> Markup:
    """The engine's snippet (matches between « and ») as escaped HTML with <mark>. A « or »
    in the archived text itself that does not pair up stays as text."""
    out, pos = [], 0
    for m in re.finditer(f"{MARK[0]}([^{MARK[0]}{MARK[1]}]*){MARK[1]}", snippet or ""):
        out.append(escape(snippet[pos:m.start()]))
        out.append(Markup("<mark>%s</mark>") % m.group(1))
        pos = m.end()
    out.append(escape((snippet or "")[pos:]))
    return Markup("").join(out)


def fates(db_path: Path, hits: list[dict]) -> dict[int, dict[str, Any]]:
    """Per hit (version id), its number of captures and its fate: `live` (still the item's
    text at its last capture), `changed` (a later night captured other text: on which night)
    or `withdrawn` (a later fetch of its URL answered 404 / 410 / a soft-404 page, the
    portal-state rule `--timeline` follows: on which night). The first of the two events
    after the version's last capture decides."""
    if not hits:
        return {}
    idx = SearchIndex(db_path, readonly=True)
    try:
        out = {}
        for h in hits:
            last_pos, captures = idx.db.execute(
                "SELECT last_pos, captures FROM versions WHERE id = ?", (h["id"],)).fetchone()
            later = idx.db.execute(
                "SELECT first_pos, first_snapshot FROM versions WHERE type = ? AND item_key = ? "
                "AND first_pos > ? ORDER BY first_pos LIMIT 1",
                (h["type"], h["item_key"], last_pos)).fetchone()
            gone = idx.db.execute(
                "SELECT pos, snapshot_id, reason FROM gone WHERE type = ? AND item_key = ? "
                "AND pos > ? ORDER BY pos LIMIT 1", (h["type"], h["item_key"], last_pos)
            ).fetchone()
            if gone is not None and (later is None or gone[0] < later[0]):
                out[h["id"]] = {"state": "withdrawn", "snapshot": gone[1], "reason": gone[2]}
            elif later is not None:
                out[h["id"]] = {"state": "changed", "snapshot": later[1], "reason": None}
            else:
                out[h["id"]] = {"state": "live", "snapshot": h["last_snapshot"], "reason": None}
            out[h["id"]]["captures"] = captures
        return out
    finally:
        idx.close()


@lru_cache(maxsize=4096)
def capture_url(archive: str, snapshot_id: str, warc_file: str, offset: int) -> str | None:
    """The URL the capture at (file, offset) was recorded under (its WARC-Target-URI): what
    replay asks pywb for. None if the record cannot be read."""
    if not _WARC_NAME.match(warc_file or "") or "/" in snapshot_id or ".." in snapshot_id:
        return None
    path = Path(archive) / "snapshots" / snapshot_id / "warcs" / warc_file
    try:
        with open(path, "rb") as fh:
            head = read_head(fh, int(offset), 65536)
    except OSError:
        return None
    return head.rec_headers.get_header("WARC-Target-URI") if head is not None else None


@lru_cache(maxsize=1024)
def linked_from(archive: str, snapshot_id: str, url: str) -> dict[str, Any] | None:
    """The article or document whose page links the attachment `url` in that snapshot."""
    path = Path(archive) / "snapshots" / snapshot_id / "datasets" / "attachment_texts.parquet"
    if "/" in snapshot_id or not path.is_file():
        return None
    table = pq.read_table(path, columns=["url", "document_id", "article_id", "linked_from"])
    rows = table.filter(pc.equal(table.column("url"), url)).to_pylist()
    if not rows:
        return None
    row = rows[0]
    if row["document_id"] is not None:
        return {"kind": "document", "key": row["document_id"], "url": row["linked_from"]}
    if row["article_id"] is not None:
        return {"kind": "article", "key": row["article_id"], "url": row["linked_from"]}
    return {"kind": None, "key": None, "url": row["linked_from"]} if row["linked_from"] else None


def enrich(archive: Path, db_path: Path, hits: list[dict]) -> list[dict]:
    states = fates(db_path, hits)
    out = []
    for h in hits:
        item = None
        if h["type"] in ("article", "document") and str(h["item_key"]).isdigit():
            item = f"/item/{h['type']}/{h['item_key']}"
        replay_url = capture_url(str(archive), h["snapshot_id"], h["warc_file"],
                                 h["warc_offset"]) or h["url"]
        link = (linked_from(str(archive), h["snapshot_id"], h["url"])
                if h["type"] == "attachment" else None)
        out.append({**h, "fate": states.get(h["id"]), "item_page": item,
                    "replay_url": replay_url, "highlighted": highlight(h["snippet"]),
                    "linked": link})
    return out


# -- the request ----------------------------------------------------------------------------
class BadInput(ValueError):
    """A filter the page cannot use (one line for the user)."""


def _day(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise BadInput(translate("search_bad_date", g.lang).format(
            field=translate(f"search_{name}", g.lang), value=value)) from None
    return value


def read_filters() -> Filters:
    types = [t for t in request.args.getlist("type") if t]
    for t in types:
        if t not in KINDS:
            raise BadInput(translate("search_bad_type", g.lang).format(value=t))
    by = request.args.get("by") or "published"
    if by not in ("published", "captured"):
        raise BadInput(translate("search_bad_by", g.lang).format(value=by))
    n = request.args.get("n") or str(PAGE)
    if not n.isdigit() or not 0 < int(n) <= MAX_HITS:
        raise BadInput(translate("search_bad_n", g.lang).format(max=MAX_HITS))
    return Filters(types=types, portal=request.args.get("portal") or None,
                   since=_day("since"), until=_day("until"), by=by,
                   snapshot=request.args.get("snapshot") or None, limit=int(n))


def _choices(db_path: Path) -> dict[str, list[str]]:
    idx = SearchIndex(db_path, readonly=True)
    try:
        portals = [r[0] for r in idx.db.execute(
            "SELECT DISTINCT portal FROM versions WHERE portal IS NOT NULL ORDER BY portal")]
        return {"portals": portals, "snapshots": idx.indexed()}
    finally:
        idx.close()


def _single_phrase(q: str) -> bool:
    try:
        query = parse_query(q if '"' in q else f'"{q}"')
    except QueryError:
        return False
    return isinstance(query.tree, Term)


@bp.get("/search")
def search_page() -> str:
    archive = Path(current_app.config["ARCHIVE"])
    q = request.args.get("q")
    context: dict[str, Any] = {"q": q or "", "search_q": q or "", "hits": None, "error": None,
                               "state": None,
                               "choices": {"portals": [], "snapshots": []}, "more": None,
                               "args": request.args, "timeline": None, "kinds": KINDS}
    try:
        filters = read_filters()
    except BadInput as exc:
        context["error"] = str(exc)
        return render_template("search.html", **context), 400
    state = locate_index(archive)
    context["state"] = state
    if state.path is None:
        return render_template("search.html", **context), 200
    context["choices"] = _choices(state.path)
    if q is None:  # the page opened without a query: the box and how to write one
        return render_template("search.html", **context)
    if not q.strip():  # the box sent empty: a hint, not an error
        context["error"] = translate("search_empty", g.lang)
        return render_template("search.html", **context)
    try:
        query = parse_query(q)
    except QueryError as exc:
        context["error"] = f"{translate('search_syntax', g.lang)}: {exc}"
        return render_template("search.html", **context), 400
    if filters.snapshot and filters.snapshot not in context["choices"]["snapshots"]:
        context["error"] = translate("search_bad_snapshot", g.lang).format(
            value=filters.snapshot)
        return render_template("search.html", **context), 400
    try:  # the query and the filters are valid: what fails now is the index
        hits = run_search(state.path, query, filters)
    except Exception as exc:  # noqa: BLE001 - an index damaged since it was located
        return _index_failed("search.html", context, archive, exc)
    context["hits"] = enrich(archive, state.path, hits)
    if len(hits) == filters.limit and filters.limit < MAX_HITS:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "n"]
        context["more"] = "/search?" + urlencode(args + [("n", filters.limit + PAGE)])
    if _single_phrase(q):
        args = [("phrase", q)] + [("type", t) for t in filters.types]
        context["timeline"] = "/search/timeline?" + urlencode(args)
    return render_template("search.html", **context)


def _index_failed(template: str, context: dict[str, Any], archive: Path,
                  exc: Exception) -> str:
    """The index failed under a search (damaged since it was located, or in a way the sidecar
    check does not see): why, in one line, and the command that rebuilds it."""
    _LOCATED.pop(str(archive), None)
    state = locate_index(archive)
    if state.problem is None:  # damage the sidecar check does not see (a segment file)
        folder = None if _writable(index_dir(archive)) else cache_dir(archive)
        state = IndexState(problem="search_damaged",
                           detail=" ".join(f"{type(exc).__name__}: {exc}".split())[:300],
                           command=_command(archive, folder) + " --rebuild")
        _LOCATED.pop(str(archive), None)
    context["state"] = state
    return render_template(template, **context)  # a page that explains, as without an index


def night_grid(archive: Path, db_path: Path, items: list[dict]) -> tuple[list[dict], list]:
    """The nights (indexed snapshots, in archive order) and per item one cell per night:
    `with` (the item held the phrase as last captured), `gone` (the night it was found gone),
    `other` (a night of another portal) or `none`; and per night how many items held it."""
    portal_of = {}
    for snap in list_snapshots(archive):
        seeds = snap.manifest.get("seeds") or []
        portal_of[snap.snapshot_id] = urlsplit(seeds[0]).netloc if seeds else ""
    nights = [{"snapshot_id": s, "portal": portal_of.get(s, ""), "count": 0}
              for s in _indexed(db_path)]
    order = {n["snapshot_id"]: i for i, n in enumerate(nights)}
    for item in items:
        host = urlsplit(item["url"]).netloc
        first = order.get(item["first_seen"], 0)
        gone = order.get(item["gone_at"], len(nights)) if item["gone_at"] else len(nights)
        cells = []
        for i, night in enumerate(nights):
            if night["portal"] and night["portal"] != host:
                cells.append("other")
            elif first <= i < gone:
                cells.append("with")
                night["count"] += 1
            elif i == gone:
                cells.append("gone")
            else:
                cells.append("none")
        item["cells"] = cells
    return nights, items


@bp.get("/search/timeline")
def timeline_page() -> str:
    archive = Path(current_app.config["ARCHIVE"])
    phrase = request.args.get("phrase")
    context: dict[str, Any] = {"phrase": phrase or "", "result": None, "error": None,
                               "state": None, "nights": [], "kinds": KINDS,
                               "types": request.args.getlist("type")}
    types = [t for t in context["types"] if t]
    if any(t not in KINDS for t in types):
        context["error"] = translate("search_bad_type", g.lang).format(
            value=next(t for t in types if t not in KINDS))
        return render_template("search_timeline.html", **context), 400
    state = locate_index(archive)
    context["state"] = state
    if state.path is None:
        return render_template("search_timeline.html", **context)
    if phrase is None:
        return render_template("search_timeline.html", **context)
    if not phrase.strip():
        context["error"] = translate("search_empty", g.lang)
        return render_template("search_timeline.html", **context)
    if not _single_phrase(phrase):
        try:  # a syntax error says where; a valid expression is not one phrase
            parse_query(phrase if '"' in phrase else f'"{phrase}"')
            context["error"] = translate("search_one_phrase", g.lang)
        except QueryError as exc:
            context["error"] = f"{translate('search_syntax', g.lang)}: {exc}"
        return render_template("search_timeline.html", **context), 400
    try:  # the phrase is valid (above): what fails now is the index
        result = run_timeline(state.path, phrase, types or None)
    except Exception as exc:  # noqa: BLE001 - an index damaged since it was located
        return _index_failed("search_timeline.html", context, archive, exc)
    nights, items = night_grid(archive, state.path, result["items"])
    shown = items[:TIMELINE_ROWS]  # the counts per night are over every item
    pages = _item_pages(state.path, shown)
    for item in shown:
        item["item_page"] = pages.get((item["type"], item["url"]))
    context.update(result=result, nights=nights, shown=shown)
    return render_template("search_timeline.html", **context)


def _item_pages(db_path: Path, items: list[dict]) -> dict[tuple[str, str], str]:
    """The item page of each timeline item that has one (articles and documents)."""
    idx = SearchIndex(db_path, readonly=True)
    try:
        out = {}
        for item in items:
            if item["type"] not in ("article", "document"):
                continue
            # item_urls is keyed by URL (the versions table is not: a scan per item)
            row = idx.db.execute("SELECT item_key FROM item_urls WHERE url = ? AND type = ? "
                                 "LIMIT 1", (item["url"], item["type"])).fetchone()
            if row is not None and str(row[0]).isdigit():
                out[(item["type"], item["url"])] = f"/item/{item['type']}/{row[0]}"
        return out
    finally:
        idx.close()
