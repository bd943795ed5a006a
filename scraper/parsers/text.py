"""Text layer of the parsers: bytes → NFC string, and the one text normaliser every field uses.

Decoding order (why not just trust headers): NukeViet portals declare UTF-8 but old pages and
the replica's "wrong charset" fault send windows-1258 bytes, and some proxies label UTF-8 pages
as ISO-8859-1. Valid UTF-8 with non-ASCII bytes is practically never produced by windows-1258
Vietnamese text, so a strict UTF-8 decode that succeeds wins over any declaration.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from functools import lru_cache

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Zero-width characters and soft hyphens: invisible for readers, not whitespace for str.split.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# The characters `str.split()` splits on (`str.isspace()`), but for " " and "\n".
_OTHER_SPACE = re.compile("[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029"
                          "\u202f\u205f\u3000]")


# Western single-byte charsets cannot write Vietnamese: a page that declares one and whose
# bytes read as Vietnamese letters in windows-1258 lies about its charset (old IIS/Apache
# defaults). bs4's UnicodeDammit trusts such a declaration as we did (measured on the
# fixtures' windows-1258 twins: 0 of 2 right), see docs/parse.md.
_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "iso8859-15"})
# ă đ ơ ư (both cases) in windows-1258, which in Latin-1 are ã ð õ ý (Ã Ð Õ Ý).
_VIETNAMESE_BYTES = re.compile(rb"[\xc3\xe3\xd0\xf0\xd5\xf5\xdd\xfd]")


def _reads_as_vietnamese(body: bytes) -> bool:
    return len(_VIETNAMESE_BYTES.findall(body, 0, 200_000)) >= 3


def charset_from_content_type(content_type: str | None) -> str | None:
    """The `charset=` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1).strip().lower() if m else None


