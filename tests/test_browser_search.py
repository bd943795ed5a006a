"""The archive browser's search pages (Flask test client) against the CLI and the replica.

The archive is the one tests/test_search.py searches (tests/search_archive.py): three nights of
a 40-article replica, the second fetching every other item only, the third finding withdrawn
articles as 404 / soft-404. What the pages show is checked against `portal-archive search
--format json` and `--timeline` (the same engine: the pages must not search differently) and
against the replica's own record of what changed; pages are read with lxml.
"""

from __future__ import annotations

import json
import shlex
import shutil
import unicodedata
from urllib.parse import parse_qs, urlencode, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lxml import html as lxml_html
from search_archive import add_night, item_urls, site

from audit.history import url_captures
from browser.app import create_app
from portal_archive.cli import main

NIGHTS = {0: "20261127T190000Z", 1: "20261128T190000Z", 3: "20261130T190000Z"}
BASE_URL = "http://127.0.0.1:8500"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-search")
    sites = {n: site(n) for n in NIGHTS}
    urls = {0: item_urls(sites[0]), 1: item_urls(sites[1])[::2]}
    urls[3] = list(dict.fromkeys(item_urls(sites[3]) + urls[0]))
    for night, sid in NIGHTS.items():
        add_night(root, sid, sites[night], urls[night], night)
    assert main(["index", "--archive", str(root)]) == 0
    return root, sites


def client_for(root):
    app = create_app(root, replay_base="http://127.0.0.1:9", port=8500, verify=False)
    return app.test_client()


@pytest.fixture(scope="module")
def client(archive):
    return client_for(archive[0])


def get(client, path: str, lang: str = "en", status: int = 200):
    resp = client.get(path, base_url=BASE_URL, headers={"Accept-Language": lang})
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, (path, resp.status_code, text[:2000])
    assert "Traceback" not in text
    return lxml_html.fromstring(text)


