"""Declarative site profiles: TOML files (read with `tomllib`) checked into a `Profile`.

A profile says what a crawl and the parsers need to know about one platform or one site:
how to recognise it (fingerprints), where to start and what is in scope, which URLs play
which role, how to canonicalise URLs, and where each field of a page lives (ordered CSS
selectors with fallbacks, label maps for document tables, date formats, which machine-readable
metadata to trust). What a rule cannot say is a Python hook, named in the file.
The format, every key and a worked example: docs/profiles.md.

Every error in a file becomes one `ProfileError` whose message names the file, the key and
the line (`wordpress.toml: line 12: [article] title: invalid CSS selector 'h1[': …`).
"""

from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

PROFILE_DIR = Path(__file__).parent
PLATFORMS = ("nukeviet", "upload-portal", "liferay", "sharepoint", "dotnetnuke", "wordpress",
             "joomla", "generic")
FINGERPRINT_KINDS = ("generator", "html", "id", "url", "robots", "sitemap")
URL_ROLES = ("article", "listing", "tag_listing", "document", "document_listing", "file",
             "feed", "sitemap", "trap", "document_text")
METADATA = ("jsonld", "microdata", "opengraph", "meta", "time")
ARTICLE_FIELDS = ("root", "id", "title", "published", "authors", "byline", "source", "summary",
                  "body", "remove", "images", "tags", "category", "breadcrumbs", "related",
                  "attachments")
DOCUMENT_FIELDS = ("root", "id", "title", "summary", "rows", "body", "attachments")
LISTING_FIELDS = ("items", "link", "date", "summary", "next")
DOCUMENT_KEYS = ("number", "issued_on", "effective_on", "expires_on", "gazette_on", "doc_type",
                 "field", "issuer", "reviewer", "signer", "signer_title", "summary", "status",
                 "replaced", "replacing", "related", "title")
# Columns of a document listing table (`[listing.columns]`: header as shown → column).
LISTING_COLUMNS = ("stt", "number", "issued_on", "title", "files")
HOOKS = ("parse", "article", "document", "listing", "page_type", "crawl")

# Every table and key a profile may hold, with its type; anything else is a typo.
_SCHEMA: dict[str, dict[str, type | tuple]] = {
    "profile": {"name": str, "platform": str, "extends": str, "description": str},
    "detect": {"fingerprints": list, "threshold": int},
    "site": {"seeds": list, "hosts": list, "path_prefixes": list, "exclude_prefixes": list,
             "private_prefixes": list},
    "urls": {role: list for role in URL_ROLES} | {"id": list},
    "canonical": {"volatile_params": list, "session_params": list, "trap_params": list,
                  "trap_segments": list, "drop_fragment": bool},
    "trust": {"machine_dates": bool, "visible_date_wins": bool, "metadata": list},
    "dates": {"formats": list},
    "soft_404": {"patterns": list, "selectors": list},
    "article": {f: list for f in ARTICLE_FIELDS},
    "document": {f: list for f in DOCUMENT_FIELDS} | {"labels": dict},
    "listing": {f: list for f in LISTING_FIELDS} | {"columns": dict},
    "hooks": {h: str for h in HOOKS},
}


_ROLE_ORDER = ("trap", "file", "feed", "sitemap", "document_text", "document", "document_listing",
               "tag_listing", "article", "listing")


class ProfileError(ValueError):
    """A profile that cannot be used; the message is one line: file, line, key, what."""


# Selectors of the page's head: `profiled._values` runs them on the whole document.
_HEAD_RULE = ("meta", "link", "head", "html", "title")


