"""Dates as NukeViet shows them, turned into ISO 8601 in the portal's zone (+07:00).

The visible date line is the only trustworthy source: `article:published_time`, schema.org
`datePublished` and RSS `pubDate` are all broken on real 4.x sites (see PORTAL.md).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from scraper.parsers.text import fold, normalize_text

PORTAL_TZ = timezone(timedelta(hours=7))

# Weekday names as the CMS prints them (`l` in its date format), Monday first.
WEEKDAYS_VI = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_FOLDED = {fold(name): i for i, name in enumerate(WEEKDAYS_VI + WEEKDAYS_EN)}

_DMY = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
_HMS = (
    r"(?P<H>\d{1,2})\s*[:hg]\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
)
# (`Thứ năm, 18/04/2024 - 14:05`: themes print `l, d/m/Y - H:i` too.)
_DATE_TIME = re.compile(_DMY + r"(?:\s*[,\-–—|]?\s*(?:lúc\s*)?" + _HMS + r")?")
# Some templates print the time first (`topic.tpl`: `09:21 25/03/2015`, `09:21 - 25/03/2015`).
_TIME_DATE = re.compile(_HMS + r"\s*[-,|]?\s*(?:ngày\s*)?" + _DMY)
_DASHES = "-–—|,"


def _build(m: re.Match[str]) -> datetime | None:
    try:
        day, month, year = int(m["d"]), int(m["m"]), int(m["y"])
        hour = int(m["H"]) if m["H"] else 0
        minute = int(m["M"]) if m["M"] else 0
        second = int(m["S"]) if m["S"] else 0
        ampm = (m["ampm"] or "").replace(".", "").upper()
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm == "PM" else 0)
        return datetime(year, month, day, hour, minute, second, tzinfo=PORTAL_TZ)
    except ValueError:
        return None


def parse_date_line(line: str | None) -> dict | None:
    """See `_parse_date_line`; returns a fresh dict (results are cached)."""
    parsed = _parse_date_line(line)
    return dict(parsed) if parsed else None


@lru_cache(maxsize=16384)
def _parse_date_line(line: str | None) -> dict | None:
    """Parse a visible date line such as `Thứ tư - 25/03/2015 09:21`.

    Returns `{"published_at": ISO 8601 with +07:00, "weekday": 0..6 or None,
    "weekday_matches": bool or None}`, or None when the line holds no date.
    """
    text = normalize_text(line)
    m = _DATE_TIME.search(text)
    if not m:
        return None
    if not m["H"]:
        first = _TIME_DATE.search(text)
        if first and first.start() < m.start():
            m = first
    when = _build(m)
    if when is None:
        return None
    prefix = text[: m.start()].strip().strip(_DASHES).strip()
    # (Listing dates have nothing before them, and no weekday folds to "".)
    weekday = _WEEKDAY_FOLDED.get(fold(prefix)) if prefix else None
    return {
        "published_at": when.isoformat(),
        "weekday": weekday,
        "weekday_matches": None if weekday is None else weekday == when.weekday(),
    }


def parse_datetime(text: str | None) -> str | None:
    """`d/m/Y H:i[:s]` or `d/m/Y h:i:s A` (listing dates) → ISO 8601 +07:00, else None."""
    parsed = _parse_date_line(text)  # (read only: no need for parse_date_line's copy)
    return parsed["published_at"] if parsed else None


@lru_cache(maxsize=16384)
def parse_date(text: str | None) -> str | None:
    """`d/m/Y` (document dates) → `YYYY-MM-DD`; `...`, empty or invalid → None."""
    m = re.search(_DMY, normalize_text(text))
    if not m:
        return None
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
    except ValueError:
        return None
