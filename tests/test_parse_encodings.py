"""`portal-archive parse` takes a page as received: a gzip, deflate or brotli body is inflated
as the crawl inflates it, not refused as binary data (issue 12, item 8).

Through the CLI's `main` in-process, as tests/test_parse_cli.py does (the same argument
parsing and error handling as the installed script, without a process start per case).
"""

from __future__ import annotations

import gzip
import json
import zlib

import brotli
import pytest
from test_parsers_fixtures import PAGES, load

from portal_archive.cli import main

SEED = PAGES / "custom2015" / "article_seed"


def raw_deflate(body: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)  # deflate without the zlib wrapper, as some servers
    return packer.compress(body) + packer.flush()


def parse(capsys, *argv) -> tuple[int, str, str]:
    code = main(["parse", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("encoding, encode, header", [
    ("gzip", gzip.compress, None),
    ("deflate", zlib.compress, None),
    ("br", brotli.compress, None),
    ("gzip", gzip.compress, "gzip"),
    ("deflate", raw_deflate, "deflate"),
    ("br", brotli.compress, "br"),
    ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b)), None),
    ("gzip, br", lambda b: brotli.compress(gzip.compress(b)), "gzip, br"),
])
def test_compressed_page_parses_like_the_plain_one(encoding, encode, header, tmp_path, capsys):
    fixture = load(SEED)
    path = tmp_path / "page.bin"
    path.write_bytes(encode((SEED / "page.html").read_bytes()))
    extra = ["--content-encoding", header] if header else []
    code, out, err = parse(capsys, path, "--url", fixture.url, *extra)
    assert (code, err) == (0, "")
    assert json.loads(out) == fixture.expected


def test_a_body_not_in_the_named_encoding_is_one_line(tmp_path, capsys):
    path = tmp_path / "page.gz"
    path.write_bytes(gzip.compress((SEED / "page.html").read_bytes()))
    code, out, err = parse(capsys, path, "--content-encoding", "br")
    assert (code, out) == (2, "")
    assert err == f"portal-archive parse: error: {path}: body is not br-encoded\n"


def test_a_gzip_bomb_is_refused_in_one_line(tmp_path, capsys):
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b" " * (60 * 1024 * 1024), compresslevel=1))
    code, out, err = parse(capsys, bomb)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "inflates to more than 52428800 bytes" in err