@dataclass(frozen=True)
class Rule:
    """One selector of an ordered list: CSS, optionally `@attr` to read an attribute.

    `needles`: what the page's text must hold for the selector to match anything: its class
    names and ids, the values its attribute tests require (`[id$=TitleField]`), and its
    element names (`<table`, either case); each group is satisfied by any of its strings.
    When one is missing the tree walk is skipped (a substring test costs a tenth of a walk;
    most fallbacks of a list do not apply to a given page)."""

    css: str
    attr: str | None
    select: Any  # compiled XPath (cssselect's translation, see `fast_xpath`)
    needles: tuple[tuple[str, ...], ...] = ()
    xpath: str = ""
    # A plain class chain (`div.a.b`, optionally ` tag` under it): answered from the page's
    # class attributes (`PageNeedles.class_values`) instead of a walk of its own.
    classes: tuple[str, ...] = ()
    tag: str | None = None
    under: str | None = None  # the descendant element name (`*`: any) of `.a img`
    # The compounds to the left (`.a` of `.a .b`, `.a div.b` of `.a div.b h1.c`): each
    # (tag or None, classes), outermost first; an ancestor must match each, in order.
    ancestors: tuple[tuple[str | None, tuple[str, ...]], ...] = ()
    # A union of such chains (`.a img, .b img`): its parts, answered the same way.
    parts: tuple[Rule, ...] = ()
    # Derived (`__post_init__`): the needles when every group holds one (`_needles` makes
    # only those), for `PageNeedles.has_all`; and whether the rule names the head
    # (`meta…`, `link…`: `profiled._values` runs it on the whole document).
    flat: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    head: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "flat", tuple(g[0] for g in self.needles)
                           if all(len(g) == 1 for g in self.needles) else None)
        object.__setattr__(self, "head", self.css.startswith(_HEAD_RULE))

    def __call__(self, root, has: PageNeedles | None = None) -> list:
        if has is not None and self.classes:
            found = self._from_index(root, has)
            if found is not None:
                return found
        elif has is not None and self.parts:
            found = None
            for part in self.parts:
                if not part.may_match(has):
                    continue
                got = part._from_index(root, has)
                if got is None:
                    return self.select(root)
                if got and found:
                    # (Two parts that match: the same elements, or one's within the
                    # other's (a holder of both classes); else the union's document order
                    # is the XPath's to sort out.)
                    small, big = (got, found) if len(got) <= len(found) else (found, got)
                    if not all(any(a is b for b in big) for a in small):
                        return self.select(root)
                    got = big
                found = got or found
            return found or []
        return self.select(root)

    def _from_index(self, root, has: PageNeedles) -> list | None:
        """The XPath's answer from the page's class attributes (document order), or None
        to walk."""
        first, classes, tag = self.classes[0], self.classes, self.tag
        els = []
        for value in has.class_values(root):
            # (A substring test first: C speed; the token split only for the few hits.)
            if first in value:
                toks = value.split() if value.isascii() else _XPATH_BLANKS.split(value)
                if all(c in toks for c in classes):
                    el = value.getparent()
                    if tag is None or el.tag == tag:
                        els.append(el)
        if els and self.ancestors:
            els = [el for el in els if _under_chain(el, self.ancestors, root)]
        elif els and root is not has.root:
            # (`descendant-or-self::` of the record's root: the candidates under it.)
            els = [el for el in els if el is root or any(a is root for a in el.iterancestors())]
        if self.under is None:
            return list(els)
        if not els:
            return []
        if len(els) > 1:
            return None  # nested holders would repeat descendants: the XPath dedups
        return list(els[0].iterdescendants() if self.under == "*"
                    else els[0].iterdescendants(self.under))

    def may_match(self, text) -> bool:
        """False when the page (`PageNeedles`, or its text) lacks a needle group."""
        if text is None:
            return True
        if isinstance(text, str):
            text = PageNeedles(text)
        if self.flat is not None:
            return text.has_all(self.flat)
        for group in self.needles:
            for needle in group:
                if needle in text:
                    break
            else:
                return False
        return True


def _under_chain(el, chain, root) -> bool:
    """Whether `el` has ancestors matching `chain`'s compounds (outermost first, each
    inside the one before), the outermost at or under `root`. Nearest-first greedy
    matching is exact for descendant combinators."""
    i = len(chain) - 1
    tag, classes = chain[i]
    for a in el.iterancestors():
        if (tag is None or a.tag == tag) and (not classes or _has_classes(a, classes)):
            i -= 1
            if i < 0:
                return a is root or any(b is root for b in a.iterancestors())
            tag, classes = chain[i]
        if a is root:
            return False
    return False


def _has_classes(el, classes) -> bool:
    value = el.get("class")
    if not value:
        return False
    toks = value.split() if value.isascii() else _XPATH_BLANKS.split(value)
    return all(c in toks for c in classes)


