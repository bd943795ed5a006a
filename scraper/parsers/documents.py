"""The `laws` module: document detail pages, document listings (table and flex layouts),
and the sidebar block of recent documents shown on every page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from scraper.parsers import nukeviet as nv
from scraper.parsers.dates import parse_date
from scraper.parsers.dom import absolute, drop_tree, first, lines_of, origin, text_of
from scraper.parsers.numbers import parse_counters, parse_document_number
from scraper.parsers.text import contains, fold, has_numeric_ref, normalize_text

_RELATIONS = ("replaced", "replacing", "related")


def document_id(url: str) -> int | None:
    """`…/detail/<alias>-<ID>/` → ID; `?…&id=N` otherwise."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for candidate in [parts.path] + query.get("op", []):
        m = nv.LAW_ID.search(candidate)
        if m:
            return int(m.group(1))
    ids = query.get("id")
    return int(ids[0]) if ids and ids[0].isdigit() else None


def find_detail_root(doc):
    """The element around a document detail page, or None."""
    for selector in nv.LAW_DETAIL_ROOTS:
        el = first(selector, doc)
        if el is None:
            continue
        if el.tag in ("h1", "tr"):
            # Older markup has no wrapper: climb to the block that holds title and table.
            while el.getparent() is not None and el.tag not in ("div", "section", "article"):
                el = el.getparent()
            if el.find(".//table") is None and el.getparent() is not None:
                el = el.getparent()
        if _property_rows(el):
            return el
    return None


def could_hold_detail(doc) -> bool:
    """False when `find_detail_root(doc)` is sure to find nothing, by a walk over the few
    `tr` and `table` elements: a document page has property rows (`nv.LAW_PROPERTY_ROWS`),
    each a `tr.hoatim`, a row of a `table.table-properties` or of a table in `.law-detail`.
    (The class tests are looser than those class-token selectors, which is safe here.)"""
    for el in doc.iter("tr", "table"):
        classes = el.get("class") or ""
        if el.tag == "tr":
            if "hoatim" in classes:
                return True
        elif "table-properties" in classes or any(
                "law-detail" in (a.get("class") or "") for a in el.iterancestors()):
            return True
    return False


def _property_rows(root) -> dict:
    values: dict = {}
    for tr in nv.LAW_PROPERTY_ROWS(root):
        cells = [c for c in tr if c.tag in ("td", "th")]
        i = 0
        while i < len(cells) - 1:
            key = nv.LAW_LABELS.get(fold(text_of(cells[i])))
            if key and key not in values:
                values[key] = cells[i + 1]
                i += 2
            else:
                i += 1
    return values


def _files(scope, base: str) -> list[dict]:
    files: list[dict] = []
    for a in nv.LAW_FILES(scope):
        url = absolute(a.get("href"), base)
        if not url or any(f["url"] == url for f in files):
            continue
        strong = a.find(".//strong")
        name = text_of(strong) if strong is not None else text_of(a)
        files.append({"url": url, "name": name or normalize_text(a.get("title")) or None})
    return files


def _body(root) -> str | None:
    for selector in nv.LAW_BODY:
        el = first(selector, root)
        if el is not None:
            return lines_of(el) or None
    for heading in nv.LAW_SECTION_HEADINGS(root):
        if fold(text_of(heading)) != "noi dung":
            continue
        lines = []
        sib = heading.getnext()
        while sib is not None and not (sib.tag in ("h2", "h3") and "lawh3" in (sib.get("class")
                                                                                or "")):
            if isinstance(sib.tag, str):
                lines.append(lines_of(sib))
            sib = sib.getnext()
        return "\n".join(line for line in lines if line) or None
    return None


def _summary(root, title_el) -> str | None:
    candidates = []
    if title_el is not None:
        sib = title_el.getnext()
        while sib is not None and sib.tag != "table":
            if sib.tag == "p":
                candidates.append(sib)
                break
            sib = sib.getnext()
    candidates += [p for p in root.iter("p") if p.getparent().tag != "td"]
    for p in candidates:
        text = text_of(p)
        if text:
            return text
    return None


