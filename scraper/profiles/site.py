"""Crawl-side site profile: seeds, scope, URL roles, canonical form and traps of one site.

A `SiteProfile` is what the spider knows about a portal, built from a checked TOML profile
(`scraper.profiles.spec.Profile`): `[site]` seeds and scope, `[urls]` roles and traps,
`[canonical]` volatile and session parameters. The spider only navigates; it asks the
profile which URLs to fetch and what role they play (page, requisite, file, feed, sitemap).
Link extraction (HTML, XML feeds and sitemaps, CSS) is shared by every platform and lives
here; NukeViet's profile (`scraper.profiles.nukeviet`) keeps its hand-written rules as a
subclass. Pure functions over URLs and HTML bytes, no Scrapy imports, so tests and `extract`
use it too.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from scraper.profiles.spec import Profile, builtin

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
# The `[urls]` roles whose pages are items (what a diff compares, what a nightly re-checks).
ITEM_ROLES = ("article", "document")


@dataclass(frozen=True)
class Link:
    url: str
    role: str
    via: str = "L"  # Heritrix hop letter: L link, E embed, R redirect, X sitemap/feed


def _path_query(parts) -> str:
    return parts.path + ("?" + parts.query if parts.query else "")


@dataclass
class SiteProfile:
    """URL knowledge of one site rooted at `base_url`, from a TOML profile (`spec`).

    - seeds: `[site] seeds`, relative to the site's root (absolute ones kept), then
      `extra_seeds`;
    - scope: the root's host and `[site] hosts`; pages only under `[site] path_prefixes`
      when given; never under `exclude_prefixes` or `private_prefixes`;
    - canonical form: scheme and host lower-cased, default port and fragment dropped,
      `[canonical] volatile_params` and `session_params` dropped from the query (and
      `;name=value` session path parameters such as `;jsessionid=…`);
    - traps (never fetched): `[urls] trap` patterns, `[canonical] trap_params` and
      `trap_segments`;
    - roles: `[urls]` sitemap / feed / file patterns, requisites and files by extension,
      everything else a page.
    """

    base_url: str
    spec: Profile | None = None
    extra_seeds: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {self.base_url!r}")
        if self.spec is None:
            self.spec = builtin(self.default_platform)
        self.scheme = parts.scheme
        self.netloc = parts.netloc.lower()
        if self.netloc.endswith(":80") and self.scheme == "http":
            self.netloc = self.netloc[:-3]
        self.root = f"{self.scheme}://{self.netloc}/"
        # Menus, sidebars and footers repeat the same links on every page: canonicalize, judge
        # and resolve each distinct URL once.
        self._canonical: dict[str, str | None] = {}
        self._roles: dict[str, str] = {}
        self._joined: dict[tuple[str, str], str] = {}
        self._configure(self.spec)

    default_platform = "generic"

    @property
    def name(self) -> str:
        """The profile's name, recorded in the snapshot manifest and warcinfo."""
        return self.spec.name

    @property
    def platform(self) -> str:
        return self.spec.platform

    def _configure(self, spec: Profile) -> None:
        site = spec.section("site")
        canonical = spec.section("canonical")
        self.hosts = frozenset([self.netloc, *(h.lower() for h in site.get("hosts", []))])
        self.path_prefixes = tuple(site.get("path_prefixes", []))
        self.excluded = tuple(site.get("exclude_prefixes", [])) + tuple(
            site.get("private_prefixes", []))
        self.dropped_params = frozenset(
            p.lower() for p in canonical.get("volatile_params", []) +
            canonical.get("session_params", []))
        self.session_path_params = tuple(
            f";{p.lower()}=" for p in canonical.get("session_params", []))
        self.trap_params = frozenset(p.lower() for p in canonical.get("trap_params", []))
        self.trap_segments = tuple(canonical.get("trap_segments", []))
        self.trap_patterns = [re.compile(p.pattern, re.I) for p in spec.urls.get("trap", [])]

    # -- seeds ---------------------------------------------------------------------------------
    def seeds(self) -> list[Link]:
        out: list[Link] = []
        for seed in self.spec.section("site").get("seeds", ["/"]):
            url = self.canonicalize(urljoin(self.root, seed))
            if url is not None:
                out.append(Link(url, self.role_of(url), "S"))
        if not out or out[0].url != self.root:
            out.insert(0, Link(self.root, PAGE, "S"))
        out.extend(Link(self.canonicalize(u) or u, PAGE, "S") for u in self.extra_seeds)
        seen: set[str] = set()
        return [s for s in out if not (s.url in seen or seen.add(s.url))]

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
        elif netloc.endswith(":443") and parts.scheme == "https":
            netloc = netloc[:-4]
        if netloc not in self.hosts:
            return None
        path = parts.path or "/"
        if self.session_path_params and ";" in path:
            lowered = path.lower()
            for marker in self.session_path_params:
                at = lowered.find(marker)
                if at != -1:
                    end = path.find("/", at)
                    path = path[:at] + (path[end:] if end != -1 else "")
                    lowered = path.lower()
        query = parts.query
        if query and self.dropped_params:
            params = parse_qsl(query, keep_blank_values=True)
            kept = [(k, v) for k, v in params if k.lower() not in self.dropped_params]
            # As served when nothing is dropped: re-encoding would change URLs such as
            # Liferay's combo `…&/o/…js` (a bare path as a key) into ones nobody links.
            if len(kept) != len(params):
                query = urlencode(kept)
        # The root's host (a page linked through another of the site's hosts is the same page).
        canonical = urlunsplit((self.scheme, self.netloc, path, query, ""))
        if self.is_trap(canonical):
            return None
        return canonical

    def in_scope(self, path: str) -> bool:
        if path.startswith(self.excluded):
            return False
        return not self.path_prefixes or path == "/" or path.startswith(self.path_prefixes)

    def is_trap(self, url: str) -> bool:
        """True for URLs that only duplicate content or never end (the profile's traps), and
        for pages out of the profile's scope."""
        parts = urlsplit(url)
        path = parts.path
        if path.startswith(self.excluded):
            return True
        if self.trap_segments and any(seg in path for seg in self.trap_segments):
            return True
        if self.trap_params and parts.query and self.trap_params.intersection(
                k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
            return True
        path_query = _path_query(parts)
        if any(p.search(path_query) for p in self.trap_patterns):
            return True
        if self.path_prefixes and not self.in_scope(path):
            # Out of the prefixes: only the requisites and files pages of the scope embed.
            return self.role_of(url) == PAGE
        return False

    def role_of(self, url: str) -> str:
        return _cached(self._roles, url, self._role_of)

    def _role_of(self, url: str) -> str:
        parts = urlsplit(url)
        role = self.spec.role(_path_query(parts))
        if role == "sitemap":
            return SITEMAP
        if role == "feed":
            return FEED
        path = parts.path.lower()
        if REQUISITE_EXT.search(path):
            return REQUISITE
        if role == "file" or FILE_EXT.search(path):
            return FILE
        return PAGE

    def is_item(self, url: str) -> bool:
        """An article or document page (`[urls] article` / `document`): the pages a diff
        compares and a nightly crawl re-checks even when nothing links to them any more."""
        parts = urlsplit(url)
        return self.spec.role(_path_query(parts)) in ITEM_ROLES

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