class PageNeedles:
    """`needle in page` for the needles of `Rule.needles`, answers kept (the rules of a
    profile share them, and a failing search reads the whole page): `.name` (a class name)
    and `#name` (an id) and `=value` (an attribute value) are substrings of the page, `<tag`
    is the tag written in lower or upper case; anything else is a plain substring.

    (A set of the page's class tokens from one regex scan of its `class` attributes was
    tried: the scan cost more than all the substring tests it replaced, 5.2 against 3.5
    million instructions a page under callgrind.)"""

    __slots__ = ("text", "seen", "root", "index", "doc", "joined")

    def __init__(self, text: str, doc=None) -> None:
        self.text, self.seen = text, {}
        self.root = self.index = self.joined = None
        # The page's tree, when given: a class name is then looked up in its class
        # attributes (a string a tenth of the page's, which `class_values` reads for the
        # rules anyway) instead of the whole page. Exact for a class selector: it can only
        # match where a class attribute holds the name.
        self.doc = doc

    def class_values(self, el) -> list:
        """The page's `class` attribute values in document order (lxml strings that know
        their element), from one `//@class` walk on first use: a plain walk costs less
        than the 5-10 predicate walks it spares, each a string copy per class attribute."""
        if self.index is None:
            self.root = el.getroottree().getroot()
            self.index = _ALL_CLASSES(self.root)
        return self.index

    def __contains__(self, needle: str) -> bool:
        found = self.seen.get(needle)
        if found is None:
            found = self._search(needle)
        return found

    def has_all(self, needles: tuple[str, ...]) -> bool:
        """`all(n in self for n in needles)`, without a Python call per kept answer (a
        profile's rules test the same few needles over and over on a page)."""
        seen = self.seen
        for needle in needles:
            found = seen.get(needle)
            if found is None:
                found = self._search(needle)
            if not found:
                return False
        return True

    def _search(self, needle: str) -> bool:
        # (`rfind`, not `in`: CPython's reverse search skips further on a page's text,
        # a failing test costs less than half; see scraper.parsers.text.contains.)
        text = self.text
        kind = needle[:1]
        if kind == "." and self.doc is not None:
            joined = self.joined
            if joined is None:
                joined = self.joined = "\n".join(self.class_values(self.doc))
            found = joined.find(needle[1:]) != -1
        elif kind in ".#=":
            found = text.rfind(needle[1:]) != -1
        elif kind == "<" and self.doc is not None:
            # An element name: whether the tree holds one (a C walk of the elements that
            # stops at the first, cheaper than the two failing scans of the page; exact for
            # the queries it spares, which look for such elements).
            tag = needle[1:].lower()
            key = "<\0" + tag  # (one answer for `<meta`, `<META` and `<Meta`)
            found = self.seen.get(key)
            if found is None:
                found = self.seen[key] = next(self.doc.iter(tag), None) is not None
        elif needle == "&#":
            # (A two-character needle defeats `rfind`'s skips; a page's few `#` are found
            # at memchr speed: see scraper.parsers.text.has_numeric_ref.)
            i, found = text.find("#"), False
            while i != -1:
                if i and text[i - 1] == "&":
                    found = True
                    break
                i = text.find("#", i + 1)
        elif kind == "<":
            # (The upper-case scan is the answer for the upper-case needle, which the
            # callers test next: `<time`, then `<TIME`.)
            found = text.rfind(needle) != -1
            upper = needle.upper()
            if not found and upper != needle:
                found = self.seen.get(upper)
                if found is None:
                    found = self.seen[upper] = text.rfind(upper) != -1
        else:
            found = text.rfind(needle) != -1
        self.seen[needle] = found
        return found


# (`regexp=False`: no EXSLT regular-expression functions registered for each call, ~3000
# instructions of the ~25 000 an XPath call costs before it reads a node; cssselect's
# translations never use them.)
_ALL_CLASSES = etree.XPath("//@class", regexp=False)
_XPATH_BLANKS = re.compile(r"[ \t\r\n]+")
_SIMPLE = re.compile(r"^(?P<tag>[A-Za-z][\w]*)?(?P<classes>(?:\.[A-Za-z_][\w-]*)+)"
                     r"(?:\s+(?P<under>[A-Za-z][\w]*|\*))?$")
# One compound of a descendant chain: `div.a.b`, `.a`, `h1`.
_COMPOUND = re.compile(r"^(?P<tag>[A-Za-z][\w]*)?(?P<classes>(?:\.[A-Za-z_][\w-]*)*)$")