def charset_from_meta(body: bytes) -> str | None:
    """The charset declared by `<meta charset>` or `<meta http-equiv content=…>` in the head."""
    m = _META_CHARSET.search(body[:8192])
    return m.group(1).decode("ascii", "replace").lower() if m else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page to an NFC string; returns (text, codec name used)."""
    text, used, _ = decode_page(body, content_type)
    return text, used


def decode_page(body: bytes, content_type: str | None = None) -> tuple[str, str, bool]:
    """`decode_html`, plus whether the text is exactly the body decoded as UTF-8 (no BOM,
    no declaration removed, nothing normalised): then the body is the text's UTF-8, which
    the HTML parser reads faster than a string (see `dom.parse_html`)."""
    for bom, enc in _BOMS:
        if body.startswith(bom):
            text = unicodedata.normalize("NFC", body[len(bom):].decode(enc, "replace"))
            return text, enc, False
    verbatim = True
    try:
        text, used = body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, verbatim = None, False
        candidates = [
            _codec(charset_from_content_type(content_type)),
            _codec(charset_from_meta(body)),
            "cp1258",
        ]
        for enc in candidates:
            if not enc or enc in ("utf-8", "ascii"):
                continue
            try:
                text, used = body.decode(enc), enc
            except (UnicodeDecodeError, LookupError):
                continue
            if enc in _WESTERN and _reads_as_vietnamese(body):
                text, used = body.decode("cp1258", "replace"), "cp1258"
            break
        if text is None:
            text, used = body.decode("utf-8", "replace"), "utf-8"
    if text[:200].lstrip()[:5].lower() == "<?xml":
        text, verbatim = _XML_DECL.sub("", text, count=1), False
    # On a decomposed (NFD) page `is_normalized` meets a combining mark, answers "maybe" and
    # normalises the whole page to compare: as slow as `normalize`, which then runs again.
    # Decomposed Vietnamese nearly always holds the acute tone mark, and one scan for it is
    # cheap; normalising a page that was NFC after all is only wasted time, never wrong.
    if "\u0301" in text or not unicodedata.is_normalized("NFC", text):
        text, verbatim = unicodedata.normalize("NFC", text), False
    return text, used, verbatim


def contains(text: str, needle: str) -> bool:
    """`needle in text` for a whole page, searched from its end: the markers of the lower
    part of a page (the sidebar's document block, author line, tags) are then found after
    reading a fraction of it, and a failing search reads it all either way."""
    return text.rfind(needle) != -1


def needle_groups(needles: tuple[str, ...], keys: tuple[str, ...]
                  ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Needles grouped under a substring they share, for `contains_any`: one scan of the page
    for an absent key replaces the scans for all its needles (each scan reads the whole
    page). A needle under no key is its own key, with no second scan."""
    groups = [(key, tuple(n for n in needles if key in n)) for key in keys]
    rest = [(n, ()) for n in needles if not any(key in n for key in keys)]
    return tuple(group for group in groups if group[1]) + tuple(rest)


def contains_any(text: str, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """Whether `text` contains any of the needles grouped by `needle_groups`."""
    for key, needles in groups:
        if contains(text, key) and (not needles
                                    or any(contains(text, needle) for needle in needles)):
            return True
    return False


def has_numeric_ref(text: str) -> bool:
    """`"&#" in text`, five times faster on a page: a two-character needle defeats the skip
    heuristic of `str.find`, which then steps one character at a time, while the few `#` of
    a page are found by memchr-speed single-character searches."""
    i = text.find("#")
    while i != -1:
        if i and text[i - 1] == "&":
            return True
        i = text.find("#", i + 1)
    return False


def normalize_text(value: str | None, is_nfc: bool = False) -> str:
    """NFC, HTML entities decoded, invisible characters dropped, whitespace collapsed.

    `is_nfc=True` skips the NFC check for text taken from an already normalised page.
    """
    if not value:
        return ""
    if "&" in value:
        # Titles are stored escaped by the CMS and sometimes escaped twice in templates.
        value = html.unescape(value)
        is_nfc = False
    # str.isascii() is O(1): ASCII text has neither invisible characters nor NFC work.
    if not value.isascii():
        # Six `in` tests (C scans) cost a third of one `_INVISIBLE.search`.
        if ("\u200b" in value or "\u200c" in value or "\u200d" in value or "\u2060" in value
                or "\ufeff" in value or "\u00ad" in value):
            value = _INVISIBLE.sub("", value)
        if not is_nfc and not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
    # str.split() without arguments splits on every Unicode space, NBSP included.
    return " ".join(value.split())


def normalize_lines(value: str | None, is_nfc: bool = False) -> str:
    """Like `normalize_text` but keeps line breaks: each line collapsed, empty lines dropped."""
    if not value:
        return ""
    if not is_nfc or "&" in value:
        lines = (normalize_text(line, is_nfc) for line in value.split("\n"))
        return "\n".join(line for line in lines if line)
    # What `normalize_text` does to each line, done for all lines at once (a body has
    # dozens of lines, many of them empty): drop the invisible characters, then collapse
    # whitespace. Splitting every line into words is most of the cost, and needless when
    # the only whitespace is single spaces: then collapsing is stripping.
    if not value.isascii() and ("\u200b" in value or "\u200c" in value or "\u200d" in value
                                or "\u2060" in value or "\ufeff" in value
                                or "\u00ad" in value):
        value = _INVISIBLE.sub("", value)
    if "  " in value or _OTHER_SPACE.search(value):
        lines = (" ".join(line.split()) for line in value.split("\n"))
    else:
        lines = (line.strip(" ") for line in value.split("\n"))
    return "\n".join(line for line in lines if line)


# Labels and weekday names recur on every page.
@lru_cache(maxsize=4096)
def fold(value: str) -> str:
    """Lower-case, diacritic-free form used only to compare labels (`Số kí hiệu` ~ `so ky hieu`)."""
    value = unicodedata.normalize("NFD", normalize_text(value).lower()).replace("đ", "d")
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = " ".join(value.replace("/", " ").split())
    return value.replace("ky", "ki").rstrip(" :")


_NUMBER = re.compile(r"\d[\d.,\s]*")
_NOT_DIGIT = re.compile(r"\D")


def to_int(value: str | None) -> int | None:
    """First integer in a counter text (`Đã xem: 1.234` → 1234), else None."""
    if not value:
        return None
    m = _NUMBER.search(value)
    if not m:
        return None
    digits = _NOT_DIGIT.sub("", m.group(0))
    return int(digits) if digits else None
