"""End to end on the enterprise replica platforms (issue 14 item 5): Liferay, SharePoint, DNN.

Per platform, as a user runs it, one crawl per night shared by the tests of the module: the
replica serves night 0 on a loopback port and `crawl` (no `--platform`: detected on the home
page) archives it; the replica then serves night 2 on the same port and `nightly --full` re-checks
every known item. The tests hold the crawl to the replica's ground truth:
- complete: every canonical URL of the night captured, and no URL matching the platform's
  trap patterns (maximized portlets, print views, sign-in forms, PageView/Mobile variants …);
- `extract` of the night-0 WARCs gives exactly the night's articles and documents, keyed by
  the platform's own ids (Liferay articleId / document id, SharePoint ItemID, DNN ArticleID
  / ItemID), the truth's `key`; SharePoint's full-text page is no second document;
- `diff` of night 0 and night 2 equals `replica --changes 0 2` (added, removed, changed by
  URL and key, with the changed fields).
25 articles: past the first page of Liferay's and SharePoint's listings (20 a page), so their
paged listing URLs are part of what must be captured and typed as listings.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest
from e2e import CLI, cli, crawl, free_port, replica_args, wait_for_port, warc_paths

from replica import ReplicaConfig, Site

ARTICLES, SEED, LAST_NIGHT = 25, 1, 2
PLATFORMS = ["liferay", "sharepoint", "dotnetnuke"]
FIRST, EXTRACTED = "20260101T000000Z", "20260101T000001Z"

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def serve(platform: str, night: int, port: int) -> Iterator[str]:
    """`portal-archive replica` for one night on `port` (the same port every night: a nightly
    crawl re-checks the items it knows on the portal's own host)."""
    proc = subprocess.Popen(
        [*CLI, "replica", "--port", str(port),
         *replica_args(articles=ARTICLES, seed=SEED, night=night, platform=platform)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def truth_site(platform: str, night: int) -> Site:
    return Site(ReplicaConfig(articles=ARTICLES, seed=SEED, night=night, platform=platform))


def truth_items(site: Site) -> dict[str, set[str]]:
    """Keys of the articles and documents the replica shows at its night."""
    p = site.platform
    return {"articles": {p.article_key(k) for k in p.alive_articles(site)},
            "documents": {p.document_key(k) for k in range(1, p.document_total(site) + 1)}}


def path_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def table(archive: Path, snapshot_id: str, name: str, columns: list[str]) -> list[dict]:
    path = archive / "snapshots" / snapshot_id / "datasets" / f"{name}.parquet"
    return pq.read_table(path, columns=columns).to_pylist()


def closed_ids(archive: Path) -> list[str]:
    out = []
    for manifest in sorted((archive / "snapshots").glob("*/manifest.json")):
        if json.loads(manifest.read_text(encoding="utf-8"))["status"] == "closed":
            out.append(manifest.parent.name)
    return out


@pytest.fixture(scope="module", params=PLATFORMS)
def nights(request, tmp_path_factory) -> dict:
    """Night 0 crawled, night 2 re-checked by `nightly`, on one archive per platform."""
    platform = request.param
    archive = tmp_path_factory.mktemp(platform) / "archive"
    port = free_port()
    with serve(platform, 0, port) as origin:
        crawl(origin + "/", archive, "--snapshot", FIRST)
    with serve(platform, LAST_NIGHT, port) as origin:
        # --full: every known page is due (the night-0 captures are seconds old), so the
        # withdrawn articles are re-checked and found gone.
        nightly = cli("nightly", origin + "/", "--archive", str(archive), "--delay", "0",
                      "--concurrency", "8", "--format", "json", "--full")
    return {"platform": platform, "archive": archive, "origin": origin, "nightly": nightly,
            "second": closed_ids(archive)[-1]}


def test_crawl_is_complete_and_follows_no_trap(nights):
    platform, archive, origin = nights["platform"], nights["archive"], nights["origin"]
    manifest = json.loads((archive / "snapshots" / FIRST / "manifest.json").read_text())
    assert (manifest["platform"], manifest["site_profile"]["chosen_by"]) == (platform,
                                                                             "detected")
    site = truth_site(platform, 0)
    pages = table(archive, FIRST, "pages", ["url", "status", "page_type"])
    captured = {p["url"] for p in pages}
    expected = {origin + u for u in site.canonical_urls()}
    assert sorted(expected - captured) == [], "the crawl missed canonical URLs"
    traps = [re.compile(p) for p in site.platform.trap_patterns]
    assert [u for u in captured if any(t.search(path_query(u)) for t in traps)] == []
    # Listings past their first page are listings, not articles (their URLs carry the
    # platform's paging parameters), and only item pages are typed as items.
    paths = canonical_item_paths(site)
    for page_type, kind in (("article", "articles"), ("document_detail", "documents")):
        typed = {p["url"] for p in pages if p["page_type"] == page_type}
        assert typed == {origin + u for u in paths[kind]}, page_type


def canonical_item_paths(site: Site) -> dict[str, set[str]]:
    p = site.platform
    return {"articles": {p.article_path(site, k) for k in p.alive_articles(site)},
            "documents": {p.document_path(site, k)
                          for k in range(1, p.document_total(site) + 1)}}


def test_extract_keys_items_by_the_platform_ids(nights):
    platform, archive = nights["platform"], nights["archive"]
    warcs = [str(p) for p in warc_paths(archive, FIRST)]
    cli("extract", *warcs, "--archive", str(archive), "--snapshot", EXTRACTED, "--jobs", "1")
    truth = truth_items(truth_site(platform, 0))
    assert len(truth["documents"]) >= 5
    for snapshot_id in (FIRST, EXTRACTED):  # what the crawl wrote and what extract makes
        for name in ("articles", "documents"):
            keys = [r["item_key"] for r in table(archive, snapshot_id, name, ["item_key"])]
            assert sorted(keys) == sorted(truth[name]), (snapshot_id, name)  # once each
    docs = table(archive, EXTRACTED, "documents", ["item_key", "number", "issued_on"])
    assert all(d["number"] and d["issued_on"] for d in docs)
    files = table(archive, EXTRACTED, "document_files", ["item_key", "url"])
    assert {f["item_key"] for f in files} == truth["documents"]  # every document's files


def test_nightly_runs_and_the_diff_equals_the_ground_truth(nights):
    platform, archive, origin = nights["platform"], nights["archive"], nights["origin"]
    assert nights["nightly"].stdout.startswith("OK"), nights["nightly"].stdout
    second = nights["second"]
    manifest = json.loads((archive / "snapshots" / second / "manifest.json").read_text())
    assert (manifest["platform"], manifest["site_profile"]["chosen_by"]) == (platform,
                                                                             "previous")
    got = json.loads(cli("diff", FIRST, second, "--archive", str(archive), "--format",
                         "json").stdout)
    truth = truth_site(platform, LAST_NIGHT).changes(0, LAST_NIGHT, origin)
    assert truth["added"] and truth["removed"] and truth["changed"]  # the test can fail

    def by_url(group: list[dict]) -> set[tuple[str, str, str]]:
        return {(i["kind"], i["url"], str(i["key"])) for i in group}

    assert by_url(got["added"]) == by_url(truth["added"])
    assert by_url(got["removed"]) == by_url(truth["removed"])
    assert all(r["deleted"] for r in got["removed"])
    assert {(i["kind"], i["url"], str(i["key"])): sorted(i["fields"]) for i in got["changed"]} \
        == {(i["kind"], i["url"], i["key"]): sorted(i["fields"]) for i in truth["changed"]}