def _chain(css: str) -> tuple | None:
    """`.a div.b h1.c` → ((None, (a,)), (div, (b,))), h1, (c,); None unless every part is
    a compound and the last one names a class."""
    parts = [_COMPOUND.match(p) for p in css.split()]
    if len(parts) < 2 or not all(parts) or not parts[-1]["classes"]:
        return None
    comps = tuple(((m["tag"] or "").lower() or None, tuple(m["classes"][1:].split(".")) if
                   m["classes"] else ()) for m in parts)
    if any(t is None and not c for t, c in comps):
        return None
    return comps
_BRACKETS = re.compile(r"\[[^\]]*\]|:not\([^)]*\)")
# `[attr=v]`, `[attr$=v]`, `[attr^=v]`, `[attr*=v]`, `[attr~=v]` (not `|=` nor `!=`).
_ATTR_VALUE = re.compile(r"\[\s*[\w:-]+\s*[$^*~]?=\s*(?:'([^']+)'|\"([^\"]+)\"|([^\]\s'\"]+))"
                         r"\s*\]")
# The element name of each compound selector (`table tr` → table, tr; `a.next` → a).
_TAGS = re.compile(r"(?:^|[\s>+~])([A-Za-z][\w-]*)")


# Tags nearly every page holds: testing for them costs more than it ever saves.
_COMMON_TAGS = frozenset({"html", "body", "head", "div", "span", "a", "p", "li", "ul", "img",
                          "br", "b", "strong", "em", "i"})
_CLASS_NAME = re.compile(r"\.([A-Za-z_][\w-]*)")
_ID_NAME = re.compile(r"#([A-Za-z_][\w-]*)")


def _needles(css: str) -> tuple[tuple[str, ...], ...]:
    """`PageNeedles` groups a page must satisfy for `css` to match anything."""
    if "," in css:
        return ()  # a union matches if any part does
    bare = _BRACKETS.sub(" ", css)
    groups = [(f".{n}",) for n in dict.fromkeys(_CLASS_NAME.findall(bare))]
    groups += [(f"#{n}",) for n in dict.fromkeys(_ID_NAME.findall(bare))]
    groups += [(f"={v}",) for m in _ATTR_VALUE.finditer(css) if ":not(" not in css
               for v in [m.group(1) or m.group(2) or m.group(3)] if v]
    # (`<tag` matches upper case too: `<TABLE>` of old ASP pages.)
    groups += [(f"<{t.lower()}",) for t in dict.fromkeys(_TAGS.findall(bare))
               if t.lower() not in _COMMON_TAGS]
    return tuple(dict.fromkeys(groups))


@dataclass(frozen=True)
class Fingerprint:
    kind: str
    pattern: str
    weight: int
    regex: re.Pattern[str] | None  # None: a plain substring test
    # The regex's literal start (`/upload/` of `/upload/\d+/…`): a page without it cannot
    # match, and a substring test is ~20x cheaper than the regex scan of a whole page.
    literal: str = ""

    # `id="…` and `id='…` for an `id` fingerprint.
    id_needles: tuple[str, ...] = ()


