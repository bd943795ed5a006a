"""End to end on crawled snapshots: two nights of the replica crawled by `portal-archive crawl`,
then `verify`, `diff` against the replica's ground truth, `history` and `show`.

The replica runs in a child process on one fixed free port for both nights (so URLs are the
same on both nights, as on a real portal); each crawl runs in its own process (Scrapy's
reactor cannot restart inside one process).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import pytest

from replica import ReplicaConfig, Site

ARTICLES = 60
NIGHT_A, NIGHT_B = 0, 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def replica(night: int, port: int):
    code = ("import sys\nfrom replica.config import ReplicaConfig\n"
            "from replica.server import serve_forever\n"
            f"serve_forever(ReplicaConfig(articles={ARTICLES}, night={night}), {port})\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("http://"), f"replica did not start: {line!r}"
        yield line
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal_archive", *args], capture_output=True,
                          text=True, timeout=600, cwd=Path(__file__).resolve().parent.parent)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("crawled")
    port = free_port()
    for night, sid in ((NIGHT_A, "N0"), (NIGHT_B, "N3")):
        with replica(night, port) as base:
            done = cli("crawl", base + "/", "--archive", str(root), "--snapshot", sid,
                       "--delay", "0", "--concurrency", "8", "--no-progress")
            assert done.returncode == 0, done.stderr[-2000:]
    return root, f"http://127.0.0.1:{port}"


@pytest.mark.slow
def test_verify_passes_on_crawled_snapshots(crawled):
    root, _ = crawled
    done = cli("verify", "--archive", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[0].startswith("OK: 2 snapshot(s)")


@pytest.mark.slow
def test_diff_of_crawled_snapshots_matches_ground_truth(crawled):
    root, base = crawled
    done = cli("diff", "N0", "N3", "--archive", str(root), "--format", "json")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    truth = Site(ReplicaConfig(articles=ARTICLES, night=NIGHT_B)).changes(NIGHT_A, NIGHT_B)
    assert truth["changed"] and truth["added"] and truth["removed"]
    assert {(i["kind"], i["key"]): sorted(i["fields"]) for i in got["changed"]} == \
        {(i["kind"], i["key"]): sorted(i["fields"]) for i in truth["changed"]}
    assert sorted((i["kind"], i["key"]) for i in got["added"]) == \
        sorted((i["kind"], i["key"]) for i in truth["added"])
    # A crawl that follows links does not fetch the removed articles again: they are
    # reported missing, each either with the truth's reason (if B fetched the URL) or as
    # not captured, and never as a deletion without evidence.
    reasons = {(i["kind"], i["key"]): i["reason"] for i in truth["removed"]}
    assert {(i["kind"], i["key"]) for i in got["removed"]} == set(reasons)
    for item in got["removed"]:
        assert item["reason"] in (reasons[(item["kind"], item["key"])], "not_captured")
        assert item["deleted"] == (item["reason"] != "not_captured")
        assert item["deleted"] == ("b" in item)


@pytest.mark.slow
def test_history_and_show_of_an_edited_article(crawled):
    root, base = crawled
    truth = Site(ReplicaConfig(articles=ARTICLES, night=NIGHT_B)).changes(NIGHT_A, NIGHT_B)
    edited = next(c for c in truth["changed"] if "title" in c["fields"])
    url = base + edited["url"]
    done = cli("history", url, "--json", "--archive", str(root))
    assert done.returncode == 0, done.stderr
    caps = json.loads(done.stdout)
    assert [c["snapshot_id"] for c in caps] == ["N0", "N3"]
    assert caps[1]["change"] == "changed" and caps[0]["status"] == 200
    old = Site(ReplicaConfig(articles=ARTICLES, night=NIGHT_A)).model.article(
        edited["key"], NIGHT_A).title
    new = Site(ReplicaConfig(articles=ARTICLES, night=NIGHT_B)).model.article(
        edited["key"], NIGHT_B).title
    shown_a = cli("show", url, "--at", "N0", "--archive", str(root))
    shown_b = cli("show", url, "--archive", str(root))
    assert shown_a.returncode == shown_b.returncode == 0
    # some replica pages are served NFD: compare in NFC
    page_a, page_b = (unicodedata.normalize("NFC", s.stdout) for s in (shown_a, shown_b))
    assert old in page_a and new not in page_a
    assert new in page_b
