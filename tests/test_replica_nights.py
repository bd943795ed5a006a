"""Time travel: the ground truth of `changes(A, B)` matches what the pages show at A and B."""

from __future__ import annotations

import unicodedata

import lxml.etree
import lxml.html
import pytest

from replica import ReplicaConfig, Site

FIELDS = {"title", "body_text", "summary", "published_at", "authors", "images", "tags",
          "category", "attachments"}


@pytest.fixture(scope="module")
def sites() -> dict[int, Site]:
    return {n: Site(ReplicaConfig(articles=400, seed=5, night=n, nfd_rate=0.0))
            for n in (0, 1, 3)}


@pytest.fixture(scope="module")
def truth(sites) -> dict:
    return sites[3].changes(0, 3)


def shown(site: Site, url: str) -> dict[str, object]:
    """What a reader sees of an article (custom2015 markup)."""
    status, _, body = site.render(url)
    assert status == 200, url
    doc = lxml.html.fromstring(unicodedata.normalize("NFC", body.decode()))

    def t(el) -> str:
        return " ".join(el.text_content().split())

    return {
        "title": t(doc.cssselect("h3.title")[0]),
        "body_text": t(doc.cssselect("div.bodytext")[0]),
        "authors": [t(p) for p in doc.cssselect("p.h5.text-right") if "Tác giả" in t(p)],
        "images": [(i.get("src"), i.get("alt")) for i in doc.cssselect("div.bodytext img")],
        "views": t(doc.cssselect("span.hitstotal")[0]),
    }


def test_truth_has_every_kind_of_change(truth):
    assert {a["kind"] for a in truth["added"]} == {"article", "document"}
    assert {r["reason"] for r in truth["removed"]} == {"http_404", "soft_404"}
    fields = {f for c in truth["changed"] for f in c["fields"]}
    assert {"title", "body_text", "authors", "images"} <= fields <= FIELDS
    for item in truth["added"] + truth["removed"] + truth["changed"]:
        assert isinstance(item["key"], int) and item["url"].startswith("/vi/")


def test_same_night_has_no_changes(sites):
    assert sites[1].changes(1, 1) == {"added": [], "removed": [], "changed": []}


def test_changed_fields_really_differ_on_the_pages(sites, truth):
    for item in truth["changed"]:
        before, after = shown(sites[0], item["url"]), shown(sites[3], item["url"])
        fields = set(item["fields"])
        for f in ("title", "authors", "body_text"):
            assert (before[f] != after[f]) == (f in fields), (item, f)
        if "images" in fields:
            assert before["body_text"] != after["body_text"]  # the caption is body text


def test_unchanged_articles_look_the_same(sites, truth):
    touched = {c["key"] for c in truth["changed"]} | {r["key"] for r in truth["removed"]}
    m = sites[0].model
    checked = 0
    for k in range(2, 400, 7):
        if k in touched:
            continue
        url = m.base_article(k).path
        before, after = shown(sites[0], url), shown(sites[3], url)
        assert {f: before[f] for f in ("title", "body_text", "authors", "images")} == \
            {f: after[f] for f in ("title", "body_text", "authors", "images")}
        checked += 1
    assert checked > 30


def test_counters_change_but_are_not_changes(sites, truth):
    changed_keys = {c["key"] for c in truth["changed"]}
    m = sites[0].model
    k = next(k for k in range(2, 400) if k not in changed_keys
             and sites[3].model.article_exists(k, 3))
    url = m.base_article(k).path
    assert shown(sites[0], url)["views"] != shown(sites[3], url)["views"]


def test_removed_articles_answer_404_or_soft_and_leave_listings(sites, truth):
    s3 = sites[3]
    canonical = set(s3.canonical_urls())
    sitemap = s3.render("/sitemap-vi.news.xml")[2].decode()
    for item in truth["removed"]:
        assert sites[0].render(item["url"])[0] == 200
        status, _, body = s3.render(item["url"])
        if item["reason"] == "http_404":
            assert status == 404
        else:
            assert status == 200 and "Lỗi không có chủ đề" in body.decode()
        assert item["url"] not in canonical
        assert item["url"] not in sitemap
        cat = item["url"].split("/")[3]
        listing_urls = [u for u in canonical if u.startswith(f"/vi/news/{cat}/")
                        and u.endswith("/")]
        for lu in listing_urls:
            assert item["url"] not in s3.render(lu)[2].decode()


def test_added_items_appear_in_listings_and_feeds(sites, truth):
    s0, s3 = sites[0], sites[3]
    first_page = s3.render("/vi/news/")[2].decode()
    rss = lxml.etree.fromstring(s3.render("/vi/news/rss/")[2])
    links = [x.split("/", 3)[3] for x in rss.xpath("//item/link/text()")]
    laws = s3.render("/vi/laws/")[2].decode()
    for item in truth["added"]:
        assert s0.render(item["url"])[0] == 404
        assert s3.render(item["url"])[0] == 200
        if item["kind"] == "article":
            assert f'href="{item["url"]}"' in first_page
            assert item["url"].lstrip("/") in links
        else:
            assert f'href="{item["url"]}"' in laws


def test_nights_compose(sites):
    s = sites[3]
    direct = s.changes(0, 3)
    steps = [s.changes(0, 1), s.changes(1, 3)]
    added = {(a["kind"], a["key"]) for st in steps for a in st["added"]}
    removed = {r["key"] for st in steps for r in st["removed"]}
    assert {(a["kind"], a["key"]) for a in direct["added"]} == {
        x for x in added if not (x[0] == "article" and x[1] in removed)}
