"""The archive browser's safety: no traversal out of the archive, read-only, a token off
loopback, archived scripts kept on the replay origin, escaped archived text, a CSP; and its
languages (Accept-Language, the switch, NFC).

The archive is small and hostile: the sample portal of `archive.samples` plus a page whose
script tries to read the app's origin, and whose title is markup in decomposed Unicode."""

from __future__ import annotations

import hashlib
import http.client
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import browser_driver as bd
import e2e
import pytest

from archive.dedup import DedupIndex
from archive.samples import article_html, sample_captures
from archive.snapshot import close_snapshot, create_snapshot, warc_files
from archive.warc import Capture, SnapshotWarcWriter
from browser.app import create_app
from pipelines.extract import extract_warcs

BASE = "http://127.0.0.1:8080"
EVIL_URL = f"{BASE}/index.php?language=vi&nv=news&op=thoi-su/bai-viet-99-1099.html"
TITLE = unicodedata.normalize("NFD", "<b>Tiêu đề</b> độc hại")
APP_MARKER = "portal-archive"  # in the footer of every app page


def evil_page(app_port: int) -> bytes:
    """A NukeViet article (so its title reaches the datasets) with a hostile title and a
    script that tries to read the app's origin and its parent page."""
    script = f"""<pre id="out"></pre><script>
var out = ["origin:" + location.origin];
function probe(name, f) {{
  try {{ out.push(name + ":" + String(f()).replace(/\\s+/g, "_")); }}
  catch (e) {{ out.push(name + ":blocked"); }}
}}
probe("parent", function () {{ return parent.document.title; }});
probe("top", function () {{ return top.document.title; }});
probe("toploc", function () {{ return top.location.href; }});
probe("computed", function () {{ return window["par" + "ent"].document.title; }});
probe("frame", function () {{ return window.frameElement; }});
probe("realorigin", function () {{ return self.origin; }});
fetch("http://127.0.0.1:{app_port}/", {{credentials: "include"}})
  .then(function (r) {{ return r.text(); }})
  .then(function (t) {{
    out.push(t.indexOf("{APP_MARKER}") >= 0 ? "fetch:LEAK" : "fetch:no-app"); }})
  .catch(function () {{ out.push("fetch:blocked"); }})
  .then(function () {{ document.getElementById("out").textContent = out.join(" ");
                      document.body.setAttribute("data-done", "1"); }});
</script></body>"""
    html = article_html(99).decode()
    html = html.replace("Hội nghị triển khai nhiệm vụ năm 2026 số 99",
                        TITLE.replace("&", "&amp;").replace("<", "&lt;"))
    return html.replace("</body>", script).encode()


def build_archive(root: Path, app_port: int) -> str:
    idx = DedupIndex(root / "dedup.sqlite3")
    snap = create_snapshot(root, "S1", profile="nukeviet4", seeds=[BASE + "/"])
    with SnapshotWarcWriter(snap.path, "S1", "127.0.0.1:8080", dedup=idx) as writer:
        for cap in sample_captures():
            writer.write_capture(cap)
        body = evil_page(app_port)
        writer.write_capture(Capture(
            url=EVIL_URL, request_headers=[("User-Agent", "test")], status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body)))],
            body=body, fetched_at=datetime(2026, 11, 27, 19, 30, tzinfo=UTC)))
    # Datasets are built before the snapshot closes (a closed snapshot is immutable).
    extract_warcs([str(p) for p in warc_files(snap.path)], "S1", archive_root=root,
                  out_dir=snap.path / "datasets", progress=False)
    close_snapshot(root, "S1", dedup=idx)
    idx.close()
    return "S1"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "archive"
    port = e2e.free_port()
    build_archive(root, port)
    return root, port


@pytest.fixture(scope="module")
def client(hostile):
    app = create_app(hostile[0], replay_base="http://127.0.0.1:9", port=8500)
    app.extensions["verifier"].join(60)
    yield app.test_client()
    app.extensions["cleanup"]()


