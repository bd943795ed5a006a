"""Every command that only reads works on a read-only archive and never creates a file there.

Preservation storage is normally mounted read-only. Two nights of the replica are crawled with
`portal-archive crawl`; then verify, snapshots, wacz (--out elsewhere), diff (to stdout and
--out elsewhere), history, show (of a revisit, whose original is found through the dedup
index), qa, extract into another archive and the notebook loader run as users run them (the CLI,
`python -c`), on a read-only view of that archive, and again on the writable archive; each
must succeed, and the archive's files (names, sha256, sizes, mtimes) must be the same after.

A read-only view: as root (who ignores file modes) a read-only bind mount; as root without
mount rights, files made read-only with chmod and the commands run by root without the
capabilities that override file modes (setpriv); as another user, files made read-only.
Without any of them the test is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e import CLI, REPO, free_port, replica_args, tree_state, wait_for_port

from archive.cdxj import read_cdxj

pytestmark = pytest.mark.slow

NIGHTS = (("N0", 0), ("N3", 3))


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Two closed snapshots of the replica (the second with revisits of the first)."""
    root = tmp_path_factory.mktemp("readonly") / "archive"
    port = free_port()
    for sid, night in NIGHTS:
        proc = subprocess.Popen([*CLI, "replica", "--port", str(port),
                                 *replica_args(articles=20, night=night)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, proc)
            done = subprocess.run([*CLI, "crawl", f"http://127.0.0.1:{port}/", "--archive",
                                   str(root), "--snapshot", sid, "--delay", "0",
                                   "--concurrency", "8", "--no-progress"],
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            # Capture quality is computed at close and kept with the snapshot.
            assert f"quality {sid}: missing requisites on" in done.stdout, done.stdout
            report = json.loads((root / "snapshots" / sid / "reports" / "quality.json")
                                .read_text(encoding="utf-8"))
            assert report["snapshot_id"] == sid and report["lineage"]["checked"] > 0
        finally:
            proc.terminate()
            proc.wait(30)
    return root


def _runs(cmd: list[str]) -> bool:
    return subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0


@contextlib.contextmanager
def _files_read_only(root: Path) -> Iterator[None]:
    modes = {p: p.stat().st_mode for p in [root, *root.rglob("*")]}
    for path, mode in modes.items():
        path.chmod(mode & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


@contextlib.contextmanager
def read_only_view(root: Path, scratch: Path) -> Iterator[tuple[Path, list[str]]]:
    """(path of a read-only view of `root`, command prefix to run a command against it)."""
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if os.geteuid() != 0:
        with _files_read_only(root):
            yield root, []
        return
    mnt = scratch / "ro-mount"
    mnt.mkdir()
    if _runs(["mount", "--bind", str(root), str(mnt)]):
        try:
            if not _runs(["mount", "-o", "remount,ro,bind", str(mnt)]):
                pytest.fail("bind mount made, but could not remount it read-only")
            with pytest.raises(OSError):
                (mnt / ".probe").touch()
            yield mnt, []
        finally:
            subprocess.run(["umount", str(mnt)], check=True, timeout=60)
        return
    # Root without mount rights (a container): root minus the capabilities that let it
    # ignore file modes obeys them, so read-only files bind it as they bind any user.
    no_dac = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    if shutil.which("setpriv") and _runs([*no_dac, sys.executable, "-c", "pass"]):
        with _files_read_only(root):
            assert not _runs([*no_dac, "touch", str(root / ".probe")]), "still root"
            yield root, no_dac
        return
    if ci:
        pytest.fail("CI: no way to make a read-only archive (no bind mount, no setpriv)")
    pytest.skip("cannot make a read-only archive here: no bind mount and no setpriv")


def commands(archive: Path, out: Path) -> list[tuple[list[str], str]]:
    """(command line, text its standard output must contain), as users type them."""
    n3 = archive / "snapshots" / "N3"
    lines = list(read_cdxj(n3 / "indexes" / "index.cdxj"))
    revisit = next(x.fields["url"] for x in lines if x.fields.get("mime") == "warc/revisit")
    page = next(x.fields["url"] for x in lines if x.fields.get("mime") == "text/html"
                and "/news/" in x.fields["url"])
    warcs = sorted(str(p) for p in (n3 / "warcs").glob("*.warc.gz"))
    arch = ["--archive", str(archive)]
    loader = ("from pipelines.loader import load_table, list_snapshots\n"
              f"a = {str(archive)!r}\n"
              "print(list_snapshots(a), len(load_table('articles', archive=a, latest=True)))")
    return [
        ([*CLI, "verify", *arch], "OK: 2 snapshot(s)"),
        ([*CLI, "verify", "N3", "--json", *arch], '"ok": true'),
        ([*CLI, "snapshots", *arch], "N3"),
        ([*CLI, "wacz", "N3", "--out", str(out / "n3.wacz"), *arch], "original record(s)"),
        ([*CLI, "diff", "N0", "N3", "--format", "md", *arch], "#"),
        ([*CLI, "diff", "previous", "latest", "--out", str(out / "diff.html"), *arch],
         "report:"),
        ([*CLI, "history", page, *arch], "capture(s) in 2 snapshot(s)"),
        ([*CLI, "show", revisit, "--out", str(out / "payload"), *arch], ""),
        ([*CLI, "show", page, *arch], "<html"),
        ([*CLI, "qa", "latest", *arch], "N3: missing requisites on"),
        ([*CLI, "extract", *warcs, "--snapshot", "copy", "--archive", str(out / "other"),
          "--jobs", "1"], "captures from 1 WARC file(s)"),
        ([sys.executable, "-c", loader], "['N0', 'N3']"),
    ]


# What opens the dedup index or a snapshot's files beyond reading Parquet: run on the
# writable archive too (the pandas-only commands cannot create files there).
TOUCHY = {"verify", "wacz", "history", "show", "extract", "qa"}


def run_all(archive: Path, out: Path, prefix: list[str], only: set[str] | None = None) -> None:
    for cmd, expect in commands(archive, out):
        if only is not None and (cmd[:len(CLI)] != CLI or cmd[len(CLI)] not in only):
            continue
        done = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=300,
                              cwd=REPO)
        assert done.returncode == 0, f"{cmd[1:3]}: {done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
        assert expect in done.stdout, f"{cmd[1:3]}: {done.stdout[-2000:]}"
    assert (out / "n3.wacz").stat().st_size > 0
    assert (out / "payload").stat().st_size > 0
    assert json.loads((out / "other" / "snapshots" / "copy" / "manifest.json").read_text())[
        "status"] == "closed"


def test_read_only_archive_serves_every_reading_command(archive, tmp_path):
    before = tree_state(archive)
    with read_only_view(archive, tmp_path) as (view, prefix):
        out = tmp_path / "out"
        out.mkdir()
        run_all(view, out, prefix)
        assert (out / "diff.html").read_text(encoding="utf-8").lstrip().startswith("<!")
    assert tree_state(archive) == before


def test_reading_commands_leave_a_writable_archive_as_it_was(archive, tmp_path):
    """No lock, journal, report or index file is left behind (nor an mtime changed)."""
    before = tree_state(archive)
    run_all(archive, tmp_path, [], only=TOUCHY)
    assert tree_state(archive) == before


def test_serve_qa_and_search_on_a_read_only_archive(archive, tmp_path):
    """The browser (with pywb replay), `qa` and `search` on read-only storage: they answer,
    and the archive is left as it was (search builds its derived index in the user's cache)."""
    import urllib.request

    before = tree_state(archive)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with read_only_view(archive, tmp_path) as (view, prefix):
        arch = ["--archive", str(view)]
        for cmd, expect in (([*CLI, "qa", "N3", *arch], "N3"),
                            ([*CLI, "search", "tỉnh", "--limit", "3", *arch], "http")):
            done = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=300,
                                  cwd=REPO, env=env)
            assert done.returncode == 0, f"{cmd[1:3]}: {done.stderr[-2000:]}"
            assert expect in done.stdout, done.stdout[-2000:]
        port = free_port()
        server = subprocess.Popen([*prefix, *CLI, "serve", "--port", str(port), *arch],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  cwd=REPO, env=env)
        try:
            wait_for_port(port, server)
            for path in ("/", "/snapshot/N3", f"/url?u={archive_page(view)}"):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
                    assert r.status == 200 and b"<html" in r.read(), path
            # The search page finds the index `search` built in the cache, and searches it.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=t%E1%BB%89nh",
                                        timeout=60) as r:
                assert r.status == 200 and b'class="hit ' in r.read()
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert tree_state(archive) == before


def archive_page(archive: Path) -> str:
    """An article URL the archive holds (percent-encoded for a query string)."""
    from urllib.parse import quote

    lines = read_cdxj(archive / "snapshots" / "N3" / "indexes" / "index.cdxj")
    return quote(next(x.fields["url"] for x in lines if "/news/" in x.fields["url"]), safe="")