def cli_json(capsys, root, *args: str) -> dict:
    capsys.readouterr()
    assert main(["search", "--archive", str(root), "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def text_of(el) -> str:
    return " ".join(el.text_content().split())


def hits_of(doc) -> list:
    return doc.cssselect("#hits li.hit")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def test_hits_are_the_cli_hits_with_the_phrase_highlighted(client, archive, capsys):
    root, _ = archive
    for query in ('"bao ve rung"', "giảm nghèo", "title:cai cach", "phong OR chay"):
        want = cli_json(capsys, root, query, "--limit", "20")["hits"]
        doc = get(client, "/search?" + urlencode({"q": query}))
        hits = hits_of(doc)
        assert len(hits) == len(want) > 0, query
        for li, hit in zip(hits, want, strict=True):
            assert text_of(li.cssselect(".title")[0]) == hit["title"]
            seen = [a.text for a in li.cssselect(".seen a")]
            assert seen == list(dict.fromkeys([hit["first_snapshot"], hit["last_snapshot"]]))
            replay = li.cssselect("a.replay")[0].get("href")
            args = parse_qs(urlsplit(replay).query)
            assert args["ts"] == ["".join(c for c in hit["captured_at"] if c.isdigit())[:14]]
            # The URL replay asks for was captured at exactly that moment.
            captures = url_captures(root, args["url"][0])
            assert any(c.timestamp == args["ts"][0] for c in captures)
        # The snippet marks the query's words, and only them.
        marks = [m.text_content() for li in hits for m in li.cssselect(".snippet mark")]
        assert marks
        words = [w for w in fold(query.replace("title:", "")).strip('"').split()
                 if w != "or"]
        assert all(any(w in fold(m) for w in words) for m in marks), (query, marks)
    # A phrase: the highlighted text is the whole phrase, with its diacritics.
    doc = get(client, "/search?" + urlencode({"q": '"bao ve rung"'}))
    assert {fold(m.text_content()) for m in doc.cssselect(".snippet mark")} == {"bao ve rung"}
    assert "bảo vệ rừng" in {m.text_content().lower() for m in doc.cssselect(".snippet mark")}


def title_of(root, night: int, key: int) -> str:
    table = pq.read_table(root / "snapshots" / NIGHTS[night] / "datasets" / "articles.parquet",
                          columns=["article_id", "title"]).to_pylist()
    return next(r["title"] for r in table if r["article_id"] == key)


def hits_of_article(client, title: str, key: int) -> list:
    doc = get(client, "/search?" + urlencode({"q": f'title:"{title}"', "type": "article",
                                               "n": "100"}))
    return [li for li in hits_of(doc) if li.cssselect(f"a[href='/item/article/{key}']")]


def test_each_hit_says_if_it_is_live_changed_or_withdrawn(client, archive):
    root, sites = archive
    truth = sites[3].changes(0, 3)
    reasons = {"http_404": "HTTP 404", "http_410": "HTTP 410", "soft_404": "soft 404"}
    removed = [r for r in truth["removed"] if r["kind"] == "article"]
    assert removed
    for gone in removed:
        (li,) = hits_of_article(client, title_of(root, 0, gone["key"]), gone["key"])
        assert "fate-withdrawn" in li.get("class")
        state = text_of(li.cssselect(".state")[0])
        assert NIGHTS[3] in state and reasons[gone["reason"]] in state, state
    # An article whose title changed on night 3: the old title's version is "changed" (on
    # night 3), the new one "live".
    edited = next(c for c in truth["changed"] if c["kind"] == "article" and "title" in c["fields"])
    old, new = title_of(root, 0, edited["key"]), title_of(root, 3, edited["key"])
    assert old != new
    (li,) = [li for li in hits_of_article(client, old, edited["key"])
             if text_of(li.cssselect(".title")[0]) == old]
    assert "fate-changed" in li.get("class") and NIGHTS[3] in text_of(li.cssselect(".state")[0])
    (li,) = [li for li in hits_of_article(client, new, edited["key"])
             if text_of(li.cssselect(".title")[0]) == new]
    assert "fate-live" in li.get("class")
    assert [a.text for a in li.cssselect(".seen a")] == [NIGHTS[3]]
    assert text_of(li.cssselect(".seen")[0]).endswith("(1 capture(s))")


def test_filters_are_the_cli_filters(client, archive, capsys):
    root, _ = archive
    for args in ((("type", "document"),), (("since", "2016-01-01"), ("until", "2017-12-31")),
                 (("by", "captured"), ("since", "2026-11-30")),
                 (("snapshot", NIGHTS[1]),), (("type", "article"), ("type", "document"))):
        flags = [x for k, v in args for x in (f"--{k}", v)]
        want = cli_json(capsys, root, "tinh", "--limit", "100", *flags)["hits"]
        doc = get(client, "/search?" + urlencode([("q", "tinh"), ("n", "100"), *args]))
        got = [(li.cssselect(".badge")[0].text, li.cssselect(".seen a")[0].text)
               for li in hits_of(doc)]
        kinds = {"article": "Article", "document": "Document", "attachment": "Attachment"}
        assert got == [(kinds[h["type"]], h["first_snapshot"]) for h in want], args
        assert want
        # The form keeps the filters chosen.
        form = doc.get_element_by_id("search-form")
        for k, v in args:
            if k in ("since", "until"):
                assert form.cssselect(f"input[name={k}]")[0].get("value") == v
            else:
                assert v in [o.get("value") for o in form.cssselect(f"select[name={k}] option")
                             if o.get("selected") is not None]
    # One portal: no portal filter to choose from.
    assert not get(client, "/search?q=tinh").cssselect("select[name=portal]")
    # More hits than a screen: a link to the next ones, keeping the filters.
    doc = get(client, "/search?q=tinh&type=article")
    more = doc.get_element_by_id("more").get("href")
    assert parse_qs(urlsplit(more).query) == {"q": ["tinh"], "type": ["article"], "n": ["40"]}
    assert len(hits_of(get(client, more))) > 20


@pytest.mark.parametrize("query, status, words", [
    ("", 200, "Type at least one word"),
    ("   ", 200, "Type at least one word"),
    ('"quyết định', 400, "unbalanced quote at position 1"),
    ("foo:bar", 400, "unknown field 'foo'"),
    ("(a OR b", 400, "unbalanced parenthesis"),
    ("NOT a", 400, "needs a term"),
])
def test_bad_queries_get_one_clear_line(client, query, status, words):
    doc = get(client, "/search?" + urlencode({"q": query}), status=status)
    (error,) = doc.cssselect("#search-error")
    assert words in text_of(error) and not hits_of(doc)
    assert len(error.text_content().strip().splitlines()) == 1
    # The box keeps what was typed, in the page and in the header.
    assert {i.get("value") for i in doc.cssselect("input[name=q]")} == {query}


@pytest.mark.parametrize("args, words", [
    ({"since": "2020-13-01"}, 'From "2020-13-01": expected a date YYYY-MM-DD'),
    ({"until": "yesterday"}, 'To "yesterday": expected a date'),
    ({"type": "video"}, 'No kind "video"'),
    ({"n": "-1"}, "1 to 500"),
    ({"snapshot": "nope"}, 'The index holds no snapshot "nope"'),
])
def test_bad_filters_get_one_clear_line(client, args, words):
    doc = get(client, "/search?" + urlencode({"q": "tinh", **args}), status=400)
    assert words in text_of(doc.get_element_by_id("search-error"))


def test_an_archive_without_an_index_names_the_command_that_builds_it(archive, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(archive[0], copy, ignore=shutil.ignore_patterns("index"))
    client = client_for(copy)
    for path in ("/search?q=tinh", "/search", "/search/timeline?phrase=tinh"):
        doc = get(client, path)
        command = doc.cssselect("#index-problem pre.command")[0].text
        assert command == f"portal-archive index --archive {shlex.quote(str(copy))}"
    assert not (copy / "index").exists()  # the app never builds it itself
    # The user runs the command, reloads: hits.
    assert main(shlex.split(command)[1:]) == 0
    doc = get(client, "/search?q=tinh")
    assert hits_of(doc) and not doc.cssselect("#index-problem")
    # A snapshot closed since: searched without it, and the command that adds it.
    shutil.rmtree(copy / "index")
    shutil.copytree(archive[0] / "index", copy / "index")
    night = copy / "snapshots" / NIGHTS[3]
    shutil.move(night, tmp_path / "held")
    assert main(["index", "--archive", str(copy), "--rebuild"]) == 0
    shutil.move(tmp_path / "held", night)
    doc = get(client, "/search?q=tinh")
    assert hits_of(doc)
    stale = text_of(doc.get_element_by_id("index-stale"))
    assert NIGHTS[3] in stale and f"portal-archive index --archive {copy}" in stale
    # A damaged index: the command that rebuilds it.
    db = copy / "index" / "search.sqlite3"
    db.write_bytes(db.read_bytes()[:1000])
    doc = get(client, "/search?q=tinh")
    assert "damaged" in text_of(doc.get_element_by_id("index-problem"))
    assert doc.cssselect("#index-problem pre.command")[0].text.endswith(" --rebuild")


def test_timeline_page_is_the_cli_timeline(client, archive, capsys):
    root, sites = archive
    gone = next(r for r in sites[3].changes(0, 3)["removed"] if r["kind"] == "article")
    phrase = title_of(root, 0, gone["key"])
    want = cli_json(capsys, root, "--timeline", phrase)["items"]
    # The search page offers the timeline of a one-phrase query.
    doc = get(client, "/search?" + urlencode({"q": f'"{phrase}"'}))
    link = doc.get_element_by_id("timeline-link").get("href")
    assert parse_qs(urlsplit(link).query)["phrase"] == [f'"{phrase}"']
    doc = get(client, link)
    rows = doc.get_element_by_id("phrase-items").cssselect("tr")[1:]
    assert len(rows) == len(want)
    for tr, item in zip(rows, want, strict=True):
        cells = tr.cssselect("td")
        assert item["url"] in text_of(cells[1])
        assert text_of(cells[2]) == item["first_seen"]
        assert (item["gone_at"] or "still there") in text_of(cells[3])
        assert len(cells[4].cssselect("li")) == len(item["evidence"])
    withdrawn = next(i for i in want if i["url"].endswith(gone["url"]))
    assert withdrawn["gone_at"] == NIGHTS[3]
    # The grid: one column per night; the withdrawn article holds the phrase until night 3.
    grid = doc.get_element_by_id("phrase-nights")
    assert [a.text for a in grid.cssselect("tr")[0].cssselect("a")] == list(NIGHTS.values())
    row = next(tr for tr in grid.cssselect("tr")[2:]
               if tr.cssselect(f"a[href='/item/article/{gone['key']}']"))
    assert [td.get("class") for td in row.cssselect("td")] == ["cell-with", "cell-with",
                                                                "cell-gone"]
    counts = [int(td.text) for td in grid.cssselect("tr.count td")]
    assert counts[0] == sum(1 for i in want if i["first_seen"] == NIGHTS[0])
    # An expression is not a phrase: one line.
    doc = get(client, "/search/timeline?" + urlencode({"phrase": '"a" OR "b"'}), status=400)
    assert "one word or phrase, not an expression" in text_of(
        doc.get_element_by_id("search-error"))
    doc = get(client, "/search/timeline?" + urlencode({"phrase": '"a'}), status=400)
    assert "unbalanced quote" in text_of(doc.get_element_by_id("search-error"))


def test_vietnamese_search_box_on_every_page_and_escaping(client, archive):
    root, _ = archive
    page = "http://127.0.0.1:8080" + item_urls(site(0))[0]
    for path, status in (("/", 200), (f"/snapshot/{NIGHTS[0]}", 200), ("/diff", 200),
                         ("/search", 200), ("/no-such-page", 404),
                         ("/replay?" + urlencode({"url": page, "ts": "20261127190000"}), 200)):
        form = get(client, path, status=status).cssselect("header form.searchbox")[0]
        assert form.get("action") == "/search" and form.cssselect("input[name=q]")
    doc = get(client, "/search?" + urlencode({"q": "rừng"}), lang="vi")
    assert "Tìm kiếm toàn văn" in text_of(doc)
    assert {li.cssselect(".badge")[0].text for li in hits_of(doc)} <= {"Bài viết", "Văn bản"}
    assert "còn nguyên" in text_of(doc) or "đã gỡ" in text_of(doc)
    doc = get(client, "/search?" + urlencode({"q": '"abc'}), lang="vi", status=400)
    assert text_of(doc.get_element_by_id("search-error")).startswith(
        "Không đọc được câu truy vấn:")
    # What is typed comes back as text, never as markup.
    resp = client.get("/search?" + urlencode({"q": '<script>alert(1)</script> "x'}),
                      base_url=BASE_URL)
    assert b"<script>" not in resp.data and b"&lt;script&gt;" in resp.data


def test_attachment_hits_link_the_attachment_and_the_page_that_links_it(archive, tmp_path):
    root, _ = archive
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("index"))
    docs = pq.read_table(copy / "snapshots" / NIGHTS[0] / "datasets" / "documents.parquet",
                         columns=["document_id", "url", "captured_at"]).to_pylist()
    owner = docs[0]
    url = owner["url"] + "?download=1&id=0"
    sid = NIGHTS[0]
    pq.write_table(pa.table({
        "snapshot_id": [sid], "captured_at": pa.array([owner["captured_at"]],
                                                      pa.timestamp("us", "UTC")),
        "warc_file": ["portal-x.warc.gz"], "warc_offset": [0],
        "warc_record_id": ["<urn:uuid:1>"], "payload_digest": [None],
        "url": [url], "name": ["qd-15-2020.pdf"], "document_id": [owner["document_id"]],
        "article_id": pa.array([None], pa.int64()), "linked_from": [owner["url"]],
        "text": ["Biên bản nghiệm thu công trình thủy lợi Nậm Nhùn"],
    }), copy / "snapshots" / sid / "datasets" / "attachment_texts.parquet")
    assert main(["index", "--archive", str(copy)]) == 0
    doc = get(client_for(copy), "/search?" + urlencode({"q": '"nghiem thu"',
                                                              "type": "attachment"}))
    (li,) = hits_of(doc)
    assert "kind-attachment" in li.get("class")
    assert text_of(li.cssselect(".title")[0]) == "qd-15-2020.pdf"
    assert [m.text for m in li.cssselect(".snippet mark")] == ["nghiệm thu"]
    attachment = li.cssselect("a.replay")[0]
    assert attachment.text == "the attachment (archived)"
    assert parse_qs(urlsplit(attachment.get("href")).query)["url"] == [url]
    linked = li.cssselect(".linked")[0]
    assert linked.cssselect(f"a[href='/item/document/{owner['document_id']}']")
    assert owner["url"] in text_of(linked)


def test_a_damaged_full_text_segment_names_the_command_that_rebuilds_it(archive, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(archive[0], copy)
    client = client_for(copy)
    assert hits_of(get(client, "/search?q=tinh"))
    # A segment file cut short (a new file renamed over it, as a crash or a bad copy leaves
    # it): the SQLite side and its sidecar still look whole.
    segment = max((copy / "index" / "fulltext").glob("*.idx"), key=lambda p: p.stat().st_size)
    (copy / "short").write_bytes(segment.read_bytes()[:10])
    (copy / "short").replace(segment)
    for path in ("/search?q=tinh", "/search/timeline?phrase=tinh"):
        doc = get(client, path)
        problem = doc.get_element_by_id("index-problem")
        assert "The search index is damaged" in text_of(problem)
        command = problem.cssselect("pre.command")[0].text
        assert command == f"portal-archive index --archive {shlex.quote(str(copy))} --rebuild"
    assert main(shlex.split(command)[1:]) == 0
    assert hits_of(get(client, "/search?q=tinh"))


def test_a_long_timeline_lists_the_first_items_and_counts_them_all(client, archive, capsys,
                                                                    monkeypatch):
    from browser import search_pages

    root, _ = archive
    want = cli_json(capsys, root, "--timeline", "tinh")["items"]
    assert len(want) > 3
    full = get(client, "/search/timeline?phrase=tinh")
    counts = [td.text for td in full.cssselect("#phrase-nights tr.count td")]
    monkeypatch.setattr(search_pages, "TIMELINE_ROWS", 3)
    doc = get(client, "/search/timeline?phrase=tinh")
    assert len(doc.cssselect("#phrase-items tr")[1:]) == 3
    assert len(doc.cssselect("#phrase-nights tr")[2:]) == 3
    assert [td.text for td in doc.cssselect("#phrase-nights tr.count td")] == counts
    assert text_of(doc.get_element_by_id("items-count")) == \
        f"{len(want)} item(s); the first 3 are listed (choose a kind to narrow)"
