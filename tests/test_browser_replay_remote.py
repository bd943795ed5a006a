"""Replay for a browser on another machine: `serve --host` other than loopback serves pywb on
that address too, on its own port, behind the app's token (browser/replay_proxy.py).

`serve` and pywb run as users run them (the CLI, real pywb) over a one-night archive written as
a crawl writes it; 127.0.0.2 stands for the other address (the app trusts only the usual
loopback names, so it is served exactly as a LAN address would be: token required)."""

from __future__ import annotations

import contextlib
import http.client
import re
import signal
import socket
import subprocess
from datetime import UTC, datetime
from urllib.parse import urlsplit

import e2e
import pytest

from archive.dedup import DedupIndex
from archive.snapshot import close_snapshot, create_snapshot
from archive.warc import Capture, SnapshotWarcWriter

pytestmark = pytest.mark.slow

HOST = "127.0.0.2"
TOKEN = "a-token-for-the-test"
SID = "20261127T190000Z"
PORTAL = "http://127.0.0.1:8080"
PAGE = PORTAL + "/vi/news/bao-ve-rung-1.html"
# A path with Vietnamese letters, percent-encoded as a browser sends it.
OTHER = PORTAL + "/vi/t%C3%ACm-ki%E1%BA%BFm.html"
WHEN = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
TS = WHEN.strftime("%Y%m%d%H%M%S")


def html(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><p>{body}</p><a href='{OTHER}'>tìm kiếm</a></body></html>").encode()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("replay-remote")
    snap = create_snapshot(root, SID, profile="nukeviet4", seeds=[PORTAL + "/"])
    with DedupIndex(root / "dedup.sqlite3") as idx:
        writer = SnapshotWarcWriter(snap.path, SID, "127.0.0.1:8080", dedup=idx,
                                    archive_root=root)
        for url, body in ((PAGE, html("Bảo vệ rừng", "Bảo vệ rừng mùa khô")),
                          (OTHER, html("Tìm kiếm", "Trang có đường dẫn tiếng Việt"))):
            writer.write_capture(Capture(
                url=url, status=200, body=body, fetched_at=WHEN,
                response_headers=[("Content-Type", "text/html; charset=utf-8")]))
        writer.close()
        close_snapshot(root, SID, dedup=idx)
    return root


@contextlib.contextmanager
def serve(archive, *extra: str):
    """`serve --host 127.0.0.2`; yields (app origin, replay origin, pywb's own origin)."""
    proc = subprocess.Popen([*e2e.CLI, "serve", "--archive", str(archive), "--host", HOST,
                             "--token", TOKEN, "--port", "0", "--no-verify", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
        assert first.startswith("archive browser on "), first + proc.stderr.read()
        m = re.match(r"replay \(pywb\) on (http://\S+)/archive/ \(the same token; pywb itself "
                     r"on (http://\S+)\)", second)
        assert m, second
        yield first.split(" on ", 1)[1].split("/?", 1)[0], m.group(1), m.group(2)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(origin: str, target: str, method: str = "GET", **headers: str):
    parts = urlsplit(origin)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, target, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_replay_is_served_on_the_address_behind_the_token(archive):
    with serve(archive) as (app, replay, pywb):
        assert urlsplit(app).hostname == urlsplit(replay).hostname == HOST
        assert app != replay and urlsplit(pywb).hostname == "127.0.0.1"
        # The app's replay page frames the replay origin, on the host name the browser used.
        status, headers, body = get(app, f"/replay?url={PAGE}&ts={TS}",
                                    Authorization=f"Bearer {TOKEN}")
        assert status == 200
        src = re.search(r'<iframe id="replay" src="([^"]+)"', body).group(1)
        assert src == f"{replay}/archive/{TS}/{PAGE}"
        assert f"frame-src {replay};" in headers["Content-Security-Policy"]
        path = urlsplit(src).path
        # No token, a wrong one, or a method that is not GET/HEAD: nothing of the archive.
        assert get(replay, path)[0] == 401
        assert get(replay, path, Cookie="pa_token=wrong")[0] == 401
        assert get(replay, path, "POST", Cookie=f"pa_token={TOKEN}")[0] == 405
        assert get(replay, "/collections/", Cookie=f"pa_token={TOKEN}")[0] == 404
        # With the app's cookie: the archived page, its links rewritten to the replay origin
        # the browser used (pywb got the Host header as sent), never to pywb's own address.
        status, headers, body = get(replay, path, Cookie=f"pa_token={TOKEN}")
        assert status == 200 and "Bảo vệ rừng mùa khô" in body
        assert f"{replay}/archive/" in body and pywb not in body
        assert "default-src" in headers.get("Content-Security-Policy", "")  # pywb's CSP
        # A percent-encoded Vietnamese path reaches pywb as it was sent.
        status, _, body = get(replay, f"/archive/{TS}/{OTHER}",
                              Authorization=f"Bearer {TOKEN}")
        assert status == 200 and "Trang có đường dẫn tiếng Việt" in body
        # pywb itself still listens on loopback only.
        with pytest.raises(OSError):
            socket.create_connection((HOST, urlsplit(pywb).port), 5).close()


def test_a_busy_replay_port_is_one_line(archive):
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([*e2e.CLI, "serve", "--archive", str(archive), "--host", HOST,
                               "--token", TOKEN, "--port", "0", "--no-verify",
                               "--replay-port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [f"portal-archive serve: error: cannot listen on {HOST}:{port} for "
                     f"replay: Address already in use"], lines
