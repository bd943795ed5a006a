"""SharePoint 2013 publishing portal, with vbpl.vn-like legal documents.

URL scheme (PLATFORMS.md's shapes; markup written here after SharePoint 2013's seattle.master
and publishing page layouts and the pages in tests/pages/sharepoint, not copied):

- `/` → 302 `/Pages/default.aspx` (the welcome page of the root web).
- News: web `/tin-tuc/` (all) and one sub-web per category `/tin-tuc/<cat>/`, each listing at
  `Pages/default.aspx`, 20 rows a page, SharePoint's list-view paging: only « / » links,
  `?Paged=TRUE&p_ID=<ItemID of the previous page's last row>&PageFirstRow=<row>`.
- Article (an item of the web's `TinTuc` list shown by a page layout):
  `/tin-tuc/<cat>/Pages/chi-tiet.aspx?ItemID=<k>`; date `15/04/2024 10:30:00 SA` (vi-VN
  `dd/MM/yyyy h:mm:ss tt`, SA/CH); attachments `/tin-tuc/<cat>/Lists/TinTuc/Attachments/<k>/<f>`;
  images `/tin-tuc/PublishingImages/YYYY/MM/<f>`.
- Documents (vbpl.vn): `/laichau/Pages/van-ban.aspx` (`?Page=N`), attributes
  `/laichau/Pages/vbpq-thuoctinh.aspx?dvid=318&ItemID=<150000 + k>`, full text
  `…/vbpq-toanvan.aspx?dvid=318&ItemID=<id>`, files `/laichau/Lists/vbpq/Attachments/<id>/<f>`.
- Chrome: `/_layouts/15/…` (corev15.css, init.js, spcommon.png: fingerprints that robots.txt
  disallows, as SharePoint sites do), `/Style%20Library/laichau/…` (the portal's own CSS/JS/logo).
- Traps: `?PageView=Shared`, sign-in `/_layouts/15/Authenticate.aspx?Source=…`, item forms
  `Lists/TinTuc/DispForm.aspx?ID=<k>&Source=…` (302 to sign-in), `/_layouts/15/osssearchresults
  .aspx?k=…`, mobile view `?Mobile=1`.
- Missing: an unknown page or file answers 404 (SharePoint's error page); an unknown or withdrawn
  ItemID answers 200 with the web part's "Không tìm thấy dữ liệu" (soft).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote

from replica.content import CAT_INDEX, CATEGORIES, Article, Document, Image, Teaser
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
    pages_of,
    q,
    redirect,
    signer_title,
)
from replica.routes import Request, Response

if TYPE_CHECKING:
    from replica.site import Site

DOC_BASE = 150000
DVID = 318
UNIT = "laichau"
HOME = "/Pages/default.aspx"
NEWS = "tin-tuc"
STYLE = "/Style%20Library/laichau"
STYLE_FILES = {f"{STYLE}/css/portal.css": "text/css", f"{STYLE}/js/portal.js":
               "application/javascript", f"{STYLE}/images/logo.png": "image/png"}
LAYOUTS = ("/_layouts/15/1066/styles/Themable/corev15.css?rev=2a%2BEpYwRmMrPXoaKnW3m6g%3D%3DTAG0",
           "/_layouts/15/init.js?rev=ZZoEBxt1dvRcAqnFYsAFlA%3D%3DTAG0",
           "/_layouts/15/images/spcommon.png?rev=23")
ARTICLE_RE = re.compile(r"^/tin-tuc/([a-z0-9-]+)/Pages/chi-tiet\.aspx$")
LISTING_RE = re.compile(r"^/tin-tuc/(?:([a-z0-9-]+)/)?Pages/default\.aspx$")
ART_FILE_RE = re.compile(r"^/tin-tuc/([a-z0-9-]+)/Lists/TinTuc/Attachments/(\d+)/([^/]+)$")
DOC_FILE_RE = re.compile(r"^/laichau/Lists/vbpq/Attachments/(\d+)/([^/]+)$")
IMAGE_RE = re.compile(r"^/tin-tuc/PublishingImages/\d{4}/\d{2}/[A-Za-z0-9_.-]+\.(?:jpg|png)$")
CTYPE = "text/html; charset=utf-8"


def sp_time(t: datetime) -> str:
    """vi-VN's general date/time: `15/04/2024 10:30:00 SA`, `15/04/2024 2:05:00 CH`."""
    hour = t.hour % 12 or 12
    return f"{t:%d/%m/%Y} {hour}:{t:%M:%S} {'SA' if t.hour < 12 else 'CH'}"


