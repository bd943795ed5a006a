"""End-to-end: crawl the replica twice, read every WARC back, check completeness and dedup."""

from __future__ import annotations

import base64
import gzip
import hashlib
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from e2e import (
    BIN,
    canonical_urls,
    cli,
    crawl,
    http_get,
    pywb_server,
    read_records,
    replica_args,
    replica_process,
    snapshot_ids,
    warc_paths,
)

pytestmark = pytest.mark.slow

ARGS = replica_args(articles=60, seed=7, theme="custom2015")
TRAP_MARKS = ("/print/", "/savefile/", "/sendmail/", "nocache=", "/en/", "nv=comment",
              "language=", "scaptcha=", "nv_redirect=")


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    archive = tmp_path_factory.mktemp("archive")
    with replica_process(*ARGS) as base:
        first = crawl(base, archive)
        second = crawl(base, archive)
        expected = canonical_urls(base, *ARGS)
    first_id, second_id = snapshot_ids(archive)
    return {"archive": archive, "base": base, "ids": (first_id, second_id),
            "out": (first.stdout, second.stdout), "expected": expected}


def records_of(archive: Path, snapshot_id: str) -> list[dict]:
    out = []
    for path in warc_paths(archive, snapshot_id):
        for rec in read_records(path):
            rec["file"] = path.name
            out.append(rec)
    return out


def captured_urls(records: list[dict]) -> list[str]:
    return [r["headers"]["WARC-Target-URI"] for r in records
            if r["type"] in ("response", "revisit")]


def test_both_snapshots_close(two_crawls):
    archive = two_crawls["archive"]
    for sid in two_crawls["ids"]:
        manifest = pd.read_json(archive / "snapshots" / sid / "manifest.json", typ="series")
        assert manifest["status"] == "closed"
    assert "closed" in two_crawls["out"][0]


def test_every_canonical_url_is_captured_and_no_trap(two_crawls):
    records = records_of(two_crawls["archive"], two_crawls["ids"][0])
    got = set(captured_urls(records))
    expected = two_crawls["expected"]
    assert len(expected) > 100
    missing = sorted(expected - got)
    assert not missing, f"{len(missing)} canonical URLs not captured, e.g. {missing[:10]}"
    traps = [u for u in got if any(mark in u for mark in TRAP_MARKS)]
    assert not traps


def test_no_url_captured_twice_in_one_snapshot(two_crawls):
    records = records_of(two_crawls["archive"], two_crawls["ids"][0])
    counts = Counter(captured_urls(records))
    assert [u for u, n in counts.items() if n > 1] == []


