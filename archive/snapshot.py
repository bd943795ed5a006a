"""Snapshot folders and their manifest: create, open, close, abort, list (contract 2).

A snapshot is `<archive>/snapshots/<ID>/` with `manifest.json` whose `status` is `open` while
the crawl runs, then `closed` (index built, every file hashed, dedup entries committed),
`failed` (closed the same way, but the crawl archived nothing of the portal: an unreachable
host; its `health` says why) or `aborted`. Failed and aborted snapshots are kept as evidence,
never a dedup source or diff base. The manifest is always written to a temporary file and
renamed, so readers never see half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.cdxj import build_cdxj, read_cdxj, use_prebuilt_index
from archive.dedup import DedupIndex
from archive.warc import OPEN_SUFFIX

MANIFEST = "manifest.json"
DEDUP_DB = "dedup.sqlite3"
SUBDIRS = ("warcs", "indexes", "datasets", "reports", "logs", "state")
_ID_RX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class SnapshotError(Exception):
    """A snapshot that does not exist, or is in the wrong state for the operation."""


@dataclass(frozen=True)
class Snapshot:
    """A snapshot folder: paths, plus the manifest as last read."""

    archive_root: Path
    snapshot_id: str
    manifest: dict[str, Any]

    @property
    def path(self) -> Path:
        return snapshot_path(self.archive_root, self.snapshot_id)

    @property
    def warcs_dir(self) -> Path:
        return self.path / "warcs"

    @property
    def index_path(self) -> Path:
        return self.path / "indexes" / "index.cdxj"

    @property
    def status(self) -> str:
        return str(self.manifest.get("status"))

    def warc_files(self) -> list[Path]:
        """Finished WARC files (not `.open`), in name order = write order."""
        return warc_files(self.path)

    def relative(self, path: Path) -> str:
        """`path` relative to the archive root, with `/` (as stored in the dedup index)."""
        return Path(path).resolve().relative_to(self.archive_root.resolve()).as_posix()


# -- ids and paths ------------------------------------------------------------------------
def new_snapshot_id(now: datetime | None = None) -> str:
    """UTC `YYYYMMDDTHHMMSSZ`."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def validate_snapshot_id(snapshot_id: str) -> str:
    if not _ID_RX.match(snapshot_id or ""):
        raise SnapshotError(
            f"invalid snapshot id {snapshot_id!r}: use letters, digits, '.', '_' or '-'"
        )
    return snapshot_id


def snapshots_root(archive_root: Path) -> Path:
    return Path(archive_root) / "snapshots"


def snapshot_path(archive_root: Path, snapshot_id: str) -> Path:
    return snapshots_root(archive_root) / validate_snapshot_id(snapshot_id)


def dedup_path(archive_root: Path) -> Path:
    return Path(archive_root) / DEDUP_DB


def resolve_archive_path(archive_root: Path, relative: str) -> Path:
    """Inverse of `Snapshot.relative`: a dedup `warc_path` back to a file path."""
    return Path(archive_root) / Path(*relative.split("/"))


def warc_files(snapshot_dir: Path) -> list[Path]:
    warcs = Path(snapshot_dir) / "warcs"
    if not warcs.is_dir():
        return []
    return sorted(p for p in warcs.iterdir() if p.name.endswith(".warc.gz"))


def open_warc_files(snapshot_dir: Path) -> list[Path]:
    warcs = Path(snapshot_dir) / "warcs"
    if not warcs.is_dir():
        return []
    return sorted(p for p in warcs.iterdir() if p.name.endswith(".warc.gz" + OPEN_SUFFIX))


