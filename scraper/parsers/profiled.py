"""Profile-driven parsing: a page of any platform → the parse JSON, from a profile's rules.

Each field is read by the profile's ordered selectors (first match wins); when none finds
anything the generic readers (`generic.py`) fill it, and `sources` records which did:
`profile`, `jsonld`, `microdata`, `opengraph`, `meta`, `time`, `visible`, `labels`,
`trafilatura`, `heading`, `url`. Records have the same keys as NukeViet's (docs/parse.md).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scraper.parsers.article import _image, breadcrumbs, canonical_url
from scraper.parsers.authors import labelled_field, parse_author_line, parse_source_line
from scraper.parsers.dates import parse_date
from scraper.parsers.dom import absolute, drop_tree, inner_html, lines_of, text_of
from scraper.parsers.generic import (
    AUTHOR_WORDS,
    DATE_TAGS,
    SOURCE_WORDS,
    PageMeta,
    all_texts,
    byline,
    content_images,
    main_text,
    may_hold,
    short_text,
    source_line,
    title_before,
    visible_date,
)
from scraper.parsers.numbers import parse_document_number
from scraper.parsers.text import fold, normalize_text
from scraper.parsers.vndates import parse_machine, parse_visible, parse_with_formats, same_minute
from scraper.profiles.spec import PageNeedles, Profile

_ID_IN = re.compile(r"(\d+)")
_CRUMB_CLASS = re.compile(r"""(?:class|CLASS)\s*=\s*["']?[^"'>]*breadcrumb""")
_DOCUMENT_RECORD_KEYS = frozenset({"number", "title", "summary", "issued_on", "effective_on",
                                   "expires_on", "doc_type", "field", "issuer", "reviewer",
                                   "signer"})
_DEFAULT_PORT = re.compile(r"^(https?://[^/:]+)(?::(?:80|443))(?=/|$)")


_SIGNER_WITH_TITLE = re.compile(r"(.+?)\s*\([^()]+\)")


def _signer_name(value: str | None) -> str | None:
    """The signer's name without the position some modules append in brackets
    (DotNetNuke's `Nguyễn Văn Minh (Phó Chủ tịch)`): a label rule cannot split one cell."""
    if value:
        m = _SIGNER_WITH_TITLE.fullmatch(value)
        if m:
            return m.group(1)
    return value


def _values(rules, root, text: str | None = None) -> list:
    """Elements (or attribute strings) of the first rule that matches anything.

    Rules run under the record's root, except those that name the head (`meta…`, `link…`),
    which run on the whole document. `text` (the decoded page) lets rules whose class names
    or ids it lacks be skipped without a walk."""
    if not rules:
        return []
    has = text if isinstance(text, PageNeedles) else None
    for rule in rules:
        # (`has_all` inline for the common rule: `may_match` would call it, one Python call
        # more per rule on the hot path.)
        if has is not None and rule.flat is not None:
            if not has.has_all(rule.flat):
                continue
        elif not rule.may_match(text):
            continue
        found = rule(root.getroottree().getroot() if rule.head else root, has)
        if found:
            if rule.attr:
                values = [el.get(rule.attr) for el in found if el.get(rule.attr)]
                if values:
                    return values
                continue
            return found
    return []


def _first(rules, root, text: str | None = None):
    found = _values(rules, root, text)
    return found[0] if found else None


def _text(value) -> str:
    return normalize_text(value) if isinstance(value, str) else text_of(value)


def _first_text(rules, root, text: str | None = None) -> str | None:
    for value in _values(rules, root, text):
        text = _text(value)
        if text:
            return text
    return None


def _remove(body, profile: Profile, byline_el=None, text=None):
    """Drop from the body, in place, the profile's chrome (share bars, related lists, …) and
    the byline block when the editor typed it inside the body. The page's tree is not read
    after this (`article` calls it last): a copy of the body cost more than the rest of the
    body's extraction."""
    remove = profile.remove_for(text)
    doomed = [el for el in (remove(body) if remove else ()) if el is not body]
    if byline_el is not None and byline_el is not body and any(
            a is body for a in byline_el.iterancestors()):
        doomed.append(byline_el)
    if not doomed:
        return body
    ids = {id(el) for el in doomed}
    for el in doomed:
        # (Only the outermost of nested ones: its removal takes the others along.)
        if not any(id(a) in ids for a in el.iterancestors()):
            drop_tree(el)
    return body


def _without_chrome(body_text: str, doc, profile: Profile, text) -> str | None:
    """trafilatura's text without the lines that come from the profile's chrome (`remove`:
    related lists, share bars, breadcrumbs), which it sometimes keeps (a custom site's
    `.other-news` list under the article). Read-only: lines of the chrome's text are dropped;
    an element holding the page's heading or half as much text as the body (ASP.NET's
    page-wide `<form>`) is a container, not chrome, and lines under 20 characters are kept
    (too short to tell)."""
    remove = profile.remove_for(text)
    chrome = [text_of(el) for el in (remove(doc) if remove else ())
              if el is not doc and el.tag != "html" and next(el.iter("h1"), None) is None]
    chrome_text = "\n".join(c for c in chrome if c and len(c) < len(body_text) / 2)
    if not chrome_text:
        return body_text
    return "\n".join(x for x in body_text.split("\n")
                     if len(x) < 20 or x not in chrome_text) or None


def _date_of(value, profile: Profile) -> tuple[str | None, str | None]:
    """(ISO, raw) of a date read by a rule: an attribute is machine-readable, text visible."""
    text = _text(value)
    if not isinstance(value, str):
        parsed = parse_visible(text)
        if parsed:
            return parsed
    iso = parse_machine(text) or parse_with_formats(text, profile.date_formats)
    if iso:
        return iso, text
    parsed = parse_visible(text)
    return parsed if parsed else (None, None)


class _Page:
    def __init__(self, doc, url: str, base: str, html_text: str, profile: Profile) -> None:
        self.doc, self.url, self.base, self.html_text = doc, url, base, html_text
        self.profile = profile
        self.has = PageNeedles(html_text, doc)
        self.meta = PageMeta(doc, self.has)
        self.sources: dict[str, str] = {}
        self.disagreements: list[dict] = []
        self._date_lines: dict = {}
        self._texts: dict = {}
        parts = urlsplit(url)
        self.url_part = parts.path + ("?" + parts.query if parts.query else "")

    def _trusted(self) -> tuple[str, ...]:
        return self.profile.metadata

    def date_line(self, root, skip=None):
        """`visible_date(root, skip)`, searched once a page: on a page without markup for
        them the article test, the date, the title and the images each ask for it, and the
        search (every text node with a digit, their blocks' text) was a third of the generic
        path's own time. The whole page and its `<body>` have the same date line when the
        head holds no element a date line can be (the parser keeps the page's blocks out
        of it; its title, scripts and styles never count)."""
        if skip is None and root is not self.doc and root.tag == "body" and (
                root.getparent() is self.doc and _body_if_same_dates(self.doc) is root):
            root = self.doc
        key = (root, skip)
        found = self._date_lines.get(key, False)
        if found is False:
            found = self._date_lines[key] = visible_date(root, skip, self.texts(root))
        return found

    def texts(self, root) -> list:
        """Every text node under root, taken once for the date-line, byline and source
        searches of the same root (the tree is not changed before `_remove`, which comes
        after them)."""
        found = self._texts.get(root)
        if found is None:
            found = self._texts[root] = all_texts(root)
        return found

    # -- page type -----------------------------------------------------------------------------
    def doc_rows(self, root) -> dict[str, str]:
        labels = self.profile.labels
        rows = self.profile.document.get("rows", [])
        found: dict[str, str] = {}
        if not labels or not rows:
            return found
        for row in _values(rows, root, self.has):
            cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th", "dt",
                                                                             "dd", "span",
                                                                             "div", "strong")]
            if len(cells) < 2:
                text = text_of(row)
                label, sep, value = text.partition(":")
                pairs = [(label, value)] if sep else []
            else:
                label = text_of(cells[0])
                parts = [p for p in label.split("/") if p.strip()]
                if len(parts) > 1 and len(parts) == len(cells) - 1:
                    # vbpl.vn: `Cơ quan ban hành/ Chức danh / Người ký` | org | title | name
                    pairs = [(part, cell) for part, cell in zip(parts, cells[1:], strict=True)]
                else:
                    pairs = [(text_of(cells[i]) if i else label, cells[i + 1])
                             for i in range(0, len(cells) - 1, 2)]
                # (A value's text only for a label the profile maps: most rows of a page's
                # tables are not document attributes.)
                pairs = [(lab, lines_of(cell).replace("\n", ", ")) for lab, cell in pairs
                         if labels.get(fold(lab))]
            for label, value in pairs:
                key = labels.get(fold(label))
                value = normalize_text(value)
                if key and value and key not in found:
                    found[key] = value
        return found

    def is_soft_404(self) -> bool:
        texts = [text_of(el) for rule in self.profile.soft_404_rules for el in rule(self.doc)]
        texts.append(normalize_text(self.doc.findtext(".//title")))
        return any(p.search(t) for p in self.profile.soft_404 for t in texts if t)

    # -- article -------------------------------------------------------------------------------
    def article(self, root) -> dict:
        prof, meta, trusted = self.profile, self.meta, self._trusted()
        rules = prof.article
        src = self.sources

        title = _first_text(rules.get("title"), root, self.has)
        if title:
            src["title"] = "profile"
        else:
            title, where = meta.first("title", tuple(t for t in trusted if t != "time"))
            if title:
                src["title"] = where
            else:
                h1 = [t for t in (text_of(h) for h in root.iter("h1")) if t]
                found = self.date_line(root) if not h1 else None
                above = title_before(found[2]) if found else None
                if h1:
                    title, src["title"] = h1[0], "heading"
                elif above:
                    title, src["title"] = above, "visible"

        body_el = _first(rules.get("body"), root, self.has)
        body_source = "profile"
        if body_el is None or isinstance(body_el, str):
            body_el = meta.microdata.get("body") if "microdata" in trusted else None
            body_source = "microdata"
        skip_body = (lambda el: el is body_el or any(a is body_el for a in el.iterancestors())
                     ) if body_el is not None else None

        published, raw = self._published(root, skip_body, body_el)

        # The labelled byline first: it carries organisations; then the name elements.
        authors: list[dict] = []
        source = None
        line_el = _first(rules.get("byline"), root, self.has)
        line = _text(line_el) if line_el is not None else None
        if line:
            authors = parse_author_line(line)
            if authors:
                src["authors"] = "profile"
            found = parse_source_line(line) if line.lower().startswith("nguồn") else None
            source = found or labelled_field(line, "source")
            if source:
                src["source"] = "profile"
        if not authors:
            names = [_text(v) for v in _values(rules.get("authors"), root, self.has)]
            authors = [a for n in names if n for a in parse_author_line(n)]
            if authors:
                src["authors"] = "profile"
        if not authors:
            found_authors, found_source, found_line, line_el = (
                byline(root, texts=self.texts(root)) if may_hold(self.has, AUTHOR_WORDS)
                else ([], None, None, None))
            line = line or found_line
            if found_authors:
                authors, src["authors"] = found_authors, "visible"
            source = source or found_source
        if not authors:
            names, where = meta.first("authors", trusted)
            if names:
                authors = [{"name": n, "organization": None} for n in names]
                src["authors"] = where
        source_text = _first_text(rules.get("source"), root, self.has)
        if source_text:
            source = parse_source_line(source_text)
        if not source and may_hold(self.has, SOURCE_WORDS):
            source = source_line(root, texts=self.texts(root))
        if source:
            src.setdefault("source", "profile" if source_text else "visible")

        summary = _first_text(rules.get("summary"), root, self.has)
        if summary:
            src["summary"] = "profile"
        else:
            summary, where = meta.first("description", ("jsonld", "opengraph"))
            if summary:
                src["summary"] = where

        images = self._images(root, body_el, rules)
        if images:
            src["images"] = "profile" if body_el is not None else "visible"
        tags = [t for t in (_text(v) for v in _values(rules.get("tags"), root, self.has))
                if t]
        if tags:
            src["tags"] = "profile"
        else:
            tags, where = meta.first("tags", ("jsonld", "opengraph"))
            tags = list(dict.fromkeys(tags or []))
            if tags:
                src["tags"] = where
        # Breadcrumbs and the menu entry that names the category sit outside the record.
        crumbs = self._links(rules.get("breadcrumbs"), self.doc, "title")
        if not crumbs and ("itemtype" in self.has or "&#" in self.has or (
                ".breadcrumb" in self.has and _CRUMB_CLASS.search(self.html_text))):
            # (Its queries need a `…breadcrumb…` class or an `itemtype`; not the word alone,
            # which Yoast's JSON-LD holds on every page: `"breadcrumb":{"@id": …}`.)
            crumbs = breadcrumbs(self.doc, self.base)
        category = _first_text(rules.get("category"), self.doc, self.has)
        if category:
            src["category"] = "profile"
        elif crumbs and len(crumbs) > 1:
            category, src["category"] = crumbs[-1]["title"], "breadcrumbs"
        else:
            category, where = meta.first("section", ("jsonld", "opengraph"))
            if category:
                src["category"] = where
        canonical = self.canonical()
        article_id = self._id(rules.get("id"), root, canonical)
        attachments = [{"url": link["url"], "name": link["title"]}
                       for link in self._links(rules.get("attachments"), root, "title")]
        related = self._related(rules.get("related"), root)
        # The body last, without chrome and without a byline typed at its end (`_remove`
        # changes the tree: every other field has been read).
        if body_el is not None:
            clean = _remove(body_el, prof, line_el if not isinstance(line_el, str) else None,
                            self.has)
            body_text, body_html = lines_of(clean) or None, inner_html(clean) or None
            if body_text:
                src["body_text"] = body_source
        else:
            body_text = main_text(self.html_text)
            if body_text:
                body_text = _without_chrome(body_text, self.doc, prof, self.has)
            if body_text and line:
                body_text = "\n".join(x for x in body_text.split("\n")
                                      if x not in line) or None
            body_html = None
            if body_text:
                src["body_text"] = "trafilatura"
        return {
            "article_id": article_id,
            "url": canonical,
            "title": title or None,
            "published_at": published,
            "published_raw": raw,
            "views": None,
            "comments": None,
            "summary": summary or None,
            "body_text": body_text,
            "body_html": body_html,
            "authors": authors,
            "source": source or None,
            "images": images,
            "tags": tags,
            "category": category or None,
            "breadcrumbs": crumbs,
            "rating": None,
            "attachments": attachments,
            "related": related,
        }

    def _published(self, root, skip_body, body_el=None) -> tuple[str | None, str | None]:
        prof, meta, src = self.profile, self.meta, self.sources
        visible = raw = None
        machine = machine_source = None
        # The first rule that reads an attribute gives the machine-readable date, the first
        # that reads text the visible one; the page-wide date line search is the fallback.
        rules = prof.article.get("published") or []
        attr_rules = [r for r in rules if r.attr]
        text_rules = [r for r in rules if not r.attr]
        for value in _values(attr_rules, root, self.has):
            iso = _date_of(value, prof)[0]
            if iso:
                machine, machine_source = iso, "profile"
                break
        for value in _values(text_rules, root, self.has):
            iso, shown = _date_of(value, prof)
            if iso:
                visible, raw = iso, shown
                break
        if prof.machine_dates and machine is None:
            machine, machine_source = meta.first("published", self._trusted())
        if visible is None or (machine is None and not _time_shown(raw)):
            # The date line outside the body; without a machine date, else the body's own
            # (an HTML module or a web content template where the editor types the date
            # line into the content). A rule's date without its time gives way to the same
            # day's line with one.
            found = self.date_line(root, skip_body)
            if found is None and body_el is not None and machine is None:
                found = self.date_line(body_el)
            if found and (visible is None or (found[0][:10] == visible[:10]
                                              and _time_shown(found[1]))):
                visible, raw = found[0], found[1]
        if visible and machine and not _time_shown(raw) and visible[:10] == machine[:10]:
            visible = None  # a date without its time agrees with the same day's date-time
        if visible and machine and not same_minute(visible, machine):
            used = visible if prof.visible_date_wins else machine
            self.disagreements.append({"field": "published_at", "used": used,
                                       "visible": visible, machine_source: machine})
            if prof.visible_date_wins:
                src["published_at"] = "visible"
                return visible, raw
            src["published_at"] = machine_source
            return machine, raw
        if machine:
            # Agreeing (or no visible date): the structured value, which carries seconds.
            src["published_at"] = machine_source
            return machine, raw
        if visible:
            src["published_at"] = "visible"
            return visible, raw
        return None, None

    def _images(self, root, body_el, rules) -> list[dict]:
        scope = body_el if body_el is not None else root
        imgs = _values(rules.get("images"), root, self.has)
        if not imgs:
            if body_el is not None:
                imgs = list(body_el.iter("img"))
            else:  # the trafilatura path: figures, else images around the date line
                imgs = [img for fig in root.iter("figure") for img in fig.iter("img")]
                found = self.date_line(root) if not imgs else None
                imgs = imgs or (content_images(found[2]) if found else [])
        images, seen = [], set()
        for img in imgs:
            if isinstance(img, str):
                continue
            found = _image(img, scope, self.base)
            if found and found["src"] not in seen:
                seen.add(found["src"])
                images.append(found)
        return images

    def _links(self, rules, root, name_key: str, keep: bool = False) -> list[dict]:
        out, seen = [], set()
        for el in _values(rules, root, self.has):
            if isinstance(el, str):
                continue
            anchors = [el] if el.tag == "a" else list(el.iter("a"))
            for a in anchors:
                url = absolute(a.get("href"), self.base)
                if url and url not in seen:
                    seen.add(url)
                    link = {name_key: text_of(a) or normalize_text(a.get("title")) or None,
                            "url": url}
                    if keep:
                        link["element"] = a
                    out.append(link)
        return out

    def _related(self, rules, root) -> list[dict]:
        """Related links; `date` from the text around the link (`… (10/04/2024)`)."""
        out = []
        for link in self._links(rules, root, "title", keep=True):
            holder = link.pop("element").getparent()
            # (The date outside the link: a title may hold a date of its own.)
            around = text_of(holder).replace(link["title"] or "", " ") if holder is not None \
                else ""
            date = parse_date(around)
            out.append({"url": link["url"], "title": link["title"], "date": date})
        return out

    def _id(self, rules, root, canonical: str) -> int | None:
        for value in _values(rules, root, self.has):
            value = _text(value) if not isinstance(value, str) else value
            if value.startswith(("http://", "https://", "/")):
                # A URL (WordPress's shortlink `http://host:8080/?p=1210`): the id is what
                # the profile's [urls] id patterns read in its path and query, never the
                # first digits of its host or port.
                parts = urlsplit(value)
                found = [m for p in self.profile.urls.get("id", ())
                         if (m := p.search(parts.path + "?" + parts.query))]
                if found:
                    return int(found[0].group(1))
                value = parts.path + "?" + parts.query
            m = _ID_IN.search(value)
            if m:
                return int(m.group(1))
        for pattern in self.profile.urls.get("id", ()):
            for candidate in (self.url_part, urlsplit(canonical).path + "?" +
                              urlsplit(canonical).query):
                m = pattern.search(candidate)
                if m:
                    return int(m.group(1))
        return None

    def canonical(self) -> str:
        """`<link rel=canonical>` / `og:url` / the URL, without a default port (SharePoint
        writes `https://host:443/…`)."""
        return _DEFAULT_PORT.sub(r"\1", canonical_url(self.doc, self.url, self.base))

    # -- document ------------------------------------------------------------------------------
    def document(self, root, rows: dict[str, str]) -> dict:
        rules, src = self.profile.document, self.sources
        number = rows.get("number")
        if number:
            number = re.sub(r"^Số\s*:?\s*", "", number, flags=re.I)
        parsed = parse_document_number(number) if number else None
        title = _first_text(rules.get("title"), root, self.has)
        if title:
            src["title"] = "profile"
        else:
            title, where = self.meta.first("title", ("jsonld", "opengraph"))
            if title:
                src["title"] = where
        summary = rows.get("summary") or _first_text(rules.get("summary"), root, self.has)
        body_el = _first(rules.get("body"), root, self.has)
        for key in rows:
            if key in _DOCUMENT_RECORD_KEYS:
                src[key] = "labels"
        canonical = self.canonical()
        files = [{"url": link["url"], "name": link["name"]}
                 for link in self._links(rules.get("attachments"), root, "name")]
        related = []
        for relation in ("replaced", "replacing", "related"):
            if rows.get(relation):
                related.append({"relation": relation, "url": None, "title": rows[relation]})
        return {
            "document_id": self._id(rules.get("id", []), root, canonical),
            "url": canonical,
            "number": number,
            "serial": parsed["serial"] if parsed else None,
            "year": parsed["year"] if parsed else None,
            "type_code": parsed["type_code"] if parsed else None,
            "issuer_code": parsed["issuer_code"] if parsed else None,
            # (The `Trích yếu` row is the document's name when no rule finds a title.)
            "title": title or rows.get("title") or rows.get("summary") or None,
            "summary": summary or None,
            "issued_on": parse_date(rows.get("issued_on")),
            "effective_on": parse_date(rows.get("effective_on")),
            "expires_on": parse_date(rows.get("expires_on")),
            "doc_type": rows.get("doc_type"),
            "field": rows.get("field"),
            "issuer": rows.get("issuer"),
            "reviewer": rows.get("reviewer"),
            "signer": _signer_name(rows.get("signer")),
            "attachments": files,
            "body_text": (lines_of(body_el) or None) if body_el is not None
            and not isinstance(body_el, str) else None,
            "related": related,
        }

    # -- listing -------------------------------------------------------------------------------
    def listing(self, root) -> dict:
        rules = self.profile.listing
        items = []
        seen = set()
        for item in _values(rules.get("items"), root, self.has):
            if isinstance(item, str):
                continue
            link = _first(rules.get("link"), item, self.has)
            if link is None or isinstance(link, str):
                anchors = [a for a in item.iter("a") if a.get("href")]
                link = anchors[0] if anchors else None
            if link is None:
                continue
            url = absolute(link.get("href"), self.base)
            if not url or url in seen:
                continue
            seen.add(url)
            date_value = _first(rules.get("date"), item, self.has)
            date = _date_of(date_value, self.profile)[0] if date_value is not None else None
            items.append({"url": url, "title": text_of(link) or normalize_text(
                link.get("title")) or None, "date": date, "views": None, "comments": None,
                "summary": _first_text(rules.get("summary"), item, self.has)})
        nxt = _first(rules.get("next"), root, self.has)
        next_url = None
        if nxt is not None:
            next_url = absolute(nxt if isinstance(nxt, str) else nxt.get("href"), self.base)
        return {"items": items, "next_page": next_url}


