"""Notebook loader: one call gives a pandas DataFrame of a dataset table across snapshots.

    from pipelines.loader import load_table
    articles = load_table("articles")                       # every snapshot, snapshot_id column
    current = load_table("articles", latest=True)           # latest version of each article
    docs = load_table("documents", snapshot="20261127T192512Z")
    portal = load_table("articles", latest=True, state=True)  # the portal as of the last night

The archive root defaults to `$PORTAL_ARCHIVE_HOME`, else `./archive-data` (as the CLI).
Columns keep the schema's types: nullable `Int64` integers, tz-aware timestamps, and Arrow
dtypes (`pd.ArrowDtype`) for dates, lists and structs. See docs/datasets.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.schema import TABLES, schema_for

# What "the same thing over time" means per table, for latest=True.
LATEST_KEYS: dict[str, list[str]] = {
    "articles": ["article_id"],
    "article_authors": ["article_id"],
    "images": ["article_id"],
    "documents": ["document_id"],
    "document_files": ["document_id"],
    "document_listings": ["block", "url"],
    "pages": ["url"],
    "attachment_texts": ["url"],
    "rejects": ["table", "key", "url"],
}
# Order of captures: the last one of a key is its latest version.
_CAPTURE_ORDER = ["captured_at", "snapshot_id", "warc_file", "warc_offset"]


def archive_root(archive: str | os.PathLike | None = None) -> Path:
    if archive is not None:
        return Path(archive)
    return Path(os.environ.get("PORTAL_ARCHIVE_HOME", "archive-data"))


def list_snapshots(archive: str | os.PathLike | None = None) -> list[str]:
    """Ids of the snapshots that have datasets, oldest first (ids are UTC timestamps).

    A `failed` snapshot (the portal could not be reached: its datasets hold only the errors)
    is left out, as the diff and the next night leave it out.
    """
    root = archive_root(archive) / "snapshots"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if (p / "datasets").is_dir() and not _failed(p))


def _failed(snapshot_dir: Path) -> bool:
    try:
        manifest = json.loads((snapshot_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # datasets without a readable manifest (e.g. copied by hand): keep them
    return isinstance(manifest, dict) and manifest.get("status") == "failed"


def table_paths(table: str, archive: str | os.PathLike | None = None,
                snapshot: str | Sequence[str] | None = None) -> list[Path]:
    """The Parquet files of `table` for the snapshots asked (None or "all": every one)."""
    schema_for(table)  # ValueError for an unknown table
    root = archive_root(archive)
    available = list_snapshots(root)
    if not available:
        raise FileNotFoundError(f"no snapshot with datasets under {root / 'snapshots'}")
    if snapshot is None or snapshot == "all":
        wanted = available
    else:
        wanted = [snapshot] if isinstance(snapshot, str) else list(snapshot)
        unknown = [s for s in wanted if s not in available]
        if unknown:
            raise ValueError(f"unknown snapshot {', '.join(unknown)} under {root}; "
                             f"available: {', '.join(available)}")
    paths = [root / "snapshots" / s / "datasets" / f"{table}.parquet" for s in wanted]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"table {table!r} missing: {', '.join(map(str, missing))}")
    return paths


def snapshot_portals(archive: str | os.PathLike | None = None) -> dict[str, str]:
    """{snapshot id: portal} of the snapshots with datasets (archive.snapshot.snapshot_portal:
    the manifest's `portal`, else the seed's host for a snapshot older than the registry)."""
    from archive.snapshot import read_manifest, snapshot_portal

    root = archive_root(archive)
    out = {}
    for snapshot_id in list_snapshots(root):
        try:
            manifest = read_manifest(root / "snapshots" / snapshot_id)
        except (OSError, ValueError):
            manifest = {}
        out[snapshot_id] = snapshot_portal(manifest if isinstance(manifest, dict) else {})
    return out


def read_arrow(table: str, archive: str | os.PathLike | None = None,
               snapshot: str | Sequence[str] | None = None,
               portal: str | None = None, with_portal: bool = False) -> pa.Table:
    """`table` of the snapshots asked, as one Arrow table (the schema of pipelines/schema.py);
    only `portal`'s snapshots when given; `with_portal` adds a `portal` column."""
    if portal is not None or with_portal:
        portals = snapshot_portals(archive)
        if portal is not None:
            mine = [s for s, p in portals.items() if p == portal]
            if not mine:
                known = ", ".join(sorted(set(portals.values()))) or "none"
                raise ValueError(f"no snapshot with datasets of portal {portal!r} under "
                                 f"{archive_root(archive)}; portals: {known}")
            if snapshot is None or snapshot == "all":
                snapshot = mine
            else:
                wanted = [snapshot] if isinstance(snapshot, str) else list(snapshot)
                others = [s for s in wanted if portals.get(s) != portal]
                if others:
                    raise ValueError(f"snapshot {', '.join(others)} is not of portal {portal!r}")
        paths = table_paths(table, archive, snapshot)
        parts = []
        for path in paths:
            part = pq.read_table(path)
            name = portals.get(path.parent.parent.name, "unknown")
            parts.append(part.append_column("portal", pa.array([name] * part.num_rows,
                                                              pa.string())))
        return pa.concat_tables(parts, promote_options="default")
    parts = [pq.read_table(p) for p in table_paths(table, archive, snapshot)]
    # Older snapshots may lack a newer column: "default" promotion fills it with nulls.
    return pa.concat_tables(parts, promote_options="default")


