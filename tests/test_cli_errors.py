"""Every subcommand, given each kind of bad argument, answers with exactly one line on stderr
and a non-zero status, never a traceback (issue 12, item 5).

The kinds: `--archive` naming a plain file (every command), an archive that does not exist
(every command that only reads), a read-only archive (every command that writes: a read-only
bind mount in a user namespace, since root ignores `chmod`), a full disk (RLIMIT_FSIZE fails
writes with EFBIG as a full disk fails them with ENOSPC), and bad values (a date that does not
exist, unknown ids, bad numbers). All through the installed `portal-archive` script.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest
from e2e import CLI

from archive.dedup import DedupIndex
from archive.samples import sample_captures
from archive.snapshot import close_snapshot, create_snapshot
from archive.warc import SnapshotWarcWriter

READS = ["snapshots", "wacz", "diff", "verify", "history", "show", "serve", "qa", "search",
         "index"]
WRITES = ["crawl", "nightly", "extract", "demo", "worker"]
# These take --archive like every command, but do not use it.
UNUSED = ["replica", "parse", "detect", "profile"]
# Reads ARCHIVE/portals.toml when there, writes it only on `portals add` (a read-only archive
# still lists); so it needs neither an existing nor a writable archive.
UNUSED += ["portals"]
EVERY = ["demo", "replica", "crawl", "nightly", "parse", "extract", "detect", "profile", "worker",
         *READS]
EVERY += ["portals"]
SID_A, SID_B = "20261126T010000Z", "20261127T010000Z"
URL = "http://127.0.0.1:9/"  # nothing listens on the discard port: no command gets that far


def test_the_lists_cover_every_subcommand():
    from portal_archive.cli import COMMAND_MODULES

    assert sorted(EVERY) == sorted(COMMAND_MODULES) == sorted(READS + WRITES + UNUSED)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Two closed snapshots of realistic captures (the second all revisits)."""
    root = tmp_path_factory.mktemp("cli-errors") / "archive"
    root.mkdir()
    idx = DedupIndex(root / "dedup.sqlite3")
    for sid in (SID_A, SID_B):
        snap = create_snapshot(root, sid, profile="nukeviet4", seeds=["http://127.0.0.1:8080/"])
        with SnapshotWarcWriter(snap.path, sid, "127.0.0.1:8080", dedup=idx) as writer:
            for capture in sample_captures():
                writer.write_capture(capture)
        close_snapshot(root, sid, dedup=idx)
    idx.close()
    return root


def warc(archive: Path) -> str:
    return str(next((archive / "snapshots" / SID_A / "warcs").glob("*.warc.gz")))


def args_for(command: str, archive: Path, tmp: Path) -> list[str]:
    """A well-formed invocation of `command` on `archive` (what differs is the archive)."""
    return {
        "demo": ["demo", "--articles", "3"],
        "replica": ["replica", "--list-urls"],
        "crawl": ["crawl", URL, "--no-progress"],
        "nightly": ["nightly", URL],
        "parse": ["parse", str(tmp / "page.html")],
        "detect": ["detect", URL],
        "profile": ["profile", "check", "nukeviet"],
        "extract": ["extract", warc(archive), "--snapshot", "20261128T010000Z"],
        "snapshots": ["snapshots"],
        "wacz": ["wacz", "latest", "--out", str(tmp / "x.wacz")],
        "diff": ["diff", "previous", "latest"],
        "verify": ["verify"],
        "history": ["history", "http://127.0.0.1:8080/"],
        "show": ["show", "http://127.0.0.1:8080/"],
        "serve": ["serve", "--no-replay"],
        "qa": ["qa", "latest"],
        "search": ["search", "quyet dinh"],
        "index": ["index"],
        "worker": ["worker", "--redis", "redis://127.0.0.1:9/0"],
        "portals": ["portals", "list"],
    }[command] + ["--archive", str(archive)]


def one_line_failure(proc: subprocess.CompletedProcess, command: str) -> str:
    lines = proc.stderr.splitlines()
    assert proc.returncode != 0, f"exit 0; stdout: {proc.stdout[-500:]}"
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"portal-archive {command}: error: "), lines[0]
    return lines[0]


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *argv], capture_output=True, text=True, timeout=120, **kwargs)


