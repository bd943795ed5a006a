"""Which captures are pages to parse: shared by the crawl's spider, the dataset writer and
`extract`, and light to import (no pyarrow), so the crawler process does not load the table
libraries its dataset worker uses."""

from __future__ import annotations

HTML_TYPES = ("text/html", "application/xhtml+xml")


def wants_parse(capture_info: dict) -> bool:
    """Whether a capture's body goes through `parse_page`: a 2xx HTML response or revisit.

    Shared by the crawl and `extract` so both parse exactly the same captures.
    """
    ctype = (capture_info.get("content_type") or "").split(";", 1)[0].strip().lower()
    status = capture_info.get("status")
    try:
        ok = 200 <= int(status) < 300
    except (TypeError, ValueError):
        ok = False
    return ok and ctype in HTML_TYPES


def wants_text(capture_info: dict) -> bool:
    """Whether a capture is an attachment whose text goes to `attachment_texts`: a 2xx response
    or revisit that says it is a PDF, Word, Excel, ODT, RTF or text file (by media type, else by
    the URL's extension; `pipelines.attachment_text.declared_type`). Shared by the crawl and
    `extract`, like `wants_parse`."""
    from pipelines.attachment_text import declared_type

    status = capture_info.get("status")
    try:
        ok = 200 <= int(status) < 300
    except (TypeError, ValueError):
        return False
    return (ok and not wants_parse(capture_info)
            and declared_type(capture_info.get("url") or "",
                              capture_info.get("content_type")) is not None)
