"""`portal-archive parse FILE --url URL`: print what the parsers extract from one saved page."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "parse"
ARCHIVE_USE = None  # --archive is not used (portal_archive.errors)
HELP = "parse one saved HTML page and print the extracted records as JSON"

MAX_BYTES = 50 * 1024 * 1024  # a portal page is < 1 MB; anything huge is not a page


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="saved page (HTML bytes as received, gzip/deflate/br "
                                     "compressed or not); '-' reads stdin")
    parser.add_argument("--url", help="URL the page was fetched from (resolves links, article "
                                      "ids); default: a file:// URL")
    parser.add_argument("--content-type", metavar="HEADER",
                        help="Content-Type header of the response, e.g. "
                             "'text/html; charset=windows-1258' (charset detection)")
    parser.add_argument("--content-encoding", metavar="HEADER",
                        help="Content-Encoding header of the response, e.g. 'gzip' (default: "
                             "gzip and deflate are recognised by their bytes, br is tried on "
                             "binary data)")
    parser.add_argument("--compact", action="store_true", help="one line of JSON")


def _read(path_text: str) -> tuple[bytes, str]:
    from portal_archive.cli import CommandError

    if path_text == "-":
        return sys.stdin.buffer.read(MAX_BYTES + 1), "stdin"
    path = Path(path_text)
    try:
        if path.is_dir():
            raise CommandError(f"{path} is a directory, not a saved page")
        with path.open("rb") as handle:
            body = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except PermissionError:
        raise CommandError(f"{path}: permission denied") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return body, path.resolve().as_uri()


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from scraper.content_encoding import EncodingError, undo
    from scraper.parsers import parse_page
    from scraper.parsers.page import looks_binary

    body, default_url = _read(args.file)
    name = args.file if args.file != "-" else "stdin"
    if not body.strip():
        raise CommandError(f"{name} is empty")
    if len(body) > MAX_BYTES:
        raise CommandError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB: not a page")
    try:  # as received: undo the Content-Encoding first, as the crawl does
        body, _ = undo(body, args.content_encoding, MAX_BYTES, is_binary=looks_binary)
    except EncodingError as exc:
        raise CommandError(f"{name}: {exc}") from None
    if looks_binary(body):
        raise CommandError(f"{name} is binary data, not an HTML page")
    if b"<" not in body[:65536]:
        raise CommandError(f"{name} does not look like HTML (no tags)")
    result = parse_page(body, args.url or default_url, args.content_type)
    text = json.dumps(result, ensure_ascii=False, indent=None if args.compact else 2)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()
    return 0
