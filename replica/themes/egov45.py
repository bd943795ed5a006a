"""NukeViet 4.5 / eGovernment theme: schema.org NewsArticle attributes (with the edit time
overwriting `datePublished`, as 4.5 does), three `span.h5` in `.newsdetailmetatop`,
`Tác giả:`, `Tags`, `p#stringrating`, 24-hour listing dates and the flex-table laws listing."""

from __future__ import annotations

from html import escape

from replica.content import Article, Document, weekday_line
from replica.themes.base import Ctx, Theme


def e(text: object) -> str:
    return escape(str(text), quote=True)


class Egov45(Theme):
    name = "egov45"
    generator = "NukeViet v4.5"
    author_label = "Tác giả"
    tags_label = "Tags"
    listing_date_format = "%d/%m/%Y %H:%M:%S"
    robots_data = "/data/"

    def rating_p(self, a: Article) -> str:
        return f'<p id="stringrating">{self.rating_sentence(a)}</p>'

    def tags_html(self, ctx: Ctx, a: Article) -> str:
        if not a.tags:
            return ""
        words = ctx.site.model.tag_words
        links = ", ".join(f'<a title="{e(words[t])}" href="/vi/news/tag/{t}"><em>{e(words[t])}'
                          f"</em></a>" for t in a.tags)
        return ('<div class="news_column panel panel-default"><div class="panel-body">'
                f'<div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>{self.tags_label}'
                f"</strong> {links}</div></div></div>")

    def article_main(self, ctx: Ctx, a: Article) -> str:
        edited = a.edited.isoformat()
        authors = "".join(f'<span itemprop="author" itemscope itemtype="http://schema.org/Person">'
                          f'<meta itemprop="name" content="{e(n)}" /></span>'
                          for n, _ in a.authors)
        return (
            '<div class="news_column panel panel-default newsdetail" itemtype="http://schema.org/'
            'NewsArticle" itemscope><div class="panel-body">'
            f'<meta itemprop="datePublished" content="{edited}" />'
            f'<meta itemprop="dateModified" content="{edited}" />'
            f'<meta itemprop="mainEntityOfPage" content="{e(ctx.base + a.path)}" />{authors}'
            '<span class="hidden hide d-none" itemprop="publisher" itemscope itemtype="http://'
            'schema.org/Organization"><span itemprop="name">Cổng thông tin điện tử tỉnh Lai Châu'
            "</span></span>"
            f'<h1 class="title margin-bottom-lg" itemprop="headline">{e(a.title)}</h1>'
            '<div class="newsdetailmetatop clearfix">'
            f'<span class="h5"><em class="fa fa-clock-o">&nbsp;</em>{weekday_line(a.published)}'
            f'</span><span class="h5"><em class="fa fa-eye">&nbsp;</em>Lượt xem: {ctx.views(a)}'
            f'</span><span class="h5"><em class="fa fa-comments-o">&nbsp;</em>{a.comments}</span>'
            f"{self.toolbar(a)}</div>"
            f'<div class="clearfix">{self.lead_html(a)}<div class="hometext m-bottom" '
            f'itemprop="description">{e(a.summary)}</div></div>'
            f'<div id="news-bodyhtml" class="bodytext margin-bottom-lg" itemprop="articleBody">\n'
            f"{self.body_html(a)}\n</div>"
            f"{self.files_html(a)}{self.author_html(a)}</div></div>"
            f"{self.tags_html(ctx, a)}{self.rating_html(a)}{self.comment_html(ctx, a)}"
            f"{self.related_html(ctx, a)}")

    def lead_html(self, a: Article) -> str:
        if not a.lead:
            return ""
        return (f'<figure class="article center"><img alt="{e(a.lead.alt)}" src="{a.lead.src}" '
                f'width="460" class="img-thumbnail" itemprop="image" /><figcaption>'
                f"{e(a.lead.caption)}</figcaption></figure>")

    def law_listing(self, ctx: Ctx, docs: list[Document], start: int, page: int,
                    pages: int) -> str:
        rows = []
        for i, d in enumerate(docs, start=start + 1):
            files = "".join(f'<li><a href="{d.path}?download=1&amp;id={j}" title="{e(name)}">'
                            f'<i class="fa fa-download"></i> {e(name)}</a></li>'
                            for j, (name, _) in enumerate(d.files))
            rows.append(
                f'<div class="table-rows"><div class="c-stt a-center">{i}</div>'
                f'<div class="c-code"><span class="label-name">Số kí hiệu:</span><a href="{d.path}"'
                f' title="{e(d.title)}">{e(d.number)}</a></div>'
                f'<div class="c-time"><span class="label-name">Ngày ban hành:</span>'
                f"{d.issued_on:%d/%m/%Y}</div>"
                f'<div class="c-intro"><a href="{d.path}">{e(d.title)}</a></div>'
                f'<div class="c-file"><span class="label-name">File đính kèm:</span>'
                f'<ul class="laws-download list-unstyled">{files}</ul></div></div>')
        pag = self.pagination("/vi/laws/", "Văn bản", page, pages)
        main = ('<div class="flex-table-laws"><div class="table-rows table-head">'
                '<div class="c-stt a-center">STT</div><div class="c-code">Số kí hiệu</div>'
                '<div class="c-time">Ngày ban hành</div><div class="c-intro">Trích yếu</div>'
                f'<div class="c-file">File đính kèm</div></div>{"".join(rows)}</div>'
                + (f'<div class="generate_page">{pag}</div>' if pag else ""))
        title = "Văn bản" if page == 1 else f"Văn bản - Trang {page}"
        return self.page(ctx, title, main, crumbs=[("Văn bản", "/vi/laws/")])
