"""A custom ASP.NET Web Forms portal with no structured metadata at all (ministries' and
provinces' home-grown sites, `/vn/chuyen-muc/<id>/<slug>.aspx`).

What a reader gets is only what is visible: the title, a date line
`Thứ năm, 18/04/2024 - 14:05`, the byline and source in one paragraph split by `<br />`,
captions in editor-made tables. No og:*, no JSON-LD, no `<time>`. The whole page is one
`<form id="aspnetForm">` with `__VIEWSTATE` / `__EVENTVALIDATION` hidden fields; the pager's
numbered links are postbacks (`javascript:__doPostBack(…)`), and only "Trang sau" /
"Trang trước" are plain `?page=N` links. A missing page answers 200 with "Không tìm thấy".
"""

from __future__ import annotations

import base64
from datetime import datetime

from replica.content import CATEGORIES, WEEKDAYS, Article, Document, Image, Teaser
from replica.determinism import digest
from replica.platforms.base import ItemPlatform, PathInfo, e, html, page_count
from replica.routes import Request, Response

SITE_NAME = "Cổng thông tin điện tử Sở Nông nghiệp và Phát triển nông thôn tỉnh Lai Châu"
PER_PAGE = 12
DOCS_PER_PAGE = 15
CAT_IDS = [112, 115, 117, 121, 123, 130, 134, 138]  # the CMS's category ids, in CATEGORIES order
CAT_OF_ID = {cid: c for c, cid in enumerate(CAT_IDS)}
THEME = "/App_Themes/SoNN"
STATIC = ((f"{THEME}/css/style.css", "css"), (f"{THEME}/css/menu.css", "css"),
          ("/Scripts/jquery-1.8.3.min.js", "js"), ("/Scripts/common.js", "js"),
          (f"{THEME}/images/banner.png", "png"))
WEBRESOURCE = "/WebResource.axd?d=pynGkmcFUV13He1Qd6_TZLfw6yIqV1Ml0&t=638412345678901234"


def article_id(k: int) -> int:
    return 24000 + k


def document_id(k: int) -> int:
    return 3100 + k


def date_line(t: datetime) -> str:
    """Thứ năm, 18/04/2024 - 14:05"""
    day = WEEKDAYS[t.weekday()]
    return f"{day[0].upper()}{day[1:]}, {t:%d/%m/%Y - %H:%M}"


