"""DotNetNuke 7 (friendly URLs) with the EasyDNNnews module and a legal-documents module.

URL scheme (PLATFORMS.md's shapes; markup written here after DNN's skin objects and module
containers and the page in tests/pages/dotnetnuke, not copied):

- Home `/`; every page is a tab with a friendly URL (`/tin-tuc`, `/van-ban`).
- News (module 1520 on tab `tin-tuc`): `/tin-tuc`, categories
  `/tin-tuc/ArtMID/1520/CategoryID/<n>/<Name>`, 10 a page: `<listing>/PgrID/1520/PageID/<N>`;
  tags `/tin-tuc/tag/<tag>`.
- Article: `/tin-tuc/ArtMID/1520/ArticleID/<3000 + k>/<Title-Slug>` (a wrong slug → 301);
  date `12/03/2024 08:30` in `time.edn_articleDate`; images and attachments
  `/Portals/0/EasyDNNnews/<ArticleID>/<file>`.
- Documents (module 1600 on tab `van-ban`): `/van-ban`, `/van-ban/mid/1600/Page/<N>`, detail
  `/van-ban/mid/1600/ItemID/<k>`; files through `/LinkClick.aspx?fileticket=<t>&tabid=57
  &portalid=0&mid=1600` (Content-Disposition names the file).
- Chrome: `/Portals/_default/skins/laichau/…`, `/Portals/0/portal.css`, `/Resources/…`,
  `/DesktopModules/EasyDNNnews/…`, `/js/dnn.js`; ids `dnn_ctr<module>_…`; `/sitemap.aspx`.
- Traps: `/Default.aspx?tabid=<n>&ctl=Login&returnurl=…` (and `ctl=Register`), the article's
  print view `…/ArticleID/<id>/Print`, `?returnurl=` on the search link (`/tim-kiem`).
- Missing: an unknown page answers 404 (DNN's page-not-found tab); a withdrawn article answers
  as the model says (404, or 200 with EasyDNNnews' "Bài viết không tồn tại"); an unknown
  ArticleID answers that soft 200.
"""

from __future__ import annotations

import base64
import re
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote

from replica.content import CATEGORIES, Article, Image, Teaser
from replica.platforms.enterprise import (
    SITE_NAME,
    EnterprisePlatform,
    article_text,
    ascii_slug,
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
    signer_title,
)
from replica.routes import Request, Response

if TYPE_CHECKING:
    from replica.site import Site

ARTICLE_BASE = 3000
NEWS_MID, DOCS_MID = 1520, 1600
TAB_HOME, TAB_NEWS, TAB_DOCS = 21, 56, 57
CDV = "?cdv=112"
CSS = ("/Resources/Shared/stylesheets/dnndefault/7.0.0/default.css",
       "/DesktopModules/EasyDNNnews/Templates/_default/Ozone/Ozone.css",
       "/Portals/_default/skins/laichau/skin.css", "/Portals/0/portal.css")
JS = ("/Resources/libraries/jQuery/01_09_01/jquery.js", "/js/dnn.js",
      "/js/dnn.modalpopup.js")
IMAGES = ("/Portals/0/logo-laichau.png", "/Portals/0/favicon.ico")
NEWS_RE = re.compile(r"^/tin-tuc(?:/ArtMID/1520/CategoryID/(\d+)/([A-Za-z0-9-]+))?"
                     r"(?:/PgrID/1520/PageID/(\d+))?$")
ARTICLE_RE = re.compile(r"^/tin-tuc/ArtMID/1520/ArticleID/(\d+)/([A-Za-z0-9-]+)$")
DOCS_RE = re.compile(r"^/van-ban(?:/mid/1600/(Page|ItemID)/(\d+))?$")
RSS_PATH = "/DesktopModules/EasyDNNNews/RSS.ashx"
RSS_URL = f"{RSS_PATH}?portalid=0&moduleid=1520&tabid=56"
RSS_ITEMS = 30
EDN_FILE_RE = re.compile(r"^/Portals/0/EasyDNNnews/(\d+)/([^/]+)$")


