"""The seed's theme: a custom, eGov-like theme of NukeViet 4.0.22–4.4 (2015).

Differences from 4.0 default: `h3.title`, a plain `div.bodytext`, the date line followed by
view and comment counters (the seed's `Thứ tư - 25/03/2015 09:21 349 0`), and plain links
for the print/sendmail/savefile copies.
"""

from __future__ import annotations

from replica.content import Article, weekday_line
from replica.themes.base import Ctx, Theme


class Custom2015(Theme):
    name = "custom2015"
    generator = "NukeViet v4.0"
    title_tag = "h3"
    body_attrs = 'class="bodytext"'
    toolbar_hrefs = True

    def meta_line(self, ctx: Ctx, a: Article) -> str:
        return (f'<div class="row margin-bottom-lg"><div class="col-md-12"><span class="h5">'
                f"{weekday_line(a.published)}</span>"
                f' <span class="hitstotal"><em class="fa fa-eye">&nbsp;</em>{ctx.views(a)}</span>'
                f' <span class="comment"><em class="fa fa-comment-o">&nbsp;</em>{a.comments}'
                f'</span></div><div class="col-md-12">{self.toolbar(a)}</div></div>')

    def rating_p(self, a: Article) -> str:
        return f'<div id="stringrating">{self.rating_sentence(a)}</div>'
