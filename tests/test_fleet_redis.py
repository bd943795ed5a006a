"""The distributed crawl's Redis parts against a real `redis-server`: JSON requests, the
frontier's atomic push / lease / ack / requeue, per-host slots, the Redis dedup index, and
URLs with a password."""

from __future__ import annotations

import pickle
import time

import pytest
from redis_server import redis_server
from scrapy import Request

from archive.dedup import DedupEntry, DedupIndex
from archive.redis_dedup import RedisDedupIndex
from scraper.fleet import serializer
from scraper.fleet.frontier import CrawlKeys, Frontier, connect, host_keys


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def client(redis_url):
    c = connect(redis_url)
    c.flushdb()
    return c


def test_requests_round_trip_as_json_with_bytes_headers_and_body():
    request = Request("http://h/vi/news/a.html?x=1", method="POST", body=b"\x00\xffa=1",
                      headers={"Referer": "http://h/", "X-Raw": b"\xe1\xba\xa1"}, priority=-3,
                      meta={"depth": 2, "role": "page", "portal_captures": []})
    text = serializer.dumps(request.to_dict())
    assert isinstance(text, str) and "\\u0000" not in text
    back = Request(**{k: v for k, v in serializer.loads(text).items()
                      if k not in ("_class", "callback", "errback")})
    assert back.body == request.body and back.method == "POST" and back.priority == -3
    assert back.headers.getlist("X-Raw") == [b"\xe1\xba\xa1"]
    assert back.meta["depth"] == 2


def test_nothing_read_back_is_unpickled():
    with pytest.raises(ValueError):
        serializer.loads(pickle.dumps({"url": "http://h/"}))


def test_push_is_seen_checked_lease_moves_and_ack_or_requeue(client):
    f = Frontier(client, CrawlKeys("t", "S1"))
    assert f.push("fp1", 0, "a") and f.push("fp2", 5, "b")
    assert not f.push("fp1", 0, "a-again")  # seen: not queued twice
    assert f.push("fp1", 0, "forced", dont_filter=True)
    lease = f.lease("w1", 60_000)
    assert lease[1] == "b"  # highest priority first
    assert f.counts() == {"queued": 2, "leased": 1, "seen": 2, "acked": 0}
    assert f.leases_of("w1") == {lease[0]: "b"}
    assert not f.ack(lease[0], "w2")  # only its owner acks it
    assert f.requeue(lease[0], -5)
    assert f.counts()["leased"] == 0 and f.counts()["queued"] == 3
    again = f.lease("w2", 60_000)
    assert again[1] == "b" and f.ack(again[0], "w2")
    assert f.counts()["acked"] == 1 and f.leases_of("w2") == {}


def test_an_expired_lease_names_its_owner_and_a_heartbeat_renews_it(client):
    f = Frontier(client, CrawlKeys("t", "S2"))
    f.push("fp", 0, "a")
    lease_id, _ = f.lease("w1", 1)  # 1 ms: expired by the time we look
    time.sleep(0.02)  # past the 1 ms deadline, by the server's clock too
    assert f.expired_owners() == {"w1"}
    f.set_state("running")
    assert f.heartbeat("w1", 60_000, [lease_id], []) == "running"
    assert f.expired_owners() == set() and f.alive("w1")
    client.sadd(f.keys.fenced, "w1")
    assert f.heartbeat("w1", 60_000, [lease_id], []) == "fenced"


def test_host_slots_hold_concurrency_and_delay_for_every_worker(client):
    f = Frontier(client, CrawlKeys("t", "S3"))
    got = [f.acquire_slot("h:1", f"w{i}:0", 2, 60_000, 0) for i in range(3)]
    assert got[:2] == [0, 0] and got[2] == -1  # the third worker waits
    f.release_slot("h:1", "w0:0")
    assert f.acquire_slot("h:1", "w2:0", 2, 60_000, 0) == 0
    # Holders that are not renewed expire (a killed worker's slots come free).
    assert f.acquire_slot("h:2", "a", 1, 1, 0) == 0
    time.sleep(0.02)  # past the 1 ms deadline, by the server's clock too
    assert f.acquire_slot("h:2", "b", 1, 60_000, 0) == 0
    # A delay spaces the fleet's requests to a host.
    assert f.acquire_slot("h:3", "a", 5, 60_000, 10_000) == 0
    wait = f.acquire_slot("h:3", "b", 5, 60_000, 10_000)
    assert 9_000 < wait <= 10_000


def test_a_slot_outlives_a_lease_and_only_a_fenced_workers_slots_are_freed(client):
    """Slots are counted, never forgotten, while their requests may be in flight: the
    heartbeat renews them for the slot time (not a lease), a fenced worker can take none,
    and a reclaimed worker's slots are freed by name (FleetPolitenessMiddleware)."""
    f = Frontier(client, CrawlKeys("t", "S5"))
    f.set_state("running")
    zset = host_keys("h:5", "t")[0]  # the host's holders, scored by expiry
    ops = [f.acquire_op("h:5", f"{w}:tok:0", 2, 60_000, 0, w) for w in ("w1", "w1-2", "w3")]
    assert [int(x) for x in f.run(ops)] == [0, 0, -1]  # two slots; w3 waits
    (state,) = f.run([f.heartbeat_op("w1", 100, [], [(zset, "w1:tok:0")], 600_000)])
    assert state == "running"
    sec, usec = client.time()
    now = sec * 1000 + usec // 1000
    expiry = dict(client.zrange(zset, 0, -1, withscores=True))
    # The slot lives the slot time past the heartbeat, the heartbeat key only a lease.
    assert expiry["w1:tok:0"] > now + 500_000 and client.pttl("t:worker:w1") <= 100
    client.sadd(f.keys.fenced, "w1")
    assert [int(x) for x in f.run([f.acquire_op("h:5", "w1:tok:1", 9, 60_000, 0, "w1")])] == [
        -2]  # fenced: refused even with room
    assert f.release_slots_of("h:5", "w1") == 1  # w1's, not w1-2's
    assert set(client.zrange(zset, 0, -1)) == {"w1-2:tok:0"}
    assert [int(x) for x in f.run([f.acquire_op("h:5", "w3:tok:0", 2, 60_000, 0, "w3")])] == [
        0]


