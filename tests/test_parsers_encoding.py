"""A page served in NFD or in windows-1258 gives exactly the records of its UTF-8 NFC twin.

The twins are built from every fixture: NFD-decompose the HTML, or re-encode it the way
Vietnamese windows-1258 does (base letter + combining tone mark), with the charset declared
in the header, only in `<meta>`, or wrongly declared as UTF-8.
"""

from __future__ import annotations

import unicodedata

import pytest
from test_parsers_fixtures import FIXTURES

from scraper.parsers import decode_html, normalize_text, parse_page

# Tone marks that windows-1258 keeps as separate combining characters.
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        tones = "".join(c for c in decomposed if c in _TONES)
        out += (base + tones).encode("cp1258", errors="xmlcharrefreplace")
    return bytes(out)


def _declare(html: str, charset: str) -> str:
    return html.replace("charset=utf-8", f"charset={charset}", 1)


IDS = [f.name for f in FIXTURES]


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_nfd_twin_gives_the_same_records(fixture):
    nfd = unicodedata.normalize("NFD", fixture.body.decode("utf-8")).encode("utf-8")
    assert nfd != fixture.body
    assert parse_page(nfd, fixture.url, fixture.content_type) == fixture.expected


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=windows-1258", "text/html", "text/html; charset=UTF-8", None],
    ids=["header", "meta-only", "wrong-header", "no-header"],
)
def test_windows_1258_twin_gives_the_same_records(fixture, content_type):
    html = _declare(fixture.body.decode("utf-8"), "windows-1258")
    body = to_cp1258(html)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert parse_page(body, fixture.url, content_type) == fixture.expected


def test_cp1258_helper_really_uses_combining_tones():
    encoded = to_cp1258("Thứ tư")
    assert encoded.decode("cp1258") != "Thứ tư"
    assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == "Thứ tư"


def test_utf8_bom_is_dropped():
    text, codec = decode_html(b"\xef\xbb\xbf" + "<p>Lai Châu</p>".encode())
    assert text == "<p>Lai Châu</p>" and codec == "utf-8"


def test_utf16_with_bom():
    text, _ = decode_html("<p>Lai Châu</p>".encode("utf-16"))  # encode() adds the BOM
    assert text == "<p>Lai Châu</p>"


def test_normalize_text_collapses_and_decodes():
    assert normalize_text("  Lai\u00a0Châu\n\t &amp; Điện\u200b Biên ") == "Lai Châu & Điện Biên"
    assert normalize_text(unicodedata.normalize("NFD", "Thủy")) == "Thủy"
    assert normalize_text(None) == ""
