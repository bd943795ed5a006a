"""Freshness policy for incremental (nightly) crawls: which known URLs are due for a re-check.

Navigation pages (home, category and tag listings, feeds, sitemaps, the laws listing) are
always fetched, so new items are always found. Item pages (articles, document details) and
immutable-ish resources (images, CSS, JS, attachments) already captured in a closed snapshot
are re-fetched only when due:

- every known URL at least every `max_age_days`;
- URLs first seen within `recent_days` every `recent_interval_days` (new articles get
  edited most);
- each URL's deadline is spread over the interval by a hash of the URL, so a portal archived
  in one night is not re-fetched whole on the night its pages all turn `max_age_days` old.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archive.cdxj import read_cdxj
from archive.snapshot import list_snapshots

# NukeViet's item pages, the default when no site profile says (scraper.profiles).
from scraper.profiles.nukeviet import ITEM_PATTERNS


@dataclass(frozen=True)
class Seen:
    first: datetime  # first capture of any status
    last: datetime  # latest capture of any status (a 404 is a check too)
    ok: bool  # ever captured with a 2xx answer (or a revisit of one)


@dataclass
class FreshnessPolicy:
    max_age_days: float = 7.0
    recent_days: float = 30.0
    recent_interval_days: float = 1.0
    known: dict[str, Seen] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Which pages are items (the site profile's `is_item`); None: NukeViet's URL shapes.
    is_item: Callable[[str], bool] | None = None

    def is_navigation(self, url: str, role: str) -> bool:
        if role in ("feed", "sitemap"):
            return True
        if role != "page":
            return False
        return not (self.is_item or is_item_url)(url)

    def due(self, url: str, role: str) -> bool:
        """Whether to fetch `url` tonight."""
        if self.is_navigation(url, role):
            return True
        seen = self.known.get(url)
        if seen is None:
            return True
        age = (self.now - seen.last).total_seconds() / 86400
        recent = (self.now - seen.first).total_seconds() / 86400 < self.recent_days
        interval = self.recent_interval_days if recent else self.max_age_days
        # Deadline in [interval/2, interval]: spread by URL, never later than the interval.
        spread = int.from_bytes(hashlib.sha1(url.encode()).digest()[:4], "big") / 2**32
        return age >= interval * (0.5 + 0.5 * spread)

    def spec(self) -> dict:
        """What another process needs to apply the same policy (a fleet worker, which reads
        the known captures from the shared archive itself): the parameters and `now`."""
        return {"max_age_days": self.max_age_days, "recent_days": self.recent_days,
                "recent_interval_days": self.recent_interval_days,
                "now": self.now.isoformat()}

    @classmethod
    def from_spec(cls, spec: dict, known: dict[str, Seen],
                  is_item: Callable[[str], bool] | None = None) -> FreshnessPolicy:
        """The policy `spec()` describes, over `known` (`known_captures` of the archive)."""
        return cls(max_age_days=float(spec["max_age_days"]),
                   recent_days=float(spec["recent_days"]),
                   recent_interval_days=float(spec["recent_interval_days"]),
                   known=known, now=datetime.fromisoformat(spec["now"]), is_item=is_item)

    def as_dict(self) -> dict:
        return {
            "max_age_days": self.max_age_days,
            "recent_days": self.recent_days,
            "recent_interval_days": self.recent_interval_days,
            "known_urls": len(self.known),
        }


def is_item_url(url: str) -> bool:
    """Article or document detail page (the things a diff compares)."""
    path = url.split("?", 1)[0]
    return any(p.search(path) for p in ITEM_PATTERNS)


def _ts(timestamp14: str) -> datetime:
    return datetime.strptime(timestamp14[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def known_captures(archive_root: Path) -> dict[str, Seen]:
    """First and last capture time of every URL in the closed snapshots' indexes."""
    known: dict[str, Seen] = {}
    for snap in list_snapshots(archive_root):
        if snap.status != "closed" or not snap.index_path.is_file():
            continue
        for line in read_cdxj(snap.index_path):
            url = line.fields.get("url")
            status = str(line.fields.get("status", ""))
            mime = line.fields.get("mime")
            if not url or mime == "warc/request" or not status:
                continue
            ok = status.startswith("2") or mime == "warc/revisit"
            when = _ts(line.timestamp)
            prev = known.get(url)
            if prev is None:
                known[url] = Seen(when, when, ok)
            else:
                known[url] = Seen(min(prev.first, when), max(prev.last, when), prev.ok or ok)
    return known