def _entry(digest: str, snapshot: str, uri: str = "http://h/a") -> DedupEntry:
    return DedupEntry(digest, uri, "2026-12-01T00:00:00Z", snapshot,
                      f"snapshots/{snapshot}/warcs/x.warc.gz", 10, 20, "<urn:uuid:1>")


def test_redis_dedup_first_writer_wins_visible_at_close_and_mirrored(client, tmp_path):
    idx = RedisDedupIndex(client, "t")
    idx.add("S1", _entry("sha1:A", "S1", "http://h/first"))
    idx.add("S1", _entry("sha1:A", "S1", "http://h/second"))  # another worker, same payload
    assert idx.lookup("sha1:A") is None  # pending until S1 closes
    sqlite = DedupIndex(tmp_path / "dedup.sqlite3")
    assert idx.commit_snapshot("S1", mirror=sqlite) == 1
    assert idx.lookup("sha1:A").uri == "http://h/first"
    assert sqlite.lookup("sha1:A").uri == "http://h/first"  # extract/verify need no Redis
    idx.add("S2", _entry("sha1:A", "S2"))
    idx.commit_snapshot("S2")
    assert idx.lookup("sha1:A").snapshot_id == "S1"  # later nights never replace it
    # Entries of single-process crawls (SQLite only) are copied in before a distributed one.
    sqlite.add("S0", _entry("sha1:B", "S0"))
    sqlite.commit_snapshot("S0")
    assert idx.mirror_from_sqlite(sqlite) == 1
    assert idx.lookup("sha1:B").snapshot_id == "S0"
    idx.discard_snapshot("S0")
    assert idx.lookup("sha1:B") is None
    sqlite.close()


def test_a_url_with_a_password_connects_and_a_wrong_one_is_refused(tmp_path):
    import redis

    with redis_server(tmp_path / "auth", "--requirepass", "s3cret") as url:
        ok = connect(url.replace("redis://", "redis://:s3cret@"))
        assert ok.ping()
        with pytest.raises(redis.AuthenticationError):
            connect(url.replace("redis://", "redis://:wrong@")).ping()


def test_rediss_url_asks_for_tls():
    client = connect("rediss://user:pw@redis.example:6380/2")
    kwargs = client.connection_pool.connection_kwargs
    assert client.connection_pool.connection_class.__name__ == "SSLConnection"
    assert (kwargs["username"], kwargs["password"], kwargs["db"]) == ("user", "pw", 2)


def test_unreachable_redis_is_one_line_and_creates_no_snapshot(tmp_path):
    from e2e import cli, free_port

    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for args in (["crawl", "http://127.0.0.1:9/", "--redis", url],
                 ["worker", "--redis", url, "--wait", "0"]):
        proc = cli(*args, "--archive", str(tmp_path / "a"), check=False)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Redis" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "a" / "snapshots").exists()


def test_a_worker_without_the_shared_archive_says_so(tmp_path, client, redis_url):
    from e2e import cli

    from scraper.fleet.frontier import NAMESPACE, jobs_key

    f = Frontier(client, CrawlKeys(NAMESPACE, "20261203T000000Z"))
    client.hset(f.keys.state, "spec", '{"url": "http://127.0.0.1:9/"}')
    f.set_state("running")
    client.sadd(jobs_key(), "20261203T000000Z")
    proc = cli("worker", "--redis", redis_url, "--archive", str(tmp_path / "elsewhere"),
               "--wait", "5", check=False)
    assert proc.returncode == 2
    assert "20261203T000000Z" in proc.stderr and "shared filesystem" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_each_archive_has_its_own_dedup_namespace(tmp_path):
    from archive.redis_dedup import archive_namespace

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert archive_namespace(a) == archive_namespace(a)  # kept in <archive>/archive-id
    assert archive_namespace(a) != archive_namespace(b)
    assert (a / "archive-id").read_text().strip() in archive_namespace(a)


def test_a_dedup_lookup_on_a_lost_redis_is_a_lost_redis_not_a_failed_write(tmp_path):
    # CI once saw a worker stop with "warc_write_failed" when Redis died under a dedup lookup:
    # the writer's error, where the worker must say it lost Redis and exit resumably.
    from scraper.fleet.components import Fleet, FleetDedupIndex, FleetLost

    with redis_server(tmp_path / "gone") as url:
        client = connect(url)
        fleet = Fleet(Frontier(client, CrawlKeys("t", "S1")), "w1", lease_ms=3000)
        index = FleetDedupIndex(fleet, "t")
        assert index.lookup("sha1:A") is None
        client.shutdown(nosave=True)
    with pytest.raises(FleetLost, match="lost the connection to Redis"):
        index.lookup("sha1:A")
    assert fleet.lost is not None
