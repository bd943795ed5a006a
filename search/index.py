"""The full-text index: one SQLite file with two FTS5 tables, built from the datasets only.

`<archive>/index/search.sqlite3` holds

- `versions`: one row per item *version* (article, document or attachment text whose indexed
  text stayed the same), with the range of snapshots in which it was captured unchanged
  (`first_*` / `last_*` lineage: snapshot, capture time, WARC file and offset), URL, title,
  portal (the URL's host), publication date and the text (zlib) for snippets;
- `fts_fold` / `fts_exact` (contentless FTS5, rowid = version id): the folded text (no
  diacritics, đ → d) and the NFC lower-case text, each in a `title` and a `body` column;
- `gone`: fetches that found an item withdrawn (HTTP 404 / 410 or a soft-404 page: the portal
  state's rule, `audit.state.withdrawal_reasons`) for the timeline; `item_urls` maps an
  item's URLs to it;
- `snapshots`: the closed snapshots indexed, in archive order.

Why SQLite FTS5 and not tantivy: measured in docs/search.md. Incremental: each closed snapshot
not yet indexed is added in order; a snapshot that appears *before* the last indexed one (or
one that disappeared) makes the index rebuild. The index is derived: deleting `index/` loses
nothing. A sidecar `search.json` records the file's size after each write, so a truncated file
is noticed before it is trusted, and rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archive.snapshot import list_snapshots
from audit.state import redirected_home, withdrawal_reasons
from search.fulltext import FullText
from search.text import nfc

FORMAT = 3  # 3: the gone table keeps the last gone fetch of a night (was the first)
INDEX_DIR = "index"
DB_NAME = "search.sqlite3"
FULLTEXT = "fulltext"  # the tantivy folder, beside the SQLite file
SIDECAR = "search.json"
KINDS = ("article", "document", "attachment")
_SEP = "\x1f"
_BATCH = 2000

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE snapshots(snapshot_id TEXT PRIMARY KEY, position INTEGER NOT NULL,
                       rows INTEGER NOT NULL, new_versions INTEGER NOT NULL,
                       indexed_at TEXT NOT NULL);
CREATE TABLE versions(
  id INTEGER PRIMARY KEY, type TEXT NOT NULL, item_key TEXT NOT NULL, url TEXT NOT NULL,
  title TEXT, portal TEXT, published_at TEXT, hash TEXT NOT NULL,
  first_pos INTEGER NOT NULL, first_snapshot TEXT NOT NULL, first_captured_at TEXT NOT NULL,
  first_warc_file TEXT NOT NULL, first_warc_offset INTEGER NOT NULL,
  last_pos INTEGER NOT NULL, last_snapshot TEXT NOT NULL, last_captured_at TEXT NOT NULL,
  last_warc_file TEXT NOT NULL, last_warc_offset INTEGER NOT NULL,
  captures INTEGER NOT NULL, text BLOB NOT NULL);
CREATE INDEX versions_item ON versions(type, item_key, id);
CREATE TABLE item_urls(url TEXT NOT NULL, type TEXT NOT NULL, item_key TEXT NOT NULL,
                       PRIMARY KEY(url, type, item_key)) WITHOUT ROWID;
CREATE TABLE gone(type TEXT NOT NULL, item_key TEXT NOT NULL, pos INTEGER NOT NULL,
                  snapshot_id TEXT NOT NULL, captured_at TEXT NOT NULL, warc_file TEXT NOT NULL,
                  warc_offset INTEGER NOT NULL, reason TEXT NOT NULL,
                  PRIMARY KEY(type, item_key, pos)) WITHOUT ROWID;
"""


class IndexError_(Exception):
    """The index cannot be built or opened (one line for the user)."""


@dataclass
class Doc:
    """One row of a dataset as the index sees it."""

    type: str
    key: str
    url: str
    page_url: str | None
    title: str
    display_title: str
    body: str
    published_at: str | None
    captured_at: str
    warc_file: str
    warc_offset: int


# -- where the index lives -------------------------------------------------------------------
def index_dir(archive: Path) -> Path:
    return Path(archive) / INDEX_DIR


