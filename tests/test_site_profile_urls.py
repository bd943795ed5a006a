"""URL knowledge of the enterprise platform profiles (scraper.profiles.site.SiteProfile).

Pages as the replica's Liferay, SharePoint and DotNetNuke render them: a canonical query
keeps the bytes the page wrote (the URL replay looks up), robots.txt's `Sitemap:` lines are
links, and each platform's paged listings, document pages and traps get their roles.
"""

from __future__ import annotations

import re

import pytest

from replica import ReplicaConfig, Site
from scraper.parsers import parse_page
from scraper.profiles.site import SITEMAP, SiteProfile
from scraper.profiles.spec import builtin

BASE = "http://127.0.0.1:8080/"


def profile(platform: str) -> SiteProfile:
    return SiteProfile(BASE, builtin(platform))


def test_a_query_is_kept_as_the_page_wrote_it():
    liferay = profile("liferay")
    combo = (BASE + "combo?browserId=other&minifierType=js&languageId=vi_VN&b=7310"
             "&/o/frontend-js-jquery-web/jquery/jquery.min.js&/o/frontend-js-web/x.js")
    assert liferay.canonicalize(combo) == combo
    # A volatile parameter goes; every other byte stays (no `%2F`, no `=` added).
    assert liferay.canonicalize(combo + "&p_p_auth=Xy12") == combo
    assert liferay.canonicalize(BASE + "web/guest/a?redirect=%2Fweb&x=a%20b") == \
        BASE + "web/guest/a?x=a%20b"


@pytest.mark.parametrize("platform", ["liferay", "sharepoint", "dotnetnuke"])
def test_robots_sitemap_lines_are_links(platform):
    site = Site(ReplicaConfig(articles=5, platform=platform))
    status, headers, body = site.render("/robots.txt")
    links = profile(platform).extract_links(body, BASE + "robots.txt", headers["Content-Type"])
    assert [(link.role, link.url.startswith(BASE + "sitemap.")) for link in links] == [
        (SITEMAP, True)]


def test_no_sitemap_line_no_link():
    assert profile("generic").extract_links(b"User-agent: *\nDisallow: /a\n",
                                            BASE + "robots.txt", "text/plain") == []


@pytest.mark.parametrize("platform, path, page_type", [
    ("liferay", "/web/guest/tin-tuc?p_p_id=ArticleList_WAR_vnpteportalportlet_INSTANCE_85a97c3bdb35"
     "&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&_ArticleList_WAR_vnpteportalportlet_"
     "INSTANCE_85a97c3bdb35_cur=2", "category_listing"),
    ("liferay", "/web/guest/van-ban", "document_listing"),
    ("sharepoint", "/tin-tuc/Pages/default.aspx?Paged=TRUE&p_ID=6&PageFirstRow=21",
     "category_listing"),
    ("sharepoint", "/laichau/Pages/vbpq-toanvan.aspx?dvid=318&ItemID=150001", "document_text"),
    ("sharepoint", "/laichau/Pages/vbpq-thuoctinh.aspx?dvid=318&ItemID=150001",
     "document_detail"),
    ("dotnetnuke", "/", "category_listing"),
    ("dotnetnuke", "/tin-tuc/PgrID/1520/PageID/2", "category_listing"),
    ("dotnetnuke", "/tin-tuc/tag/y-te", "tag_listing"),
    ("dotnetnuke", "/van-ban", "document_listing"),
    ("dotnetnuke", "/van-ban/mid/1600/ItemID/4", "document_detail"),
])
def test_page_types_of_platform_pages(platform, path, page_type):
    site = Site(ReplicaConfig(articles=25, platform=platform))
    status, headers, body = site.render(path)
    assert status == 200
    result = parse_page(body, BASE.rstrip("/") + path, headers["Content-Type"],
                        profile=builtin(platform))
    assert result["page_type"] == page_type


def test_dotnetnuke_document_id_and_files():
    site = Site(ReplicaConfig(articles=5, platform="dotnetnuke"))
    _, headers, body = site.render("/van-ban/mid/1600/ItemID/4")
    doc = parse_page(body, BASE + "van-ban/mid/1600/ItemID/4", headers["Content-Type"],
                     profile=builtin("dotnetnuke"))["document"]
    assert doc["document_id"] == 4
    assert [a["name"] for a in doc["attachments"]] == ["3505-kh-ubnd.pdf",
                                                       "3505-kh-ubnd-phu-luc.doc"]


@pytest.mark.parametrize("platform", ["liferay", "sharepoint", "dotnetnuke"])
def test_the_platform_traps_are_never_followed(platform):
    """Every link of the home page, a listing and an article: none the crawl keeps matches the
    replica's trap patterns, and each trap link the page has is dropped."""
    site = Site(ReplicaConfig(articles=5, platform=platform))
    traps = [re.compile(p) for p in site.platform.trap_patterns]
    prof = profile(platform)
    pages = [u for u in site.canonical_urls() if prof.role_of(BASE + u.lstrip("/")) == "page"]
    seen_trap = False
    for path in pages[:40]:
        status, headers, body = site.render(path)
        if status != 200 or "html" not in headers["Content-Type"]:
            continue
        seen_trap |= any(t.search(body.decode("utf-8", "replace")) for t in traps)
        for link in prof.extract_links(body, BASE.rstrip("/") + path, headers["Content-Type"]):
            rest = link.url[len(BASE) - 1:]
            assert not any(t.search(rest) for t in traps), link.url
    assert seen_trap  # the pages do link traps (the test can fail)
