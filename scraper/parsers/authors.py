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
# Labels that start a field of a byline block. Themes put several in one paragraph separated
# only by `<br>` (`Tác giả: A - Báo X<br>Nguồn tin: Y`): each label starts a new field, so an
# organisation never swallows the next label (issue 14 item 6).
_LABEL_WORDS = {
    "author": r"tác giả(?: bài viết)?|người viết|author|phóng viên|bài và ảnh|bài, ảnh",
    "source": r"nguồn tin|nguồn|source",
    "photo": r"ảnh",
    "editor": r"biên tập(?: viên)?|người biên tập",
}
_FIELD_LABEL = re.compile(
    r"(?:^|(?<=[\s.;,|()–—-]))(?:"
    + "|".join(f"(?P<{kind}>{words})" for kind, words in _LABEL_WORDS.items())
    + r")\s*:\s*", re.I)
# A label glued to the previous field's last word (`Báo Lai ChâuNguồn tin:`): only the
# capitalised forms, so a lowercase word ending never reads as a label.
_GLUED_LABEL = re.compile(r"(?<=[a-zà-ỹ0-9.)])(?=(?:Tác giả|Nguồn tin|Nguồn|Ảnh|Biên tập)\s*:)")


def split_labelled(text: str | None) -> list[tuple[str, str]]:
    """`Tác giả: A - Báo X Nguồn tin: Y` → [("author", "A - Báo X"), ("source", "Y")].

    Text before the first label comes as ("", text)."""
    text = _GLUED_LABEL.sub(" ", normalize_text(text))
    fields: list[tuple[str, str]] = []
    last_kind, last_end = "", 0
    for m in _FIELD_LABEL.finditer(text):
        value = text[last_end:m.start()].strip(" |;,")
        if value or last_kind:
            fields.append((last_kind, value))
        last_kind, last_end = m.lastgroup or "", m.end()
    value = text[last_end:].strip(" |;,")
    if value or last_kind:
        fields.append((last_kind, value))
    return fields


def labelled_field(text: str | None, kind: str) -> str | None:
    """The value of the first `kind` field of a byline block (see `split_labelled`)."""
    for found, value in split_labelled(text):
        if found == kind:
            return value or None
    return None


def strip_label(text: str, label: re.Pattern[str]) -> str:
    return label.sub("", normalize_text(text), count=1).strip()


def parse_author_line(line: str | None) -> list[dict]:
    """Split an author line into `[{"name", "organization"}]`.

    `Thúy Vân - Văn phòng Tỉnh ủy` → one author with that organisation; `A, B - Org` → two
    authors sharing Org; groups separated by `;` each carry their own organisation; no
    dash → organization None.
    """
    text = strip_label(line or "", AUTHOR_LABEL)
    fields = split_labelled(text)
    if len(fields) > 1:  # another label follows in the same block: it ends the names
        text = fields[0][1] if fields[0][0] in ("", "author") else ""
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
    fields = split_labelled(text)
    if len(fields) > 1:
        text = fields[0][1] if fields[0][0] in ("", "source") else ""
    return text or None
