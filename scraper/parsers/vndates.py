"""Dates beyond NukeViet's date line: the visible forms other platforms show, and
machine-readable ISO 8601 values (JSON-LD, OpenGraph, `<time datetime>`), all in +07:00.

Visible forms (PLATFORMS.md "Pitfalls"): `Thứ năm, 18/04/2024 - 14:05`, `18/04/2024 - 14:05`,
`15/04/2024 10:30:00 SA` (SA/CH = AM/PM), `Cập nhật lúc 08:45, Thứ Hai, 06/05/2024`,
`ngày 21 tháng 09 năm 2025`. Parsed explicitly: general date libraries misread the
Vietnamese month phrase. NukeViet's `dates.parse_date_line` is left as it is (its results
are pinned by the fixtures).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from scraper.parsers.dates import PORTAL_TZ
from scraper.parsers.text import normalize_text

_DMY = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
# `21 tháng 09 năm 2025`, and Joomla's `24 Tháng 5 2024` (no `năm`).
_MONTH_PHRASE = (r"(?:ngày\s*)?(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s*(?:,\s*)?"
                 r"(?:năm\s+)?(?P<y>\d{4})")
_HMS = (r"(?P<H>\d{1,2})\s*[:hg]\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?"
        r"(?:\s*(?P<ampm>SA|CH|[AaPp]\.?[Mm]\.?)\b)?")
_WEEKDAY = r"(?:(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cn)\s*[,-]?\s*)?"
_SEP = r"\s*(?:[-–—|,]\s*)?(?:lúc|vào lúc)?\s*"
_DATE_FIRST = [re.compile(d + r"(?:" + _SEP + _HMS + r")?", re.I)
               for d in (_DMY, _MONTH_PHRASE)]
_TIME_FIRST = [re.compile(_HMS + r"\s*[-,|]?\s*" + _WEEKDAY + r"(?:ngày\s*)?" + d, re.I)
               for d in (_DMY, _MONTH_PHRASE)]
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})?)?$")


def _build(m: re.Match[str]) -> datetime | None:
    try:
        hour = int(m["H"]) if m["H"] else 0
        ampm = (m["ampm"] or "").replace(".", "").upper()
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm in ("PM", "CH") else 0)
        return datetime(int(m["y"]), int(m["m"]), int(m["d"]), hour,
                        int(m["M"]) if m["M"] else 0, int(m["S"]) if m["S"] else 0,
                        tzinfo=PORTAL_TZ)
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def parse_visible(text: str | None) -> tuple[str, str] | None:
    """(ISO 8601 +07:00, the date part as shown) for the first date in a visible line."""
    text = normalize_text(text)
    if not text or not any(c.isdigit() for c in text):
        return None
    best = None
    for pattern in _TIME_FIRST + _DATE_FIRST:
        m = pattern.search(text)
        if m and (best is None or m.start() < best.start()
                  or (m.start() == best.start() and m.end() > best.end())):
            best = m
    if best is None:
        return None
    when = _build(best)
    if when is None:
        return None
    return when.isoformat(), text[: best.end()].strip(" -–—|,")


def parse_with_formats(text: str | None, formats: list[str]) -> str | None:
    """A profile's `[dates] formats` (strptime), tried on the whole normalised text."""
    text = normalize_text(text)
    for fmt in formats:
        try:
            when = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=PORTAL_TZ)
        return when.astimezone(PORTAL_TZ).isoformat()
    return None


@lru_cache(maxsize=8192)
def parse_machine(value: str | None) -> str | None:
    """An ISO 8601 value (`2024-05-03T10:15:00+0700`, `…Z`, no zone = portal time) → +07:00."""
    m = _ISO.match(normalize_text(value))
    if not m:
        return None
    y, mo, d, hh, mi, ss, zone = m.groups()
    try:
        when = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0),
                        tzinfo=PORTAL_TZ)
        if zone:
            offset = "+00:00" if zone == "Z" else (zone if ":" in zone
                                                  else zone[:3] + ":" + zone[3:])
            when = datetime.fromisoformat(when.replace(tzinfo=None).isoformat() + offset)
    except ValueError:
        return None
    return when.astimezone(PORTAL_TZ).isoformat()


def same_minute(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a[:16] == b[:16]
