"""RSS feeds, sitemaps and robots.txt, in NukeViet's shapes (with their known flaws:
RSS `pubDate` carries the month in the minutes field; sitemaps list only the 1000 newest)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from replica.content import Article, Document

RSS_ITEMS = 30
SITEMAP_ITEMS = 1000
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def x(text: object) -> str:
    return escape(str(text), quote=False)


def broken_rfc822(t: datetime) -> str:
    # PHP date('D, d M Y H:m:s O'): 'm' is the month, put where the minutes belong.
    return (f"{_DAYS[t.weekday()]}, {t:%d} {_MONTHS[t.month - 1]} {t:%Y} "
            f"{t:%H}:{t:%m}:{t:%S} +0700")


def rss(base: str, title: str, link_path: str, self_path: str, items: list[Article],
        built: datetime) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/">',
           "<channel>", f"<title>{x(title)}</title>", f"<link>{x(base + link_path)}</link>",
           f'<atom:link href="{x(base + self_path)}" rel="self" type="application/rss+xml" />',
           f"<description>{x(title)}</description>", "<language>vi</language>",
           f"<pubDate>{broken_rfc822(built)}</pubDate>",
           f"<lastBuildDate>{broken_rfc822(built)}</lastBuildDate>",
           "<copyright>Cổng thông tin điện tử tỉnh Lai Châu</copyright>",
           "<generator>NukeViet v4.0</generator>"]
    for a in items:
        img = (f'&lt;img src="{x(base + a.lead.src)}" width="100" align="left" border="0"&gt;'
               if a.lead else "")
        out += ["<item>", f"<title>{x(a.title)}</title>", f"<link>{x(base + a.path)}</link>",
                f'<guid isPermaLink="false">news_{a.id}</guid>',
                f"<description>{img}{x(a.summary)}</description>",
                f"<pubDate>{broken_rfc822(a.published)}</pubDate>", "</item>"]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def sitemap_index(base: str, paths: list[str], lastmod: datetime) -> str:
    body = "".join(f"<sitemap><loc>{x(base + p)}</loc><lastmod>{lastmod.isoformat()}</lastmod>"
                   "</sitemap>" for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</sitemapindex>\n")


def urlset(base: str, entries: list[tuple[str, datetime]]) -> str:
    body = "".join(f"<url><loc>{x(base + p)}</loc><lastmod>{t.isoformat()}</lastmod>"
                   "<changefreq>daily</changefreq><priority>0.8</priority></url>"
                   for p, t in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</urlset>\n")


def article_entries(items: list[Article]) -> list[tuple[str, datetime]]:
    return [(a.path, a.edited) for a in items]


def document_entries(items: list[Document]) -> list[tuple[str, datetime]]:
    return [(d.path, d.issued_on) for d in items]


def robots(base: str, data_rule: str) -> str:
    lines = ["User-agent: *", f"Disallow: {data_rule}"]
    for p in ("/includes/", "/install/", "/modules/", "/admin/", "/cache/", "/language/",
              "/logs/", "/sess/", "/tmp/"):
        lines.append(f"Disallow: {p}")
    lines.append(f"Sitemap: {base}/sitemap.xml")
    return "\n".join(lines) + "\n"
