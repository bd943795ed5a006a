"""Several portals in one command: `crawl --portal A --portal B` (each into its own snapshot,
at most `--jobs` at once, one line each and an exit status naming failures), `qa` and `serve`
with `--portal`, and `nightly --all --redis` (the fleet of `worker --loop` processes shares
every portal's night over a real Redis)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from e2e import CLI, cli, free_port, replica_args, replica_process

from archive.snapshot import list_snapshots, snapshot_portal

pytestmark = pytest.mark.slow


def _register(archive: Path, portals: dict[str, str]) -> None:
    for name, url in portals.items():
        cli("portals", "--archive", str(archive), "add", name, url, "--delay", "0",
            "--concurrency", "4")


def _lines(out: str) -> dict[str, str]:
    return {line.split(":", 1)[0]: line for line in out.strip().splitlines()}


def test_crawl_several_portals_one_at_a_time_then_qa_and_serve_per_portal(tmp_path):
    archive = tmp_path / "archive"
    dead = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    with replica_process(*replica_args(articles=5, seed=21)) as one, \
            replica_process(*replica_args(articles=5, seed=22)) as two:
        _register(archive, {"one": one, "dead": dead, "two": two})
        # An option given applies to every portal: here the platform (chosen by "option",
        # not by the registry entry).
        proc = cli("crawl", "--archive", str(archive), "--portal", "one", "--portal", "dead",
                   "--portal", "two", "--jobs", "1", "--platform", "nukeviet", check=False,
                   timeout=300)
    assert proc.returncode == 4, proc.stdout + proc.stderr  # one failed, the others closed
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 4 and lines[3] == "TOTAL 3 portals: 2 ok, 1 failed (dead)", lines
    by_name = _lines(proc.stdout)
    assert by_name["one"].startswith("one: snapshot ") and " closed: " in by_name["one"]
    assert "[exit" not in by_name["two"]
    assert "unreachable: connection refused" in by_name["dead"], by_name["dead"]
    assert by_name["dead"].endswith("[exit 4]")
    snaps = {snapshot_portal(s.manifest): s for s in list_snapshots(archive)}
    assert {n: s.status for n, s in snaps.items()} == {
        "one": "closed", "two": "closed", "dead": "failed"}
    assert {n: s.manifest["site_profile"]["chosen_by"] for n, s in snaps.items()
            if n != "dead"} == {"one": "option", "two": "option"}
    # --jobs 1: each crawl ended before the next began (registry order), no overlap.
    spans = [(snaps[n].manifest["started_at"], snaps[n].manifest["ended_at"])
             for n in ("one", "dead", "two")]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans

    # qa --portal: `latest` is that portal's; another portal's id is refused in one line.
    qa = cli("qa", "latest", "--portal", "two", "--archive", str(archive), "--json")
    assert json.loads(qa.stdout)["snapshot_id"] == snaps["two"].snapshot_id
    other = cli("qa", snaps["one"].snapshot_id, "--portal", "two", "--archive", str(archive),
                check=False)
    assert other.returncode == 2 and other.stderr.count("\n") == 1
    assert "belongs to portal 'one', not 'two'" in other.stderr

    # serve --portal: opens at that portal's page, which lists its snapshots.
    unknown = cli("serve", "--portal", "nope", "--archive", str(archive), "--no-replay",
                  check=False)
    assert unknown.returncode == 2 and "no snapshots of portal 'nope'" in unknown.stderr
    port = free_port()
    server = subprocess.Popen([*CLI, "serve", "--portal", "one", "--archive", str(archive),
                               "--port", str(port), "--no-replay", "--no-verify"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = server.stdout.readline().strip()
        address = first.rsplit(" ", 1)[-1]
        assert address == f"http://127.0.0.1:{port}/portal/one", first  # the registry name
        from urllib.request import urlopen

        page = urlopen(address, timeout=30).read().decode("utf-8")
        assert snaps["one"].snapshot_id in page and snaps["two"].snapshot_id not in page
    finally:
        server.terminate()
        server.wait(30)


def test_several_portals_need_a_registered_name_and_no_url(tmp_path):
    archive = tmp_path / "archive"
    _register(archive, {"one": "http://127.0.0.1:9/"})
    missing = cli("crawl", "--archive", str(archive), "--portal", "one", "--portal", "nope",
                  check=False)
    assert missing.returncode == 2 and "no portal 'nope' (registered: one)" in missing.stderr
    with_url = cli("crawl", "http://127.0.0.1:9/", "--archive", str(archive), "--portal", "one",
                   "--portal", "two", check=False)
    assert with_url.returncode == 2 and "give no URL" in with_url.stderr
    jobs = cli("nightly", "--all", "--jobs", "0", "--archive", str(archive), check=False)
    assert jobs.returncode == 2 and "--jobs 0" in jobs.stderr
    platform = cli("nightly", "--all", "--platform", "wordpress", "--archive", str(archive),
                   check=False)
    assert platform.returncode == 2 and platform.stderr.count("\n") == 1
    assert "per portal: set them in the registry" in platform.stderr
    assert list_snapshots(archive) == []  # nothing started


def test_nightly_all_over_redis_spreads_the_portals_over_the_fleet(tmp_path):
    from redis_server import redis_server

    archive = tmp_path / "archive"
    dead = f"http://127.0.0.1:{free_port()}/"
    fleet = ("--set", "PORTAL_FLEET_LEASE_MS=3000", "--set", "PORTAL_FLEET_POLL=0.1")
    with redis_server(tmp_path / "redis") as url, \
            replica_process(*replica_args(articles=5, seed=23)) as one, \
            replica_process(*replica_args(articles=5, seed=24)) as two:
        _register(archive, {"one": one, "two": two, "dead": dead})
        nightly = subprocess.Popen([*CLI, "nightly", "--all", "--redis", url, "--archive",
                                    str(archive), "--format", "json", *fleet],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Two workers for three portals: each serves crawl after crawl (--loop).
        workers = [subprocess.Popen([*CLI, "worker", "--loop", "--wait", "5", "--archive",
                                     str(archive), "--id", name],
                                    env={**__import__("os").environ,
                                         "PORTAL_ARCHIVE_REDIS": url},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for name in ("w1", "w2")]
        try:
            out, err = nightly.communicate(timeout=300)
            worker_out = [w.communicate(timeout=120) for w in workers]
        finally:
            for p in (nightly, *workers):
                if p.poll() is None:
                    p.kill()
    assert nightly.returncode == 4, out + err
    by_name = _lines(out)
    assert by_name["one"].startswith("one: OK snapshot ") and by_name["two"].startswith(
        "two: OK snapshot "), out
    assert "unreachable" in by_name["dead"] and by_name["dead"].endswith("[exit 4]"), out
    assert by_name["TOTAL 3 portals"].endswith("2 ok, 1 failed (dead)")
    assert all(w.returncode == 0 for w in workers), worker_out
    snaps = {snapshot_portal(s.manifest): s for s in list_snapshots(archive)}
    assert {n: s.status for n, s in snaps.items()} == {
        "one": "closed", "two": "closed", "dead": "failed"}
    crews = {n: set(s.manifest["stats"]["distributed"]["workers"]) for n, s in snaps.items()
             if s.status == "closed"}
    # Every crawl was done by the fleet; both workers took part in the night.
    assert all(crews.values()) and {w[:2] for c in crews.values() for w in c} <= {"w1", "w2"}
    assert sum(len(c) for c in crews.values()) >= 2, crews
    for name in ("one", "two"):
        assert snaps[name].manifest["seeds"] == [{"one": one, "two": two}[name]]
    cli("verify", "--archive", str(archive))
