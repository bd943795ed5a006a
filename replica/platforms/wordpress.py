"""WordPress (departments' and agencies' sites): a Twenty Twenty-style theme with Yoast SEO.

Structure after WordPress core and the Twenty Twenty templates (singular: `article.post`
with `h1.entry-title`, `.post-meta` with the author account and `<time datetime>`,
`.entry-content`; archives of `h2.entry-title` teasers with `nav.pagination` page-numbers;
`/category/<slug>/page/N/`), core's `[caption]` output (`div.wp-caption` +
`p.wp-caption-text`) beside block-editor images (`figure.wp-block-image` +
`figcaption.wp-element-caption`), uploads at `/wp-content/uploads/YYYY/MM/…`, core sitemaps
(`/wp-sitemap.xml`), the RSS 2 feed at `/feed/` and Yoast's JSON-LD `@graph`. Documents
(văn bản) are a custom post type `van-ban` whose plugin prints a label/value table.

Pitfalls of real sites, kept on purpose: Yoast writes dates in UTC (`+00:00`) where the theme
writes local time (`+07:00`); the post's WordPress author is the editors' account, while the
article's byline is typed at the end of the content; the visible date has no time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime

from replica import feeds
from replica.content import CATEGORIES, TZ, Article, Document, Image, Teaser
from replica.determinism import unit
from replica.platforms.base import ItemPlatform, PathInfo, e, html, page_count
from replica.routes import Request, Response

SITE_NAME = "Sở Thông tin và Truyền thông tỉnh Lai Châu"
TAGLINE = "Trang thông tin điện tử"
WP_VERSION = "6.4.3"
PER_PAGE = 10  # WordPress's posts_per_page default
ACCOUNT = ("bientap", "Ban Biên tập")  # the WordPress user who publishes every post
UTC = UTC
THEME = "/wp-content/themes/twentytwenty"
STATIC = ((f"{THEME}/style.css", "css"), (f"{THEME}/print.css", "css"),
          ("/wp-includes/css/dist/block-library/style.min.css", "css"),
          ("/wp-includes/js/jquery/jquery.min.js", "js"), (f"{THEME}/assets/js/index.js", "js"),
          ("/wp-content/uploads/2020/01/logo-so-tttt.png", "png"))


def post_id(k: int) -> int:
    """WordPress IDs: posts, their images and documents share one sequence with gaps."""
    return 1000 + 10 * k


def doc_id(k: int) -> int:
    return 1000 + 10 * k + 7


def local_iso(t: datetime) -> str:
    return t.astimezone(TZ).isoformat()


def utc_iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat()


class WordPress(ItemPlatform):
    name = "wordpress"
    session_cookie = None  # WordPress sets no cookie for visitors
    server_headers = (("X-Powered-By", "PHP/8.1.27"),
                      ("Link", '</wp-json/>; rel="https://api.w.org/"'))
    static_files = STATIC
    # shortlinks (301 to the permalink), the REST API, XML-RPC, each post's comments feed,
    # search results, comment-reply links
    trap_patterns = (r"^/\?p=\d+$", r"^/wp-json/", r"^/xmlrpc\.php",
                     r"^/\d{4}/\d{2}/\d{2}/[^/]+/feed/$", r"^/\?s=", r"[?&]replytocom=")

    _tags: dict[str, list[int]] | None = None

    # ---- where things live -------------------------------------------------------------
    def article_path(self, t: PathInfo, n: int) -> str:
        slug = t.alias if n == 1 else f"{t.alias}-{n}"
        return f"/{t.published:%Y/%m/%d}/{slug}/"

    def document_path(self, d: Document, n: int) -> str:
        slug = d.alias if n == 1 else f"{d.alias}-{n}"
        return f"/van-ban/{slug}/"

    def image_path(self, src: str, k: int, n: int) -> str:
        stem, ext = src.rsplit("/", 1)[-1].rsplit(".", 1)
        stem = stem if n == 1 else f"{stem}-{n - 1}"  # wp_unique_filename: name-1, name-2
        return f"/wp-content/uploads/{self.model.published(k):%Y/%m}/{stem}.{ext}"

    def file_path(self, owner: str, k: int, i: int, name: str, n: int) -> str:
        when = self.model.published(k) if owner == "article" else self.model.document(k).issued_on
        stem, ext = name.rsplit(".", 1)
        stem = stem if n == 1 else f"{stem}-{n - 1}"
        return f"/wp-content/uploads/{when:%Y/%m}/{stem}.{ext}"

    def item_key(self, kind: str, k: int, url: str) -> str:
        return str(post_id(k) if kind == "article" else doc_id(k))

    # ---- routing -----------------------------------------------------------------------
    def route(self, req: Request, base: str) -> Response:
        path, q = req.path, req.query
        if path == "/" and "p" in q:  # the shortlink: 301 to the permalink, as core does
            return self.shortlink(q["p"][0])
        if path == "/" and "s" in q:
            return self.search(q["s"][0], base)
        if path == "/robots.txt":
            return Response(200, "text/plain; charset=utf-8",
                            text="User-agent: *\nDisallow: /wp-admin/\n"
                                 "Allow: /wp-admin/admin-ajax.php\n\n"
                                 f"Sitemap: {base}/wp-sitemap.xml\n")
        if path.startswith("/wp-sitemap"):
            return self.sitemap(path, base) or self.not_found(base, path)
        if path == "/feed/":
            return self.feed(base)
        if path.startswith("/wp-json/"):
            return Response(200, "application/json; charset=UTF-8",
                            text=json.dumps({"name": SITE_NAME, "url": base,
                                             "namespaces": ["oembed/1.0", "wp/v2"]}))
        if path == "/xmlrpc.php" and "rsd" in q:
            return Response(200, "text/xml; charset=UTF-8", text=(
                '<?xml version="1.0" encoding="UTF-8"?><rsd version="1.0" xmlns="http://'
                'archipelago.phrasewise.com/rsd"><service><engineName>WordPress</engineName>'
                f"<homePageLink>{base}/</homePageLink></service></rsd>"))
        if path == "/favicon.ico":
            return Response(200, "image/png", body=self.serve_static(STATIC[-1][0]).body)
        for serve in (self.serve_static, self.serve_image, self.serve_file):
            if (resp := serve(path)) is not None:
                return resp
        parts = [p for p in path.split("/") if p]
        if not path.endswith("/"):
            return self.not_found(base, path)
        if parts[:1] == ["category"] and len(parts) == 3 and parts[2] == "feed":
            c = next((i for i, (a, _) in enumerate(CATEGORIES) if a == parts[1]), None)
            return self.feed(base, c) if c is not None else self.not_found(base, path)
        if parts[-1:] == ["feed"]:  # a post's comments feed (core links one from every post)
            k, a, _ = self.article_at("/" + "/".join(parts[:-1]) + "/")
            return self.comments_feed(a, base) if a else self.not_found(base, path)
        page, parts = self.page_suffix(parts)
        if page is None:
            return self.not_found(base, path)
        if not parts:
            return self.archive(base, "/", None, page, SITE_NAME)
        if parts[0] == "category" and len(parts) == 2:
            c = next((i for i, (a, _) in enumerate(CATEGORIES) if a == parts[1]), None)
            if c is not None:
                return self.archive(base, f"/category/{parts[1]}/", c, page,
                                    f"Chuyên mục: {CATEGORIES[c][1]}")
        if parts[0] == "author" and parts[1:] == [ACCOUNT[0]]:
            return self.archive(base, f"/author/{ACCOUNT[0]}/", None, page,
                                f"Tác giả: {ACCOUNT[1]}")
        if parts[0] == "tag" and len(parts) == 2 and parts[1] in self.model.tag_words:
            return self.tag_archive(base, parts[1], page)
        if parts[0] == "van-ban":
            if len(parts) == 1:
                return self.documents(base, page)
            if len(parts) == 2 and page == 1:
                d = self.document_at(path)
                if d:
                    return self.document(d, base)
        if len(parts) == 4 and page == 1:
            k, a, _ = self.article_at(path)
            if a:
                return self.article(a, base)
        return self.not_found(base, path)

    @staticmethod
    def page_suffix(parts: list[str]) -> tuple[int | None, list[str]]:
        """…/page/N/ → (N, the rest); /page/1/ is not a page (core redirects; we 404)."""
        if len(parts) >= 2 and parts[-2] == "page":
            n = parts[-1]
            if n.isdigit() and int(n) >= 2:
                return int(n), parts[:-2]
            return None, parts
        return 1, parts

    def shortlink(self, raw: str) -> Response:
        if raw.isdigit() and (int(raw) - 1000) % 10 == 0:
            k = (int(raw) - 1000) // 10
            if k >= 1 and self.model.article_exists(k, self.night):
                path = self.article_url(k)
                return Response(301, text="", headers=[("Location", path)])
        return self.not_found("", "/")

    # ---- page shell --------------------------------------------------------------------
    def page(self, base: str, path: str, title: str, main: str, *, head: str = "",
             body_class: str = "blog", status: int = 200, key: str | None = None) -> Response:
        menu = "".join(f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
                       f'<a href="/category/{a}/">{e(t)}</a></li>' for a, t in CATEGORIES)
        ver = f"?ver={WP_VERSION}"
        text = f"""<!DOCTYPE html>