@pytest.mark.parametrize("command", EVERY)
def test_archive_naming_a_plain_file(command, archive, tmp_path):
    plain = tmp_path / "archive.txt"
    plain.write_text("not an archive\n")
    (tmp_path / "page.html").write_text("<html><body><p>x</p></body></html>")
    argv = args_for(command, archive, tmp_path)
    argv[-1] = str(plain)
    line = one_line_failure(run(argv, cwd=tmp_path), command)
    assert f"--archive {plain} is a file" in line
    assert plain.read_text() == "not an archive\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.txt", "page.html"]


@pytest.mark.parametrize("command", READS)
def test_read_command_on_an_archive_that_does_not_exist(command, archive, tmp_path):
    missing = tmp_path / "no-such-archive"
    argv = args_for(command, archive, tmp_path)
    argv[-1] = str(missing)
    line = one_line_failure(run(argv, cwd=tmp_path), command)
    assert f"archive {missing} does not exist" in line
    assert not missing.exists() and not (tmp_path / "archive-data").exists()


def _readonly_mounts_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


def readonly(path: Path, argv: list[str]) -> list[str]:
    """`argv` run with `path` bind-mounted read-only over itself (a user + mount namespace)."""
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "-rm", "sh", "-c", script, str(path), *argv]


@pytest.mark.parametrize("command", WRITES)
def test_write_command_on_a_read_only_archive(command, archive, tmp_path):
    if not _readonly_mounts_work():
        if os.environ.get("CI") == "true":
            pytest.fail("unshare -rm (user namespaces) is needed for read-only archive tests")
        pytest.skip("no user namespaces here for a read-only bind mount")
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    before = sorted(p.relative_to(copy) for p in copy.rglob("*"))
    argv = args_for(command, copy, tmp_path)
    proc = subprocess.run(readonly(copy, [*CLI, *argv]), capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    line = one_line_failure(proc, command)
    assert f"archive {copy} is not writable" in line
    assert sorted(p.relative_to(copy) for p in copy.rglob("*")) == before


def _file_size_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return apply


@pytest.mark.parametrize("command", ["extract", "wacz"])
def test_full_disk(command, archive, tmp_path):
    target = tmp_path / "archive"
    if command == "extract":  # datasets of a new snapshot, written into a fresh archive
        argv = ["extract", warc(archive), "--snapshot", SID_A, "--archive", str(target)]
    else:
        argv = args_for("wacz", archive, tmp_path)
    proc = run(argv, cwd=tmp_path, preexec_fn=_file_size_limit(4096))
    line = one_line_failure(proc, command)
    # wacz may first fail in SQLite, which writes to the dedup index as it opens it.
    assert "File too large" in line or "dedup.sqlite3): disk I/O error" in line, line
    assert not (tmp_path / "x.wacz").exists()  # no half package left behind


@pytest.mark.parametrize("argv, expected", [
    (["show", "http://127.0.0.1:8080/", "--at", "20261299T000000Z"],
     "cannot read the date '20261299T000000Z'"),
    (["show", "http://127.0.0.1:8080/", "--at", "2026-02-30"], "cannot read the date"),
    (["history", "http://127.0.0.1:8080/never-captured.html"], "no capture of"),
    (["verify", "20990101T000000Z"], "20990101T000000Z"),
    (["wacz", "20990101T000000Z"], "no snapshot '20990101T000000Z'"),
    (["diff", "20990101T000000Z", "latest"], "no snapshot '20990101T000000Z'"),
    (["snapshots", "--colour"], "unrecognized arguments: --colour"),
    (["crawl", "--no-progress"], "give the portal URL to crawl"),
    (["crawl", URL, "--delay", "soon"], "argument --delay: invalid float value: 'soon'"),
    (["nightly", URL, "--max-pages", "many"], "argument --max-pages: invalid int value"),
    (["demo", "--theme", "nukeviet5"], "argument --theme: invalid choice: 'nukeviet5'"),
    (["replica", "--error-rate", "2"], "a rate must be between 0 and 1"),
    (["parse", "no-such-page.html"], "no-such-page.html: no such file"),
    (["extract", "no-such.warc.gz", "--snapshot", SID_A], "no such WARC file"),
])
def test_bad_values(argv, expected, archive, tmp_path):
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    proc = run([*argv, "--archive", str(copy)], cwd=tmp_path)
    line = one_line_failure(proc, argv[0])
    assert expected in line
