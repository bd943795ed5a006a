"""`portal-archive parse FILE --url URL`, and bad input for both the CLI and `parse_page`:
a clear one-line error or an empty result, never a traceback."""

from __future__ import annotations

import json
import os

import pytest
from test_parsers_encoding import to_cp1258
from test_parsers_fixtures import PAGES, load

from portal_archive.cli import main
from scraper.parsers import parse_page

SEED = PAGES / "custom2015" / "article_seed"
EMPTY = {"article": None, "document": None, "listing": None, "sidebar_documents": [],
         "platform": "generic", "sources": {}, "disagreements": []}


def run_cli(capsys, *argv):
    code = main(["parse", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_parse_json_of_a_saved_page(capsys):
    fixture = load(SEED)
    code, out, err = run_cli(capsys, SEED / "page.html", "--url", fixture.url)
    assert code == 0 and err == ""
    assert json.loads(out) == fixture.expected


def test_compact_output_is_one_line_of_utf8(capsys):
    fixture = load(SEED)
    code, out, _ = run_cli(capsys, SEED / "page.html", "--url", fixture.url, "--compact")
    assert code == 0
    assert out.count("\n") == 1
    assert "Tiếp tục quan tâm củng cố" in out  # not \\u-escaped


def test_content_type_option_reaches_charset_detection(capsys, tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(to_cp1258("<html><body><div class='alert'>Lỗi không có chủ đề</div>"
                               "</body></html>"))
    code, out, _ = run_cli(capsys, page, "--url", "http://x/vi/news/nope/", "--content-type",
                           "text/html; charset=windows-1258")
    assert code == 0 and json.loads(out)["page_type"] == "soft_404"


def test_without_url_uses_a_file_url(capsys):
    code, out, _ = run_cli(capsys, SEED / "page.html")
    result = json.loads(out)
    assert code == 0 and result["url"].startswith("file://")
    assert result["page_type"] == "article"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"   \n\t", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "binary"),
    (b"%PDF-1.4\n\x00\x01\x02 stream", "binary"),
    (b"just some words, no markup at all", "does not look like HTML"),
])
def test_bad_files_give_one_line_errors(capsys, tmp_path, content, message):
    page = tmp_path / "bad"
    page.write_bytes(content)
    code, out, err = run_cli(capsys, page, "--url", "http://x/")
    assert code == 2 and out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_and_directory(capsys, tmp_path):
    code, _, err = run_cli(capsys, tmp_path / "nope.html")
    assert code == 2 and "no such file" in err and err.count("\n") == 1
    code, _, err = run_cli(capsys, tmp_path)
    assert code == 2 and "directory" in err


def test_unreadable_file(capsys, tmp_path, monkeypatch):
    page = tmp_path / "secret.html"
    page.write_text("<p>x</p>")
    if os.geteuid() == 0:
        # root reads mode-000 files, so make the open itself fail as it would for a user.
        def deny(self, *args, **kwargs):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(type(page), "open", deny)
    else:
        page.chmod(0)
    code, _, err = run_cli(capsys, page)
    assert code == 2 and "permission denied" in err and err.count("\n") == 1


def test_truncated_page_still_parses(capsys, tmp_path):
    body = (SEED / "page.html").read_bytes()
    cut = body[: body.index(b"4-3-15.jpg")]  # cut inside the body, mid-attribute
    page = tmp_path / "cut.html"
    page.write_bytes(cut)
    code, out, _ = run_cli(capsys, page, "--url", load(SEED).url)
    article = json.loads(out)["article"]
    assert code == 0
    assert article["title"] == "Tiếp tục quan tâm củng cố hệ thống chính trị cơ sở"
    assert article["published_at"] == "2015-03-25T09:21:00+07:00"
    assert article["images"][0]["credit"] == "TP"


@pytest.mark.parametrize("body", [
    b"",
    b"\x00\x01\x02\x03" * 100,
    b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100),
    b"not html at all",
    b"{\"json\": true}",
    b"<",
    b"<html><body><div class='news_column'><h1 class='title'>x",
    b"<?xml version='1.0' encoding='utf-8'?><rss><channel></channel></rss>",
    "<p>\udcff</p>".encode("utf-8", "surrogatepass"),
    b"<html>" + b"<div>" * 5000 + b"deep" + b"</div>" * 5000,
])
def test_parse_page_never_raises(body):
    result = parse_page(body, "http://x/")
    assert result["page_type"] in ("other", "soft_404", "article")
    assert list(result) == ["url", "page_type", "article", "document", "listing",
                            "sidebar_documents", "platform", "sources", "disagreements"]


@pytest.mark.parametrize("body", [b"", b"\x00" * 10, b"plain text"])
def test_bad_bytes_give_an_empty_result(body):
    result = parse_page(body, "http://x/")
    assert result == {"url": "http://x/", "page_type": "other", **EMPTY}