def web_of(cat: int | None) -> str:
    return f"/{NEWS}/" if cat is None else f"/{NEWS}/{CATEGORIES[cat][0]}/"


def guid(*parts: object) -> str:
    h = hexid("sp-guid", *parts)
    return f"{{{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}}}"


class SharePoint(EnterprisePlatform):
    name = "sharepoint"
    session_cookie = "ASP.NET_SessionId"
    server_headers = (("Server", "Microsoft-IIS/8.5"), ("X-Powered-By", "ASP.NET"),
                      ("MicrosoftSharePointTeamServices", "15.0.0.4569"),
                      ("X-SharePointHealthScore", "0"))
    trap_patterns = (r"^/_layouts/", r"[?&]PageView=Shared", r"[?&]Mobile=1", r"[?&]Source=")
    removal_reason = "soft_404"

    # ---- URL scheme -------------------------------------------------------------------------
    def article_path(self, site: Site, k: int) -> str:
        return f"{web_of(site.model.category_of(k))}Pages/chi-tiet.aspx?ItemID={k}"

    def article_key(self, k: int) -> str:
        return str(k)

    def document_path(self, site: Site, k: int) -> str:
        return f"/{UNIT}/Pages/vbpq-thuoctinh.aspx?dvid={DVID}&ItemID={DOC_BASE + k}"

    def document_extra_paths(self, site: Site, k: int) -> list[str]:
        return [f"/{UNIT}/Pages/vbpq-toanvan.aspx?dvid={DVID}&ItemID={DOC_BASE + k}"]

    def document_key(self, k: int) -> str:
        return str(DOC_BASE + k)

    def article_file_path(self, site: Site, k: int, name: str) -> str:
        return f"{web_of(site.model.category_of(k))}Lists/TinTuc/Attachments/{k}/{name}"

    def document_file_path(self, site: Site, k: int, i: int, name: str) -> str:
        return f"/{UNIT}/Lists/vbpq/Attachments/{DOC_BASE + k}/{name}"

    def image_path(self, site: Site, k: int, im: Image) -> str:
        year, month, name = image_name(im)
        return f"/{NEWS}/PublishingImages/{year}/{month}/{name}"

    def static_paths(self, site: Site) -> list[str]:
        return ["/robots.txt", "/sitemap.xml", *STYLE_FILES]

    def listing_url(self, site: Site, cat: int | None, page: int) -> str:
        url = f"{web_of(cat)}Pages/default.aspx"
        if page == 1:
            return url
        row = (page - 1) * self.articles_per_page
        last = site.model.category_ids(cat, site.night, row - 1, 1)
        return f"{url}?Paged=TRUE&p_ID={last[0] if last else 0}&PageFirstRow={row + 1}"

    def docs_url(self, page: int) -> str:
        return f"/{UNIT}/Pages/van-ban.aspx" + (f"?Page={page}" if page > 1 else "")

    def listing_paths(self, site: Site) -> list[str]:
        out = [HOME]
        for cat in [None, *range(len(CATEGORIES))]:
            pages = pages_of(self.category_total(site, cat), self.articles_per_page)
            out += [self.listing_url(site, cat, n) for n in range(1, pages + 1)]
        pages = pages_of(self.document_total(site), self.documents_per_page)
        out += [self.docs_url(n) for n in range(1, pages + 1)]
        return out

    # ---- routing ------------------------------------------------------------------------------
    def respond(self, site: Site, req: Request, base: str) -> Response:
        path, query = req.path, {k.lower(): v[0] for k, v in req.query.items()}
        if path in ("/", "/default.aspx"):
            return redirect(HOME)
        if path == "/robots.txt":
            return Response(200, "text/plain", text="User-agent: *\nDisallow: /_layouts/\n"
                            "Disallow: /_vti_bin/\nDisallow: /_catalogs/\n"
                            f"Sitemap: {base}/sitemap.xml\n")
        if path == "/sitemap.xml":
            return Response(200, "text/xml; charset=utf-8", text=self.sitemap(site, base))
        if path.startswith("/_layouts/"):
            return self.layouts(site, req, base)
        if path in STYLE_FILES:
            if STYLE_FILES[path] == "image/png":
                return image_response(path)
            return Response(200, STYLE_FILES[path], text=f"/* {path} (replica) */\n"
                            ".ms-rtestate-field img{max-width:100%}\n")
        if IMAGE_RE.match(path):
            return image_response(path)
        if path == HOME:
            return self.page_variant(req, self.home(site), HOME)
        m = LISTING_RE.match(path)
        if m and (m.group(1) is None or m.group(1) in CAT_INDEX):
            return self.listing(site, req, CAT_INDEX.get(m.group(1)) if m.group(1) else None,
                                query)
        m = ARTICLE_RE.match(path)
        if m and m.group(1) in CAT_INDEX:
            return self.article_page(site, req, CAT_INDEX[m.group(1)], query)
        if re.match(r"^/tin-tuc/[a-z0-9-]+/Lists/TinTuc/DispForm\.aspx$", path):
            return redirect("/_layouts/15/Authenticate.aspx?Source=" + q(req.target))
        m = ART_FILE_RE.match(path)
        if m:
            return self.article_file(site, m.group(1), int(m.group(2)), unquote(m.group(3)))
        m = DOC_FILE_RE.match(path)
        if m:
            return self.document_file(site, int(m.group(1)) - DOC_BASE, unquote(m.group(2)))
        if path == f"/{UNIT}/Pages/van-ban.aspx":
            return self.document_listing(site, req, query)
        if path in (f"/{UNIT}/Pages/vbpq-thuoctinh.aspx", f"/{UNIT}/Pages/vbpq-toanvan.aspx"):
            return self.document_page(site, req, query, full=path.endswith("toanvan.aspx"))
        return self.not_found()

    @staticmethod
    def not_found() -> Response:
        """SharePoint's own 404: a bare page, no master page."""
        text = ('<!DOCTYPE html><html dir="ltr"><head><meta http-equiv="Content-Type" content="'
                'text/html; charset=utf-8" /><title>Lỗi</title><link rel="stylesheet" href="/_'
                'layouts/15/1066/styles/error.css" /></head><body><div id="ms-error-body"><div '
                'id="ms-error-header"><h1>Xin lỗi, đã xảy ra sự cố</h1></div><div id="ms-error-'
                'content"><p>404 FILE NOT FOUND</p><p>Không tìm thấy tệp.</p></div>'
                '<a href="/Pages/default.aspx">Quay lại trang chủ</a></div></body></html>')
        return Response(404, CTYPE, text=text)

    def soft_not_found(self, site: Site, req: Request, nav: str) -> Response:
        main = ('<div class="ms-webpart-zone"><div class="ms-webpartzone-cell"><div class="ms-'
                'webpart-chrome"><div class="ms-wpContentDivSpace"><p class="ms-textLarge">Không '
                'tìm thấy dữ liệu.</p><p>Mục bạn yêu cầu không tồn tại hoặc đã bị xóa.</p></div>'
                "</div></div></div>")
        return html(self.page(site, "Không tìm thấy dữ liệu", nav, main, req.path), req.target)

    @staticmethod
    def page_variant(req: Request, text: str, key: str) -> Response:
        """A page and its trap variants (`?PageView=Shared`, `?Mobile=1`): the same page."""
        trap = any(k.lower() in ("pageview", "mobile") for k in req.query)
        return html(text, req.target if trap else key)

    def list_feed(self, site: Site, cat: int | None, base: str) -> str:
        """listfeed.aspx: the TinTuc list's RSS, 30 newest, dates in RFC 822 (GMT)."""
        items = "".join(
            f"<item><title>{e(t.title)}</title><link>{e(base + self.article_path(site, t.id))}"
            f"</link><description>{e(t.summary)}</description><pubDate>"
            f"{format_datetime(t.published.astimezone(UTC), usegmt=True)}</pubDate></item>"
            for t in self.teasers(site, cat, 0, 30))
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>'
                f"{e(category_title(cat))}: TinTuc</title><link>{e(base + web_of(cat))}"
                f"Lists/TinTuc/AllItems.aspx</link><description>Nguồn cấp RSS của danh sách TinTuc"
                f"</description><generator>Microsoft SharePoint Foundation RSS Generator"
                f"</generator>{items}</channel></rss>")

    def layouts(self, site: Site, req: Request, base: str) -> Response:
        """`/_layouts/15/`: the product's own files and forms (robots.txt keeps crawlers out)."""
        path = req.path
        if path.endswith(".css"):
            return Response(200, "text/css", text=f"/* {path} (replica) */\n.ms-core-overlay{{}}\n")
        if path.endswith(".js"):
            return Response(200, "application/javascript", text=f"/* {path} (replica) */\n"
                            "function _spBodyOnLoadWrapper(){}\n")
        if path.endswith((".png", ".gif")):
            return image_response(path.rsplit(".", 1)[0] + ".png")
        if path == "/_layouts/15/listfeed.aspx":  # a list's RSS: robots.txt keeps it out
            cats = {guid("TinTuc", c): c for c in [None, *range(len(CATEGORIES))]}
            listed = req.query.get("List", [""])[0]
            if listed not in cats:
                return self.not_found()
            return Response(200, "text/xml; charset=utf-8",
                            text=self.list_feed(site, cats[listed], base))
        if path in ("/_layouts/15/Authenticate.aspx", "/_layouts/15/osssearchresults.aspx"):
            title = "Đăng nhập" if "Authenticate" in path else "Kết quả tìm kiếm"
            main = f'<div class="ms-webpart-zone"><h2>{title}</h2><p>Không có kết quả.</p></div>'
            return html(self.page(site, title, None, main, path), req.target)
        return self.not_found()

    # ---- listings -------------------------------------------------------------------------
    def listing(self, site: Site, req: Request, cat: int | None,
                query: dict[str, str]) -> Response:
        row = query.get("pagefirstrow", "1")
        if not row.isdigit() or int(row) < 1 or (int(row) - 1) % self.articles_per_page:
            return self.soft_not_found(site, req, web_of(cat) + "Pages/default.aspx")
        n = (int(row) - 1) // self.articles_per_page + 1
        pages = pages_of(self.category_total(site, cat), self.articles_per_page)
        items = self.teasers(site, cat, (n - 1) * self.articles_per_page, self.articles_per_page)
        rows = "".join(self.teaser_html(site, t) for t in items)
        first = (n - 1) * self.articles_per_page + 1
        pager = [f'<td class="ms-paging">{first} - {first + len(items) - 1}</td>'] if items else []
        if n > 1:
            pager.insert(0, f'<td><a href="{e(self.listing_url(site, cat, n - 1))}" title="Trang '
                         'trước"><img src="/_layouts/15/images/prev.gif" alt="Trang trước" />'
                         "</a></td>")
        if n < pages:
            pager.append(f'<td><a class="next" href="{e(self.listing_url(site, cat, n + 1))}" '
                         'title="Trang sau"><img src="/_layouts/15/images/next.gif" alt="Trang '
                         'sau" /></a></td>')
        title = category_title(cat)
        main = (f'<div class="ms-webpart-zone ms-fullWidth"><div id="MSOZoneCell_WebPart'
                f'WPQ2" class="s4-wpcell-plain"><div class="ms-webpart-chrome-title"><h2 class="'
                f'ms-webpart-titleText">{e(title)}</h2></div><div id="ctl00_ctl40_g_'
                f'{hexid("wp", cat)[:8]}" class="news-list"><ul>{rows}</ul></div><table class="ms-'
                f'bottompaging"><tr>{"".join(pager)}</tr></table></div></div>')
        nav = web_of(cat) + "Pages/default.aspx"
        key = self.listing_url(site, cat, n) if n <= pages else req.target
        return html(self.page(site, title, nav, main, nav, feed_of=cat), key)

    def teaser_html(self, site: Site, t: Teaser) -> str:
        href = e(self.article_path(site, t.id))
        img = ""
        if t.lead:
            src = e(self.image_path(site, t.id, t.lead))
            img = f'<a href="{href}"><img class="thumb" src="{src}" alt="{e(t.lead.alt)}" /></a>'
        return (f'<li class="dfwp-item">{img}<a class="title" href="{href}">{e(t.title)}</a> '
                f'<span class="date">({t.published:%d/%m/%Y})</span><div class="description">'
                f"{e(t.summary)}</div></li>")

    # ---- articles ------------------------------------------------------------------------
    def article_page(self, site: Site, req: Request, cat: int, query: dict[str, str]) -> Response:
        nav = web_of(cat) + "Pages/default.aspx"
        raw = query.get("itemid", "")
        a, _ = self.article_at(site, int(raw)) if raw.isdigit() else (None, None)
        if a is None or a.cat != cat:  # another web's list does not hold the item
            return self.soft_not_found(site, req, nav)
        canonical = self.article_path(site, a.id)
        return self.page_variant(req, self.page(site, a.title, nav, self.article_main(site, a),
                                                canonical, item=a.id), canonical)

    def image_html(self, site: Site, a: Article, im: Image) -> str:
        img = (f'<p style="text-align:center"><img alt="{e(im.alt)}" src="'
               f'{e(self.image_path(site, a.id, im))}" style="width:600px;" /></p>')
        if not im.caption_lines:
            return img
        caption = "<br />".join(e(x) for x in im.caption_lines)
        if im.credit:
            caption += f" (Ảnh: {e(im.credit)})"
        return img + f'<p style="text-align:center"><em>{caption}</em></p>'

    def article_main(self, site: Site, a: Article) -> str:
        body = body_parts(a, lambda art, im: self.image_html(site, art, im),
                          lambda p: f"<p>{e(p)}</p>")
        rich = ('<div id="ctl00_PlaceHolderMain_{0}__ControlWrapper_RichHtmlField" class="ms-'
                'rtestate-field" style="display:inline" aria-labelledby="ctl00_PlaceHolderMain_'
                '{0}_label">{1}</div>')
        cat_title = CATEGORIES[a.cat][1]
        nav = web_of(a.cat) + "Pages/default.aspx"
        lead = ""
        if a.lead:
            lead = ('<div class="article-image"><div id="ctl00_PlaceHolderMain_ImageField__Control'
                    f'Wrapper_RichImageField" class="ms-rtestate-field"><img alt="{e(a.lead.alt)}" '
                    f'src="{e(self.image_path(site, a.id, a.lead))}" /></div><div class="image-'
                    f'caption">{e(a.lead.caption)}</div></div>')
        byline = []
        if a.author_line:
            byline.append(f"Tác giả: {e(a.author_line)}")
        if a.source:
            byline.append(f"Nguồn tin: {e(a.source)}")
        files = ""
        if a.attachments:
            links = "".join(f'<li><a href="{e(self.article_file_path(site, a.id, name))}">'
                            f"{e(name)}</a></li>" for name, _ in a.attachments)
            files = (f'<div class="article-attachments"><h4>Tài liệu đính kèm</h4><ul>{links}'
                     "</ul></div>")
        tags = ""
        if a.tags:
            words = site.model.tag_words
            # A multi-value managed-metadata field (TaxKeyword) in display mode: one span
            # per term, "; " between them (not one comma-joined string no rule can split).
            tags = ('<div class="article-tags">Từ khóa: '
                    + "; ".join(f'<span class="ms-taxonomy-term">{e(words[t])}</span>'
                                for t in a.tags) + "</div>")
        related = "".join(f'<li><a href="{e(self.article_path(site, t.id))}">{e(t.title)}</a> '
                          f"({t.published:%d/%m/%Y})</li>"
                          for t in self.older_in_category(site, a))
        source = q(self.article_path(site, a.id))
        form = f"{web_of(a.cat)}Lists/TinTuc/DispForm.aspx?ID={a.id}&Source={source}"
        return (f'<div id="ctl00_PlaceHolderMain_ctl00" class="article article-body">\n'
                f'<div class="breadcrumb"><span><a href="{HOME}">Trang chủ</a></span> &gt; '
                f'<span><a href="/{NEWS}/Pages/default.aspx">Tin tức</a></span> &gt; <span><a '
                f'href="{nav}">{e(cat_title)}</a></span></div>\n<div class="article-header">'
                f'<h1 class="ms-core-pageTitle"><span id="ctl00_PlaceHolderMain_TitleField">'
                f'{e(a.title)}</span></h1><div class="date-line"><span id="ctl00_PlaceHolderMain_'
                f'ArticleStartDate">{sp_time(a.published)}</span></div></div>\n'
                f'<div class="article-summary">{rich.format("ArticleSummary", e(a.summary))}'
                f"</div>\n{lead}\n"
                f'<div class="article-content">{rich.format("PageContent", body)}</div>\n'
                + (f'<div class="article-byline">{rich.format("ArticleByLine", "<br />".join(byline))}'  # noqa: E501
                   "</div>\n" if byline else "")
                + files + tags
                + f'<div class="article-tools"><a href="{e(form)}" rel="nofollow">Xem thuộc tính'
                '</a></div>'
                + (f'<div class="related-news"><h3>Tin liên quan</h3><ul>{related}</ul></div>'
                   if related else "") + "</div>")

    def article_file(self, site: Site, cat: str, k: int, name: str) -> Response:
        a, _ = self.article_at(site, k)
        if a is None or a.cat_alias != cat:
            return self.not_found()
        return file_response(a.attachments, name, a.id, article_text(a)) or self.not_found()

    # ---- documents ------------------------------------------------------------------------
    def document_listing(self, site: Site, req: Request, query: dict[str, str]) -> Response:
        raw = query.get("page", "1")
        nav = self.docs_url(1)
        if not raw.isdigit() or int(raw) < 1:
            return self.soft_not_found(site, req, nav)
        n = int(raw)
        pages = pages_of(self.document_total(site), self.documents_per_page)
        rows = "".join(
            f'<tr><td class="number"><a href="{e(self.document_path(site, d.id))}">{e(d.number)}'
            f'</a></td><td>{ddmmyyyy(d.issued_on)}</td><td class="title"><a href="'
            f'{e(self.document_path(site, d.id))}">{e(d.title)}</a></td></tr>'
            for d in self.documents(site, n))
        links = []
        if n > 1:
            links.append(f'<a href="{e(self.docs_url(n - 1))}" title="Trang trước">«</a>')
        links += [f'<a href="{e(self.docs_url(p))}">{p}</a>' if p != n
                  else f'<span class="current">{p}</span>'
                  for p in range(max(1, n - 4), min(pages, n + 4) + 1)]
        if n < pages:
            links.append(f'<a class="next" href="{e(self.docs_url(n + 1))}" title="Trang sau">»'
                         "</a>")
        main = ('<div id="ctl00_PlaceHolderMain_ctl00" class="content"><div class="box-map"><a '
                f'href="{HOME}">Trang chủ</a> » Văn bản quy phạm pháp luật</div><div class="'
                'vbpq-list"><table class="ms-listviewtable"><thead><tr><th>Số ký hiệu</th><th>Ngày'
                f' ban hành</th><th>Trích yếu</th></tr></thead><tbody>{rows}</tbody></table></div>'
                f'<div class="paging">{" ".join(links)}</div></div>')
        key = self.docs_url(n) if n <= pages else req.target
        return html(self.page(site, "Văn bản quy phạm pháp luật", nav, main, nav), key)

    def document_page(self, site: Site, req: Request, query: dict[str, str],
                      full: bool) -> Response:
        raw = query.get("itemid", "")
        k = int(raw) - DOC_BASE if raw.isdigit() else 0
        nav = self.docs_url(1)
        if not site.model.document_exists(k, site.night):
            return self.soft_not_found(site, req, nav)
        d = site.model.document(k)
        attrs = self.document_path(site, k)
        text_url = self.document_extra_paths(site, k)[0]
        tabs = (f'<div class="header-tab"><ul><li{" class=selected" if full else ""}><a href="'
                f'{e(text_url)}">Toàn văn</a></li><li{"" if full else " class=selected"}><a href="'
                f'{e(attrs)}">Thuộc tính</a></li></ul></div>')
        files = "".join(f'<li><a href="{e(self.document_file_path(site, k, i, name))}" target="'
                        f'_blank"><img src="/_layouts/15/images/icpdf.png" alt="" />{e(name)}</a>'
                        "</li>" for i, (name, _) in enumerate(d.files))
        head = (f'<div id="ctl00_PlaceHolderMain_ctl00" class="content"><div class="box-map"><a '
                f'href="{HOME}">Trang chủ</a> » <a href="{nav}">Văn bản</a> » '
                f'{"Toàn văn" if full else "Thuộc tính"}</div>{tabs}')
        if full:
            body = "".join(f"<p>{e(p)}</p>" for p in d.body)
            inner = (f'<div class="toanvancontent"><p class="number">Số: {e(d.number)}</p><h1>'
                     f'{e(d.title)}</h1>{body}<p class="signer">{e(signer_title(d))}<br />'
                     f"{e(d.signer)}</p></div>")
        else:
            inner = self.attributes_table(d)
        main = (head + inner + f'<div class="fileAttack"><span>Tải về</span><ul>{files}</ul></div>'
                + "</div>")
        title = f"{'Toàn văn' if full else 'Thuộc tính'} văn bản - {d.doc_type} {d.number}"
        key = text_url if full else attrs
        return html(self.page(site, title, nav, main, req.path), key)

    @staticmethod
    def attributes_table(d: Document) -> str:
        """vbpl.vn's four-column attribute table (label, value, label, value)."""
        def row(l1: str, v1: str, l2: str, v2: str) -> str:
            return (f'<tr><td class="label">{l1}</td><td>{v1}</td><td class="label">{l2}</td>'
                    f"<td>{v2}</td></tr>")
        rows = [f'<tr><td colspan="4" class="title">{e(d.title)}</td></tr>',
                row("Số ký hiệu", e(d.number), "Ngày ban hành", ddmmyyyy(d.issued_on)),
                row("Loại văn bản", e(d.doc_type), "Ngày có hiệu lực", ddmmyyyy(d.effective_on)),
                row("Nguồn thu thập", "", "Ngày đăng công báo", "..."),
                row("Ngành", "", "Lĩnh vực", e(d.field)),
                f'<tr><td class="label">Cơ quan ban hành/ Chức danh / Người ký</td><td>'
                f"{e(d.issuer)}</td><td>{e(signer_title(d))}</td><td>{e(d.signer)}</td></tr>",
                '<tr><td class="label">Phạm vi</td><td colspan="3">Tỉnh Lai Châu</td></tr>',
                f'<tr><td class="label">Trích yếu</td><td colspan="3">{e(d.summary)}</td></tr>']
        if d.expires_on:
            rows.append(f'<tr><td class="label">Ngày hết hiệu lực</td><td colspan="3">'
                        f"{ddmmyyyy(d.expires_on)}</td></tr>")
        rows.append(f'<tr><td class="label">Tình trạng hiệu lực</td><td colspan="3">'
                    f"{document_status(d)}</td></tr>")
        return ('<div class="vbProperties"><table cellspacing="0" cellpadding="0"><tbody>'
                + "".join(rows) + "</tbody></table></div>")

    def document_file(self, site: Site, k: int, name: str) -> Response:
        if not site.model.document_exists(k, site.night):
            return self.not_found()
        d = site.model.document(k)
        return file_response(d.files, name, d.id, document_text(d)) or self.not_found()

    # ---- home, sitemap, master page -------------------------------------------------------
    def home(self, site: Site) -> str:
        blocks = []
        for c, (_, title) in enumerate(CATEGORIES):
            items = "".join(self.teaser_html(site, t) for t in self.teasers(site, c, 0, 5))
            more = web_of(c) + "Pages/default.aspx"
            blocks.append(f'<div class="ms-webpart-chrome home-block"><h2 class="ms-webpart-'
                          f'titleText"><a href="{more}">{e(title)}</a></h2><ul class="news-list">'
                          f"{items}</ul></div>")
        docs = "".join(f'<li><a href="{e(self.document_path(site, d.id))}">{e(d.number)}</a> '
                       f"{e(d.title)}</li>" for d in self.documents(site, 1)[:5])
        blocks.append(f'<div class="ms-webpart-chrome home-block"><h2 class="ms-webpart-titleText">'
                      f'<a href="{self.docs_url(1)}">Văn bản mới</a></h2><ul>{docs}</ul></div>')
        main = ('<div id="ctl00_PlaceHolderMain_ctl00" class="home"><div class="ms-webpart-zone">'
                + "\n".join(blocks) + "</div></div>")
        return self.page(site, "Trang chủ", HOME, main, HOME)

    def sitemap(self, site: Site, base: str) -> str:
        """SharePoint's publishing sitemap: the pages of the Pages libraries (newest 1000)."""
        m = site.model
        entries = [(HOME, None)] + [(web_of(c) + "Pages/default.aspx", None)
                                    for c in [None, *range(len(CATEGORIES))]]
        for k in m.category_ids(None, site.night, 0, 1000):
            entries.append((self.article_path(site, k), m.teaser(k, site.night).edited))
        urls = "".join(f"<url><loc>{e(base + p)}</loc>"
                       + (f"<lastmod>{t:%Y-%m-%dT%H:%M:%S}</lastmod>" if t else "") + "</url>"
                       for p, t in entries)
        return ('<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">{urls}</urlset>')

    def page(self, site: Site, title: str, nav: str | None, main: str, here: str | None,
             item: int | None = None, feed_of: int | None | bool = False) -> str:
        menu = [("Trang chủ", HOME), ("Tin tức", f"/{NEWS}/Pages/default.aspx")] + [
            (t, web_of(c) + "Pages/default.aspx") for c, (_, t) in enumerate(CATEGORIES)] + [
            ("Văn bản", self.docs_url(1))]
        nav_items = "".join(f'<li{" class=selected" if href == nav else ""}><a href="{href}">'
                            f"{e(name)}</a></li>" for name, href in menu)
        here = here or HOME
        web = here.split("/Pages/")[0] or "/"
        feed = ""
        if feed_of is not False:
            feed = (f'<link rel="alternate" type="application/rss+xml" title="RSS" href="'
                    f'/_layouts/15/listfeed.aspx?List={q(guid("TinTuc", feed_of))}" />')
        source = q(here)
        variant = here + ("&" if "?" in here else "?")
        ctx = (f'var _spPageContextInfo = {{webServerRelativeUrl: "{web}", siteServerRelativeUrl:'
               f' "\\u002f", serverRequestPath: "{here}", webLanguage: 1066, pageListId: '
               f'"{guid("pages", web)}", pageItemId: {item or 1}}};')
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="vi-VN" dir="ltr">
<head><meta name="GENERATOR" content="Microsoft SharePoint" /><meta http-equiv="Content-type" content="text/html; charset=utf-8" /><meta http-equiv="X-UA-Compatible" content="IE=10" /><meta http-equiv="Expires" content="0" />
<title>
	{e(title)}
