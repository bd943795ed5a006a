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


@pytest.mark.parametrize("where", ["worker", "crawler"])
def test_a_full_disk_stops_the_crawl_and_resume_completes_it(tmp_path, where):
    # RLIMIT_FSIZE makes every write past 400 kB fail with EFBIG, as a full disk would (the
    # crawler and its worker inherit it): the first capture that cannot be archived stops
    # the crawl with its snapshot open; records written before it read back; resume ends it.
    import resource
    import subprocess

    from e2e import CLI, cli

    archive = tmp_path / "archive"
    args = replica_args(articles=30, seed=9)
    limit = 400_000

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    extra = ["--set", "PORTAL_WARC_IN_WORKER=false"] if where == "crawler" else []
    with replica_process(*args) as base:
        proc = subprocess.run([*CLI, "crawl", base, "--archive", str(archive), "--delay", "0",
                               "--concurrency", "4", "--no-progress", *extra],
                              capture_output=True, text=True, preexec_fn=small_disk, timeout=300)
        assert proc.returncode == 3, proc.stderr[-2000:]
        assert "warc_write_failed" in proc.stderr and "--resume" in proc.stderr
        assert "could not archive a capture" in proc.stderr and "File too large" in proc.stderr
        (sid,) = snapshot_ids(archive)
        snap = archive / "snapshots" / sid
        assert json.loads((snap / "manifest.json").read_text())["status"] == "open"
        before = [rec for path in sorted((snap / "warcs").iterdir())
                  for rec in read_records(path)]  # every file reads to its end
        assert sum(r["type"] == "response" for r in before) > 10
        log = (snap / "logs" / "crawl.log").read_text()
        assert "could not be archived" in log and "File too large" in log

        resumed = cli("crawl", "--resume", sid, "--archive", str(archive), "--delay", "0",
                      "--concurrency", "4", "--no-progress")
        assert "closed" in resumed.stdout
        expected = canonical_urls(base, *args)
    urls = [u for u, _, _ in _captures(archive, sid)]
    assert len(urls) == len(set(urls))
    assert not expected - {u for u in urls}