def get(client, path: str, **kw):
    return client.get(path, base_url="http://127.0.0.1:8500", **kw)


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_path_traversal_is_refused(hostile):
    root, port = hostile
    with bd.serve(root, "--no-replay", "--no-verify", port=e2e.free_port()) as base:
        for path in ("/snapshot/../manifest.json", "/snapshot/..%2F..%2Fetc/datasets/x.csv",
                     "/snapshot/S1/datasets/..%2Fmanifest.json",
                     "/snapshot/S1/datasets/..%2F..%2F..%2Fdedup.sqlite3",
                     "/snapshot/S1/datasets/articles.parquet%00.csv",
                     "/snapshot/%2E%2E/datasets/articles.csv", "/static/..%2F..%2Fbrowser/app.py",
                     "/static/../app.py", "/portal/..%2F..", "/item/article/..%2F1",
                     "/item/..%2Fsnapshots/1", "/snapshot/S1/pages?type=../../etc"):
            status, _, body = e2e.http_get(base, path)
            if path.endswith("type=../../etc"):  # a filter value, not a path: no such pages
                assert status == 200 and b"(0)" in body
                continue
            assert status in (400, 404), (path, status)
            assert b"snapshot_id" not in body and b"import " not in body, path
        for query in ("u=file:///etc/passwd", "u=..%2F..%2Fetc%2Fpasswd"):
            status, _, body = e2e.http_get(base, "/url", query)
            assert status == 400 and b"root:" not in body
        status, _, _ = e2e.http_get(base, "/replay", "url=file:///etc/passwd&ts=20261127000000")
        assert status == 400
        status, headers, _ = e2e.http_get(base, "/lang/en", "next=//evil.example/")
        assert status == 302 and headers["Location"] == "/"


def test_token_is_required_off_loopback(hostile):
    root, _ = hostile
    # 127.0.0.2 is not one of the loopback names, so it counts as "told otherwise"; traffic
    # stays on this machine.
    with bd.serve(root, "--host", "127.0.0.2", "--no-replay", "--no-verify") as address:
        m = re.match(r"(http://127\.0\.0\.2:\d+)/\?token=(\S+)$", address)
        assert m, address
        base, token = m.groups()

        def request(path: str, headers: dict | None = None):
            conn = http.client.HTTPConnection("127.0.0.2", int(base.rsplit(":", 1)[1]),
                                              timeout=30)
            try:
                conn.request("GET", path, headers=headers or {})
                resp = conn.getresponse()
                return resp.status, resp.getheader("Set-Cookie") or "", resp.read()
            finally:
                conn.close()

        for path in ("/", "/snapshot/S1", "/snapshot/S1/datasets/articles.csv", "/diff",
                     "/search?q=x", "/search/timeline?phrase=x"):
            status, _, body = request(path)
            assert status == 401 and APP_MARKER.encode() not in body, path
        assert request("/", {"Authorization": "Bearer wrong"})[0] == 401
        assert request("/?token=wrong")[0] == 401
        status, cookie, _ = request(f"/?token={token}")
        assert status == 302 and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert request("/", {"Cookie": cookie.split(";")[0]})[0] == 200
        assert request("/snapshot/S1", {"Authorization": f"Bearer {token}"})[0] == 200


def test_read_only_and_headers(hostile, client):
    root, _ = hostile
    before = tree_digest(root)
    paths = ["/", "/portal/127.0.0.1", "/snapshot/S1", "/snapshot/S1/pages",
             "/snapshot/S1/datasets/pages.csv", "/snapshot/S1/wacz", "/item/article/1001",
             f"/url?u={quote(EVIL_URL)}", f"/replay?url={quote(EVIL_URL)}&ts=20261127193000",
             "/diff", "/lang/en?next=/", "/search?q=x", "/search/timeline?phrase=x"]
    for path in paths:
        resp = get(client, path)
        assert resp.status_code in (200, 302), (path, resp.status_code)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp  # no script at all on the app's pages
        assert "frame-src http://127.0.0.1:9;" in csp  # frames: the replay origin only
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/", base_url="http://127.0.0.1:8500").status_code == 405
    # A page served under another host name (DNS rebinding) is refused.
    assert client.get("/", base_url="http://evil.example:8500").status_code == 403
    assert tree_digest(root) == before


