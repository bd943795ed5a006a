"""The item page's state on each night is the portal's state (`audit.state.portal_state`), the
one `diff` and the loader give: present, withdrawn (how, since which night), not re-checked
(since when), and nothing before the item's first capture.

Three incremental nights (the fixture of tests/test_state.py): A fetches articles 1-5; B
re-checks 1 (edited), finds 2 gone (404) and finds 6; C re-checks 3 and 4, 2 (still gone) and
5 (a server error, which verifies nothing), and finds 7."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from test_diff import article, article_url, build_snapshot, page

from audit.state import portal_state
from browser.app import create_app

A, B, C = "20261126T020000Z", "20261127T020000Z", "20261128T020000Z"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("item-state")
    build_snapshot(root, A, [page(article_url(k), article(k)) for k in range(1, 6)])
    build_snapshot(root, B, [page(article_url(1), article(1, title="Tiêu đề mới")),
                             page(article_url(2), None, 404),
                             page(article_url(6), article(6))])
    build_snapshot(root, C, [page(article_url(3), article(3)),
                             page(article_url(4), article(4, title="Đã sửa")),
                             page(article_url(7), article(7)),
                             page(article_url(2), None, 404),
                             page(article_url(5), None, 503)])
    app = create_app(root, replay_base="http://127.0.0.1:9", port=8500)
    yield root, app.test_client()
    app.extensions["cleanup"]()


def states(client, key: int) -> list[list[str]]:
    resp = client.get(f"/item/article/{key}", base_url="http://127.0.0.1:8500",
                      headers={"Accept-Language": "en"})
    assert resp.status_code == 200
    doc = lxml_html.fromstring(resp.get_data(as_text=True))
    return [[" ".join(td.text_content().split()) for td in tr.findall("td")]
            for tr in doc.get_element_by_id("states").findall("tr")[1:]]


def test_item_states_are_the_portal_state(client):
    root, http = client
    # Article 2: present on A, withdrawn (HTTP 404) since B's fetch, still so on C.
    two = states(http, 2)
    assert [r[0] for r in two] == [A, B, C]
    assert two[0][2] == "present"
    assert two[1][2].startswith("withdrawn (HTTP 404, since 2026-11-27 09:")  # Vietnam time
    assert two[2][2] == two[1][2]
    # Article 5: present on A, not re-checked since A's capture on B and on C (a 503 on C
    # verifies nothing).
    five = [r[2] for r in states(http, 5)]
    assert five[0] == "present"
    assert five[1].startswith("not re-checked (since 2026-11-26 09:") and five[2] == five[1]
    # Article 6: not yet published on A, present on B, not re-checked since B on C.
    six = [r[2] for r in states(http, 6)]
    assert six[0] == "not yet published" and six[1] == "present"
    assert six[2].startswith("not re-checked (since 2026-11-27 09:")
    # The same statuses as the state API's, night by night.
    for night, col in zip((A, B, C), range(3), strict=True):
        api = {r["article_id"]: r["status"] for r in portal_state(root, night).to_pylist()}
        for key in (2, 5, 6):
            label = [r[2] for r in states(http, key)][col]
            want = api.get(key, "not_yet").replace("_", " ").replace("rechecked", "re-checked")
            assert label.startswith(want.replace("not yet", "not yet published")), (key, night)


def test_state_of_some_columns_only_has_the_same_status(client):
    root, _ = client
    full = portal_state(root, C, "articles")
    narrow = portal_state(root, C, "articles", columns=["article_id"])
    status = ["status", "last_verified_at", "withdrawn_at", "withdrawn_reason"]
    assert narrow.column_names[0] == "article_id" and "title" not in narrow.column_names
    assert narrow.select(status).equals(full.select(status))
    with pytest.raises(ValueError):
        portal_state(root, C, "images", columns=["src"])
