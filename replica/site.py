"""One running replica: the model at a night, a platform (and NukeViet theme), live counters
and sessions.

`Site.render()` answers one request without any network (tests use it directly);
`Site.canonical_urls()`, `Site.changes()` and `Site.attachments()` are the ground truth.
"""

from __future__ import annotations

import threading
import unicodedata
from datetime import datetime

from replica.config import ReplicaConfig
from replica.content import Article, Document, SiteModel
from replica.determinism import hexid, unit
from replica.platforms import get_platform
from replica.routes import Request, Response
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
        self.theme = get_theme(config.theme)  # NukeViet's theme (other platforms ignore it)
        self.night = config.night
        self._lock = threading.Lock()
        self._views: dict[tuple[str, int], int] = {}
        self._sessions: set[str] = set()
        self._session_serial = 0
        self.model.state(self.night)  # compute the night's edits/removals once, up front
        self.platform = get_platform(config.platform, self)

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
    def route(self, req: Request, base: str) -> Response:
        """One request, answered the platform's way (the server calls this)."""
        fault = self.platform.fault(req.path)
        return fault if fault is not None else self.platform.route(req, base)

    def respond(self, target: str, method: str = "GET", base: str = DEFAULT_BASE,
                session_known: bool = True) -> Response:
        return self.route(Request(method, target, session_known), base)

    def encode(self, resp: Response) -> tuple[bytes, str]:
        """Body bytes and Content-Type, applying the NFD / windows-1258 page variants."""
        if resp.text is None:
            return resp.body, resp.content_type
        text, ctype = resp.text, resp.content_type
        key = resp.page_key
        if key is not None and unit(self.config.seed, "cp1258", key) < self.config.cp1258_rate:
            text = text.replace('content="text/html; charset=utf-8"',
                                'content="text/html; charset=windows-1258"', 1)
            text = text.replace('<meta charset="UTF-8">', '<meta charset="windows-1258">', 1)
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

    # ---- ground truth (the platform's) --------------------------------------------------
    def canonical_urls(self, base: str = "") -> list[str]:
        """Every canonical URL served at this night (no trap URLs), in a stable order."""
        return self.platform.canonical_urls(base)

    def changes(self, night_a: int, night_b: int, base: str = "") -> dict[str, list[dict]]:
        """Added / removed / changed items between two nights, with the platform's URLs and
        item keys (see PLATFORM_CONTRACT: ids where the platform shows one, else URLs)."""
        return self.platform.changes(night_a, night_b, base)

    def attachments(self, base: str = "") -> list[dict]:
        """Ground truth of every attachment served tonight, documents' then articles' (see
        replica.attachments.truth): its URL, the page that links it, kind and expected text."""
        return self.platform.attachments(base)


__all__ = ["Site", "to_cp1258"]
