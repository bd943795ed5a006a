"""The archive browser in a real browser: headless Chromium (Debian) through Selenium, on the
demo archive (two nights of the replica, crawled by `portal-archive demo`; the replica is
stopped once the demo ends, so every page and image shown comes from the archive).

Every page visited must load without a server error and without a console error, and every
link on it must answer below 400."""

from __future__ import annotations

import http.client
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import browser_driver as bd
import e2e
import pyarrow.parquet as pq
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from audit.history import url_captures

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory) -> Path:
    bd.require_chromium()
    archive = tmp_path_factory.mktemp("browser") / "demo-archive"
    out = e2e.cli("demo", "--archive", str(archive), "--articles", "30").stdout
    # `make demo` ends with the command that opens the browser on its archive.
    last = out.strip().splitlines()[-1]
    assert last.startswith("browse it: ") and f"serve --archive {archive}" in last, last
    return archive


@pytest.fixture(scope="module")
def app(demo_archive):
    with bd.serve(demo_archive) as base:
        yield base.rstrip("/")


@pytest.fixture(scope="module")
def driver():
    with bd.chromium() as drv:
        yield drv


@pytest.fixture(scope="module")
def checked() -> set[str]:
    return set()


def _status(url: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def not_archived(archive: Path, error: str) -> bool:
    """A replayed page's 404 for a URL the archive holds no capture of: a gap in the crawl
    (the capture-quality report's business), not a replay fault."""
    m = re.match(r"(\S+)/archive/\d{14}[a-z]{2}_/(\S+) - Failed to load resource: the server "
                 r"responded with a status of 404", error)
    return bool(m) and not url_captures(archive, m.group(2))


def visit(driver, url: str, checked: set[str], shot: str | None = None, allow=None):
    """Open `url`; fail on a server error, a console error or a broken link on the page."""
    driver.get(url)
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Internal Server Error" not in body and "Traceback" not in body, url
    if shot == "replay":
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(
            "const f = document.getElementById('replay');"
            "return f && f.contentDocument === null || "
            "(f.contentDocument && f.contentDocument.readyState === 'complete')"))
    errors = [e for e in bd.console_errors(driver) if not (allow and allow(e))]
    assert not errors, f"console errors on {url}: {errors}"
    hrefs = {a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href]")}
    for href in sorted(h for h in hrefs if h and h not in checked):
        checked.add(href)
        # Only the app's own pages: never the live portal (its URL is text beside the link).
        assert href.startswith("{0.scheme}://{0.netloc}/".format(urlsplit(url))), \
            f"{url} links off the archive: {href}"
        assert _status(href) < 400, f"broken link on {url}: {href}"
    if shot:
        bd.screenshot(driver, shot)
    return body


def test_portal_snapshot_and_timeline(driver, app, demo_archive, checked):
    body = visit(driver, app + "/", checked, "portals")
    assert "Portals" in body  # Chromium asks for English (en-US)
    driver.find_element(By.CSS_SELECTOR, "a[href^='/portal/']").click()
    body = visit(driver, driver.current_url, checked, "portal")
    sids = e2e.snapshot_ids(demo_archive)
    assert all(s in body for s in sids)
    # The second night's card gives its changes against the first and links to that diff.
    diff_link = driver.find_element(By.CSS_SELECTOR, "ol.timeline a.diff")
    assert sids[0] in diff_link.text and sids[1] in diff_link.text
    driver.find_element(By.LINK_TEXT, sids[1]).click()
    body = visit(driver, driver.current_url, checked, "snapshot")
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
            for r in driver.find_elements(By.CSS_SELECTOR, "#datasets tr")[1:]}
    articles = pq.ParquetFile(demo_archive / "snapshots" / sids[1] / "datasets"
                              / "articles.parquet").metadata.num_rows
    assert rows["articles"] == str(articles)
    assert "article" in driver.find_element(By.ID, "pages-by-type").text