</title>
<link rel="stylesheet" type="text/css" href="{e(LAYOUTS[0])}"/>
<link rel="stylesheet" type="text/css" href="{STYLE}/css/portal.css"/>
<script type="text/javascript" src="{e(LAYOUTS[1])}"></script>
<script type="text/javascript" src="{STYLE}/js/portal.js"></script>
<script type="text/javascript">{ctx}</script>
{feed}</head>
<body>
<div id="imgPrefetch" style="display:none"><img src="{e(LAYOUTS[2])}" /></div>
<form method="post" action="{e(here)}" onsubmit="javascript:return WebForm_OnSubmit();" id="aspnetForm">
<div class="aspNetHidden"><input type="hidden" name="_wpcmWpid" id="_wpcmWpid" value="" /><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUBMA9kFgJmD2QWAgIBD2QWBAIBD2QWAgIG" /></div>
<div id="s4-ribbonrow"><div id="globalNavBox"><div id="ribbonBox"><span class="ms-siteactions-root"><a href="{e(variant)}PageView=Shared" rel="nofollow">Dạng xem chung</a></span> <a id="ctl00_IdWelcome_ExplicitLogin" href="/_layouts/15/Authenticate.aspx?Source={source}" rel="nofollow">Đăng nhập</a></div></div></div>
<div id="s4-workspace" class="ms-core-overlay"><div id="s4-bodyContainer">
<div id="header" class="portal-header"><a href="{HOME}"><img src="{STYLE}/images/logo.png" alt="{SITE_NAME}" /></a>
<div id="searchBox"><input type="text" name="k" /><a href="/_layouts/15/osssearchresults.aspx?k=" rel="nofollow">Tìm kiếm</a></div>
<div id="topnav" class="ms-core-listMenu-horizontalBox"><ul>{nav_items}</ul></div></div>
<div id="contentRow"><div id="contentBox" aria-live="polite" aria-relevant="all"><div id="DeltaPlaceHolderMain">
{main}
<div style='display:none' id='hidZone'><menu class="ms-hide"></menu></div>
</div></div></div>
<div id="footer" class="portal-footer"><p>Bản quyền thuộc UBND tỉnh Lai Châu. Ghi rõ nguồn "{SITE_NAME}" khi phát hành lại thông tin từ website này.</p><p><a href="{e(variant)}Mobile=1" rel="nofollow">Phiên bản di động</a>{self.fault_links()}</p></div>
</div></div>
<script type="text/javascript">//<![CDATA[
var _spFormDigestRefreshInterval = 1440000;//]]></script>
</form>
</body>
</html>
"""  # noqa: E501 (the page as the platform sends it, one line per part)



__all__ = ["SharePoint", "sp_time"]
