"""Undo an HTTP Content-Encoding (gzip, deflate, br) of a body saved as received.

The crawl's HttpCompressionMiddleware inflates bodies before the parsers see them; `parse FILE`
takes a page saved exactly as the server sent it, so it needs the same step. The encodings come
from a `Content-Encoding` header when there is one, else from the body itself: gzip and zlib
streams start with a magic number; brotli has none, so it is tried only on a body that is not
text. Decoders are the ones Scrapy uses (zlib, and `brotli`, a Scrapy dependency).
"""

from __future__ import annotations

import zlib

ENCODINGS = ("gzip", "x-gzip", "deflate", "br")
_MAX_LAYERS = 3  # `Content-Encoding: gzip, gzip` exists; more is a bomb or garbage


class EncodingError(ValueError):
    """A body that does not decode as its declared encoding, or inflates past the limit."""


def _zlib(body: bytes, wbits: int, max_size: int) -> bytes | None:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, max_size + 1)
    except zlib.error:
        return None
    if len(out) > max_size:
        raise EncodingError(f"inflates to more than {max_size} bytes")
    return out if inflater.eof else None


def _brotli(body: bytes, max_size: int) -> bytes | None:
    import brotli

    try:
        out = brotli.decompress(body)
    except brotli.error:
        return None
    if len(out) > max_size:
        raise EncodingError(f"inflates to more than {max_size} bytes")
    return out


def decode(body: bytes, encoding: str, max_size: int) -> bytes | None:
    """`body` with one encoding undone, None if it is not in that encoding."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return _zlib(body, 16 + zlib.MAX_WBITS, max_size)
    if encoding == "deflate":  # zlib-wrapped as the RFC says, or raw as some servers send it
        out = _zlib(body, zlib.MAX_WBITS, max_size)
        return out if out is not None else _zlib(body, -zlib.MAX_WBITS, max_size)
    if encoding == "br":
        return _brotli(body, max_size)
    raise EncodingError(f"unsupported Content-Encoding {encoding!r} "
                        f"(supported: gzip, deflate, br)")


def sniff(body: bytes) -> str | None:
    """The encoding a body's first bytes announce: gzip or zlib magic, else None."""
    if body[:2] == b"\x1f\x8b":
        return "gzip"
    if len(body) >= 2 and body[0] & 0x0F == 8 and ((body[0] << 8) | body[1]) % 31 == 0:
        return "deflate"
    return None


def undo(body: bytes, header: str | None, max_size: int,
         is_binary=lambda b: False) -> tuple[bytes, list[str]]:
    """(decoded body, encodings undone). With `header` (a Content-Encoding value), its
    encodings are undone last-applied first and a body that does not decode is an
    EncodingError; without it, what the body's own bytes announce is undone."""
    if header:
        done = []
        for encoding in reversed([e for e in header.split(",") if e.strip()]):
            if encoding.strip().lower() == "identity":
                continue
            out = decode(body, encoding, max_size)
            if out is None:
                raise EncodingError(f"body is not {encoding.strip()}-encoded")
            body = out
            done.append(encoding.strip().lower())
        return body, done
    done = []
    for _ in range(_MAX_LAYERS):
        guess = sniff(body)
        out = decode(body, guess, max_size) if guess else None
        if out is None and is_binary(body):
            guess, out = "br", _brotli(body, max_size)
        if out is None:
            break
        body = out
        done.append(guess)
    return body, done