def parse_document(doc, root, url: str, base: str, canonical: str) -> dict:
    title_el = next((el for sel in nv.LAW_TITLE for el in sel(root)), None)
    if title_el is None:
        title_el = root.find(".//h1")
    rows = _property_rows(root)
    number = parse_document_number(text_of(rows["number"])) if "number" in rows else \
        parse_document_number(None)
    related = []
    for key in _RELATIONS:
        cell = rows.get(key)
        if cell is None:
            continue
        for a in cell.iter("a"):
            link = absolute(a.get("href"), base)
            if link:
                related.append({"relation": key, "url": link, "title": text_of(a) or None})

    def value(key: str) -> str | None:
        text = text_of(rows[key]) if key in rows else ""
        return None if text.strip(" .…-–—") == "" else text

    return {
        "document_id": document_id(url) or document_id(canonical),
        "url": canonical,
        **number,
        "title": text_of(title_el) or None if title_el is not None else None,
        "summary": _summary(root, title_el),
        "issued_on": parse_date(value("issued_on")),
        "effective_on": parse_date(value("effective_on")),
        "expires_on": parse_date(value("expires_on")),
        "doc_type": value("doc_type"),
        "field": value("field"),
        "issuer": value("issuer"),
        "reviewer": value("reviewer"),
        "signer": value("signer"),
        "attachments": _files(doc, base),
        "body_text": _body(root),
        "related": related,
    }


def _listing_item(url, number_text, title, summary, issued_text, files) -> dict:
    number = parse_document_number(number_text)
    issued = parse_date(issued_text)
    return {
        "url": url,
        "title": title or None,
        "date": issued,
        "views": None,
        "comments": None,
        "summary": summary or None,
        **number,
        "issued_on": issued,
        "attachments": files,
    }


def _row_files(cell, base: str) -> list[dict]:
    files = []
    if cell is None:
        return files
    for a in cell.iter("a"):
        link = absolute(a.get("href"), base)
        if link and not any(f["url"] == link for f in files):
            files.append({"url": link,
                          "name": normalize_text(a.get("title")) or text_of(a) or None})
    return files


def _flex_items(doc, base: str) -> list[dict]:
    items = []
    for row in nv.LAW_FLEX_ROWS(doc):
        if "table-head" in (row.get("class") or "").split():
            continue
        cells = {c: row.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), "
                              f"' {c} ')]") for c in ("c-code", "c-time", "c-intro", "c-file")}
        code = cells["c-code"][0] if cells["c-code"] else None
        if code is None:
            continue
        link = code.find(".//a")
        for label in row.xpath(".//span[contains(@class, 'label-name')]"):
            drop_tree(label)
        intro = cells["c-intro"][0] if cells["c-intro"] else None
        title_el = intro.find(".//a") if intro is not None else None
        summary_el = intro.xpath(".//*[contains(@class, 'l-intro')]") if intro is not None else []
        items.append(_listing_item(
            absolute(link.get("href"), base) if link is not None else None,
            text_of(link if link is not None else code),
            text_of(title_el) if title_el is not None else normalize_text(
                link.get("title") if link is not None else None),
            text_of(summary_el[0]) if summary_el else None,
            text_of(cells["c-time"][0]) if cells["c-time"] else None,
            _row_files(cells["c-file"][0] if cells["c-file"] else None, base),
        ))
    return items


