"""Which platform a page comes from, from the fingerprints in the profile files.

Each profile's `[detect] fingerprints` are data: a generator meta regex, substrings of the
page (asset paths, class names), element id prefixes, URL shapes (path and query, never the
host name), and for `portal-archive detect` also robots.txt and sitemap content. A platform
scores the weights of the fingerprints it matches; the best score at or above its threshold
wins (ties: the order of `PLATFORMS`), else `generic`. A generator fingerprint whose weight
reaches its profile's threshold decides alone, before any other test.
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
    """Contents of `<meta name="generator">` tags (the word written `generator`,
    `Generator` or `GENERATOR`, in the first 20000 characters). Found by string search
    and a regex over the one tag around each hit (a regex over the whole head cost 0.2 ms a
    page); `enerator` and `ENERATOR` cover the three spellings in two scans of the head."""
    found = []
    for tail, heads in (("enerator", "gG"), ("ENERATOR", "G")):
        start = text.find(tail, 1, 20000)
        while start != -1:
            if text[start - 1] in heads:
                lt, gt = text.rfind("<", 0, start - 1), text.find(">", start, 20000)
                if lt != -1 and gt != -1:
                    m = _GENERATOR.match(text, lt, gt + 1)
                    if m:
                        found.append(m.group(1) or m.group(2))
            start = text.find(tail, start + 1, 20000)
    return found


def _matches(fp: Fingerprint, text: str, url_part: str, gens: list[str],
             extra: dict[str, str]) -> bool:
    if fp.kind == "generator":
        return any(fp.regex.search(g) for g in gens)
    if fp.kind == "url":
        return bool(fp.regex.search(url_part))
    if fp.kind == "id":
        return f'id="{fp.pattern}' in text or f"id='{fp.pattern}" in text
    if fp.kind == "html":
        if fp.regex is None:
            return fp.pattern in text
        # (`literal` is the regex's plain start: no match begins before its first
        # occurrence, so the regex scan starts there instead of at the top of the page; an
        # empty literal is found at 0.)
        start = text.find(fp.literal)
        return start != -1 and fp.regex.search(text, start) is not None
    source = extra.get(fp.kind)  # robots / sitemap
    return bool(source) and bool(fp.regex.search(source))


def detect(text: str, url: str, extra: dict[str, str] | None = None,
           profiles: tuple[Profile, ...] | None = None, complete: bool = True) -> Detection:
    """Score every platform profile on a decoded page (and robots.txt / sitemap text).

    `complete=False` (what `parse_page` needs: the winner only) stops scoring a platform as
    soon as the weights it has left cannot beat the best so far, testing the heaviest
    fingerprints first; the winner is the same, `scores` and `evidence` may be partial."""
    parts = urlsplit(url)
    url_part = parts.path + ("?" + parts.query if parts.query else "")
    gens = generators(text)
    extra = extra or {}
    profiles = profiles or builtins()
    # A generator meta that names a platform settles it: the other fingerprints are ~50
    # scans of the page (1.5 ms of a NukeViet page's 4.3 ms parse), this is one regex over
    # the head.
    for profile in profiles if gens else ():
        for fp in profile.fingerprints:
            if fp.kind == "generator" and fp.weight >= profile.threshold and _matches(
                    fp, text, url_part, gens, extra):
                return Detection(profile.platform, fp.weight, [f"generator: {fp.pattern}"],
                                 {profile.platform: fp.weight})
    best = Detection("generic", 0)
    for profile in profiles:
        if not profile.fingerprints:
            continue
        if complete:
            fingerprints, remaining, need = profile.fingerprints, 0, 0
        else:
            fingerprints = [fp for fp in _by_weight(profile)
                            if fp.kind not in ("robots", "sitemap") or fp.kind in extra]
            remaining = sum(fp.weight for fp in fingerprints)
            need = max(profile.threshold, best.score + 1)  # (a tie goes to the earlier)
            if remaining < need:
                continue
        score = 0
        evidence = []
        for fp in fingerprints:
            if not complete:
                if score + remaining < need:
                    break
                remaining -= fp.weight
            # (`_matches` inlined for the commonest kinds: ~30 calls a page.)
            kind = fp.kind
            # (`rfind`: a failing search costs half of `in`'s, see text.contains.)
            if kind == "html" and fp.regex is None:
                hit = text.rfind(fp.pattern) != -1
            elif kind == "id":
                hit = (text.rfind(fp.id_needles[0]) != -1
                       or text.rfind(fp.id_needles[1]) != -1)
            else:
                hit = _matches(fp, text, url_part, gens, extra)
            if hit:
                score += fp.weight
                evidence.append(f"{fp.kind}: {fp.pattern}")
        best.scores[profile.platform] = score
        if score >= profile.threshold and score > best.score:
            best.platform, best.score, best.evidence = profile.platform, score, evidence
    return best


def _by_weight(profile: Profile) -> list[Fingerprint]:
    """The profile's fingerprints in testing order (kept on the profile): the URL and
    generator ones first (a regex over a short string), then the scans of the page,
    heaviest first. The order cannot change the winner: a profile stops only when the
    weights it has left cannot reach the best, so a possible winner is scored in full; the
    cheap tests first let a hopeless profile stop after fewer scans."""
    found = profile.__dict__.get("_fingerprints_by_weight")
    if found is None:
        found = profile.__dict__["_fingerprints_by_weight"] = sorted(
            profile.fingerprints, key=lambda f: (f.kind not in _CHEAP, -f.weight))
    return found


_CHEAP = ("url", "generator")
