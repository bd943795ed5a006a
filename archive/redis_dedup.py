"""Deduplication index in Redis, shared by the workers of a distributed crawl (and its nights).

The same contract as `archive.dedup.DedupIndex` (lookup / add / flush / commit_snapshot /
discard_snapshot / count / close), so `SnapshotWarcWriter` and `scraper.resume` take either:

- `<ns>:dedup` is a hash payload digest → JSON entry of *committed* captures (closed snapshots);
  it is the only one `lookup` reads, so a capture becomes a dedup source for other snapshots
  only when its own snapshot closes, as with SQLite;
- `<ns>:dedup:pending:<snapshot>` holds a snapshot's entries until then; both are written
  with HSETNX, so the first writer wins, among the workers of one snapshot as between nights.

The SQLite index stays the archive's embedded default and the one `extract` and `verify`
read (they need no Redis): `mirror_from_sqlite` copies the committed SQLite entries into
Redis before a distributed crawl (so it revisits what single-process crawls archived), and
`commit_snapshot(..., mirror=DedupIndex)` writes a closing snapshot's entries into SQLite too.
Entries are JSON; nothing read from Redis is unpickled.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from archive.dedup import DedupEntry, DedupIndex

DEFAULT_NAMESPACE = "portal-archive"
ARCHIVE_ID = "archive-id"


def archive_namespace(archive_root: Path | str, namespace: str = DEFAULT_NAMESPACE) -> str:
    """The Redis namespace of one archive's dedup index: `<namespace>:archive:<id>`, with the
    id kept in `<archive>/archive-id` (made on first use). Entries hold WARC paths relative to
    their archive, so two archives sharing a Redis must never share an index (a revisit would
    point into the other archive); the id survives the archive being mounted elsewhere."""
    path = Path(archive_root) / ARCHIVE_ID
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        archive_id = path.read_text(encoding="ascii").strip()
    else:
        archive_id = uuid.uuid4().hex
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(archive_id + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return f"{namespace}:archive:{archive_id}"
_BATCH = 500

# Move a snapshot's pending entries into the committed hash, first writer wins, in one step.
_COMMIT = """
local fields = redis.call('HGETALL', KEYS[1])
local added = 0
for i = 1, #fields, 2 do
  added = added + redis.call('HSETNX', KEYS[2], fields[i], fields[i + 1])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[3], ARGV[1], 'closed')
return added
"""


class RedisDedupIndex:
    """`DedupIndex` over Redis hashes (see the module docstring); `client` is a `redis.Redis`
    made with `decode_responses=True`."""

    def __init__(self, client: Any, namespace: str = DEFAULT_NAMESPACE) -> None:
        self.client = client
        self.ns = namespace
        self.committed_key = f"{namespace}:dedup"
        self.status_key = f"{namespace}:dedup:snapshots"
        self._buffer: list[DedupEntry] = []
        self._commit = client.register_script(_COMMIT)

    def pending_key(self, snapshot_id: str) -> str:
        return f"{self.ns}:dedup:pending:{snapshot_id}"

    # -- queries ---------------------------------------------------------------------------
    def lookup(self, payload_digest: str) -> DedupEntry | None:
        raw = self.client.hget(self.committed_key, payload_digest)
        return DedupEntry(**json.loads(raw)) if raw else None

    def status(self, snapshot_id: str) -> str | None:
        return self.client.hget(self.status_key, snapshot_id)

    def count(self, snapshot_id: str | None = None, pending: bool = False) -> int:
        self.flush()
        if pending:
            if snapshot_id is None:
                raise ValueError("pending entries are counted per snapshot")
            return int(self.client.hlen(self.pending_key(snapshot_id)))
        if snapshot_id is None:
            return int(self.client.hlen(self.committed_key))
        return sum(1 for _, raw in self.client.hscan_iter(self.committed_key, count=1000)
                   if json.loads(raw)["snapshot_id"] == snapshot_id)

    # -- updates ---------------------------------------------------------------------------
    def add(self, snapshot_id: str, entry: DedupEntry) -> None:
        """Pending for `snapshot_id` (first per digest kept). Sent at once: a worker killed
        right after its WARC records were flushed loses at most this one entry, which the
        reclaim of its leases puts back from the WARC (`scraper.resume.recover_state`)."""
        if entry.snapshot_id != snapshot_id:
            raise ValueError(f"entry belongs to {entry.snapshot_id!r}, not {snapshot_id!r}")
        self.client.hsetnx(self.pending_key(snapshot_id), entry.payload_digest,
                           json.dumps(asdict(entry), sort_keys=True))

    def flush(self) -> None:
        """Nothing is buffered (see `add`); kept for `DedupIndex`'s contract."""

    def commit_snapshot(self, snapshot_id: str, mirror: DedupIndex | None = None) -> int:
        """Make the snapshot's pending entries dedup sources; with `mirror`, write them into
        that (SQLite) index and commit them there as well. Returns how many became new here."""
        if mirror is not None:
            for _, raw in self.client.hscan_iter(self.pending_key(snapshot_id), count=1000):
                mirror.add(snapshot_id, DedupEntry(**json.loads(raw)))
            mirror.commit_snapshot(snapshot_id)
        return int(self._commit(keys=[self.pending_key(snapshot_id), self.committed_key,
                                      self.status_key], args=[snapshot_id]))

    def discard_snapshot(self, snapshot_id: str) -> None:
        pipe = self.client.pipeline()
        pipe.delete(self.pending_key(snapshot_id))
        pipe.hset(self.status_key, snapshot_id, "aborted")
        pipe.execute()
        for digest, raw in self.client.hscan_iter(self.committed_key, count=1000):
            if json.loads(raw)["snapshot_id"] == snapshot_id:
                self.client.hdel(self.committed_key, digest)

    def mirror_from_sqlite(self, index: DedupIndex) -> int:
        """Copy every committed SQLite entry into Redis (HSETNX: entries there already win);
        returns how many were new."""
        added = 0
        rows = index._conn.execute(  # noqa: SLF001 - one read-only scan, under its lock
            "SELECT payload_digest, uri, date, snapshot_id, warc_path, offset, length, "
            "record_id FROM captures")
        while batch := rows.fetchmany(_BATCH):
            pipe = self.client.pipeline(transaction=False)
            for row in batch:
                entry = DedupEntry(*row)
                pipe.hsetnx(self.committed_key, entry.payload_digest,
                            json.dumps(asdict(entry), sort_keys=True))
            added += sum(int(x) for x in pipe.execute())
        return added

    def close(self) -> None:
        """The client is the caller's; nothing to release."""

    def __enter__(self) -> RedisDedupIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