def diff_items(archive: Path) -> list[dict]:
    from audit.diff import diff_snapshots

    return diff_snapshots(archive, *e2e.snapshot_ids(archive))["changed"]


def _changed_article(archive: Path) -> dict:
    return next(i for i in diff_items(archive)
                if i["kind"] == "article" and "body_text" in i["fields"])


def test_item_with_two_versions(driver, app, demo_archive, checked):
    item = _changed_article(demo_archive)
    body = visit(driver, f"{app}/item/article/{item['key']}", checked, "item")
    versions = driver.find_elements(By.CSS_SELECTOR, "section.version")
    assert len(versions) == 2
    change = versions[1].find_element(By.CSS_SELECTOR, ".changes").text
    assert "body_text" in change
    old, new = item["changes"]["body_text"]["a"], item["changes"]["body_text"]["b"]
    ins = " ".join(e.text for e in versions[1].find_elements(By.TAG_NAME, "ins"))
    assert any(word in ins for word in set(new.split()) - set(old.split()))
    assert item["b"]["warc_record_id"] in body  # lineage of the new version
    assert "present" in driver.find_element(By.ID, "states").text


def test_diff_of_two_nights_filtered(driver, app, demo_archive, checked):
    a, b = e2e.snapshot_ids(demo_archive)
    body = visit(driver, f"{app}/diff?a={a}&b={b}", checked, "diff")
    assert f"A = {a}" in body and f"B = {b}" in body
    # Links of the report go to archived captures, the live URL is text beside them.
    for link in driver.find_elements(By.CSS_SELECTOR, ".report a[href]"):
        assert urlsplit(link.get_attribute("href")).path == "/replay"
    item = _changed_article(demo_archive)
    others = [i for i in diff_items(demo_archive) if "body_text" not in i["fields"]]
    visit(driver, f"{app}/diff?a={a}&b={b}&kind=article&field=body_text", checked)
    headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, ".report h3")]
    assert headings and all(h.startswith("article") for h in headings)
    assert any(h.startswith(f"article {item['key']}:") for h in headings)
    assert not any(h.startswith(f"{o['kind']} {o['key']}:") for o in others for h in headings)
    fields = {f.text for f in driver.find_elements(By.CSS_SELECTOR, ".report .field .name")}
    assert fields == {"body_text"}


def test_url_history(driver, app, demo_archive, checked):
    item = _changed_article(demo_archive)
    visit(driver, f"{app}/url?u={quote(item['url'], safe='')}", checked, "url")
    rows = driver.find_elements(By.CSS_SELECTOR, "#captures tr")[1:]
    changes = [r.get_attribute("class") for r in rows]
    assert changes[0] == "change-first" and "change-changed" in changes


def test_replay_of_an_archived_article_with_the_replica_stopped(driver, app, demo_archive,
                                                                  checked):
    a, b = e2e.snapshot_ids(demo_archive)
    arts = pq.read_table(demo_archive / "snapshots" / b / "datasets" / "articles.parquet",
                         columns=["page_url", "title", "body_text", "image_count",
                                  "captured_at"]).to_pylist()
    art = next(r for r in arts if r["image_count"] > 0)
    host = urlsplit(art["page_url"]).netloc
    with pytest.raises(OSError):  # the portal is gone: nothing below can come from it
        http.client.HTTPConnection(*host.split(":"), timeout=5).request("GET", "/")
    ts = art["captured_at"].strftime("%Y%m%d%H%M%S")
    visit(driver, f"{app}/replay?url={quote(art['page_url'], safe='')}&ts={ts}", checked,
          "replay", allow=lambda e: not_archived(demo_archive, e))
    banner = driver.find_element(By.ID, "replay-banner").text
    assert art["page_url"] in banner
    frame = driver.find_element(By.ID, "replay")
    replay_origin = "{0.scheme}://{0.netloc}".format(urlsplit(frame.get_attribute("src")))
    assert replay_origin != app
    driver.switch_to.frame(frame)
    try:
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        # The portal may send decomposed Vietnamese; the datasets hold NFC.
        assert nfc(art["title"]) in nfc(driver.execute_script("return document.title"))
        text = driver.find_element(By.TAG_NAME, "body").text
        paragraph = " ".join(max(art["body_text"].split("\n"), key=len).split())
        assert nfc(paragraph[:80]) in nfc(" ".join(text.split()))
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.currentSrc, i.complete, "
            "i.naturalWidth])")
        archived, revisits = [], 0
        for src, complete, width in images:
            assert src.startswith(replay_origin + "/archive/"), src
            original = src.split("_/", 1)[1]
            captures = url_captures(demo_archive, original)
            if captures:
                archived.append(original)
                assert complete and width > 0, f"archived image not replayed: {src}"
                # Unchanged images are revisit records on the second night: pywb shows the
                # first night's payload for them.
                revisits += any(c.snapshot_id == b and c.record_type == "revisit"
                                for c in captures)
        assert len(archived) >= art["image_count"] and revisits > 0
    finally:
        driver.switch_to.default_content()
    assert not bd.console_errors(driver)