def cache_dir(archive: Path) -> Path:
    """Where the index of a read-only archive is built: the user's cache, one per archive."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha1(str(Path(archive).resolve()).encode()).hexdigest()[:16]
    return base / "portal-archive" / "index" / digest


def _writable(folder: Path) -> bool:
    probe = folder
    while not probe.exists():
        probe = probe.parent
    return os.access(probe, os.W_OK)


# -- which snapshots -------------------------------------------------------------------------
def closed_snapshots(archive: Path) -> list[str]:
    """Closed snapshots that have datasets, in archive order (failed/aborted/open ones left out)."""
    return [s.snapshot_id for s in list_snapshots(Path(archive))
            if s.status == "closed" and (s.path / "datasets" / "articles.parquet").is_file()]


# -- reading the datasets --------------------------------------------------------------------
def _read(datasets: Path, table: str, columns: list[str]) -> pa.Table | None:
    path = datasets / f"{table}.parquet"
    if not path.is_file():
        return None
    have = set(pq.read_schema(path).names)
    return pq.read_table(path, columns=[c for c in columns if c in have])


_LINEAGE = ["captured_at", "warc_file", "warc_offset", "warc_record_id"]


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _children_text(table: pa.Table | None, key: str, columns: list[str]) -> dict:
    """(parent key, warc_record_id) → the children's texts joined, in position order."""
    out: dict[tuple, list[str]] = {}
    if table is None or table.num_rows == 0:
        return {}
    if "position" in table.column_names:
        table = table.sort_by([(key, "ascending"), ("warc_record_id", "ascending"),
                               ("position", "ascending")])
    keys = table.column(key).to_pylist()
    recs = table.column("warc_record_id").to_pylist()
    cols = [table.column(c).to_pylist() for c in columns if c in table.column_names]
    for i, (k, r) in enumerate(zip(keys, recs, strict=True)):
        parts = [c[i] for c in cols if c[i]]
        if parts:
            out.setdefault((k, r), []).append(" ".join(parts))
    return {k: "\n".join(v) for k, v in out.items()}


def _key(cols: dict[str, list], id_column: str, i: int) -> str:
    """The item's key: `item_key` (the platform's id, else its URL path; issue 14), else the
    id of datasets written before it."""
    item = cols.get("item_key")
    return item[i] if item and item[i] is not None else str(cols[id_column][i])


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def read_docs(datasets: Path) -> Iterator[Doc]:
    """Every article, document and attachment text of one snapshot's datasets, in file order."""
    arts = _read(datasets, "articles", ["article_id", "url", "page_url", "title", "summary",
                                        "body_text", "published_at", *_LINEAGE, "item_key"])
    if arts is not None and arts.num_rows:
        authors = _children_text(_read(datasets, "article_authors",
                                       ["article_id", "warc_record_id", "position", "name",
                                        "organization"]), "article_id", ["name", "organization"])
        captions = _children_text(_read(datasets, "images",
                                        ["article_id", "warc_record_id", "position", "caption"]),
                                  "article_id", ["caption"])
        cols = {c: arts.column(c).to_pylist() for c in arts.column_names}
        for i in range(arts.num_rows):
            k = (cols["article_id"][i], cols["warc_record_id"][i])
            title = cols["title"][i] or ""
            yield Doc("article", _key(cols, "article_id", i), cols["url"][i], cols["page_url"][i],
                      title, title,
                      _join(cols["summary"][i], cols["body_text"][i], captions.get(k),
                            authors.get(k)),
                      _iso(cols["published_at"][i]), _iso(cols["captured_at"][i]),
                      cols["warc_file"][i], int(cols["warc_offset"][i]))
    docs = _read(datasets, "documents", ["document_id", "number", "url", "page_url", "title",
                                         "summary", "body_text", "issued_on", *_LINEAGE,
                                         "item_key"])
    if docs is not None and docs.num_rows:
        cols = {c: docs.column(c).to_pylist() for c in docs.column_names}
        for i in range(docs.num_rows):
            title = cols["title"][i] or ""
            yield Doc("document", _key(cols, "document_id", i), cols["url"][i],
                      cols["page_url"][i], _join(cols["number"][i], title), title,
                      _join(cols["summary"][i], cols["body_text"][i]),
                      _iso(cols["issued_on"][i]), _iso(cols["captured_at"][i]),
                      cols["warc_file"][i], int(cols["warc_offset"][i]))
    # attachment_texts exists from issue 16 items 1-2 on (branch h5); older snapshots lack it.
    atts = _read(datasets, "attachment_texts", ["url", "name", "text", "linked_from",
                                                *_LINEAGE])
    if atts is not None and atts.num_rows:
        cols = {c: atts.column(c).to_pylist() for c in atts.column_names}
        names = cols.get("name") or [None] * atts.num_rows
        for i in range(atts.num_rows):
            url = cols["url"][i]
            title = names[i] or url.rsplit("/", 1)[-1]
            yield Doc("attachment", url, url, None, title, title, cols["text"][i] or "",
                      None, _iso(cols["captured_at"][i]), cols["warc_file"][i],
                      int(cols["warc_offset"][i]))