def _pandas_type(dtype: pa.DataType):
    if pa.types.is_integer(dtype):
        return pd.Int64Dtype()
    if (pa.types.is_date(dtype) or pa.types.is_list(dtype) or pa.types.is_struct(dtype)):
        return pd.ArrowDtype(dtype)
    return None  # pandas' defaults: str, float64, datetime64[us, tz]


def to_frame(data: pa.Table) -> pd.DataFrame:
    return data.to_pandas(types_mapper=_pandas_type)


def latest_versions(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows of the latest capture of each key (by captured_at, then snapshot, file, offset).

    Child tables (authors, images, files) keep every row of that latest capture.
    """
    # Two portals may use the same ids: the latest version is per portal.
    keys = (["portal"] if "portal" in df.columns else []) + LATEST_KEYS[table]
    if df.empty:
        return df
    capture = ["snapshot_id", "warc_record_id"]
    latest = (df[keys + _CAPTURE_ORDER + ["warc_record_id"]]
              .sort_values(keys + _CAPTURE_ORDER, kind="stable")
              .drop_duplicates(keys, keep="last")[keys + capture])
    out = df.merge(latest, on=keys + capture, how="inner")
    return out.reset_index(drop=True)


STATE_TABLES = ("articles", "documents", "article_authors", "images", "document_files")


def read_state(table: str, archive: str | os.PathLike | None = None,
               snapshot: str | None = None) -> pa.Table:
    """The portal's state of `table` as of closed snapshot `snapshot` (None: the latest), as
    Arrow: `audit.state.portal_state`. ValueError for an unknown snapshot or another table."""
    from audit.state import StateError, portal_state  # readers build on the tables

    if table not in STATE_TABLES:
        raise ValueError(f"state=True is for {', '.join(STATE_TABLES)}; not {table!r}")
    root = archive_root(archive)
    if not list_snapshots(root):
        raise FileNotFoundError(f"no snapshot with datasets under {root / 'snapshots'}")
    try:
        return portal_state(root, snapshot, table)
    except StateError as exc:
        raise ValueError(str(exc)) from None


def load_table(table: str, archive: str | os.PathLike | None = None,
               snapshot: str | Sequence[str] | None = None,
               latest: bool = False, state: bool = False,
               portal: str | None = None) -> pd.DataFrame:
    """A dataset table as a DataFrame.

    `portal`: a registry portal's name (docs/portals.md): only its snapshots (`latest` is
    then that portal's latest); None gives every portal's, with a `portal` column.

    `snapshot`: None or "all" for every snapshot (the `snapshot_id` column tells them apart),
    an id, or a list of ids. `latest=True` keeps only the latest version of each article,
    document, page… (see LATEST_KEYS). Unknown table → ValueError; unknown snapshot →
    ValueError naming the available ones; no datasets at all → FileNotFoundError.

    `state=True` gives the portal's state as of `snapshot` (one closed snapshot id), or as of
    the latest closed snapshot with `latest=True` or no snapshot: one row per article or
    document ever seen up to then, its last captured version, with `status` (`present`,
    `withdrawn`, `not_rechecked`), `last_verified_at`, `withdrawn_at`, `withdrawn_reason`…
    (see docs/datasets.md); for `article_authors`, `images`, `document_files`, the rows of those
    versions with their item's `status`.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
    if state:
        if snapshot == "all" or (snapshot is not None and not isinstance(snapshot, str)):
            raise ValueError("state=True is the state as of one snapshot: give one id "
                             "(or latest=True)")
        if latest and snapshot is not None:
            raise ValueError("give snapshot=ID or latest=True, not both")
        if portal is not None:  # the state as of this portal's snapshot (latest by default)
            from archive.snapshot import latest_closed

            if snapshot is None:
                last = latest_closed(archive_root(archive), portal=portal)
                if last is None:
                    raise ValueError(f"no closed snapshot of portal {portal!r} under "
                                     f"{archive_root(archive)}")
                snapshot = last.snapshot_id
            elif snapshot_portals(archive).get(snapshot) != portal:
                raise ValueError(f"snapshot {snapshot} is not of portal {portal!r}")
        return to_frame(read_state(table, archive, snapshot))
    df = to_frame(read_arrow(table, archive, snapshot, portal=portal, with_portal=True))
    return latest_versions(df, table) if latest else df


DEMO_ARCHIVE = "demo-archive"


def find_archive(start: str | os.PathLike | None = None) -> Path:
    """The archive a notebook reads, wherever Jupyter was started.

    `$PORTAL_ARCHIVE_HOME` if set; else the first `demo-archive/` (what `make demo` leaves) in
    `start` (default: the working directory) or one of its parents; else the repository's
    `demo-archive/`. Jupyter runs a notebook in the notebook's folder (`notebooks/`), so a plain
    relative path would miss the archive at the repository root. FileNotFoundError, saying
    where it looked, when there is none.
    """
    home = os.environ.get("PORTAL_ARCHIVE_HOME")
    if home:
        return Path(home)
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DEMO_ARCHIVE).is_dir():
            return folder / DEMO_ARCHIVE
    repo = Path(__file__).resolve().parent.parent / DEMO_ARCHIVE
    if repo.is_dir():
        return repo
    raise FileNotFoundError(
        f"no archive: PORTAL_ARCHIVE_HOME is not set and there is no {DEMO_ARCHIVE}/ in {here}, "
        f"its parents or {repo.parent}; run `make demo` or set PORTAL_ARCHIVE_HOME")
