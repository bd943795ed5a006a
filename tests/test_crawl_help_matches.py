"""`crawl --help` and docs/crawl.md say what the crawl does (issue 12, item 8): `--max-pages N`
gives N captures (it gave 10 for 3), and the default concurrency is the code's."""

from __future__ import annotations

import re

import pytest
from e2e import REPO, cli, crawl, read_records, replica_args, replica_process, warc_paths


@pytest.mark.slow
@pytest.mark.parametrize("pages", [3])
def test_max_pages_n_gives_n_captures(pages, tmp_path):
    archive = tmp_path / "archive"
    with replica_process(*replica_args(articles=30, seed=4)) as base:
        done = crawl(base, archive, "--max-pages", str(pages))
    assert f"closed: {pages} captures" in done.stdout
    (sid,) = [p.name for p in (archive / "snapshots").iterdir()]
    records = [r for path in warc_paths(archive, sid) for r in read_records(path)]
    captures = [r for r in records if r["type"] in ("response", "revisit")]
    assert len(captures) == pages  # read back with warcio, not from our own counters
    log = (archive / "snapshots" / sid / "logs" / "crawl.log").read_text(encoding="utf-8")
    assert "Closing spider (closespider_pagecount)" in log
    assert "fetch failed" not in log  # requests not sent are not fetch errors


def test_concurrency_default_is_the_same_in_help_docs_and_code():
    from scraper import settings

    per_host, overall = settings.CONCURRENT_REQUESTS_PER_DOMAIN, settings.CONCURRENT_REQUESTS
    wording = f"default {per_host} per host, {overall} overall"
    help_text = " ".join(cli("crawl", "--help").stdout.split())
    assert wording in help_text
    doc = (REPO / "docs" / "crawl.md").read_text(encoding="utf-8")
    row = next(x for x in doc.splitlines() if x.startswith("| `--concurrency N`"))
    assert wording in row
    max_pages = re.search(r"--max-pages N\s+(.*?)--concurrency", help_text).group(1)
    assert "at most N captures" in max_pages
