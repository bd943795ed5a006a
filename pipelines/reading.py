"""Which reader a capture's body goes to: the page parsers (HTML pages) or the attachment
reader (PDF, Word, …). The crawl's dataset worker and `extract` both call `read_capture`, so
both read the same captures the same way and write the same rows."""

from __future__ import annotations

from collections.abc import Callable

from pipelines.attachment_text import AttachmentError, TextOptions, read_attachment
from pipelines.selection import wants_parse, wants_text

ParseFn = Callable[[bytes, str, str | None], dict]


def read_capture(info: dict, body: bytes, parse: ParseFn | None = None,
                 text: TextOptions | None = None) -> dict | None:
    """The parse dict of a page (`parse`, default `scraper.parsers.parse_page`), `{"attachment":
    record}` for an attachment (see `attachment_record`), None for anything else."""
    if wants_parse(info):
        if parse is None:
            from scraper.parsers import parse_page

            parse = parse_page
        return parse(body, info["url"], info.get("content_type"))
    if wants_text(info):
        return {"attachment": attachment_record(body, info["url"], info.get("content_type"),
                                                text)}
    return None


def wants_body(info: dict) -> bool:
    """Whether `read_capture` has anything to do with this capture's body."""
    return wants_parse(info) or wants_text(info)


def attachment_record(body: bytes, url: str, content_type: str | None,
                      options: TextOptions | None = None) -> dict:
    """`read_attachment`'s record, or `{"error": reason, "file_type", "bytes"}` for a file
    that cannot be read (it becomes a `rejects` row; the run goes on)."""
    try:
        return read_attachment(body, url, content_type, options)
    except AttachmentError as exc:
        return {"error": exc.reason, "file_type": exc.file_type, "bytes": len(body)}
