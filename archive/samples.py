"""Realistic `Capture`s of a NukeViet portal, for tests and benchmarks of the archive code.

They mirror what the crawler hands the writer: raw headers as pairs, bodies still
content-encoded (gzip HTML as NukeViet serves it), a de-chunked body whose response said
`Transfer-Encoding: chunked`, a redirect, a 404, a PDF with a Vietnamese file name in raw
UTF-8, and query-string URLs (`index.php?language=vi&nv=news&op=…`).
"""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime, timedelta

from archive.warc import Capture

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{title} - Cổng thông tin điện tử tỉnh</title></head>
<body><div class="news_column"><h1>{title}</h1>
<div class="bodytext">{text}</div></div></body></html>
"""

_REQUEST_HEADERS = [
    ("User-Agent", "portal-archive/0.1 (+archival crawler)"),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "vi,en;q=0.5"),
    ("Accept-Encoding", "gzip, deflate"),
]


_TEXT = (
    "ủy ban nhân dân tỉnh sở giáo dục đào tạo hội nghị triển khai kế hoạch năm học "
    "chỉ thị quyết định thông báo cán bộ công chức viên chức kiểm tra giám sát thực hiện "
    "chương trình phát triển kinh tế xã hội địa phương huyện thành phố phường xã dự án"
)
_WORDS = _TEXT.split(" ")


def article_html(n: int) -> bytes:
    """An article page of realistic size (~20 KB, ~6 KB gzipped), deterministic in `n`."""
    rng = random.Random(n)
    title = f"Hội nghị triển khai nhiệm vụ năm 2026 số {n}"
    paragraphs = (
        "<p>" + " ".join(rng.choice(_WORDS) for _ in range(60)).capitalize() + ".</p>"
        for _ in range(60)
    )
    return ARTICLE_HTML.format(title=title, text="\n".join(paragraphs)).encode("utf-8")


def _html_capture(url: str, html: bytes, when: datetime, chunked: bool = False) -> Capture:
    body = gzip.compress(html, mtime=0)
    headers = [
        ("Date", when.strftime("%a, %d %b %Y %H:%M:%S GMT")),
        ("Server", "Apache"),
        ("Content-Type", "text/html; charset=UTF-8"),
        ("Content-Encoding", "gzip"),
        ("Vary", "Accept-Encoding"),
    ]
    if chunked:
        headers.append(("Transfer-Encoding", "chunked"))
    else:
        headers.append(("Content-Length", str(len(body))))
    return Capture(
        url=url,
        request_headers=list(_REQUEST_HEADERS),
        status=200,
        reason="OK",
        response_headers=headers,
        body=body,
        fetched_at=when,
        ip="127.0.0.1",
        hops="L",
        via=None,
        outlinks=12,
    )


def sample_captures(base: str = "http://127.0.0.1:8080", n_articles: int = 5) -> list[Capture]:
    """A home page, `n_articles` articles, a chunked listing, a redirect, a 404 and a PDF."""
    t0 = datetime(2026, 11, 27, 19, 25, 12, 345678, tzinfo=UTC)
    step = timedelta(milliseconds=250)
    home = f"{base}/"
    caps = [_html_capture(home, article_html(0).replace(b"<h1>", "<h1>Trang chủ ".encode()), t0)]
    for i in range(1, n_articles + 1):
        url = f"{base}/index.php?language=vi&nv=news&op=thoi-su/bai-viet-{i}-{1000 + i}.html"
        cap = _html_capture(url, article_html(i), t0 + i * step)
        cap.hops, cap.via = "LL", home
        caps.append(cap)
    listing = _html_capture(
        f"{base}/index.php?language=vi&nv=news&op=thoi-su/page-2",
        article_html(999),
        t0 + (n_articles + 1) * step,
        chunked=True,
    )
    caps.append(listing)
    caps.append(
        Capture(
            url=f"{base}/index.php?nv=news",
            request_headers=list(_REQUEST_HEADERS),
            status=301,
            reason="Moved Permanently",
            response_headers=[("Location", home), ("Content-Length", "0")],
            body=b"",
            fetched_at=t0 + (n_articles + 2) * step,
            hops="L",
            via=home,
        )
    )
    caps.append(
        Capture(
            url=f"{base}/index.php?nv=news&op=khong-ton-tai",
            request_headers=list(_REQUEST_HEADERS),
            status=404,
            reason="Not Found",
            response_headers=[("Content-Type", "text/html; charset=UTF-8")],
            body=b"<html><head><title>404</title></head><body>Not found</body></html>",
            fetched_at=t0 + (n_articles + 3) * step,
            hops="L",
            via=home,
        )
    )
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    caps.append(
        Capture(
            url=f"{base}/uploads/laws/quyet-dinh-15-2026.pdf",
            request_headers=list(_REQUEST_HEADERS),
            status=200,
            reason="OK",
            response_headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", str(len(pdf))),
                # raw UTF-8 bytes, as NukeViet sends them
                (b"Content-Disposition", 'attachment; filename="Quyết định 15.pdf"'.encode()),
            ],
            body=pdf,
            fetched_at=t0 + (n_articles + 4) * step,
            hops="LLE",
            via=home,
            extra={"fetchTimeMs": 12},
        )
    )
    return caps
