"""URL → response: the replica's URL map, canonical redirects, traps and downloads.

`route(site, request)` is pure apart from the view counters it bumps on cookie-less fetches.
Faults, gzip and cookies are the server's business, not this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from replica import assets, attachments, feeds, media
from replica.config import THEMES
from replica.content import CAT_INDEX, CATEGORIES, LAWS_PER_PAGE, PER_PAGE, TOPICS, Article
from replica.determinism import hexid, unit
from replica.themes.base import Ctx

if TYPE_CHECKING:
    from replica.site import Site

ARTICLE_RE = re.compile(r"^/vi/news/([a-z0-9-]+)/([a-z0-9-]+)-(\d+)\.html$")
TRAP_RE = re.compile(r"^/vi/news/(print|savefile|sendmail)/([a-z0-9-]+)/([a-z0-9-]+)-(\d+)\.html$")
PAGE_RE = re.compile(r"^page-(\d+)$")
LAW_RE = re.compile(r"^/vi/laws/detail/([a-z0-9-]+)-(\d+)/$")
UPLOAD_RE = re.compile(r"^/uploads/news/(\d{4}_\d{2})/([A-Za-z0-9_.-]+)\.(jpg|png)$")
STATIC_RE = re.compile(r"^/themes/([a-z0-9]+)/(css|js|images)/([A-Za-z0-9_.-]+)$")


@dataclass
class Request:
    method: str
    target: str  # path + query as sent
    session_known: bool = False
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)


@dataclass
class Response:
    status: int
    content_type: str = "text/html; charset=utf-8"
    text: str | None = None  # HTML/XML/text, encoded by the server (NFD/charset variants)
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    page_key: str | None = None  # set for HTML pages eligible for NFD / windows-1258
    stream_size: int = 0  # >0: the server streams this many filler bytes (oversize fault)


def redirect(location: str, status: int = 301) -> Response:
    return Response(status, text=f'<html><body>Moved: <a href="{location}">{location}</a>'
                    "</body></html>", headers=[("Location", location)])


def html(text: str, key: str, status: int = 200) -> Response:
    return Response(status, text=text, page_key=key)


def not_found(site: Site, ctx: Ctx) -> Response:
    text = site.theme.message_page(ctx, "Lỗi 404", "Trang bạn yêu cầu không tồn tại.")
    return Response(404, text=text)


def page_number(segment: str | None) -> int | None:
    if segment is None:
        return 1
    m = PAGE_RE.match(segment)
    return int(m.group(1)) if m and int(m.group(1)) >= 1 else None


def route(site: Site, req: Request, base: str) -> Response:
    path = req.path
    q = req.query
    ctx = Ctx(site=site, base=base, path=path)
    faults = site.config.faults

    if path.startswith("/index.php"):
        return index_php(site, req, base, ctx)
    if path == "/robots.txt":
        return Response(200, "text/plain; charset=utf-8",
                        text=feeds.robots(base, site.theme.robots_data))
    if path.startswith("/sitemap"):
        return sitemaps(site, path, base)
    if path == "/favicon.ico":
        return Response(200, "image/png", body=media.png("favicon", 16, 16))
    if path.startswith("/themes/"):
        return static(path)
    if path.startswith("/uploads/"):
        m = UPLOAD_RE.match(path)
        if not m:
            return not_found(site, ctx)
        if m.group(3) == "png":
            return Response(200, "image/png", body=media.png(path))
        # Photo-sized: 640×424 and 20–60 KB, like the portal's news photos.
        weight = 20_000 + int(unit("jpeg-weight", path) * 40_000)
        return Response(200, "image/jpeg", body=media.jpeg(path, 640, 424, weight=weight))
    if path.startswith("/en/") or path == "/en":
        # Language duplicates: the Vietnamese content under /en/ (a crawler trap).
        inner = Request(req.method, "/vi/" + req.target[4:], req.session_known)
        resp = route(site, inner, base)
        if resp.text and resp.status == 200 and resp.content_type.startswith("text/html"):
            resp.text = resp.text.replace('<html lang="vi"', '<html lang="en"', 1)
        return resp
    if path in ("/vi/loop/", "/vi/loop-b/") and faults.redirect_loop:
        return redirect("/vi/loop-b/" if path == "/vi/loop/" else "/vi/loop/", 302)
    if path == "/vi/oversize/" and faults.oversize:
        return Response(200, text=None, stream_size=faults.oversize_bytes)
    if path == "/":
        return home(site, ctx)
    if path in ("/vi", "/vi/"):
        return redirect("/")
    if path.startswith(("/news/", "/laws/")) or path in ("/news", "/laws"):
        return redirect("/vi" + req.target)  # rewrite_optional variant
    if path.startswith("/vi/users/"):
        return html(site.theme.message_page(ctx, "Đăng nhập", "Đăng nhập thành viên"), path)
    if path.startswith("/vi/van-ban/") or path == "/vi/van-ban":
        return redirect("/vi/laws/" + req.target[len("/vi/van-ban/"):])  # custom module alias
    first = path.split("/")[2] if path.count("/") >= 2 else ""
    if first in CAT_INDEX:
        return redirect("/vi/news/" + req.target[len("/vi/"):])  # op_mod: news is the default
    if path.startswith("/vi/news"):
        if not path.endswith("/") and not path.endswith(".html") and "/tag/" not in path:
            return redirect(path + "/")
        return news(site, req, ctx)
    if path.startswith("/vi/laws"):
        if not path.endswith("/"):
            return redirect(path + "/")
        return laws(site, req, ctx, q)
    return not_found(site, ctx)


def index_php(site: Site, req: Request, base: str, ctx: Ctx) -> Response:
    path = req.path
    if path.startswith("/index.php/"):
        return redirect(path[len("/index.php"):] or "/")  # rewrite file missing variant
    q = {k: v[0] for k, v in req.query.items()}
    nv, op = q.get("nv"), q.get("op", "")
    if "scaptcha" in q:  # captcha image: a different picture on every fetch on real sites
        return Response(200, "image/png", body=media.png(f"captcha-{q.get('t', '')}", 150, 40))
    if nv == "comment":
        checkss = hexid(site.config.seed, "checkss", q.get("id", ""))
        if q.get("checkss") != checkss:
            return Response(200, text="<div class=\"alert\">Lỗi truy cập</div>")
        return Response(200, text='<div id="showcomment"><p class="text-center">Chưa có ý kiến '
                        "bạn đọc</p></div>")
    if nv == "news" and op == "rating":
        if req.method != "POST":
            return Response(200, "text/plain; charset=utf-8", text="ERR_Wrong")
        return Response(200, "text/plain; charset=utf-8",
                        text="Cảm ơn bạn đã đánh giá bài viết!")
    lang = q.get("language", "vi")
    if not nv:
        return redirect("/")
    if not op:
        return redirect(f"/{lang}/{nv}/")
    if re.search(r"-\d+$", op) and nv == "news":
        return redirect(f"/{lang}/{nv}/{op}.html")
    return redirect(f"/{lang}/{nv}/{op.strip('/')}/")


def static(path: str) -> Response:
    m = STATIC_RE.match(path)
    if not m or m.group(1) not in THEMES:
        return Response(404, "text/plain; charset=utf-8", text="Not Found")
    theme, kind, name = m.groups()
    if kind == "css" and name in assets.CSS_FILES:
        return Response(200, "text/css; charset=utf-8", text=assets.css(theme, name))
    if kind == "js" and name in assets.JS_FILES:
        return Response(200, "application/javascript; charset=utf-8", text=assets.js(theme, name))
    if kind == "images" and name in assets.IMAGE_FILES:
        return Response(200, "image/png", body=assets.image(theme, name))
    return Response(404, "text/plain; charset=utf-8", text="Not Found")


def sitemaps(site: Site, path: str, base: str) -> Response:
    m = site.model
    night = site.night
    xml = "application/xml; charset=utf-8"
    newest = site.newest_time()
    if path == "/sitemap.xml":
        return Response(200, xml, text=feeds.sitemap_index(base, ["/sitemap-vi.xml"], newest))
    if path == "/sitemap-vi.xml":
        return Response(200, xml, text=feeds.sitemap_index(
            base, ["/sitemap-vi.news.xml", "/sitemap-vi.laws.xml"], newest))
    if path == "/sitemap-vi.news.xml":
        ids = m.category_ids(None, night, 0, feeds.SITEMAP_ITEMS)
        arts = [m.teaser(k, night) for k in ids]
        return Response(200, xml, text=feeds.urlset(base, feeds.article_entries(arts)))
    if path == "/sitemap-vi.laws.xml":
        docs = [m.document(k) for k in m.document_ids(night, 0, feeds.SITEMAP_ITEMS)]
        return Response(200, xml, text=feeds.urlset(base, feeds.document_entries(docs)))
    return Response(404, "text/plain; charset=utf-8", text="Not Found")


def home(site: Site, ctx: Ctx) -> Response:
    m = site.model
    blocks = []
    for c, (alias, title) in enumerate(CATEGORIES):
        ids = m.category_ids(c, site.night, 0, 5)
        blocks.append((alias, title, [m.teaser(k, site.night) for k in ids]))
    return html(site.theme.home(ctx, blocks), "/")


def news(site: Site, req: Request, ctx: Ctx) -> Response:
    path = req.path
    m = site.model
    night = site.night
    parts = [p for p in path.split("/") if p][2:]  # after vi/news
    if path.endswith(".html"):
        trap = TRAP_RE.match(path)
        if trap:
            return article_trap(site, req, ctx, trap.group(1), int(trap.group(4)))
        am = ARTICLE_RE.match(path)
        if not am:
            return not_found(site, ctx)
        return article(site, req, ctx, am.group(1), am.group(2), int(am.group(3)))
    if parts[:1] == ["rss"]:
        return rss(site, ctx, parts[1] if len(parts) > 1 else None)
    if parts[:1] == ["tag"]:
        return tag(site, ctx, parts[1] if len(parts) > 1 else "")
    if parts[:1] == ["topic"]:
        return topic(site, ctx, parts[1] if len(parts) > 1 else "")
    cat = None
    if parts and not PAGE_RE.match(parts[0]):
        cat = parts[0]
        parts = parts[1:]
        if cat not in CAT_INDEX:
            return html(site.theme.soft404(ctx), path)  # soft 200, as NukeViet does
    if len(parts) > 1:
        return not_found(site, ctx)
    page = page_number(parts[0] if parts else None)
    if page is None:
        return not_found(site, ctx)
    c = CAT_INDEX[cat] if cat else None
    title = CATEGORIES[c][1] if c is not None else "Tin Tức"
    base_path = f"/vi/news/{cat}/" if cat else "/vi/news/"
    total = m.category_total(c, night)
    pages = max(1, -(-total // PER_PAGE))
    ids = m.category_ids(c, night, (page - 1) * PER_PAGE, PER_PAGE)
    arts = [m.teaser(k, night) for k in ids]
    crumbs = [("Tin Tức", "/vi/news/")] + ([(title, base_path)] if cat else [])
    return html(site.theme.category(ctx, title, base_path, arts, page, pages, crumbs), path)


def resolve_article(site: Site, k: int) -> tuple[Article | None, str | None]:
    """(article, None) if shown; (None, "http_404"|"soft_404") if removed; (None, None)."""
    m = site.model
    if k < 1 or k > m.state(site.night).max_article:
        return None, None
    removal = m.removal(k, site.night)
    if removal:
        return None, removal[1]
    return m.article_any(k, site.night), None


def article(site: Site, req: Request, ctx: Ctx, cat: str, alias: str, k: int) -> Response:
    a, gone = resolve_article(site, k)
    if gone == "soft_404":
        return html(site.theme.soft404(ctx), req.path)
    if a is None:
        return not_found(site, ctx)
    if cat != a.cat_alias or alias != a.alias:
        return redirect(a.path)  # wrong alias or category with the right ID
    q = req.query
    if q.get("download") == ["1"]:
        return attachment(a.attachments, q, a.id, *article_text(a))
    text = site.theme.article(ctx, a)  # shows the count before this visit, as NukeViet does
    site.touch_article(a.id, counted=not req.session_known)
    return html(text, a.path)


def article_trap(site: Site, req: Request, ctx: Ctx, kind: str, k: int) -> Response:
    a, _ = resolve_article(site, k)
    if a is None:
        return not_found(site, ctx)
    if kind == "savefile":
        body = (f"<html><head><meta charset=\"utf-8\"><title>{a.title}</title></head><body>"
                f"<h1>{a.title}</h1>" + "".join(f"<p>{p}</p>" for p in a.paragraphs)
                + "</body></html>")
        return Response(200, "text/html; charset=utf-8", text=body, headers=[
            ("Content-Disposition", f"attachment; filename={a.alias}.html")])
    if kind == "sendmail":
        return html(site.theme.message_page(ctx, "Gửi bài viết qua email",
                                            f"Gửi bài viết: {a.title}"), req.path)
    body = (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{a.title}'
            f'</title><meta name="robots" content="noindex, nofollow"></head><body>'
            f'<div id="print"><h1>{a.title}</h1><div class="bodytext">'
            + site.theme.body_html(a) + "</div></div></body></html>")
    return html(body, req.path)


def attachment(files, q, key: int, title: str, lines: tuple[str, ...],
               created: datetime) -> Response:
    try:
        idx = int(q.get("id", ["0"])[0])
        name, kind = files[idx]
    except (ValueError, IndexError):
        return Response(404, "text/plain; charset=utf-8", text="File not found")
    body = attachments.body(kind, key, title, lines, created)
    return Response(200, attachments.content_type(kind), body=body, headers=[
        ("Content-Disposition", f'attachment; filename="{name}"')])


def document_text(d) -> tuple[str, tuple[str, ...], datetime]:
    """Title, lines and date of a document's files (see replica.attachments)."""
    return d.title, (d.number, d.summary, *d.body), d.issued_on


