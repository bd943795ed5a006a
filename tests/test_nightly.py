"""`portal-archive nightly`: lock, incremental crawl, verify, diff against the previous night."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from e2e import CLI, cli, free_port, replica_args, snapshot_ids, wait_for_port

from portal_archive.lock import RunLock
from replica import ReplicaConfig, Site

pytestmark = pytest.mark.slow


class Replica:
    """The replica for one night on a fixed port, so every night has the same URLs."""

    def __init__(self, port: int, night: int, articles: int = 40, seed: int = 4) -> None:
        self.args = ["--port", str(port), *replica_args(articles, seed, night, "egov45")]
        self.port = port

    def __enter__(self) -> str:
        self.proc = subprocess.Popen([*CLI, "replica", *self.args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc)
        return f"http://127.0.0.1:{self.port}/"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def nightly(base: str, archive, *extra: str, check: bool = True):
    return cli("nightly", base, "--archive", str(archive), "--delay", "0", "--concurrency", "8",
               *extra, check=check)


def test_two_nights_verify_and_diff_match_ground_truth(tmp_path):
    archive = tmp_path / "archive"
    port = free_port()
    with Replica(port, night=0) as base:
        first = nightly(base, archive)
    assert first.stdout.startswith("OK snapshot"), first.stdout
    assert "no earlier snapshot" in first.stdout
    with Replica(port, night=1) as base:
        # Re-check everything known tonight so the diff can be compared with the whole truth.
        second = nightly(base, archive, "--recent-interval-days", "0", "--max-age-days", "0")
    assert second.stdout.startswith("OK snapshot"), second.stdout
    assert "; quality: missing requisites on " in second.stdout  # audit.quality, item 3
    report = next(line for line in second.stdout.splitlines() if line.startswith("report: "))
    html = Path(report.split(": ", 1)[1]).read_text(encoding="utf-8")
    assert "<script" not in html.lower()

    a, b = snapshot_ids(archive)
    diff = json.loads(cli("diff", a, b, "--archive", str(archive), "--format", "json").stdout)
    truth = Site(ReplicaConfig(articles=40, seed=4, theme="egov45")).changes(0, 1)
    key = lambda items: sorted((i["kind"], int(i["key"])) for i in items)  # noqa: E731
    assert key(diff["added"]) == key(truth["added"])
    assert key(diff["removed"]) == key(truth["removed"])
    assert {(r["kind"], int(r["key"]), r["reason"]) for r in diff["removed"]} == {
        (r["kind"], int(r["key"]), r["reason"]) for r in truth["removed"]}
    assert key(diff["changed"]) == key(truth["changed"])
    assert list((archive / "logs").glob("nightly-*.log"))


def test_incremental_night_skips_known_items_that_are_not_due(tmp_path):
    archive = tmp_path / "archive"
    port = free_port()
    with Replica(port, night=0) as base:
        nightly(base, archive)
        second = nightly(base, archive)  # same night: nothing is due yet
    assert second.stdout.startswith("OK snapshot"), second.stdout
    a, b = snapshot_ids(archive)
    full = json.loads((archive / "snapshots" / a / "manifest.json").read_text())["stats"]
    incr = json.loads((archive / "snapshots" / b / "manifest.json").read_text())["stats"]
    assert incr["captures"] <= 0.5 * full["captures"], (full["captures"], incr["captures"])
    settings = json.loads((archive / "snapshots" / b / "manifest.json").read_text())["settings"]
    assert settings["incremental"]["max_age_days"] == 7.0


def test_second_run_exits_at_once_while_the_lock_is_held(tmp_path):
    archive = tmp_path / "archive"
    with RunLock(archive / "nightly.lock"):
        proc = nightly("http://127.0.0.1:9/", archive, check=False)
    assert proc.returncode == 75
    assert "another run holds" in proc.stderr and str(os.getpid()) in proc.stderr
    assert not (archive / "snapshots").exists()


def test_stale_lock_of_a_dead_run_is_recovered(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "nightly.lock").write_text('{"pid": 999999, "started_at": "2026-01-01T00:00:00Z"}')
    port = free_port()
    with Replica(port, night=0, articles=5) as base:
        proc = nightly(base, archive)
    assert proc.stdout.startswith("OK snapshot")
    log = next((archive / "logs").glob("nightly-*.log")).read_text()
    assert "recovered a stale lock" in log and "999999" in log
