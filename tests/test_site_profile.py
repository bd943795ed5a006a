"""The crawl-side site profile built from TOML profiles, and how a crawl picks its profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e import cli

from portal_archive.registry import Portal
from scraper.profiles.choose import choose_profile, named_profile, site_profile
from scraper.profiles.nukeviet import NukeVietProfile
from scraper.profiles.site import FEED, FILE, PAGE, REQUISITE, SITEMAP, SiteProfile
from scraper.profiles.spec import ProfileError, builtin, parse_profile

ROOT = "http://portal.example.vn/"


def test_upload_portal_profile_seeds_roles_and_traps() -> None:
    p = site_profile(ROOT, builtin("upload-portal"))
    assert type(p) is SiteProfile and p.name == "upload-portal"
    assert [(s.url, s.role) for s in p.seeds()] == [(ROOT, PAGE), (ROOT + "sitemap.xml", SITEMAP)]
    assert p.canonicalize(ROOT + "?page=search&keyword=x") is None  # the search trap
    assert p.canonicalize("http://other.vn/x.html") is None  # out of scope
    art = ROOT + "tin-tuc/thoi-su/hoi-nghi.html"
    assert p.canonicalize(art + "?utm_source=fb#top") == art  # volatile, fragment
    assert p.role_of(ROOT + "upload/2003591/20240729/a_9a125.jpg") == REQUISITE
    assert p.role_of(ROOT + "upload/2003591/fck/files/qd_1a2b3.pdf") == FILE
    assert p.is_item(art) and not p.is_item(ROOT + "tin-tuc/thoi-su")


def test_session_ids_and_queries_as_served() -> None:
    p = site_profile(ROOT, builtin("liferay"))
    assert p.canonicalize(ROOT + "web/guest/tin-tuc;jsessionid=AB12?a=1") == \
        ROOT + "web/guest/tin-tuc?a=1"
    combo = ROOT + "combo?browserId=other&minifierType=js&/o/a.js&/o/b.js"
    assert p.canonicalize(combo) == combo  # nothing dropped: not re-encoded
    assert p.canonicalize(ROOT + "c/portal/update_language?languageId=en_US") is None


def test_scope_hosts_prefixes_and_feed_roles_from_a_site_profile() -> None:
    spec = parse_profile('[profile]\nname = "x"\nplatform = "generic"\nextends = "generic"\n'
                         '[site]\nseeds = ["/tin-tuc/"]\nhosts = ["www.portal.example.vn"]\n'
                         'path_prefixes = ["/tin-tuc/"]\nexclude_prefixes = ["/tin-tuc/cu/"]\n')
    p = site_profile(ROOT, spec)
    assert [s.url for s in p.seeds()] == [ROOT, ROOT + "tin-tuc/"]
    assert p.canonicalize("http://www.portal.example.vn/tin-tuc/a.html") == ROOT + "tin-tuc/a.html"
    assert p.canonicalize(ROOT + "gioi-thieu/") is None  # a page out of the prefixes
    assert p.canonicalize(ROOT + "css/site.css") == ROOT + "css/site.css"  # its requisites
    assert p.canonicalize(ROOT + "tin-tuc/cu/a.html") is None
    assert p.role_of(ROOT + "tin-tuc/rss/") == FEED


def test_nukeviet_is_its_subclass_named_by_the_toml_hook() -> None:
    p = site_profile(ROOT, builtin("nukeviet"))
    assert type(p) is NukeVietProfile and p.name == "nukeviet4"
    assert p.seeds() == NukeVietProfile(ROOT).seeds()


def test_choices_and_their_errors(tmp_path: Path) -> None:
    assert named_profile("nukeviet4").name == "nukeviet"  # the name old snapshots recorded
    assert choose_profile(None, platform="wordpress").spec.platform == "wordpress"
    with pytest.raises(ProfileError, match="is for platform 'liferay', not 'wordpress'"):
        choose_profile(None, platform="wordpress", profile="liferay")
    with pytest.raises(ProfileError, match="unknown platform 'drupal'"):
        choose_profile(None, platform="drupal")
    # Unreachable home page: NukeViet, as before profiles were chosen.
    assert choose_profile("http://127.0.0.1:9/", timeout=2).chosen_by == "default"
    assert Portal("a", [ROOT], platform="sharepoint").profile_options() == ("sharepoint", None)
    assert Portal("a", [ROOT], profile="site.toml").profile_options() == (None, "site.toml")


def test_bad_platform_or_profile_is_one_line(tmp_path: Path) -> None:
    bad = cli("crawl", "http://127.0.0.1:9/", "--archive", str(tmp_path / "a"),
              "--platform", "drupal", check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "unknown platform 'drupal'" in bad.stderr and "Traceback" not in bad.stderr
    bad = cli("nightly", "http://127.0.0.1:9/", "--archive", str(tmp_path / "n"),
              "--platform", "drupal", check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "unknown platform 'drupal'" in bad.stderr
    (tmp_path / "site.toml").write_text('[profile]\nname = "x"\nplatform = "generic"\n'
                                        '[urls]\ntrap = ["(unclosed"]\n', encoding="utf-8")
    bad = cli("crawl", "http://127.0.0.1:9/", "--archive", str(tmp_path / "a"),
              "--profile", str(tmp_path / "site.toml"), check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "site.toml: line 5: [urls] trap" in bad.stderr
    assert not (tmp_path / "a" / "snapshots").exists() or not any(
        json.loads(m.read_text())["status"] == "closed"
        for m in (tmp_path / "a" / "snapshots").glob("*/manifest.json"))
