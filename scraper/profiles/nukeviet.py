"""Site profile for NukeViet 4.x portals: seeds, scope, URL canonicalization, traps, link roles.

A profile is everything the spider knows about a CMS. The spider only navigates; it asks the
profile which URLs to fetch and what role they play (page, requisite, file, feed, sitemap).
Pure functions over URLs and HTML bytes, no Scrapy imports, so tests and `extract` use it too.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

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
REQUISITE_EXT = re.compile(
    r"\.(?:css|js|png|jpe?g|gif|webp|svg|ico|bmp|woff2?|ttf|eot|otf|mp4|webm)$", re.I
)
FILE_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|odt|ods|rtf|txt)$", re.I)

# The elements that can link somewhere, found by lxml's C-level tag filter in one walk, and
# any other element with a CSS url() in its style attribute. (lxml's iterlinks walks every
# attribute of every element, which was most of the spider's CPU per page; one XPath union of
# ten `//` paths walked the tree ten times, twice as slow as this.)
_LINKING_TAGS = ("a", "link", "img", "script", "source", "video", "audio", "embed", "input")
_NEED_SRC = ("script", "embed", "input")  # link only through src (or a style url())
_STYLED = etree.XPath("//*[@style and contains(@style, 'url(')]")
_STYLES = etree.XPath("//style/text()")
# Plain lxml elements: lxml.html's per-element class lookup made its parse ~40% slower, and
# link extraction needs no HtmlElement method.
_HTML_PARSER = etree.HTMLParser(no_network=True)
# Bound for the per-profile caches: a portal with millions of links cannot exhaust memory.
_CACHE_LIMIT = 200_000

def _cached(cache: dict, key: Any, compute: Callable[[Any], Any]) -> Any:
    """`cache[key]`, computed on a miss; the cache is emptied when it reaches _CACHE_LIMIT."""
    try:
        return cache[key]
    except KeyError:
        pass
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    value = cache[key] = compute(key)
    return value


# Link roles, in the order the spider prefers them (requisites first so pages replay early).
PAGE, REQUISITE, FILE, FEED, SITEMAP = "page", "requisite", "file", "feed", "sitemap"


@dataclass(frozen=True)
class Link:
    url: str
    role: str
    via: str = "L"  # Heritrix hop letter: L link, E embed, R redirect, X sitemap/feed


@dataclass
class NukeVietProfile:
    """URL knowledge of one NukeViet 4.x site rooted at `base_url`."""

    base_url: str
    language: str = "vi"
    modules: tuple[str, ...] = ("news", "laws")
    extra_seeds: list[str] = field(default_factory=list)
    rewrite: bool = True

    name = "nukeviet4"

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {self.base_url!r}")
        self.scheme = parts.scheme
        self.netloc = parts.netloc.lower()
        self.root = f"{self.scheme}://{self.netloc}/"
        # Menus, sidebars and footers repeat the same links on every page: canonicalize, judge
        # and resolve each distinct URL once.
        self._canonical: dict[str, str | None] = {}
        self._roles: dict[str, str] = {}
        self._joined: dict[tuple[str, str], str] = {}

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

    # -- link extraction -------------------------------------------------------------------------
    def extract_links(self, body: bytes, url: str, content_type: str = "") -> list[Link]:
        """Outlinks of a fetched resource, canonicalized, in scope, without traps, de-duplicated."""
        ctype = content_type.lower()
        role = self.role_of(url)
        if role in (SITEMAP, FEED) or "xml" in ctype:
            raw = self._xml_links(body)
            via = "X"
            found = [(u, self.role_of(u), via) for u in raw]
        elif "html" in ctype or (not ctype and role == PAGE):
            found = self._html_links(body, url)
        elif "css" in ctype or url.lower().endswith(".css"):
            found = [(u, REQUISITE, "E") for u in self._css_links(body, url)]
        else:
            return []
        seen: set[str] = set()
        links = []
        for raw_url, link_role, via in found:
            canonical = self.canonicalize(raw_url)
            if canonical is None or canonical in seen:
                continue
            seen.add(canonical)
            links.append(Link(canonical, link_role, via))
        return links

    def _html_links(self, body: bytes, url: str) -> list[tuple[str, str, str]]:
        try:
            doc = etree.fromstring(body, _HTML_PARSER)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            return []
        if doc is None:
            return []
        base = url
        for href in doc.xpath("//base/@href"):
            base = urljoin(url, href)
            break
        origin = base[: base.find("/", base.find("//") + 2)] if base.count("/") >= 3 else base
        out: list[tuple[str, str, str]] = []
        styled = [el for el in _STYLED(doc) if el.tag not in _LINKING_TAGS]
        for el in itertools.chain(doc.iter(_LINKING_TAGS), styled):
            tag = el.tag
            if tag == "a":
                href = el.get("href")
                if href is not None:
                    absolute = self._join(base, origin, href.strip())
                    out.append((absolute, self.role_of(absolute), "L"))
            elif tag == "link":
                rel = (el.get("rel") or "").lower()
                href = el.get("href")
                if not href:
                    continue
                if "stylesheet" in rel or "icon" in rel:
                    out.append((self._join(base, origin, href.strip()), REQUISITE, "E"))
                elif "alternate" in rel and "rss" in (el.get("type") or ""):
                    out.append((self._join(base, origin, href.strip()), FEED, "L"))
                # rel=canonical/next/prev point at pages already linked in the body.
            elif (tag in _NEED_SRC and el.get("src") is None
                  and "url(" not in (el.get("style") or "")):
                continue
            else:
                for attr in ("src", "data-src"):
                    value = el.get(attr)
                    if value:
                        out.append((self._join(base, origin, value.strip()), REQUISITE, "E"))
                srcset = el.get("srcset")
                if srcset:
                    for candidate in srcset.split(","):
                        if candidate.strip():
                            src = candidate.split()[0]
                            out.append((self._join(base, origin, src), REQUISITE, "E"))
                style = el.get("style")
                if style and "url(" in style:
                    out.extend((u, REQUISITE, "E") for u in self._css_links(style.encode(), base))
        for style in _STYLES(doc):
            out.extend((u, REQUISITE, "E") for u in self._css_links(style.encode(), base))
        return out

    def _join(self, base: str, origin: str, href: str) -> str:
        """urljoin(base, href), cached for the absolute and root-relative links every page
        repeats (their result does not depend on the page's own path)."""
        if href.startswith(("http://", "https://")):
            key = ("", href)
        elif href.startswith("/") and not href.startswith("//") and "/." not in href:
            key = (origin, href)
        else:
            return urljoin(base, href)
        return _cached(self._joined, key, lambda _: urljoin(base, href))

    @staticmethod
    def _xml_links(body: bytes) -> list[str]:
        try:
            parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
            root = etree.fromstring(body, parser=parser)
        except etree.XMLSyntaxError:
            return []
        if root is None:
            return []
        urls = []
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local in ("loc", "link") and el.text and el.text.strip().startswith("http"):
                urls.append(el.text.strip())
        return urls

    @staticmethod
    def _css_links(body: bytes, url: str) -> list[str]:
        text = body.decode("utf-8", "replace")
        found = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text)
        return [urljoin(url, u) for u in found if not u.startswith("data:")]
