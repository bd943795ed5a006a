"""What the enterprise platforms (Liferay, SharePoint, DotNetNuke) share: the item ↔ URL maps
behind the ground truth, pagination arithmetic, images and attachment downloads.

Each platform module (liferay.py, sharepoint.py, dotnetnuke.py) subclasses `EnterprisePlatform`
with its URL scheme, routing and page templates; this module turns the scheme into the ground
truth (`canonical_urls`, `changes`, `attachments`) the same way for all three, from the same
`replica.content.SiteModel` that NukeViet renders: same articles, documents and nights.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from replica import attachments, media
from replica.content import CATEGORIES, T_END, Article, Document, Image, Teaser
from replica.determinism import hexid, unit
from replica.platforms.base import Platform
from replica.routes import Request, Response

if TYPE_CHECKING:
    from replica.site import Site

SITE_NAME = "Cổng thông tin điện tử tỉnh Lai Châu"
UPLOAD_RE = re.compile(r"^/uploads/news/(\d{4})_(\d{2})/([A-Za-z0-9_.-]+)$")
IMAGE_EXT = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
SIGNER_TITLES = ("Chủ tịch", "Phó Chủ tịch", "Phó Chủ tịch", "Chủ tịch", "Phó Chủ tịch")


def e(text: object) -> str:
    return escape(str(text), quote=True)


def q(text: str) -> str:
    """A URL query value, percent-encoded as Java and .NET encode a page address."""
    return quote(text, safe="")


def html(text: str, key: str, status: int = 200, ctype: str = "text/html; charset=utf-8",
         headers: list[tuple[str, str]] | None = None) -> Response:
    """A page eligible for the NFD / windows-1258 variants (keyed by its canonical URL)."""
    return Response(status, ctype, text=text, page_key=key, headers=headers or [])


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, text=f'<html><head><title>Object moved</title></head><body><h2>'
                    f'Object moved to <a href="{e(location)}">here</a>.</h2></body></html>',
                    headers=[("Location", location)])


def pages_of(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def page_window(page: int, pages: int, span: int = 3) -> list[int]:
    """The page numbers a pager shows: the first, the last and `span` around the current."""
    shown = {1, pages, *range(max(1, page - span), min(pages, page + span) + 1)}
    return sorted(shown)


def ascii_slug(text: str, keep_case: bool = False) -> str:
    """`Huyện Tam Đường` → `Huyen-Tam-Duong` (keep_case) or `huyen-tam-duong`."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    words = re.findall(r"[A-Za-z0-9]+", text)
    slug = "-".join(words)
    return slug if keep_case else slug.lower()


def uuid_of(*parts: object) -> str:
    h = hexid(*parts)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def image_name(im: Image) -> tuple[str, str, str]:
    """(year, month, file name) of a model image (`/uploads/news/YYYY_MM/<file>`)."""
    m = UPLOAD_RE.match(im.src)
    if not m:
        raise ValueError(im.src)
    return m.group(1), m.group(2), m.group(3)


def image_response(path: str) -> Response:
    """A real JPEG or PNG for an image URL, a pure function of the path (as NukeViet's)."""
    ext = path.rsplit(".", 1)[-1].lower()
    if ext == "png":
        return Response(200, "image/png", body=media.png(path))
    weight = 20_000 + int(unit("jpeg-weight", path) * 40_000)
    return Response(200, "image/jpeg", body=media.jpeg(path, 640, 424, weight=weight))


def file_response(files: tuple[tuple[str, str], ...], name: str, key: int,
                  text: tuple[str, tuple[str, ...], datetime], inline: bool = False
                  ) -> Response | None:
    """The attachment called `name` among `files`, or None if there is none of that name."""
    for file_name, kind in files:
        if file_name == name:
            body = attachments.body(kind, key, *text)
            disposition = "inline" if inline else "attachment"
            return Response(200, attachments.content_type(kind), body=body, headers=[
                ("Content-Disposition", f'{disposition}; filename="{file_name}"')])
    return None


def document_text(d: Document) -> tuple[str, tuple[str, ...], datetime]:
    """Title, lines and date of a document's files: the same bytes as on NukeViet."""
    return d.title, (d.number, d.summary, *d.body), d.issued_on


def article_text(a: Article) -> tuple[str, tuple[str, ...], datetime]:
    return a.title, (a.summary, *a.paragraphs), a.published


