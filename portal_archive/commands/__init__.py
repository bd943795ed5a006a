"""Subcommands of `portal-archive`, one module each (see portal_archive.cli)."""
