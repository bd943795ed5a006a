"""The three theme variants; `get_theme(name)` returns a renderer."""

from __future__ import annotations

from replica.themes.base import Theme
from replica.themes.custom2015 import Custom2015
from replica.themes.default40 import Default40
from replica.themes.egov45 import Egov45

THEME_CLASSES: dict[str, type[Theme]] = {
    "custom2015": Custom2015,
    "default40": Default40,
    "egov45": Egov45,
}


def get_theme(name: str) -> Theme:
    return THEME_CLASSES[name]()
