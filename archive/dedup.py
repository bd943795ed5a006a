"""Server-less deduplication index: payload digest → first capture, in one SQLite file.

Entries written during a crawl are *pending* for their snapshot. They become dedup sources
only when the snapshot is committed (closed); discarding a snapshot (abort) drops them, so an
unfinished or aborted snapshot is never the target of a revisit record. Among committed
snapshots the first capture of a payload wins: later snapshots never replace it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    payload_digest TEXT PRIMARY KEY,
    uri TEXT NOT NULL,
    date TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    warc_path TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    record_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS captures_snapshot ON captures (snapshot_id);
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    payload_digest TEXT NOT NULL,
    uri TEXT NOT NULL,
    date TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    warc_path TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    UNIQUE (snapshot_id, payload_digest)
);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

_COLUMNS = "payload_digest, uri, date, snapshot_id, warc_path, offset, length, record_id"
PENDING_BATCH = 64


@dataclass(frozen=True)
class DedupEntry:
    """Where the first capture of a payload lives.

    `date` is the original record's WARC-Date; `warc_path` is relative to the archive root
    (e.g. ``snapshots/<ID>/warcs/<name>.warc.gz``); `offset`/`length` locate its gzip member.
    """

    payload_digest: str
    uri: str
    date: str
    snapshot_id: str
    warc_path: str
    offset: int
    length: int
    record_id: str


def _row(entry: DedupEntry) -> tuple:
    # explicit tuple: dataclasses.astuple deep-copies and costs more than the insert
    return (
        entry.payload_digest,
        entry.uri,
        entry.date,
        entry.snapshot_id,
        entry.warc_path,
        entry.offset,
        entry.length,
        entry.record_id,
    )


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that writes nothing, to an index that must exist.

    In a folder this process may write to, an ordinary connection: a crawl may be writing the
    index at the same time, and WAL readers need the shared-memory file (the last connection
    to close removes it; SQLite's `mode=ro` would leave `-wal` and `-shm` files behind). In a
    read-only folder (a read-only mount, another user's archive) SQLite cannot create those
    files, so the file is opened with `immutable=1`: no locks, no side files, and nobody can be
    writing there. A `-wal` file left by a writer that died is still read, through `mode=ro`
    (possible when it exists); only if that fails too is the main file read alone.
    """
    if not path.is_file():
        raise FileNotFoundError(f"no dedup index at {path}")
    if os.access(path.parent, os.W_OK) and os.access(path, os.W_OK):
        return sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    uri = "file:" + urllib.parse.quote(str(path.resolve()))
    if Path(f"{path}-wal").is_file():
        conn = sqlite3.connect(uri + "?mode=ro", uri=True, check_same_thread=False,
                               isolation_level=None)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            return conn
        except sqlite3.OperationalError:
            conn.close()
    return sqlite3.connect(uri + "?immutable=1", uri=True, check_same_thread=False,
                           isolation_level=None)


