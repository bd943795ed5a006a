"""What every platform shares: the facade `Site` talks to, and, for the platforms other than
NukeViet, the machinery that maps the SiteModel's items to a platform's URLs.

A platform renders the same SiteModel (articles, documents, images, attachments, nights) with
its own URL shapes and markup. `ItemPlatform` keeps one path ↔ item index, built in id order
and extended as the site grows night after night: a path, once given to an item, stays its
path (slugs come from the first title, as CMSs keep them when a title is edited), and a slug
taken twice gets the platform's suffix (`-2`) the way the CMS would add it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from replica import assets, attachments, media
from replica.content import CATEGORIES, Article, Document, Image, Teaser
from replica.determinism import unit
from replica.routes import Request, Response, article_text, document_text

if TYPE_CHECKING:
    from replica.site import Site


# The fault pages: the same paths as on the NukeViet replica (replica/routes.py).
FAULT_PATHS = ("/vi/loop/", "/vi/loop-b/")
FAULT_LOOP = {FAULT_PATHS[0]: FAULT_PATHS[1], FAULT_PATHS[1]: FAULT_PATHS[0]}
FAULT_OVERSIZE = "/vi/oversize/"
# What an article's attachments are called (replica.content: tai-lieu-K.pdf, phu-luc-K.doc)
ARTICLE_FILE_EXTENSIONS = (".pdf", ".doc")


def e(text: object) -> str:
    return escape(str(text), quote=True)


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def html(text: str, key: str, status: int = 200,
         headers: list[tuple[str, str]] | None = None) -> Response:
    """An HTML page; `key` (its canonical path) decides the NFD / windows-1258 variants."""
    return Response(status, text=text, page_key=key, headers=headers or [])


def not_found_text(status: int = 404) -> Response:
    return Response(status, "text/plain; charset=utf-8", text="Not Found")


class Platform:
    """The facade: routing and ground truth of one platform for one Site (one night)."""

    name = ""
    # the cookie the server hands out (ASP.NET_SessionId, …); None: no cookie at all
    session_cookie: str | None = "nv4_sess"
    server_headers: tuple[tuple[str, str], ...] = ()  # X-Powered-By and the like
    # URLs (path + query, regular expressions) that pages link but a crawl should not follow:
    # search results, print views, postbacks, API endpoints … (never in canonical_urls).
    trap_patterns: tuple[str, ...] = ()

    def __init__(self, site: Site) -> None:
        self.site = site
        self.model = site.model

    @property
    def night(self) -> int:
        return self.site.night

    def route(self, req: Request, base: str) -> Response:
        raise NotImplementedError

    # ---- faults that are pages (--redirect-loop, --oversize); Site.route asks first --------
    def fault(self, path: str) -> Response | None:
        f = self.site.config.faults
        if f.redirect_loop and path in FAULT_LOOP:
            return Response(302, text="", headers=[("Location", FAULT_LOOP[path])])
        if f.oversize and path == FAULT_OVERSIZE:
            return Response(200, text=None, stream_size=f.oversize_bytes)
        return None

    def fault_links(self) -> str:
        """Links to the fault pages when they are switched on (put them in the footer), so a
        crawl runs into them as it would on the NukeViet replica."""
        f = self.site.config.faults
        return ((f'<a href="{FAULT_PATHS[0]}">Lưu trữ</a> ' if f.redirect_loop else "")
                + (f'<a href="{FAULT_OVERSIZE}">Dữ liệu mở</a>' if f.oversize else ""))

    def canonical_urls(self, base: str = "") -> list[str]:
        raise NotImplementedError

    def changes(self, night_a: int, night_b: int, base: str = "") -> dict[str, list[dict]]:
        raise NotImplementedError

    def attachments(self, base: str = "") -> list[dict]:
        raise NotImplementedError


@dataclass(frozen=True)
class PathInfo:
    """What an article's path may be made of (a subset of `Teaser`, cheap to compute for
    every article: the slug and title are the first ones, which no edit changes)."""

    id: int
    cat: int
    alias: str
    title: str
    published: datetime

    @property
    def cat_alias(self) -> str:
        return CATEGORIES[self.cat][0]


@dataclass
class ItemIndex:
    """Paths of every item up to the largest ids seen so far (see the module docstring)."""

    articles: list[str] = field(default_factory=lambda: [""])  # article k -> path
    documents: list[str] = field(default_factory=lambda: [""])
    article_at: dict[str, int] = field(default_factory=dict)
    document_at: dict[str, int] = field(default_factory=dict)
    images: dict[str, tuple[int, str]] = field(default_factory=dict)  # path -> (k, model src)
    files: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # path -> (owner,k,i)
    document_files: dict[tuple[int, int], str] = field(default_factory=dict)  # (k, i) -> path
    media_upto: int = 0  # images and article files of articles 1..media_upto are in the maps
    nights_done: int = -1  # articles of nights 0..nights_done (and their re-filings) are in
    moves: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # k -> [(night,
    # category, path)]: articles re-filed under another category, in night order
    taken: set[str] = field(default_factory=set)


class ItemPlatform(Platform):
    """Shared machinery of the platforms written in replica/platforms/.

    A subclass says where things live (`article_path`, `document_path`, `image_path`,
    `file_path`), what an item's key is in the ground truth (`item_key`), and renders pages
    in `route`. Everything else (index, downloads, images, ground truth) is here.

    Article and document paths are indexed eagerly (a slug taken twice needs every older
    slug). Images and article attachments have unique model names, so their paths are pure
    functions, remembered as pages link them: a crawler asks only for what a page showed,
    and anything else costs one pass over every article's shape.
    """

    # Static chrome: (path, kind) with kind css | js | png; listed in canonical_urls.
    static_files: tuple[tuple[str, str], ...] = ()

    def __init__(self, site: Site) -> None:
        super().__init__(site)
        self._index = ItemIndex()
        self._lock = threading.RLock()

    # ---- where things live (per platform) ----------------------------------------------
    def article_path(self, t: PathInfo, n: int) -> str:
        """Path of article `t`; `n` > 1 when the natural path is taken by an older item."""
        raise NotImplementedError

    def document_path(self, d: Document, n: int) -> str:
        raise NotImplementedError

    def image_path(self, src: str, k: int, n: int) -> str:
        """Where the model's image `src` of article `k` is served (`n` is always 1)."""
        raise NotImplementedError

    def file_path(self, owner: str, k: int, i: int, name: str, n: int) -> str:
        """Where attachment i of article/document k (file name `name`) is served; `n` > 1 when
        another document's file took the natural path (articles' file names are unique)."""
        raise NotImplementedError

    def item_key(self, kind: str, k: int, url: str) -> str:
        """The key a correct diff uses: the canonical URL unless the platform shows an id."""
        return url

    def refiled(self, night: int) -> list[tuple[int, int]]:
        """Articles an editor re-files under another category at `night`: (id, category).
        None by default; a platform whose URLs carry the category may move some."""
        return []

    # ---- the index ---------------------------------------------------------------------
    def _unique(self, make, *args) -> str:
        n = 1
        while (path := make(*args, n)) in self._index.taken:
            n += 1
        self._index.taken.add(path)
        return path

    def index(self, max_article: int | None = None, max_document: int | None = None
              ) -> ItemIndex:
        st = self.model.state(self.night)
        max_article = max(max_article or 0, st.max_article)
        max_document = max(max_document or 0, st.max_document)
        ix = self._index
        if len(ix.articles) > max_article and len(ix.documents) > max_document:
            return ix
        with self._lock:
            m = self.model
            # Night by night: that night's re-filings take their paths before that night's new
            # articles do, so every Site, whatever night it serves, gives the same paths.
            while len(ix.articles) <= max_article:
                night = ix.nights_done + 1
                if night > 0:
                    for k, cat in self.refiled(night):
                        info = PathInfo(k, cat, m.first_alias(k), m.first_title(k),
                                        m.published(k))
                        path = self._unique(self.article_path, info)
                        ix.moves.setdefault(k, []).append((night, cat, path))
                        ix.article_at[path] = k
                for k in range(len(ix.articles), m.state(night).max_article + 1):
                    info = PathInfo(k, m.category_of(k), m.first_alias(k), m.first_title(k),
                                    m.published(k))
                    path = self._unique(self.article_path, info)
                    ix.articles.append(path)
                    ix.article_at[path] = k
                ix.nights_done = night
            for k in range(len(ix.documents), max_document + 1):
                d = m.document(k)
                path = self._unique(self.document_path, d)
                ix.documents.append(path)
                ix.document_at[path] = k
                for i, (name, _) in enumerate(d.files):
                    fp = self._unique(self.file_path, "document", k, i, name)
                    ix.files[fp] = ("document", k, i)
                    ix.document_files[(k, i)] = fp
        return ix

    def index_media(self) -> ItemIndex:
        """Every article's images and attachments in the path maps (one pass, then kept)."""
        ix = self.index()
        top = len(ix.articles) - 1
        if ix.media_upto >= top:
            return ix
        with self._lock:
            for k in range(ix.media_upto + 1, top + 1):
                _, body_images, lead, files = self.model.shape(k)
                for im in ([lead] if lead else []) + [im for _, im in body_images]:
                    self.image_url(im, k)
                for i in range(len(files)):
                    self.file_url("article", k, i)
            ix.media_upto = top
        return ix

    def article_url(self, k: int, night: int | None = None) -> str:
        """Article k's path at `night` (default: the night served): re-filings move it."""
        night = self.night if night is None else night
        ix = self.index(max_article=max(k, self.model.state(night).max_article))
        path = ix.articles[k]
        for n, _, moved in ix.moves.get(k, ()):
            if n <= night:
                path = moved
        return path

    def category_at(self, k: int, night: int | None = None) -> int:
        """Article k's category at `night` (default: the night served)."""
        night = self.night if night is None else night
        cat = self.model.category_of(k)
        for n, moved, _ in self.index(self.model.state(night).max_article).moves.get(k, ()):
            if n <= night:
                cat = moved
        return cat

    def moved(self, night: int) -> dict[int, int]:
        """Articles filed elsewhere than the model's category at `night`: id -> category."""
        ix = self.index(self.model.state(night).max_article)
        return {k: c for k in ix.moves if (c := self.category_at(k, night))
                != self.model.category_of(k)}

    def document_url(self, k: int) -> str:
        return self.index(max_document=k).documents[k]

    def image_url(self, im: Image, k: int | None = None) -> str:
        """Path of image `im` of article `k` (without `k`, every shape is read once)."""
        if k is None:
            return next(p for p, (_, src) in self.index_media().images.items() if src == im.src)
        path = self.image_path(im.src, k, 1)
        self._index.images[path] = (k, im.src)
        return path

    def file_url(self, owner: str, k: int, i: int) -> str:
        if owner == "document":
            return self.index(max_document=k).document_files[(k, i)]
        name = self.model.shape(k)[3][i][0]
        path = self.file_path("article", k, i, name, 1)
        self._index.files[path] = ("article", k, i)
        return path

    # ---- items at this night -----------------------------------------------------------
    def article_at(self, path: str) -> tuple[int | None, Article | None, str | None]:
        """(id, article, None) if shown tonight; (id, None, reason) if withdrawn; else Nones."""
        k = self.index().article_at.get(path)
        if k is None or k > self.model.state(self.night).max_article \
                or self.article_url(k) != path:  # a re-filed article's old path is gone
            return None, None, None
        removal = self.model.removal(k, self.night)
        if removal:
            return k, None, removal[1]
        return k, self.model.article_any(k, self.night), None

    def document_at(self, path: str) -> Document | None:
        k = self.index().document_at.get(path)
        if k is None or not self.model.document_exists(k, self.night):
            return None
        return self.model.document(k)

    def alive_articles(self) -> Iterator[int]:
        st = self.model.state(self.night)
        return (k for k in range(1, st.max_article + 1) if k not in st.removed)

    def listing(self, cat: int | None, page: int, per_page: int) -> tuple[list[Teaser], int]:
        """Teasers of page `page` (1-based) of a category (None: all) and the page count."""
        m, night = self.model, self.night
        moved = self.moved(night) if cat is not None else {}
        if not moved:
            pages = page_count(m.category_total(cat, night), per_page)
            ids = m.category_ids(cat, night, (page - 1) * per_page, per_page)
            return [m.teaser(k, night) for k in ids], pages
        # Re-filed articles leave their model category's listing and join the new one, in id
        # (= date) order: merge a long enough prefix of the model's listing with them.
        out = {k for k, c in moved.items() if m.category_of(k) == cat}
        ins = [k for k, c in moved.items() if c == cat and m.article_exists(k, night)]
        total = (m.category_total(cat, night) + len(ins)
                 - sum(1 for k in out if m.article_exists(k, night)))
        start = (page - 1) * per_page
        prefix = m.category_ids(cat, night, 0, start + per_page + len(out))
        ids = sorted([k for k in prefix if k not in out] + ins, reverse=True)
        return [m.teaser(k, night) for k in ids[start:start + per_page]], page_count(
            total, per_page)

    def documents_page(self, page: int, per_page: int) -> tuple[list[Document], int]:
        m = self.model
        total = m.state(self.night).max_document
        ids = m.document_ids(self.night, (page - 1) * per_page, per_page)
        return [m.document(k) for k in ids], page_count(total, per_page)

    @staticmethod
    def body_parts(a: Article) -> Iterator[tuple[str, object]]:
        """The body in order: ("image", Image) before the paragraph it precedes, ("p", text)."""
        by_pos: dict[int, list[Image]] = {}
        for before, im in a.images:
            by_pos.setdefault(before, []).append(im)
        for i, p in enumerate(a.paragraphs):
            for im in by_pos.get(i, []):
                yield "image", im
            yield "p", p

    # ---- serving files -----------------------------------------------------------------
    def serve_image(self, path: str) -> Response | None:
        hit = self._index.images.get(path)
        if hit is None and path.lower().endswith((".jpg", ".jpeg", ".png")):
            hit = self.index_media().images.get(path)  # not linked by a page served yet
        if hit is None:
            return None
        _, src = hit
        # The same bytes as the NukeViet replica serves for this picture (keyed by model src).
        if src.endswith(".png"):
            return Response(200, "image/png", body=media.png(src))
        weight = 20_000 + int(unit("jpeg-weight", src) * 40_000)
        return Response(200, "image/jpeg", body=media.jpeg(src, 640, 424, weight=weight))

    def serve_file(self, path: str) -> Response | None:
        self.index()
        hit = self._index.files.get(path)
        if hit is None and path.lower().endswith(ARTICLE_FILE_EXTENSIONS):
            hit = self.index_media().files.get(path)  # not linked by a page served yet
        if hit is None:
            return None
        owner, k, i = hit
        m = self.model
        if owner == "document":
            if not m.document_exists(k, self.night):
                return None
            d = m.document(k)
            name, kind = d.files[i]
            title, lines, created = document_text(d)
        else:
            if k > m.state(self.night).max_article:
                return None
            a = m.article_any(k, self.night)
            name, kind = a.attachments[i]
            title, lines, created = article_text(a)
        return Response(200, attachments.content_type(kind),
                        body=attachments.body(kind, k, title, lines, created),
                        headers=[("Content-Disposition", f'attachment; filename="{name}"')])

    def serve_static(self, path: str) -> Response | None:
        for p, kind in self.static_files:
            if p == path:
                name = p.rsplit("/", 1)[-1]
                if kind == "css":
                    return Response(200, "text/css; charset=utf-8",
                                    text=assets.css(self.name, name))
                if kind == "js":
                    return Response(200, "application/javascript; charset=utf-8",
                                    text=assets.js(self.name, name))
                return Response(200, "image/png", body=media.png(f"{self.name}{p}", 100, 100))
        return None

    # ---- ground truth ------------------------------------------------------------------
    def item_urls(self) -> list[str]:
        """Articles, their attachments and images, documents and their files, alive tonight."""
        ix = self.index()
        m = self.model
        urls: list[str] = []
        images: dict[str, None] = {}
        for k in self.alive_articles():
            urls.append(self.article_url(k))
            _, body_images, lead, files = m.shape(k)
            urls += [self.file_url("article", k, i) for i in range(len(files))]
            for im in ([lead] if lead else []) + [im for _, im in body_images]:
                images[self.image_url(im, k)] = None
        urls += list(images)
        for k in range(1, m.state(self.night).max_document + 1):
            urls.append(ix.documents[k])
            urls += [ix.document_files[(k, i)] for i in range(len(m.document(k).files))]
        return urls

    def changes(self, night_a: int, night_b: int, base: str = "") -> dict[str, list[dict]]:
        """The model's changes with this platform's URLs and item keys."""
        truth = self.model.changes(night_a, night_b, "")
        m = self.model
        st = m.state(night_b)
        self.index(st.max_article, st.max_document)
        # Re-filed between the nights: the same article under a new URL, matched (as a
        # correct diff matches it) by what it is, not where it is: a change of category.
        sa = m.state(night_a)
        moved = {k: self.article_url(k, night_a) for k in self._index.moves
                 if k <= sa.max_article and k not in sa.removed and k not in st.removed
                 and self.article_url(k, night_a) != self.article_url(k, night_b)}
        changed = {e["key"]: e for e in truth["changed"]}
        for k in moved:
            entry = changed.setdefault(k, {"kind": "article", "key": k, "fields": []})
            entry["fields"] = [f for f in m.article_fields(m.article_any(k, night_b))
                               if f in entry["fields"] or f == "category"]
        truth["changed"] = [changed[k] for k in sorted(changed)]
        out: dict[str, list[dict]] = {}
        for group, entries in truth.items():
            out[group] = []
            night = night_a if group == "removed" else night_b
            for entry in entries:
                k = entry["key"]
                path = self.article_url(k, night) if entry["kind"] == "article" \
                    else self.document_url(k)
                url = base + path
                extra = {"moved_from": base + moved[k]} if group == "changed" and k in moved \
                    else {}
                out[group].append({**entry, "key": self.item_key(entry["kind"], k, url),
                                   "url": url, **extra})
        return out

    def attachments(self, base: str = "") -> list[dict]:
        """Every attachment served tonight: URL, the page linking it, kind, expected text."""
        m, night = self.model, self.night
        ix = self.index()
        out = []

        def entry(owner: str, k: int, page: str, i: int, name: str, kind: str,
                  title: str, lines: tuple[str, ...]) -> dict:
            return {"url": base + self.file_url(owner, k, i), "owner": owner,
                    "key": self.item_key(owner, k, base + page), "page_url": base + page,
                    "name": name, "kind": kind, "content_type": attachments.content_type(kind),
                    **attachments.truth(kind, k, title, lines)}

        for k in range(1, m.state(night).max_document + 1):
            d = m.document(k)
            title, lines, _ = document_text(d)
            for i, (name, kind) in enumerate(d.files):
                out.append(entry("document", k, ix.documents[k], i, name, kind, title, lines))
        for k in self.alive_articles():
            if not m.shape(k)[3]:
                continue
            a = m.article_any(k, night)
            title, lines, _ = article_text(a)
            for i, (name, kind) in enumerate(a.attachments):
                out.append(entry("article", k, self.article_url(k), i, name, kind, title,
                                 lines))
        return out


def vn_date(t: datetime, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return t.strftime(fmt)


__all__ = ["ItemIndex", "ItemPlatform", "PathInfo", "Platform", "e", "html", "not_found_text",
           "page_count", "vn_date"]
