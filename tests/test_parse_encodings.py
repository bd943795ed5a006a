"""`portal-archive parse` takes a page as received: a gzip, deflate or brotli body is inflated
as the crawl inflates it, not refused as binary data (issue 12, item 8)."""

from __future__ import annotations

import gzip
import json
import zlib

import brotli
import pytest
from e2e import cli
from test_parsers_fixtures import PAGES, load

SEED = PAGES / "custom2015" / "article_seed"


@pytest.mark.parametrize("name, encode", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("raw-deflate", None),
    ("br", brotli.compress),
])
def test_compressed_page_parses_like_the_plain_one(name, encode, tmp_path):
    fixture = load(SEED)
    body = (SEED / "page.html").read_bytes()
    if name == "raw-deflate":  # some servers send deflate without the zlib wrapper
        packer = zlib.compressobj(wbits=-15)
        data = packer.compress(body) + packer.flush()
        header = ["--content-encoding", "deflate"]
    else:
        data = encode(body)
        header = []
    path = tmp_path / f"page.{name}"
    path.write_bytes(data)
    proc = cli("parse", str(path), "--url", fixture.url, *header)
    assert json.loads(proc.stdout) == fixture.expected
    if name != "raw-deflate":  # the header, when given, is obeyed too
        told = cli("parse", str(path), "--url", fixture.url, "--content-encoding",
                   {"gzip": "gzip", "deflate": "deflate", "br": "br"}[name])
        assert json.loads(told.stdout) == fixture.expected


def test_twice_gzipped_page_and_a_wrong_header(tmp_path):
    fixture = load(SEED)
    body = (SEED / "page.html").read_bytes()
    twice = tmp_path / "page.gz.gz"
    twice.write_bytes(gzip.compress(gzip.compress(body)))
    assert json.loads(cli("parse", str(twice), "--url", fixture.url).stdout) == fixture.expected
    told = cli("parse", str(twice), "--url", fixture.url, "--content-encoding", "gzip, gzip")
    assert json.loads(told.stdout) == fixture.expected

    wrong = cli("parse", str(twice), "--content-encoding", "br", check=False)
    assert wrong.returncode == 2
    assert wrong.stderr == f"portal-archive parse: error: {twice}: body is not br-encoded\n"


def test_a_gzip_bomb_is_refused_in_one_line(tmp_path):
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b" " * (60 * 1024 * 1024)))
    proc = cli("parse", str(bomb), check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "inflates to more than" in proc.stderr