class Custom(ItemPlatform):
    name = "custom"
    session_cookie = "ASP.NET_SessionId"
    server_headers = (("Server", "Microsoft-IIS/8.5"), ("X-AspNet-Version", "4.0.30319"),
                      ("X-Powered-By", "ASP.NET"))
    static_files = STATIC
    trap_patterns = (r"^/vn/in-bai\.aspx\?id=", r"^/vn/gui-email\.aspx\?id=",
                     r"^/vn/tim-kiem\.aspx\?")

    # ---- where things live -------------------------------------------------------------
    def article_path(self, t: PathInfo, n: int) -> str:
        return f"/vn/chuyen-muc/{CAT_IDS[t.cat]}/{article_id(t.id)}/{t.alias}.aspx"

    def document_path(self, d: Document, n: int) -> str:
        return f"/vn/van-ban/{document_id(d.id)}/{d.alias}.aspx"

    def image_path(self, src: str, k: int, n: int) -> str:
        name = src.rsplit("/", 1)[-1]
        stem, ext = name.rsplit(".", 1)
        stem = stem if n == 1 else f"{stem}({n})"
        return f"/Uploads/Images/{self.model.published(k):%Y/%m}/{stem}.{ext}"

    def file_path(self, owner: str, k: int, i: int, name: str, n: int) -> str:
        when = self.model.published(k) if owner == "article" else self.model.document(k).issued_on
        stem, ext = name.rsplit(".", 1)
        stem = stem if n == 1 else f"{stem}({n})"
        return f"/Uploads/Files/{when:%Y/%m}/{stem}.{ext}"

    def item_key(self, kind: str, k: int, url: str) -> str:
        return str(article_id(k) if kind == "article" else document_id(k))

    # ---- routing -----------------------------------------------------------------------
    def route(self, req: Request, base: str) -> Response:
        path, q = req.path, req.query
        if path == "/":
            return self.home(path)
        if path == "/robots.txt":
            return Response(200, "text/plain; charset=utf-8",
                            text="User-agent: *\nDisallow: /Admin/\nDisallow: /Login.aspx\n")
        if path == "/WebResource.axd":
            return Response(200, "application/x-javascript",
                            text="// WebForms.js (replica)\nfunction WebForm_PostBackOptions"
                                 "(){}\n")
        if path == "/favicon.ico":
            return Response(200, "image/png", body=self.serve_static(STATIC[-1][0]).body)
        for serve in (self.serve_static, self.serve_image, self.serve_file):
            if (resp := serve(path)) is not None:
                return resp
        page = q.get("page", ["1"])[0]
        page = int(page) if page.isdigit() and int(page) >= 1 else None
        if page is None:
            return self.missing(path)
        parts = path.strip("/").split("/")
        if path == "/vn/van-ban.aspx":
            return self.documents(page)
        if path in ("/vn/in-bai.aspx", "/vn/gui-email.aspx"):
            raw = q.get("id", [""])[0]
            k = int(raw) - 24000 if raw.isdigit() else 0
            if self.model.article_exists(k, self.night):
                return self.print_view(self.model.article_any(k, self.night), path)
            return self.missing(path)
        if path == "/vn/tim-kiem.aspx":
            return self.search(q.get("keyword", [""])[0])
        if parts[:2] == ["vn", "chuyen-muc"] and parts[-1].endswith(".aspx"):
            if len(parts) == 4 and parts[2].isdigit() and int(parts[2]) in CAT_OF_ID:
                c = CAT_OF_ID[int(parts[2])]
                if parts[3] == f"{CATEGORIES[c][0]}.aspx":
                    return self.category(c, page)
            if len(parts) == 5 and page == 1:
                k, a, _ = self.article_at(path)
                if a:
                    return self.article(a)
        if parts[:2] == ["vn", "van-ban"] and len(parts) == 4 and page == 1:
            d = self.document_at(path)
            if d:
                return self.document(d)
        return self.missing(path)

    # ---- page shell --------------------------------------------------------------------
    def viewstate(self, path: str, size: int = 1200) -> str:
        raw = b"".join(digest(self.site.config.seed, "vs", path, i) for i in range(size // 16))
        return base64.b64encode(b"/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QW" + raw).decode()

    def page(self, path: str, title: str, main: str, *, action: str | None = None) -> Response:
        menu = "".join(f'<li><a href="/vn/chuyen-muc/{CAT_IDS[c]}/{a}.aspx">{e(t)}</a></li>'
                       for c, (a, t) in enumerate(CATEGORIES))
        action = action or "." + path
        text = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head id="ctl00_Head1"><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><title>
\t{e(title)}
</title><link href="{THEME}/css/style.css" rel="stylesheet" type="text/css" />
<link href="{THEME}/css/menu.css" rel="stylesheet" type="text/css" />
<script src="/Scripts/jquery-1.8.3.min.js" type="text/javascript"></script>
<script src="/Scripts/common.js" type="text/javascript"></script>
</head>
<body>
<form name="aspnetForm" method="post" action="{e(action)}" id="aspnetForm">
<div>
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{self.viewstate(path)}" />
</div>
<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['aspnetForm'];
function __doPostBack(eventTarget, eventArgument) {{
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {{
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }}
}}
//]]>
</script>
<script src="{WEBRESOURCE.replace("&", "&amp;")}" type="text/javascript"></script>
<div id="wrapper">
<div id="ctl00_header" class="header"><a href="/"><img src="{THEME}/images/banner.png"
 alt="{e(SITE_NAME)}" /></a></div>
<div class="menu-top"><ul id="nav"><li><a href="/">Trang chủ</a></li>{menu}
<li><a href="/vn/van-ban.aspx">Văn bản</a></li></ul></div>
<div class="search-top"><input name="ctl00$txtKeyword" type="text" id="ctl00_txtKeyword" />
<input type="submit" name="ctl00$btnSearch" value="Tìm kiếm" id="ctl00_btnSearch" /></div>
<div id="content"><div class="col-left">
{main}
</div><div class="col-right">{self.right_column()}</div></div>
<div class="footer"><p><b>{e(SITE_NAME)}</b></p><p>Địa chỉ: Tầng 4, Khu hành chính số 2,
 phường Đông Phong, thành phố Lai Châu</p><p>Điện thoại: 0213.3876.xxx</p>{self.fault_links()}</div>
</div>
<div>
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="CA0B0334" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION"
 value="{self.viewstate(path + "#ev", 96)}" />
</div></form>
</body>
</html>
"""
        return html(text, path)

    def right_column(self) -> str:
        docs, _ = self.documents_page(1, 5)
        lis = "".join(f'<li><a href="{self.document_url(d.id)}">{e(d.number)}</a></li>'
                      for d in docs)
        return (f'<div class="box"><div class="box-title">Văn bản mới</div><ul>{lis}</ul>'
                '<a href="/vn/van-ban.aspx" class="more">Xem tất cả</a></div>')

    def missing(self, path: str) -> Response:
        """The CMS's soft "not found": 200 and a message in the page body."""
        return self.page(path, SITE_NAME, '<div class="notfound"><p>Không tìm thấy trang bạn '
                         "yêu cầu. Trang có thể đã bị xóa hoặc địa chỉ không đúng.</p><p><a "
                         'href="/">Về trang chủ</a></p></div>')

    def news_item(self, t: Teaser) -> str:
        url = self.article_url(t.id)
        thumb = (f'<a class="thumb" href="{url}"><img src="{self.image_url(t.lead, t.id)}" alt="" '
                 'width="150" /></a>' if t.lead else "")
        return (f'<div class="news-item">{thumb}<h3><a href="{url}">{e(t.title)}</a></h3>'
                f'<span class="date">({t.published:%d/%m/%Y})</span>'
                f'<p class="sapo">{e(t.summary)}</p><div class="clear"></div></div>')

    @staticmethod
    def pager(path: str, page: int, pages: int) -> str:
        """Numbered links post back (not crawlable); only previous / next are plain links."""
        if pages <= 1:
            return ""
        out = []
        if page > 1:
            prev = path if page == 2 else f"{path}?page={page - 1}"
            out.append(f'<a class="prev" href="{prev}">&laquo; Trang trước</a>')
        for n in range(max(1, page - 4), min(pages, page + 4) + 1):
            if n == page:
                out.append(f'<span class="current">{n}</span>')
            else:
                out.append(f"<a href=\"javascript:__doPostBack('ctl00$ContentPlaceHolder1$"
                           f"rptPager$ctl{n:02d}$lnkPage','')\">{n}</a>")
        if page < pages:
            out.append(f'<a class="next" href="{path}?page={page + 1}">Trang sau &raquo;</a>')
        return f'<div class="pager">{" ".join(out)}</div>'

    # ---- pages -------------------------------------------------------------------------
    def home(self, path: str) -> Response:
        blocks = []
        for c, (alias, title) in enumerate(CATEGORIES):
            teasers, _ = self.listing(c, 1, 4)
            if teasers:
                blocks.append(f'<div class="home-cat"><div class="cat-title"><a href="/vn/chuyen-'
                              f'muc/{CAT_IDS[c]}/{alias}.aspx">{e(title)}</a></div>'
                              + "".join(self.news_item(t) for t in teasers) + "</div>")
        return self.page(path, SITE_NAME, "".join(blocks), action="./Default.aspx")

    def category(self, c: int, page: int) -> Response:
        alias, title = CATEGORIES[c]
        path = f"/vn/chuyen-muc/{CAT_IDS[c]}/{alias}.aspx"
        teasers, pages = self.listing(c, page, PER_PAGE)
        if page > pages:
            return self.missing(path)
        main = (f'<div class="cat-title"><h1>{e(title)}</h1></div><div class="list-news">'
                + "".join(self.news_item(t) for t in teasers) + "</div>"
                + self.pager(path, page, pages))
        key = path if page == 1 else f"{path}?page={page}"
        return self.page(key, f"{title} - {SITE_NAME}", main)

    def image_html(self, im: Image, k: int) -> str:
        img = f'<img src="{self.image_url(im, k)}" alt="{e(im.alt)}" width="500" border="0" />'
        if not im.caption_lines:
            return f'<p align="center">{img}</p>'
        cap = "<br />".join(e(x) for x in im.caption_lines) + f" {e(im.credit_text)}"
        return (f'<table class="tblImage" align="center" cellpadding="3" cellspacing="0">'
                f'<tr><td>{img}</td></tr><tr><td class="imgDesc"><i>{cap}</i></td></tr></table>')

    def article(self, a: Article) -> Response:
        path = self.article_url(a.id)
        alias, title = CATEGORIES[a.cat]
        body = "\n".join(self.image_html(x, a.id) if kind == "image" else
                         f'<p style="text-align: justify">{e(x)}</p>'
                         for kind, x in self.body_parts(a))
        files = ""
        if a.attachments:
            files = '<div class="attach"><b>File đính kèm:</b> ' + ", ".join(
                f'<a href="{self.file_url("article", a.id, i)}">{e(name)}</a>'
                for i, (name, _) in enumerate(a.attachments)) + "</div>"
        byline = f"Tác giả: {e(a.author_line)}"
        if a.source:
            byline += f"<br />Nguồn tin: {e(a.source)}"
        aid = article_id(a.id)
        others, _ = self.listing(a.cat, 1, 6)
        lis = "".join(f'<li><a href="{self.article_url(t.id)}">{e(t.title)}</a> '
                      f'<span class="date">({t.published:%d/%m/%Y})</span></li>'
                      for t in others if t.id != a.id)
        main = (f'<div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a href="/vn/'
                f'chuyen-muc/{CAT_IDS[a.cat]}/{alias}.aspx">{e(title)}</a></div>'
                f'<div id="ctl00_ContentPlaceHolder1_ctl00_pnlDetail" class="news-detail">'
                f'<span id="ctl00_ContentPlaceHolder1_ctl00_lblDate" class="date-line">'
                f"{date_line(a.published)}</span>"
                f'<h1 id="ctl00_ContentPlaceHolder1_ctl00_lblTitle" class="news-title">'
                f"{e(a.title)}</h1>"
                f'<div class="news-sapo"><b>{e(a.summary)}</b></div>'
                f'<div id="ctl00_ContentPlaceHolder1_ctl00_divContent" class="news-content">\n'
                f"{body}\n</div>{files}"
                f'<p class="news-author" align="right"><b>{byline}</b></p>'
                f'<div class="tools"><a href="/vn/in-bai.aspx?id={aid}" target="_blank">In bài'
                f'</a> | <a href="/vn/gui-email.aspx?id={aid}">Gửi email</a></div></div>'
                f'<div class="other-news"><div class="title">Các tin khác</div><ul>{lis}</ul>'
                "</div>")
        return self.page(path, a.title, main)

    def print_view(self, a: Article, path: str) -> Response:
        body = "".join(f"<p>{e(p)}</p>" for p in a.paragraphs)
        return html(f'<html><head><meta http-equiv="Content-Type" content="text/html; '
                    f'charset=utf-8" /><title>{e(a.title)}</title></head><body onload="'
                    f'window.print()"><h2>{e(a.title)}</h2><p>{date_line(a.published)}</p>'
                    f"{body}</body></html>", path)

    def search(self, keyword: str) -> Response:
        found = [t for t in self.listing(None, 1, 30)[0] if keyword.lower() in t.title.lower()]
        main = (f'<div class="cat-title"><h1>Kết quả tìm kiếm: {e(keyword)}</h1></div>'
                + ("".join(self.news_item(t) for t in found[:10])
                   or "<p>Không tìm thấy kết quả phù hợp.</p>"))
        return self.page("/vn/tim-kiem.aspx", "Tìm kiếm", main)

    def documents(self, page: int) -> Response:
        path = "/vn/van-ban.aspx"
        docs, pages = self.documents_page(page, DOCS_PER_PAGE)
        if page > pages:
            return self.missing(path)
        rows = "".join(
            f'<tr><td align="center">{(page - 1) * DOCS_PER_PAGE + i}</td>'
            f'<td><a href="{self.document_url(d.id)}">{e(d.number)}</a></td>'
            f"<td>{d.issued_on:%d/%m/%Y}</td><td>{e(d.title)}</td></tr>"
            for i, d in enumerate(docs, start=1))
        main = ('<div class="cat-title"><h1>Văn bản chỉ đạo, điều hành</h1></div>'
                '<table id="ctl00_ContentPlaceHolder1_ctl00_grvVanBan" class="grid" '
                'cellspacing="0" rules="all" border="1"><tr><th>STT</th><th>Số/Ký hiệu</th>'
                f"<th>Ngày ban hành</th><th>Trích yếu</th></tr>{rows}</table>"
                + self.pager(path, page, pages))
        key = path if page == 1 else f"{path}?page={page}"
        return self.page(key, f"Văn bản - {SITE_NAME}", main)

    def document(self, d: Document) -> Response:
        path = self.document_url(d.id)

        def date(t: datetime | None) -> str:
            return f"{t:%d/%m/%Y}" if t else ""

        rows = [("Số/Ký hiệu", d.number), ("Hình thức văn bản", d.doc_type),
                ("Ngày ban hành", date(d.issued_on)),
                ("Ngày bắt đầu hiệu lực", date(d.effective_on)),
                ("Ngày hết hiệu lực", date(d.expires_on)), ("Đơn vị ban hành", d.issuer),
                ("Người ký", d.signer), ("Lĩnh vực", d.field), ("Trích yếu", d.summary)]
        trs = "".join(f'<tr><td class="lbl" width="30%"><b>{k}:</b></td><td>{e(v)}</td></tr>'
                      for k, v in rows)
        files = "<br />".join(f'<a href="{self.file_url("document", d.id, i)}">{e(name)}</a>'
                              for i, (name, _) in enumerate(d.files))
        main = (f'<div class="cat-title"><h1>{e(d.title)}</h1></div>'
                f'<table class="vanban-detail" cellpadding="4" border="1">{trs}'
                f'<tr><td class="lbl"><b>File đính kèm:</b></td><td>{files}</td></tr></table>'
                + "".join(f"<p>{e(p)}</p>" for p in d.body))
        return self.page(path, d.title, main)

    # ---- ground truth ------------------------------------------------------------------
    def canonical_urls(self, base: str = "") -> list[str]:
        m, night = self.model, self.night
        urls = ["/", "/robots.txt", "/favicon.ico", WEBRESOURCE, *(p for p, _ in STATIC)]
        for c, (alias, _) in enumerate(CATEGORIES):
            path = f"/vn/chuyen-muc/{CAT_IDS[c]}/{alias}.aspx"
            pages = page_count(m.category_total(c, night), PER_PAGE)
            urls.append(path)
            urls += [f"{path}?page={n}" for n in range(2, pages + 1)]
        pages = page_count(m.state(night).max_document, DOCS_PER_PAGE)
        urls.append("/vn/van-ban.aspx")
        urls += [f"/vn/van-ban.aspx?page={n}" for n in range(2, pages + 1)]
        urls += self.item_urls()
        return [base + u for u in urls]


__all__ = ["Custom", "article_id", "document_id", "date_line"]
