"""`crawl --resume` runs with the interrupted crawl's settings, options given with it override
them, and the interrupt hint works when pasted (issue 12, item 4).

A crawl started with `--delay 0 --concurrency 16` is stopped with Ctrl-C; the command it
prints is pasted into a shell in the same directory with `--concurrency 12` added. The resumed
run must keep the recorded delay (0: AutoThrottle off, not the polite 1 s default) and use 12,
as Scrapy's own "Overridden settings" log line, the manifest and our log line all say; and
pasting must not create a stray ./archive-data.
"""

from __future__ import annotations

import ast
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from e2e import CLI, replica_args, replica_process, snapshot_ids

pytestmark = pytest.mark.slow

ARGS = replica_args(articles=60, seed=5, extra=("--latency-ms", "15"))


def _open_warc_bytes(archive: Path) -> int:
    return sum(p.stat().st_size for p in archive.glob("snapshots/*/warcs/*.open"))


def _scrapy_overridden_settings(log: str) -> list[dict]:
    """Every `Overridden settings:` dict Scrapy logged, one per run, in order."""
    blocks = re.findall(r"Overridden settings:\n(\{.*?\})\n", log, flags=re.S)
    return [ast.literal_eval(block) for block in blocks]


def test_resume_uses_recorded_settings_and_the_pasted_hint(tmp_path):
    cwd = tmp_path / "shell"
    cwd.mkdir()
    archive = tmp_path / "archive"
    with replica_process(*ARGS) as base:
        proc = subprocess.Popen(
            [*CLI, "crawl", base, "--archive", "../archive", "--delay", "0",
             "--concurrency", "16", "--no-progress"],
            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while _open_warc_bytes(archive) < 60_000:  # well under way (readiness, not timing)
            assert proc.poll() is None, "crawl ended before it could be interrupted"
            assert time.monotonic() < deadline, "crawl did not make progress"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 3, stderr
        (sid,) = snapshot_ids(archive)
        hint = stderr.split("continue with: ", 1)[1].splitlines()[0]
        assert hint.endswith(f"crawl --resume {sid} --archive ../archive")

        resumed = subprocess.run(f"{hint} --concurrency 12", shell=True, cwd=cwd,
                                 capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"snapshot {sid} closed" in resumed.stdout
    assert not (cwd / "archive-data").exists()
    assert sorted(p.name for p in cwd.iterdir()) == []

    # What we say: one line on stderr and the same in the crawl log.
    said = [x for x in resumed.stderr.splitlines() if "resume settings:" in x]
    assert len(said) == 1
    for part in ("DOWNLOAD_DELAY=0.0 (recorded)", "AUTOTHROTTLE_ENABLED=False (recorded)",
                 "CONCURRENT_REQUESTS=12 (given)", "ROBOTSTXT_OBEY=True (recorded)"):
        assert part in said[0]
    log = (archive / "snapshots" / sid / "logs" / "crawl.log").read_text(encoding="utf-8")
    assert said[0].split("resume settings:", 1)[1] in log

    # What Scrapy says it ran with: only values that differ from Scrapy's defaults are listed,
    # so no DOWNLOAD_DELAY (0) and no AUTOTHROTTLE_ENABLED (False) in either run.
    first, second = _scrapy_overridden_settings(log)
    assert first["CONCURRENT_REQUESTS_PER_DOMAIN"] == 16
    assert second["CONCURRENT_REQUESTS"] == second["CONCURRENT_REQUESTS_PER_DOMAIN"] == 12
    for run in (first, second):
        assert "DOWNLOAD_DELAY" not in run and "AUTOTHROTTLE_ENABLED" not in run

    # What the manifest records: the settings the resumed run used, and what it changed.
    manifest = json.loads((archive / "snapshots" / sid / "manifest.json").read_text())
    assert manifest["status"] == "closed" and manifest["stats"]["resumed"] is True
    settings = manifest["settings"]
    assert settings["DOWNLOAD_DELAY"] == 0 and settings["AUTOTHROTTLE_ENABLED"] is False
    assert settings["CONCURRENT_REQUESTS"] == settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 12
    (resume,) = manifest["resumes"]
    assert resume["changed_settings"] == {
        "CONCURRENT_REQUESTS": {"was": 16, "now": 12},
        "CONCURRENT_REQUESTS_PER_DOMAIN": {"was": 16, "now": 12},
        "AUTOTHROTTLE_TARGET_CONCURRENCY": {"was": 16.0, "now": 12.0},
    }


def test_hint_omits_the_default_archive_and_quotes_paths(monkeypatch):
    from portal_archive.commands.crawl import resume_command

    monkeypatch.delenv("PORTAL_ARCHIVE_HOME", raising=False)
    sid = "20261127T192512Z"
    assert resume_command(sid, Path("archive-data")).endswith(f"crawl --resume {sid}")
    assert resume_command(sid, Path("/srv/my archive")).endswith(
        f"crawl --resume {sid} --archive '/srv/my archive'")
