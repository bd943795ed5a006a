"""Normalization of parsed values: text to NFC with collapsed whitespace, and typed coercions.

Every function takes one raw value and returns the typed value or None; a value that is present
but cannot be converted raises `ValidationError` (it is never silently turned into None).
Functions are idempotent, so normalizing a crawl's records and re-extracted records agrees.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pipelines.schema import PORTAL_TZ
from pipelines.validate import ValidationError

# "Empty" date cells on the portal show an ellipsis or a dash (see issue 3).
_EMPTY_MARKERS = {"", "...", "…", "-", "--", "—"}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_PORTAL_ZONE = ZoneInfo(PORTAL_TZ)


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"expected text, got {type(value).__name__}")
    return value


def text(value: Any) -> str | None:
    """One-line text: NFC, all whitespace runs collapsed to one space, stripped; '' → None."""
    if value is None:
        return None
    value = _as_str(value)
    # Called for every text cell: skip NFC for ASCII (str.isascii is O(1)); str.split()
    # splits on exactly the whitespace `\s` matches, and is faster than a regex.
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split()) or None


def block(value: Any) -> str | None:
    """Multi-line text (body): NFC, spaces collapsed inside lines, one newline between
    paragraphs, no blank or padded lines; '' → None."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", _as_str(value)).replace("\r\n", "\n").replace("\r", "\n")
    # Within one line, str.split() splits on exactly the whitespace `[^\S\n]` matches; empty
    # lines are dropped, so no blank line is left to squeeze.
    lines = (" ".join(line.split()) for line in value.split("\n"))
    return "\n".join(line for line in lines if line) or None


def text_list(value: Any) -> list[str]:
    """A list of one-line texts, empties removed, order kept."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError(f"expected a list, got {type(value).__name__}")
    return [t for t in (text(v) for v in value) if t is not None]


def crumbs(value: Any) -> list[dict]:
    """Breadcrumbs as [{title, url}], from dicts or plain titles; crumbs without title dropped."""
    out = []
    for v in value or []:
        crumb = v if isinstance(v, dict) else {"title": v, "url": None}
        title = text(crumb.get("title"))
        if title is not None:
            out.append({"title": title, "url": url(crumb.get("url"))})
    if value is not None and not isinstance(value, list | tuple):
        raise ValidationError(f"expected a list, got {type(value).__name__}")
    return out


def integer(value: Any) -> int | None:
    """An int from an int or a digit string ('1.234' and '1,234' are thousands)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        if _THOUSANDS.match(s):
            s = s.replace(".", "").replace(",", "")
        if s.lstrip("-").isdigit():
            return int(s)
    raise ValidationError(f"not an integer: {value!r}")


def number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip():
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            pass
    raise ValidationError(f"not a number: {value!r}")


def timestamp(value: Any, naive_zone=UTC) -> datetime | None:
    """An aware datetime from ISO 8601 ('Z' accepted); a naive time is taken in `naive_zone`."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        s = _as_str(value).strip()
        if not s:
            return None
        try:
            parsed = datetime.fromisoformat(s)
        except ValueError:
            raise ValidationError(f"unparsable timestamp {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_zone)
    return parsed


def portal_timestamp(value: Any) -> datetime | None:
    """A timestamp shown by the portal: naive times are portal local time (+07:00)."""
    return timestamp(value, naive_zone=_PORTAL_ZONE)


def day(value: Any) -> date | None:
    """A date from ISO 'YYYY-MM-DD' or the portal's 'd/m/Y'; '...', '' and '-' → None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = _as_str(value).strip()
    if s in _EMPTY_MARKERS:
        return None
    try:
        m = _DMY.match(s)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(s[:10])
    except ValueError:
        raise ValidationError(f"unparsable date {value!r}") from None


def raw(value: Any) -> str | None:
    """A raw source string kept beside its parsed value: only NFC, whitespace collapsed."""
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return text(str(value))


def media_type(content_type: Any) -> str | None:
    """'text/html; charset=UTF-8' → 'text/html' (lowercase, parameters dropped)."""
    if not content_type:
        return None
    return _as_str(content_type).split(";", 1)[0].strip().lower() or None


def url(value: Any) -> str | None:
    """A URL as text; only http(s) and scheme-relative/relative forms are accepted."""
    value = text(value)
    if value is None or value.startswith(("https://", "http://")):
        return value
    scheme = urlsplit(value).scheme
    if scheme and scheme not in ("http", "https"):
        raise ValidationError(f"not a web URL: {value!r}")
    return value


_TRAILING_ID = re.compile(r"-(\d+)(?:\.html?)?/?$")


def id_from_url(value: str | None) -> int | None:
    """The numeric id NukeViet puts after the last hyphen of a detail URL, if any."""
    if not value:
        return None
    m = _TRAILING_ID.search(urlsplit(value).path)
    return int(m.group(1)) if m else None
