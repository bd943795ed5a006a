"""A crawl killed with SIGKILL or stopped by Ctrl-C resumes exactly: nothing twice or lost."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter

import pytest
from e2e import (
    CLI,
    canonical_urls,
    cli,
    read_records,
    replica_args,
    replica_process,
    snapshot_ids,
    warc_paths,
)

pytestmark = pytest.mark.slow

ARGS = replica_args(articles=40, seed=11, theme="egov45", extra=("--latency-ms", "15"))


def _open_warc_bytes(archive) -> int:
    return sum(p.stat().st_size for p in archive.glob("snapshots/*/warcs/*.open"))


def _interrupt(base: str, archive, sig: int, after_bytes: int) -> tuple[int, str]:
    proc = subprocess.Popen([*CLI, "crawl", base, "--archive", str(archive), "--delay", "0",
                             "--concurrency", "4", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    # Poll the growing WARC until the crawl is well under way (readiness, not timing).
    while _open_warc_bytes(archive) < after_bytes:
        assert proc.poll() is None, f"crawl ended before it could be interrupted: {proc.stderr}"
        assert time.monotonic() < deadline, "crawl did not make progress"
        time.sleep(0.05)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_crawl_resumes_without_duplicates(tmp_path, sig):
    archive = tmp_path / "archive"
    with replica_process(*ARGS) as base:
        returncode, stderr = _interrupt(base, archive, sig, after_bytes=60_000)
        if sig == signal.SIGINT:
            assert returncode == 3
            assert "--resume" in stderr
        (sid,) = snapshot_ids(archive)
        manifest = json.loads((archive / "snapshots" / sid / "manifest.json").read_text())
        assert manifest["status"] == "open"

        resumed = cli("crawl", "--resume", sid, "--archive", str(archive), "--delay", "0",
                      "--concurrency", "4", "--no-progress")
        assert "closed" in resumed.stdout
        expected = canonical_urls(base, *ARGS)

    manifest = json.loads((archive / "snapshots" / sid / "manifest.json").read_text())
    assert manifest["status"] == "closed" and manifest["stats"]["resumed"] is True
    paths = warc_paths(archive, sid)
    assert len(paths) >= 2  # the interrupted file, renamed after repair, and the resumed one
    assert not list(archive.glob("snapshots/*/warcs/*.open"))
    captured = Counter()
    for path in paths:
        for rec in read_records(path):  # every file reads to its end
            if rec["type"] in ("response", "revisit"):
                captured[rec["headers"]["WARC-Target-URI"]] += 1
    assert [u for u, n in captured.items() if n > 1] == []
    missing = expected - set(captured)
    assert not missing, sorted(missing)[:10]
    proc = subprocess.run([str(CLI[0]).replace("portal-archive", "warcio"), "check",
                           *map(str, paths)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    # The resumed snapshot has datasets covering both runs.
    assert (archive / "snapshots" / sid / "datasets" / "articles.parquet").is_file()


def test_resume_refuses_a_closed_snapshot(tmp_path):
    archive = tmp_path / "archive"
    with replica_process(*replica_args(articles=5, seed=2)) as base:
        cli("crawl", base, "--archive", str(archive), "--delay", "0", "--no-progress")
    (sid,) = snapshot_ids(archive)
    proc = cli("crawl", "--resume", sid, "--archive", str(archive), check=False)
    assert proc.returncode == 2
    assert "closed" in proc.stderr and "Traceback" not in proc.stderr