def _table_items(doc, base: str) -> list[dict]:
    for table in nv.LAW_TABLES(doc):
        header = table.xpath(".//tr[th] | .//thead/tr")
        rows = table.xpath(".//tr")
        if not rows:
            continue
        head = header[0] if header else rows[0]
        columns = [nv.LAW_COLUMNS.get(fold(text_of(c))) for c in head if c.tag in ("th", "td")]
        if "number" not in columns:
            continue
        items = []
        for tr in rows:
            if tr is head:
                continue
            cells = [c for c in tr if c.tag in ("td", "th")]
            if len(cells) < len(columns):
                continue
            by = dict(zip(columns, cells, strict=False))
            number_cell = by.get("number")
            title_cell = by.get("title")
            link = (number_cell.find(".//a") if number_cell is not None else None)
            if link is None and title_cell is not None:
                link = title_cell.find(".//a")
            items.append(_listing_item(
                absolute(link.get("href"), base) if link is not None else None,
                text_of(number_cell),
                text_of(title_cell),
                None,
                text_of(by.get("issued_on")),
                _row_files(by.get("files"), base),
            ))
        return items
    return []


def could_hold_listing(doc, text: str) -> bool:
    """False when `document_listing_items(doc, …)` is sure to give None: a document listing
    is a `table` or the flex layout, whose class name only numeric character references
    could hide from the page text (the one named entity that spells ASCII letters,
    `&fjlig;`, cannot occur in `flex-table-laws`)."""
    return (next(doc.iter("table"), None) is not None or contains(text, "flex-table-laws")
            or has_numeric_ref(text))


def document_listing_items(doc, base: str) -> list[dict] | None:
    """Rows of a document listing, or None when the page has no document listing."""
    if nv.LAW_FLEX_ROWS(doc):
        return _flex_items(doc, base)
    items = _table_items(doc, base)
    return items or None


def sidebar_documents(doc, base: str) -> list[dict]:
    """`.block-law .item` entries: number, title, views, downloads, url."""
    blocks = nv.SIDEBAR_BLOCKS(doc)
    if not blocks:
        return []
    # The block is the same on every page of a crawl: parse each distinct markup once.
    # (UTF-8: the default ASCII output spells every Vietnamese letter as a character
    # reference, which takes more than twice as long.)
    markup = b"".join(etree.tostring(block, encoding="utf-8") for block in blocks)
    # Links resolve the same from every page of one site when they are all root-relative or
    # absolute (the usual block), else from every page of one directory (query-only links
    # excepted). The key's second part is the base the block is then parsed against.
    if not _NOT_ROOT_HREF.search(markup):
        key = (markup, origin(base))
    else:
        key = (markup, base if b'href="?' in markup else base[: base.rfind("/") + 1])
    return [dict(entry) for entry in _sidebar_cached(key, blocks)]


# An href that is neither root-relative (`/x`, not `//x`) nor http(s) (serialised markup
# always quotes attributes with `"`).
_NOT_ROOT_HREF = re.compile(rb'href="(?!/[^/]|https?://)')
_SIDEBAR_CACHE: dict = {}


def _sidebar_cached(key, blocks) -> list[dict]:
    found = _SIDEBAR_CACHE.get(key)
    if found is None:
        if len(_SIDEBAR_CACHE) > 1024:
            _SIDEBAR_CACHE.clear()
        found = _SIDEBAR_CACHE[key] = _sidebar_items(blocks, key[1])
    return found


def _sidebar_items(blocks, base: str) -> list[dict]:
    docs = []
    items = [item for block in blocks for item in nv.SIDEBAR_BLOCK_ITEMS(block)]
    for item in items:
        # One walk over the item instead of three selector runs: this block is on every page.
        code = title_el = None
        views = []
        for el in item.iter():
            classes = (el.get("class") or "").split() if isinstance(el.tag, str) else ()
            if "law-code" in classes and code is None:
                code = el
            elif "law-title" in classes and title_el is None:
                title_el = el
            elif "law-view" in classes:
                views.append(el)
        link = code if code is not None and code.tag == "a" else (
            code.find(".//a") if code is not None else None)
        title = text_of(title_el) if title_el is not None else None
        if not title and link is not None:
            title = normalize_text(link.get("title"))
        counters = parse_counters(" ".join(text_of(v) for v in views))
        docs.append({
            "number": parse_document_number(text_of(code))["number"],
            "title": title or None,
            "views": counters["views"],
            "downloads": counters["downloads"],
            "url": absolute(link.get("href"), base) if link is not None else None,
        })
    return docs
