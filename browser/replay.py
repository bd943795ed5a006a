"""pywb, in its own process on a loopback port, over every closed snapshot's WARCs and CDXJ.

pywb is never imported here: importing its apps monkey-patches the interpreter with gevent. The
collection is a folder of symlinks in a temporary directory (outside the archive, which stays
read-only): one `archive/` of WARC files and one `indexes/` holding each snapshot's CDXJ, which
pywb merges, so a revisit in one snapshot resolves to its original in an earlier one.

Frameless replay (`framed_replay: false`): the archive browser's replay page shows its own
banner and the pywb page in an iframe, so archived scripts run on pywb's origin, never on the
app's. pywb's default Content-Security-Policy on replayed pages (`default-src 'self' …`) keeps
archived pages from loading anything off the replay origin: they cannot reach the live web.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archive.snapshot import list_snapshots

COLLECTION = "archive"
# pywb's default replay CSP, with the archived page's frames and forms kept on the replay
# origin too; `connect-src` and the rest fall back to default-src.
REPLAY_CSP = ("default-src 'unsafe-eval' 'unsafe-inline' 'self' data: blob: ; "
              "form-action 'self'")


class ReplayError(Exception):
    """pywb could not be started; one line for the user."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def build_collection(archive_root: Path, workdir: Path) -> int:
    """Lay out pywb's working folder over the archive's closed snapshots; returns the WARC count.

    Snapshots that are open or aborted are left out (their WARCs may still grow or be partial).
    """
    coll = workdir / "collections" / COLLECTION
    (coll / "archive").mkdir(parents=True, exist_ok=True)
    (coll / "indexes").mkdir(parents=True, exist_ok=True)
    warcs = 0
    for snap in list_snapshots(archive_root):
        if snap.status != "closed" or not snap.index_path.is_file():
            continue
        for path in snap.warc_files():
            link = coll / "archive" / path.name
            if link.exists():
                raise ReplayError(f"two snapshots hold a WARC named {path.name}: pywb "
                                  f"resolves index lines by file name")
            link.symlink_to(path.resolve())
            warcs += 1
        (coll / "indexes" / f"{snap.snapshot_id}.cdxj").symlink_to(snap.index_path.resolve())
    (workdir / "config.yaml").write_text(
        "collections_root: collections\n"
        "framed_replay: false\n"
        "enable_memento: true\n"
        f'csp-header: "{REPLAY_CSP}"\n', encoding="utf-8")
    return warcs


# pywb pins redis==2.10.6, which cannot live beside the crawler's redis client (scrapy-redis):
# it has its own venv, .venv-pywb, that `make` builds from requirements-pywb.txt.
PYWB_ENV = "PORTAL_ARCHIVE_PYWB"


def find_wayback() -> Path:
    """pywb's `wayback`: $PORTAL_ARCHIVE_PYWB, else the checkout's .venv-pywb, else beside this
    Python, else on PATH."""
    candidates = [os.environ.get(PYWB_ENV),
                  Path(__file__).resolve().parents[1] / ".venv-pywb" / "bin" / "wayback",
                  Path(sys.executable).parent / "wayback", shutil.which("wayback")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ReplayError(f"pywb's `wayback` is not installed: `make test` or `make demo` builds "
                      f".venv-pywb, or set {PYWB_ENV} to its path")


class ReplayServer:
    """`wayback` from this environment, over `archive_root`, on 127.0.0.1:`port`."""

    def __init__(self, archive_root: Path, port: int = 0) -> None:
        self.archive_root = Path(archive_root)
        self.port = port or free_port()
        self.workdir: Path | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        wayback = find_wayback()
        self.workdir = Path(tempfile.mkdtemp(prefix="portal-archive-replay-"))
        build_collection(self.archive_root, self.workdir)
        self.proc = subprocess.Popen(
            [str(wayback), "-p", str(self.port), "-b", "127.0.0.1"], cwd=self.workdir,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise ReplayError(f"pywb exited at start with status {self.proc.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), 0.5):
                return
            time.sleep(0.05)  # polling for readiness, not a timing assumption
        self.stop()
        raise ReplayError(f"pywb did not listen on 127.0.0.1:{self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> ReplayServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
