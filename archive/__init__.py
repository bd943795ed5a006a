"""WARC writing and reading, dedup, CDXJ, WACZ, snapshots, verify and diff."""
