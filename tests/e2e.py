"""Helpers for end-to-end tests: a replica in its own process, the CLI, WARC read-back."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

BIN = Path(sys.executable).parent
CLI = [str(BIN / "portal-archive")] if (BIN / "portal-archive").exists() else [
    sys.executable, "-m", "portal_archive"]
REPO = Path(__file__).resolve().parent.parent
# pywb lives in its own venv (its redis pin clashes with the crawler's; see requirements-pywb.txt)
PYWB_BIN = REPO / ".venv-pywb" / "bin" if (REPO / ".venv-pywb" / "bin" / "wayback").exists() \
    else BIN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll until the server accepts connections (readiness, not a timing assumption)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port} after {timeout}s")


def replica_args(articles: int = 40, seed: int = 1, night: int = 0, theme: str = "custom2015",
                 extra: tuple[str, ...] = (), platform: str = "nukeviet") -> list[str]:
    return ["--articles", str(articles), "--seed", str(seed), "--night", str(night),
            "--theme", theme, "--platform", platform, *extra]


@contextlib.contextmanager
def replica_process(*args: str) -> Iterator[str]:
    """Serve `portal-archive replica ARGS` on a free port; yields the base URL."""
    with replica_server(*args) as (base, _):
        yield base


@contextlib.contextmanager
def replica_server(*args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """Like `replica_process`, yielding the server process too (bench/ reads its CPU time)."""
    port = free_port()
    proc = subprocess.Popen([*CLI, "replica", "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/", proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def canonical_urls(base: str, *args: str) -> set[str]:
    """What the replica serving at `base` with `args` says it serves (its ground truth)."""
    port = str(urlsplit(base).port)
    out = subprocess.run([*CLI, "replica", "--list-urls", "--port", port, *args], check=True,
                         capture_output=True, text=True).stdout
    urls = set()
    for line in out.splitlines():
        line = line.strip()
        if not line:
            continue
        urls.add(base.rstrip("/") + line if line.startswith("/") else line)
    return urls


def cli(*args: str, check: bool = True, env: dict | None = None,
        timeout: float = 600, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=cwd)
    if check and proc.returncode != 0:
        raise AssertionError(f"portal-archive {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout: {proc.stdout[-3000:]}\nstderr: {proc.stderr[-3000:]}")
    return proc


def crawl(base: str, archive: Path, *extra: str) -> subprocess.CompletedProcess:
    return cli("crawl", base, "--archive", str(archive), "--delay", "0", "--concurrency", "8",
               "--no-progress", *extra)


def snapshot_ids(archive: Path) -> list[str]:
    root = archive / "snapshots"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def warc_paths(archive: Path, snapshot_id: str) -> list[Path]:
    return sorted((archive / "snapshots" / snapshot_id / "warcs").glob("*.warc.gz"))


def read_records(path: Path) -> list[dict]:
    """Every record of a WARC, read to the end: headers, offset and raw payload."""
    records = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            raw = record.raw_stream.read()
            records.append({
                "type": record.rec_type,
                "headers": dict(record.rec_headers.headers),
                "http": record.http_headers,
                "raw": raw,
                "offset": it.get_record_offset(),
            })
    return records


@contextlib.contextmanager
def pywb_server(workdir: Path, warcs: list[Path] = (), wacz: Path | None = None) -> Iterator[str]:
    """Real pywb (`wayback`) on a loopback port over collection `c`; yields its base URL.

    pywb runs in its own process: importing its apps monkey-patches the whole interpreter with
    gevent, which would leave every later test's threads and process pools deadlocked.
    """
    from archive.cdxj import build_cdxj

    workdir.mkdir(parents=True, exist_ok=True)
    coll = workdir / "collections" / "c"
    if wacz is not None:
        subprocess.run([str(PYWB_BIN / "wb-manager"), "init", "c"], cwd=workdir, check=True,
                       capture_output=True)
        subprocess.run([str(PYWB_BIN / "wb-manager"), "add", "--unpack-wacz", "c", str(wacz)],
                       cwd=workdir, check=True, capture_output=True)
    else:
        (coll / "archive").mkdir(parents=True)
        for path in warcs:
            (coll / "archive" / path.name).symlink_to(path)
        build_cdxj(list(warcs), coll / "indexes" / "index.cdxj")
    (workdir / "config.yaml").write_text("collections_root: collections\n")
    port = free_port()
    proc = subprocess.Popen([str(PYWB_BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def http_get(base: str, path: str, query: str = "") -> tuple[int, dict, bytes]:
    """GET without following redirects; status, headers (last value wins) and body."""
    import http.client

    conn = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=60)
    try:
        conn.request("GET", path + (f"?{query}" if query else ""))
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def captured_uris(paths: list[Path]) -> list[str]:
    """Target URIs of every response and revisit record, streaming (bodies are not kept)."""
    uris = []
    for path in paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    uris.append(record.rec_headers.get_header("WARC-Target-URI"))
    return uris


def tree_state(root: Path) -> dict[str, tuple]:
    """Every file and folder under `root`: (sha256, size, mtime) of a file, ("dir",) of a folder;
    compared before and after a command to prove it created, changed or removed nothing."""
    import hashlib

    state: dict[str, tuple] = {}
    for path in sorted(Path(root).rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            state[rel] = ("dir",)
        else:
            stat = path.stat()
            state[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size,
                          stat.st_mtime_ns)
    return state