def test_language_switch_to_vietnamese(driver, app, checked):
    driver.get(app + "/")
    driver.find_element(By.CSS_SELECTOR, "a[hreflang='vi']").click()
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Cổng thông tin" in body and "Giờ Việt Nam" in body
    bd.screenshot(driver, "portals-vi")
    assert urljoin(driver.current_url, "/") == app + "/"
    driver.find_element(By.CSS_SELECTOR, "a[hreflang='en']").click()
    assert "Portals" in driver.find_element(By.TAG_NAME, "body").text


def test_capture_quality_command_and_page(driver, app, demo_archive, checked):
    import json

    from replica import ReplicaConfig, Site

    a, b = e2e.snapshot_ids(demo_archive)
    out = e2e.cli("qa", b, "--archive", str(demo_archive), "--json").stdout
    report = json.loads(out)
    # Status regressions are exactly the replica's withdrawals answered with a 404.
    truth = Site(ReplicaConfig(articles=30, seed=1, night=0)).changes(0, 1)["removed"]
    gone = {urlsplit(u["url"]).path for u in truth if u["reason"] == "http_404"}
    assert {urlsplit(e["url"]).path for e in report["status_regressions"]["examples"]} == gone
    assert report["status_regressions"]["previous"] == a
    # Every requisite reported missing has indeed no capture anywhere in the archive.
    missing = [u for e in report["missing_requisites"]["examples"] for u in e["missing"]]
    assert missing and not any(url_captures(demo_archive, u) for u in missing)
    # The rows re-parsed from the WARC records their lineage names are the rows.
    assert report["lineage"]["checked"] > 0 and report["lineage"]["count"] == 0
    assert report["truncated"]["count"] == 0 and report["parsed_to_nothing"]["count"] == 0
    body = visit(driver, f"{app}/snapshot/{b}/quality", checked, "quality")
    assert "Status regressions (200 → 404/5xx)" in body
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
            for r in driver.find_elements(By.CSS_SELECTOR, "#quality tr")[1:]}
    assert rows["Status regressions (200 → 404/5xx)"] == str(len(gone))
    # The withdrawn article's state on each night: present, then withdrawn (HTTP 404).
    key = next(u["key"] for u in truth if u["reason"] == "http_404" and u["kind"] == "article")
    visit(driver, f"{app}/item/article/{key}", checked)
    states = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#states tr")[1:]]
    assert states[0].endswith("present") and "withdrawn (HTTP 404, since " in states[1]