<html class="no-js" lang="vi">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0" >
<link rel="profile" href="https://gmpg.org/xfn/11">
<title>{e(title)}</title>
{head}<meta name="generator" content="WordPress {WP_VERSION}" />
<link rel="alternate" type="application/rss+xml" title="{e(SITE_NAME)} &raquo; Dòng thông tin"
 href="{base}/feed/" />
<link rel='stylesheet' id='wp-block-library-css'
 href='/wp-includes/css/dist/block-library/style.min.css{ver}' media='all' />
<link rel='stylesheet' id='twentytwenty-style-css' href='{THEME}/style.css?ver=2.6' media='all' />
<link rel='stylesheet' id='twentytwenty-print-style-css' href='{THEME}/print.css?ver=2.6'
 media='print' />
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<script src="{THEME}/assets/js/index.js?ver=2.6" id="twentytwenty-js-js" async></script>
<link rel="https://api.w.org/" href="{base}/wp-json/" />
<link rel="EditURI" type="application/rsd+xml" title="RSD" href="{base}/xmlrpc.php?rsd" />
</head>
<body class="{body_class} wp-embed-responsive">
<a class="skip-link screen-reader-text" href="#site-content">Chuyển đến nội dung</a>
<header id="site-header" class="header-footer-group">
<div class="header-inner section-inner"><div class="header-titles-wrapper">
<div class="header-titles"><div class="site-logo faux-heading"><a href="/"
 class="custom-logo-link" rel="home"><img width="120" height="120" src="{STATIC[-1][0]}"
 class="custom-logo" alt="{e(SITE_NAME)}" /></a></div>
