"""Legal document numbers and the counters shown beside them.

Vietnamese document numbers (Nghị định 30/2020/NĐ-CP on administrative documents):
`<serial>/<year>/<type>-<issuer>` or `<serial>/<type>-<issuer>`; a công văn has no type code
(`3600/UBND-VX`); party documents put the type before the slash (`534-QĐ/TU`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from scraper.parsers.text import normalize_text, to_int

# Type codes that may open the part after the serial. Anything else there is an issuer
# (a công văn, e.g. `3600/UBND-VX`).
TYPE_CODES = frozenset({
    "CT", "QĐ", "QD", "NQ", "KH", "TB", "HD", "HĐ", "BC", "TTr", "CV", "NĐ", "ND", "TT",
    "TTLT", "QC", "QyĐ", "PA", "ĐA", "DA", "CTr", "KL", "CĐ", "GM", "GP", "GXN", "BB", "BGN",
    "BTT", "HĐTV", "PL", "SL", "TC", "TKr", "TrT", "UQ", "GUQ", "GGT", "PCT",
})
_TYPE_CODES_UPPER = frozenset(code.upper() for code in TYPE_CODES)
_NUMBER_PREFIX = re.compile(r"^\s*(?:số(?: kí hiệu| ký hiệu| hiệu)?|no\.?)\s*[:.]?\s*", re.I)
_DASH = re.compile(r"\s*[-–—]\s*")


def _is_type(code: str) -> bool:
    return code.upper() in _TYPE_CODES_UPPER


def parse_document_number(value: str | None) -> dict:
    """See `_parse_document_number`; returns a fresh dict (results are cached)."""
    return dict(_parse_document_number(value))


# The same numbers recur on every page (sidebar block, listings): parse each once.
@lru_cache(maxsize=8192)
def _parse_document_number(value: str | None) -> dict:
    """Split a document number.

    `17/CT-UBND` → serial 17, type_code CT, issuer_code UBND; `3600/UBND-VX` → 3600, None,
    UBND-VX; `12/2021/QĐ-UBND` → year 2021 too; `534-QĐ/TU` → 534, QĐ, TU.
    Returns `{number, serial, year, type_code, issuer_code}` (all None when empty).
    """
    number = _NUMBER_PREFIX.sub("", normalize_text(value), count=1).strip(" .")
    result = {"number": number or None, "serial": None, "year": None,
              "type_code": None, "issuer_code": None}
    if not number:
        return result
    compact = re.sub(r"\s*/\s*", "/", number)
    parts = compact.split("/")
    head = parts[0]
    m = re.fullmatch(r"(\d+)[-–—]?([^\d/][^/]*)?", head)
    if m and m.group(2) and len(parts) == 2 and _is_type(_DASH.split(m.group(2))[0]):
        # Party style: `534-QĐ/TU`.
        result.update(serial=int(m.group(1)), type_code=_DASH.split(m.group(2))[0],
                      issuer_code=parts[1] or None)
        return result
    rest = parts
    if re.fullmatch(r"\d+[a-zA-Z]?", head):
        digits = re.match(r"\d+", head)
        result["serial"] = int(digits.group(0)) if digits else None
        rest = parts[1:]
    if rest and re.fullmatch(r"(19|20)\d\d", rest[0]):
        result["year"] = int(rest[0])
        rest = rest[1:]
    tail = "/".join(rest)
    if tail:
        codes = _DASH.split(tail, maxsplit=1)
        if _is_type(codes[0]):
            result["type_code"] = codes[0]
            result["issuer_code"] = codes[1] if len(codes) > 1 and codes[1] else None
        else:
            result["issuer_code"] = tail
    return result


_VIEWS = re.compile(r"(?:lượt xem|đã xem|lượt đọc|views?)\s*:?\s*([\d.,]+)", re.I)
_DOWNLOADS = re.compile(r"(?:lượt tải|tải về|downloads?)\s*:?\s*([\d.,]+)", re.I)


def parse_counters(text: str | None) -> dict:
    """`lượt xem: 424 | lượt tải:9` → {"views": 424, "downloads": 9} (missing → None)."""
    return dict(_parse_counters(text))


@lru_cache(maxsize=8192)
def _parse_counters(text: str | None) -> dict:
    text = normalize_text(text)
    views = _VIEWS.search(text)
    downloads = _DOWNLOADS.search(text)
    return {
        "views": to_int(views.group(1)) if views else None,
        "downloads": to_int(downloads.group(1)) if downloads else None,
    }
