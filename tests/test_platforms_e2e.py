"""End to end on the replica's platforms (issue 14 item 5): crawl, extract, nightly and diff.

Per platform, as a user runs it: the replica serves night 0 on a loopback port; `crawl` with
no `--platform` (the platform is detected on the home page, and the manifest says so) must
capture every canonical URL of the replica's ground truth and no trap URL; `extract` of its
WARCs gives the same items; the replica then serves night 1 on the same port, `nightly` runs
(re-checking every known item, datasets, diff report); and `diff` of
the two nights equals the replica's ground truth (`Site.changes`): added, removed (withdrawn)
and changed items with their changed fields, matched by item key (the platform's own id, or
the canonical URL where it shows none). Small replicas (≤ 30 articles) keep this quick.
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
from e2e import CLI, cli, crawl, free_port, wait_for_port

from replica import ReplicaConfig, Site

ARTICLES, SEED = 12, 1
# A custom site (ASP.NET, no structured metadata) has no platform profile: its archivist
# writes a short site profile, as docs/profiles.md shows, and crawls with --profile.
CUSTOM_SITE = """
[profile]
name = "custom-aspx-portal"
platform = "generic"
extends = "generic"

[site]
seeds = ["/", "/favicon.ico"]

[urls]
article = ['^/vn/chuyen-muc/\\d+/\\d+/[\\w-]+\\.aspx$']
document = ['^/vn/van-ban/\\d+/[\\w-]+\\.aspx$']
document_listing = ['^/vn/van-ban\\.aspx']
listing = ['^/$', '^/vn/chuyen-muc/\\d+/[\\w-]+\\.aspx']
trap = ['^/vn/in-bai\\.aspx', '^/vn/gui-email\\.aspx', '^/vn/tim-kiem\\.aspx']
id = ['^/vn/chuyen-muc/\\d+/(\\d+)/', '^/vn/van-ban/(\\d+)/']

[soft_404]
patterns = ['Không tìm thấy trang']
selectors = [".notfound"]
"""
# Platform → the site profile the crawl is given (None: detected on the home page).
PLATFORMS = {"upload-portal": None, "liferay": None, "sharepoint": None, "dotnetnuke": None,
             "wordpress": None, "custom": CUSTOM_SITE}


@contextlib.contextmanager
def serve(platform: str, night: int, port: int) -> Iterator[str]:
    """`portal-archive replica` for one night on `port` (the same port every night: a nightly
    crawl re-checks the items it knows on the portal's own host)."""
    proc = subprocess.Popen([*CLI, "replica", "--port", str(port), "--articles", str(ARTICLES),
                             "--seed", str(SEED), "--night", str(night), "--platform", platform],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def truth_site(platform: str, night: int) -> Site:
    return Site(ReplicaConfig(articles=ARTICLES, seed=SEED, night=night, platform=platform))


def pages(archive: Path, snapshot_id: str, folder: str = "datasets") -> list[dict]:
    return pq.read_table(archive / "snapshots" / snapshot_id / folder / "pages.parquet",
                         columns=["url", "status", "page_type"]).to_pylist()


def items(archive: Path, snapshot_id: str, table: str) -> set[str]:
    path = archive / "snapshots" / snapshot_id / "datasets" / f"{table}.parquet"
    return set(pq.read_table(path, columns=["item_key"]).column("item_key").to_pylist())


def closed_ids(archive: Path) -> list[str]:
    out = []
    for manifest in sorted((archive / "snapshots").glob("*/manifest.json")):
        if json.loads(manifest.read_text(encoding="utf-8"))["status"] == "closed":
            out.append(manifest.parent.name)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_crawl_extract_nightly_and_diff_equal_the_ground_truth(tmp_path, platform):
    archive = tmp_path / "archive"
    port = free_port()
    site0, site1 = truth_site(platform, 0), truth_site(platform, 1)
    options: list[str] = []
    if PLATFORMS[platform]:
        (tmp_path / "site.toml").write_text(PLATFORMS[platform], encoding="utf-8")
        options = ["--profile", str(tmp_path / "site.toml")]

    # Night 0: a plain crawl, the platform detected on the home page (or the site profile).
    with serve(platform, 0, port) as base:
        crawl(base, archive, "--snapshot", "20260101T000000Z", *options)
    (first,) = closed_ids(archive)
    manifest = json.loads((archive / "snapshots" / first / "manifest.json").read_text())
    if options:
        assert manifest["site_profile"]["chosen_by"] == "option"
        assert (archive / "snapshots" / first / "profile.toml").is_file()
    else:
        assert manifest["platform"] == platform
        assert manifest["site_profile"]["chosen_by"] == "detected"
    origin = base.rstrip("/")
    captured = {p["url"] for p in pages(archive, first)}
    expected = {origin + u for u in site0.canonical_urls()}
    assert expected - captured == set(), "the crawl missed canonical URLs"
    traps = [re.compile(p) for p in site0.platform.trap_patterns]
    trapped = [u for u in captured
               if any(t.search(urlsplit(u).path + "?" + urlsplit(u).query) for t in traps)]
    assert trapped == []
    articles0 = items(archive, first, "articles")
    assert len(articles0) >= ARTICLES * 0.8  # kept, with their keys (none rejected)

    # `extract` of the same WARCs (no network) gives the same items, with the crawl's profile
    # (a platform's, and a site profile file); once per kind keeps the module short.
    if platform in ("upload-portal", "custom"):
        warcs = sorted(str(p) for p in (archive / "snapshots" / first / "warcs").glob("*.gz"))
        cli("extract", *warcs, "--archive", str(archive), "--snapshot", "20260101T000001Z",
            "--jobs", "1")
        assert items(archive, "20260101T000001Z", "articles") == articles0

    # Night 1: the scheduled command, then the diff of the two nights.
    with serve(platform, 1, port) as base:
        # --full: every known page is due (the night-0 captures are seconds old), so the
        # withdrawn article is re-checked and found gone.
        nightly = cli("nightly", base, "--archive", str(archive), "--delay", "0",
                      "--concurrency", "8", "--format", "json", "--full")
    assert nightly.stdout.startswith("OK"), nightly.stdout
    second = closed_ids(archive)[-1]
    manifest = json.loads((archive / "snapshots" / second / "manifest.json").read_text())
    assert manifest["site_profile"]["chosen_by"] == "previous"
    assert manifest["platform"] == (platform if not options else "generic")
    got = json.loads(cli("diff", first, second, "--archive", str(archive), "--format",
                         "json").stdout)
    truth = site1.changes(0, 1, origin)
    assert truth["added"] and truth["removed"] and truth["changed"]  # the test can fail

    def by_url(group: list[dict]) -> set[tuple[str, str]]:
        return {(i["kind"], i["url"]) for i in group}

    assert by_url(got["added"]) == by_url(truth["added"])
    assert by_url(got["removed"]) == by_url(truth["removed"])
    assert all(r["deleted"] for r in got["removed"])
    assert {(i["kind"], i["url"]): sorted(i["fields"]) for i in got["changed"]} == \
        {(i["kind"], i["url"]): sorted(i["fields"]) for i in truth["changed"]}
    # The keys are the truth's: the platform's own id, else the URL (without the host).
    for group in ("added", "removed", "changed"):
        want = {i["url"]: i["key"] for i in truth[group]}
        for item in got[group]:
            key = want[item["url"]]
            assert str(item["key"]) in (key, urlsplit(key).path), (group, item["key"], key)