def category_slug(c: int) -> str:
    return ascii_slug(CATEGORIES[c][1], keep_case=True)


def news_url(cat: int | None, page: int = 1) -> str:
    url = "/tin-tuc" if cat is None else f"/tin-tuc/ArtMID/1520/CategoryID/{cat + 1}/" \
        f"{category_slug(cat)}"
    return url if page == 1 else f"{url}/PgrID/{NEWS_MID}/PageID/{page}"


def docs_url(page: int = 1) -> str:
    return "/van-ban" if page == 1 else f"/van-ban/mid/{DOCS_MID}/Page/{page}"


def ticket(k: int, i: int) -> str:
    """A LinkClick file ticket: opaque-looking, but it names (document, file)."""
    raw = base64.b64encode(f"vb{k:06d}f{i}".encode()).decode()
    # Percent-encoded as crawlers normalise it (RFC 3986 §6.2.2.1: upper-case hex), so the
    # URL a crawl records is the one listed in the ground truth.
    return raw.replace("=", "%3D")


def unticket(value: str) -> tuple[int, int] | None:
    try:
        raw = base64.b64decode(unquote(value)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    m = re.fullmatch(r"vb(\d{6})f(\d)", raw)
    return (int(m.group(1)), int(m.group(2))) if m else None


class DotNetNuke(EnterprisePlatform):
    name = "dotnetnuke"
    session_cookie = "ASP.NET_SessionId"
    server_headers = (("Server", "Microsoft-IIS/8.5"), ("X-Powered-By", "ASP.NET"))
    trap_patterns = (r"[?&]ctl=(?:Login|Register)", r"[?&]returnurl=", r"/ArticleID/\d+/Print$",
                     r"/ctl/Print/")
    articles_per_page = 10

    # ---- URL scheme -------------------------------------------------------------------------
    def slug(self, site: Site, k: int) -> str:
        """EasyDNNnews' title link: the title at publication, diacritics dropped, case kept."""
        slug = ascii_slug(site.model.first_title(k), keep_case=True)
        return slug[:80].rsplit("-", 1)[0] if len(slug) > 80 else slug

    def article_path(self, site: Site, k: int) -> str:
        return f"/tin-tuc/ArtMID/{NEWS_MID}/ArticleID/{ARTICLE_BASE + k}/{self.slug(site, k)}"

    def article_key(self, k: int) -> str:
        return str(ARTICLE_BASE + k)

    def document_path(self, site: Site, k: int) -> str:
        return f"/van-ban/mid/{DOCS_MID}/ItemID/{k}"

    def document_key(self, k: int) -> str:
        return str(k)

    def article_file_path(self, site: Site, k: int, name: str) -> str:
        return f"/Portals/0/EasyDNNnews/{ARTICLE_BASE + k}/{name}"

    def document_file_path(self, site: Site, k: int, i: int, name: str) -> str:
        return (f"/LinkClick.aspx?fileticket={ticket(k, i)}&tabid={TAB_DOCS}&portalid=0"
                f"&mid={DOCS_MID}")

    def image_path(self, site: Site, k: int, im: Image) -> str:
        return f"/Portals/0/EasyDNNnews/{ARTICLE_BASE + k}/{image_name(im)[2]}"

    def static_paths(self, site: Site) -> list[str]:
        return ["/robots.txt", "/sitemap.aspx", RSS_URL, *(u + CDV for u in CSS + JS), *IMAGES]

    def listing_paths(self, site: Site) -> list[str]:
        out = ["/"]
        for cat in [None, *range(len(CATEGORIES))]:
            pages = pages_of(self.category_total(site, cat), self.articles_per_page)
            out += [news_url(cat, n) for n in range(1, pages + 1)]
        pages = pages_of(self.document_total(site), self.documents_per_page)
        out += [docs_url(n) for n in range(1, pages + 1)]
        return out

    def tag_paths(self, site: Site, tags: set[str]) -> list[str]:
        return [f"/tin-tuc/tag/{t}" for t in site.model.tags if t in tags]

    # ---- routing ------------------------------------------------------------------------------
    def respond(self, site: Site, req: Request, base: str) -> Response:
        path = req.path
        query = {k.lower(): v[0] for k, v in req.query.items()}
        if path == "/robots.txt":
            return Response(200, "text/plain", text="User-agent: *\nDisallow: /admin/\n"
                            "Disallow: /App_Browsers/\nDisallow: /App_Code/\nDisallow: /App_Data/"
                            "\nDisallow: /bin/\nDisallow: /Install/\nDisallow: /Providers/\n"
                            f"Sitemap: {base}/sitemap.aspx\n")
        if path == "/sitemap.aspx":
            return Response(200, "text/xml; charset=utf-8", text=self.sitemap(site, base))
        if path in CSS:
            return Response(200, "text/css", text=f"/* {path} (replica) */\n.DnnModule"
                            "{margin-bottom:15px}\n.edn_articleDate{color:#888}\n")
        if path in JS:
            return Response(200, "application/javascript", text=f"/* {path} (replica) */\n"
                            "var dnn=window.dnn||{};\n")
        if path in IMAGES:
            return image_response(path.replace(".ico", ".png"))
        if path in ("/Default.aspx", "/default.aspx"):
            if "ctl" in query:  # Login / Register controls: a trap, never canonical
                return self.control(site, req, query["ctl"])
            return redirect("/", 301)
        if path == "/LinkClick.aspx":
            return self.link_click(site, query)
        m = EDN_FILE_RE.match(path)
        if m:
            return self.edn_file(site, int(m.group(1)) - ARTICLE_BASE, unquote(m.group(2)))
        if path == "/":
            return html(self.home(site), "/")
        m = re.match(r"^/(tin-tuc|van-ban)/ctl/Print/mid/(\d+)$", path)
        if m:  # the container's print action: the module alone, a trap
            main = self.module(int(m.group(2)), "In", "<p>Bản in của mô-đun.</p>", "Print")
            return html(main, req.target)
        if path == RSS_PATH:
            return Response(200, "text/xml; charset=utf-8", text=self.rss(site, base))
        if path == "/tim-kiem":
            main = self.module(9000, "Tìm kiếm", '<p class="NormalRed">Không tìm thấy kết quả '
                               "nào.</p>", "DNN_Search")
            return html(self.page(site, "Tìm kiếm", "/", main), req.target)
        m = ARTICLE_RE.match(path)
        if m:
            return self.article_page(site, req, int(m.group(1)) - ARTICLE_BASE, base)
        m = re.match(r"^/tin-tuc/ArtMID/1520/ArticleID/(\d+)/Print$", path)
        if m:
            return self.print_view(site, req, int(m.group(1)) - ARTICLE_BASE)
        m = NEWS_RE.match(path)
        if m:
            return self.listing(site, req, m.group(1), m.group(2), m.group(3))
        if path.startswith("/tin-tuc/tag/"):
            return self.tag_page(site, req, path[len("/tin-tuc/tag/"):])
        m = DOCS_RE.match(path)
        if m:
            if m.group(1) == "ItemID":
                return self.document_page(site, req, int(m.group(2)))
            return self.document_listing(site, req, int(m.group(2) or 1))
        return self.not_found(site)

    def not_found(self, site: Site) -> Response:
        main = self.module(1700, "Không tìm thấy trang", '<div class="dnnFormMessage '
                           'dnnFormWarning">Trang bạn yêu cầu không tồn tại hoặc đã được di '
                           'chuyển. <a href="/">Về trang chủ</a></div>', "DNN_HTML")
        return Response(404, text=self.page(site, "Không tìm thấy trang", None, main))

    def soft_not_found(self, site: Site, req: Request) -> Response:
        main = self.module(NEWS_MID, None, '<div class="edn_article"><div class="edn_'
                           'noArticles">Bài viết không tồn tại hoặc đã bị gỡ bỏ.</div></div>',
                           "EasyDNNnews")
        return html(self.page(site, "Tin tức", "/tin-tuc", main), req.path)

    def control(self, site: Site, req: Request, ctl: str) -> Response:
        title = "Đăng ký" if ctl.lower() == "register" else "Đăng nhập"
        main = self.module(1800, title, '<div class="dnnForm dnnLoginService"><label>Tên đăng '
                           'nhập</label><input type="text" /><label>Mật khẩu</label><input '
                           'type="password" /><a class="dnnPrimaryAction" href="#">' + title
                           + "</a></div>", "Authentication")
        return html(self.page(site, title, None, main), req.target)

    # ---- listings -------------------------------------------------------------------------
    def listing(self, site: Site, req: Request, cat_id: str | None, slug: str | None,
                page: str | None) -> Response:
        cat = int(cat_id) - 1 if cat_id else None
        if cat is not None and not 0 <= cat < len(CATEGORIES):
            return self.not_found(site)
        if cat is not None and slug != category_slug(cat):
            return redirect(news_url(cat, int(page or 1)), 301)
        n = int(page or 1)
        if n < 1:
            return self.not_found(site)
        pages = pages_of(self.category_total(site, cat), self.articles_per_page)
        items = self.teasers(site, cat, (n - 1) * self.articles_per_page, self.articles_per_page)
        body = "".join(self.teaser_html(site, t) for t in items)
        title = category_title(cat)
        main = self.module(NEWS_MID, title, f'<div class="eds_news_module_{NEWS_MID} news '
                           'eds_subCollection_news eds_news_Ozone eds_template_List_Article_'
                           f'Default">{body}{self.pager(cat, n, pages)}</div>', "EasyDNNnews",
                           tab="/tin-tuc")
        key = news_url(cat, n) if n <= pages else req.path
        return html(self.page(site, title, "/tin-tuc", main), key)

    def teaser_html(self, site: Site, t: Teaser) -> str:
        href = e(self.article_path(site, t.id))
        img = ""
        if t.lead:
            img = (f'<div class="edn_mediaContainer"><a href="{href}"><img alt="{e(t.lead.alt)}" '
                   f'src="{e(self.image_path(site, t.id, t.lead))}" /></a></div>')
        return (f'<div class="edn_article edn_clearFix">{img}<h2 class="edn_articleTitle"><a '
                f'href="{href}">{e(t.title)}</a></h2><time class="edn_articleDate">'
                f'{t.published:%d/%m/%Y %H:%M}</time><div class="edn_articleSummary">'
                f"{e(t.summary)}</div></div>")

    @staticmethod
    def pager(cat: int | None, n: int, pages: int) -> str:
        if pages <= 1:
            return ""
        links = []
        if n > 1:
            links.append(f'<a class="prev" href="{e(news_url(cat, n - 1))}">«</a>')
        last = 0
        for p in page_window(n, pages, span=2):
            if p > last + 1:
                links.append('<span class="dots">…</span>')
            links.append(f'<span class="active">{p}</span>' if p == n
                         else f'<a class="page" href="{e(news_url(cat, p))}">{p}</a>')
            last = p
        if n < pages:
            links.append(f'<a class="next" href="{e(news_url(cat, n + 1))}">»</a>')
        return f'<div class="article_pager">{"".join(links)}</div>'

    def tag_page(self, site: Site, req: Request, tag: str) -> Response:
        word = site.model.tag_words.get(tag)
        if word is None:
            return self.soft_not_found(site, req)
        items = [site.model.teaser(k, site.night) for k in site.model.tag_ids(tag, site.night)]
        body = "".join(self.teaser_html(site, t) for t in items)
        main = self.module(NEWS_MID, f"Từ khóa: {word}", f'<div class="eds_news_module_{NEWS_MID}'
                           f' news eds_template_List_Article_Default">{body}</div>', "EasyDNNnews")
        return html(self.page(site, word, "/tin-tuc", main), req.path)

    # ---- articles ------------------------------------------------------------------------
    def article_page(self, site: Site, req: Request, k: int, base: str) -> Response:
        a, gone = self.article_at(site, k)
        if gone == "http_404":
            return self.not_found(site)
        if a is None:
            return self.soft_not_found(site, req)
        canonical = self.article_path(site, k)
        if req.path != canonical:
            return redirect(canonical, 301)
        return html(self.page(site, a.title, "/tin-tuc", self.article_main(site, a),
                              description=a.summary, og=base + canonical), canonical)

    def print_view(self, site: Site, req: Request, k: int) -> Response:
        a, _ = self.article_at(site, k)
        if a is None:
            return self.not_found(site)
        text = (f'<!DOCTYPE html><html lang="vi-VN"><head><meta content="text/html; charset=utf-8"'
                f' http-equiv="Content-Type" /><title>{e(a.title)}</title><meta name="ROBOTS" '
                f'content="NOINDEX, NOFOLLOW" /></head><body class="edn_printBody"><h1>'
                f'{e(a.title)}</h1><div class="edn_articleContent">{self.body_html(site, a)}'
                "</div></body></html>")
        return html(text, req.path)

    def image_html(self, site: Site, a: Article, im: Image) -> str:
        img = f'<img alt="{e(im.alt)}" src="{e(self.image_path(site, a.id, im))}" />'
        if not im.caption_lines:
            return f'<div class="edn_mediaContainer">{img}</div>'
        caption = "<br />".join(e(x) for x in im.caption_lines)
        if im.credit:
            caption += f". Ảnh: {e(im.credit)}"
        return f'<div class="edn_mediaContainer">{img}<p class="caption">{caption}</p></div>'

    def body_html(self, site: Site, a: Article) -> str:
        return body_parts(a, lambda art, im: self.image_html(site, art, im),
                          lambda p: f"<p>{e(p)}</p>")

    def article_main(self, site: Site, a: Article) -> str:
        author = f'<span class="edn_articleAuthor">Tác giả: {e(a.author_line)}</span>' \
            if a.author_line else ""
        source = f'<div class="edn_articleSource">Nguồn tin: {e(a.source)}</div>' \
            if a.source else ""
        lead = ""
        if a.lead:
            lead = (f'<div class="edn_mediaContainer edn_mainImage"><img alt="{e(a.lead.alt)}" '
                    f'src="{e(self.image_path(site, a.id, a.lead))}" /><p class="caption">'
                    f"{e(a.lead.caption)}</p></div>")
        files = ""
        if a.attachments:
            links = "".join(f'<li><a href="{e(self.article_file_path(site, a.id, name))}">'
                            f"{e(name)}</a></li>" for name, _ in a.attachments)
            files = (f'<div class="edn_articleDocuments"><h3>Tài liệu đính kèm</h3><ul>{links}'
                     "</ul></div>")
        tags = ""
        if a.tags:
            words = site.model.tag_words
            tags = ('<div class="edn_articleTags">' + "".join(
                f'<a href="/tin-tuc/tag/{t}">{e(words[t])}</a>' for t in a.tags) + "</div>")
        related = "".join(f'<li><a href="{e(self.article_path(site, t.id))}">{e(t.title)}</a>'
                          "</li>" for t in self.older_in_category(site, a))
        cat = CATEGORIES[a.cat][1]
        print_url = f"/tin-tuc/ArtMID/{NEWS_MID}/ArticleID/{ARTICLE_BASE + a.id}/Print"
        inner = (
            f'<div class="eds_news_module_{NEWS_MID} news eds_subCollection_news eds_news_Ozone '
            'eds_template_Details_Article_Default">\n<div class="edn_article edn_clearFix">\n'
            f'<div class="edn_articleDetails"><div class="edn_metaDetails"><time class="edn_'
            f'articleDate">{a.published:%d/%m/%Y %H:%M}</time> {author} <span class="edn_'
            f'articleCategory"><a href="{e(news_url(a.cat))}">{e(cat)}</a></span></div></div>\n'
            f'<h1 class="edn_articleTitle">{e(a.title)}</h1>\n<div class="edn_articleSummary">'
            f"<p>{e(a.summary)}</p></div>\n{lead}\n<div class=\"edn_articleContent\">"
            f"{self.body_html(site, a)}</div>\n{source}{files}{tags}\n"
            f'<div class="edn_socialPrintWrapper"><a href="{print_url}" rel="nofollow">In bài '
            "viết</a></div>"
            + (f'<div class="edn_relatedArticles"><h2>Tin cùng chuyên mục</h2><ul>{related}</ul>'
               "</div>" if related else "") + "</div></div>")
        return self.module(NEWS_MID, None, inner, "EasyDNNnews")

    def edn_file(self, site: Site, k: int, name: str) -> Response:
        if name.rsplit(".", 1)[-1].lower() in ("jpg", "png"):
            if not 1 <= k <= site.model.state(site.night).max_article:
                return self.not_found(site)
            return image_response(f"/Portals/0/EasyDNNnews/{ARTICLE_BASE + k}/{name}")
        a, _ = self.article_at(site, k)
        if a is None:
            return self.not_found(site)
        return file_response(a.attachments, name, a.id, article_text(a)) or self.not_found(site)

    # ---- documents ------------------------------------------------------------------------
    def document_listing(self, site: Site, req: Request, n: int) -> Response:
        pages = pages_of(self.document_total(site), self.documents_per_page)
        if n < 1:
            return self.not_found(site)
        rows = "".join(
            f'<tr><td>{e(d.number)}</td><td>{ddmmyyyy(d.issued_on)}</td><td><a href="'
            f'{e(self.document_path(site, d.id))}">{e(d.title)}</a></td></tr>'
            for d in self.documents(site, n))
        links = " ".join(f'<a href="{e(docs_url(p))}">{p}</a>' if p != n
                         else f'<span class="active">{p}</span>'
                         for p in page_window(n, pages, span=2)) if pages > 1 else ""
        main = self.module(DOCS_MID, "Văn bản chỉ đạo điều hành", '<table class="vanban-table '
                           'table"><thead><tr><th>Số ký hiệu</th><th>Ngày ban hành</th><th>Trích '
                           f'yếu</th></tr></thead><tbody>{rows}</tbody></table><div class="'
                           f'pager">{links}</div>', "VanBan", tab="/van-ban")
        key = docs_url(n) if n <= pages else req.path
        return html(self.page(site, "Văn bản", "/van-ban", main), key)

    def document_page(self, site: Site, req: Request, k: int) -> Response:
        if not site.model.document_exists(k, site.night):
            return self.not_found(site)
        d = site.model.document(k)
        rows = [("Số ký hiệu", e(d.number)), ("Loại văn bản", e(d.doc_type)),
                ("Cơ quan ban hành", e(d.issuer)),
                ("Người ký", f"{e(d.signer)} ({e(signer_title(d))})"),
                ("Ngày ban hành", ddmmyyyy(d.issued_on)),
                ("Ngày có hiệu lực", ddmmyyyy(d.effective_on)),
                ("Ngày hết hiệu lực", ddmmyyyy(d.expires_on)),
                ("Lĩnh vực", e(d.field)), ("Trích yếu", e(d.summary)),
                ("Tình trạng hiệu lực", document_status(d))]
        files = "".join(f'<li><a href="{e(self.document_file_path(site, k, i, name))}">'
                        f"{e(name)}</a></li>" for i, (name, _) in enumerate(d.files))
        table = "".join(f'<tr><td class="vb-label">{label}</td><td class="vb-value">{value}'
                        "</td></tr>" for label, value in rows)
        inner = (f'<div class="vanban-detail"><h2 class="vb-title">{e(d.title)}</h2><table '
                 f'class="vb-info">{table}</table><div class="vb-files"><strong>Tệp đính kèm:'
                 f'</strong><ul>{files}</ul></div><a class="dnnSecondaryAction" href="/van-ban">'
                 "Quay lại</a></div>")
        main = self.module(DOCS_MID, "Chi tiết văn bản", inner, "VanBan")
        return html(self.page(site, d.title, "/van-ban", main), self.document_path(site, k))

    def link_click(self, site: Site, query: dict[str, str]) -> Response:
        found = unticket(query.get("fileticket", ""))
        if found is None or not site.model.document_exists(found[0], site.night):
            return self.not_found(site)
        d = site.model.document(found[0])
        if found[1] >= len(d.files):
            return self.not_found(site)
        name = d.files[found[1]][0]
        return file_response(d.files, name, d.id, document_text(d)) or self.not_found(site)

    # ---- home, sitemap, skin --------------------------------------------------------------
    def home(self, site: Site) -> str:
        blocks = []
        for c, (_, title) in enumerate(CATEGORIES):
            items = "".join(self.teaser_html(site, t) for t in self.teasers(site, c, 0, 4))
            blocks.append(self.module(1530 + c, title, f'<div class="eds_news_module_{1530 + c}'
                                      f' news">{items}<a class="edn_readMore" href="'
                                      f'{e(news_url(c))}">Xem thêm</a></div>', "EasyDNNnews"))
        docs = "".join(f'<li><a href="{e(self.document_path(site, d.id))}">{e(d.number)}</a> '
                       f"{e(d.title)}</li>" for d in self.documents(site, 1)[:5])
        blocks.append(self.module(1545, "Văn bản mới", f"<ul>{docs}</ul>", "DNN_HTML"))
        return self.page(site, "Trang chủ", "/", "\n".join(blocks))

    def sitemap(self, site: Site, base: str) -> str:
        """DNN's sitemap.aspx: the tabs, then EasyDNNnews' provider (newest 1000 articles)."""
        m = site.model
        entries = [("/", None), ("/tin-tuc", None), ("/van-ban", None)]
        for k in m.category_ids(None, site.night, 0, 1000):
            entries.append((self.article_path(site, k), m.teaser(k, site.night).edited))
        urls = "".join(f"<url><loc>{e(base + p)}</loc>"
                       + (f"<lastmod>{t:%Y-%m-%d}</lastmod>" if t else "")
                       + "<changefreq>daily</changefreq><priority>0.5</priority></url>"
                       for p, t in entries)
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">{urls}</urlset>')

    def rss(self, site: Site, base: str) -> str:
        """EasyDNNnews' RSS 2.0 of the module: the 30 newest, RFC 822 dates at +0700."""
        items = []
        for t in self.teasers(site, None, 0, RSS_ITEMS):
            link = e(base + self.article_path(site, t.id))
            items.append(f"<item><title>{e(t.title)}</title><link>{link}</link><guid "
                         f'isPermaLink="true">{link}</guid><description>{e(t.summary)}'
                         f"</description><pubDate>{format_datetime(t.published)}</pubDate>"
                         "</item>")
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin '
                f"tức - {SITE_NAME}</title><link>{e(base)}/tin-tuc</link><description>Tin tức"
                f"</description><language>vi-VN</language>{''.join(items)}</channel></rss>")

    @staticmethod
    def module(mid: int, title: str | None, inner: str, kind: str,
               tab: str | None = None) -> str:
        """A module in its container: `DnnModule-<mid>`, `dnn_ctr<mid>_…` ids, and on a tab's
        own modules the container's print action (`<tab>/ctl/Print/mid/<mid>`)."""
        action = (f'<a id="dnn_ctr{mid}_dnnPRINTMODULE_ancPrint" class="c_print" href="{tab}/'
                  f'ctl/Print/mid/{mid}?dnnprintmode=true" rel="nofollow">In</a>' if tab else "")
        head = (f'<div class="c_head"><h2 class="c_title"><span id="dnn_ctr{mid}_dnnTITLE_'
                f'titleLabel" class="TitleHead">{e(title)}</span></h2>{action}</div>'
                if title else "")
        return (f'<div class="DnnModule DnnModule-{kind} DnnModule-{mid}"><a name="{mid}"></a>'
                f'<div class="c_container">{head}<div id="dnn_ctr{mid}_ContentPane" class="'
                f'contentpane"><div id="dnn_ctr{mid}_ModuleContent" class="DNNModuleContent '
                f'Mod{kind}C">\n{inner}\n</div></div></div></div>')

    def page(self, site: Site, title: str, nav: str | None, main: str, description: str = "",
             og: str | None = None) -> str:
        tab = {"/": TAB_HOME, "/tin-tuc": TAB_NEWS, "/van-ban": TAB_DOCS}.get(nav or "", TAB_HOME)
        menu = [("Trang chủ", "/"), ("Tin tức", "/tin-tuc"), ("Văn bản", "/van-ban")]
        active = ' class="active"'
        items = "".join(f'<li{active if href == nav else ""}><a href="{href}">{e(name)}</a></li>'
                        for name, href in menu)
        cats = "".join(f'<li><a href="{e(news_url(c))}">{e(t)}</a></li>'
                       for c, (_, t) in enumerate(CATEGORIES))
        here = q(nav or "/")
        css = "".join(f'<link href="{u}{CDV}" type="text/css" rel="stylesheet"/>' for u in CSS)
        js = "".join(f'<script src="{u}{CDV}" type="text/javascript"></script>' for u in JS)
        og_tags = (f'<meta property="og:type" content="article" /><meta property="og:title" '
                   f'content="{e(title)}" /><meta property="og:url" content="{e(og)}" />'
                   if og else "")
        return f"""<!DOCTYPE html>
<html  lang="vi-VN">
<head id="Head"><meta content="text/html; charset=utf-8" http-equiv="Content-Type" />
<title>
	{e(title)} - {SITE_NAME}
</title><meta id="MetaDescription" name="DESCRIPTION" content="{e(description or title)}" /><meta id="MetaGenerator" name="GENERATOR" content="DotNetNuke " /><meta id="MetaRobots" name="ROBOTS" content="INDEX, FOLLOW" />
{css}
{js}
{og_tags}<link rel="alternate" type="application/rss+xml" title="Tin tức" href="{e(RSS_URL)}" />
<link rel="SHORTCUT ICON" href="/Portals/0/favicon.ico" type="image/x-icon" />
</head>
<body id="Body">
<form method="post" action="{e(nav or '/')}" id="Form" enctype="multipart/form-data">
<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="xK2Jm0yFhRw" /></div>
<div id="dnn_wrapper">
<div class="header"><div id="dnn_dnnLOGO_" class="logo"><a id="dnn_dnnLOGO_hypLogo" title="{SITE_NAME}" href="/"><img id="dnn_dnnLOGO_imgLogo" src="/Portals/0/logo-laichau.png" alt="{SITE_NAME}" /></a></div>
<div class="userbar"><a id="dnn_dnnUSER_registerLink" class="SkinObject" rel="nofollow" href="/Default.aspx?tabid={tab}&amp;ctl=Register&amp;returnurl={here}">Đăng ký</a> <a id="dnn_dnnLOGIN_loginLink" class="SkinObject" rel="nofollow" href="/Default.aspx?tabid={tab}&amp;ctl=Login&amp;returnurl={here}">Đăng nhập</a> <a id="dnn_dnnSEARCH_cmdSearch" rel="nofollow" href="/tim-kiem?returnurl={here}">Tìm kiếm</a></div>
<div id="dnn_pnav" class="menu"><ul>{items}</ul></div></div>
<div class="container">
<div id="dnn_ContentPane" class="col-md-9">{main}</div>
<div id="dnn_RightPane" class="col-md-3"><div class="DnnModule DnnModule-DNN_HTML DnnModule-1590"><div id="dnn_ctr1590_ContentPane"><div id="dnn_ctr1590_ModuleContent"><div id="dnn_ctr1590_HtmlModule_lblContent" class="Normal"><h3>Chuyên mục</h3><ul>{cats}</ul></div></div></div></div></div>
</div>
<div class="footer"><span id="dnn_dnnCOPYRIGHT_lblCopyright" class="Footer">Bản quyền © UBND tỉnh Lai Châu. Ghi rõ nguồn "{SITE_NAME}" khi phát hành lại thông tin từ website này.</span>{self.fault_links()}</div>
</div>
</form>
</body>
</html>
"""  # noqa: E501 (the page as the platform sends it, one line per part)



__all__ = ["DotNetNuke", "ticket", "unticket"]
