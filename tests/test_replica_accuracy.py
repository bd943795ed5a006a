"""Per-platform accuracy floor on the replica (issue 14): every article and document page of
a small replica of each platform parses to what the replica's model published, >= 95% of the
fields right (bench/bench_replica_accuracy.py scores, lists every miss and times it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_replica_accuracy as bench  # noqa: E402

ARTICLES = 12


@pytest.mark.parametrize("platform", bench.PLATFORMS)
def test_field_accuracy_floor(platform):
    right, total, _, per_total, misses = bench.accuracy(platform, ARTICLES)
    assert total > ARTICLES * 6
    assert {"page_type", "title", "published_at", "authors", "body_present", "body_clean",
            "doc_number", "doc_signer"} <= set(per_total)
    assert right / total >= bench.TARGET, f"{right}/{total}\n" + "\n".join(misses)


def test_the_scorer_counts_a_wrong_field(monkeypatch):
    """The scorer can fail: a parse that shifts the publication by a minute and drops the
    captions scores those fields as misses."""
    real = bench.parse_page

    def off_by_one(body, url, ctype):
        result = real(body, url, ctype)
        art = result.get("article")
        if art and art.get("published_at"):
            art["published_at"] = art["published_at"].replace(":", ";", 1)
            art["images"] = []
        return result

    monkeypatch.setattr(bench, "parse_page", off_by_one)
    _, _, per_right, per_total, misses = bench.accuracy("wordpress", 4)
    assert per_right["published_at"] == 0 and per_total["published_at"] > 0
    assert any(" captions: " in m for m in misses)
