"""A run that archived nothing is a failure, not "OK"; one that lost most pages is degraded.

Against an address where nothing listens, or a portal answering 503 to everything, `crawl`
and `nightly` mark the snapshot `failed` (kept with its log and WARCs as evidence, never a
dedup source or diff base), say why in one line and exit non-zero; the next good night diffs
against the last good snapshot. See scraper.health.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from e2e import CLI, cli, free_port, read_records, replica_args, replica_process, wait_for_port

from archive.cdxj import build_cdxj
from archive.dedup import DedupIndex
from archive.snapshot import dedup_path, latest_closed
from scraper.health import assess, failure_kind


def crawl(base: str, archive: Path, *extra: str) -> subprocess.CompletedProcess:
    return cli("crawl", base, "--archive", str(archive), "--delay", "0", "--concurrency", "8",
               "--no-progress", *extra, check=False)


def manifest(archive: Path, snapshot_id: str) -> dict:
    return json.loads((archive / "snapshots" / snapshot_id / "manifest.json").read_text())


def only_snapshot(archive: Path) -> str:
    (path,) = (archive / "snapshots").iterdir()
    return path.name


def dead_address() -> str:
    """A loopback port that was free a moment ago: nothing listens there."""
    return f"http://127.0.0.1:{free_port()}/"


@pytest.mark.slow
def test_crawl_of_an_address_where_nothing_listens_fails(tmp_path):
    archive = tmp_path / "archive"
    base = dead_address()
    proc = crawl(base, archive)
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout == ""  # no "closed", no "OK"
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"{urlsplit(base).netloc}: unreachable: connection refused; ")
    sid = only_snapshot(archive)
    m = manifest(archive, sid)
    assert m["status"] == "failed" and m["health"]["status"] == "failed"
    assert m["health"]["answered"] == 0 and m["health"]["errors"] == {
        "connection refused": m["health"]["failed"]}
    # Kept as evidence: its log says what happened, and every kept file is in the manifest.
    log = archive / "snapshots" / sid / "logs" / "crawl.log"
    assert "fetch failed" in log.read_text(encoding="utf-8")
    assert "logs/crawl.log" in {f["path"] for f in m["files"]}
    assert latest_closed(archive) is None

    listing = cli("snapshots", "--archive", str(archive)).stdout.splitlines()
    assert listing[1].split()[:2] == [sid, "failed"]
    assert listing[-1] == f"{sid} failed: {m['health']['reason']}"
    verify = cli("verify", "--archive", str(archive))
    assert "snapshot failed (" in verify.stdout + verify.stderr


@pytest.mark.slow
def test_crawl_of_a_portal_answering_503_to_everything_fails(tmp_path):
    archive = tmp_path / "archive"
    with replica_process(*replica_args(articles=10), "--unavailable-rate", "1") as base:
        # No retries (each would wait for the replica's Retry-After: 1) keeps the test short.
        proc = crawl(base, archive, "--set", "RETRY_TIMES=0")
    assert proc.returncode == 4, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"{urlsplit(base).netloc}: unreachable: every request answered 503")
    sid = only_snapshot(archive)
    assert manifest(archive, sid)["status"] == "failed"
    # The 503 answers are archived as evidence of the outage…
    statuses = Counter(r["http"].get_statuscode() for p in
                       sorted((archive / "snapshots" / sid / "warcs").glob("*.warc.gz"))
                       for r in read_records(p) if r["type"] == "response")
    assert set(statuses) == {"503"} and statuses["503"] >= 2
    # …but none of them is a dedup source.
    with DedupIndex(dedup_path(archive)) as idx:
        assert idx.count(sid) == 0 and idx.count(sid, pending=True) == 0
        assert idx.count() == 0


@pytest.mark.slow
def test_crawl_of_a_portal_where_every_request_times_out_fails(tmp_path):
    archive = tmp_path / "archive"
    with replica_process(*replica_args(articles=10), "--latency-ms", "3000") as base:
        proc = crawl(base, archive, "--set", "DOWNLOAD_TIMEOUT=1", "--set", "RETRY_TIMES=0")
    assert proc.returncode == 4, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"{urlsplit(base).netloc}: unreachable: every request timed out; ")


@pytest.mark.slow
def test_partial_outage_is_degraded_with_the_counts(tmp_path):
    archive = tmp_path / "archive"
    with replica_process(*replica_args(articles=20), "--error-rate", "0.5") as base:
        proc = crawl(base, archive, "--set", "RETRY_TIMES=0",
                     "--set", "PORTAL_DEGRADED_ERROR_RATIO=0.3")
    assert proc.returncode == 5, proc.stderr
    assert " closed: " in proc.stdout  # the snapshot is closed and usable…
    (line,) = proc.stderr.strip().splitlines()  # …and one line says what is missing
    sid = only_snapshot(archive)
    m = manifest(archive, sid)
    health = m["health"]
    assert m["status"] == "closed" and health["status"] == "degraded"
    assert health["answered"] > 0 and health["failed"] == health["errors"]["answered 500"]
    assert health["error_ratio"] > health["threshold"] == 0.3
    assert line == health["reason"]
    assert line.startswith(f"{urlsplit(base).netloc}: degraded: {health['failed']} of "
                           f"{health['urls']} URLs failed")
    assert latest_closed(archive).snapshot_id == sid  # still a dedup source and diff base…
    assert latest_closed(archive, healthy=True).snapshot_id == sid  # …when nothing is better
    listing = cli("snapshots", "--archive", str(archive)).stdout.splitlines()
    assert listing[-1] == f"{sid} degraded: {line}"


def test_degraded_threshold_is_checked(tmp_path):
    proc = crawl(dead_address(), tmp_path / "a", "--set", "PORTAL_DEGRADED_ERROR_RATIO=lots")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "portal-archive crawl: error: PORTAL_DEGRADED_ERROR_RATIO must be a number between "
        "0 and 1, not 'lots'"]
    assert not (tmp_path / "a" / "snapshots").exists()


class Replica:
    """The replica for one night on a fixed port, so every night has the same URLs."""

    def __init__(self, port: int, night: int, *faults: str) -> None:
        self.port = port
        self.args = ["--port", str(port), *replica_args(20, 4, night, "egov45"), *faults]

    def __enter__(self) -> str:
        self.proc = subprocess.Popen([*CLI, "replica", *self.args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc)
        return f"http://127.0.0.1:{self.port}/"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def nightly(base: str, archive: Path, *extra: str) -> subprocess.CompletedProcess:
    return cli("nightly", base, "--archive", str(archive), "--delay", "0", "--concurrency", "8",
               "--recent-interval-days", "0", "--max-age-days", "0", *extra, check=False)


@pytest.mark.slow
def test_nightly_outage_fails_and_the_next_night_diffs_against_the_last_good_one(tmp_path):
    archive = tmp_path / "archive"
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    with Replica(port, night=0):
        first = nightly(base, archive)
    assert first.returncode == 0 and first.stdout.startswith("OK snapshot"), first.stdout
    good = latest_closed(archive).snapshot_id
    assert nightly(dead_address(), archive).returncode == 4  # and nothing listening: also failed

    # The portal is down: it answers 503 to everything (no retries: each would wait 1 s).
    with Replica(port, 1, "--unavailable-rate", "1"):
        outage = nightly(base, archive, "--set", "RETRY_TIMES=0")
    assert outage.returncode == 4, outage.stdout + outage.stderr
    summary = outage.stdout.splitlines()[0]
    failed = summary.split()[2].rstrip(":")
    assert summary == (f"FAILED snapshot {failed}: 127.0.0.1:{port}: unreachable: every "
                       "request answered 503; kept as evidence, never a dedup source or diff base")
    assert manifest(archive, failed)["status"] == "failed"
    assert manifest(archive, failed)["stats"]["by_status"].keys() == {"503"}  # the evidence

    with Replica(port, night=1):
        third = nightly(base, archive)
    assert third.returncode == 0, third.stdout + third.stderr
    assert third.stdout.startswith("OK snapshot") and f"vs {good}:" in third.stdout
    latest = latest_closed(archive).snapshot_id
    assert (archive / "snapshots" / latest / "reports" / f"diff-{good}-{latest}.html").is_file()
    diff = json.loads(cli("diff", "previous", "latest", "--archive", str(archive),
                          "--format", "json").stdout)
    assert (diff["a"], diff["b"]) == (good, latest)
    assert diff["added"]  # night 1 publishes new articles: seen against night 0, not "all new"
    assert len(diff["added"]) < 10
    # The home page as archived is tonight's, not the outage's 503, unless that is asked for.
    shown = cli("show", base, "--archive", str(archive), "--headers")
    assert shown.stdout.startswith("HTTP/1.1 200") and f"snapshot {latest}" in shown.stderr
    outage_page = cli("show", base, "--at", failed, "--archive", str(archive), "--headers")
    assert outage_page.stdout.startswith("HTTP/1.1 503")


# -- the judgement itself, on indexes written by cdxj-indexer --------------------------------
def _index(tmp_path: Path, statuses: dict[str, int]) -> Path:
    """A CDXJ (built by cdxj-indexer from a real WARC) with one response per URL."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc = tmp_path / "t.warc.gz"
    with open(warc, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, status in statuses.items():
            http = StatusAndHeaders(f"{status} X", [("Content-Type", "text/html")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=__import__("io").BytesIO(b"<p>x</p>"),
                http_headers=http))
    index = tmp_path / "index.cdxj"
    build_cdxj([warc], index)
    return index


def test_assess_ok_degraded_and_failed(tmp_path):
    host = "laichau.gov.vn"
    urls = {f"https://{host}/vi/news/{i}.html": 200 for i in range(6)}
    urls |= {f"https://{host}/vi/news/x{i}.html": 503 for i in range(4)}
    urls[f"https://{host}/robots.txt"] = 200  # the crawler's, not the portal's: not counted
    index = _index(tmp_path, urls)
    stats = {"portal/fetch_errors/refused": 2, "portal/fetch_errors/ignored": 7}
    ok = assess(index, stats, host, threshold=0.5)
    assert ok["status"] == "ok" and ok["reason"] == ""
    assert (ok["urls"], ok["answered"], ok["failed"]) == (12, 6, 6)
    assert ok["errors"] == {"answered 503": 4, "connection refused": 2}
    low = assess(index, stats, host, threshold=0.4)
    assert low["status"] == "degraded"
    assert low["reason"] == (f"{host}: degraded: 6 of 12 URLs failed (50%, threshold 40%): "
                             "4 answered 503, 2 connection refused")

    only_robots = _index(tmp_path, {f"https://{host}/robots.txt": 200})
    dns = assess(only_robots, {"portal/fetch_errors/dns": 5}, host)
    assert dns["status"] == "failed"
    assert dns["reason"] == f"{host}: unreachable: DNS lookup failed"
    timeouts = assess(only_robots, {"portal/fetch_errors/timeout": 5}, host)
    assert timeouts["reason"] == f"{host}: unreachable: every request timed out"


def test_failure_kinds_of_real_exceptions():
    from scrapy import exceptions as sx
    from twisted.internet import error

    assert failure_kind(error.DNSLookupError("x")) == "dns"
    assert failure_kind(error.ConnectionRefusedError()) == "refused"
    assert failure_kind(error.TimeoutError()) == "timeout"
    assert failure_kind(sx.IgnoreRequest()) == "ignored"
    for name, kind in (("CannotResolveHostError", "dns"),
                       ("DownloadConnectionRefusedError", "refused"),
                       ("DownloadTimeoutError", "timeout")):
        if hasattr(sx, name):  # Scrapy 2.13+
            assert failure_kind(getattr(sx, name)("x")) == kind
