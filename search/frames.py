"""Search from a notebook: hits and timelines as pandas DataFrames.

    from search.frames import search, timeline
    hits = search("quyet dinh", archive="demo-archive", type="document", limit=0)
    gone = timeline("bảo vệ rừng")

Same index, ranking and columns as `portal-archive search --format json` (docs/search.md);
the index is built or brought up to date first, as the CLI does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from pipelines.loader import archive_root
from search.engine import HIT_FIELDS, Filters
from search.engine import search as _search
from search.index import ensure_index
from search.timeline import timeline as _timeline


def search(query: str, archive: str | os.PathLike | None = None,
           type: str | Sequence[str] | None = None, portal: str | None = None,
           since: str | None = None, until: str | None = None, by: str = "published",
           snapshot: str | None = None, limit: int = 20) -> pd.DataFrame:
    """Ranked hits of `query`, one row per item version (columns: HIT_FIELDS).

    Bad queries raise search.query.QueryError (a ValueError) with the CLI's one-line message.
    """
    types = [type] if isinstance(type, str) else list(type or [])
    path = ensure_index(archive_root(archive))
    hits = _search(path, query, Filters(types=types, portal=portal, since=since, until=until,
                                        by=by, snapshot=snapshot, limit=limit))
    df = pd.DataFrame([{k: h[k] for k in HIT_FIELDS} for h in hits], columns=HIT_FIELDS)
    for col in ("captured_at",):
        df[col] = pd.to_datetime(df[col], utc=True)
    return df


def timeline(phrase: str, archive: str | os.PathLike | None = None,
             type: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Per item holding `phrase`: first_seen, gone_at, gone_reason and the evidence list."""
    types = [type] if isinstance(type, str) else list(type or [])
    items = _timeline(ensure_index(archive_root(archive)), phrase, types or None)["items"]
    return pd.DataFrame(items, columns=["type", "url", "title", "first_seen", "gone_at",
                                        "gone_reason", "evidence"])