def test_every_warc_passes_warcio_check(two_crawls):
    archive = two_crawls["archive"]
    for sid in two_crawls["ids"]:
        paths = warc_paths(archive, sid)
        assert paths
        proc = subprocess.run([str(BIN / "warcio"), "check", *map(str, paths)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_index_built_during_the_crawl_is_cdxj_indexers(two_crawls, tmp_path):
    from archive.cdxj import build_cdxj

    archive = two_crawls["archive"]
    for sid in two_crawls["ids"]:
        snap = archive / "snapshots" / sid
        build_cdxj(warc_paths(archive, sid), tmp_path / f"{sid}.cdxj")
        assert (snap / "indexes" / "index.cdxj").read_bytes() == \
            (tmp_path / f"{sid}.cdxj").read_bytes()
        assert not (snap / "state").exists()


def test_warc_structure_pairs_and_request_lines(two_crawls):
    records = records_of(two_crawls["archive"], two_crawls["ids"][0])
    first = records[0]
    assert first["type"] == "warcinfo"
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in records}
    requests = [r for r in records if r["type"] == "request"]
    responses = [r for r in records if r["type"] == "response"]
    assert len(requests) == len(responses) + sum(r["type"] == "revisit" for r in records)
    for req in requests:
        assert req["headers"]["WARC-Concurrent-To"] in by_id
        partner = by_id[req["headers"]["WARC-Concurrent-To"]]
        assert partner["headers"]["WARC-Target-URI"] == req["headers"]["WARC-Target-URI"]
        # The request line carries path and query, as sent.
        url = urlsplit(req["headers"]["WARC-Target-URI"])
        target = url.path + (f"?{url.query}" if url.query else "")
        assert req["http"].protocol == "GET" and req["http"].statusline.startswith(target)
    assert any("?" in r["http"].statusline for r in requests), "no query string ever requested"
    for rec in records:
        assert rec["headers"]["WARC-Type"] in ("warcinfo", "request", "response", "revisit",
                                               "metadata")
        if rec["type"] != "warcinfo":
            assert rec["headers"]["WARC-Date"].endswith("Z")


def test_gzip_responses_are_stored_raw_with_correct_digests(two_crawls):
    records = records_of(two_crawls["archive"], two_crawls["ids"][0])
    gz = [r for r in records if r["type"] == "response"
          and (r["http"].get_header("Content-Encoding") or "").lower() == "gzip"]
    assert gz, "the replica gzips HTML for clients that accept it; none archived encoded"
    for rec in gz:
        assert rec["raw"][:2] == b"\x1f\x8b"  # still compressed, as received
        assert gzip.decompress(rec["raw"])
        assert rec["headers"]["WARC-Payload-Digest"] == sha1_b32(rec["raw"])


def test_second_crawl_of_unchanged_site_is_mostly_revisits(two_crawls):
    archive = two_crawls["archive"]
    first_id, second_id = two_crawls["ids"]
    second = records_of(archive, second_id)
    captures = [r for r in second if r["type"] in ("response", "revisit")]
    revisits = [r for r in captures if r["type"] == "revisit"]
    ok = [r for r in captures if r["http"] and r["http"].get_statuscode().startswith("2")]
    assert len(revisits) >= 0.95 * len(ok), (len(revisits), len(ok))
    for rec in revisits:
        h = rec["headers"]
        assert h["WARC-Profile"].endswith("/revisit/identical-payload-digest")
        assert h["WARC-Refers-To"] and h["WARC-Refers-To-Target-URI"] and h["WARC-Refers-To-Date"]
    first_bytes = sum(p.stat().st_size for p in warc_paths(archive, first_id))
    second_bytes = sum(p.stat().st_size for p in warc_paths(archive, second_id))
    assert second_bytes <= 0.10 * first_bytes, (first_bytes, second_bytes)


def test_crawl_datasets_equal_extract_datasets(two_crawls, tmp_path):
    archive = two_crawls["archive"]
    sid = two_crawls["ids"][0]
    other = tmp_path / "rebuilt"
    cli("extract", *map(str, warc_paths(archive, sid)), "--snapshot", sid,
        "--archive", str(other), "--jobs", "2")
    for table in ("pages", "articles", "article_authors", "images", "documents",
                  "document_files", "document_listings", "rejects"):
        a = pd.read_parquet(archive / "snapshots" / sid / "datasets" / f"{table}.parquet")
        b = pd.read_parquet(other / "snapshots" / sid / "datasets" / f"{table}.parquet")
        keys = [c for c in ("warc_file", "warc_offset", "position") if c in a.columns]
        a = a.sort_values(keys).reset_index(drop=True)
        b = b.sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=table)
    articles = pd.read_parquet(archive / "snapshots" / sid / "datasets" / "articles.parquet")
    assert len(articles) >= 60


def test_archived_article_replays_in_pywb_as_served(two_crawls, tmp_path):
    from replica import ReplicaConfig, Site

    archive = two_crawls["archive"]
    sid = two_crawls["ids"][0]
    base = two_crawls["base"]
    site = Site(ReplicaConfig(articles=60, seed=7, theme="custom2015"))
    articles = sorted(u for u in two_crawls["expected"] if u.endswith(".html") and "/news/" in u)
    assert articles
    with pywb_server(tmp_path, warc_paths(archive, sid)) as pywb:
        replays = [(url, http_get(pywb, f"/c/2026id_/{url}")) for url in articles[:5]]
    for url, (status, _headers, body) in replays:
        assert status == 200, (url, status)
        live_status, _, live_body = site.render(urlsplit(url).path, base=base.rstrip("/"),
                                                session_known=True)
        assert live_status == 200
        assert body == live_body, url


