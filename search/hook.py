"""Called as a crawl closes its snapshot: add the snapshot to the search index, never fail.

The index is derived data: a failure to update it (disk full, a damaged file, a bug) costs a
warning line naming the command that catches up, never the night's crawl.
"""

from __future__ import annotations

import sys
from pathlib import Path


def index_after_close(archive: Path, warn=None) -> None:
    """Bring `<archive>/index/` up to date; on any failure, one warning line on stderr."""
    warn = warn or (lambda line: print(line, file=sys.stderr))
    try:
        from search.index import update_index

        result = update_index(Path(archive))
        if result.note:
            warn(f"warning: {result.note}")
    except Exception as exc:  # noqa: BLE001 - the crawl must never fail because of the index
        text = " ".join(str(exc).split())[:200]
        warn(f"warning: search index not updated ({type(exc).__name__}: {text}); "
             f"run: portal-archive index --archive {archive}")