def document_status(d: Document) -> str:
    """`Tình trạng hiệu lực`, fixed for a document (a night never flips it: the truth records
    no document changes)."""
    if d.expires_on is not None and d.expires_on < T_END:
        return "Hết hiệu lực"
    return "Còn hiệu lực"


def signer_title(d: Document) -> str:
    return SIGNER_TITLES[d.id % len(SIGNER_TITLES)]


def ddmmyyyy(t: datetime | None) -> str:
    return f"{t:%d/%m/%Y}" if t else ""


def body_parts(a: Article, image_html, para_html) -> str:
    """The article body: paragraphs with each image before the paragraph it belongs to."""
    by_pos: dict[int, list[Image]] = {}
    for before, im in a.images:
        by_pos.setdefault(before, []).append(im)
    out = []
    for i, p in enumerate(a.paragraphs):
        out.extend(image_html(a, im) for im in by_pos.get(i, []))
        out.append(para_html(p))
    return "\n".join(out)


class EnterprisePlatform(Platform):
    """One platform's URL scheme, routing and ground truth over the shared SiteModel.

    The facade methods (`route`, `canonical_urls`, `changes`, `attachments`) pass the Site to
    the platform's own methods, which take it explicitly so templates stay pure functions of
    (site, item).
    """

    name = ""
    articles_per_page = 20
    documents_per_page = 20
    # The platform's answer for a withdrawn article: a fixed one ("http_404" on Liferay,
    # "soft_404" on SharePoint's ItemID pages) or None for the model's own (DotNetNuke).
    removal_reason: str | None = None

    # ---- URL scheme (subclasses) ------------------------------------------------------------
    def article_path(self, site: Site, k: int) -> str:
        raise NotImplementedError

    def article_key(self, k: int) -> str:
        raise NotImplementedError

    def document_path(self, site: Site, k: int) -> str:
        raise NotImplementedError

    def document_key(self, k: int) -> str:
        raise NotImplementedError

    def article_file_path(self, site: Site, k: int, name: str) -> str:
        raise NotImplementedError

    def document_file_path(self, site: Site, k: int, i: int, name: str) -> str:
        raise NotImplementedError

    def image_path(self, site: Site, k: int, im: Image) -> str:
        raise NotImplementedError

    def static_paths(self, site: Site) -> list[str]:
        """robots.txt, sitemaps and the chrome's CSS/JS/images a crawl must fetch."""
        raise NotImplementedError

    def listing_paths(self, site: Site) -> list[str]:
        """Home, news and category listings with every page, document listings."""
        raise NotImplementedError

    def document_extra_paths(self, site: Site, k: int) -> list[str]:
        """Other canonical pages of a document (SharePoint's full-text tab)."""
        return []

    def tag_paths(self, site: Site, tags: set[str]) -> list[str]:
        """Tag pages, for the tags live articles link to (DotNetNuke only)."""
        return []

    def respond(self, site: Site, req: Request, base: str) -> Response:
        raise NotImplementedError

    # ---- the facade Site talks to ----------------------------------------------------------
    def route(self, req: Request, base: str) -> Response:
        return self.respond(self.site, req, base)

    def canonical_urls(self, base: str = "") -> list[str]:
        return self.truth_urls(self.site, base)

    def changes(self, night_a: int, night_b: int, base: str = "") -> dict[str, list[dict]]:
        return self.truth_changes(self.site, night_a, night_b, base)

    def attachments(self, base: str = "") -> list[dict]:
        return self.truth_attachments(self.site, base)

    # ---- shared reading of the model ----------------------------------------------------------
    @staticmethod
    def alive_articles(site: Site) -> Iterator[int]:
        st = site.model.state(site.night)
        for k in range(1, st.max_article + 1):
            if k not in st.removed:
                yield k

    @staticmethod
    def teasers(site: Site, cat: int | None, start: int, count: int) -> list[Teaser]:
        m = site.model
        return [m.teaser(k, site.night) for k in m.category_ids(cat, site.night, start, count)]

    @staticmethod
    def category_total(site: Site, cat: int | None) -> int:
        return site.model.category_total(cat, site.night)

    @staticmethod
    def document_total(site: Site) -> int:
        return site.model.state(site.night).max_document

    def documents(self, site: Site, page: int) -> list[Document]:
        m = site.model
        start = (page - 1) * self.documents_per_page
        return [m.document(k) for k in m.document_ids(site.night, start, self.documents_per_page)]

    def article_at(self, site: Site, k: int) -> tuple[Article | None, str | None]:
        """(article, None) if shown; (None, reason) if withdrawn; (None, None) if never was."""
        m = site.model
        if k < 1 or k > m.state(site.night).max_article:
            return None, None
        removal = m.removal(k, site.night)
        if removal:
            return None, self.removal_reason or removal[1]
        return m.article_any(k, site.night), None

    def older_in_category(self, site: Site, a: Article, count: int = 5) -> list[Teaser]:
        """`Tin khác`: older live articles of the same category (a short scan, as NukeViet's)."""
        m = site.model
        found, k = [], a.id - 1
        while k >= 1 and len(found) < count and a.id - k < 2000:
            if m.category_of(k) == a.cat and m.article_exists(k, site.night):
                found.append(m.teaser(k, site.night))
            k -= 1
        return found

    # ---- ground truth -----------------------------------------------------------------------
    def truth_urls(self, site: Site, base: str = "") -> list[str]:
        m, night = site.model, site.night
        urls = self.static_paths(site) + self.listing_paths(site)
        images: dict[str, None] = {}
        tags: set[str] = set()
        for k in self.alive_articles(site):
            tags.update(m.article_tags(k))
            _, body_images, lead, files = m.shape(k)
            urls.append(self.article_path(site, k))
            urls += [self.article_file_path(site, k, name) for name, _ in files]
            for im in ([lead] if lead else []) + [im for _, im in body_images]:
                images[self.image_path(site, k, im)] = None
        urls += self.tag_paths(site, tags)
        urls += list(images)
        for k in range(1, m.state(night).max_document + 1):
            d = m.document(k)
            urls.append(self.document_path(site, k))
            urls += self.document_extra_paths(site, k)
            urls += [self.document_file_path(site, k, i, name)
                     for i, (name, _) in enumerate(d.files)]
        return [base + u for u in dict.fromkeys(urls)]

    def truth_changes(self, site: Site, night_a: int, night_b: int, base: str = "") -> dict:
        """The model's changes, keyed and addressed the way this platform shows its items."""
        truth = site.model.changes(night_a, night_b, "")
        out: dict[str, list[dict]] = {"added": [], "removed": [], "changed": []}
        for group, entries in truth.items():
            for entry in entries:
                k = int(entry["key"])
                article = entry["kind"] == "article"
                new = dict(entry)
                new["key"] = self.article_key(k) if article else self.document_key(k)
                new["url"] = base + (self.article_path(site, k) if article
                                     else self.document_path(site, k))
                if group == "removed" and self.removal_reason:
                    new["reason"] = self.removal_reason
                out[group].append(new)
        return out

    def truth_attachments(self, site: Site, base: str = "") -> list[dict]:
        """Every attachment served tonight, documents' then articles', in the shape of
        `Site.attachments` (key: the platform's item key)."""
        m, night = site.model, site.night
        out = []

        def entry(owner: str, key: str, k: int, url: str, page: str, name: str, kind: str,
                  title: str, lines: tuple[str, ...]) -> dict:
            return {"url": base + url, "owner": owner, "key": key, "page_url": base + page,
                    "name": name, "kind": kind, "content_type": attachments.content_type(kind),
                    **attachments.truth(kind, k, title, lines)}

        for k in range(1, m.state(night).max_document + 1):
            d = m.document(k)
            title, lines, _ = document_text(d)
            for i, (name, kind) in enumerate(d.files):
                out.append(entry("document", self.document_key(k), k,
                                 self.document_file_path(site, k, i, name),
                                 self.document_path(site, k), name, kind, title, lines))
        for k in self.alive_articles(site):
            if not m.shape(k)[3]:
                continue
            a = m.article_any(k, night)
            title, lines, _ = article_text(a)
            for name, kind in a.attachments:
                out.append(entry("article", self.article_key(k), k,
                                 self.article_file_path(site, k, name),
                                 self.article_path(site, k), name, kind, title, lines))
        return out


def category_title(cat: int | None) -> str:
    return CATEGORIES[cat][1] if cat is not None else "Tin tức"
