"""The "upload" portal platform: today's laichau.gov.vn (and moit.gov.vn, moet.gov.vn, …).

What is known (../shared/PLATFORMS.md, "The Lai Châu family today"), and followed here:
articles at `/<category>/<subcategory>/<slug>.html` with no numeric id (the canonical URL is
the item key), category pages without an extension, uploads under
`/upload/<siteId>/<yyyymmdd>/<name>_<5 hex>.<ext>` and `/upload/<siteId>/fck/files/…`,
`og:*` meta and `article:published_time` with a `+0700` offset (no colon), listing items
`article.post-item.row.clearfix[data-id=<24 hex>]` with `.post-title h4 a` and
`.post-image a img`, search at `/?page=search&keyword=` and a 302 to the home page for
anything missing. What is not known (the detail page's title/date/byline markup, the
pagination parameter, the document pages) is a plausible choice, documented in
docs/replica.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from replica import feeds
from replica.content import CATEGORIES, Article, Document, Image, Teaser
from replica.determinism import hexid, rng
from replica.platforms.base import ItemPlatform, PathInfo, e, html, page_count
from replica.routes import Request, Response
from replica.textgen import alias as slugify

SITE_ID = "2003591"
SITE_NAME = "Cổng thông tin điện tử tỉnh Lai Châu"
PER_PAGE = 15
DOCS_PER_PAGE = 20
SITEMAP_ITEMS = 1000
# The portal files its eight news categories under two parents.
PARENTS = [
    ("tin-tuc-su-kien", "Tin tức - Sự kiện",
     ["thoi-su-chinh-tri", "kinh-te", "van-hoa-xa-hoi", "quoc-phong-an-ninh",
      "giao-duc-dao-tao", "y-te"]),
    ("chinh-quyen", "Chính quyền", ["xay-dung-dang", "chi-dao-dieu-hanh"]),
]
PARENT_OF = {sub: p for p, _, subs in PARENTS for sub in subs}
CAT_BY_ALIAS = {a: i for i, (a, _) in enumerate(CATEGORIES)}
STATIC = (("/Content/css/bootstrap.min.css", "css"), ("/Content/css/style.css", "css"),
          ("/Scripts/jquery.min.js", "js"), ("/Scripts/main.js", "js"),
          (f"/upload/{SITE_ID}/fck/images/logo.png", "png"))
IMAGE_RE = re.compile(rf"^/upload/{SITE_ID}/\d{{8}}/[A-Za-z0-9_-]+_[0-9a-f]{{5}}\.(jpg|png)$")
TRANG = "trang"  # the page parameter of listings: /<cat>/<sub>?trang=2


def cat_path(c: int) -> str:
    sub = CATEGORIES[c][0]
    return f"/{PARENT_OF[sub]}/{sub}"


def offset(t: datetime) -> str:
    """2024-05-03T10:15:00+0700: the platform's offset has no colon."""
    return t.strftime("%Y-%m-%dT%H:%M:%S%z")


