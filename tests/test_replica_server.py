"""The replica over HTTP: keep-alive, gzip, sessions and view counters, every fault flag,
the child-process runner and the `portal-archive replica` command."""

from __future__ import annotations

import gzip
import http.client
import json
import re
from urllib.parse import urlsplit

import pytest

import replica.server
from portal_archive.cli import main
from replica import FaultConfig, ReplicaConfig, Site, run_replica, run_replica_process
from replica.testing import fetch

SEED_URL = "/vi/news/xay-dung-dang/tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so-1.html"


def conn(base: str) -> http.client.HTTPConnection:
    u = urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=10)


def views(body: bytes) -> int:
    return int(re.search(rb'class="hitstotal"><em class="fa fa-eye">&nbsp;</em>(\d+)', body)[1])


@pytest.fixture(scope="module")
def base():
    with run_replica(ReplicaConfig(articles=60)) as url:
        yield url


def test_keep_alive_serves_many_requests_on_one_connection(base):
    c = conn(base)
    seen = set()
    for target in ("/", "/vi/news/", "/robots.txt", "/vi/laws/", SEED_URL):
        c.request("GET", target)
        r = c.getresponse()
        body = r.read()
        assert r.status == 200 and int(r.getheader("Content-Length")) == len(body)
        seen.add(id(c.sock))
    assert len(seen) == 1
    c.close()


