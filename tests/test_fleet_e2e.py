"""Distributed crawls of the replica by several `portal-archive worker` processes over a real
Redis, against single-process crawls of the same replica: the same URLs, datasets and
revisits, each URL captured once (also when a worker is killed with SIGKILL), the host's
concurrency held by the whole fleet (counted by the replica itself), and `verify` passing
without Redis."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from urllib.request import urlopen

import pandas as pd
import pytest
from e2e import (
    CLI,
    canonical_urls,
    captured_uris,
    cli,
    crawl,
    replica_args,
    replica_process,
    snapshot_ids,
    warc_paths,
)
from redis_server import redis_server

pytestmark = pytest.mark.slow

ARGS = replica_args(articles=8, seed=11, extra=("--latency-ms", "20"))
# Short leases: a killed worker is noticed within ~3 s (production default: 30 s).
FLEET = ("--set", "PORTAL_FLEET_LEASE_MS=3000", "--set", "PORTAL_FLEET_POLL=0.1")
LINEAGE = ["snapshot_id", "captured_at", "warc_file", "warc_offset", "warc_record_id",
           "payload_digest", "length", "refers_to_record_id", "refers_to_date"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def small_disk() -> None:
    # Writes past 60 kB fail with EFBIG, as on a full disk (Python ignores SIGXFSZ).
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))


def start_workers(redis_url: str, archive: Path, names: list[str],
                  full_disk: str | None = None) -> list[subprocess.Popen]:
    return [subprocess.Popen([*CLI, "worker", "--redis", redis_url, "--archive", str(archive),
                              "--wait", "120", "--id", name],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=small_disk if name == full_disk else None)
            for name in names]


def wait_for_captures(archive: Path, worker: str, proc: subprocess.Popen,
                      size: int = 40_000) -> None:
    """Until `worker` has archived a few pages (its open WARC has grown past `size`)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        grown = [p for p in archive.glob(f"snapshots/*/warcs/portal-{worker}-*.open")
                 if p.stat().st_size > size]
        if grown or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, f"{worker} finished before the fault could be injected"


