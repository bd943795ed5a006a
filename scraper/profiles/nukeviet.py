"""Site profile for NukeViet 4.x portals: seeds, scope, URL canonicalization, traps, link roles.

NukeViet's knowledge is data in nukeviet.toml (volatile and trap parameters, trap segments,
private folders); the rules that read it are hand-written here, as a `SiteProfile` subclass,
because they also know NukeViet's module layout (`/<lang>/<module>/`, `index.php?nv=…` on
sites without URL rewriting). Link extraction is shared with every platform
(`scraper.profiles.site`). Pure functions over URLs and HTML bytes, no Scrapy imports.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scraper.profiles.site import (  # noqa: F401 - re-exported: the crawl imports them here
    FEED,
    FILE,
    FILE_EXT,
    PAGE,
    REQUISITE,
    REQUISITE_EXT,
    SITEMAP,
    Link,
    SiteProfile,
    _cached,
)
from scraper.profiles.spec import builtin

# Canonicalization, traps and private folders are data in nukeviet.toml (read with tomllib:
# the crawler needs no CSS compiler or hook to know them).
with (Path(__file__).parent / "nukeviet.toml").open("rb") as _handle:
    _TOML = tomllib.load(_handle)
# Query parameters that only bust caches: the page is the same without them.
VOLATILE_PARAMS = frozenset(_TOML["canonical"]["volatile_params"])
# Parameters of URLs that are never archival content: captcha images, login round-trips.
TRAP_PARAMS = frozenset(_TOML["canonical"]["trap_params"])
# Path segments of the per-article copies NukeViet generates for tools (PORTAL.md "Traps").
TRAP_SEGMENTS = tuple(_TOML["canonical"]["trap_segments"])
# Folders robots.txt disallows on every NukeViet site; never worth a request even if robots is off.
PRIVATE_PREFIXES = tuple(_TOML["site"]["private_prefixes"])
# The item pages a nightly crawl re-checks (scraper.freshness.ITEM_PATTERNS).
ITEM_PATTERNS = (
    re.compile(r"-\d+\.html$"),  # article: /vi/news/<cat>/<alias>-<ID>.html
    re.compile(r"/detail/[^/]+-\d+/?$"),  # laws detail: /vi/<mod>/detail/<alias>-<ID>/
)


@dataclass
class NukeVietProfile(SiteProfile):
    """URL knowledge of one NukeViet 4.x site rooted at `base_url` (nukeviet.toml's data)."""

    language: str = "vi"
    modules: tuple[str, ...] = ("news", "laws")
    rewrite: bool = True

    # The profile name snapshots record (manifest `profile`, warcinfo), as before profiles
    # were TOML files: archives compare it across nights.
    name = "nukeviet4"
    default_platform = "nukeviet"

    def __post_init__(self) -> None:
        if self.spec is None:
            self.spec = builtin("nukeviet")
        super().__post_init__()
        # (Not SiteProfile's netloc normalisation: `netloc` stays as given, as it always was.)
        self.netloc = urlsplit(self.base_url).netloc.lower()
        self.root = f"{self.scheme}://{self.netloc}/"

    def is_item(self, url: str) -> bool:
        """Article or document detail page (the things a diff compares)."""
        path = url.split("?", 1)[0]
        return any(p.search(path) for p in ITEM_PATTERNS)

    # -- seeds ---------------------------------------------------------------------------------
    def seeds(self) -> list[Link]:
        lang = self.language
        seeds = [Link(self.root, PAGE, "S"), Link(urljoin(self.root, "/sitemap.xml"), SITEMAP, "S")]
        for module in self.modules:
            seeds.append(Link(urljoin(self.root, f"/{lang}/{module}/"), PAGE, "S"))
        seeds.append(Link(urljoin(self.root, f"/{lang}/news/rss/"), FEED, "S"))
        seeds.extend(Link(self.canonicalize(u) or u, PAGE, "S") for u in self.extra_seeds)
        return seeds

    # -- canonical form and scope ----------------------------------------------------------------
    def canonicalize(self, url: str) -> str | None:
        """Canonical absolute form of an in-scope URL, or None when out of scope or a trap."""
        return _cached(self._canonical, url, self._canonicalize)

    def _canonicalize(self, url: str) -> str | None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https"):
            return None
        netloc = parts.netloc.lower()
        if netloc.endswith(":80") and parts.scheme == "http":
            netloc = netloc[:-3]
        if netloc != self.netloc:
            return None
        params = parse_qsl(parts.query, keep_blank_values=True)
        query = [(k, v) for k, v in params if k not in VOLATILE_PARAMS]
        path = parts.path or "/"
        canonical = urlunsplit((self.scheme, netloc, path, urlencode(query), ""))
        if self.is_trap(canonical):
            return None
        return canonical

    def is_trap(self, url: str) -> bool:
        """True for URLs that only duplicate content or never end (PORTAL.md "Traps")."""
        parts = urlsplit(url)
        path = parts.path
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if any(seg in path for seg in TRAP_SEGMENTS):
            return True
        if path.startswith(PRIVATE_PREFIXES):
            return True
        if path.startswith("/en/") or path == "/en":
            return True
        if params.get("nv") == "comment" or TRAP_PARAMS.intersection(params):
            return True
        # On a site with rewritten URLs, `index.php?language=..&nv=..` only mirrors a rewritten
        # page (the CMS 301s it to the canonical one). Sites without rewrite use that form for
        # everything, so it is a trap only when `rewrite` is on.
        return self.rewrite and ("language" in params or "nv" in params)

    def role_of(self, url: str) -> str:
        return _cached(self._roles, url, self._role_of)

    def _role_of(self, url: str) -> str:
        parts = urlsplit(url)
        path = parts.path.lower()
        params = dict(parse_qsl(parts.query))
        if params.get("download") == "1":
            return FILE
        if path.endswith(".xml") and "sitemap" in path:
            return SITEMAP
        if "/rss" in path:
            return FEED
        if REQUISITE_EXT.search(path):
            return REQUISITE
        if FILE_EXT.search(path):
            return FILE
        return PAGE
