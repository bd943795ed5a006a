"""NukeViet 4.x behind the platform facade: routing stays in replica/routes.py and the markup
in replica/themes/; this module only holds its ground truth (URL list, attachments)."""

from __future__ import annotations

from replica import assets, attachments
from replica.content import CATEGORIES, LAWS_PER_PAGE, PER_PAGE, TOPICS
from replica.platforms.base import Platform
from replica.routes import Request, Response, article_text, document_text, route


class NukeViet(Platform):
    name = "nukeviet"
    session_cookie = "nv4_sess"
    server_headers = (("X-Powered-By", "PHP/7.4.33"),)
    trap_patterns = (r"^/(vi|en)/news/(print|savefile|sendmail)/", r"^/en/", r"^/index\.php\?",
                     r"[?&]nocache=", r"^/vi/users/")

    def route(self, req: Request, base: str) -> Response:
        return route(self.site, req, base)

    def fault(self, path: str) -> Response | None:
        return None  # replica/routes.py serves NukeViet's fault pages itself

    def canonical_urls(self, base: str = "") -> list[str]:
        site = self.site
        m, night = site.model, site.night
        st = m.state(night)
        urls = ["/", "/robots.txt", "/sitemap.xml", "/sitemap-vi.xml", "/sitemap-vi.news.xml",
                "/sitemap-vi.laws.xml", "/vi/news/rss/", "/favicon.ico"]
        t = site.theme.name
        urls += [f"/themes/{t}/css/{n}" for n in assets.CSS_FILES]
        urls += [f"/themes/{t}/js/{n}" for n in assets.JS_FILES]
        urls += [f"/themes/{t}/images/{n}" for n in assets.IMAGE_FILES]
        for c, (alias, _) in enumerate([(None, None), *CATEGORIES]):
            cat = None if c == 0 else c - 1
            base_path = "/vi/news/" if cat is None else f"/vi/news/{alias}/"
            pages = max(1, -(-m.category_total(cat, night) // PER_PAGE))
            urls.append(base_path)
            urls += [f"{base_path}page-{n}/" for n in range(2, pages + 1)]
            if cat is not None:
                urls.append(f"/vi/news/rss/{alias}/")
        images: dict[str, None] = {}
        tags: set[str] = set()  # only tags and topics a live article links to are reachable
        topics: set[int] = set()
        for k in range(1, st.max_article + 1):
            if k in st.removed:
                continue
            tags.update(m.article_tags(k))
            topic = m.topic_of(k)
            if topic is not None:
                topics.add(topic)
            path = m.teaser(k, night).path
            _, body_images, lead, files = m.shape(k)
            urls.append(path)
            urls += [f"{path}?download=1&id={i}" for i in range(len(files))]
            if lead:
                images[lead.src] = None
            for _, im in body_images:
                images[im.src] = None
        urls += [f"/vi/news/tag/{tg}" for tg in m.tags if tg in tags]
        urls += [f"/vi/news/topic/{TOPICS[t][0]}/" for t in sorted(topics)]
        urls += list(images)
        pages = max(1, -(-st.max_document // LAWS_PER_PAGE))
        urls.append("/vi/laws/")
        urls += [f"/vi/laws/page-{n}/" for n in range(2, pages + 1)]
        for k in range(1, st.max_document + 1):
            d = m.document(k)
            urls.append(d.path)
            urls += [f"{d.path}?download=1&id={i}" for i in range(len(d.files))]
        return [base + u for u in urls]

    def changes(self, night_a: int, night_b: int, base: str = "") -> dict[str, list[dict]]:
        return self.site.model.changes(night_a, night_b, base)

    def attachments(self, base: str = "") -> list[dict]:
        m, night = self.site.model, self.site.night
        out = []

        def entry(owner: str, key: int, path: str, i: int, name: str, kind: str,
                  title: str, lines: tuple[str, ...]) -> dict:
            return {"url": f"{base}{path}?download=1&id={i}", "owner": owner, "key": key,
                    "page_url": base + path, "name": name, "kind": kind,
                    "content_type": attachments.content_type(kind),
                    **attachments.truth(kind, key, title, lines)}

        for k in range(1, m.state(night).max_document + 1):
            d = m.document(k)
            title, lines, _ = document_text(d)
            for i, (name, kind) in enumerate(d.files):
                out.append(entry("document", k, d.path, i, name, kind, title, lines))
        st = m.state(night)
        for k in range(1, st.max_article + 1):
            if k in st.removed or not m.shape(k)[3]:
                continue
            a = m.article_any(k, night)
            title, lines, _ = article_text(a)
            for i, (name, kind) in enumerate(a.attachments):
                out.append(entry("article", k, a.path, i, name, kind, title, lines))
        return out
