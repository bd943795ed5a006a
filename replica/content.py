"""The site model: categories, articles, documents, tags and nights, all computed lazily.

Article k at night K is a pure function of (seed, k, K): nothing is materialised per article,
so a 50,000-article site starts instantly. Category listings are arithmetic: the category of
id k is `PATTERN[k % PERIOD]` for a seed-fixed pattern, so the j-th newest article of a
category is found by division, and the few removed ids (a short sorted list per night) are
skipped on the way.

Night K+1 = night K plus `new_per_night` articles and documents, `edits_per_night` edits
(title, a body paragraph, the author line, a caption) and `removals_per_night` removals
(http 404 or soft page). Removed articles leave listings, feeds and sitemaps.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from replica import seed_article as seed
from replica import textgen as tg
from replica.attachments import extension as file_extension
from replica.config import ReplicaConfig
from replica.determinism import rng, unit

TZ = timezone(timedelta(hours=7))
T0 = datetime(2015, 3, 25, 9, 21, tzinfo=TZ)  # the seed article, id 1
T_END = datetime(2026, 11, 20, 8, 0, tzinfo=TZ)  # newest article at night 0
# Night K is the evening of day T_END + K (its crawl runs at 23:00 local time): every date the
# portal shows at night K (published, edited, feed and sitemap dates) is at or before it.
NIGHT_HOUR = 23
DOC_T0 = datetime(2015, 1, 5, 8, 0, tzinfo=TZ)
PER_PAGE = 20
LAWS_PER_PAGE = 20
PERIOD = 97

CATEGORIES = [
    ("thoi-su-chinh-tri", "Thời sự - Chính trị"),
    ("kinh-te", "Kinh tế"),
    ("van-hoa-xa-hoi", "Văn hóa - Xã hội"),
    ("quoc-phong-an-ninh", "Quốc phòng - An ninh"),
    ("xay-dung-dang", "Xây dựng Đảng"),
    ("chi-dao-dieu-hanh", "Chỉ đạo điều hành"),
    ("giao-duc-dao-tao", "Giáo dục - Đào tạo"),
    ("y-te", "Y tế"),
]
CAT_INDEX = {a: i for i, (a, _) in enumerate(CATEGORIES)}
SEED_CAT = CAT_INDEX[seed.CATEGORY]

DOC_TYPES = [  # (type name, code in the number or None for công văn)
    ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Nghị quyết", "NQ"), ("Kế hoạch", "KH"),
    ("Thông báo", "TB"), ("Công văn", None), ("Hướng dẫn", "HD"), ("Báo cáo", "BC"),
    ("Tờ trình", "TTr"),
]
DOC_FIELDS = ["Nông nghiệp", "Y tế", "Giáo dục", "Tài chính", "Giao thông vận tải",
              "Tổ chức bộ máy", "Tài nguyên - Môi trường", "Văn hóa - Xã hội", "Đầu tư"]
DOC_ISSUERS = [("UBND tỉnh Lai Châu", "UBND"), ("HĐND tỉnh Lai Châu", "HĐND"),
               ("Tỉnh ủy Lai Châu", "TU")]
DOC_SIGNERS = ["Nguyễn Văn Minh", "Lò Thị Hạnh", "Trần Quang Tuấn", "Giàng A Sơn",
               "Hoàng Thị Lan"]  # invented names
CV_DEPTS = ["VX", "KT", "NC", "TH", "KTN"]
TOPICS = [  # "Theo dòng sự kiện": event threads an editor attaches some articles to
    ("dai-hoi-dang-bo-cac-cap", "Đại hội Đảng bộ các cấp"),
    ("phong-chong-dich-covid-19", "Phòng, chống dịch COVID-19"),
    ("xay-dung-nong-thon-moi", "Xây dựng nông thôn mới"),
    ("bau-cu-dai-bieu-quoc-hoi-va-hdnd", "Bầu cử đại biểu Quốc hội và HĐND"),
    ("cai-cach-hanh-chinh", "Cải cách hành chính"),
]
WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    caption_lines: tuple[str, ...]  # empty: no caption
    credit: str | None
    layout: str  # alt_eq | table | br | plain | none
    credit_text: str = ""  # the credit as typed: "(ảnh: TP)", "(Ảnh: X)", "Ảnh: X"

    @property
    def caption(self) -> str | None:
        return " ".join(self.caption_lines) or None


class _ArticleURL:
    """Where an article lives, for the full article and its teaser alike."""

    id: int
    cat: int
    alias: str

    @property
    def cat_alias(self) -> str:
        return CATEGORIES[self.cat][0]

    @property
    def path(self) -> str:
        return f"/vi/news/{self.cat_alias}/{self.alias}-{self.id}.html"


@dataclass(frozen=True)
class Teaser(_ArticleURL):
    """The part of an article that listings, feeds and related lists show."""

    id: int
    cat: int
    alias: str
    title: str
    published: datetime
    edited: datetime
    summary: str
    lead: Image | None
    comments: int
    rating: tuple[int, int]
    base_views: int


@dataclass(frozen=True)
class Article(_ArticleURL):
    id: int
    cat: int
    alias: str
    title: str
    published: datetime
    edited: datetime
    summary: str
    paragraphs: tuple[str, ...]
    images: tuple[tuple[int, Image], ...]  # (before paragraph index, image)
    lead: Image | None
    authors: tuple[tuple[str, str | None], ...]
    author_line: str
    source: str | None
    tags: tuple[str, ...]
    attachments: tuple[tuple[str, str], ...]  # (file name, kind: see replica.attachments)
    comments: int
    rating: tuple[int, int]
    base_views: int


@dataclass(frozen=True)
class Document:
    id: int
    number: str
    alias: str
    title: str
    summary: str
    issued_on: datetime
    effective_on: datetime | None
    expires_on: datetime | None
    doc_type: str
    field: str
    issuer: str
    reviewer: str | None
    signer: str
    body: tuple[str, ...]
    files: tuple[tuple[str, str], ...]  # (file name, kind: see replica.attachments)
    base_views: int
    base_downloads: int

    @property
    def path(self) -> str:
        return f"/vi/laws/detail/{self.alias}-{self.id}/"


@dataclass
class NightState:
    night: int
    max_article: int
    max_document: int
    removed: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (night, reason)
    edits: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # id -> [(night, f)]
    removed_sorted: list[int] = field(default_factory=list)


# The main file of document k by k % 16: one of each special kind in every 16 documents
# (so even a small replica serves them all), a text-layer PDF otherwise. OCR is the costly
# part of reading attachments, so scans stay one in 16.
_DOCUMENT_FILE_KINDS = {3: "docx", 6: "scan", 9: "truncated", 12: "encrypted", 14: "notpdf"}


def document_file_kind(k: int) -> str:
    return _DOCUMENT_FILE_KINDS.get(k % 16, "pdf")


def appendix_kind(k: int) -> str:
    """An appendix `.doc` is a real Word 97 file for even ids, RTF under a .doc name for odd."""
    return "doc" if k % 2 == 0 else "rtf"


def weekday_line(t: datetime) -> str:
    return f"{WEEKDAYS[t.weekday()]} - {t:%d/%m/%Y %H:%M}"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def night_time(night: int) -> datetime:
    """The moment night `night` stands for; nothing served that night is dated later."""
    return T_END.replace(hour=NIGHT_HOUR, minute=0) + timedelta(days=night)


class SiteModel:
    """Every fact about the site at any night; no HTML here."""

    def __init__(self, config: ReplicaConfig) -> None:
        self.config = config
        self.seed = config.seed
        self.n0 = config.articles
        self.d0 = config.documents if config.documents is not None else config.articles // 7 + 4
        self.new_per_night = max(1, self.n0 // 100)
        self.new_docs_per_night = max(1, self.d0 // 100)
        self.edits_per_night = max(2, self.n0 // 100) if self.n0 > 2 else 0
        self.removals_per_night = max(1, self.n0 // 200) if self.n0 > 3 else 0
        r = rng(self.seed, "pattern")
        weights = [14, 12, 12, 8, 10, 14, 8, 8]
        self.pattern = r.choices(range(len(CATEGORIES)), weights=weights, k=PERIOD)
        self.pattern[seed.ARTICLE_ID % PERIOD] = SEED_CAT
        for c in range(len(CATEGORIES)):  # every category appears in the pattern
            if c not in self.pattern:
                self.pattern[(c * 7 + 3) % PERIOD or 2] = c
        self.positions = [[p for p in range(PERIOD) if self.pattern[p] == c]
                          for c in range(len(CATEGORIES))]
        self.tags = [tg.alias(w) for w in tg.TAG_WORDS]
        self.tag_words = dict(zip(self.tags, tg.TAG_WORDS, strict=True))
        self._states: dict[int, NightState] = {}
        # Per-instance caches (a class-level lru_cache would keep every model alive).
        self.base_article = functools.lru_cache(maxsize=4096)(self._base_article)
        self.document = functools.lru_cache(maxsize=4096)(self._document)
        self.head = functools.lru_cache(maxsize=65536)(self._head)
        self._shape = functools.lru_cache(maxsize=8192)(self._make_shape)  # type: ignore

    # ---- nights ---------------------------------------------------------------------
    def state(self, night: int) -> NightState:
        if night in self._states:
            return self._states[night]
        if night == 0:
            st = NightState(0, self.n0, self.d0)
        else:
            prev = self.state(night - 1)
            st = NightState(night, prev.max_article + self.new_per_night,
                            prev.max_document + self.new_docs_per_night,
                            dict(prev.removed), {k: list(v) for k, v in prev.edits.items()})
            r = rng(self.seed, "night", night)
            touched: set[int] = set()
            hi = prev.max_article

            def pick() -> int | None:
                for _ in range(50):
                    k = r.randint(2, hi) if hi >= 2 else 0
                    if k and k not in st.removed and k not in touched:
                        touched.add(k)
                        return k
                return None

            for _ in range(self.removals_per_night):
                k = pick()
                if k is not None:
                    st.removed[k] = (night, "http_404" if r.random() < 0.6 else "soft_404")
            kinds = ["title", "body_text", "authors", "images"]
            for i in range(self.edits_per_night):
                k = pick()
                if k is None:
                    continue
                # rotate through the kinds so every night edits titles, bodies, bylines, captions
                fld = kinds[(i + night) % len(kinds)]
                if fld == "images" and not any(im.caption_lines for _, im in self._shape(k)[1]):
                    fld = "body_text"
                st.edits.setdefault(k, []).append((night, fld))
        st.removed_sorted = sorted(st.removed)
        self._states[night] = st
        return st

    def article_exists(self, k: int, night: int) -> bool:
        st = self.state(night)
        return 1 <= k <= st.max_article and k not in st.removed

    def removal(self, k: int, night: int) -> tuple[int, str] | None:
        return self.state(night).removed.get(k)

    # ---- categories -----------------------------------------------------------------
    def category_of(self, k: int) -> int:
        return self.pattern[k % PERIOD]

    def _count_upto(self, c: int, m: int) -> int:
        """Ids in 1..m of category c (removed ones included)."""
        if m < 1:
            return 0
        q, rem = divmod(m + 1, PERIOD)  # ids 0..m
        n = q * len(self.positions[c]) + bisect.bisect_left(self.positions[c], rem)
        return n - (1 if self.pattern[0] == c else 0)

    def _nth_in_cat(self, c: int, n: int) -> int:
        """The n-th (1-based) smallest id >= 1 of category c."""
        n += 1 if self.pattern[0] == c else 0
        q, r = divmod(n - 1, len(self.positions[c]))
        return q * PERIOD + self.positions[c][r]

    def category_total(self, c: int | None, night: int) -> int:
        st = self.state(night)
        if c is None:
            return st.max_article - len(st.removed)
        removed = sum(1 for k in st.removed if self.category_of(k) == c)
        return self._count_upto(c, st.max_article) - removed

    def category_ids(self, c: int | None, night: int, start: int, count: int) -> list[int]:
        """Alive ids of category c (None: all), newest first, skipping `start` of them.

        Works on ranks (position of an id among all ids of its category, 1 = oldest): the
        start-th alive rank from the top is found by a fixed point over the few removed ranks.
        """
        st = self.state(night)
        if c is None:
            top = st.max_article
            removed = st.removed_sorted

            def id_of(x: int) -> int:
                return x
        else:
            top = self._count_upto(c, st.max_article)
            removed = sorted(self._count_upto(c, k) for k in st.removed_sorted
                             if self.category_of(k) == c)

            def id_of(x: int) -> int:
                return self._nth_in_cat(c, x)
        x = top - start
        while x >= 1:
            nrem = len(removed) - bisect.bisect_left(removed, x)
            nxt = top - start - nrem
            if nxt == x:
                break
            x = nxt
        out: list[int] = []
        removed_set = set(removed)
        while x >= 1 and len(out) < count:
            if x not in removed_set:
                out.append(id_of(x))
            x -= 1
        return out

    def tag_ids(self, tag: str, night: int, count: int = PER_PAGE) -> list[int]:
        """Newest alive articles carrying `tag` (a scan: tags are cheap to compute)."""
        st = self.state(night)
        out = []
        k = st.max_article
        while k >= 1 and len(out) < count and st.max_article - k < 20000:
            if k not in st.removed and tag in self.article_tags(k):
                out.append(k)
            k -= 1
        return out

    def topic_of(self, k: int) -> int | None:
        if k == seed.ARTICLE_ID:
            return None
        u = unit(self.seed, "topic", k)
        return int(u * 100) % len(TOPICS) if u < 0.12 else None

    def topic_ids(self, topic: int, night: int, count: int = PER_PAGE,
                  below: int | None = None) -> list[int]:
        """Newest alive articles of a topic (below id `below` if given), by a short scan."""
        st = self.state(night)
        out = []
        k = st.max_article if below is None else below - 1
        start = k
        while k >= 1 and len(out) < count and start - k < 20000:
            if k not in st.removed and self.topic_of(k) == topic:
                out.append(k)
            k -= 1
        return out

    # ---- articles -------------------------------------------------------------------
    def published(self, k: int) -> datetime:
        if k == seed.ARTICLE_ID:
            return T0
        if k <= self.n0:
            step = (T_END - T0).total_seconds() / max(1, self.n0 - 1)
            base = T0.timestamp() + (k - 1) * step
            jitter = unit(self.seed, "t", k) * step * 0.8
            # The newest article is T_END: its jitter would date it after night 0 (weeks later
            # on a small site, where a step is a month).
            return min(datetime.fromtimestamp(int(base + jitter) // 60 * 60, TZ), T_END)
        night, idx = divmod(k - self.n0 - 1, self.new_per_night)
        day = T_END + timedelta(days=night + 1)
        minute = int((idx + unit(self.seed, "t", k)) / self.new_per_night * 600)
        return day.replace(hour=7) + timedelta(minutes=minute)

    def first_night(self, k: int) -> int:
        """The night article k is first served."""
        return 0 if k <= self.n0 else (k - self.n0 - 1) // self.new_per_night + 1

    def article_tags(self, k: int) -> tuple[str, ...]:
        if k == seed.ARTICLE_ID:
            return ()
        r = rng(self.seed, "tags", k)
        return tuple(r.sample(self.tags, r.randint(0, 4)))

    def first_title(self, k: int) -> str:
        """Article k's title before any edit: what its slug is made from. Cheaper than
        `head(k)` (platforms whose URLs carry the slug index every article by it)."""
        if k == seed.ARTICLE_ID:
            return seed.TITLE
        title = tg.title(rng(self.seed, "head", k))  # the first draw of `_head`'s stream
        return title[0].upper() + title[1:]

    def first_alias(self, k: int) -> str:
        """The slug `head(k).alias`, from `first_title` (no edit changes it)."""
        if k == seed.ARTICLE_ID:
            return seed.ALIAS
        return tg.alias(self.first_title(k))[:90].strip("-")

    # An article is drawn from independent streams, so a listing (head), the URL list
    # (head + shape) and an article page (everything) each generate only what they show.
    def _head(self, k: int) -> Teaser:
        if k == seed.ARTICLE_ID:
            a = self._seed_article()
            return Teaser(a.id, a.cat, a.alias, a.title, a.published, a.edited, a.summary,
                          a.lead, a.comments, a.rating, a.base_views)
        r = rng(self.seed, "head", k)
        pub = self.published(k)
        title = tg.title(r)
        title = title[0].upper() + title[1:]
        votes = r.choice([0, 0, 0, 1, 2, 5])
        shape = self._shape(k)
        return Teaser(
            id=k, cat=self.category_of(k), alias=tg.alias(title)[:90].strip("-"), title=title,
            published=pub,
            edited=min(pub + timedelta(minutes=r.randint(0, 600)), night_time(self.first_night(k))),
            summary=tg.paragraph(r, (1, 2)), lead=shape[2], comments=r.choice([0, 0, 0, 0, 1, 3]),
            rating=(sum(r.randint(3, 5) for _ in range(votes)), votes),
            base_views=r.randint(50, 4000))

    def _make_shape(self, k: int) -> tuple[int, tuple[tuple[int, Image], ...], Image | None,
                                           tuple[tuple[str, str], ...]]:
        """Paragraph count, body images, lead image, attachments."""
        r = rng(self.seed, "shape", k)
        month = f"{self.published(k):%Y_%m}"
        n_paras = r.randint(3, 8)
        images = []
        for i in range(r.choice([0, 1, 1, 2, 2, 3])):
            images.append((r.randint(0, n_paras - 1), self._image(r, k, i, month)))
        images.sort(key=lambda t: t[0])
        lead = None
        if r.random() < 0.7:
            cap = tg.caption(r)
            ext = "png" if r.random() < 0.15 else "jpg"
            lead = Image(f"/uploads/news/{month}/{tg.alias(cap)[:40]}-{k}.{ext}", cap, (cap,),
                         None, "figure")
        attachments: tuple[tuple[str, str], ...] = ()
        if r.random() < 0.08:
            attachments = ((f"tai-lieu-{k}.pdf", "pdf"),)
            if r.random() < 0.5:
                attachments += ((f"phu-luc-{k}.doc", appendix_kind(k)),)
        return n_paras, tuple(images), lead, attachments

    def shape(self, k: int) -> tuple[int, tuple[tuple[int, Image], ...], Image | None,
                                     tuple[tuple[str, str], ...]]:
        if k == seed.ARTICLE_ID:
            a = self._seed_article()
            return len(a.paragraphs), a.images, a.lead, a.attachments
        return self._shape(k)

    def _base_article(self, k: int) -> Article:
        if k == seed.ARTICLE_ID:
            return self._seed_article()
        head = self.head(k)
        n_paras, images, lead, attachments = self._shape(k)
        body = rng(self.seed, "body", k)
        paragraphs = tuple(tg.paragraph(body) for _ in range(n_paras))
        byline = rng(self.seed, "byline", k)
        authors, line = self._authors(byline)
        source = byline.choice(tg.SOURCES) if byline.random() < 0.35 else None
        return Article(
            id=k, cat=head.cat, alias=head.alias, title=head.title, published=head.published,
            edited=head.edited, summary=head.summary, paragraphs=paragraphs, images=images,
            lead=lead, authors=authors, author_line=line, source=source,
            tags=self.article_tags(k), attachments=attachments, comments=head.comments,
            rating=head.rating, base_views=head.base_views,
        )

    def teaser(self, k: int, night: int) -> Teaser:
        """What listings, feeds, sitemaps and related lists show of article k at `night`."""
        t = self.head(k)
        for n, fld in self.state(night).edits.get(k, []):
            if n <= night:
                title, edited = self._edit_head(t.title, t.edited, t.published, k, n, fld)
                t = replace(t, title=title, edited=edited)
        return t

    def _edit_head(self, title: str, edited: datetime, published: datetime, k: int,
                   night: int, fld: str) -> tuple[str, datetime]:
        r = rng(self.seed, "edit", k, night)
        edited = max(edited, T_END + timedelta(days=night, hours=r.randint(1, 20)))
        edited = min(edited, night_time(night))  # an edit of night K is made by that night
        if fld == "title":
            title += r.choice([" (cập nhật)", " năm " + str(published.year),
                               ": kết quả bước đầu"])
        return title, edited

    def _image(self, r, k: int, i: int, month: str) -> Image:
        layout = r.choice(["alt_eq", "table", "br", "plain", "none", "alt_eq", "table"])
        ext = "png" if r.random() < 0.15 else "jpg"
        d = self.published(k)
        residue = f"{d.day} {d.month} {d.year % 100}"
        name = f"{d.day}-{d.month}-{d.year % 100}-{k}-{i}"
        if layout == "none":
            return Image(f"/uploads/news/{month}/{name}.{ext}", residue, (), None, "none")
        credit = r.choice(tg.SHORT_CREDITS) if r.random() < 0.6 else tg.person(r)
        cap = tg.caption(r)
        if layout == "br":
            words = cap.split()
            cut = max(1, len(words) // 2)
            lines = (" ".join(words[:cut]), " ".join(words[cut:]))
        else:
            lines = (cap,)
        credit_text = {"alt_eq": f"(ảnh: {credit})", "table": f"(Ảnh: {credit})",
                       "br": f"(ảnh: {credit})", "plain": f"Ảnh: {credit}"}[layout]
        if layout == "alt_eq":
            return Image(f"/uploads/news/{month}/{tg.alias(cap)[:40]}-{k}-{i}.{ext}",
                         f"{cap} {credit_text}", lines, credit, layout, credit_text)
        return Image(f"/uploads/news/{month}/{name}.{ext}", residue, lines, credit, layout,
                     credit_text)

    def _authors(self, r) -> tuple[tuple[tuple[str, str | None], ...], str]:
        n = r.choice([1, 1, 1, 2, 2, 3])
        names = [tg.person(r) for _ in range(n)]
        org = r.choice(tg.ORGS) if r.random() < 0.6 else None
        if org is None:
            return tuple((nm, None) for nm in names), ", ".join(names)
        dash = r.choice([" - ", " - ", " – ", " — "])
        return tuple((nm, org) for nm in names), ", ".join(names) + dash + org

    def _seed_article(self) -> Article:
        images = []
        for before, src, alt, lines, credit, layout, credit_text in seed.IMAGES:
            images.append((before, Image(src, alt, tuple(lines), credit, layout, credit_text)))
        name, org = seed.AUTHOR_LINE.split(" - ")
        return Article(
            id=seed.ARTICLE_ID, cat=SEED_CAT, alias=seed.ALIAS, title=seed.TITLE, published=T0,
            edited=T0 + timedelta(hours=2, minutes=7), summary=seed.SUMMARY,
            paragraphs=tuple(seed.PARAGRAPHS), images=tuple(images), lead=None,
            authors=((name, org),), author_line=seed.AUTHOR_LINE, source=None, tags=(),
            attachments=(), comments=seed.COMMENTS, rating=seed.RATING, base_views=seed.VIEWS,
        )

    def article(self, k: int, night: int) -> Article | None:
        """The article as shown at `night`, or None if it does not exist then (or removed)."""
        if not self.article_exists(k, night):
            return None
        return self.article_any(k, night)

    def article_any(self, k: int, night: int) -> Article:
        a = self.base_article(k)
        for n, fld in self.state(night).edits.get(k, []):
            if n <= night:
                a = self._apply_edit(a, n, fld)
        return a

    def _apply_edit(self, a: Article, night: int, fld: str) -> Article:
        title, edited = self._edit_head(a.title, a.edited, a.published, a.id, night, fld)
        r = rng(self.seed, "edit-body", a.id, night)
        if fld == "title":
            return replace(a, title=title, edited=edited)
        if fld == "body_text":
            paras = list(a.paragraphs)
            i = r.randrange(len(paras))
            paras[i] = tg.paragraph(r)
            return replace(a, paragraphs=tuple(paras), edited=edited)
        if fld == "authors":
            authors, line = self._authors(r)
            while line == a.author_line:
                authors, line = self._authors(r)
            return replace(a, authors=authors, author_line=line, edited=edited)
        if fld == "images":
            imgs = list(a.images)
            idx = [j for j, (_, im) in enumerate(imgs) if im.caption_lines]
            j = r.choice(idx)
            before, im = imgs[j]
            cap = tg.caption(r) + " năm " + str(a.published.year)
            lines = (cap,) if im.layout != "br" else (cap.rsplit(" ", 3)[0],
                                                      " ".join(cap.split()[-3:]))
            alt = f"{cap} {im.credit_text}" if im.layout == "alt_eq" else im.alt
            imgs[j] = (before, replace(im, caption_lines=lines, alt=alt))
            return replace(a, images=tuple(imgs), edited=edited)
        raise ValueError(fld)

    def views(self, a: Article | Teaser, night: int) -> int:
        return a.base_views + int(night * (2 + 30 * unit(self.seed, "vr", a.id)))

    # ---- documents ------------------------------------------------------------------
    def document_exists(self, k: int, night: int) -> bool:
        return 1 <= k <= self.state(night).max_document

    def _document(self, k: int) -> Document:
        if k <= len(seed.DOCUMENTS):
            return self._seed_document(k)
        r = rng(self.seed, "doc", k)
        if k <= self.d0:
            span = (T_END - DOC_T0).total_seconds() / max(1, self.d0 - 4)
            issued = DOC_T0 + timedelta(seconds=(k - 5) * span)
        else:
            extra = k - self.d0
            issued = T_END + timedelta(days=(extra - 1) // self.new_docs_per_night + 1)
        issued = issued.replace(hour=0, minute=0, second=0)
        doc_type, code = r.choice(DOC_TYPES)
        issuer, icode = r.choice(DOC_ISSUERS) if code else DOC_ISSUERS[0]
        serial = r.randint(1, 3999)
        number = f"{serial}/{code}-{icode}" if code else f"{serial}/UBND-{r.choice(CV_DEPTS)}"
        subject = r.choice(tg.OBJECTS)
        title = f"{doc_type} về việc {subject} {r.choice(tg.TAILS)}"
        return self._make_document(k, r, number, title, doc_type, issued, r.choice(DOC_FIELDS),
                                   issuer, r.randint(20, 2000), r.randint(0, 200))

    def _make_document(self, k, r, number, title, doc_type, issued, fld, issuer, views, downs):
        effective = issued + timedelta(days=r.choice([0, 0, 10, 15])) if r.random() < 0.8 \
            else None
        expires = issued + timedelta(days=365 * r.randint(1, 5)) if r.random() < 0.25 else None
        kind = document_file_kind(k)
        files = [(f"{tg.alias(number)}{file_extension(kind)}", kind)]
        if r.random() < 0.4:
            files.append((f"{tg.alias(number)}-phu-luc.doc", appendix_kind(k)))
        return Document(
            id=k, number=number, alias=tg.alias(title)[:80].strip("-"), title=title,
            summary=title + ".", issued_on=issued, effective_on=effective, expires_on=expires,
            doc_type=doc_type, field=fld, issuer=issuer,
            reviewer="Sở Tư pháp" if r.random() < 0.3 else None,
            signer=r.choice(DOC_SIGNERS), body=tuple(tg.paragraph(r) for _ in range(2)),
            files=tuple(files), base_views=views, base_downloads=downs,
        )

    def _seed_document(self, k: int) -> Document:
        d = seed.DOCUMENTS[k - 1]
        r = rng(self.seed, "seeddoc", k)
        return self._make_document(k, r, d["number"], d["title"], d["doc_type"],
                                   datetime(*d["issued"], tzinfo=TZ), d["field"],
                                   "UBND tỉnh Lai Châu", d["views"], d["downloads"])

    def document_ids(self, night: int, start: int, count: int) -> list[int]:
        top = self.state(night).max_document
        return list(range(top - start, max(0, top - start - count), -1))

    def doc_counters(self, d: Document, night: int) -> tuple[int, int]:
        return (d.base_views + night * int(1 + 9 * unit(self.seed, "dv", d.id)),
                d.base_downloads + night * int(2 * unit(self.seed, "dd", d.id)))

    # ---- ground truth -----------------------------------------------------------------
    def article_fields(self, a: Article) -> dict[str, object]:
        """What the parse JSON would hold for each compared field (visible content only)."""
        return {
            "title": a.title,
            "summary": a.summary,
            "body_text": (a.paragraphs, tuple(im.caption_lines for _, im in a.images)),
            "published_at": a.published.isoformat(),
            "authors": a.authors,
            "images": tuple((im.src, im.alt, im.caption, im.credit)
                            for im in ([a.lead] if a.lead else []) + [i for _, i in a.images]),
            "tags": a.tags,
            "category": a.cat,
            "attachments": a.attachments,
        }

    def changes(self, night_a: int, night_b: int, base: str = "") -> dict[str, list[dict]]:
        if night_a > night_b:
            raise ValueError("night A must not be after night B")
        sa, sb = self.state(night_a), self.state(night_b)
        added, removed, changed = [], [], []
        for k in range(sa.max_article + 1, sb.max_article + 1):
            if k not in sb.removed:
                added.append({"kind": "article", "key": k,
                              "url": base + self.head(k).path})
        for k in range(sa.max_document + 1, sb.max_document + 1):
            added.append({"kind": "document", "key": k, "url": base + self.document(k).path})
        for k in sorted(set(sb.removed) - set(sa.removed)):
            if k <= sa.max_article:
                removed.append({"kind": "article", "key": k,
                                "url": base + self.teaser(k, night_a).path,
                                "reason": sb.removed[k][1]})
        for k in sorted(sb.edits):
            if k in sb.removed or k > sa.max_article or k in sa.removed:
                continue
            fa = self.article_fields(self.article_any(k, night_a))
            fb = self.article_fields(self.article_any(k, night_b))
            fields = [f for f in fa if fa[f] != fb[f]]
            if fields:
                changed.append({"kind": "article", "key": k,
                                "url": base + self.teaser(k, night_b).path,
                                "fields": fields})
        return {"added": added, "removed": removed, "changed": changed}