def test_metadata_records_carry_fetch_time_hops_via_and_outlinks(two_crawls):
    records = records_of(two_crawls["archive"], two_crawls["ids"][0])
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in records}
    pages = 0
    for rec in records:
        if rec["type"] != "metadata":
            continue
        fields = dict(line.split(": ", 1) for line in rec["raw"].decode().splitlines() if line)
        assert "fetchedAt" in fields
        response = by_id[rec["headers"]["WARC-Concurrent-To"]]
        ctype = response["http"].get_header("Content-Type") or ""
        if response["http"].get_statuscode() == "200" and "html" in ctype:
            assert int(fields["outlinks"]) > 10
            pages += 1
        if response["headers"]["WARC-Target-URI"].endswith(".html"):  # an article
            assert fields["hopsFromSeed"] and fields["via"].startswith("http")
    assert pages > 50


def test_requests_carry_the_linking_page_as_referer(two_crawls):
    # The spider sets Referer itself (not RefererMiddleware): the page a link was found on,
    # as the metadata record's `via` says; seeds were found on no page and send none.
    records = records_of(two_crawls["archive"], two_crawls["ids"][0])
    request_of = {r["headers"]["WARC-Concurrent-To"]: r for r in records if r["type"] == "request"}
    with_via = without_via = 0
    for rec in records:
        if rec["type"] != "metadata":
            continue
        fields = dict(line.split(": ", 1) for line in rec["raw"].decode().splitlines() if line)
        request = request_of[rec["headers"]["WARC-Concurrent-To"]]
        referer = request["http"].get_header("Referer")
        if fields.get("via"):
            assert referer == fields["via"], request["headers"]["WARC-Target-URI"]
            with_via += 1
        elif "robots.txt" not in request["headers"]["WARC-Target-URI"]:
            assert referer is None, request["headers"]["WARC-Target-URI"]
            without_via += 1
    assert with_via > 100 and without_via >= 1


def test_depth_limit_stops_at_that_many_links_from_a_seed(tmp_path):
    archive = tmp_path / "archive"
    with replica_process(*ARGS) as base:
        crawl(base, archive, "--set", "DEPTH_LIMIT=1")
    (sid,) = snapshot_ids(archive)
    hops = Counter()
    for path in warc_paths(archive, sid):
        for rec in read_records(path):
            if rec["type"] == "metadata":
                fields = dict(line.split(": ", 1) for line in rec["raw"].decode().splitlines()
                              if line)
                hops[len(fields.get("hopsFromSeed", ""))] += 1
    assert hops[0] >= 1 and hops[1] > 10
    assert max(hops) == 1, hops


def test_warcs_written_by_the_crawler_itself_hold_the_same_captures(two_crawls, tmp_path):
    # Normally the dataset worker writes the records; PORTAL_WARC_IN_WORKER=false (and every
    # resumed crawl) has the crawler process write them, with the same result.
    archive = tmp_path / "archive"
    with replica_process(*ARGS) as base:
        crawl(base, archive, "--set", "PORTAL_WARC_IN_WORKER=false")
    (sid,) = snapshot_ids(archive)

    def captures(archive_dir, snapshot_id):
        return sorted(
            (urlsplit(r["headers"]["WARC-Target-URI"])._replace(netloc="").geturl(),
             r["http"].get_statuscode(), r["type"])
            for r in records_of(archive_dir, snapshot_id) if r["type"] in ("response", "revisit"))

    assert captures(archive, sid) == captures(two_crawls["archive"], two_crawls["ids"][0])
    proc = subprocess.run([str(BIN / "warcio"), "check", *map(str, warc_paths(archive, sid))],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    rows = pd.read_parquet(archive / "snapshots" / sid / "datasets" / "pages.parquet")
    assert len(rows) == len(captures(archive, sid))