class UploadPortal(ItemPlatform):
    name = "upload-portal"
    session_cookie = "ASP.NET_SessionId"
    server_headers = (("Server", "nginx"),)
    static_files = STATIC
    trap_patterns = (r"^/\?page=search&keyword=",)

    # ---- where things live -------------------------------------------------------------
    def article_path(self, t: PathInfo, n: int) -> str:
        slug = t.alias if n == 1 else f"{t.alias}-{n}"
        return f"{cat_path(t.cat)}/{slug}.html"

    def document_path(self, d: Document, n: int) -> str:
        slug = slugify(f"{d.number} {d.title}")[:90].strip("-")
        return f"/van-ban/{slug if n == 1 else f'{slug}-{n}'}.html"

    def image_path(self, src: str, k: int, n: int) -> str:
        stem, ext = src.rsplit("/", 1)[-1].rsplit(".", 1)
        day = self.model.published(k).strftime("%Y%m%d")
        tail = hexid(self.site.config.seed, "upload", src, n, length=5)
        return f"/upload/{SITE_ID}/{day}/{stem.replace('.', '-')}_{tail}.{ext}"

    def file_path(self, owner: str, k: int, i: int, name: str, n: int) -> str:
        stem, ext = name.rsplit(".", 1)
        return f"/upload/{SITE_ID}/fck/files/{stem if n == 1 else f'{stem}_{n}'}.{ext}"

    def refiled(self, night: int) -> list[tuple[int, int]]:
        """One article a night is re-filed under another category (its URL changes: the
        platform's URLs carry the category and no id). Never the seed article, nor one
        withdrawn or edited that night, nor one moved before."""
        m = self.model
        prev, st = m.state(night - 1), m.state(night)
        r = rng(self.site.config.seed, "refile", night)
        for _ in range(50):
            k = r.randint(2, prev.max_article) if prev.max_article >= 2 else 0
            if not k or k in st.removed or k in self._index.moves \
                    or any(n == night for n, _ in st.edits.get(k, ())):
                continue
            return [(k, r.choice([c for c in range(len(CATEGORIES))
                                  if c != m.category_of(k)]))]
        return []

    # ---- routing -----------------------------------------------------------------------
    def route(self, req: Request, base: str) -> Response:
        path, q = req.path, req.query
        if path == "/":
            if "page" in q:  # /?page=search&keyword=…: the search, a trap for crawlers
                return self.search(q.get("keyword", [""])[0])
            return self.home(base)
        if path == "/robots.txt":
            return Response(200, "text/plain; charset=utf-8",
                            text=f"User-agent: *\nDisallow: /?page=search\n"
                                 f"Sitemap: {base}/sitemap.xml\n")
        if path == "/sitemap.xml":
            return self.sitemap(base)
        if path == "/favicon.ico":
            return Response(200, "image/png", body=self.serve_static(STATIC[-1][0]).body)
        for serve in (self.serve_static, self.serve_image, self.serve_file):
            if (resp := serve(path)) is not None:
                return resp
        parts = path.strip("/").split("/")
        page = self.page_param(q)
        if path.endswith(".html"):
            if parts[0] == "van-ban" and len(parts) == 2:
                d = self.document_at(path)
                return self.document(d, base) if d else self.missing()
            k, a, _ = self.article_at(path)
            return self.article(a, base) if a else self.missing()
        if page is None:
            return self.missing()
        if path == "/van-ban":
            return self.documents(page)
        if len(parts) == 1:
            for p, title, subs in PARENTS:
                if p == parts[0] and page == 1:
                    return self.parent(p, title, subs)
        if len(parts) == 2 and PARENT_OF.get(parts[1]) == parts[0]:
            return self.category(CAT_BY_ALIAS[parts[1]], page)
        return self.missing()

    @staticmethod
    def page_param(q: dict[str, list[str]]) -> int | None:
        raw = q.get(TRANG, ["1"])[0]
        return int(raw) if raw.isdigit() and int(raw) >= 1 else None

    @staticmethod
    def missing() -> Response:
        """Anything unknown (a withdrawn article too) answers 302 to the home page."""
        return Response(302, text='<html><head><title>Object moved</title></head><body>'
                        '<h2>Object moved to <a href="/">here</a>.</h2></body></html>',
                        headers=[("Location", "/")])

    # ---- page shell --------------------------------------------------------------------
    def page(self, path: str, title: str, main: str, *, head: str = "",
             crumbs: list[tuple[str, str]] = (), status: int = 200) -> Response:
        menu = "".join(
            f'<li class="dropdown"><a href="/{p}">{e(t)}</a><ul class="dropdown-menu">'
            + "".join(f'<li><a href="{cat_path(c)}">{e(CATEGORIES[c][1])}</a></li>'
                      for c in (CAT_BY_ALIAS[s] for s in subs))
            + "</ul></li>" for p, t, subs in PARENTS)
        crumb = "".join(f'<li><a href="{href}">{e(name)}</a></li>' for name, href in crumbs)
        text = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{e(title)}</title>
{head}<link rel="shortcut icon" href="/favicon.ico" />
<link href="/Content/css/bootstrap.min.css" rel="stylesheet" />
<link href="/Content/css/style.css" rel="stylesheet" />
<script src="/Scripts/jquery.min.js"></script>
</head>
<body>
<div id="wrapper">
<header class="header"><div class="container"><div class="row clearfix">
<div class="logo col-md-8"><a href="/"><img src="/upload/{SITE_ID}/fck/images/logo.png"
 alt="{SITE_NAME}" /></a><span class="site-name">{SITE_NAME}</span></div>
<div class="search-box col-md-4"><form action="/" method="get">
<input type="hidden" name="page" value="search" /><input type="text" name="keyword"
 placeholder="Tìm kiếm..." /><button type="submit">Tìm</button></form></div>
