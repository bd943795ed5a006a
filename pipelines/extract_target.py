"""Where `portal-archive extract` writes: a new snapshot, or a new dataset version beside a
closed one; never in place.

A closed snapshot is immutable (its manifest holds the sha256 of every file), so extracting
into an existing snapshot id is refused. With `force`, the tables go to a new, separately
named version `<snapshot>/extracts/<UTC time>/` with its own `extract.json` (sources, counts
and the sha256 of each table); the snapshot's own `datasets/` and manifest are not touched.
A new snapshot id gets a new snapshot folder whose manifest is `closed` only when every WARC
was read to its end, else `aborted` with the first error as the reason (kept as evidence,
never a diff base).

Everything is first written to a hidden work folder beside its final place and renamed into
place at the end: an interrupted or failed run leaves every existing file as it was (a work
folder starts with `.`, so no listing takes it for a snapshot or a version).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from archive.snapshot import (
    MANIFEST,
    SUBDIRS,
    SnapshotError,
    file_entries,
    new_snapshot_id,
    read_manifest,
    sha256_file,
    snapshot_path,
    utc_now_iso,
    write_manifest,
)
from pipelines.attachment_text import TextOptions
from pipelines.extract import ExtractResult, extract_warcs

EXTRACTS = "extracts"  # dataset versions of a closed snapshot, one folder each
VERSION_MANIFEST = "extract.json"


@dataclass
class ExtractOutcome:
    """What `extract_to_archive` did: the extraction, where its tables are, in what state."""

    result: ExtractResult
    # "closed" / "aborted": a new snapshot; "version": a new dataset version was published;
    # "discarded": a failed --force run, nothing was written
    state: str
    datasets_dir: Path | None


def extract_to_archive(archive_root: Path, snapshot_id: str, warcs: list[Path], *,
                       force: bool = False, jobs: int | None = None,
                       text: TextOptions | None = None) -> ExtractOutcome:
    """Extract `warcs` as snapshot `snapshot_id` of `archive_root` (see the module docstring).

    SnapshotError (one line, for the user) when the id is invalid or names an existing
    snapshot that may not be written: any existing one without `force`, an open one always.
    """
    root = Path(archive_root)
    snapshot_dir = snapshot_path(root, snapshot_id)  # validates the id
    if snapshot_dir.exists():
        return _new_version(root, snapshot_dir, snapshot_id, warcs, force, jobs, text)
    return _new_snapshot(root, snapshot_dir, snapshot_id, warcs, jobs, text)


def _new_snapshot(root: Path, snapshot_dir: Path, snapshot_id: str, warcs: list[Path],
                  jobs: int | None, text: TextOptions | None) -> ExtractOutcome:
    from portal_archive import __version__

    work = snapshot_dir.with_name(f".{snapshot_id}.extract-{os.getpid()}")
    started = utc_now_iso()
    try:
        shutil.rmtree(work, ignore_errors=True)  # left by a killed run with this pid
        for sub in SUBDIRS:
            (work / sub).mkdir(parents=True)
        site = _source_site(warcs, work)
        if site:  # read by the DatasetWriter: the pages are parsed as the crawl parsed them
            write_manifest(work, site)
        result = extract_warcs(warcs, snapshot_id, archive_root=root,
                               out_dir=work / "datasets", jobs=jobs, text=text)
        manifest = {
            "snapshot_id": snapshot_id,
            "status": "aborted" if result.errors else "closed",
            "note": "extracted",
            "software": {"name": "portal-archive", "version": __version__},
            "profile": None,
            "seeds": [],
            "settings": {},
            "started_at": started,
            "ended_at": utc_now_iso(),
            "stats": {"captures": result.captures, "datasets": dict(result.counts)},
            "source_warcs": [str(p) for p in warcs],
            "files": file_entries(work),
            **site,
        }
        if result.errors:
            manifest["abort_reason"] = f"extract: {result.errors[0]}"
        write_manifest(work, manifest)
        os.rename(work, snapshot_dir)  # fails if the id appeared meanwhile: nothing replaced
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise SnapshotError(f"cannot create snapshot {snapshot_id} in {root}: {exc}") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExtractOutcome(result, manifest["status"], snapshot_dir / "datasets")


def _source_site(warcs: list[Path], work: Path) -> dict:
    """The site profile of the crawl that wrote `warcs`, when they all come from one
    snapshot's `warcs/` folder that recorded one (`platform`, `site_profile`; a profile file
    is copied along), else {}."""
    from scraper.profiles.choose import SNAPSHOT_PROFILE

    sources = {Path(p).resolve().parent.parent for p in warcs
               if Path(p).resolve().parent.name == "warcs"}
    if len(sources) != 1 or len({Path(p).resolve().parent for p in warcs}) != 1:
        return {}
    (source,) = sources
    try:
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = manifest.get("site_profile") if isinstance(manifest, dict) else None
    if not isinstance(entry, dict):
        return {}
    if entry.get("file"):
        try:
            shutil.copyfile(source / entry["file"], work / SNAPSHOT_PROFILE)
        except OSError:
            return {}
    return {"platform": manifest.get("platform"),
            "site_profile": {**entry, "chosen_by": f"snapshot {source.name}"}}


def _new_version(root: Path, snapshot_dir: Path, snapshot_id: str, warcs: list[Path],
                 force: bool, jobs: int | None,
                 text: TextOptions | None) -> ExtractOutcome:
    from portal_archive import __version__

    try:
        status = str(read_manifest(snapshot_dir).get("status"))
    except (OSError, ValueError, AttributeError):
        raise SnapshotError(f"{snapshot_dir} exists but has no readable {MANIFEST}: "
                            "extract writes nothing there; choose another --snapshot ID") from None
    if status == "open":
        raise SnapshotError(f"snapshot {snapshot_id} is open (a crawl is writing it or was "
                            f"interrupted): finish it with `portal-archive crawl --resume "
                            f"{snapshot_id}`; extract never writes into it")
    if not force:
        why = ("a closed snapshot is immutable" if status == "closed"
               else "it is kept as evidence, never changed")
        raise SnapshotError(f"snapshot {snapshot_id} already exists and is {status}, and {why}: "
                            f"extract into a new --snapshot ID, "
                            f"or add --force to write a new dataset version under "
                            f"{snapshot_dir / EXTRACTS}/ (its datasets/ stay as they are)")
    versions = snapshot_dir / EXTRACTS
    created = not versions.exists()
    work = versions / f".{new_snapshot_id()}.extract-{os.getpid()}"
    try:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        started = utc_now_iso()
        result = extract_warcs(warcs, snapshot_id, archive_root=root, out_dir=work, jobs=jobs,
                               text=text)
        if result.errors:
            _remove(work, versions if created else None)
            return ExtractOutcome(result, "discarded", None)
        version = _free_name(versions, new_snapshot_id())
        files = [{"path": p.name, "sha256": sha, "size": size}
                 for p in sorted(work.iterdir()) if p.is_file()
                 for sha, size in [sha256_file(p)]]
        _write_json(work / VERSION_MANIFEST, {
            "snapshot_id": snapshot_id,
            "version": version,
            "software": {"name": "portal-archive", "version": __version__},
            "started_at": started,
            "ended_at": utc_now_iso(),
            "source_warcs": [str(p) for p in warcs],
            "captures": result.captures,
            "counts": dict(result.counts),
            "warnings": len(result.warnings),
            "files": files,
        })
        os.rename(work, versions / version)
    except OSError as exc:
        _remove(work, versions if created else None)
        raise SnapshotError(f"cannot write a dataset version of {snapshot_id} under "
                            f"{versions}: {exc}") from None
    except BaseException:
        _remove(work, versions if created else None)
        raise
    return ExtractOutcome(result, "version", versions / version)


def _free_name(parent: Path, name: str) -> str:
    candidate, n = name, 1
    while (parent / candidate).exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _remove(work: Path, created_parent: Path | None) -> None:
    shutil.rmtree(work, ignore_errors=True)
    if created_parent is not None:
        with contextlib.suppress(OSError):  # only if still empty
            created_parent.rmdir()


def _write_json(path: Path, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