@dataclass
class Profile:
    """A checked profile. Rules are compiled; `raw` is the TOML as read."""

    name: str
    platform: str
    path: Path | None
    raw: dict
    fingerprints: list[Fingerprint] = field(default_factory=list)
    threshold: int = 10
    urls: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)
    article: dict[str, list[Rule]] = field(default_factory=dict)
    document: dict[str, list[Rule]] = field(default_factory=dict)
    listing: dict[str, list[Rule]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    soft_404: list[re.Pattern[str]] = field(default_factory=list)
    soft_404_rules: list[Rule] = field(default_factory=list)
    date_formats: list[str] = field(default_factory=list)
    machine_dates: bool = True
    visible_date_wins: bool = True
    metadata: tuple[str, ...] = METADATA
    hooks: dict[str, Any] = field(default_factory=dict)
    hook_names: dict[str, str] = field(default_factory=dict)
    # `[article] remove` as one union selector: one walk of the body instead of one per rule.
    remove_all: Any = None
    _roles: list | None = None
    _removers: dict = field(default_factory=dict)

    def remove_for(self, text: str | None):
        """The `[article] remove` union of only the rules the page can match (`Rule.needles`):
        of the ~25 rules a profile inherits, a page holds a handful, and each alternative of
        a union is a walk of the body. Compiled once per set of rules."""
        rules = self.article.get("remove")
        if not rules:
            return None
        if text is None:
            return self.remove_all
        kept = tuple(i for i, rule in enumerate(rules) if rule.may_match(text))
        found = self._removers.get(kept, False)
        if found is False:
            found = self._removers[kept] = _remover([rules[i] for i in kept])
        return found

    def section(self, name: str) -> dict:
        return self.raw.get(name, {})

    def role(self, url_path: str) -> str | None:
        """The first URL role whose pattern matches `path?query` (traps first)."""
        if self._roles is None:
            # One alternation per role: one regex call instead of one per pattern.
            self._roles = [(role, re.compile("|".join(f"(?:{p.pattern})" for p in pats),
                                             re.I), _literals(pats))
                           for role in _ROLE_ORDER if (pats := self.urls.get(role))]
        # (A case-insensitive alternation scans the URL at every position, ~7000
        # instructions a role; a role none of whose patterns' required literals the
        # lower-cased URL holds cannot match. For an ASCII URL, `re.I` on ASCII literals
        # is exactly lower-case equality.)
        low = url_path.lower() if url_path.isascii() else None
        for role, regex, literals in self._roles:
            if low is not None and literals is not None and not any(
                    lit in low for lit in literals):
                continue
            if regex.search(url_path):
                return role
        return None


def _literals(patterns: list[re.Pattern[str]]) -> tuple[str, ...] | None:
    """One lower-case ASCII string per pattern that every match of it contains, or None
    when some pattern has none (then its role's regex always runs)."""
    found = []
    for pattern in patterns:
        literal = required_literal(pattern.pattern)
        if literal is None:
            return None
        found.append(literal.lower())
    return tuple(found)


def required_literal(pattern: str) -> str | None:
    """The longest run of plain characters (two or more, ASCII) that every match of the
    regex `pattern` contains: read at the top level only (not in groups, classes or
    lookarounds), a character that a `?`, `*` or `{` quantifier makes optional left out,
    one that `+` repeats ending its run. None for a top-level alternation, inline flags,
    or no such run."""
    if re.search(r"\(\?[aiLmsux-]", pattern):
        return None
    runs, run, depth, i, n = [], "", 0, 0, len(pattern)
    while i < n:
        ch = pattern[i]
        nxt = pattern[i + 1] if i + 1 < n else ""
        if ch == "\\":
            if nxt and not nxt.isalnum() and depth == 0:
                char, i = nxt, i + 2
            else:
                runs.append(run)
                run, i = "", i + 2
                continue
        elif ch == "[":
            # (A class: to its closing bracket; `]` first or escaped is a member.)
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            runs.append(run)
            run, i = "", j + 1
            continue
        elif ch == "(":
            depth += 1
            runs.append(run)
            run, i = "", i + 1
            continue
        elif ch == ")":
            depth -= 1
            runs.append(run)
            run, i = "", i + 1
            continue
        elif depth:
            i += 1
            continue
        elif ch == "|":
            return None
        elif ch in ".^$?*+{}":
            runs.append(run)
            run, i = "", i + 1
            continue
        else:
            char, i = ch, i + 1
        if depth:
            continue
        quant = pattern[i] if i < n else ""
        if quant and quant in "?*{":
            runs.append(run)
            run = ""
        elif quant == "+":
            runs.append(run + char)
            run = ""
        else:
            run += char
    runs.append(run)
    if depth:
        return None
    best = max(runs, key=len)
    return best if len(best) >= 2 and best.isascii() else None


_BARE_TAG = re.compile(r"^[a-z][a-z0-9]*$")


def _remover(rules: list[Rule]):
    """One callable for a set of `remove` rules: bare element names (`script`, `form`) by
    one `iter` over the body (a C walk, no XPath evaluation), the others as one XPath
    union. Elements in no particular order (`_remove` drops the outermost)."""
    if not rules:
        return None
    tags = [r.css for r in rules if _BARE_TAG.match(r.css)]
    others = [r.xpath for r in rules if not _BARE_TAG.match(r.css)]
    union = etree.XPath(" | ".join(others), regexp=False) if others else None

    def remove(body) -> list:
        found = list(body.iter(*tags)) if tags else []
        if union is not None:
            found += union(body)
        return found

    return remove


def _line_of(text: str, table: str | None, key: str | None) -> int | None:
    """The line where `key` is set inside `[table]` (1-based), else the table's header line."""
    lines = text.splitlines()
    current = None
    header_line = None
    key_re = re.compile(rf"^\s*(?:\"{re.escape(key)}\"|{re.escape(key)})\s*=") if key else None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        m = re.match(r"^\[+\s*([^\]]+?)\s*\]+", stripped)
        if m:
            current = m.group(1).strip().strip('"')
            if current == table and header_line is None:
                header_line = number
            continue
        if key_re and key_re.match(line) and (table is None or current == table):
            return number
        if key and table and current is None and re.match(
                rf"^\s*{re.escape(table)}\.{re.escape(key)}\s*=", line):
            return number
    return header_line


def _fail(path: Path | None, text: str, table: str | None, key: str | None, what: str):
    line = _line_of(text, table, key) if text else None
    where = f"{path.name if path else '<profile>'}"
    if line:
        where += f": line {line}"
    name = f"[{table}] {key}" if table and key else (f"[{table}]" if table else key or "")
    raise ProfileError(f"{where}: {name}: {what}" if name else f"{where}: {what}")


_ATTR = re.compile(r"^(?P<css>.+?)\s*@(?P<attr>[\w:.-]+)$", re.S)


def _steps(xpath: str, sep: str = "/") -> list[str]:
    """An XPath split at its top-level `sep` (outside brackets, parentheses and quotes)."""
    steps, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(xpath):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == sep and depth == 0:
            steps.append(xpath[start:i])
            start = i + 1
    steps.append(xpath[start:])
    return steps


_STEP = re.compile(r"^(?P<head>(?:descendant-or-self|descendant|child)::(?:\*|[\w-]+))"
                   r"\[(?P<pred>.*)\]$", re.S)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def fast_xpath(xpath: str) -> str:
    """The form libxml2 evaluates fastest, selecting the same nodes in the same order.

    cssselect writes `x[@class and contains(@class, 'c') and …]`: the predicate builds a
    node-set and strings for every candidate element. `x/@class[contains(., 'c') and …]/..`
    does that only for elements that have the attribute (the rewrite scraper/parsers/
    nukeviet.py uses, 2-3x faster). Applied only to a step with one predicate that reads one
    attribute and nothing positional; checked against the plain form on every fixture page
    (tests/test_platforms.py)."""
    if "|" in _QUOTED.sub("''", xpath):
        # A union (`a img, b img`): each part rewritten; a union of the same node-sets is
        # the same node-set, in document order (the wordpress `images` list cost 3x).
        parts = _steps(xpath, "|")
        if len(parts) > 1:
            return " | ".join(fast_xpath(part.strip()) for part in parts)
        return xpath
    out = []
    for step in _steps(xpath):
        m = _STEP.match(step)
        if m:
            pred = m["pred"]
            bare = _QUOTED.sub("''", pred)
            attrs = set(re.findall(r"@([\w-]+)", bare))
            # Only a predicate that requires the attribute (`@a and …`, `@a = …`): the
            # rewrite drops the elements without it (so never `not(@a …)`).
            requires = bool(attrs) and re.match(
                r"^\(?@" + re.escape(next(iter(attrs))) + r"(?: and |\s*=)", bare)
            if (len(attrs) == 1 and requires and "[" not in bare and "not(" not in bare
                    and "position()" not in bare and "last()" not in bare
                    # (An axis in the predicate would start from the attribute, not the
                    # element: `:last-child` is `count(following-sibling::*) = 0`.)
                    and "::" not in bare
                    and re.search(r"(?<![\w@])\.", bare) is None):
                (attr,) = attrs
                parts = _QUOTED.split(pred)
                quoted = _QUOTED.findall(pred)
                rebuilt = "".join(
                    part.replace(f"@{attr}", ".") + (quoted[i] if i < len(quoted) else "")
                    for i, part in enumerate(parts))
                # (`. and …`: the attribute is selected, so it exists; a `contains` of a
                # non-empty literal after it fails on an empty value anyway, and the
                # test costs a string copy of every such attribute of the page.)
                rebuilt = re.sub(r"^(\(?)\. and (?=contains\(\., '[^']+'\))", r"\1", rebuilt)
                step = f"{m['head']}/@{attr}[{rebuilt}]/.."
        out.append(step)
    return "/".join(out)


_TRANSLATOR = HTMLTranslator()


def _rule(spec: str) -> Rule:
    """`h1.title` → elements; `time@datetime` → the attribute's values."""
    spec = spec.strip()
    m = _ATTR.match(spec)
    css, attr = (m["css"], m["attr"]) if m else (spec, None)
    CSSSelector(css, translator="html")  # (validates: its errors name the problem)
    xpath = fast_xpath(_TRANSLATOR.css_to_xpath(css))
    select = etree.XPath(xpath, regexp=False)
    if "," in css and "(" not in css and "[" not in css:
        parts = tuple(_rule(part) for part in css.split(","))
        if all(p.classes and not p.attr for p in parts):
            return Rule(css=css, attr=attr, select=select, needles=_needles(css),
                        xpath=xpath, parts=parts)
    simple = _SIMPLE.match(css.strip())
    chain = _chain(css.strip()) if not simple else None
    if chain:
        return Rule(css=css, attr=attr, select=select, needles=_needles(css),
                    xpath=xpath, classes=chain[-1][1], tag=chain[-1][0],
                    ancestors=chain[:-1])
    return Rule(css=css, attr=attr, select=select, needles=_needles(css),
                xpath=xpath,
                classes=tuple(simple["classes"][1:].split(".")) if simple else (),
                tag=simple["tag"].lower() if simple and simple["tag"] else None,
                under=simple["under"].lower() if simple and simple["under"] else None)


def compile_rules(specs: list, path, text, table, key) -> list[Rule]:
    rules = []
    for spec in specs:
        if not isinstance(spec, str) or not spec.strip():
            _fail(path, text, table, key, f"expected a list of CSS selectors, got {spec!r}")
        try:
            rules.append(_rule(spec))
        except (SelectorError, etree.XPathError, ValueError) as exc:
            # (One line: cssselect quotes a `\a` escape's newline in its message.)
            why = " ".join(str(exc).split())
            _fail(path, text, table, key, f"invalid CSS selector {spec!r} ({why})")
    return rules


def _regexes(specs: list, path, text, table, key) -> list[re.Pattern[str]]:
    out = []
    for spec in specs:
        if not isinstance(spec, str):
            _fail(path, text, table, key, f"expected a list of regular expressions, got {spec!r}")
        try:
            out.append(re.compile(spec, re.I))
        except re.error as exc:
            _fail(path, text, table, key, f"invalid regular expression {spec!r} ({exc})")
    return out


def _resolve_hook(target: str, path, text, key) -> Any:
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        _fail(path, text, "hooks", key, f"expected 'module:function', got {target!r}")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        _fail(path, text, "hooks", key, f"cannot import {target!r} ({exc})")


def _merge(base: dict, over: dict) -> dict:
    """`extends`: tables merge key by key (nested tables too); a key set in the child
    replaces the parent's value."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_profile(text: str, path: Path | None = None) -> Profile:
    """Check and compile the TOML text of a profile. Raises `ProfileError` (one line)."""
    # (Imported here: scraper.parsers imports this module to find its profiles.)
    from scraper.parsers.text import fold

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        where = path.name if path else "<profile>"
        if m:
            raise ProfileError(f"{where}: line {m.group(1)}: invalid TOML: {msg} "
                               f"(column {m.group(2)})") from None
        raise ProfileError(f"{where}: invalid TOML: {msg}") from None
    for table, values in raw.items():
        if table not in _SCHEMA:
            _fail(path, text, table, None, f"unknown table (known: {', '.join(_SCHEMA)})")
        if not isinstance(values, dict):
            _fail(path, text, None, table, "expected a table")
        for key, value in values.items():
            expected = _SCHEMA[table].get(key)
            if expected is None:
                _fail(path, text, table, key,
                      f"unknown key (known: {', '.join(_SCHEMA[table])})")
            if not isinstance(value, expected):
                _fail(path, text, table, key, f"expected {expected.__name__}, "
                                              f"got {type(value).__name__}")
    head = raw.get("profile", {})
    for key in ("name", "platform"):
        if not head.get(key):
            _fail(path, text, "profile", None, f"missing key '{key}'")
    extends = head.get("extends")
    if extends:
        if extends not in PLATFORMS:
            _fail(path, text, "profile", "extends",
                  f"unknown platform profile {extends!r} (known: {', '.join(PLATFORMS)})")
        raw = _merge(builtin(extends).raw, raw)
    platform = head["platform"]
    if platform not in PLATFORMS:
        _fail(path, text, "profile", "platform",
              f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})")
    prof = Profile(name=head["name"], platform=platform, path=path, raw=raw)
    detect = raw.get("detect", {})
    prof.threshold = detect.get("threshold", 10)
    for fp in detect.get("fingerprints", []):
        if not isinstance(fp, dict) or fp.get("kind") not in FINGERPRINT_KINDS \
                or not isinstance(fp.get("pattern"), str) \
                or not isinstance(fp.get("weight", 1), int):
            _fail(path, text, "detect", "fingerprints",
                  f"each fingerprint is {{kind = {'|'.join(FINGERPRINT_KINDS)}, pattern = "
                  f"'…', weight = N}}, got {fp!r}")
        regex = None
        if fp.get("regex", fp["kind"] in ("generator", "url", "robots", "sitemap")):
            regex = _regexes([fp["pattern"]], path, text, "detect", "fingerprints")[0]
        literal = ""
        if regex is not None and "|" not in fp["pattern"]:
            m = re.match(r"[^\\\[\](){}.*+?^$|]+", fp["pattern"])
            literal = m.group(0) if m else ""
        prof.fingerprints.append(Fingerprint(
            fp["kind"], fp["pattern"], fp.get("weight", 1), regex, literal,
            (f'id="{fp["pattern"]}', f"id='{fp['pattern']}") if fp["kind"] == "id" else ()))
    for role, specs in raw.get("urls", {}).items():
        prof.urls[role] = _regexes(specs, path, text, "urls", role)
    for table, target in (("article", prof.article), ("document", prof.document),
                          ("listing", prof.listing)):
        for key, specs in raw.get(table, {}).items():
            if key in ("labels", "columns"):
                continue
            target[key] = compile_rules(specs, path, text, table, key)
    if prof.article.get("remove"):
        prof.remove_all = CSSSelector(", ".join(r.css for r in prof.article["remove"]),
                                      translator="html")
    for label, name in raw.get("document", {}).get("labels", {}).items():
        if name not in DOCUMENT_KEYS:
            _fail(path, text, "document.labels", label,
                  f"unknown document field {name!r} (known: {', '.join(DOCUMENT_KEYS)})")
        prof.labels[fold(label)] = name
    for header, name in raw.get("listing", {}).get("columns", {}).items():
        if name not in LISTING_COLUMNS:
            _fail(path, text, "listing.columns", header,
                  f"unknown column {name!r} (known: {', '.join(LISTING_COLUMNS)})")
    soft = raw.get("soft_404", {})
    prof.soft_404 = _regexes(soft.get("patterns", []), path, text, "soft_404", "patterns")
    prof.soft_404_rules = compile_rules(soft.get("selectors", []), path, text, "soft_404",
                                        "selectors")
    prof.date_formats = [f for f in raw.get("dates", {}).get("formats", [])]
    for fmt in prof.date_formats:
        if not isinstance(fmt, str) or "%" not in fmt:
            _fail(path, text, "dates", "formats", f"expected strftime formats, got {fmt!r}")
    trust = raw.get("trust", {})
    prof.machine_dates = trust.get("machine_dates", True)
    prof.visible_date_wins = trust.get("visible_date_wins", True)
    metadata = trust.get("metadata", list(METADATA))
    for item in metadata:
        if item not in METADATA:
            _fail(path, text, "trust", "metadata",
                  f"unknown metadata {item!r} (known: {', '.join(METADATA)})")
    prof.metadata = tuple(metadata)
    for key, value in raw.get("canonical", {}).items():
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            _fail(path, text, "canonical", key, "expected a list of strings")
    for key, value in raw.get("site", {}).items():
        if not all(isinstance(v, str) for v in value):
            _fail(path, text, "site", key, "expected a list of strings")
    for key, target in raw.get("hooks", {}).items():
        prof.hook_names[key] = target
        prof.hooks[key] = _resolve_hook(target, path, text, key)
    return prof


def load_profile(path: str | Path) -> Profile:
    """Read and check a profile file. Raises `ProfileError` with one line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ProfileError(f"{path} is a directory, not a profile") from None
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})"
                           ) from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_profile(text, path)


@cache
def builtin(platform: str) -> Profile:
    """The profile shipped for a platform (`scraper/profiles/<platform>.toml`)."""
    return load_profile(PROFILE_DIR / f"{platform}.toml")


@lru_cache(maxsize=1)
def builtins() -> tuple[Profile, ...]:
    """All shipped platform profiles, in PLATFORMS order (generic last)."""
    return tuple(builtin(p) for p in PLATFORMS)
