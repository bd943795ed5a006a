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
    assert detect(text, "https://x.example.gov.vn/", complete=False).platform == detect(
        text, "https://x.example.gov.vn/").platform
