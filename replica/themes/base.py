"""Shared page renderer: the NukeViet 4.0 default theme's markup, which the other themes vary.

Structure follows NukeViet's own templates (themes/default/layout, modules/news/detail.tpl,
viewcat_page.tpl, module-laws main.tpl/detail.tpl) as described in PORTAL.md; the text is
our own. Methods return HTML strings; the page shell wraps a main column and a sidebar.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from replica import seed_article as seed
from replica.content import (
    CATEGORIES,
    PER_PAGE,
    TOPICS,
    Article,
    Document,
    Image,
    weekday_line,
)
from replica.determinism import hexid

if TYPE_CHECKING:
    from replica.site import Site

SITE_NAME = "Cổng thông tin điện tử tỉnh Lai Châu"

JS_VARS = (
    '<script type="text/javascript">var nv_base_siteurl="/",nv_lang_data="vi",nv_lang_interface'
    '="vi",nv_name_variable="nv",nv_fc_variable="op",nv_lang_variable="language",nv_module_name'
    '="news",nv_func_name="main",nv_is_user=0,nv_my_ofs=7,nv_my_abbr="ICT",nv_cookie_prefix="nv'
    '4",nv_check_pass_mstime=1738000,nv_area_admin=0,theme_responsive=1;</script>'
)
NOSCRIPT = (
    '<noscript><div class="alert alert-danger">Trình duyệt của bạn đã tắt chức năng hỗ trợ '
    'JavaScript.<br />Website chỉ làm việc khi bạn bật nó trở lại.<br />Để tham khảo cách bật '
    'JavaScript, hãy click chuột <a '
    'href="http://wiki.nukeviet.vn/support:browser:enable_javascript">vào '
    'đây</a>!</div></noscript>'
)
CRUMB_TOGGLE = (
    '<div class="display"><a class="show-subs-breadcrumbs hidden" href="#" '
    'onclick="showSubBreadcrumbs(this, event);"><em class="fa fa-lg fa-angle-right"></em></a>'
)
TIMEOUTSESS = (
    '<div id="timeoutsess" class="chromeframe">Bạn đã không sử dụng Site, <a '
    'onclick="timeoutsesscancel();" href="#">Bấm vào đây để duy trì trạng thái đăng nhập</a>. '
    'Thời gian chờ: <span id="secField"> 60 </span> giây</div>'
)


def e(text: object) -> str:
    return escape(str(text), quote=True)


@dataclass
class Ctx:
    """What a render needs besides the model: where we are and the live counters."""

    site: Site
    base: str  # "http://127.0.0.1:8080"
    path: str  # canonical path of the page
    lang: str = "vi"

    @property
    def night(self) -> int:
        return self.site.night

    def views(self, a: Article) -> int:
        return self.site.article_views(a)


class Theme:
    name = "default40"
    generator = "NukeViet v4.0"
    title_tag = "h1"
    body_attrs = 'id="news-bodyhtml" class="bodytext margin-bottom-lg"'
    author_label = "Tác giả bài viết"
    tags_label = "Từ khóa"
    listing_date_format = "%d/%m/%Y %I:%M:%S %p"
    robots_data = "/data/config/"
    toolbar_hrefs = False  # print/sendmail as onclick only (savefile is always an href)

    # ---- page shell -------------------------------------------------------------------
    def page(self, ctx: Ctx, title: str, main: str, *, description: str = "",
             head_extra: str = "", crumbs: list[tuple[str, str]] | None = None,
             og_type: str = "website") -> str:
        t = self.name
        canonical = ctx.base + ctx.path
        crumbs = [("Trang nhất", "/")] + (crumbs or [])
        temp = "".join(
            f'<li itemprop="itemListElement" itemscope itemtype="http://schema.org/ListItem">'
            f'<a href="{e(href)}" itemprop="item" title="{e(name)}"><span itemprop="name">'
            f'{e(name)}</span></a><i class="hidden" itemprop="position" content="{i}"></i></li>'
            for i, (name, href) in enumerate(crumbs, start=1))
        nocache = f"{ctx.path}?nocache={1700000000 + ctx.night * 86400}"
        return f"""<!DOCTYPE html>