# -- manifest -----------------------------------------------------------------------------
def utc_now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_manifest(snapshot_dir: Path) -> dict[str, Any]:
    with open(Path(snapshot_dir) / MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def write_manifest(snapshot_dir: Path, manifest: dict[str, Any]) -> None:
    """Atomically replace `manifest.json` (temp file, fsync, rename)."""
    path = Path(snapshot_dir) / MANIFEST
    tmp = path.with_name(MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def sha256_file(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    """(hex sha256, size) of a file, streamed."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def file_entries(snapshot_dir: Path) -> list[dict[str, Any]]:
    """`files` of the manifest: every file but the manifest itself and `state/`."""
    snapshot_dir = Path(snapshot_dir)
    entries = []
    for path in sorted(p for p in snapshot_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(snapshot_dir).as_posix()
        if rel in (MANIFEST, MANIFEST + ".tmp") or rel.startswith("state/"):
            continue
        sha, size = sha256_file(path)
        entries.append({"path": rel, "sha256": sha, "size": size})
    return entries


# -- lifecycle ----------------------------------------------------------------------------
def create_snapshot(
    archive_root: Path,
    snapshot_id: str | None = None,
    *,
    profile: str | None = None,
    seeds: list[str] | None = None,
    settings: dict[str, Any] | None = None,
    portal: str | None = None,
) -> Snapshot:
    """Make the folder tree and an `open` manifest. Fails if the snapshot exists."""
    from portal_archive import __version__

    archive_root = Path(archive_root)
    snapshot_id = validate_snapshot_id(snapshot_id or new_snapshot_id())
    path = snapshot_path(archive_root, snapshot_id)
    if path.exists():
        raise SnapshotError(f"snapshot {snapshot_id} already exists in {archive_root}")
    path.mkdir(parents=True)
    for sub in SUBDIRS:
        (path / sub).mkdir()
    manifest: dict[str, Any] = {
        "snapshot_id": snapshot_id,
        "status": "open",
        "software": {"name": "portal-archive", "version": __version__},
        "profile": profile,
        "seeds": list(seeds or []),
        "settings": dict(settings or {}),
        # The registry's portal name (portal_archive.registry); absent before registries.
        **({"portal": portal} if portal else {}),
        "started_at": utc_now_iso(),
        "ended_at": None,
        "stats": {},
        "files": [],
    }
    write_manifest(path, manifest)
    return Snapshot(archive_root, snapshot_id, manifest)


def open_snapshot(archive_root: Path, snapshot_id: str) -> Snapshot:
    """An existing snapshot (any status); SnapshotError if there is none."""
    archive_root = Path(archive_root)
    path = snapshot_path(archive_root, snapshot_id)
    if not (path / MANIFEST).is_file():
        raise SnapshotError(f"no snapshot {snapshot_id!r} in {archive_root}")
    return Snapshot(archive_root, snapshot_id, read_manifest(path))


def stats_from_index(index_path: Path) -> dict[str, Any]:
    """Counts of captures by record type, HTTP status and MIME type, from the snapshot's CDXJ.

    `by_type` follows the index: a revisit counts as `warc/revisit` (its payload's type is
    the original's), a response without Content-Type as `unknown`; it sums to `captures`.
    """
    by_status: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    responses = revisits = 0
    for line in read_cdxj(index_path):
        mime = line.fields.get("mime") or "unknown"
        if mime == "warc/revisit":
            revisits += 1
        elif line.fields.get("status"):
            responses += 1
        else:
            continue  # resource/metadata records are not captures
        by_type[mime] += 1
        by_status[str(line.fields.get("status", "-"))] += 1
    return {
        "captures": responses + revisits,
        "responses": responses,
        "revisits": revisits,
        "by_status": dict(sorted(by_status.items())),
        "by_type": dict(sorted(by_type.items())),
    }


def close_snapshot(
    archive_root: Path,
    snapshot_id: str,
    *,
    dedup: DedupIndex | None = None,
    extra_stats: dict[str, Any] | None = None,
    remove_state: bool = True,
    prebuilt_index: tuple[Path, dict[str, int]] | None = None,
    assess: Callable[[Path, dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Index, hash and commit an open snapshot; returns the closed manifest.

    `assess(index path, stats)` judges the crawl once the index is built (scraper.health);
    its result is the manifest's `health`, and when its `status` is `failed` the snapshot is
    `failed` instead of `closed` and its dedup entries are dropped, not committed.

    Every WARC writer must be closed first: `.open` files make this fail (run
    `archive.repair.repair_snapshot` after a crash). `state/` (the crawl's resume state) is
    removed unless `remove_state` is False. `prebuilt_index` is a CDXJ built during the crawl
    and the bytes of each WARC it covers (`archive.cdxj.IncrementalCdxj`): used only if that
    is every WARC of the snapshot, to its last byte; otherwise the index is built here.
    """
    snap = open_snapshot(archive_root, snapshot_id)
    if snap.status != "open":
        raise SnapshotError(f"snapshot {snapshot_id} is {snap.status}, not open")
    leftovers = open_warc_files(snap.path)
    if leftovers:
        names = ", ".join(p.name for p in leftovers)
        raise SnapshotError(f"snapshot {snapshot_id} still has unfinished WARCs: {names}")

    warcs = snap.warc_files()
    snap.index_path.parent.mkdir(parents=True, exist_ok=True)
    if prebuilt_index is None or not use_prebuilt_index(*prebuilt_index, warcs, snap.index_path):
        build_cdxj(warcs, snap.index_path)
    stats = stats_from_index(snap.index_path)
    stats.update(extra_stats or {})
    if remove_state and (snap.path / "state").is_dir():
        shutil.rmtree(snap.path / "state")

    health = assess(snap.index_path, stats) if assess is not None else None
    failed = bool(health) and health.get("status") == "failed"

    manifest = dict(snap.manifest)
    manifest.update(
        status="failed" if failed else "closed",
        ended_at=utc_now_iso(),
        stats=stats,
        files=file_entries(snap.path),
    )
    if health is not None:
        manifest["health"] = health
    # Commit dedup entries only once the manifest says closed; if we die in between, the
    # snapshot reads as closed but is no dedup source yet (safe), and re-committing is
    # idempotent (`commit_pending`).
    write_manifest(snap.path, manifest)
    if failed:
        _with_dedup(archive_root, dedup, lambda idx: idx.discard_snapshot(snapshot_id))
    else:
        _with_dedup(archive_root, dedup, lambda idx: idx.commit_snapshot(snapshot_id))
    return manifest


def commit_pending(archive_root: Path, snapshot_id: str, dedup: DedupIndex | None = None) -> int:
    """Commit the dedup entries of a closed snapshot (repairs a crash during close)."""
    snap = open_snapshot(archive_root, snapshot_id)
    if snap.status != "closed":
        raise SnapshotError(f"snapshot {snapshot_id} is {snap.status}, not closed")
    return _with_dedup(archive_root, dedup, lambda idx: idx.commit_snapshot(snapshot_id))


def abort_snapshot(
    archive_root: Path, snapshot_id: str, *, dedup: DedupIndex | None = None, reason: str = ""
) -> dict[str, Any]:
    """Mark a snapshot aborted and drop its dedup entries; its files are kept as evidence."""
    snap = open_snapshot(archive_root, snapshot_id)
    _with_dedup(archive_root, dedup, lambda idx: idx.discard_snapshot(snapshot_id))
    manifest = dict(snap.manifest)
    manifest.update(status="aborted", ended_at=utc_now_iso())
    if reason:
        manifest["abort_reason"] = reason
    write_manifest(snap.path, manifest)
    return manifest


def _with_dedup(archive_root: Path, dedup: DedupIndex | None, action: Any) -> Any:
    if dedup is not None:
        return action(dedup)
    with DedupIndex(dedup_path(archive_root)) as idx:
        return action(idx)


# -- listing ------------------------------------------------------------------------------
def snapshot_portal(manifest: dict[str, Any]) -> str:
    """The portal a snapshot belongs to: its manifest's `portal`, else (a snapshot written
    before the registry) its seed's host, so a single-portal archive opens unchanged."""
    if manifest.get("portal"):
        return str(manifest["portal"])
    seeds = manifest.get("seeds") or []
    return (urlsplit(seeds[0]).hostname or "unknown") if seeds else "unknown"


def list_snapshots(archive_root: Path, portal: str | None = None) -> list[Snapshot]:
    """Every snapshot with a readable manifest, oldest first (start time, then id); only
    those of `portal` when given."""
    root = snapshots_root(archive_root)
    if not root.is_dir():
        return []
    found = []
    for path in root.iterdir():
        if not (path / MANIFEST).is_file() or not _ID_RX.match(path.name):
            continue
        try:
            manifest = read_manifest(path)
        except (OSError, ValueError):
            continue
        if portal is not None and snapshot_portal(manifest) != portal:
            continue
        found.append(Snapshot(Path(archive_root), path.name, manifest))
    return sorted(found, key=lambda s: (str(s.manifest.get("started_at") or ""), s.snapshot_id))


def is_degraded(snap: Snapshot) -> bool:
    """A closed snapshot whose crawl lost more URLs than the degraded threshold allows."""
    return (snap.manifest.get("health") or {}).get("status") == "degraded"


def latest_closed(archive_root: Path, before: str | None = None,
                  healthy: bool = False, portal: str | None = None) -> Snapshot | None:
    """The newest closed snapshot, or the newest one started before snapshot `before`.

    Failed and aborted snapshots are never closed. `healthy=True` skips degraded ones too
    (nightly's diff base), falling back to the newest closed one when all are degraded.
    """
    snaps = list_snapshots(archive_root, portal)
    if before is not None:
        ids = [s.snapshot_id for s in snaps]
        if before in ids:
            snaps = snaps[: ids.index(before)]
        else:  # an id not in the archive: compare ids (UTC timestamps sort as text)
            snaps = [s for s in snaps if s.snapshot_id < before]
    closed = [s for s in snaps if s.status == "closed"]
    if healthy:
        closed = [s for s in closed if not is_degraded(s)] or closed
    return closed[-1] if closed else None


def snapshot_size(snap: Snapshot) -> int:
    """Bytes on disk: from the manifest when closed, else by walking the folder."""
    files = snap.manifest.get("files") or []
    if snap.status == "closed" and files:
        return sum(int(f.get("size", 0)) for f in files)
    return sum(p.stat().st_size for p in snap.path.rglob("*") if p.is_file())