def article_text(a) -> tuple[str, tuple[str, ...], datetime]:
    """Title, lines and date of an article's attachments."""
    return a.title, (a.summary, *a.paragraphs), a.published


def rss(site: Site, ctx: Ctx, cat: str | None) -> Response:
    m = site.model
    if cat is not None and cat not in CAT_INDEX:
        return html(site.theme.soft404(ctx), ctx.path)
    c = CAT_INDEX[cat] if cat else None
    ids = m.category_ids(c, site.night, 0, feeds.RSS_ITEMS)
    arts = [m.teaser(k, site.night) for k in ids]
    title = CATEGORIES[c][1] if c is not None else "Tin Tức"
    link = f"/vi/news/{cat}/" if cat else "/vi/news/"
    text = feeds.rss(ctx.base, title, link, ctx.path, arts, site.newest_time())
    return Response(200, "application/rss+xml; charset=utf-8", text=text)


def tag(site: Site, ctx: Ctx, kw: str) -> Response:
    m = site.model
    word = m.tag_words.get(kw)
    if word is None:
        return html(site.theme.soft404(ctx), ctx.path)
    arts = [m.teaser(k, site.night) for k in m.tag_ids(kw, site.night)]
    return html(site.theme.tag_page(ctx, word, arts), ctx.path)


