"""Which platform a page comes from, from the fingerprints in the profile files.

Each profile's `[detect] fingerprints` are data: a generator meta regex, substrings of the
page (asset paths, class names), element id prefixes, URL shapes (path and query, never the
host name), and for `portal-archive detect` also robots.txt and sitemap content. A platform
scores the weights of the fingerprints it matches; the best score at or above its threshold
wins (ties: the order of `PLATFORMS`), else `generic`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scraper.profiles.spec import Fingerprint, Profile, builtins

_GENERATOR = re.compile(
    r"<meta\b[^>]*?\bname\s*=\s*[\"']?generator[\"']?[^>]*?\bcontent\s*=\s*[\"']([^\"']*)"
    r"|<meta\b[^>]*?\bcontent\s*=\s*[\"']([^\"']*)[\"'][^>]*?\bname\s*=\s*[\"']?generator",
    re.I)


@dataclass
class Detection:
    platform: str
    score: int
    evidence: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)


def generators(text: str) -> list[str]:
    # Only the head can hold it; a regex over the first 20 KB is cheaper than a tree query.
    head = text[:20000]
    if "generator" not in head and "GENERATOR" not in head and "Generator" not in head:
        return []
    return [a or b for a, b in _GENERATOR.findall(head)]


def _matches(fp: Fingerprint, text: str, url_part: str, gens: list[str],
             extra: dict[str, str]) -> bool:
    if fp.kind == "generator":
        return any(fp.regex.search(g) for g in gens)
    if fp.kind == "url":
        return bool(fp.regex.search(url_part))
    if fp.kind == "id":
        return f'id="{fp.pattern}' in text or f"id='{fp.pattern}" in text
    if fp.kind == "html":
        return fp.regex.search(text) is not None if fp.regex else fp.pattern in text
    source = extra.get(fp.kind)  # robots / sitemap
    return bool(source) and bool(fp.regex.search(source))


def detect(text: str, url: str, extra: dict[str, str] | None = None,
           profiles: tuple[Profile, ...] | None = None) -> Detection:
    """Score every platform profile on a decoded page (and robots.txt / sitemap text)."""
    parts = urlsplit(url)
    url_part = parts.path + ("?" + parts.query if parts.query else "")
    gens = generators(text)
    extra = extra or {}
    best = Detection("generic", 0)
    for profile in profiles or builtins():
        if not profile.fingerprints:
            continue
        score = 0
        evidence = []
        for fp in profile.fingerprints:
            if _matches(fp, text, url_part, gens, extra):
                score += fp.weight
                evidence.append(f"{fp.kind}: {fp.pattern}")
        best.scores[profile.platform] = score
        if score >= profile.threshold and score > best.score:
            best.platform, best.score, best.evidence = profile.platform, score, evidence
    return best
