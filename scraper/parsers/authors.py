"""Author and source lines: `Tác giả bài viết: A, B - Org` → [{name, organization}]."""

from __future__ import annotations

import re

from scraper.parsers.text import normalize_text

AUTHOR_LABEL = re.compile(r"^\s*(?:tác giả(?: bài viết)?|author|người viết)\s*:\s*", re.I)
SOURCE_LABEL = re.compile(r"^\s*(?:nguồn tin|nguồn|source)\s*:\s*", re.I)
# A dash separates names from the organisation. A hyphen inside a word (`Hồ-Chí`) is not one,
# so an ASCII hyphen needs a space on at least one side; en and em dashes always count.
_ORG_DASH = re.compile(r"\s+-\s*|\s*-\s+|\s*[–—]\s*")
_NAME_SEP = re.compile(r"\s*(?:,|\s&\s|\svà\s)\s*")


def strip_label(text: str, label: re.Pattern[str]) -> str:
    return label.sub("", normalize_text(text), count=1).strip()


def parse_author_line(line: str | None) -> list[dict]:
    """Split an author line into `[{"name", "organization"}]`.

    `Thúy Vân - Văn phòng Tỉnh ủy` → one author with that organisation; `A, B - Org` → two
    authors sharing Org; groups separated by `;` each carry their own organisation; no
    dash → organization None.
    """
    text = strip_label(line or "", AUTHOR_LABEL)
    authors: list[dict] = []
    for group in re.split(r"\s*;\s*", text):
        group = group.strip(" .")
        if not group:
            continue
        parts = _ORG_DASH.split(group, maxsplit=1)
        names = parts[0]
        org = normalize_text(parts[1]).strip(" .") if len(parts) > 1 else ""
        for name in _NAME_SEP.split(names):
            name = normalize_text(name).strip(" .")
            if name:
                authors.append({"name": name, "organization": org or None})
    return authors


def parse_source_line(line: str | None) -> str | None:
    """`Nguồn tin: Báo Lai Châu` → `Báo Lai Châu`."""
    text = strip_label(line or "", SOURCE_LABEL)
    return text or None
