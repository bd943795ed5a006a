"""portal-archive: archival crawler for NukeViet-based Vietnamese government portals."""

__version__ = "0.1.0"