def test_gzip_when_asked(base):
    status, headers, body = fetch(base, "/vi/news/", headers={"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip"
    plain = fetch(base, "/vi/news/")[2]
    assert gzip.decompress(body) == plain and len(body) < len(plain)
    assert "content-encoding" not in fetch(base, "/uploads/news/2015_03/4-3-15.jpg",
                                           headers={"Accept-Encoding": "gzip"})[1]


def test_view_counter_rises_only_without_a_known_cookie():
    with run_replica(ReplicaConfig(articles=30, nfd_rate=0.0)) as url:
        s1, h1, b1 = fetch(url, SEED_URL)
        assert views(b1) == 349  # the seed page's count, shown before this visit is added
        cookie = h1["set-cookie"].split(";")[0]
        assert cookie.startswith("nv4_sess=")
        s2, h2, b2 = fetch(url, SEED_URL)
        assert views(b2) == 350 and "set-cookie" in h2
        s3, h3, b3 = fetch(url, SEED_URL, headers={"Cookie": cookie})
        s4, h4, b4 = fetch(url, SEED_URL, headers={"Cookie": cookie})
        assert views(b3) == views(b4) == 351 and "set-cookie" not in h4
        _, h5, b5 = fetch(url, SEED_URL, headers={"Cookie": "nv4_sess=forged"})
        assert "set-cookie" in h5
        listing = fetch(url, "/vi/news/xay-dung-dang/", headers={"Cookie": cookie})[2].decode()
        assert "Đã xem: 352" in listing


def test_same_seed_same_bytes_over_http():
    cfg = ReplicaConfig(articles=40, seed=9)
    bodies = []
    for _ in range(2):
        with run_replica(cfg) as url:
            # same Host header: absolute links (canonical, og:url) are built from it
            bodies.append([fetch(url, t, headers={"Host": "laichau.test"})[2]
                           for t in ("/", "/vi/news/page-2/", SEED_URL)])
    assert bodies[0] == bodies[1]
    assert b"http://laichau.test/" in bodies[0][0]


def faulty(**kw) -> ReplicaConfig:
    return ReplicaConfig(articles=20, faults=FaultConfig(**kw))


def test_error_rate_gives_500():
    with run_replica(faulty(error_rate=1.0)) as url:
        assert fetch(url, "/")[0] == 500


def test_unavailable_rate_gives_503_with_retry_after():
    with run_replica(faulty(unavailable_rate=1.0, retry_after=7)) as url:
        status, headers, _ = fetch(url, "/vi/news/")
        assert status == 503 and headers["retry-after"] == "7"


def test_reset_rate_resets_the_connection():
    with run_replica(faulty(reset_rate=1.0)) as url, pytest.raises(
            (ConnectionResetError, http.client.RemoteDisconnected)):
        fetch(url, "/")


def test_truncate_rate_sends_less_than_content_length():
    with run_replica(faulty(truncate_rate=1.0)) as url:
        c = conn(url)
        c.request("GET", "/vi/news/")
        r = c.getresponse()
        with pytest.raises(http.client.IncompleteRead) as exc:
            r.read()
        assert len(exc.value.partial) < int(r.getheader("Content-Length"))
        c.close()


def test_slow_drip_sends_small_chunks_with_pauses(monkeypatch):
    pauses = []
    monkeypatch.setattr(replica.server.time, "sleep", pauses.append)
    with run_replica(faulty(slow_drip_rate=1.0, drip_chunk=1000, drip_pause_s=0.001)) as url:
        status, _, body = fetch(url, "/vi/news/")
    assert status == 200 and body.endswith(b"</html>\n")
    assert len(pauses) == -(-len(body) // 1000) and set(pauses) == {0.001}


def test_latency_is_applied_to_every_response(monkeypatch):
    pauses = []
    monkeypatch.setattr(replica.server.time, "sleep", pauses.append)
    with run_replica(faulty(latency_ms=250)) as url:
        for target in ("/", "/robots.txt", "/vi/laws/"):
            assert fetch(url, target)[0] == 200
    assert pauses == [0.25, 0.25, 0.25]


def test_wrong_charset_header_with_utf8_body():
    with run_replica(faulty(wrong_charset_rate=1.0)) as url:
        _, headers, body = fetch(url, "/vi/news/")
    assert headers["content-type"] == "text/html; charset=iso-8859-1"
    assert "Tin Tức" in body.decode("utf-8")


def test_redirect_loop_only_when_enabled():
    with run_replica(faulty(redirect_loop=True)) as url:
        assert b'href="/vi/loop/"' in fetch(url, "/")[2]  # linked, so a crawl meets it
        s1, h1, _ = fetch(url, "/vi/loop/")
        s2, h2, _ = fetch(url, h1["location"])
        assert (s1, s2) == (302, 302) and h2["location"] == "/vi/loop/"
    with run_replica(faulty()) as url:
        assert fetch(url, "/vi/loop/")[0] == 404
        assert b"/vi/loop/" not in fetch(url, "/")[2]


def test_oversize_body():
    with run_replica(faulty(oversize=True)) as url:
        c = conn(url)
        c.request("HEAD", "/vi/oversize/")
        r = c.getresponse()
        r.read()
        assert int(r.getheader("Content-Length")) == 50 * 1024 * 1024
        c.close()
    with run_replica(faulty(oversize=True, oversize_bytes=3_000_000)) as url:
        status, _, body = fetch(url, "/vi/oversize/")
        assert status == 200 and len(body) == 3_000_000


def test_faults_are_deterministic_and_retries_can_succeed():
    targets = [f"/vi/news/page-{n}/" for n in range(1, 30)]

    def statuses() -> list[list[int]]:
        with run_replica(faulty(error_rate=0.5)) as url:
            return [[fetch(url, t)[0] for _ in range(4)] for t in targets]

    first, second = statuses(), statuses()
    assert first == second
    flat = [s for row in first for s in row]
    assert 500 in flat and 200 in flat
    assert any(row[0] == 500 and 200 in row[1:] for row in first)


def test_run_replica_process_serves_a_large_site():
    with run_replica_process(ReplicaConfig(articles=50000)) as url:
        status, _, body = fetch(url, "/vi/news/page-2500/")
        assert status == 200 and b'rel="prev"' in body


def test_cli_list_urls(capsys):
    assert main(["replica", "--articles", "20", "--port", "9999", "--list-urls"]) == 0
    lines = capsys.readouterr().out.split()
    assert lines == Site(ReplicaConfig(articles=20)).canonical_urls("http://127.0.0.1:9999")


def test_cli_changes(capsys):
    assert main(["replica", "--articles", "50", "--changes", "0", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == Site(ReplicaConfig(articles=50)).changes(0, 2, "http://127.0.0.1:8080")
    assert set(data) == {"added", "removed", "changed"}


def test_cli_rejects_bad_input(capsys):
    assert main(["replica", "--articles", "0", "--list-urls"]) == 2
    assert "articles must be >= 1" in capsys.readouterr().err
    assert main(["replica", "--changes", "3", "1"]) == 2