def parse_with_profile(doc, url: str, base: str, html_text: str, profile: Profile) -> dict:
    """The parse JSON of one page by a (non-hook) profile; never raises on odd markup."""
    page = _Page(doc, url, base, html_text, profile)
    result = {"url": url, "page_type": "other", "article": None, "document": None,
              "listing": None, "sidebar_documents": []}
    role = profile.role(page.url_part)
    if role in ("file", "feed", "sitemap"):
        return _finish(result, page)
    if role == "trap":
        # A trap is the crawl's word (do not follow: it duplicates or never ends); a page of
        # that shape that was captured all the same (a seed, a redirect target, an older
        # crawl) is read for what it holds. SharePoint's DispForm.aspx is a trap on a
        # locked-down site (it sends visitors to sign in) and a document elsewhere.
        role = None
    if role == "document_text":
        # A document's full text on a page of its own (SharePoint's vbpq-toanvan.aspx beside
        # the attribute page): the text of a document, not a second document record.
        result["page_type"] = "document_text"
        return _finish(result, page)
    doc_root = _first(profile.document.get("root"), doc, page.has)
    doc_root = doc_root if doc_root is not None and not isinstance(doc_root, str) else doc
    rows = page.doc_rows(doc_root) if role in (None, "document") else {}
    if role == "document" or (role is None and len(rows) >= 2 and (
            "number" in rows or "issued_on" in rows)):
        result["page_type"] = "document_detail"
        result["document"] = page.document(doc_root, rows or page.doc_rows(doc_root))
        return _finish(result, page)
    if role in ("listing", "tag_listing", "document_listing"):
        result["page_type"] = "category_listing" if role == "listing" else role
        result["listing"] = page.listing(doc)
        return _finish(result, page)
    root = _first(profile.article.get("root"), doc, page.has)
    root = root if root is not None and not isinstance(root, str) else None
    if role == "article" or root is not None or _looks_like_article(page):
        if role != "article" and page.is_soft_404():
            result["page_type"] = "soft_404"
            return _finish(result, page)
        article = page.article(root if root is not None else doc)
        # At an article URL, a not-found message only counts when no article is there: the
        # 200 "Bài viết không tồn tại" page DotNetNuke, SharePoint and custom sites answer
        # for a removed item (an article quoting such words keeps its title and body).
        if role == "article" and _empty(article) and page.is_soft_404():
            result["page_type"] = "soft_404"
            return _finish(result, page)
        result["page_type"] = "article"
        result["article"] = article
        return _finish(result, page)
    if page.is_soft_404():
        result["page_type"] = "soft_404"
    elif profile.listing.get("items") and _values(profile.listing["items"], doc, page.has):
        result["page_type"] = "category_listing"
        result["listing"] = page.listing(doc)
    return _finish(result, page)


