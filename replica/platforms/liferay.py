"""Liferay 7 with VNPT ePortal portlets, as many provincial portals run it.

URL scheme (the shapes of PLATFORMS.md; markup written here after Liferay's portal-web
templates and the VNPT ePortal pages in tests/pages/liferay, not copied):

- `/` → 302 `/web/guest/trang-chu` (the home page); every page is a layout `/web/guest/<page>`.
- News: `/web/guest/tin-tuc` and one layout per category `/web/guest/<cat>`, 20 per page through
  the portlet's page iterator (`?p_p_id=<portlet>&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view
  &_<portlet>_delta=20&p_r_p_resetCur=false&_<portlet>_cur=N`).
- Article: `/web/guest/<cat>/-/view-content/<articleId>-<urlTitle>` (articleId = 450000 + k).
- Documents: `/web/guest/van-ban` (same page iterator), detail
  `/web/guest/van-ban/-/van-ban/chi-tiet/<id>` (id = 35000 + k) with a `th`/`td` table.
- Files: `/documents/20121/<folderId>/<name>/<uuid>?version=1.0&t=<ms>&download=true`
  (folder = the document's or the article's id); images `/documents/20121/0/<name>/<uuid>?t=<ms>`.
- Chrome: `/o/vnpt-portal-theme/…`, `/o/frontend-css-web/main.css`, `/combo?…&/o/…js`,
  `/image/layout_set_logo?img_id=…`; `/sitemap.xml` lists the layouts (not the articles).
- Traps: `p_p_state=maximized` portlet links, `p_p_state=pop_up&p_p_mode=print` print views,
  `?redirect=<page>` on the home page's article links, `/c/portal/login?p_l_id=…`,
  `/c/portal/update_language?…&redirect=…` (302 back), `/web/guest/tim-kiem?q=…`.
- Missing page, unknown or withdrawn article or document: 404 with Liferay's status page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from replica.content import CAT_INDEX, CATEGORIES, WEEKDAYS, Article, Image, Teaser
from replica.determinism import hexid
from replica.platforms.enterprise import (
    SITE_NAME,
    EnterprisePlatform,
    article_text,
    body_parts,
    category_title,
    ddmmyyyy,
    document_status,
    document_text,
    e,
    file_response,
    html,
    image_name,
    image_response,
    page_window,
    pages_of,
    q,
    redirect,
)
from replica.routes import Request, Response

if TYPE_CHECKING:
    from replica.site import Site

GROUP_ID = 20121
ARTICLE_BASE = 450000
DOC_BASE = 35000
THEME_ID = "vnptportaltheme_WAR_vnptportaltheme"
BUILD = "b=7310&amp;t=1712739312000"
CTYPE = "text/html;charset=UTF-8"  # Tomcat's spelling
NEWS = "tin-tuc"
DOCS = "van-ban"
HOME = "/web/guest/trang-chu"
LIST_PORTLET = "ArticleList_WAR_vnpteportalportlet_INSTANCE_"
DOC_PORTLET = "LegalDocument_WAR_vnpteportalportlet"
DETAIL_PORTLET = "ArticleDetail_WAR_vnpteportalportlet_INSTANCE_"
ARTICLE_RE = re.compile(r"^/web/guest/([a-z0-9-]+)/-/view-content/(\d+)-([a-z0-9-]*)$")
DOC_RE = re.compile(r"^/web/guest/van-ban/-/van-ban/chi-tiet/(\d+)$")
FILE_RE = re.compile(r"^/documents/20121/(\d+)/([^/]+)/([0-9a-f-]{36})$")
CSS = {"/o/vnpt-portal-theme/css/clay.css", "/o/vnpt-portal-theme/css/main.css",
       "/o/frontend-css-web/main.css"}
JS_COMBO = ("/o/frontend-js-jquery-web/jquery/jquery.min.js", "/o/frontend-js-aui-web/aui/aui/"
            "aui.js", "/o/frontend-js-web/liferay/global.bundle.js")
FAVICON = "/o/vnpt-portal-theme/images/favicon.ico"
LOGO = "/image/layout_set_logo?img_id=35501&t=1712739401234"


def instance(cat: str) -> str:
    """A portlet instance id, 12 characters as Liferay makes them."""
    return hexid("liferay-instance", cat)[:12]


def list_portlet(page: str) -> str:
    return LIST_PORTLET + instance(page)


def iterator_url(page: str, portlet: str, n: int) -> str:
    """Liferay's page-iterator link to page n of a portlet's search container."""
    if n == 1:
        return f"/web/guest/{page}"
    return (f"/web/guest/{page}?p_p_id={portlet}&p_p_lifecycle=0&p_p_state=normal"
            f"&p_p_mode=view&_{portlet}_delta=20&p_r_p_resetCur=false&_{portlet}_cur={n}")


def plid(page: str) -> int:
    """A layout's plid (`p_l_id`)."""
    return 20100 + int(hexid("plid", page)[:4], 16) % 900


