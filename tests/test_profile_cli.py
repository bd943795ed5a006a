"""`portal-archive profile check` and `portal-archive detect`, used as a user would.

Bad profiles give one line naming the file, the line and the key; `detect` runs against a
real HTTP server (the standard library's) serving fixture pages on a free local port.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
from pathlib import Path

import pytest

from portal_archive.cli import main
from scraper.parsers import parse_page
from scraper.profiles.spec import PLATFORMS, load_profile, parse_profile

PAGES = Path(__file__).parent / "pages"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_shipped_profile_checks(capsys, platform):
    code, out, err = run(capsys, "profile", "check", platform)
    assert code == 0 and err == ""
    assert out.startswith(f"profile {platform}: platform {platform}")
    assert out.rstrip().endswith("ok")


HEAD = '[profile]\nname = "site"\nplatform = "wordpress"\nextends = "wordpress"\n'


@pytest.mark.parametrize(("text", "message"), [
    (HEAD + '\n[article]\ntitle = ["h1["]\n',
     "site.toml: line 7: [article] title: invalid CSS selector 'h1['"),
    (HEAD + '[article]\ntitel = ["h1"]\n',
     "site.toml: line 6: [article] titel: unknown key"),
    (HEAD + '[article]\ntitle = "h1.title"\n',
     "site.toml: line 6: [article] title: expected list, got str"),
    (HEAD + '[urls]\narticle = ["(unclosed"]\n',
     "site.toml: line 6: [urls] article: invalid regular expression '(unclosed'"),
    ('[profile]\nname = "site\nplatform = "x"\n', "site.toml: line 2: invalid TOML"),
    ('[profile]\nname = "site"\nplatform = "drupal"\n',
     "site.toml: line 3: [profile] platform: unknown platform 'drupal'"),
    (HEAD + '[hooks]\nparse = "scraper.nowhere:parse"\n',
     "site.toml: line 6: [hooks] parse: cannot import 'scraper.nowhere:parse'"),
    (HEAD + '[document.labels]\n"Số ký hiệu" = "numbr"\n',
     "site.toml: line 6: [document.labels] Số ký hiệu: unknown document field 'numbr'"),
    (HEAD + '[detect]\nfingerprints = [{kind = "cookie", pattern = "x"}]\n',
     "site.toml: line 6: [detect] fingerprints: each fingerprint is"),
    ('[sitee]\nseeds = []\n', "site.toml: line 1: [sitee]: unknown table"),
])
def test_a_malformed_profile_gives_one_line(capsys, tmp_path, text, message):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "profile", "check", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("portal-archive profile: error: " + message)


def test_missing_profile_and_pages(capsys, tmp_path):
    code, _, err = run(capsys, "profile", "check", str(tmp_path / "none.toml"))
    assert code == 2 and "none.toml: no such file" in err
    code, _, err = run(capsys, "profile", "check", "wordpress", "--pages",
                       str(tmp_path / "nothing"))
    assert code == 2 and err.count("\n") == 1 and "no such directory" in err


def test_check_shows_what_the_profile_extracts(capsys):
    code, out, err = run(capsys, "profile", "check", "scraper/profiles/sharepoint.toml",
                         "--pages", str(PAGES / "sharepoint"))
    assert code == 0, err
    assert "article/page.html: article" in out
    assert "published_at  2024-04-15T10:30:00+07:00  [visible]" in out
    assert "signer        Hà Trọng Hải  [labels]" in out
    assert out.rstrip().endswith("1 article, 1 document_detail")


def worked_example() -> str:
    """The site profile of docs/profiles.md's worked example, exactly as the doc shows it."""
    doc = (Path(__file__).parents[1] / "docs" / "profiles.md").read_text(encoding="utf-8")
    block = doc.split("<!-- worked-example:begin -->")[1].split("<!-- worked-example:end -->")[0]
    return block.split("```toml\n")[1].split("```")[0]


def test_a_site_profile_written_from_scratch(capsys, tmp_path):
    path = tmp_path / "nongnghiep.toml"
    path.write_text(worked_example(), encoding="utf-8")
    profile = load_profile(path)
    body = (PAGES / "generic/article_aspx/page.html").read_bytes()
    url = "https://nongnghiep.example.gov.vn/vn/chuyen-muc/12/45101/ban-tin-thoi-tiet-nong-vu.aspx"
    result = parse_page(body, url, profile=profile)
    article = result["article"]
    assert article["article_id"] == 45101
    assert article["title"] == "Bản tin thời tiết nông vụ tuần từ 15 đến 21/4/2024"
    assert article["published_at"] == "2024-04-18T14:05:00+07:00"
    assert article["authors"] == [{"name": "Văn Tuấn",
                                   "organization": "Trung tâm Khuyến nông quốc gia"}]
    assert article["source"] == "Cục Trồng trọt"
    assert "Tác giả" not in article["body_text"]
    assert article["related"][0]["date"] == "2024-04-11"
    assert article["category"] == "Tin tức"
    assert {result["sources"][k] for k in ("title", "body_text", "authors")} == {"profile"}
    code, out, _ = run(capsys, "profile", "check", str(path), "--pages",
                       str(PAGES / "generic" / "article_aspx"))
    assert code == 0 and "title         Bản tin thời tiết" in out


# -- detect ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def portal(tmp_path):
    """A static portal on a free local port: the WordPress fixture as its home page."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(PAGES / "wordpress/article/page.html", root / "index.html")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n"
                                     "Sitemap: /wp-sitemap.xml\n")
    (root / "wp-sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
        'schemas/sitemap/0.9"><sitemap><loc>/wp-sitemap-posts-post-1.xml</loc></sitemap>'
        '</sitemapindex>')

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_detect_prints_platform_evidence_and_a_starter_profile(capsys, tmp_path, portal):
    code, out, err = run(capsys, "detect", portal)
    assert code == 0, err
    assert "# platform: wordpress" in out
    assert "#   evidence: generator: ^WordPress" in out
    assert "robots.txt: read" in out and "wp-sitemap.xml: read" in out
    starter = parse_profile(out)  # the whole output is a valid profile
    assert (starter.platform, starter.raw["profile"]["extends"]) == ("wordpress", "wordpress")
    assert starter.raw["site"]["hosts"] == ["127.0.0.1"]
    # Written to a file, it checks, and parses the saved home page as WordPress does.
    target = tmp_path / "starter.toml"
    code, _, err = run(capsys, "detect", portal, "--output", str(target))
    assert code == 0 and "starter profile written" in err
    code, out, _ = run(capsys, "profile", "check", str(target), "--pages",
                       str(PAGES / "wordpress"))
    assert code == 0 and "Lai Châu triển khai tiêm chủng" in out


def test_detect_an_unreachable_portal_is_one_line(capsys):
    code, out, err = run(capsys, "detect", f"http://127.0.0.1:{_free_port()}/", "--timeout",
                         "5")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "portal unreachable" in err
    code, _, err = run(capsys, "detect", "ftp://example/")
    assert code == 2 and "not an http(s) URL" in err


def test_check_json_gives_one_parse_per_page(capsys):
    code, out, _ = run(capsys, "profile", "check", "liferay", "--pages", str(PAGES / "liferay"),
                       "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(Path(r["file"]).parent.name, r["page_type"], r["platform"]) for r in rows] == [
        ("article", "article", "liferay"), ("document_detail", "document_detail", "liferay")]
    assert rows[1]["document"]["signer"] == "Tống Thanh Hải"