</div></div></header>
<nav class="main-menu"><div class="container"><ul class="nav navbar-nav">
<li><a href="/">Trang chủ</a></li>{menu}<li><a href="/van-ban">Văn bản</a></li></ul></div></nav>
<div class="container main-content">
<ol class="breadcrumb"><li><a href="/">Trang chủ</a></li>{crumb}</ol>
<div class="row clearfix"><div class="col-md-9 col-main">
{main}
</div><div class="col-md-3 col-right">{self.sidebar()}</div></div>
</div>
<footer class="footer"><div class="container"><p><strong>{SITE_NAME}</strong></p>
<p>Cơ quan chủ quản: Văn phòng UBND tỉnh Lai Châu</p>
<p>Ghi rõ nguồn "Cổng thông tin điện tử tỉnh Lai Châu" khi phát hành lại thông tin từ
website này.</p>
<p><a href="/sitemap.xml">Sơ đồ cổng</a> {self.fault_links()}</p></div></footer>
</div>
<script src="/Scripts/main.js"></script>
</body>
</html>
"""
        return html(text, path, status)

    def sidebar(self) -> str:
        docs, _ = self.documents_page(1, 5)
        items = "".join(f'<li><a href="{self.document_url(d.id)}">{e(d.number)}</a>'
                        f"<p>{e(d.title)}</p></li>" for d in docs)
        return (f'<div class="box-right"><h3 class="box-title">Văn bản mới</h3>'
                f'<ul class="list-vb">{items}</ul><a class="more" href="/van-ban">Xem thêm</a>'
                "</div>")

    def post_item(self, t: Teaser) -> str:
        url = self.article_url(t.id)
        img = ""
        if t.lead:
            img = (f'<div class="post-image col-md-4"><a href="{url}" title="{e(t.title)}">'
                   f'<img src="{self.image_url(t.lead, t.id)}" alt="{e(t.title)}" /></a></div>')
        return (f'<article class="post-item row clearfix" '
                f'data-id="{hexid(self.site.config.seed, "post", t.id, length=24)}">{img}'
                f'<div class="post-content col-md-8"><div class="post-title"><h4>'
                f'<a href="{url}" title="{e(t.title)}">{e(t.title)}</a></h4></div>'
                f'<div class="post-date"><i class="fa fa-calendar"></i> '
                f"{t.published:%d/%m/%Y}</div>"
                f'<div class="post-summary">{e(t.summary)}</div></div></article>')

    @staticmethod
    def pagination(path: str, page: int, pages: int) -> str:
        if pages <= 1:
            return ""

        def url(n: int) -> str:
            return path if n == 1 else f"{path}?{TRANG}={n}"

        out = []
        if page > 1:
            out.append(f'<li><a href="{url(1)}">Đầu</a></li>'
                       f'<li><a href="{url(page - 1)}">&laquo;</a></li>')
        for n in range(max(1, page - 3), min(pages, page + 3) + 1):
            out.append(f'<li class="active"><span>{n}</span></li>' if n == page
                       else f'<li><a href="{url(n)}">{n}</a></li>')
        if page < pages:
            out.append(f'<li><a href="{url(page + 1)}">&raquo;</a></li>'
                       f'<li><a href="{url(pages)}">Cuối</a></li>')
        return f'<div class="paging"><ul class="pagination">{"".join(out)}</ul></div>'

    # ---- pages -------------------------------------------------------------------------
    def home(self, base: str) -> Response:
        blocks = []
        for c, (_, title) in enumerate(CATEGORIES):
            teasers, _ = self.listing(c, 1, 5)
            if teasers:
                blocks.append(f'<section class="home-block"><h2 class="block-title">'
                              f'<a href="{cat_path(c)}">{e(title)}</a></h2>'
                              + "".join(self.post_item(t) for t in teasers) + "</section>")
        return self.page("/", SITE_NAME, "".join(blocks),
                         head=self.og(base, SITE_NAME, "/", "website", SITE_NAME))

    def parent(self, p: str, title: str, subs: list[str]) -> Response:
        blocks = []
        for sub in subs:
            c = CAT_BY_ALIAS[sub]
            teasers, _ = self.listing(c, 1, 4)
            blocks.append(f'<section class="cat-block"><h2 class="block-title"><a href="'
                          f'{cat_path(c)}">{e(CATEGORIES[c][1])}</a></h2>'
                          + "".join(self.post_item(t) for t in teasers) + "</section>")
        return self.page(f"/{p}", title, f'<h1 class="cat-title">{e(title)}</h1>'
                         + "".join(blocks), crumbs=[(title, f"/{p}")])

    def category(self, c: int, page: int) -> Response:
        path = cat_path(c)
        teasers, pages = self.listing(c, page, PER_PAGE)
        if page > pages:
            return self.missing()
        title = CATEGORIES[c][1]
        parent = next((p, t) for p, t, subs in PARENTS if CATEGORIES[c][0] in subs)
        main = (f'<h1 class="cat-title">{e(title)}</h1><div class="list-news">'
                + "".join(self.post_item(t) for t in teasers) + "</div>"
                + self.pagination(path, page, pages))
        key = path if page == 1 else f"{path}?{TRANG}={page}"
        return self.page(key, title if page == 1 else f"{title} - Trang {page}", main,
                         crumbs=[(parent[1], f"/{parent[0]}"), (title, path)])

    @staticmethod
    def og(base: str, title: str, path: str, kind: str, description: str,
           image: str = "") -> str:
        out = (f'<meta name="description" content="{e(description)}" />\n'
               f'<meta property="og:type" content="{kind}" />\n'
               f'<meta property="og:title" content="{e(title)}" />\n'
               f'<meta property="og:description" content="{e(description)}" />\n'
               f'<meta property="og:url" content="{e(base + path)}" />\n'
               f'<meta property="og:site_name" content="{SITE_NAME}" />\n')
        if image:
            out += f'<meta property="og:image" content="{e(base + image)}" />\n'
        return out

    def figure(self, im: Image, k: int) -> str:
        src = self.image_url(im, k)
        img = f'<img alt="{e(im.alt)}" src="{src}" style="width:100%" />'
        if not im.caption_lines:
            return f'<p style="text-align:center">{img}</p>'
        # The editor (CKEditor's image2) writes a figure; the credit is typed in the caption.
        cap = "<br />".join(e(x) for x in im.caption_lines)
        return (f'<figure class="image" style="text-align:center">{img}'
                f"<figcaption>{cap} {e(im.credit_text)}</figcaption></figure>")

    def article(self, a: Article, base: str) -> Response:
        path = self.article_url(a.id)
        c = self.category_at(a.id)  # an editor may have re-filed it
        parent = next((p, t) for p, t, subs in PARENTS if CATEGORIES[c][0] in subs)
        body = "\n".join(self.figure(x, a.id) if kind == "image" else
                         f'<p style="text-align:justify">{e(x)}</p>'
                         for kind, x in self.body_parts(a))
        files = ""
        if a.attachments:
            lis = "".join(f'<li><a href="{self.file_url("article", a.id, i)}" target="_blank">'
                          f"{e(name)}</a></li>" for i, (name, _) in enumerate(a.attachments))
            files = (f'<div class="attach-file"><p><strong>Tệp đính kèm:</strong></p>'
                     f"<ul>{lis}</ul></div>")
        byline = (f'<p class="author-name" style="text-align:right"><strong>{e(a.author_line)}'
                  "</strong></p>")
        if a.source:
            byline += f'<p class="source-name" style="text-align:right">Nguồn: {e(a.source)}</p>'
        words = self.model.tag_words
        tags = ""
        if a.tags:
            tags = ('<div class="tags"><span>Từ khóa:</span> ' + ", ".join(
                f'<a href="/?page=search&amp;keyword={quote(words[t])}">{e(words[t])}</a>'
                for t in a.tags) + "</div>")
        same, _ = self.listing(c, 1, 6)
        related = "".join(self.post_item(t) for t in same if t.id != a.id)
        post_id = hexid(self.site.config.seed, "post", a.id, length=24)
        main = (f'<div class="detail-news" id="detail-{post_id}">'
                f'<h1 class="title-detail">{e(a.title)}</h1>'
                f'<div class="meta-detail"><span class="date-detail"><i class="fa fa-clock-o"></i> '
                f"{a.published:%d/%m/%Y %H:%M}</span></div>"
                f'<div class="sapo-detail"><strong>{e(a.summary)}</strong></div>'
                f'<div class="content-detail">\n{body}\n</div>{files}{byline}{tags}'
                f'<div class="share"><a href="https://www.facebook.com/sharer/sharer.php?u='
                f'{quote(base + path, safe="")}" target="_blank">Chia sẻ</a></div></div>'
                f'<div class="other-news"><h3 class="block-title">Tin cùng chuyên mục</h3>'
                f"{related}</div>")
        image = self.image_url(a.lead, a.id) if a.lead else ""
        head = (self.og(base, a.title, path, "article", a.summary, image)
                + f'<meta property="article:published_time" itemprop="datePublished" '
                f'content="{offset(a.published)}" />\n'
                f'<meta property="article:modified_time" itemprop="dateModified" '
                f'content="{offset(a.edited)}" />\n'
                f'<meta property="article:section" content="{e(CATEGORIES[c][1])}" />\n'
                f'<link rel="canonical" href="{e(base + path)}" />\n')
        return self.page(path, a.title, main, head=head,
                         crumbs=[(parent[1], f"/{parent[0]}"), (CATEGORIES[c][1], cat_path(c))])

    def documents(self, page: int) -> Response:
        docs, pages = self.documents_page(page, DOCS_PER_PAGE)
        if page > pages:
            return self.missing()
        rows = "".join(
            f'<tr><td>{(page - 1) * DOCS_PER_PAGE + i}</td><td><a href="{self.document_url(d.id)}">'
            f"{e(d.number)}</a></td><td>{d.issued_on:%d/%m/%Y}</td><td>{e(d.title)}</td></tr>"
            for i, d in enumerate(docs, start=1))
        main = ('<h1 class="cat-title">Văn bản</h1><table class="table table-bordered table-vb">'
                "<thead><tr><th>STT</th><th>Số ký hiệu</th><th>Ngày ban hành</th>"
                f"<th>Trích yếu</th></tr></thead><tbody>{rows}</tbody></table>"
                + self.pagination("/van-ban", page, pages))
        key = "/van-ban" if page == 1 else f"/van-ban?{TRANG}={page}"
        return self.page(key, "Văn bản" if page == 1 else f"Văn bản - Trang {page}", main,
                         crumbs=[("Văn bản", "/van-ban")])

    def document(self, d: Document, base: str) -> Response:
        path = self.document_url(d.id)

        def date(t: datetime | None) -> str:
            return f"{t:%d/%m/%Y}" if t else ""

        rows = [("Số ký hiệu", d.number), ("Loại văn bản", d.doc_type),
                ("Ngày ban hành", date(d.issued_on)), ("Ngày có hiệu lực", date(d.effective_on)),
                ("Ngày hết hiệu lực", date(d.expires_on)), ("Cơ quan ban hành", d.issuer),
                ("Người ký", d.signer), ("Lĩnh vực", d.field), ("Trích yếu", d.summary)]
        trs = "".join(f'<tr><td class="label-vb">{k}</td><td class="value-vb">{e(v)}</td></tr>'
                      for k, v in rows)
        files = "".join(f'<li><a href="{self.file_url("document", d.id, i)}" target="_blank">'
                        f"{e(name)}</a></li>" for i, (name, _) in enumerate(d.files))
        body = "".join(f"<p>{e(p)}</p>" for p in d.body)
        main = (f'<div class="detail-vb"><h1 class="title-detail">{e(d.title)}</h1>'
                f'<table class="table table-bordered table-detail-vb"><tbody>{trs}'
                f'<tr><td class="label-vb">Tệp đính kèm</td><td class="value-vb"><ul>{files}</ul>'
                f'</td></tr></tbody></table><div class="content-vb">{body}</div></div>')
        return self.page(path, d.title, main,
                         head=self.og(base, d.title, path, "article", d.summary),
                         crumbs=[("Văn bản", "/van-ban"), (d.number, path)])

    def search(self, keyword: str) -> Response:
        """The search page: results for any keyword (a trap: infinitely many URLs)."""
        found = [t for t in self.listing(None, 1, 40)[0] if keyword.lower() in t.title.lower()]
        main = (f'<h1 class="cat-title">Kết quả tìm kiếm: {e(keyword)}</h1>'
                + ("".join(self.post_item(t) for t in found[:10])
                   or "<p>Không tìm thấy kết quả nào.</p>"))
        return self.page("/", "Tìm kiếm", main)

    def sitemap(self, base: str) -> Response:
        m, night = self.model, self.night
        ids = m.category_ids(None, night, 0, SITEMAP_ITEMS)
        entries = [(self.article_url(k), m.teaser(k, night).edited) for k in ids]
        entries += [(self.document_url(k), m.document(k).issued_on)
                    for k in m.document_ids(night, 0, SITEMAP_ITEMS)]
        return Response(200, "application/xml; charset=utf-8", text=feeds.urlset(base, entries))

    # ---- ground truth ------------------------------------------------------------------
    def canonical_urls(self, base: str = "") -> list[str]:
        m, night = self.model, self.night
        urls = ["/", "/robots.txt", "/sitemap.xml", "/favicon.ico", *(p for p, _ in STATIC)]
        urls += [f"/{p}" for p, _, _ in PARENTS]
        for c in range(len(CATEGORIES)):
            pages = page_count(m.category_total(c, night), PER_PAGE)
            urls.append(cat_path(c))
            urls += [f"{cat_path(c)}?{TRANG}={n}" for n in range(2, pages + 1)]
        pages = page_count(m.state(night).max_document, DOCS_PER_PAGE)
        urls.append("/van-ban")
        urls += [f"/van-ban?{TRANG}={n}" for n in range(2, pages + 1)]
        urls += self.item_urls()
        return [base + u for u in urls]
