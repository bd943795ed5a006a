"""`detect(complete=False)`, what `parse_page` uses, names the same platform as the complete
scoring that `portal-archive detect` prints, on every saved page and on page soups."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.parsers.detect import detect
from scraper.parsers.text import decode_html
from scraper.profiles.spec import builtins

TESTS = Path(__file__).parent
SAVED = sorted(p for p in [*TESTS.glob("pages/*/*/page.html"),
                           *TESTS.glob("heldout/*/*/page.html")])


@pytest.mark.parametrize("path", SAVED, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_pruned_detection_picks_the_same_platform(path):
    text, _ = decode_html(path.read_bytes())
    for url in ("https://x.example.gov.vn/", "https://x.example.gov.vn/web/guest/a/-/b",
                "https://x.example.gov.vn/Pages/a.aspx?ItemID=1"):
        assert detect(text, url, complete=False).platform == detect(text, url).platform


# Fingerprint strings of every profile, mixed: scores that tie and near-tie.
_PIECES = sorted({fp.pattern for p in builtins() for fp in p.fingerprints
                  if fp.kind in ("html", "id") and fp.regex is None})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8))
def test_pruned_detection_on_fingerprint_soups(pieces):
    text = "<html><body>" + " ".join(f'<div id="{p}">{p}</div>' for p in pieces) + "</body>"
    # (URLs that hit URL fingerprints: the pruned scoring scores those profiles first.)
    for url in _URLS:
        assert detect(text, url, complete=False).platform == detect(text, url).platform


_URLS = ("https://x.example.gov.vn/", "https://x.example.gov.vn/web/guest/a/-/asset_publisher/b",
         "https://x.example.gov.vn/Pages/a.aspx", "https://x.example.gov.vn/tin/tabid/5/x.aspx",
         "https://x.example.gov.vn/?p=12", "https://x.example.gov.vn/news/a-1.html",
         "https://x.example.gov.vn/index.php?option=com_content&id=3",
         "https://x.example.gov.vn/?page=search&keyword=a")


def _generators_by_three_scans(text: str) -> list[str]:
    """The earlier `generators`: one scan of the head per spelling of the word."""
    from scraper.parsers.detect import _GENERATOR

    head, found = text[:20000], []
    for word in ("generator", "GENERATOR", "Generator"):
        start = head.find(word)
        while start != -1:
            lt, gt = head.rfind("<", 0, start), head.find(">", start)
            if lt != -1 and gt != -1:
                m = _GENERATOR.match(head[lt:gt + 1])
                if m:
                    found.append(m.group(1) or m.group(2))
            start = head.find(word, start + 1)
    return found


_META_PIECES = ['<meta name="generator" content="WordPress 6.4">', "<META NAME=GENERATOR "
                "CONTENT='DotNetNuke'>", '<meta content="Joomla! 4" name="Generator" />',
                "generator", "gENERATOR", "GEnerator", "<", ">", "x" * 40,
                "<meta name=generator content=", '"NukeViet v4"', "Generatorgenerator"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_META_PIECES), max_size=30), st.integers(19900, 20010),
       st.booleans())
def test_generators_in_two_scans_finds_what_three_found(pieces, pad, padded):
    from scraper.parsers.detect import generators

    text = ("y" * pad if padded else "") + "".join(pieces)
    assert sorted(generators(text)) == sorted(_generators_by_three_scans(text))


@pytest.mark.parametrize("path", SAVED, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_generators_on_saved_pages(path):
    from scraper.parsers.detect import generators

    text, _ = decode_html(path.read_bytes())
    assert sorted(generators(text)) == sorted(_generators_by_three_scans(text))


_REGEX_FINGERPRINTS = [fp for p in builtins() for fp in p.fingerprints
                       if fp.kind == "html" and fp.regex is not None]


@pytest.mark.parametrize("path", SAVED, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_regex_fingerprints_scanned_from_their_literal_answer_as_a_whole_page_scan(path):
    from scraper.parsers.detect import _matches

    text, _ = decode_html(path.read_bytes())
    assert _REGEX_FINGERPRINTS
    for fp in _REGEX_FINGERPRINTS:
        assert _matches(fp, text, "/", [], {}) == (fp.regex.search(text) is not None), fp
