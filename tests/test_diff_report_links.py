"""The HTML diff report links to archived captures (through the archive browser), never to the
live portal, whose URL is shown beside the link as text only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from lxml import html as lhtml

from audit.diff_report import DEFAULT_BROWSER, render_html, render_html_body

LIVE = "http://portal.example/vi/news/bai-viet-7.html"


def evidence(snapshot: str, when: str, url: str = LIVE) -> dict:
    return {"snapshot_id": snapshot, "captured_at": when, "warc_file": "p.warc.gz",
            "warc_offset": 10, "warc_record_id": "<urn:uuid:1>", "payload_digest": "sha1:X",
            "url": url}


def sample_diff() -> dict:
    item = {"kind": "article", "key": 7, "url": LIVE, "title": "Tin <b>mới</b>"}
    return {
        "a": "A", "b": "B", "unchanged": 0,
        "summary": {"added": 2, "removed": 1, "deleted": 1, "not_captured": 0, "changed": 1,
                    "unchanged": 0},
        "changed": [{**item, "fields": ["title"],
                     "changes": {"title": {"a": "Tin cũ", "b": "Tin mới",
                                           "diff": [["-", "cũ"], ["+", "mới"]]}},
                     "a": evidence("A", "2026-11-26T19:25:12.345678Z"),
                     "b": evidence("B", "2026-11-27T19:25:13.000001Z")}],
        "added": [{**item, "key": 8, "b": evidence("B", "2026-11-27T19:26:00Z")},
                  {**item, "key": 9, "url": "javascript:alert(1)", "b": None}],
        "removed": [{**item, "key": 6, "reason": "http_404", "deleted": True,
                     "a": evidence("A", "2026-11-26T19:25:00Z")}],
    }


def test_report_links_go_to_archived_captures():
    page = lhtml.fromstring(render_html(sample_diff()))
    hrefs = [a.get("href") for a in page.iter("a")]
    assert len(hrefs) >= 5  # item links and WARC locations, both sides of the change
    for href in hrefs:
        parts = urlsplit(href)
        assert href.startswith(DEFAULT_BROWSER + "/replay?"), href
        query = parse_qs(parts.query)
        assert query["url"] == [LIVE] and len(query["ts"][0]) == 14
    stamps = {parse_qs(urlsplit(h).query)["ts"][0] for h in hrefs}
    assert {"20261126192512", "20261127192513", "20261127192600"} <= stamps
    live = [s.text for s in page.find_class("live")]
    assert LIVE in live and "javascript:alert(1)" in live  # text only, never a link
    assert not any("javascript" in h for h in hrefs)


def test_body_for_the_browser_uses_relative_links():
    body = render_html_body(sample_diff(), browser="")
    hrefs = [a.get("href") for a in lhtml.fromstring(f"<div>{body}</div>").iter("a")]
    assert hrefs and all(h.startswith("/replay?") for h in hrefs)
    assert "<!DOCTYPE" not in body and "Tin &lt;b&gt;mới&lt;/b&gt;" in body