<html lang="{ctx.lang}" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head>
<title>{e(title)} - {SITE_NAME}</title>
<meta name="description" content="{e(description or title)}" />
<meta name="author" content="{SITE_NAME}" />
<meta name="copyright" content="{SITE_NAME} [webmaster@laichau.gov.vn]" />
<meta name="robots" content="index, archive, follow, noodp" />
<meta name="googlebot" content="index,archive,follow,noodp" />
<meta name="msnbot" content="all,index,follow" />
<meta name="generator" content="{self.generator}" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta property="og:title" content="{e(title)}" />
<meta property="og:type" content="{og_type}" />
<meta property="og:description" content="{e(description or title)}" />
<meta property="og:site_name" content="{SITE_NAME}" />
<meta property="og:url" content="{e(canonical)}" />
{head_extra}<link rel="shortcut icon" href="/favicon.ico" />
<link rel="canonical" href="{e(canonical)}" />
<link rel="alternate" href="/vi/news/rss/" title="Tin Tức" type="application/rss+xml" />
<link rel="StyleSheet" href="/themes/{t}/css/font-awesome.min.css" />
<link rel="StyleSheet" href="/themes/{t}/css/bootstrap.min.css" />
<link rel="StyleSheet" href="/themes/{t}/css/style.css" />
<link rel="StyleSheet" href="/themes/{t}/css/style.responsive.css" />
<link rel="StyleSheet" href="/themes/{t}/css/news.css" />
{JS_VARS}
<script type="text/javascript" src="/themes/{t}/js/jquery.min.js"></script>
<script type="text/javascript" src="/themes/{t}/js/language-vi.js"></script>
<script type="text/javascript" src="/themes/{t}/js/global.js"></script>
<script type="text/javascript" src="/themes/{t}/js/news.js"></script>
<script type="text/javascript" src="/themes/{t}/js/main.js"></script>
</head>
<body>
{NOSCRIPT}
<div class="body-bg">
<div class="wraper">
{self.header(ctx)}
<nav class="header-nav">{self.menu(ctx)}</nav>
<section>
<div class="container" id="body">
<nav class="third-nav">
<div class="row">
<div class="bg">
<div class="clearfix">
<div class="col-xs-24 col-sm-18 col-md-18">
<div class="breadcrumbs-wrap">
{CRUMB_TOGGLE}
<ul class="breadcrumbs list-none"></ul></div>
<ul class="subs-breadcrumbs"></ul>
<ul class="temp-breadcrumbs hidden" itemscope itemtype="http://schema.org/BreadcrumbList">{temp}</ul>
</div>
</div>
<div class="headerSearch col-xs-24 col-sm-6 col-md-6">
<a href="{e(nocache)}" title="Làm mới">Làm mới</a></div>
</div>
</div>
</div>
</nav>
<div class="row">
<div class="col-sm-16 col-md-18">
{main}
</div>
<div class="col-sm-8 col-md-6">
{self.sidebar(ctx)}
</div>
</div>
</div>
</section>
{self.footer(ctx)}
</div>
</div>
{TIMEOUTSESS}
<div id="openidResult" class="nv-alert" style="display:none"></div>
<div id="openidBt" data-result="" data-redirect=""></div>
<a class="bttop" href="#" title="top">top</a>
<a class="btdown" href="#" title="down">down</a>
<script type="text/javascript" src="/themes/{t}/js/bootstrap.min.js"></script>
</body>
</html>
"""

    def header(self, ctx: Ctx) -> str:
        return (f'<header><div class="container"><div id="header" class="row">'
                f'<div class="logo col-xs-24 col-sm-24 col-md-8"><a title="{SITE_NAME}" href="/">'
                f'<img src="/themes/{self.name}/images/logo.png" width="100" height="100" '
                f'alt="{SITE_NAME}" /></a><span class="site_name">{SITE_NAME}</span>'
                f'<span class="site_description">Tỉnh Lai Châu</span></div>'
                f'<div class="lang"><a href="/vi/news/" title="Tiếng Việt">Tiếng Việt</a> | '
                f'<a href="{e(self.en_path(ctx.path))}" title="English">English</a> | '
                f'<a href="/vi/users/login/?nv_redirect={self.redirect_token(ctx.path)}" '
                f'rel="nofollow">Đăng nhập</a></div></div></div></header>')

    @staticmethod
    def redirect_token(path: str) -> str:
        # NukeViet's nv_redirect: base64 of the page to come back to, URL-safe alphabet
        return base64.urlsafe_b64encode(path.encode()).decode().rstrip("=")

    @staticmethod
    def en_path(path: str) -> str:
        return "/en" + path[3:] if path.startswith("/vi/") else "/en/"

    def menu(self, ctx: Ctx) -> str:
        items = ['<li><a title="Trang nhất" href="/"><em class="fa fa-lg fa-home">&nbsp;</em>'
                 '<span class="hidden-sm"> Trang nhất </span></a></li>',
                 '<li class="dropdown"><a title="Tin Tức" href="/vi/news/">Tin Tức</a>'
                 '<ul class="dropdown-menu">']
        for alias, title in CATEGORIES:
            items.append(f'<li><a href="/vi/news/{alias}/" title="{e(title)}">{e(title)}</a></li>')
        items.append("</ul></li>")
        items.append('<li><a title="Văn bản" href="/vi/laws/">Văn bản</a></li>')
        return ('<div class="container"><div class="row"><div class="navbar navbar-default '
                'navbar-static-top" role="navigation"><div class="collapse navbar-collapse" '
                'id="menu-site-default"><ul class="nav navbar-nav">' + "".join(items)
                + "</ul></div></div></div></div>")

    def sidebar(self, ctx: Ctx) -> str:
        cats = "".join(f'<li><a title="{e(t)}" href="/vi/news/{a}/">{e(t)}</a></li>'
                       for a, t in CATEGORIES)
        return (f'<div class="panel panel-default"><div class="panel-heading">Chuyên mục</div>'
                f'<div class="panel-body"><ul class="block_category list-none">{cats}</ul>'
                f'</div></div>' + self.law_block(ctx) + self.featured_block(ctx))

    def law_block(self, ctx: Ctx) -> str:
        items = []
        for k in range(1, len(seed.DOCUMENTS) + 1):
            d = ctx.site.model.document(k)
            views, downs = ctx.site.document_counters(d)
            items.append(
                f'<div class="item"><p><a class="law-code" href="{d.path}" title="{e(d.title)}">'
                f'Số: {e(d.number)}</a></p><p class="law-title">{e(d.title)}</p>'
                f'<em class="law-view">lượt xem: {views} | lượt tải:{downs}</em></div>')
        return ('<div class="panel panel-default"><div class="panel-heading">Văn bản mới</div>'
                '<div class="panel-body"><div class="block-law">' + "".join(items)
                + "</div></div></div>")

    def featured_block(self, ctx: Ctx) -> str:
        return ('<div class="panel panel-default"><div class="panel-heading">Tin nổi bật</div>'
                '<div class="panel-body"><ul class="block_tophits list-none"><li class="clearfix">'
                f'<a href="/vi/news/thoi-su-chinh-tri/" title="{e(seed.FEATURED_TITLE)}">'
                f'{e(seed.FEATURED_TITLE)}</a><p>{e(seed.FEATURED_TEXT)}</p></li></ul>'
                "</div></div>")

    def footer(self, ctx: Ctx) -> str:
        return ('<footer id="footer"><div class="wraper"><div class="container"><div class="row">'
                f'<div class="col-xs-24 col-sm-24 col-md-12"><p><strong>{SITE_NAME}</strong></p>'
                '<p>Cơ quan chủ quản: Văn phòng UBND tỉnh Lai Châu</p><p>Địa chỉ: Tầng 5, Tòa nhà '
                'C - Trung tâm Hành chính - Chính trị tỉnh Lai Châu</p>'
                '<p>Ghi rõ nguồn "Cổng thông tin điện tử tỉnh Lai Châu" khi phát hành lại thông '
                'tin từ website này.</p></div><div class="col-xs-24 col-sm-24 col-md-12">'
                '<ul class="list-inline"><li><a href="/vi/news/rss/">RSS</a></li>'
                '<li><a href="/sitemap.xml">Sitemap</a></li>' + self.fault_links(ctx)
                + "</ul></div></div></div></div></footer>")

    @staticmethod
    def fault_links(ctx: Ctx) -> str:
        """Links to the fault URLs when they are switched on, so a crawl runs into them."""
        f = ctx.site.config.faults
        out = ""
        if f.redirect_loop:
            out += '<li><a href="/vi/loop/">Lưu trữ</a></li>'
        if f.oversize:
            out += '<li><a href="/vi/oversize/">Dữ liệu mở</a></li>'
        return out

    # ---- article parts -------------------------------------------------------------------
    def image_html(self, im: Image) -> str:
        img = f'<img alt="{e(im.alt)}" height="333" src="{im.src}" width="500" />'
        if im.layout == "none" or not im.caption_lines:
            return f'<p style="text-align: center;">{img}</p>'
        credit = e(im.credit_text)
        if im.layout == "table":
            return ('<table align="center" border="0" cellpadding="1" cellspacing="1" '
                    'style="width: 500px;"><tbody><tr><td>' + img + '</td></tr><tr><td style='
                    f'"text-align: center;"><em>{e(im.caption_lines[0])} {credit}</em></td></tr>'
                    "</tbody></table>")
        text = "<br />\n".join(e(x) for x in im.caption_lines)
        sep = ". " if im.layout == "plain" else " "
        return (f'<p style="text-align: center;">{img}</p>\n<p style="text-align: center;">'
                f"<em>{text}{sep}{credit}</em></p>")

    def body_html(self, a: Article) -> str:
        parts = []
        by_pos: dict[int, list[Image]] = {}
        for before, im in a.images:
            by_pos.setdefault(before, []).append(im)
        for i, p in enumerate(a.paragraphs):
            parts.extend(self.image_html(im) for im in by_pos.get(i, []))
            parts.append(f'<p style="text-align: justify;">{e(p)}</p>')
        return "\n".join(parts)

    def lead_html(self, a: Article) -> str:
        if not a.lead:
            return ""
        return (f'<figure class="article left pointer"><div id="imgpreview" style="width:140px;">'
                f'<p class="text-center"><img alt="{e(a.lead.alt)}" src="{a.lead.src}" '
                f'class="img-thumbnail"/></p><figcaption>{e(a.lead.caption)}</figcaption></div>'
                "</figure>")

    def trap_urls(self, a: Article) -> dict[str, str]:
        rest = f"{a.cat_alias}/{a.alias}-{a.id}.html"
        return {"print": f"/vi/news/print/{rest}", "savefile": f"/vi/news/savefile/{rest}",
                "sendmail": f"/vi/news/sendmail/{rest}"}

    def toolbar(self, a: Article) -> str:
        u = self.trap_urls(a)
        if self.toolbar_hrefs:
            p, s = f'href="{u["print"]}"', f'href="{u["sendmail"]}"'
        else:
            p = (f'href="javascript: void(0)" onclick="nv_open_browse(\'{u["print"]}\',\'\','
                 "840,500,'resizable=yes,scrollbars=yes');return false\"")
            s = (f'href="javascript:void(0);" onclick="nv_open_browse(\'{u["sendmail"]}\',\'\','
                 "650,500,'resizable=no,scrollbars=yes');return false\"")
        return ('<ul class="list-inline text-right">'
                f'<li><a class="dimgray" rel="nofollow" title="Gửi bài viết qua email" {s}>'
                '<em class="fa fa-envelope fa-lg">&nbsp;</em></a></li>'
                f'<li><a class="dimgray" rel="nofollow" title="In ra" {p}>'
                '<em class="fa fa-print fa-lg">&nbsp;</em></a></li>'
                f'<li><a class="dimgray" rel="nofollow" title="Lưu bài viết này" '
                f'href="{u["savefile"]}"><em class="fa fa-save fa-lg">&nbsp;</em></a></li></ul>')

    def meta_line(self, ctx: Ctx, a: Article) -> str:
        return (f'<div class="row margin-bottom-lg"><div class="col-md-12"><span class="h5">'
                f'{weekday_line(a.published)}</span></div><div class="col-md-12">'
                f"{self.toolbar(a)}</div></div>")

    def files_html(self, a: Article) -> str:
        if not a.attachments:
            return ""
        rows = "".join(
            f'<div class="list-group-item"><a href="{a.path}?download=1&amp;id={i}" '
            f'title="Tải tập tin {i + 1}{e(name)}">Tải tập tin {i + 1}: <strong>{e(name)}'
            f"</strong></a></div>" for i, (name, _) in enumerate(a.attachments))
        return ('<div class="panel panel-default"><div class="panel-heading"><i class="fa '
                'fa-download fa-fw"></i><strong>Tập tin đính kèm</strong></div><div class="list-'
                f'group news-download-file">{rows}</div></div>')

    def author_html(self, a: Article) -> str:
        out = ""
        if a.author_line:
            out += (f'<p class="h5 text-right"><strong>{self.author_label}: </strong>'
                    f"{e(a.author_line)}</p>")
        if a.source:
            out += f'<p class="h5 text-right"><strong>Nguồn tin: </strong>{e(a.source)}</p>'
        return f'<div class="margin-bottom-lg">{out}</div>' if out else ""

    def tags_html(self, ctx: Ctx, a: Article) -> str:
        if not a.tags:
            return ""
        words = ctx.site.model.tag_words
        links = ", ".join(f'<a title="{e(words[t])}" href="/vi/news/tag/{t}"><em>{e(words[t])}'
                          f"</em></a>" for t in a.tags)
        return ('<div class="news_column panel panel-default"><div class="panel-body">'
                f'<div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>{self.tags_label}: '
                f"</strong>{links}</div></div></div>")

    def rating_sentence(self, a: Article) -> str:
        return f"Tổng số điểm của bài viết là: {a.rating[0]} trong {a.rating[1]} đánh giá"

    def rating_html(self, a: Article) -> str:
        stars = "".join(f'<input class="hover-star" type="radio" value="{v}" title="{t}" />'
                        for v, t in enumerate(["Bài viết rất kém", "Bài viết kém",
                                               "Bài viết đạt", "Bài viết tốt",
                                               "Bài viết rất tốt"], start=1))
        return ('<div class="news_column panel panel-default"><div class="panel-body">'
                '<form id="form3B" action=""><div class="h5 clearfix">'
                f'{self.rating_p(a)}<div style="padding: 5px;">{stars}'
                '<span id="hover-test" style="margin: 0 0 0 20px;">Click để đánh giá bài viết'
                "</span></div></div></form></div></div>")

    def rating_p(self, a: Article) -> str:
        return f'<span id="stringrating">{self.rating_sentence(a)}</span>'

    def comment_html(self, ctx: Ctx, a: Article) -> str:
        checkss = hexid(ctx.site.config.seed, "checkss", a.id)
        url = (f"/index.php?language=vi&amp;nv=comment&amp;module=news&amp;area=1&amp;id={a.id}"
               f"&amp;allowed=4&amp;checkss={checkss}&amp;perpage=5&amp;status_comment=")
        return ('<div class="news_column panel panel-default"><div class="panel-body">'
                f'<div id="idcomment" data-url="{url}"><a href="{url}" rel="nofollow">'
                f"Ý kiến bạn đọc ({a.comments})</a><img class=\"captchaImg\" alt=\"captcha\" "
                f'src="/index.php?scaptcha=captcha&amp;t={a.id}" width="150" height="40" />'
                "</div></div></div>")

    def related_html(self, ctx: Ctx, a: Article) -> str:
        m = ctx.site.model
        top = m.state(ctx.night).max_article

        def scan(step: int) -> list[int]:
            found, k = [], a.id + step
            while 1 <= k <= top and len(found) < 5 and abs(a.id - k) < 2000:
                if m.category_of(k) == a.cat and m.article_exists(k, ctx.night):
                    found.append(k)
                k += step
            return found

        newer, older = scan(1)[::-1], scan(-1)
        blocks = []
        topic = m.topic_of(a.id)
        if topic is not None:
            t_alias, t_title = TOPICS[topic]
            ids = [k for k in m.topic_ids(topic, ctx.night, 6) if k != a.id][:5]
            lis = "".join(
                f'<li><em class="fa fa-angle-right">&nbsp;</em><a href="{r.path}" '
                f'title="{e(r.title)}"><h4>{e(r.title)}</h4></a><em>({r.published:%d/%m/%Y})'
                "</em></li>" for r in (m.teaser(k, ctx.night) for k in ids))
            blocks.append(f'<div class="clearfix"><p class="h3"><strong>Theo dòng sự kiện'
                          f'</strong></p><div class="clearfix"><ul class="related">{lis}</ul>'
                          f'</div><p class="text-right"><a title="{e(t_title)}" '
                          f'href="/vi/news/topic/{t_alias}/">Xem tiếp</a></p></div>')
        for label, ids in (("Những tin mới hơn", newer), ("Những tin cũ hơn", older)):
            if not ids:
                continue
            lis = []
            for k in ids:
                r = m.teaser(k, ctx.night)
                lis.append(f'<li><em class="fa fa-angle-right">&nbsp;</em><a href="{r.path}" '
                           f'title="{e(r.title)}"><h4>{e(r.title)}</h4></a>'
                           f"<em>({r.published:%d/%m/%Y})</em></li>")
            blocks.append(f'<p class="h3"><strong>{label}</strong></p><div class="clearfix">'
                          f'<ul class="related list-inline">{"".join(lis)}</ul></div>')
        if not blocks:
            return ""
        return ('<div class="news_column panel panel-default"><div class="panel-body other-news">'
                + "".join(blocks) + "</div></div>")

    @staticmethod
    def broken_time(t: datetime) -> str:
        # PHP date('Y-m-dTH:i:s'): 'T' is the zone abbreviation, so "+07" lands mid-string.
        return f"{t:%Y-%m-%d}+07{t:%H:%M:%S}"

    def article_head(self, a: Article) -> str:
        return (f'<meta property="article:published_time" content="{self.broken_time(a.published)}"'
                f' />\n<meta property="article:modified_time" '
                f'content="{self.broken_time(a.edited)}" />\n'
                f'<meta property="article:section" content="{e(CATEGORIES[a.cat][1])}" />\n')

    def article_main(self, ctx: Ctx, a: Article) -> str:
        return (f'<div class="news_column panel panel-default"><div class="panel-body">'
                f'<{self.title_tag} class="title margin-bottom-lg">{e(a.title)}</{self.title_tag}>'
                f"{self.meta_line(ctx, a)}"
                f'<div class="clearfix">{self.lead_html(a)}<div class="hometext m-bottom">'
                f"{e(a.summary)}</div></div>"
                f"<div {self.body_attrs}>\n{self.body_html(a)}\n</div>"
                f"{self.files_html(a)}{self.author_html(a)}</div></div>"
                f"{self.tags_html(ctx, a)}{self.rating_html(a)}{self.comment_html(ctx, a)}"
                f"{self.related_html(ctx, a)}")

    def article(self, ctx: Ctx, a: Article) -> str:
        cat_alias, cat_title = CATEGORIES[a.cat]
        return self.page(ctx, a.title, self.article_main(ctx, a), description=a.summary[:160],
                         head_extra=self.article_head(a), og_type="article",
                         crumbs=[("Tin Tức", "/vi/news/"), (cat_title, f"/vi/news/{cat_alias}/")])

    # ---- listings -------------------------------------------------------------------------
    def listing_item(self, ctx: Ctx, a: Article, featured: bool) -> str:
        h = "h2" if featured else "h3"
        img = ""
        if a.lead:
            img = (f'<a href="{a.path}" title="{e(a.title)}"><img alt="{e(a.lead.alt)}" '
                   f'src="{a.lead.src}" width="100" class="img-thumbnail pull-left imghome" />'
                   "</a>")
        return (f'<div class="news_column panel panel-default"><div class="panel-body">{img}'
                f'<{h}><a href="{a.path}" title="{e(a.title)}">{e(a.title)}</a></{h}>'
                f'<div class="text-muted"><ul class="list-unstyled list-inline">'
                f'<li><em class="fa fa-clock-o">&nbsp;</em> '
                f"{a.published.strftime(self.listing_date_format)}</li>"
                f'<li><em class="fa fa-eye">&nbsp;</em> Đã xem: {ctx.views(a)}</li>'
                f'<li><em class="fa fa-comment-o">&nbsp;</em> Phản hồi: {a.comments}</li></ul>'
                f'</div><p class="text-justify">{e(a.summary)}</p></div></div>')

    @staticmethod
    def pagination(base_path: str, title: str, page: int, pages: int) -> str:
        """nv_generate_page: prev/next with rel, current li.active, ellipsis li.disabled."""
        if pages <= 1:
            return ""

        def url(n: int) -> str:
            return base_path if n == 1 else f"{base_path}page-{n}/"

        def link(n: int, label: str | None = None, rel: str = "") -> str:
            r = f' rel="{rel}"' if rel else ""
            return (f'<li><a{r} title="{e(title)} - Trang {n}" href="{url(n)}">'
                    f"{label or n}</a></li>")

        out = []
        if 1 < page <= pages:
            out.append(link(page - 1, "&laquo;", "prev"))
        shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
        prev = 0
        for n in shown:
            if n - prev > 1:
                out.append('<li class="disabled"><span>...</span></li>')
            if n == page:
                out.append(f'<li class="active"><a href="#">{n}</a></li>')
            else:
                out.append(link(n))
            prev = n
        if page < pages:
            out.append(link(page + 1, "&raquo;", "next"))
        return '<ul class="pagination">' + "".join(out) + "</ul>"

    def category(self, ctx: Ctx, title: str, base_path: str, articles: list[Article], page: int,
                 pages: int, crumbs: list[tuple[str, str]]) -> str:
        items = "".join(self.listing_item(ctx, a, featured=(i == 0 and page == 1))
                        for i, a in enumerate(articles))
        pag = self.pagination(base_path, title, page, pages)
        main = items + (f'<div class="text-center">{pag}</div>' if pag else "")
        page_title = title if page == 1 else f"{title} - Trang {page}"
        rss = base_path.replace("/vi/news/", "/vi/news/rss/", 1)
        head = (f'<link rel="alternate" href="{rss}" title="{e(title)}" '
                'type="application/rss+xml" />\n')
        return self.page(ctx, page_title, main, crumbs=crumbs, head_extra=head)

    def tag_page(self, ctx: Ctx, word: str, articles: list[Article]) -> str:
        items = "".join(self.listing_item(ctx, a, False) for a in articles)
        head = (f'<div class="news_column"><div class="alert alert-info clearfix"><h1>{e(word)}'
                "</h1></div></div>")
        return self.page(ctx, word, head + items,
                         crumbs=[("Tin Tức", "/vi/news/"), (word, ctx.path)])

    def topic_page(self, ctx: Ctx, title: str, articles: list[Article]) -> str:
        items = "".join(self.listing_item(ctx, a, i == 0) for i, a in enumerate(articles))
        head = (f'<div class="news_column"><div class="alert alert-info clearfix"><h3>{e(title)}'
                "</h3></div></div>")
        return self.page(ctx, title, head + items,
                         crumbs=[("Tin Tức", "/vi/news/"), (title, ctx.path)])

    def home(self, ctx: Ctx, blocks: list[tuple[str, str, list[Article]]]) -> str:
        out = []
        for alias, title, arts in blocks:
            if not arts:
                continue
            first, rest = arts[0], arts[1:]
            lis = "".join(f'<li><a href="{a.path}" title="{e(a.title)}">{e(a.title)}</a></li>'
                          for a in rest)
            out.append(f'<div class="news_column panel panel-default"><div class="panel-heading">'
                       f'<h4><a href="/vi/news/{alias}/" title="{e(title)}">{e(title)}</a></h4>'
                       f'</div><div class="panel-body"><h3><a href="{first.path}" '
                       f'title="{e(first.title)}">{e(first.title)}</a></h3><p>{e(first.summary)}'
                       f'</p><ul class="related">{lis}</ul></div></div>')
        return self.page(ctx, SITE_NAME, "".join(out))

    def soft404(self, ctx: Ctx) -> str:
        return self.page(ctx, "Lỗi không có chủ đề",
                         '<div class="alert alert-danger">Lỗi không có chủ đề</div>')

    def message_page(self, ctx: Ctx, title: str, text: str) -> str:
        return self.page(ctx, title, f'<div class="alert alert-info">{e(text)}</div>')

    # ---- laws ---------------------------------------------------------------------------
    def law_listing(self, ctx: Ctx, docs: list[Document], start: int, page: int,
                    pages: int) -> str:
        rows = []
        for i, d in enumerate(docs, start=start + 1):
            files = " ".join(f'<a href="{d.path}?download=1&amp;id={j}" title="{e(name)}">'
                             f'<em class="fa fa-download">&nbsp;</em></a>'
                             for j, (name, _) in enumerate(d.files))
            rows.append(f'<tr><td class="text-center">{i}</td><td><a href="{d.path}" '
                        f'title="{e(d.title)}">{e(d.number)}</a></td>'
                        f"<td>{d.issued_on:%d/%m/%Y}</td><td><a href=\"{d.path}\">{e(d.title)}"
                        f"</a></td><td>{files}</td></tr>")
        pag = self.pagination("/vi/laws/", "Văn bản", page, pages)
        main = ('<div class="table-responsive"><table class="table table-striped table-bordered '
                'table-hover"><thead><tr><th class="text-center">STT</th><th>Số kí hiệu</th>'
                "<th>Ngày ban hành</th><th>Trích yếu</th><th>File đính kèm</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>"
                + (f'<div class="generate_page">{pag}</div>' if pag else ""))
        title = "Văn bản" if page == 1 else f"Văn bản - Trang {page}"
        return self.page(ctx, title, main, crumbs=[("Văn bản", "/vi/laws/")])

    def law_detail(self, ctx: Ctx, d: Document) -> str:
        def date(t: datetime | None) -> str:
            return f"{t:%d/%m/%Y}" if t else "..."

        rows = [("Số kí hiệu", e(d.number)), ("Ngày ban hành", date(d.issued_on)),
                ("Ngày bắt đầu hiệu lực", date(d.effective_on)),
                ("Ngày hết hiệu lực", date(d.expires_on)), ("Thể loại", e(d.doc_type)),
                ("Lĩnh vực", e(d.field)), ("Cơ quan ban hành", e(d.issuer)),
                ("Cơ quan thẩm tra", e(d.reviewer or "...")), ("Người ký", e(d.signer))]
        trs = "".join(f'<tr class="hoatim"><td style="width:200px" class="text-right">{k}</td>'
                      f"<td>{v}</td></tr>" for k, v in rows)
        if d.id > 1:
            other = ctx.site.model.document(d.id - 1)
            trs += (f'<tr><td>Văn bản liên quan</td><td><ul class="list-item"><li><a href='
                    f'"{other.path}" title="{e(other.title)}">{e(other.number)}</a> - '
                    f"{e(other.title)}</li></ul></td></tr>")
        files = "".join(
            '<div class="list-group-item">'
            + (f'<span class="badge"><a role="button" data-toggle="collapse" href="#pdf{i}">'
               f'<i class="fa fa-file-pdf-o"></i></a></span>' if kind == "pdf" else "")
            + f'<a href="{d.path}?download=1&amp;id={i}" '
            f'title="Tải tập tin {i + 1}{e(name)}">Tải tập tin {i + 1}: <strong>{e(name)}</strong>'
            "</a>"
            + (f'<div class="collapse" id="pdf{i}" data-src="{d.path}?pdf=1&amp;id={i}" '
               'data-toggle="collapsepdf"><iframe frameborder="0" height="600" src="" '
               'width="100%"></iframe></div>' if kind == "pdf" else "")
            + "</div>" for i, (name, kind) in enumerate(d.files))
        body = "".join(f"<p>{e(p)}</p>" for p in d.body)
        main = (f'<h1 class="lawh3">{e(d.title)}</h1><p>{e(d.summary)}</p>'
                '<div class="table-responsive"><table class="table table-striped table-bordered '
                f'table-hover"><tbody>{trs}</tbody></table></div>'
                f'<h2 class="lawh3">Nội dung</h2><div class="m-bottom">{body}</div>'
                '<h2 class="lawh3"><em class="fa fa-download">&nbsp;</em>File đính kèm</h2>'
                f'<div class="list-group laws-download-file">{files}</div>')
        return self.page(ctx, d.title, main, description=d.title,
                         crumbs=[("Văn bản", "/vi/laws/"), (d.number, d.path)])

    def per_page(self) -> int:
        return PER_PAGE