class DedupIndex:
    """SQLite (WAL) index of payload digests. Safe to share between threads of one process."""

    def __init__(self, path: Path | str, readonly: bool = False) -> None:
        """Open (and create) the index; `readonly`: an existing index, for commands that only
        read, which then work on read-only storage and never create a file there."""
        self.path = Path(path)
        self.readonly = readonly
        self._lock = threading.Lock()
        if readonly:
            self._conn = _connect_readonly(self.path)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection guarded by a lock: simpler than a pool, and SQLite serialises
            # writers anyway. WAL lets a reader (e.g. `verify`) run while a crawl writes.
            self._conn = sqlite3.connect(self.path, check_same_thread=False,
                                         isolation_level=None)
        # busy_timeout first: a crawl and `verify` may open the index at the same moment.
        self._conn.execute("PRAGMA busy_timeout=10000")
        if not readonly:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        self._marked_open: set[str] = set()  # snapshots this connection has marked open
        self._buffer: list[tuple] = []  # pending rows not yet in the database (see `add`)

    # -- queries ---------------------------------------------------------------------------
    def lookup(self, payload_digest: str) -> DedupEntry | None:
        """The first committed capture with this payload digest, or None."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM captures WHERE payload_digest = ?", (payload_digest,)
            ).fetchone()
        return DedupEntry(*row) if row else None

    def status(self, snapshot_id: str) -> str | None:
        """`open`, `closed` or `aborted` as recorded here, or None if never seen."""
        with self._lock:
            self._flush()
            row = self._conn.execute(
                "SELECT status FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)
            ).fetchone()
        return row[0] if row else None

    def count(self, snapshot_id: str | None = None, pending: bool = False) -> int:
        """Number of committed (or pending) entries, overall or for one snapshot."""
        table = "pending" if pending else "captures"
        sql = f"SELECT COUNT(*) FROM {table}"
        params: tuple = ()
        if snapshot_id is not None:
            sql += " WHERE snapshot_id = ?"
            params = (snapshot_id,)
        with self._lock:
            self._flush()
            return int(self._conn.execute(sql, params).fetchone()[0])

    # -- updates ---------------------------------------------------------------------------
    def add(self, snapshot_id: str, entry: DedupEntry) -> None:
        """Record a capture as pending for `snapshot_id` (first one per digest kept).

        Entries are written in batches of `PENDING_BATCH`, in order, one transaction each (for
        3,824 captures: 0.03 s, against 0.19 s with a transaction per capture). Until `flush`
        (also run by `commit_snapshot`, `discard_snapshot`, `count` and `close`), up to a batch
        is only in memory; a crawl killed before then loses nothing that matters, because pending
        entries only become dedup sources at close, and a resumed crawl re-adds every
        capture's entry from its WARCs (`scraper.resume.recover_state`).
        """
        if entry.snapshot_id != snapshot_id:
            raise ValueError(f"entry belongs to {entry.snapshot_id!r}, not {snapshot_id!r}")
        with self._lock:
            self._buffer.append(_row(entry))
            if len(self._buffer) >= PENDING_BATCH:
                self._flush()

    def flush(self) -> None:
        """Write the pending entries still held in memory."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # Once per snapshot and connection: the first entry records the snapshot.
            for snapshot_id in {row[3] for row in self._buffer} - self._marked_open:
                self._mark(snapshot_id, "open", only_if_new=True)
            self._conn.executemany(
                f"INSERT OR IGNORE INTO pending ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                self._buffer,
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._marked_open.update(row[3] for row in self._buffer)
        self._buffer = []

    def commit_snapshot(self, snapshot_id: str) -> int:
        """Make the snapshot's pending entries dedup sources; returns how many became new."""
        with self._lock:
            self._flush()
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                before = self._conn.total_changes
                # ORDER BY seq: within one snapshot too, the first capture wins.
                self._conn.execute(
                    f"INSERT OR IGNORE INTO captures ({_COLUMNS}) "
                    f"SELECT {_COLUMNS} FROM pending WHERE snapshot_id = ? ORDER BY seq",
                    (snapshot_id,),
                )
                added = self._conn.total_changes - before
                self._conn.execute("DELETE FROM pending WHERE snapshot_id = ?", (snapshot_id,))
                self._mark(snapshot_id, "closed")
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return added

    def discard_snapshot(self, snapshot_id: str) -> None:
        """Drop every entry of an aborted snapshot, pending or (if it was closed) committed."""
        with self._lock:
            self._flush()
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("DELETE FROM pending WHERE snapshot_id = ?", (snapshot_id,))
                self._conn.execute("DELETE FROM captures WHERE snapshot_id = ?", (snapshot_id,))
                self._mark(snapshot_id, "aborted")
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def _mark(self, snapshot_id: str, status: str, only_if_new: bool = False) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        verb = "INSERT OR IGNORE" if only_if_new else "INSERT OR REPLACE"
        self._conn.execute(
            f"{verb} INTO snapshots (snapshot_id, status, updated_at) VALUES (?, ?, ?)",
            (snapshot_id, status, now),
        )

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            try:
                self._flush()
            finally:
                self._conn.close()

    def __enter__(self) -> DedupIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
