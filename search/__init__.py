"""Full-text search over every snapshot's datasets: index (tantivy + SQLite), query, timeline.

Reads only the datasets (Parquet) of snapshots; the index under `<archive>/index/` is derived
and rebuildable (`portal-archive index --rebuild`). See docs/search.md.
"""