<div class="site-description">{e(TAGLINE)}</div></div></div>
<div class="header-navigation-wrapper"><nav class="primary-menu-wrapper" aria-label="Ngang">
<ul class="primary-menu reset-list-style">{menu}<li class="menu-item"><a href="/van-ban/">
Văn bản</a></li></ul></nav></div>
</div></header>
<main id="site-content">
{main}
</main>
<footer id="site-footer" class="header-footer-group"><div class="section-inner">
<div class="footer-credits"><p class="footer-copyright">&copy; {self.site.newest_time().year}
 <a href="/">{e(SITE_NAME)}</a></p>
<p class="powered-by-wordpress"><a href="https://vi.wordpress.org/">Được tạo bởi WordPress</a>
</p></div>
{self.fault_links()}
<a class="to-the-top" href="#site-header"><span class="to-the-top-long">Lên đầu trang</span></a>
</div></footer>
</body>
</html>
"""
        return html(text, key or path, status)

    def not_found(self, base: str, path: str) -> Response:
        main = ('<div class="section-inner thin error404-content"><h1 class="entry-title">'
                'Không tìm thấy trang</h1><div class="intro-text"><p>Trang bạn đang tìm không '
                "tồn tại. Có thể trang đã bị xóa, đổi tên hoặc tạm thời không truy cập được."
                '</p></div><form role="search" method="get" class="search-form" action="/">'
                '<input type="search" class="search-field" name="s" /></form></div>')
        return self.page(base, path, "Không tìm thấy trang - " + SITE_NAME, main,
                         body_class="error404", status=404,
                         head='<meta name="robots" content="noindex, follow" />\n')

    # ---- listings ----------------------------------------------------------------------
    def teaser_html(self, t: Teaser) -> str:
        url = self.article_url(t.id)
        cat_alias, cat_title = CATEGORIES[t.cat]
        thumb = ""
        if t.lead:
            src = self.image_url(t.lead, t.id)
            thumb = (f'<figure class="featured-media"><div class="featured-media-inner '
                     f'section-inner"><img width="640" height="424" src="{src}'
                     f'" class="attachment-post-thumbnail size-post-thumbnail wp-post-image" '
                     f'alt="" decoding="async" /></div></figure>')
        return (f'<article class="post-{post_id(t.id)} post type-post status-publish '
                f'format-standard hentry category-{cat_alias}" id="post-{post_id(t.id)}">'
                f'<header class="entry-header has-text-align-center"><div class="entry-header-'
                f'inner section-inner medium"><div class="entry-categories"><div class="entry-'
                f'categories-inner"><a href="/category/{cat_alias}/" rel="category tag">'
                f'{e(cat_title)}</a></div></div><h2 class="entry-title heading-size-1">'
                f'<a href="{url}">{e(t.title)}</a></h2>'
                f"{self.post_meta(t, url)}</div></header>{thumb}"
                f'<div class="post-inner thin"><div class="entry-content"><p>{e(t.summary)}</p>'
                f"</div></div></article>")

    @staticmethod
    def post_meta(t: Teaser | Article, url: str) -> str:
        return (f'<div class="post-meta-wrapper post-meta-single-top"><ul class="post-meta">'
                f'<li class="post-author meta-wrapper"><span class="meta-text">Bởi '
                f'<a href="/author/{ACCOUNT[0]}/">{ACCOUNT[1]}</a></span></li>'
                f'<li class="post-date meta-wrapper"><span class="meta-text"><a href="{url}">'
                f'<time datetime="{local_iso(t.published)}">{t.published:%d/%m/%Y}</time></a>'
                "</span></li></ul></div>")

    @staticmethod
    def pagination(path: str, page: int, pages: int) -> str:
        if pages <= 1:
            return ""

        def url(n: int) -> str:
            return path if n == 1 else f"{path}page/{n}/"

        out = []
        if page > 1:
            out.append(f'<a class="prev page-numbers" href="{url(page - 1)}">&larr; Mới hơn</a>')
        shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
        last = 0
        for n in shown:
            if n - last > 1:
                out.append('<span class="page-numbers dots">&hellip;</span>')
            out.append(f'<span aria-current="page" class="page-numbers current">{n}</span>'
                       if n == page else f'<a class="page-numbers" href="{url(n)}">{n}</a>')
            last = n
        if page < pages:
            out.append(f'<a class="next page-numbers" href="{url(page + 1)}">Cũ hơn &rarr;</a>')
        return (f'<div class="pagination-wrapper section-inner"><nav class="navigation '
                f'pagination" aria-label="Phân trang bài viết"><div class="nav-links">'
                f'{"".join(out)}</div></nav></div>')

    def archive(self, base: str, path: str, cat: int | None, page: int, title: str
                ) -> Response:
        teasers, pages = self.listing(cat, page, PER_PAGE)
        if page > pages:
            return self.not_found(base, path)
        header = "" if path == "/" else (
            f'<header class="archive-header has-text-align-center header-footer-group">'
            f'<div class="archive-header-inner section-inner medium"><h1 class="archive-title">'
            f"{e(title)}</h1></div></header>")
        main = header + "".join(self.teaser_html(t) for t in teasers) \
            + self.pagination(path, page, pages)
        key = path if page == 1 else f"{path}page/{page}/"
        head = self.yoast_head(base, key, title, "CollectionPage")
        if cat is not None:
            head += (f'<link rel="alternate" type="application/rss+xml" title="{e(title)}" '
                     f'href="{base}/category/{CATEGORIES[cat][0]}/feed/" />\n')
        return self.page(base, key, f"{title} - {SITE_NAME}" if path != "/" else SITE_NAME,
                         main, head=head, body_class="archive" if path != "/" else "home blog")

    def tag_ids(self, tag: str) -> list[int]:
        """Alive posts carrying a tag, newest first (a tag archive paginates all of them);
        one pass over every post for all tags, kept for the night."""
        if self._tags is None:
            tags: dict[str, list[int]] = {}
            for k in range(self.model.state(self.night).max_article, 0, -1):
                if self.model.article_exists(k, self.night):
                    for t in self.model.article_tags(k):
                        tags.setdefault(t, []).append(k)
            self._tags = tags
        return self._tags.get(tag, [])

    def tag_archive(self, base: str, tag: str, page: int) -> Response:
        ids = self.tag_ids(tag)
        pages = page_count(len(ids), PER_PAGE)
        path = f"/tag/{tag}/"
        if page > pages or not ids:
            return self.not_found(base, path)
        word = self.model.tag_words[tag]
        teasers = [self.model.teaser(k, self.night)
                   for k in ids[(page - 1) * PER_PAGE:page * PER_PAGE]]
        main = (f'<header class="archive-header has-text-align-center"><div class="archive-'
                f'header-inner section-inner medium"><h1 class="archive-title">Thẻ: {e(word)}'
                "</h1></div></header>" + "".join(self.teaser_html(t) for t in teasers)
                + self.pagination(path, page, pages))
        key = path if page == 1 else f"{path}page/{page}/"
        return self.page(base, key, f"{word} - {SITE_NAME}", main, body_class="archive tag",
                         head=self.yoast_head(base, key, word, "CollectionPage"))

    # ---- single posts ------------------------------------------------------------------
    def image_html(self, im: Image, k: int) -> str:
        src = self.image_url(im, k)
        media_id = post_id(0) + int(unit("wp-media", im.src) * 9_000_000)
        img = (f'<img decoding="async" width="640" height="424" src="{src}" alt="{e(im.alt)}" '
               f'class="wp-image-{media_id}')
        caption = "<br>".join(e(x) for x in im.caption_lines)
        if caption:
            caption += f" {e(im.credit_text)}"
        # Older posts went through the classic editor's [caption] shortcode, newer ones are
        # image blocks: a site shows both.
        if unit("wp-editor", im.src) < 0.5 and caption:
            return (f'<div id="attachment_{media_id}" style="width: 650px" class="wp-caption '
                    f'aligncenter">{img} size-full" aria-describedby="caption-attachment-'
                    f'{media_id}" /><p id="caption-attachment-{media_id}" class="wp-caption-text">'
                    f"{caption}</p></div>")
        cap = f'<figcaption class="wp-element-caption">{caption}</figcaption>' if caption else ""
        return (f'<figure class="wp-block-image aligncenter size-large">{img}" />{cap}'
                "</figure>")

    def content_html(self, a: Article) -> str:
        parts = [self.image_html(x, a.id) if kind == "image" else f"<p>{e(x)}</p>"
                 for kind, x in self.body_parts(a)]
        if a.attachments:
            for i, (name, _) in enumerate(a.attachments):
                url = self.file_url("article", a.id, i)
                parts.append(f'<div class="wp-block-file"><a href="{url}">{e(name)}</a>'
                             f'<a href="{url}" class="wp-block-file__button wp-element-button" '
                             'download>Tải xuống</a></div>')
        parts.append(f'<p class="has-text-align-right"><strong>{e(a.author_line)}</strong></p>')
        if a.source:
            parts.append(f'<p class="has-text-align-right"><em>Nguồn: {e(a.source)}</em></p>')
        return "\n".join(parts)

    def article(self, a: Article, base: str) -> Response:
        path = self.article_url(a.id)
        pid = post_id(a.id)
        cat_alias, cat_title = CATEGORIES[a.cat]
        featured = ""
        if a.lead:
            featured = (f'<figure class="featured-media"><div class="featured-media-inner '
                        f'section-inner"><img width="640" height="424" src="'
                        f'{self.image_url(a.lead, a.id)}" class="attachment-post-thumbnail '
                        f'size-post-thumbnail wp-post-image" alt="" decoding="async" />'
                        f'<figcaption class="wp-caption-text">{e(a.lead.caption)}</figcaption>'
                        "</div></figure>")
        words = self.model.tag_words
        tags = ""
        if a.tags:
            tags = ('<div class="section-inner"><div class="post-meta-wrapper post-meta-single '
                    'post-meta-single-bottom"><ul class="post-meta"><li class="post-tags '
                    'meta-wrapper"><span class="meta-text">' + ", ".join(
                        f'<a href="/tag/{t}/" rel="tag">{e(words[t])}</a>' for t in a.tags)
                    + "</span></li></ul></div></div>")
        nav = self.neighbours(a)
        main = (f'<article class="post-{pid} post type-post status-publish format-standard '
                f'{"has-post-thumbnail " if a.lead else ""}hentry category-{cat_alias}" '
                f'id="post-{pid}"><header class="entry-header has-text-align-center '
                f'header-footer-group"><div class="entry-header-inner section-inner medium">'
                f'<div class="entry-categories"><span class="screen-reader-text">Chuyên mục'
                f'</span><div class="entry-categories-inner"><a href="/category/{cat_alias}/" '
                f'rel="category tag">{e(cat_title)}</a></div></div>'
                f'<h1 class="entry-title">{e(a.title)}</h1>'
                f'<div class="intro-text section-inner max-percentage small"><p>{e(a.summary)}'
                f"</p></div>{self.post_meta(a, path)}</div></header>{featured}"
                f'<div class="post-inner thin"><div class="entry-content">\n'
                f"{self.content_html(a)}\n</div></div>{tags}{nav}</article>")
        head = (self.yoast_head(base, path, a.title, "WebPage", a)
                + f"<link rel='shortlink' href='{base}/?p={pid}' />\n"
                f'<link rel="alternate" type="application/json" title="JSON" '
                f'href="{base}/wp-json/wp/v2/posts/{pid}" />\n'
                f'<link rel="alternate" type="application/rss+xml" title="{e(SITE_NAME)} &raquo; '
                f'{e(a.title)} Dòng phản hồi" href="{base}{path}feed/" />\n')
        return self.page(base, path, f"{a.title} - {SITE_NAME}", main, head=head,
                         body_class=f"post-template-default single single-post postid-{pid} "
                                    "single-format-standard")

    def neighbours(self, a: Article) -> str:
        """Previous / next post links (core's get_adjacent_post: by date, any category)."""
        m, out = self.model, []
        top = m.state(self.night).max_article
        for step, cls, label in ((-1, "previous-post", "Bài trước"),
                                 (1, "next-post", "Bài tiếp theo")):
            k = a.id + step
            while 1 <= k <= top and not m.article_exists(k, self.night):
                k += step
            if 1 <= k <= top:
                t = m.teaser(k, self.night)
                out.append(f'<a class="{cls}" href="{self.article_url(k)}"><span class="arrow">'
                           f'{label}</span><span class="title"><span class="title-inner">'
                           f"{e(t.title)}</span></span></a>")
        if not out:
            return ""
        return ('<nav class="pagination-single section-inner" aria-label="Bài viết">'
                f'<hr class="styled-separator is-style-wide" /><div class="pagination-single-'
                f'inner">{"".join(out)}</div></nav>')

    def yoast_head(self, base: str, path: str, title: str, kind: str,
                   a: Article | None = None) -> str:
        """Yoast SEO's head: canonical, og:*, article:* (UTC) and the JSON-LD @graph."""
        url = base + path
        site = {"@type": "WebSite", "@id": f"{base}/#website", "url": f"{base}/",
                "name": SITE_NAME, "description": TAGLINE, "inLanguage": "vi",
                "publisher": {"@id": f"{base}/#organization"}}
        org = {"@type": "Organization", "@id": f"{base}/#organization", "name": SITE_NAME,
               "url": f"{base}/", "logo": {"@type": "ImageObject", "url": base + STATIC[-1][0]}}
        page = {"@type": kind, "@id": url, "url": url, "name": f"{title} - {SITE_NAME}",
                "isPartOf": {"@id": f"{base}/#website"}, "inLanguage": "vi"}
        graph: list[dict] = []
        out = f'<link rel="canonical" href="{e(url)}" />\n'
        out += '<meta property="og:locale" content="vi_VN" />\n'
        out += f'<meta property="og:type" content="{"article" if a else "website"}" />\n'
        out += f'<meta property="og:title" content="{e(title)}" />\n'
        out += f'<meta property="og:url" content="{e(url)}" />\n'
        out += f'<meta property="og:site_name" content="{e(SITE_NAME)}" />\n'
        if a is not None:
            pid = post_id(a.id)
            person = {"@type": "Person", "@id": f"{base}/#/schema/person/{pid % 97:032x}",
                      "name": ACCOUNT[1], "url": f"{base}/author/{ACCOUNT[0]}/"}
            page.update({"datePublished": utc_iso(a.published),
                         "dateModified": utc_iso(a.edited),
                         "breadcrumb": {"@id": f"{url}#breadcrumb"}})
            art = {"@type": "Article", "@id": f"{url}#article",
                   "isPartOf": {"@id": url}, "author": {"name": ACCOUNT[1], "@id": person["@id"]},
                   "headline": a.title, "datePublished": utc_iso(a.published),
                   "dateModified": utc_iso(a.edited), "mainEntityOfPage": {"@id": url},
                   "wordCount": sum(len(p.split()) for p in a.paragraphs),
                   "publisher": {"@id": f"{base}/#organization"},
                   "articleSection": [CATEGORIES[a.cat][1]], "inLanguage": "vi"}
            if a.tags:
                art["keywords"] = [self.model.tag_words[t] for t in a.tags]
            crumbs = {"@type": "BreadcrumbList", "@id": f"{url}#breadcrumb", "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": f"{base}/"},
                {"@type": "ListItem", "position": 2, "name": a.title}]}
            if a.lead:
                img = base + self.image_url(a.lead, a.id)
                art["image"] = {"@id": f"{url}#primaryimage"}
                art["thumbnailUrl"] = img
                page["primaryImageOfPage"] = {"@id": f"{url}#primaryimage"}
                graph.append({"@type": "ImageObject", "inLanguage": "vi",
                              "@id": f"{url}#primaryimage", "url": img, "contentUrl": img,
                              "width": 640, "height": 424, "caption": a.lead.caption})
                out += f'<meta property="og:image" content="{e(img)}" />\n'
            graph = [art, page, *graph, crumbs, site, org, person]
            out += (f'<meta name="description" content="{e(a.summary)}" />\n'
                    f'<meta property="og:description" content="{e(a.summary)}" />\n'
                    f'<meta property="article:published_time" content="{utc_iso(a.published)}" '
                    f'/>\n<meta property="article:modified_time" content="{utc_iso(a.edited)}" '
                    f'/>\n<meta name="author" content="{ACCOUNT[1]}" />\n')
        else:
            graph = [page, site, org]
        ld = json.dumps({"@context": "https://schema.org", "@graph": graph},
                        ensure_ascii=False, separators=(",", ":"))
        return (out + '<script type="application/ld+json" class="yoast-schema-graph">'
                + ld.replace("</", "<\\/") + "</script>\n")

    # ---- documents (custom post type `van-ban`) ------------------------------------------
    def documents(self, base: str, page: int) -> Response:
        docs, pages = self.documents_page(page, PER_PAGE)
        path = "/van-ban/"
        if page > pages:
            return self.not_found(base, path)
        items = "".join(
            f'<article class="post-{doc_id(d.id)} van-ban type-van-ban status-publish hentry" '
            f'id="post-{doc_id(d.id)}"><header class="entry-header"><h2 class="entry-title '
            f'heading-size-3"><a href="{self.document_url(d.id)}">{e(d.number)}</a></h2>'
            f'</header><div class="entry-content"><p>{e(d.title)}</p><p class="vb-date">'
            f"Ngày ban hành: {d.issued_on:%d/%m/%Y}</p></div></article>" for d in docs)
        main = ('<header class="archive-header has-text-align-center"><div class="archive-header'
                '-inner section-inner medium"><h1 class="archive-title">Lưu trữ: Văn bản</h1>'
                f"</div></header>{items}" + self.pagination(path, page, pages))
        key = path if page == 1 else f"{path}page/{page}/"
        return self.page(base, key, f"Văn bản - {SITE_NAME}", main,
                         body_class="archive post-type-archive post-type-archive-van-ban",
                         head=self.yoast_head(base, key, "Văn bản", "CollectionPage"))

    def document(self, d: Document, base: str) -> Response:
        path = self.document_url(d.id)

        def date(t: datetime | None) -> str:
            return f"{t:%d/%m/%Y}" if t else "Không xác định"

        rows = [("Số ký hiệu", e(d.number)), ("Loại văn bản", e(d.doc_type)),
                ("Cơ quan ban hành", e(d.issuer)), ("Người ký", e(d.signer)),
                ("Ngày ban hành", date(d.issued_on)), ("Ngày hiệu lực", date(d.effective_on)),
                ("Ngày hết hiệu lực", date(d.expires_on)), ("Lĩnh vực", e(d.field)),
                ("Trích yếu", e(d.summary))]
        files = "".join(f'<li><a href="{self.file_url("document", d.id, i)}">{e(name)}</a></li>'
                        for i, (name, _) in enumerate(d.files))
        rows.append(("Tệp đính kèm", f'<ul class="vb-files">{files}</ul>'))
        trs = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
        body = "".join(f"<p>{e(p)}</p>" for p in d.body)
        pid = doc_id(d.id)
        main = (f'<article class="post-{pid} van-ban type-van-ban status-publish hentry" '
                f'id="post-{pid}"><header class="entry-header has-text-align-center"><div '
                f'class="entry-header-inner section-inner medium"><h1 class="entry-title">'
                f'{e(d.title)}</h1></div></header><div class="post-inner thin"><div '
                f'class="entry-content"><table class="vb-thuoc-tinh"><tbody>{trs}</tbody></table>'
                f"{body}</div></div></article>")
        head = (self.yoast_head(base, path, d.title, "WebPage")
                + f"<link rel='shortlink' href='{base}/?p={pid}' />\n")
        return self.page(base, path, f"{d.title} - {SITE_NAME}", main, head=head,
                         body_class=f"van-ban-template-default single single-van-ban postid-{pid}")

    def search(self, term: str, base: str) -> Response:
        found = [t for t in self.listing(None, 1, 30)[0] if term.lower() in t.title.lower()]
        main = (f'<header class="archive-header"><h1 class="archive-title">Tìm kiếm: '
                f"&ldquo;{e(term)}&rdquo;</h1></header>"
                + ("".join(self.teaser_html(t) for t in found[:PER_PAGE])
                   or '<div class="no-search-results-form section-inner thin"><p>Không tìm '
                      'thấy kết quả nào.</p></div>'))
        return self.page(base, "/", f"Tìm kiếm - {SITE_NAME}", main, body_class="search",
                         head='<meta name="robots" content="noindex, follow" />\n')

    # ---- feeds and sitemaps ------------------------------------------------------------
    def rss(self, base: str, title: str, link: str, self_url: str, items: str) -> Response:
        built = self.site.newest_time()
        return Response(200, "application/rss+xml; charset=UTF-8", text=(
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
            f"<title>{feeds.x(title)}</title>\n"
            f'<atom:link href="{feeds.x(self_url)}" rel="self" type="application/rss+xml" />\n'
            f"<link>{feeds.x(link)}</link>\n<description>{feeds.x(TAGLINE)}</description>\n"
            f"<lastBuildDate>{format_datetime(built.astimezone(UTC))}</lastBuildDate>\n"
            f"<language>vi</language>\n<generator>https://wordpress.org/?v={WP_VERSION}"
            f"</generator>\n{items}</channel>\n</rss>\n"))

    def feed(self, base: str, cat: int | None = None) -> Response:
        teasers, _ = self.listing(cat, 1, PER_PAGE)
        items = "".join(
            f"<item>\n<title>{feeds.x(t.title)}</title>\n"
            f"<link>{feeds.x(base + self.article_url(t.id))}</link>\n"
            f"<dc:creator><![CDATA[{ACCOUNT[1]}]]></dc:creator>\n"
            f"<pubDate>{format_datetime(t.published.astimezone(UTC))}</pubDate>\n"
            f"<category><![CDATA[{CATEGORIES[t.cat][1]}]]></category>\n"
            f'<guid isPermaLink="false">{base}/?p={post_id(t.id)}</guid>\n'
            f"<description><![CDATA[{t.summary}]]></description>\n</item>\n" for t in teasers)
        if cat is None:
            return self.rss(base, SITE_NAME, f"{base}/", f"{base}/feed/", items)
        link = f"{base}/category/{CATEGORIES[cat][0]}/"
        return self.rss(base, f"{CATEGORIES[cat][1]} - {SITE_NAME}", link, f"{link}feed/", items)

    def comments_feed(self, a: Article, base: str) -> Response:
        url = base + self.article_url(a.id)
        return self.rss(base, f"Phản hồi về: {a.title}", url, f"{url}feed/", "")

    def sitemap(self, path: str, base: str) -> Response | None:
        xml = "application/xml; charset=UTF-8"
        m, night = self.model, self.night
        if path == "/wp-sitemap.xml":
            names = ["posts-post-1", "posts-van-ban-1", "taxonomies-category-1"]
            body = "".join(f"<sitemap><loc>{base}/wp-sitemap-{n}.xml</loc></sitemap>"
                           for n in names)
            return Response(200, xml, text='<?xml version="1.0" encoding="UTF-8"?>\n'
                            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                            f"{body}</sitemapindex>\n")
        if path == "/wp-sitemap-posts-post-1.xml":  # core: up to 2000 URLs per sitemap
            ids = m.category_ids(None, night, 0, 2000)
            entries = [(self.article_url(k), m.teaser(k, night).edited) for k in ids]
        elif path == "/wp-sitemap-posts-van-ban-1.xml":
            entries = [(self.document_url(k), m.document(k).issued_on)
                       for k in m.document_ids(night, 0, 2000)]
        elif path == "/wp-sitemap-taxonomies-category-1.xml":
            newest = self.site.newest_time()
            entries = [(f"/category/{a}/", newest) for a, _ in CATEGORIES]
        else:
            return None
        return Response(200, xml, text=feeds.urlset(base, entries))

    # ---- ground truth ------------------------------------------------------------------
    def canonical_urls(self, base: str = "") -> list[str]:
        m, night = self.model, self.night
        urls = ["/", "/robots.txt", "/favicon.ico", "/feed/", "/wp-sitemap.xml",
                "/wp-sitemap-posts-post-1.xml", "/wp-sitemap-posts-van-ban-1.xml",
                "/wp-sitemap-taxonomies-category-1.xml",
                f"/wp-includes/css/dist/block-library/style.min.css?ver={WP_VERSION}",
                f"{THEME}/style.css?ver=2.6", f"{THEME}/print.css?ver=2.6",
                "/wp-includes/js/jquery/jquery.min.js?ver=3.7.1",
                f"{THEME}/assets/js/index.js?ver=2.6", STATIC[-1][0]]
        pages = page_count(m.category_total(None, night), PER_PAGE)
        urls += [f"/page/{n}/" for n in range(2, pages + 1)]
        urls += [f"/author/{ACCOUNT[0]}/"] + [f"/author/{ACCOUNT[0]}/page/{n}/"
                                              for n in range(2, pages + 1)]
        for c, (alias, _) in enumerate(CATEGORIES):
            pages = page_count(m.category_total(c, night), PER_PAGE)
            urls += [f"/category/{alias}/", f"/category/{alias}/feed/"]
            urls += [f"/category/{alias}/page/{n}/" for n in range(2, pages + 1)]
        for tag in m.tags:
            if self.tag_ids(tag):
                pages = page_count(len(self.tag_ids(tag)), PER_PAGE)
                urls.append(f"/tag/{tag}/")
                urls += [f"/tag/{tag}/page/{n}/" for n in range(2, pages + 1)]
        pages = page_count(m.state(night).max_document, PER_PAGE)
        urls.append("/van-ban/")
        urls += [f"/van-ban/page/{n}/" for n in range(2, pages + 1)]
        urls += self.item_urls()
        return [base + u for u in urls]


__all__ = ["WordPress", "doc_id", "post_id"]
