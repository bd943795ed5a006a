"""Vietnamese-aware text normalisation for the index and the queries.

Text in the datasets is NFC, but a query may be typed in NFD (macOS) or come from a
windows-1258 page (decomposed tone marks): everything goes through NFC first. The *folded*
form drops every diacritic and maps đ/Đ to d, so "quyet dinh" finds "quyết định"; it is
computed character by character on NFC text so that a position in the folded text maps back
to the original (for snippets).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    if ch.isascii():
        return ch.lower()
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base.lower()[:1]


# str.translate runs in C: measured 40× faster than a per-character Python join on Vietnamese
# bodies (bench_search.py's profile: folding was 60% of the build). Every character of the
# Latin, Greek and Cyrillic blocks and the Vietnamese letters (U+1E00-1EFF) maps to one
# character (or none, for a combining mark), so positions in folded text map back 1:1.
_TABLE = {cp: _fold_char(chr(cp)) for cp in (*range(0x41, 0x5B), *range(0xC0, 0x530),
                                             *range(0x1E00, 0x1F00))
          if _fold_char(chr(cp)) != chr(cp)}
# The same as a list indexed by code point: translate looks a list up 2.3× faster than a dict
# (measured on replica-like bodies); a character past its end (LookupError) stays as it is.
_LIST = [_TABLE.get(cp, chr(cp)) for cp in range(0x1F00)]


def fold(text: str) -> str:
    """NFC, lower case, no diacritics, đ → d."""
    text = nfc(text)
    if text.isascii():
        return text.lower()
    return text.translate(_LIST).lower()


def fold_with_map(text: str) -> tuple[str, list[int] | range]:
    """The folded text and, per folded character, its index in `text` (already NFC)."""
    return _with_map(text, fold(text), _fold_char)


def _with_map(text: str, whole: str, per_char) -> tuple[str, list[int] | range]:
    """`whole` (`text` converted) and, per character of it, its index in `text`; when the
    conversion changed the length, it is redone character by character (`per_char`)."""
    if len(whole) == len(text):
        return whole, range(len(text))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = per_char(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def has_diacritics(text: str) -> bool:
    """True when folding changes more than case (the query asked for exact accents)."""
    return fold(text) != nfc(text).lower()


# A word as the index's tokenizer sees it (tantivy's `simple`: runs of letters and digits);
# the query parser (search.query.WORD) splits words the same way.
_WORD_RE = re.compile(r"[^\W_]+")


def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD_RE.finditer(text)]


def phrase_spans(text: str | None, phrase: str) -> list[tuple[int, int]]:
    """Where `phrase` occurs in `text` (NFC), as (start, end) character ranges of `text`.

    The rule of `search` (docs/search.md): the phrase's words in a row, whatever lies between
    them (spaces, punctuation); matched exactly (NFC, case-insensitive) when the phrase has
    diacritics, on the folded text (no diacritics, đ → d) when it has none.
    """
    if not text:
        return []
    exact = has_diacritics(phrase)
    norm = (lambda s: nfc(s).lower()) if exact else fold
    wanted_text = norm(phrase)
    wanted = [wanted_text[s:e] for s, e in _words(wanted_text)]
    if not wanted:
        return []
    if exact:
        lowered, where = _with_map(text, text.lower(), str.lower)
    else:
        lowered, where = fold_with_map(text)
    spans = _words(lowered)
    tokens = [lowered[s:e] for s, e in spans]
    n = len(wanted)
    out = []
    for i in range(len(tokens) - n + 1):
        if tokens[i:i + n] == wanted:
            start, end = spans[i][0], spans[i + n - 1][1]
            out.append((where[start], where[end - 1] + 1))
    return out
