"""A real Redis (Debian's `redis-server`) for the tests that claim distributed behaviour.

Started on a free loopback port with no persistence (`--save '' --appendonly no`) in a
temporary directory, stopped after. Missing `redis-server`: skipped on a developer machine,
a failure under `CI=true` (`.ci/run` installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e import free_port, wait_for_port


def redis_server_binary() -> str:
    path = shutil.which("redis-server")
    if path is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI must have it (.ci/run installs it)")
        pytest.skip(message)
    return path


@contextlib.contextmanager
def redis_server(workdir: Path, *extra: str) -> Iterator[str]:
    """`redis-server` on 127.0.0.1 and a free port; yields its `redis://` URL."""
    binary = redis_server_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--protected-mode", "yes", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, timeout=30)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
