"""One running replica: the model at a night, a theme, live counters and sessions.

`Site.render()` answers one request without any network (tests use it directly);
`Site.canonical_urls()`, `Site.changes()` and `Site.attachments()` are the ground truth.
"""

from __future__ import annotations

import threading
import unicodedata
from datetime import datetime

from replica import assets, attachments
from replica.config import ReplicaConfig
from replica.content import (
    CATEGORIES,
    LAWS_PER_PAGE,
    PER_PAGE,
    TOPICS,
    Article,
    Document,
    SiteModel,
)
from replica.determinism import hexid, unit
from replica.routes import Request, Response, article_text, document_text, route
from replica.themes import get_theme

DEFAULT_BASE = "http://127.0.0.1:8080"


SHAPE_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn: part of the letter in cp1258


def to_cp1258(text: str) -> bytes:
    """Windows-1258 has few precomposed Vietnamese letters: keep what it has, else write the
    letter (with its circumflex/breve/horn) plus a combining tone mark, as Vietnamese
    Windows software did. Anything else becomes a numeric character reference."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        shape = "".join(m for m in d[1:] if m in SHAPE_MARKS)
        tones = "".join(m for m in d[1:] if m not in SHAPE_MARKS)
        try:
            out += unicodedata.normalize("NFC", d[0] + shape).encode("cp1258")
            out += tones.encode("cp1258")
        except UnicodeEncodeError:
            out += f"&#{ord(ch)};".encode("ascii")
    return bytes(out)


class Site:
    def __init__(self, config: ReplicaConfig) -> None:
        self.config = config
        self.model = SiteModel(config)
        self.theme = get_theme(config.theme)
        self.night = config.night
        self._lock = threading.Lock()
        self._views: dict[tuple[str, int], int] = {}
        self._sessions: set[str] = set()
        self._session_serial = 0
        self.model.state(self.night)  # compute the night's edits/removals once, up front

    # ---- live counters and sessions -------------------------------------------------------
    def new_session(self) -> str:
        with self._lock:
            self._session_serial += 1
            sid = hexid(self.config.seed, "sess", self._session_serial)
            self._sessions.add(sid)
            return sid

    def session_known(self, sid: str | None) -> bool:
        return sid is not None and sid in self._sessions

    def touch_article(self, k: int, counted: bool) -> None:
        if counted:
            with self._lock:
                self._views[("a", k)] = self._views.get(("a", k), 0) + 1

    def touch_document(self, k: int, counted: bool) -> None:
        if counted:
            with self._lock:
                self._views[("d", k)] = self._views.get(("d", k), 0) + 1

    def article_views(self, a: Article) -> int:
        return self.model.views(a, self.night) + self._views.get(("a", a.id), 0)

    def document_counters(self, d: Document) -> tuple[int, int]:
        views, downs = self.model.doc_counters(d, self.night)
        return views + self._views.get(("d", d.id), 0), downs

    def newest_time(self) -> datetime:
        ids = self.model.category_ids(None, self.night, 0, 1)
        return self.model.teaser(ids[0], self.night).edited

    # ---- requests -------------------------------------------------------------------------
    def respond(self, target: str, method: str = "GET", base: str = DEFAULT_BASE,
                session_known: bool = True) -> Response:
        return route(self, Request(method, target, session_known), base)

    def encode(self, resp: Response) -> tuple[bytes, str]:
        """Body bytes and Content-Type, applying the NFD / windows-1258 page variants."""
        if resp.text is None:
            return resp.body, resp.content_type
        text, ctype = resp.text, resp.content_type
        key = resp.page_key
        if key is not None and unit(self.config.seed, "cp1258", key) < self.config.cp1258_rate:
            text = text.replace('content="text/html; charset=utf-8"',
                                'content="text/html; charset=windows-1258"', 1)
            return to_cp1258(text), "text/html; charset=windows-1258"
        if key is not None and unit(self.config.seed, "nfd", key) < self.config.nfd_rate:
            text = unicodedata.normalize("NFD", text)
        return text.encode("utf-8"), ctype

    def render(self, target: str, base: str = DEFAULT_BASE, session_known: bool = True
               ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body bytes, as the server would send them (minus faults)."""
        resp = self.respond(target, base=base, session_known=session_known)
        body, ctype = self.encode(resp)
        headers = {"Content-Type": ctype, **dict(resp.headers)}
        return resp.status, headers, body

    def is_nfd_page(self, target: str) -> bool:
        """True if this page is served NFD-decomposed (HTML pages only, by canonical path)."""
        key = self.respond(target).page_key
        return key is not None and unit(self.config.seed, "nfd", key) < self.config.nfd_rate

    # ---- ground truth ---------------------------------------------------------------------
    def canonical_urls(self, base: str = "") -> list[str]:
        """Every canonical URL served at this night (no trap URLs), in a stable order."""
        m, night = self.model, self.night
        st = m.state(night)
        urls = ["/", "/robots.txt", "/sitemap.xml", "/sitemap-vi.xml", "/sitemap-vi.news.xml",
                "/sitemap-vi.laws.xml", "/vi/news/rss/", "/favicon.ico"]
        t = self.theme.name
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
            _, body_images, lead, attachments = m.shape(k)
            urls.append(path)
            urls += [f"{path}?download=1&id={i}" for i in range(len(attachments))]
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
        return self.model.changes(night_a, night_b, base)

    def attachments(self, base: str = "") -> list[dict]:
        """Ground truth of every attachment served tonight, documents' then articles' (see
        replica.attachments.truth): its URL, the page that links it, kind and expected text."""
        m, night = self.model, self.night
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


__all__ = ["Site", "to_cp1258"]
