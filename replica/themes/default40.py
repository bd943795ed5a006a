"""NukeViet 4.0 default theme: the base renderer as it is (`h1.title`,
`div#news-bodyhtml.bodytext`, 12-hour listing dates, `table.table-striped` laws listing)."""

from __future__ import annotations

from replica.themes.base import Theme


class Default40(Theme):
    name = "default40"