def distributed_crawl(base: str | None, archive: Path, redis_url: str, names: list[str],
                      victim: str | None = None, resume: str | None = None,
                      expect: int = 0, full_disk: str | None = None,
                      ) -> tuple[subprocess.CompletedProcess, list]:
    """`crawl --redis` with a worker per name; SIGKILL `victim` once it has archived a few
    pages, then let the others finish. With `resume`, `crawl --resume ID --redis`."""
    target = ["--resume", resume] if resume else [base]
    coordinator = subprocess.Popen(
        [*CLI, "crawl", *target, "--archive", str(archive), "--redis", redis_url, "--delay",
         "0", "--concurrency", "4", "--no-progress", *FLEET],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = start_workers(redis_url, archive, names, full_disk)
    try:
        if victim is not None:
            proc = workers[names.index(victim)]
            wait_for_captures(archive, victim, proc)
            os.kill(proc.pid, signal.SIGKILL)
        out, err = coordinator.communicate(timeout=300)
        results = [w.communicate(timeout=120) + (w.returncode,) for w in workers]
    finally:
        for p in [coordinator, *workers]:
            if p.poll() is None:
                p.kill()
                p.wait()
    done = subprocess.CompletedProcess(coordinator.args, coordinator.returncode, out, err)
    assert done.returncode == expect, (out, err, results)
    return done, results


def replica_stats(base: str) -> dict:
    with urlopen(base.rstrip("/") + "/__replica/stats", timeout=30) as resp:
        return json.load(resp)


def table(archive: Path, sid: str, name: str) -> pd.DataFrame:
    df = pd.read_parquet(archive / "snapshots" / sid / "datasets" / f"{name}.parquet")
    df = df.drop(columns=[c for c in LINEAGE if c in df.columns])
    if "url" in df.columns:
        df["url"] = df["url"].str.replace(r"^http://127\.0\.0\.1:\d+", "", regex=True)
    df = df.astype(str)
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def captures(archive: Path, sid: str) -> list[tuple[str, str]]:
    """(path, record type) of every response/revisit, host stripped, sorted."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    for path in warc_paths(archive, sid):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type in ("response", "revisit"):
                    uri = rec.rec_headers.get_header("WARC-Target-URI")
                    out.append((uri.split("/", 3)[-1], rec.rec_type))
    return sorted(out)


@pytest.fixture(scope="module")
def nights(tmp_path_factory, redis_url):
    """Two nights crawled by 3 workers, then the same two nights by one process."""
    fleet_archive = tmp_path_factory.mktemp("fleet")
    single_archive = tmp_path_factory.mktemp("single")
    with replica_process(*ARGS) as base:
        first, results = distributed_crawl(base, fleet_archive, redis_url, ["a1", "b1", "c1"])
        stats = replica_stats(base)
        distributed_crawl(base, fleet_archive, redis_url, ["a2", "b2", "c2"])
        crawl(base, single_archive, "--concurrency", "4")
        crawl(base, single_archive, "--concurrency", "4")
        expected = canonical_urls(base, *ARGS)
    return {"fleet": fleet_archive, "single": single_archive, "expected": expected,
            "base": base, "out": first.stdout, "workers": results, "replica": stats}


def test_three_workers_capture_what_one_process_captures_each_url_once(nights):
    fleet, single = nights["fleet"], nights["single"]
    f1, _ = snapshot_ids(fleet)
    s1, _ = snapshot_ids(single)
    uris = captured_uris(warc_paths(fleet, f1))
    assert [u for u, n in Counter(uris).items() if n > 1] == []
    base = nights["base"].rstrip("/")
    assert nights["expected"] <= set(uris)
    assert captures(fleet, f1) == captures(single, s1)
    # every worker took part and wrote its own files
    names = {p.name.split("-")[1] for p in warc_paths(fleet, f1)}
    assert names == {"a1", "b1", "c1"}, names
    assert all(rc == 0 and "finished" in out for out, _, rc in nights["workers"])
    assert "closed" in nights["out"] and base


def test_second_night_writes_the_same_revisits_as_one_process(nights):
    _, f2 = snapshot_ids(nights["fleet"])
    _, s2 = snapshot_ids(nights["single"])
    got, want = captures(nights["fleet"], f2), captures(nights["single"], s2)
    assert sorted(set(got) - set(want)) == sorted(set(want) - set(got)) == []
    assert got == want
    assert sum(t == "revisit" for _, t in got) > 0.5 * len(got)


def test_datasets_equal_a_single_process_crawl(nights):
    for f, s in zip(snapshot_ids(nights["fleet"]), snapshot_ids(nights["single"]), strict=True):
        for name in ("pages", "articles", "article_authors", "images", "documents",
                     "document_files", "document_listings"):
            pd.testing.assert_frame_equal(table(nights["fleet"], f, name),
                                          table(nights["single"], s, name), obj=name)


def test_closed_snapshots_verify_without_redis(nights):
    proc = cli("verify", "--archive", str(nights["fleet"]), env={"REDIS_URL": ""})
    assert proc.returncode == 0 and proc.stdout.startswith("OK"), proc.stdout
    for sid in snapshot_ids(nights["fleet"]):
        manifest = json.loads((nights["fleet"] / "snapshots" / sid / "manifest.json")
                              .read_text())
        assert manifest["status"] == "closed"
        assert len(manifest["stats"]["distributed"]["workers"]) == 3
        assert (nights["fleet"] / "snapshots" / sid / "indexes" / "index.cdxj").is_file()
        assert not list((nights["fleet"] / "snapshots" / sid / "warcs").glob("*.open"))


def test_the_fleet_never_exceeds_the_hosts_concurrency(nights):
    # 3 workers, each allowed 4 requests per host by Scrapy: 12 at once without the fleet's
    # slots. The replica counted the requests it was answering at the same time.
    stats = nights["replica"]
    assert stats["served"] > 50
    assert 2 <= stats["max_in_flight"] <= 4, stats


def test_a_killed_worker_and_a_full_disk_lose_nothing_and_duplicate_nothing(tmp_path,
                                                                          redis_url):
    # k2 is killed with SIGKILL mid-crawl; k3's disk fills up (it stops as a single-process
    # crawl does, cutting the record it could not write); k1 finishes the crawl.
    args = replica_args(articles=8, seed=12, extra=("--latency-ms", "30"))
    archive = tmp_path / "archive"
    with replica_process(*args) as base:
        done, results = distributed_crawl(base, archive, redis_url, ["k1", "k2", "k3"],
                                          victim="k2", full_disk="k3")
        expected = canonical_urls(base, *args)
    (sid,) = snapshot_ids(archive)
    assert results[1][2] == -signal.SIGKILL
    assert results[2][2] == 3 and "warc_write_failed" in results[2][0], results[2]
    uris = captured_uris(warc_paths(archive, sid))
    twice = [u for u, n in Counter(uris).items() if n > 1]
    assert twice == []
    assert expected <= set(uris), sorted(expected - set(uris))[:5]
    manifest = json.loads((archive / "snapshots" / sid / "manifest.json").read_text())
    assert manifest["status"] == "closed"
    reclaims = {r["worker"]: r for r in manifest["stats"]["distributed"]["reclaimed"]}
    # k2 died holding leases: each was either found captured in its WARCs or requeued; k3
    # left the lease of the capture it could not write.
    assert set(reclaims) == {"k2", "k3"}, reclaims
    assert reclaims["k2"]["captured"] + reclaims["k2"]["requeued"] >= 1
    assert reclaims["k3"]["requeued"] >= 1
    assert {p.name.split("-")[1] for p in warc_paths(archive, sid)} == {"k1", "k2", "k3"}
    cli("verify", "--archive", str(archive))


def test_a_lost_redis_stops_the_fleet_resumably_and_resume_completes(tmp_path):
    import redis

    from scraper.fleet.frontier import connect

    args = replica_args(articles=12, seed=13, extra=("--latency-ms", "30"))
    archive = tmp_path / "archive"
    with replica_process(*args) as base:
        with redis_server(tmp_path / "lost") as url:
            coordinator = subprocess.Popen(
                [*CLI, "crawl", base, "--archive", str(archive), "--redis", url, "--delay",
                 "0", "--concurrency", "4", "--no-progress", *FLEET],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            workers = start_workers(url, archive, ["r1", "r2"])
            try:
                wait_for_captures(archive, "r1", workers[0], size=15_000)
                with contextlib.suppress(redis.ConnectionError):
                    connect(url).shutdown(nosave=True)  # Redis dies with the whole frontier
                out, err = coordinator.communicate(timeout=120)
                results = [w.communicate(timeout=120) + (w.returncode,) for w in workers]
            finally:
                for p in [coordinator, *workers]:
                    if p.poll() is None:
                        p.kill()
                        p.wait()
        (sid,) = snapshot_ids(archive)
        assert coordinator.returncode == 3, (out, err)
        assert f"crawl --resume {sid} " in err and " --redis " in err and "Redis" in err
        assert [rc for *_, rc in results] == [3, 3], results
        assert all("lost the connection to Redis" in e for _, e, _ in results), results
        manifest = json.loads((archive / "snapshots" / sid / "manifest.json").read_text())
        assert manifest["status"] == "open"
        assert not list((archive / "snapshots" / sid / "warcs").glob("*.open"))
        before = set(captured_uris(warc_paths(archive, sid)))

        # A new, empty Redis: the frontier is rebuilt from the WARCs.
        with redis_server(tmp_path / "new") as url:
            distributed_crawl(None, archive, url, ["r3", "r4"], resume=sid)
        expected = canonical_urls(base, *args)
    assert expected - before, "Redis died after the crawl was over: nothing left to resume"
    uris = captured_uris(warc_paths(archive, sid))
    assert [u for u, n in Counter(uris).items() if n > 1] == []
    assert expected <= set(uris), sorted(expected - set(uris))[:5]
    cli("verify", "--archive", str(archive))


def test_the_diff_of_two_fleet_nights_is_the_diff_of_two_single_nights(nights):
    def diff(archive: Path) -> dict:
        a, b = snapshot_ids(archive)
        out = json.loads(cli("diff", a, b, "--archive", str(archive), "--format", "json").stdout)
        return {k: v for k, v in out.items() if k not in ("a", "b")}

    fleet, single = diff(nights["fleet"]), diff(nights["single"])
    assert fleet["unchanged"] > 10
    assert fleet == single


def fleet_nightly(base: str, archive: Path, redis_url: str, worker: str) -> str:
    """`nightly URL --redis` with one worker; the summary line."""
    coordinator = subprocess.Popen(
        [*CLI, "nightly", base, "--archive", str(archive), "--redis", redis_url, "--delay",
         "0", "--concurrency", "4", *FLEET],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (proc,) = start_workers(redis_url, archive, [worker])
    try:
        out, err = coordinator.communicate(timeout=300)
        proc.communicate(timeout=120)
    finally:
        for p in (coordinator, proc):
            if p.poll() is None:
                p.kill()
                p.wait()
    assert coordinator.returncode == 0 and out.startswith("OK snapshot"), (out, err)
    return out


def test_a_fleet_night_skips_what_a_single_process_night_skips(tmp_path, redis_url):
    """The freshness policy holds over the fleet: the second night re-fetches the navigation
    pages and no known item (none is due minutes later), as a single process's night does."""
    fleet, single = tmp_path / "fleet", tmp_path / "single"
    with replica_process(*replica_args(articles=5, seed=12)) as base:
        fleet_nightly(base, fleet, redis_url, "n1")
        fleet_nightly(base, fleet, redis_url, "n2")
        for _ in range(2):
            cli("nightly", base, "--archive", str(single), "--delay", "0", "--concurrency", "4")
    first, second = snapshot_ids(fleet)
    full, incr = (json.loads((fleet / "snapshots" / s / "manifest.json").read_text())
                  for s in (first, second))
    assert incr["settings"]["distributed"] and incr["settings"]["incremental"]["known_urls"] > 0
    tonight = captures(fleet, second)
    # No known article or document page was fetched again: none is due minutes later.
    items = {p for p, _ in captures(fleet, first) if "bai-viet-" in p or "/laws/detail/" in p}
    assert items and not items & {p for p, _ in tonight}, sorted(items & set(tonight))
    assert len(tonight) < full["stats"]["captures"]
    # The same pages as the single process's second night (hosts aside).
    assert tonight == captures(single, snapshot_ids(single)[1])