def read_gone(datasets: Path) -> list[tuple[str, str, str, int, str]]:
    """(url, captured_at, warc_file, warc_offset, reason) of fetches that found an item gone,
    by the portal state's rule (audit.state.withdrawal_reasons)."""
    pages = _read(datasets, "pages", ["url", "status", "page_type", "captured_at",
                                      "warc_file", "warc_offset", "location"])
    if pages is None or pages.num_rows == 0:
        return []
    why = withdrawal_reasons(pages.column("status"), pages.column("page_type"),
                             redirected_home(pages))
    found = pages.append_column("reason", why).filter(pc.is_valid(why))
    return [(r["url"], _iso(r["captured_at"]), r["warc_file"], int(r["warc_offset"]),
             r["reason"]) for r in found.to_pylist()]


# -- the index file --------------------------------------------------------------------------
class SearchIndex:
    """An open index file (read-write while building, read-only when searching)."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            uri = f"file:{self.path}?mode=ro"
            if not os.access(self.path.parent, os.W_OK):
                uri += "&immutable=1"
            self.db = sqlite3.connect(uri, uri=True)
        else:
            self.db = sqlite3.connect(self.path)
            self.db.execute("PRAGMA journal_mode=DELETE")
            self.db.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        self.db.close()

    def indexed(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT snapshot_id FROM snapshots ORDER BY position")]

    def check(self) -> None:
        """Raise sqlite3.DatabaseError if the file is not a readable index of our format."""
        row = self.db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        if row is None or int(row[0]) != FORMAT:
            raise sqlite3.DatabaseError(f"index format {row and row[0]}, expected {FORMAT}")
        versions = self.db.execute("SELECT count(*) FROM versions").fetchone()[0]
        try:
            docs = FullText(self.path.parent / FULLTEXT).num_docs()
        except Exception as exc:  # noqa: BLE001 - tantivy raises ValueError/OSError variants
            raise sqlite3.DatabaseError(f"full-text index unreadable: {exc}") from None
        if docs != versions:
            raise sqlite3.DatabaseError(f"full-text index holds {docs} versions, the version "
                                        f"table {versions}")

    # -- building ----------------------------------------------------------------------------
    def create(self) -> None:
        self.db.executescript(SCHEMA)
        FullText(self.path.parent / FULLTEXT, create=True)
        self.db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
        self.db.commit()

    def add_snapshot(self, archive: Path, snapshot_id: str, position: int) -> tuple[int, int]:
        """Index one closed snapshot's datasets; returns (rows read, new versions)."""
        datasets = Path(archive) / "snapshots" / snapshot_id / "datasets"
        db = self.db
        latest: dict[tuple[str, str], tuple[int, str]] = {}
        for vid, typ, key, digest in db.execute(
                "SELECT id, type, item_key, hash FROM versions WHERE id IN "
                "(SELECT max(id) FROM versions GROUP BY type, item_key)"):
            latest[(typ, key)] = (vid, digest)
        next_id = (db.execute("SELECT max(id) FROM versions").fetchone()[0] or 0) + 1
        rows = new = 0
        inserts, updates, urls = [], [], set()
        fulltext = FullText(self.path.parent / FULLTEXT)
        for doc in read_docs(datasets):
            rows += 1
            digest = hashlib.blake2b(f"{doc.title}{_SEP}{doc.body}".encode(),
                                     digest_size=16).hexdigest()
            item = (doc.type, doc.key)
            urls.add((doc.url, doc.type, doc.key))
            if doc.page_url and doc.page_url != doc.url:
                urls.add((doc.page_url, doc.type, doc.key))
            seen = latest.get(item)
            if seen is not None and seen[1] == digest:
                updates.append((position, snapshot_id, doc.captured_at, doc.warc_file,
                                doc.warc_offset, seen[0]))
                continue
            vid = next_id
            next_id += 1
            new += 1
            latest[item] = (vid, digest)
            title, body = nfc(doc.title), nfc(doc.body)
            inserts.append((vid, doc.type, doc.key, doc.url, doc.display_title,
                            urlsplit(doc.url).hostname, doc.published_at, digest,
                            position, snapshot_id, doc.captured_at, doc.warc_file,
                            doc.warc_offset, position, snapshot_id, doc.captured_at,
                            doc.warc_file, doc.warc_offset,
                            zlib.compress(f"{title}{_SEP}{body}".encode(), 1)))
            fulltext.add(vid, title, body)
            if len(inserts) >= _BATCH:
                self._flush(inserts, updates)
        self._flush(inserts, updates)
        db.executemany("INSERT OR IGNORE INTO item_urls VALUES (?, ?, ?)", sorted(urls))
        # One gone fetch per item and snapshot is kept: the last (by capture time), which
        # decides, with the item's captures, whether the state as of the snapshot withdrew it.
        for url, captured_at, warc_file, offset, reason in sorted(read_gone(datasets),
                                                                  key=lambda g: g[1]):
            for typ, key in db.execute(
                    "SELECT type, item_key FROM item_urls WHERE url = ?", (url,)).fetchall():
                db.execute("INSERT OR REPLACE INTO gone VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (typ, key, position, snapshot_id, captured_at, warc_file, offset,
                            reason))
        db.execute("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?)",
                   (snapshot_id, position, rows, new,
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        # Full text first: a crash between the two commits leaves more documents than
        # versions, which `check` reports as damage (and the index is rebuilt).
        fulltext.commit()
        db.commit()
        return rows, new

    def _flush(self, inserts: list, updates: list) -> None:
        db = self.db
        if inserts:
            db.executemany(
                "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, 1, ?)", inserts)
        if updates:
            db.executemany(
                "UPDATE versions SET last_pos = ?, last_snapshot = ?, last_captured_at = ?, "
                "last_warc_file = ?, last_warc_offset = ?, captures = captures + 1 "
                "WHERE id = ?", updates)
        for batch in (inserts, updates):
            batch.clear()


# -- keeping it current ----------------------------------------------------------------------
@dataclass
class UpdateResult:
    path: Path
    added: list[str]
    rebuilt: bool
    rows: int
    versions: int
    seconds: float
    note: str | None = None  # one line for the user (read-only archive, damaged index…)


def _write_sidecar(folder: Path) -> None:
    size = (folder / DB_NAME).stat().st_size
    tmp = folder / f".{SIDECAR}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"format": FORMAT, "size": size}), encoding="utf-8")
    tmp.replace(folder / SIDECAR)


def damage(folder: Path) -> str | None:
    """Why the index in `folder` cannot be trusted, or None if it looks whole."""
    db = folder / DB_NAME
    if not db.is_file():
        return None
    try:
        side = json.loads((folder / SIDECAR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{SIDECAR} missing or unreadable"
    size = db.stat().st_size
    if side.get("format") != FORMAT:
        return f"index format {side.get('format')}, expected {FORMAT}"
    if side.get("size") != size:
        return f"{DB_NAME} is {size} bytes, {side.get('size')} were written"
    try:
        idx = SearchIndex(db, readonly=True)
        try:
            idx.check()
        finally:
            idx.close()
    except sqlite3.DatabaseError as exc:
        return f"{DB_NAME} unreadable: {exc}"
    return None


def _indexed(folder: Path) -> list[str] | None:
    db = folder / DB_NAME
    if not db.is_file():
        return None
    idx = SearchIndex(db, readonly=True)
    try:
        return idx.indexed()
    finally:
        idx.close()


@contextlib.contextmanager
def _writer_lock(folder: Path):
    """One writer at a time per index folder (the crawl's hook and a `search` may meet);
    waits for the other to finish. Released by the kernel if the holder dies."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def update_index(archive: Path, rebuild: bool = False, folder: Path | None = None,
                 progress=None) -> UpdateResult:
    """Bring the index of `archive` up to date (or rebuild it); see _update."""
    folder = Path(folder) if folder is not None else index_dir(Path(archive))
    with _writer_lock(folder):
        return _update(Path(archive), rebuild, folder, progress)


def _update(archive: Path, rebuild: bool, folder: Path, progress) -> UpdateResult:
    """Bring the index of `archive` up to date (or rebuild it) and return what was done.

    `folder` defaults to `<archive>/index/`. Incremental: only closed snapshots not yet indexed
    are read. A damaged index, or a snapshot inserted before the last indexed one, makes it a
    rebuild. A rebuild is written beside the old file and renamed over it at the end.
    """
    started = time.monotonic()
    wanted = closed_snapshots(archive)
    note = None
    why = damage(folder)
    if why is not None:
        note = f"index {folder} damaged ({why}); rebuilt from the datasets"
        rebuild = True
    indexed = None if rebuild else _indexed(folder)
    if indexed is not None and indexed != wanted[: len(indexed)]:
        rebuild, indexed = True, None  # a snapshot removed, or one older than the last indexed
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / DB_NAME
    if indexed is None:
        build = Path(tempfile.mkdtemp(prefix=".build-", dir=folder))
        target = build / DB_NAME
        idx = SearchIndex(target)
        idx.create()
        todo = wanted
        start_pos = 0
    else:
        target = db_path
        idx = SearchIndex(target)
        todo = wanted[len(indexed):]
        start_pos = len(indexed)
    rows = versions = 0
    try:
        for i, sid in enumerate(todo):
            r, v = idx.add_snapshot(archive, sid, start_pos + i)
            rows += r
            versions += v
            if progress:
                progress(sid, r, v)
    except BaseException:
        idx.close()
        if target != db_path:
            shutil.rmtree(target.parent, ignore_errors=True)
        raise
    idx.close()
    if target != db_path:
        _swap_in(target.parent, folder)
    _write_sidecar(folder)
    return UpdateResult(db_path, todo, indexed is None, rows, versions,
                        time.monotonic() - started, note)


def _swap_in(build: Path, folder: Path) -> None:
    """Replace the index files of `folder` by those built in `build` (the writer lock is held;
    a crash in between leaves a sidecar that does not match, so the next run rebuilds)."""
    (folder / SIDECAR).unlink(missing_ok=True)
    old = Path(tempfile.mkdtemp(prefix=".old-", dir=folder))
    for name in (DB_NAME, FULLTEXT):
        if (folder / name).exists():
            (folder / name).replace(old / name)
    for name in (DB_NAME, FULLTEXT):
        (build / name).replace(folder / name)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(build, ignore_errors=True)


def is_current(folder: Path, archive: Path) -> bool:
    if damage(folder) is not None:
        return False
    try:
        return _indexed(folder) == closed_snapshots(archive)
    except sqlite3.DatabaseError:
        return False


def ensure_index(archive: Path, warn=None) -> Path:
    """The path of an up-to-date index for `archive`, building or updating it if needed.

    `<archive>/index/` when it is current or the archive is writable; for a read-only archive
    whose index is missing or stale, an index built in the user's cache (`warn` gets one line
    saying so).
    """
    archive = Path(archive)
    warn = warn or (lambda line: print(line, file=sys.stderr))
    own = index_dir(archive)
    if _writable(own):
        with _writer_lock(own):  # an index being written is waited for, not judged damaged
            if is_current(own, archive):
                return own / DB_NAME
            result = _update(archive, False, own, None)
        if result.note:
            warn(result.note)
        return result.path
    cache = cache_dir(archive)
    if is_current(cache, archive):
        return cache / DB_NAME
    if (own / DB_NAME).is_file():
        # tantivy cannot open an index on read-only storage (it takes a lock file): a copy in
        # the cache is searched, and made current there if the archive's own is not.
        shutil.rmtree(cache, ignore_errors=True)
        try:
            shutil.copytree(own, cache, ignore=shutil.ignore_patterns(".lock", ".build-*",
                                                                       ".old-*"))
        except OSError:
            shutil.rmtree(cache, ignore_errors=True)
    try:
        result = update_index(archive, folder=cache)
    except OSError as exc:
        raise IndexError_(f"archive {archive} is read-only and its index is missing or out of "
                          f"date, and the cache {cache} cannot be written ({exc}); build one "
                          f"with: portal-archive index --archive {archive} --index-dir DIR"
                          ) from None
    if result.added:
        warn(f"note: archive {archive} is read-only and its index is missing or out of date: "
             f"searching an index built in {cache}")
    return result.path
