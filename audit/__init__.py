"""What auditors read from the archive: field-level diffs, HTML/Markdown reports, URL history.

Storage (`archive/`) keeps snapshots immutable and verifiable; this package only reads them.
"""