def _empty(article: dict) -> bool:
    """No title, or next to no body text (a message, not an article)."""
    return not article.get("title") or len(article.get("body_text") or "") < 200


def _looks_like_article(page: _Page) -> bool:
    """No rule said so: structured metadata of an article, or a heading over a date line."""
    meta = page.meta
    if meta.jsonld.get("type") in ("article", "newsarticle", "blogposting",
                                   "reportagenewsarticle", "analysisnewsarticle"):
        return True
    if (meta.og("type") or "").lower() == "article" or meta.og("published"):
        return True
    body = page.doc.find("body")
    if body is None:
        return False
    found = page.date_line(body)
    if found is None or short_text(body, 600) is not None:
        return False
    heading = next((h for h in body.iter("h1", "h2") if len(text_of(h)) > 15), None)
    return heading is not None or title_before(found[2]) is not None


_TIME = re.compile(r"\d{1,2}\s*[:hg]\s*\d{2}")


def _body_if_same_dates(doc):
    """The `<body>` of a page whose date-line search gives what the whole page's gives:
    `<html>` holds only `<head>` and `<body>`, and the head no element of a date line."""
    body = None
    for child in doc:
        tag = child.tag
        if tag == "body" and body is None:
            body = child
        elif tag == "head":
            if next(child.iter(*DATE_TAGS), None) is not None:
                return None
        elif isinstance(tag, str):
            return None
    return body


def _time_shown(raw: str | None) -> bool:
    return bool(raw) and _TIME.search(raw) is not None


def _finish(result: dict, page: _Page) -> dict:
    result["sources"] = page.sources
    result["disagreements"] = page.disagreements
    return result


__all__ = ["parse_with_profile"]
