"""Completeness at the size the archivists care about: 2,000 articles and 300 documents.

Every canonical URL the replica says it serves is captured, and no trap URL, on several seeds
and every theme. These are the suite's longest tests (a few minutes each on 2 cores).
"""

from __future__ import annotations

import pytest
from e2e import (
    canonical_urls,
    captured_uris,
    crawl,
    replica_args,
    replica_process,
    snapshot_ids,
    warc_paths,
)

pytestmark = pytest.mark.slow

TRAP_MARKS = ("/print/", "/savefile/", "/sendmail/", "nocache=", "/en/", "nv=comment",
              "language=", "scaptcha=", "nv_redirect=", "checkss=", "pdf=1")


@pytest.mark.parametrize("seed, theme", [(1, "custom2015"), (2, "default40"), (3, "egov45")])
def test_full_portal_is_captured_without_traps(tmp_path, seed, theme):
    args = replica_args(articles=2000, seed=seed, theme=theme, extra=("--documents", "300"))
    archive = tmp_path / "archive"
    with replica_process(*args) as base:
        crawl(base, archive)
        expected = canonical_urls(base, *args)
    (sid,) = snapshot_ids(archive)
    uris = captured_uris(warc_paths(archive, sid))
    captured = set(uris)
    assert len(uris) == len(captured)  # nothing captured twice
    assert len(expected) > 5000
    missing = sorted(expected - captured)
    assert not missing, f"{len(missing)} of {len(expected)} missing, e.g. {missing[:5]}"
    assert not [u for u in captured if any(mark in u for mark in TRAP_MARKS)]