def test_archived_text_is_escaped_and_nfc(client):
    resp = get(client, "/item/article/1099", headers={"Accept-Language": "vi"})
    text = resp.get_data(as_text=True)
    assert "<b>Tiêu" not in text
    assert unicodedata.normalize("NFC", "&lt;b&gt;Tiêu đề&lt;/b&gt; độc hại") in text
    assert unicodedata.normalize("NFD", "Tiêu đề") not in text
    assert "<script>" not in text and "fetch(" not in text  # archived HTML never inserted


def test_language_by_accept_language_and_switch(client):
    client = client.application.test_client()  # no language cookie yet
    assert "Portals" in get(client, "/", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
    assert "Cổng thông tin" in get(client, "/", headers={"Accept-Language": "vi-VN"}).text
    assert "Cổng thông tin" in get(client, "/").text  # the portals' language by default
    client.get("/lang/en?next=/", base_url="http://127.0.0.1:8500")
    resp = get(client, "/snapshot/S1", headers={"Accept-Language": "vi"})
    assert "Datasets" in resp.text  # the switch wins over the browser's preference
    client.get("/lang/vi?next=/", base_url="http://127.0.0.1:8500")
    # Dates in the portal's time zone: 19:25 UTC is 02:25 the next day in Hà Nội.
    assert "28/11/2026 02:25:12" in get(client, f"/url?u={quote(BASE + '/')}").text


@pytest.mark.slow
def test_archived_script_cannot_read_the_app(hostile):
    """The archived page's script runs on pywb's origin: whatever it tries (its parent, the
    top frame, a fetch of the app with credentials), it gets nothing of the app's."""
    root, port = hostile
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with bd.serve(root, "--no-verify", port=port) as base, bd.chromium() as driver:
        app = base.rstrip("/")
        driver.get(f"{app}/replay?url={quote(EVIL_URL, safe='')}&ts=20261127193000")
        app_title = driver.title
        frame = driver.find_element(By.ID, "replay")
        src = frame.get_attribute("src")
        replay_origin = re.match(r"https?://[^/]+", src).group(0)
        driver.switch_to.frame(frame)
        WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-done") == "1")
        out = driver.find_element(By.ID, "out").text.split()
        real_origin = driver.execute_script("return window.location.origin")
        driver.switch_to.default_content()
        assert real_origin == replay_origin != app
        assert any(o.startswith("fetch:") for o in out) and "frame:null" in out, out
        assert "fetch:LEAK" not in out
        leaked = [o for o in out if APP_MARKER in o or app_title.split()[0] in o]
        assert not leaked, leaked
        assert driver.current_url.startswith(app + "/replay")  # the app page stayed put
        # And the replayed page may load nothing from another origin (the live web, the app).
        _, headers, _ = e2e.http_get(replay_origin, urlsplit(src).path, urlsplit(src).query)
        csp = headers["Content-Security-Policy"]
        assert re.search(r"default-src [^;]*'self'", csp) and "http" not in csp


def test_serve_bad_input_is_one_line(hostile, tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = e2e.cli("serve", "--archive", str(hostile[0]), "--port", str(port),
                       "--no-replay", check=False, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"portal-archive serve: error: cannot listen on 127.0.0.1:{port}: "
        "Address already in use"]
    proc = e2e.cli("serve", "--archive", str(tmp_path), check=False, timeout=60)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "holds no snapshots" in proc.stderr