def when(t) -> str:
    """`Thứ năm, 18/04/2024 - 14:05`: the VNPT ePortal detail date line."""
    return f"{WEEKDAYS[t.weekday()]}, {t:%d/%m/%Y - %H:%M}"


class Liferay(EnterprisePlatform):
    name = "liferay"
    session_cookie = "JSESSIONID"
    server_headers = (("Liferay-Portal", "Liferay Community Edition Portal 7.4.3.112 CE GA112"),)
    trap_patterns = (r"[?&]p_p_state=(?:maximized|pop_up)", r"[?&]redirect=", r"^/c/portal/",
                     r"^/web/guest/tim-kiem")
    removal_reason = "http_404"

    # ---- URL scheme -------------------------------------------------------------------------
    def article_path(self, site: Site, k: int) -> str:
        m = site.model  # the slug of the first title (cheaper than the whole head)
        cat = CATEGORIES[m.category_of(k)][0]
        return f"/web/guest/{cat}/-/view-content/{ARTICLE_BASE + k}-{m.first_alias(k)}"

    def article_key(self, k: int) -> str:
        return str(ARTICLE_BASE + k)

    def document_path(self, site: Site, k: int) -> str:
        return f"/web/guest/van-ban/-/van-ban/chi-tiet/{DOC_BASE + k}"

    def document_key(self, k: int) -> str:
        return str(DOC_BASE + k)

    def _file(self, site: Site, folder: int, name: str, stamp: int) -> str:
        uid = uuid_for(site, folder, name)
        return (f"/documents/{GROUP_ID}/{folder}/{name}/{uid}?version=1.0&t={stamp}"
                "&download=true")

    def article_file_path(self, site: Site, k: int, name: str) -> str:
        stamp = int(site.model.published(k).timestamp()) * 1000
        return self._file(site, ARTICLE_BASE + k, name, stamp)

    def document_file_path(self, site: Site, k: int, i: int, name: str) -> str:
        stamp = int(site.model.document(k).issued_on.timestamp()) * 1000
        return self._file(site, DOC_BASE + k, name, stamp)

    def image_path(self, site: Site, k: int, im: Image) -> str:
        _, _, name = image_name(im)
        stamp = int(site.model.published(k).timestamp()) * 1000
        return f"/documents/{GROUP_ID}/0/{name}/{uuid_for(site, 0, name)}?t={stamp}"

    def static_paths(self, site: Site) -> list[str]:
        return ["/robots.txt", "/sitemap.xml", FAVICON, LOGO, *sorted(css_urls()), js_combo_url()]

    def listing_paths(self, site: Site) -> list[str]:
        out = [HOME]
        for c, alias in [(None, NEWS)] + [(i, a) for i, (a, _) in enumerate(CATEGORIES)]:
            pages = pages_of(self.category_total(site, c), self.articles_per_page)
            out += [iterator_url(alias, list_portlet(alias), n) for n in range(1, pages + 1)]
        pages = pages_of(self.document_total(site), self.documents_per_page)
        out += [iterator_url(DOCS, DOC_PORTLET, n) for n in range(1, pages + 1)]
        return out

    # ---- routing ------------------------------------------------------------------------------
    def respond(self, site: Site, req: Request, base: str) -> Response:
        path, query = req.path, {k: v[0] for k, v in req.query.items()}
        if path == "/" or path in ("/web/guest", "/web/guest/"):
            return redirect(HOME)
        if path == "/robots.txt":
            return Response(200, "text/plain", text=f"User-Agent: *\nDisallow:\n\nSitemap: "
                            f"{base}/sitemap.xml\n")
        if path == "/sitemap.xml":
            return Response(200, "text/xml;charset=UTF-8", text=self.sitemap(site, base))
        if path.startswith("/o/") or path == "/combo":
            return static(req)
        if path == "/image/layout_set_logo":
            return image_response("/liferay/logo.png")
        if path.startswith("/documents/"):
            return self.download(site, req)
        if path.startswith("/c/portal/"):
            if path == "/c/portal/update_language":
                return redirect(query.get("redirect") or HOME)
            return html(self.page(site, "Đăng nhập", HOME, LOGIN_FORM), path, ctype=CTYPE)
        if path == "/web/guest/tim-kiem":
            text = self.page(site, "Tìm kiếm", path, f'<div class="search-results"><p>Không tìm '
                             f'thấy kết quả nào cho "{e(query.get("q", ""))}".</p></div>')
            return html(text, path, ctype=CTYPE)
        m = ARTICLE_RE.match(path)
        if m:
            return self.article_page(site, req, m.group(1), int(m.group(2)), m.group(3), query)
        m = DOC_RE.match(path)
        if m:
            return self.document_page(site, req, int(m.group(1)) - DOC_BASE, query)
        page = path[len("/web/guest/"):] if path.startswith("/web/guest/") else None
        if page == "trang-chu":
            return html(self.home(site), path, ctype=CTYPE)
        if page == NEWS or page in CAT_INDEX:
            return self.listing(site, req, page, query)
        if page == DOCS:
            return self.document_listing(site, req, query)
        return self.not_found(site)

    def not_found(self, site: Site) -> Response:
        main = ('<div class="portlet-boundary" id="p_p_id_com_liferay_portal_kernel_servlet_taglib'
                '_ui_StatusPortlet_"><section class="portlet"><div class="portlet-content"><h3 '
                'class="alert alert-danger">Không tìm thấy trang yêu cầu.</h3><p>Không tìm thấy '
                'tài nguyên được yêu cầu.</p><a href="/web/guest/trang-chu">« Quay về trang chủ'
                '</a></div></section></div>')
        return Response(404, CTYPE, text=self.page(site, "Trang không tồn tại", None, main))

    @staticmethod
    def cur(query: dict[str, str], portlet: str) -> int | None:
        raw = query.get(f"_{portlet}_cur", "1")
        return int(raw) if raw.isdigit() and int(raw) >= 1 else None

    def listing(self, site: Site, req: Request, page: str, query: dict[str, str]) -> Response:
        portlet = list_portlet(page)
        n = self.cur(query, portlet)
        if n is None:
            return self.not_found(site)
        cat = CAT_INDEX.get(page)
        total = self.category_total(site, cat)
        pages = pages_of(total, self.articles_per_page)
        items = self.teasers(site, cat, (n - 1) * self.articles_per_page, self.articles_per_page)
        title = category_title(cat)
        rows = "".join(self.teaser_html(site, t) for t in items)
        maximize = (f"/web/guest/{page}?p_p_id={portlet}&p_p_lifecycle=0&p_p_state=maximized"
                    "&p_p_mode=view")
        main = portlet_box(portlet, title, f'<div class="list-news">{rows}</div>'
                           + self.pager(page, portlet, n, pages), maximize=maximize)
        key = iterator_url(page, portlet, n) if n <= pages else req.target
        return html(self.page(site, title, f"/web/guest/{page}", main), key, ctype=CTYPE)

    def teaser_html(self, site: Site, t: Teaser, redirect_from: str | None = None) -> str:
        href = self.article_path(site, t.id)
        if redirect_from:
            href += f"?redirect={q(redirect_from)}"
        img = ""
        if t.lead:
            img = (f'<div class="news-image"><a href="{e(href)}"><img alt="{e(t.lead.alt)}" '
                   f'src="{e(self.image_path(site, t.id, t.lead))}" /></a></div>')
        return (f'<div class="news-item">{img}<h3 class="title"><a href="{e(href)}">{e(t.title)}'
                f'</a></h3><div class="date">{t.published:%d/%m/%Y %H:%M}</div>'
                f'<div class="sapo">{e(t.summary)}</div></div>')

    @staticmethod
    def pager(page: str, portlet: str, n: int, pages: int) -> str:
        if pages <= 1:
            return ""
        items = []
        if n > 1:
            items.append(f'<li class="page-item"><a aria-label="Previous" class="page-link" '
                         f'href="{e(iterator_url(page, portlet, n - 1))}">«</a></li>')
        last = 0
        for p in page_window(n, pages):
            if p > last + 1:
                items.append('<li class="page-item disabled"><span class="page-link">…</span>'
                             "</li>")
            if p == n:
                items.append(f'<li class="page-item active"><span class="page-link">{p}</span>'
                             "</li>")
            else:
                items.append(f'<li class="page-item"><a class="page-link" '
                             f'href="{e(iterator_url(page, portlet, p))}">{p}</a></li>')
            last = p
        if n < pages:
            items.append(f'<li class="page-item"><a aria-label="Next" class="page-link" '
                         f'href="{e(iterator_url(page, portlet, n + 1))}">»</a></li>')
        return ('<div class="taglib-page-iterator"><div class="lfr-pagination"><div '
                f'class="lfr-pagination-config">Trang {n} / {pages}</div><ul class="pagination">'
                + "".join(items) + "</ul></div></div>")

    # ---- articles -------------------------------------------------------------------------
    def article_page(self, site: Site, req: Request, cat: str, article_id: int, slug: str,
                     query: dict[str, str]) -> Response:
        k = article_id - ARTICLE_BASE
        a, _ = self.article_at(site, k)
        if a is None:
            return self.not_found(site)
        canonical = self.article_path(site, k)
        if req.path != canonical:
            return redirect(canonical, 301)
        if query.get("p_p_state") == "pop_up":  # print view
            body = (f'<!DOCTYPE html><html lang="vi-VN"><head><meta content="text/html; '
                    f'charset=utf-8" http-equiv="content-type" /><title>{e(a.title)}</title>'
                    f'</head><body class="portal-popup"><div class="detail-article print">'
                    f'<h1 class="title">{e(a.title)}</h1><div class="content">'
                    f"{self.body_html(site, a)}</div></div></body></html>")
            return html(body, req.target, ctype=CTYPE)
        return html(self.page(site, a.title, f"/web/guest/{cat}", self.article_main(site, a),
                              og=True), canonical, ctype=CTYPE)

    def image_html(self, site: Site, a: Article, im: Image) -> str:
        src = e(self.image_path(site, a.id, im))
        img = f'<img src="{src}" alt="{e(image_name(im)[2])}" />'
        if not im.caption_lines:
            return f'<p style="text-align: center;">{img}</p>'
        caption = "<br />".join(e(x) for x in im.caption_lines)
        if im.credit:
            caption += f" (Ảnh: {e(im.credit)})"
        return (f'<table class="image-table" align="center"><tbody><tr><td>{img}</td></tr>'
                f"<tr><td>{caption}</td></tr></tbody></table>")

    def body_html(self, site: Site, a: Article) -> str:
        return body_parts(a, lambda art, im: self.image_html(site, art, im),
                          lambda p: f"<p>{e(p)}</p>")

    def article_main(self, site: Site, a: Article) -> str:
        path = self.article_path(site, a.id)
        lead = ""
        if a.lead:
            lead = (f'<div class="anh-dai-dien"><img src="{e(self.image_path(site, a.id, a.lead))}"'
                    f' alt="{e(a.lead.alt)}" /><p class="caption">{e(a.lead.caption)}</p></div>')
        byline = []
        if a.author_line:
            byline.append(f"Tác giả: {e(a.author_line)}")
        if a.source:
            byline.append(f"Nguồn tin: {e(a.source)}")
        files = ""
        if a.attachments:
            links = "".join(f'<li><a href="{e(self.article_file_path(site, a.id, name))}">'
                            f"{e(name)}</a></li>" for name, _ in a.attachments)
            files = f'<div class="attachments"><h4>Tệp đính kèm</h4><ul>{links}</ul></div>'
        tags = ""
        if a.tags:
            words = site.model.tag_words
            tags = ('<div class="tags">Từ khóa: '
                    + ", ".join(f"<span>{e(words[t])}</span>" for t in a.tags) + "</div>")
        related = "".join(f'<li><a href="{e(self.article_path(site, t.id))}">{e(t.title)}</a> '
                          f"<span>({t.published:%d/%m/%Y})</span></li>"
                          for t in self.older_in_category(site, a))
        portlet = DETAIL_PORTLET + instance("detail")
        share = q(f"http://{SITE_HOST}{path}")
        inner = (f'<div class="detail-article">\n<h1 class="title">{e(a.title)}</h1>\n'
                 f'<div class="date"><i class="fa fa-calendar"></i> {when(a.published)}</div>\n'
                 f'<div class="sapo">{e(a.summary)}</div>\n{lead}\n<div class="content">\n'
                 f"{self.body_html(site, a)}\n</div>\n"
                 + (f'<div class="author">{"<br/>".join(byline)}</div>\n' if byline else "")
                 + files + tags
                 + f'<div class="print-action"><a href="{e(path)}?p_p_state=pop_up&amp;'
                 'p_p_mode=print" rel="nofollow">In bài viết</a></div>'
                 f'<div class="taglib-social-bookmarks"><ul><li><a href="https://www.facebook.com/'
                 f'sharer.php?u={share}">Facebook</a></li></ul></div>'
                 + (f'<div class="related-news"><h3>Tin khác</h3><ul>{related}</ul></div>'
                    if related else "") + "</div>")
        return portlet_box(portlet, None, inner)

    # ---- documents ------------------------------------------------------------------------
    def document_listing(self, site: Site, req: Request, query: dict[str, str]) -> Response:
        n = self.cur(query, DOC_PORTLET)
        if n is None:
            return self.not_found(site)
        pages = pages_of(self.document_total(site), self.documents_per_page)
        rows = "".join(
            f'<tr><td>{e(d.number)}</td><td>{ddmmyyyy(d.issued_on)}</td><td><a href="'
            f'{e(self.document_path(site, d.id))}">{e(d.title)}</a></td><td>{e(d.doc_type)}</td>'
            "</tr>" for d in self.documents(site, n))
        table = ('<table class="table table-bordered table-striped"><thead><tr><th>Số ký hiệu'
                 '</th><th>Ngày ban hành</th><th>Trích yếu</th><th>Loại văn bản</th></tr></thead>'
                 f"<tbody>{rows}</tbody></table>")
        main = portlet_box(DOC_PORTLET, "Văn bản", f'<div class="vanban-list">{table}</div>'
                           + self.pager(DOCS, DOC_PORTLET, n, pages))
        key = iterator_url(DOCS, DOC_PORTLET, n) if n <= pages else req.target
        return html(self.page(site, "Văn bản", "/web/guest/van-ban", main), key, ctype=CTYPE)

    def document_page(self, site: Site, req: Request, k: int,
                      query: dict[str, str]) -> Response:
        if not site.model.document_exists(k, site.night):
            return self.not_found(site)
        d = site.model.document(k)
        rows = [("Số ký hiệu", e(d.number)), ("Loại văn bản", e(d.doc_type)),
                ("Cơ quan ban hành", e(d.issuer)), ("Người ký", e(d.signer)),
                ("Ngày ban hành", ddmmyyyy(d.issued_on)),
                ("Ngày hiệu lực", ddmmyyyy(d.effective_on))]
        if d.expires_on:
            rows.append(("Ngày hết hiệu lực", ddmmyyyy(d.expires_on)))
        rows += [("Lĩnh vực", e(d.field)), ("Trích yếu", e(d.summary)),
                 ("Tình trạng hiệu lực", document_status(d))]
        files = "<br/>".join(f'<a href="{e(self.document_file_path(site, k, i, name))}">'
                             f"{e(name)}</a>" for i, (name, _) in enumerate(d.files))
        rows.append(("Tệp đính kèm", files))
        table = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
        print_url = (f"{self.document_path(site, k)}?p_p_id={DOC_PORTLET}&p_p_lifecycle=0"
                     "&p_p_state=pop_up&p_p_mode=print")
        inner = (f'<div class="vanban-detail"><h2>{e(d.title)}</h2><table class="table '
                 f'table-bordered"><tbody>{table}</tbody></table><div class="back"><a href="'
                 f'/web/guest/van-ban">Quay lại</a> | <a href="{e(print_url)}" rel="nofollow">In'
                 "</a></div></div>")
        if query.get("p_p_state") == "pop_up":
            return html(f'<!DOCTYPE html><html lang="vi-VN"><head><meta content="text/html; '
                        f'charset=utf-8" http-equiv="content-type" /><title>{e(d.title)}</title>'
                        f"</head><body class=\"portal-popup\">{inner}</body></html>", req.target,
                        ctype=CTYPE)
        main = portlet_box(DOC_PORTLET, None, inner)
        return html(self.page(site, "Văn bản", "/web/guest/van-ban", main),
                    self.document_path(site, k), ctype=CTYPE)

    def download(self, site: Site, req: Request) -> Response:
        m = FILE_RE.match(req.path)
        if not m:
            return self.not_found(site)
        folder, name, uid = int(m.group(1)), unquote(m.group(2)), m.group(3)
        if uid != uuid_for(site, folder, name):
            return self.not_found(site)
        if folder == 0:
            return image_response(req.path)
        inline = req.query.get("download") != ["true"]
        model = site.model
        if folder >= ARTICLE_BASE:
            a, _ = self.article_at(site, folder - ARTICLE_BASE)
            resp = file_response(a.attachments, name, a.id, article_text(a), inline) if a else None
        elif folder > DOC_BASE and model.document_exists(folder - DOC_BASE, site.night):
            d = model.document(folder - DOC_BASE)
            resp = file_response(d.files, name, d.id, document_text(d), inline)
        else:
            resp = None
        return resp or self.not_found(site)

    # ---- home, sitemap, shell -------------------------------------------------------------
    def home(self, site: Site) -> str:
        blocks = []
        for c, (alias, title) in enumerate(CATEGORIES):
            items = "".join(self.teaser_html(site, t, redirect_from=HOME)
                            for t in self.teasers(site, c, 0, 5))
            portlet = list_portlet(alias) + "_home"
            maximize = (f"/web/guest/{alias}?p_p_id={list_portlet(alias)}&p_p_lifecycle=0"
                        "&p_p_state=maximized&p_p_mode=view")
            blocks.append(portlet_box(portlet, title, f'<div class="list-news">{items}</div>'
                                      f'<a class="more" href="/web/guest/{alias}">Xem tiếp</a>',
                                      maximize=maximize))
        docs = "".join(f'<li><a href="{e(self.document_path(site, d.id))}">{e(d.number)}</a> '
                       f"{e(d.title)}</li>" for d in self.documents(site, 1)[:5])
        blocks.append(portlet_box(DOC_PORTLET + "_home", "Văn bản mới", f"<ul>{docs}</ul>"))
        return self.page(site, "Trang chủ", HOME, "\n".join(blocks))

    def sitemap(self, site: Site, base: str) -> str:
        pages = [HOME, f"/web/guest/{NEWS}", *(f"/web/guest/{a}" for a, _ in CATEGORIES),
                 f"/web/guest/{DOCS}"]
        urls = "".join(f"<url><loc>{e(base + p)}</loc><changefreq>daily</changefreq>"
                       "<priority>0.5</priority></url>" for p in pages)
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">{urls}</urlset>')

    def page(self, site: Site, title: str, nav: str | None, main: str, og: bool = False) -> str:
        menu = [("Trang chủ", HOME), ("Tin tức", f"/web/guest/{NEWS}")] + [
            (t, f"/web/guest/{a}") for a, t in CATEGORIES] + [("Văn bản", f"/web/guest/{DOCS}")]
        selected = ' class="selected"'
        nav_items = "".join(
            f'<li{selected if href == nav else ""} role="presentation"><a href="'
            f'{href}" role="menuitem"><span>{e(name)}</span></a></li>' for name, href in menu)
        here = nav or HOME
        layout = plid(here.rsplit("/", 1)[-1])
        css = "\n".join(f'<link class="lfr-css-file" data-senna-track="temporary" href="'
                        f'{e(u)}" rel="stylesheet" type="text/css" />' for u in sorted(css_urls()))
        lang = (f"/c/portal/update_language?p_l_id={layout}&amp;redirect={q(here)}"
                "&amp;languageId=en_US")
        og_tags = f'<meta property="og:title" content="{e(title)}" />\n' if og else ""
        return f"""<!DOCTYPE html>
<html class="ltr" dir="ltr" lang="vi-VN">
<head>
<title>{e(title)} - {SITE_NAME}</title>
<meta content="initial-scale=1.0, width=device-width" name="viewport" />
<meta content="text/html; charset=utf-8" http-equiv="content-type" />
{og_tags}<link href="{FAVICON}" rel="icon" />
{css}
<script data-senna-track="permanent" src="{e(js_combo_url())}" type="text/javascript"></script>
<script data-senna-track="temporary" type="text/javascript">
// <![CDATA[
var Liferay = Liferay || {{}};
var themeDisplay = Liferay.ThemeDisplay = {{getLayoutRelativeURL: function() {{return '{here}';}}, getPlid: function() {{return '{layout}';}}, getScopeGroupId: function() {{return '{GROUP_ID}';}}, getLanguageId: function() {{return 'vi_VN';}}}};
// ]]>
</script>
</head>
<body class="controls-visible chrome yui3-skin-sam signed-out public-page site">
<div class="d-flex flex-column min-vh-100">
<div class="d-flex flex-column flex-fill" id="wrapper">
<header id="banner" role="banner"><div class="header-top"><a class="logo" href="{HOME}" title="Đi tới {SITE_NAME}"><img alt="" height="90" src="{e(LOGO)}" width="640" /></a>
<div class="user-links"><a href="/c/portal/login?p_l_id={layout}" rel="nofollow">Đăng nhập</a> | <a href="{lang}" rel="nofollow">English</a></div>
<form action="/web/guest/tim-kiem" class="search" method="get"><input name="q" type="text" /></form></div>
<nav class="sort-pages modify-pages" id="navigation" role="navigation"><ul aria-label="Trang Site" role="menubar">{nav_items}</ul></nav></header>
<section class="container-fluid flex-fill" id="content">
<div class="columns-1" id="main-content" role="main">
<div class="portlet-layout row"><div class="col-md-12 portlet-column portlet-column-only" id="column-1">
<div class="portlet-dropzone portlet-column-content portlet-column-content-only" id="layout-column_column-1">
{main}
</div></div></div></div></section>
<footer id="footer" role="contentinfo"><p>Cơ quan chủ quản: UBND tỉnh Lai Châu. Đơn vị vận hành: Văn phòng UBND tỉnh.</p><p>Ghi rõ nguồn "{SITE_NAME}" khi phát hành lại thông tin từ website này.{self.fault_links()}</p></footer>
</div></div>
<script type="text/javascript">// <![CDATA[
AUI().use('aui-base', function(A) {{Liferay.Util.addInputType();}});
// ]]></script>
</body>
</html>
"""  # noqa: E501 (the page as the platform sends it, one line per part)