def test_search_a_phrase_and_follow_a_hit_to_its_replayed_capture(driver, app, demo_archive,
                                                                   checked):
    from selenium.webdriver.common.keys import Keys

    driver.get(app + "/")
    box = driver.find_element(By.CSS_SELECTOR, "header form.searchbox input[name=q]")
    box.send_keys('"bao ve rung"', Keys.ENTER)  # typed without diacritics
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/search")
    visit(driver, driver.current_url, checked, "search")
    hits = driver.find_elements(By.CSS_SELECTOR, "#hits li.hit")
    assert hits
    marks = {nfc(m.text).lower() for m in driver.find_elements(By.CSS_SELECTOR, ".snippet mark")}
    assert marks == {"bảo vệ rừng"}, marks
    # The timeline of the phrase, across the two nights.
    driver.find_element(By.ID, "timeline-link").click()
    visit(driver, driver.current_url, checked, "search-timeline")
    nights = driver.find_elements(By.CSS_SELECTOR, "#phrase-nights tr:first-child a")
    assert [n.text for n in nights] == e2e.snapshot_ids(demo_archive)
    driver.back()
    # Follow the first article hit to its archived capture (the replica is stopped).
    hit = next(h for h in driver.find_elements(By.CSS_SELECTOR, "#hits li.hit")
               if "kind-article" in h.get_attribute("class"))
    title = hit.find_element(By.CSS_SELECTOR, ".title").text
    hit.find_element(By.CSS_SELECTOR, "a.replay").click()
    WebDriverWait(driver, 30).until(lambda d: urlsplit(d.current_url).path == "/replay")
    visit(driver, driver.current_url, checked, allow=lambda e: not_archived(demo_archive, e))
    driver.switch_to.frame(driver.find_element(By.ID, "replay"))
    try:
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        assert nfc(title) in nfc(driver.execute_script("return document.title"))
        assert "bảo vệ rừng" in nfc(driver.find_element(By.TAG_NAME, "body").text).lower()
    finally:
        driver.switch_to.default_content()
    assert not [e for e in bd.console_errors(driver) if not not_archived(demo_archive, e)]


def test_replay_for_a_browser_on_another_machine(driver, demo_archive):
    """`serve --host` other than loopback: pywb is also served on that address (its own port,
    so its own origin) behind the app's token, which the browser sends as the app's cookie."""
    token = "t0ken-for-the-test"
    arts = pq.read_table(demo_archive / "snapshots" / e2e.snapshot_ids(demo_archive)[1]
                         / "datasets" / "articles.parquet",
                         columns=["page_url", "title", "captured_at"]).to_pylist()
    art = arts[0]
    # 127.0.0.2 is not one of the loopback names the app trusts: it is served as any other
    # address would be (token required), and a browser here can reach it.
    with bd.serve(demo_archive, "--host", "127.0.0.2", "--token", token) as address:
        app = address.split("?", 1)[0].rstrip("/")
        driver.get(address)  # the token, traded for the cookie
        ts = art["captured_at"].strftime("%Y%m%d%H%M%S")
        driver.get(f"{app}/replay?url={quote(art['page_url'], safe='')}&ts={ts}")
        frame = driver.find_element(By.ID, "replay")
        src = urlsplit(frame.get_attribute("src"))
        assert src.hostname == "127.0.0.2" and f"{src.scheme}://{src.netloc}" != app
        # Without the token the replay origin answers nothing of the archive.
        conn = http.client.HTTPConnection(src.hostname, src.port, timeout=30)
        conn.request("GET", src.path)
        assert conn.getresponse().status == 401
        conn.close()
        driver.switch_to.frame(frame)
        try:
            WebDriverWait(driver, 30).until(
                lambda d: d.execute_script("return document.readyState") == "complete")
            assert nfc(art["title"]) in nfc(driver.execute_script("return document.title"))
            images = driver.execute_script(
                "return Array.from(document.images).map(i => i.currentSrc)")
            assert images and all(i.startswith(f"{src.scheme}://{src.netloc}/archive/")
                                  for i in images)
        finally:
            driver.switch_to.default_content()
        errors = [e for e in bd.console_errors(driver) if not not_archived(demo_archive, e)]
        assert not errors, errors