def topic(site: Site, ctx: Ctx, alias: str) -> Response:
    m = site.model
    found = [i for i, (a, _) in enumerate(TOPICS) if a == alias]
    if not found:
        return html(site.theme.soft404(ctx), ctx.path)
    arts = [m.teaser(k, site.night) for k in m.topic_ids(found[0], site.night)]
    return html(site.theme.topic_page(ctx, TOPICS[found[0]][1], arts), ctx.path)


def laws(site: Site, req: Request, ctx: Ctx, q) -> Response:
    m = site.model
    path = req.path
    dm = LAW_RE.match(path)
    if dm:
        k = int(dm.group(2))
        if not m.document_exists(k, site.night):
            return not_found(site, ctx)
        d = m.document(k)
        if dm.group(1) != d.alias:
            return redirect(d.path)
        if q.get("download") == ["1"]:
            return attachment(d.files, q, d.id, *document_text(d))
        if q.get("pdf") == ["1"]:  # quick-view copy of a PDF attachment, served inline
            resp = attachment(d.files, q, d.id, *document_text(d))
            resp.headers = []
            return resp
        text = site.theme.law_detail(ctx, d)
        site.touch_document(d.id, counted=not req.session_known)
        return html(text, path)
    parts = [p for p in path.split("/") if p][2:]
    if len(parts) > 1:
        return not_found(site, ctx)
    page = page_number(parts[0] if parts else None)
    if page is None:
        return html(site.theme.soft404(ctx), path)  # unknown laws category: soft page
    total = m.state(site.night).max_document
    pages = max(1, -(-total // LAWS_PER_PAGE))
    start = (page - 1) * LAWS_PER_PAGE
    docs = [m.document(k) for k in m.document_ids(site.night, start, LAWS_PER_PAGE)]
    return html(site.theme.law_listing(ctx, docs, start, page, pages), path)