SITE_HOST = "laichau.gov.vn"
LOGIN_FORM = ('<div class="portlet-boundary portlet-boundary_com_liferay_login_web_portlet_'
              'LoginPortlet_"><form class="form sign-in-form" method="post" action="#"><label>'
              'Địa chỉ email</label><input name="_com_liferay_login_web_portlet_LoginPortlet_login"'
              ' type="text" /><label>Mật khẩu</label><input type="password" /><button '
              'type="submit">Đăng nhập</button></form></div>')


def portlet_box(portlet: str, title: str | None, inner: str, maximize: str | None = None) -> str:
    """A portlet with Liferay's wrappers: boundary, decorated section, content, body."""
    header = ""
    if title:
        tools = (f'<a class="portlet-maximize" href="{e(maximize)}" rel="nofollow" title="Phóng '
                 f'to">+</a>' if maximize else "")
        header = (f'<div class="autofit-float autofit-row portlet-header"><div class="autofit-col '
                  f'autofit-col-expand"><h2 class="portlet-title-text">{e(title)}</h2></div>'
                  f"{tools}</div>")
    return (f'<div class="portlet-boundary portlet-boundary_{portlet.split("_INSTANCE_")[0]}_ '
            f'portlet-static portlet-static-end portlet-decorate" id="p_p_id_{portlet}_">\n'
            f'<span id="p_{portlet}"></span>\n<section class="portlet" id="portlet_{portlet}">\n'
            f'<div class="portlet-content">{header}\n<div class="portlet-content-container">'
            f'<div class="portlet-body">\n{inner}\n</div></div></div></section></div>')


