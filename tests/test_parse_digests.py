"""Speed work on the parsers must not change their output: every fixture page and every
page of a small replica of each platform parses to the digest stored in
tests/data/parse_digests.json (see tests/parse_digests.py, which rewrites it)."""

from __future__ import annotations

import json

from parse_digests import STORED, digests


def test_every_page_parses_as_before():
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    now = digests()
    assert len(now) > 400  # fixtures and replica pages of every platform
    changed = sorted(k for k in set(now) | set(stored) if now.get(k) != stored.get(k))
    assert changed == []
