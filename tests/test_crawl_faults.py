"""The crawl survives a misbehaving portal: retries, Retry-After, resets, truncation, loops."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from e2e import canonical_urls, crawl, read_records, replica_args, replica_process, snapshot_ids
from e2e import warc_paths as warcs_of

pytestmark = pytest.mark.slow


def _captures(archive, sid):
    out = []
    for path in warcs_of(archive, sid):
        for rec in read_records(path):
            if rec["type"] in ("response", "revisit"):
                out.append((rec["headers"]["WARC-Target-URI"],
                            int(rec["http"].get_statuscode()),
                            datetime.fromisoformat(rec["headers"]["WARC-Date"].rstrip("Z"))))
    return out


def test_faulty_portal_is_still_captured_completely(tmp_path):
    archive = tmp_path / "archive"
    args = replica_args(articles=25, seed=5, theme="default40", extra=(
        "--unavailable-rate", "0.08", "--error-rate", "0.05", "--reset-rate", "0.03",
        "--truncate-rate", "0.03", "--wrong-charset-rate", "0.05", "--redirect-loop"))
    with replica_process(*args) as base:
        out = crawl(base, archive, "--set", "RETRY_TIMES=6")
        expected = canonical_urls(base, *args)
    assert "closed" in out.stdout
    (sid,) = snapshot_ids(archive)
    captures = _captures(archive, sid)
    ok = {url for url, status, _ in captures if status < 500}
    missing = expected - ok
    assert not missing, sorted(missing)[:10]

    # Every failed attempt is archived too, and a 503's Retry-After (1 s) was waited out.
    unavailable = [(u, t) for u, s, t in captures if s == 503]
    assert unavailable and any(s == 500 for _, s, _ in captures)
    for url, when in unavailable:
        later = [t for u, s, t in captures if u == url and t > when]
        assert later, f"{url} was not retried after its 503"
        assert (min(later) - when).total_seconds() >= 0.9, url

    # The redirect loop is archived once per hop and then dropped by the dupefilter.
    loop = [u for u, s, _ in captures if "/vi/loop" in u]
    assert sorted(loop) == sorted(set(loop)) and 1 <= len(loop) <= 2
    manifest = json.loads((archive / "snapshots" / sid / "manifest.json").read_text())
    assert manifest["status"] == "closed"


def test_oversize_response_is_abandoned_without_losing_the_crawl(tmp_path):
    archive = tmp_path / "archive"
    args = replica_args(articles=5, seed=3, extra=("--oversize",))
    with replica_process(*args) as base:
        out = crawl(base, archive, "--set", "DOWNLOAD_MAXSIZE=2000000")
    assert "closed" in out.stdout
    (sid,) = snapshot_ids(archive)
    urls = {u for u, _, _ in _captures(archive, sid)}
    assert not any("/vi/oversize/" in u for u in urls)  # cancelled, never half-archived
    assert any(u.endswith("/vi/news/") for u in urls)
    log = (archive / "snapshots" / sid / "logs" / "crawl.log").read_text()
    assert "oversize" in log