def uuid_for(site: Site, folder: int, name: str) -> str:
    h = hexid(site.config.seed, "liferay-file", folder, name)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def css_urls() -> set[str]:
    query = f"?browserId=other&themeId={THEME_ID}&languageId=vi_VN&{BUILD.replace('&amp;', '&')}"
    return {u + query for u in CSS}


def js_combo_url() -> str:
    return ("/combo?browserId=other&minifierType=js&languageId=vi_VN&"
            + BUILD.replace("&amp;", "&") + "&" + "&".join(JS_COMBO))


def static(req: Request) -> Response:
    """The theme's CSS, the combo servlet's JavaScript and the favicon."""
    path = req.path
    if path in CSS:
        return Response(200, "text/css", text=f"/* {path} (replica) */\n.portlet-boundary"
                        "{margin-bottom:1rem}\n.detail-article .date{color:#777}\n"
                        ".image-table td{text-align:center;font-style:italic}\n")
    if path == FAVICON:
        return image_response("/liferay/favicon.png")
    if path == "/combo":
        files = [k for k in parse_qs(urlsplit(req.target).query, keep_blank_values=True)
                 if k.startswith("/o/")]
        if files and all(f in JS_COMBO for f in files):
            return Response(200, "text/javascript", text="".join(
                f"/* {f} (replica) */\nvar Liferay=window.Liferay||{{}};\n" for f in files))
    return Response(404, "text/plain", text="Not Found")



__all__ = ["Liferay"]
