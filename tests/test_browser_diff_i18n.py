"""The diff report in the archive browser follows the page's language (vi/en), like every other
page: the same report as `audit.diff_report`'s HTML (same sections, items, fields and replay
links), its words translated and its times in the portal's time zone. `/diff` compares the
portal's states, as `portal-archive diff` does; `&captures=1` what A and B captured, as
`diff --captures` and the timeline's counts.

Two nights of the fixture of tests/test_diff.py: article 1 edited, 2 withdrawn (404), 3 left
alone, 4 added."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from test_diff import article, article_url, build_snapshot, page

from audit.diff import diff_snapshots
from audit.diff_report import render_html_body
from audit.state_diff import diff_states
from browser.app import create_app

A, B = "20261126T020000Z", "20261127T020000Z"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff-i18n")
    build_snapshot(root, A, [page(article_url(k), article(k)) for k in range(1, 4)])
    build_snapshot(root, B, [page(article_url(1), article(1, title="Tiêu đề <b>mới</b>")),
                             page(article_url(2), None, 404),
                             page(article_url(3), article(3)),
                             page(article_url(4), article(4))])
    app = create_app(root, replay_base="http://127.0.0.1:9", port=8500, verify=False)
    yield root, app.test_client()
    app.extensions["cleanup"]()


def report(client, lang: str, query: str = ""):
    resp = client.get(f"/diff?a={A}&b={B}{query}", base_url="http://127.0.0.1:8500",
                      headers={"Accept-Language": lang})
    assert resp.status_code == 200
    return lxml_html.fromstring(resp.get_data(as_text=True)).cssselect(".report")[0]


def text(el) -> str:
    return " ".join(el.text_content().split())


@pytest.mark.parametrize("query,compare", [("", diff_states), ("&captures=1", diff_snapshots)],
                         ids=["states", "captures"])
def test_english_is_the_report_of_audit_diff_report(client, query, compare):
    root, http = client
    page_ = report(http, "en", query)
    file_ = lxml_html.fromstring(
        f"<div>{render_html_body(compare(root, A, B), browser='')}</div>")
    for selector in ("h1", "h2", "h3", ".field .name", "th", "#summary div"):
        assert [text(e) for e in page_.cssselect(selector)] == \
            [text(e) for e in file_.cssselect(selector)], selector
    assert [a.get("href") for a in page_.cssselect("a")] == \
        [a.get("href") for a in file_.cssselect("a")]
    assert [text(e) for e in page_.cssselect("ins, del")] == \
        [text(e) for e in file_.cssselect("ins, del")]


def test_vietnamese_report(client):
    root, http = client
    page_ = report(http, "vi")
    body = text(page_)
    assert text(page_.cssselect("h1")[0]) == "So sánh hai bản chụp"
    assert [text(h) for h in page_.cssselect("h2")] == [
        "Thay đổi (1)", "Bị gỡ khỏi cổng (1)", "Mới (1)", "Không kiểm tra lại ở B (0)"]
    assert [text(h) for h in report(http, "vi", "&captures=1").cssselect("h2")][-1] == \
        "Không thu được ở B (0)"
    (h3,) = page_.cssselect("h3")
    assert text(h3).startswith("bài viết 1:") and "Tiêu đề <b>mới</b>" in text(h3)
    assert not h3.cssselect("b")  # archived text stays text
    assert "bị xoá: HTTP 404" in body and "xem bản lưu" in body
    for english in ("Removed from the portal", "archived capture", "Fields compared",
                    "snapshot ", "deleted:", "None."):
        assert english not in body, english
    # Times in the portal's time zone, as Vietnamese dates (the fixture captured at 02:00 UTC).
    assert "26/11/2026 09:" in body and "T02:" not in body
    # The switch's cookie wins over Accept-Language, the filter keeps the language.
    http.set_cookie("lang", "vi", domain="127.0.0.1")
    try:
        filtered = report(http, "en", "&kind=article&field=title")
        assert [text(h) for h in filtered.cssselect("h2")][0] == "Thay đổi (1)"
        assert {text(n) for n in filtered.cssselect(".field .name")} == {"title"}
    finally:
        http.delete_cookie("lang", domain="127.0.0.1")


def test_phrase_marks_the_changes_as_the_report_file_does(client):
    """`/diff?phrase=`: the changes that add or remove the phrase, listed and `<mark>`ed as
    `diff --phrase` marks them in the HTML report file, in the page's language."""
    from audit.phrase import mark_phrase

    root, http = client
    page_ = report(http, "en", "&phrase=moi")  # typed without diacritics: folded match
    file_ = lxml_html.fromstring(
        "<div>" + render_html_body(mark_phrase(diff_states(root, A, B), "moi"), browser="")
        + "</div>")
    marks = [text(m) for m in page_.cssselect(".item mark")]
    assert marks and marks == [text(m) for m in file_.cssselect(".item mark")]
    assert [text(e) for e in page_.cssselect("#phrase h3")] == [
        "Changes that add it (1)", "Changes that remove it (0)"]
    (badge,) = page_.cssselect(".field .phrase.added")
    assert text(badge) == "phrase added: 0 in A, 1 in B"
    assert page_.cssselect("#phrase a")[0].get("href") == "#item-article-1"
    assert page_.cssselect("#item-article-1")
    vi = report(http, "vi", "&phrase=m%E1%BB%9Bi")  # "mới": exact match
    assert "khớp đúng dấu" in text(vi.cssselect("#phrase")[0])
    assert [text(e) for e in vi.cssselect("#phrase h3")][0] == "Thay đổi thêm cụm từ (1)"


def test_a_phrase_without_a_word_is_one_clear_error(client):
    _, http = client
    resp = http.get(f"/diff?a={A}&b={B}&phrase=%21%21", base_url="http://127.0.0.1:8500")
    assert resp.status_code == 400
    assert "has no word to look for" in resp.get_data(as_text=True)
    escaped = http.get(f"/diff?a={A}&b={B}&phrase=%3Cscript%3Ex", base_url="http://127.0.0.1:8500")
    assert escaped.status_code == 200 and "<script>x" not in escaped.get_data(as_text=True)


def test_b_before_a_is_one_clear_error(client):
    """The state diff runs forward in time, as `portal-archive diff` says; the capture diff
    compares any two."""
    _, http = client
    resp = http.get(f"/diff?a={B}&b={A}", base_url="http://127.0.0.1:8500")
    assert resp.status_code == 400
    assert "give the older snapshot first" in resp.get_data(as_text=True)
    assert http.get(f"/diff?a={B}&b={A}&captures=1",
                    base_url="http://127.0.0.1:8500").status_code == 200
