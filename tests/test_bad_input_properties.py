"""Bad input, as properties (hypothesis): a malformed profile is one `ProfileError` line
naming the file, the line and the key; a page is parsed by any profile without an
exception, with a known page type and the profile's platform, and a page that no rule
matches is `other` (issue 14, acceptance "Bad input")."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.parsers import PAGE_TYPES, parse_page
from scraper.profiles.spec import (
    ARTICLE_FIELDS,
    DOCUMENT_FIELDS,
    LISTING_FIELDS,
    PLATFORMS,
    ProfileError,
    builtin,
    parse_profile,
)

HEAD = '[profile]\nname = "site"\nplatform = "generic"\n'
FIELDS = {"article": ARTICLE_FIELDS, "document": DOCUMENT_FIELDS, "listing": LISTING_FIELDS}
PATH = Path("site.toml")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Values a key of an extraction table must not hold: not a list, not a list of strings, a
# selector cssselect cannot read.
bad_values = st.sampled_from([
    '"h1.title"', "3", "true", '[1, 2]', '[""]', '["h1["]', '["a >"]', '["::x"]',
    '["div:nth-child(x)"]', '["a[href"]', '["p @"]', '[["h1"]]', '{ css = "h1" }',
])
good_selectors = st.sampled_from([
    '"h1"', '".title"', '"#content p"', '"time@datetime"', '"a[rel=tag]"',
    '"ul.list > li"', '"meta[property=\'og:title\']@content"',
])


@st.composite
def profile_with_one_bad_key(draw):
    """(text, line, table, key): a profile whose one extraction key is wrong, on `line`."""
    table = draw(st.sampled_from(sorted(FIELDS)))
    keys = list(FIELDS[table])
    good = draw(st.lists(st.sampled_from(keys), unique=True, max_size=4))
    unknown = draw(st.booleans())
    if unknown:
        bad_key = draw(st.sampled_from(keys)) + draw(st.sampled_from(["x", "s", "_rule"]))
        bad_value = draw(good_selectors).join("[]")
    else:
        bad_key = draw(st.sampled_from([k for k in keys if k not in good] or keys))
        good = [k for k in good if k != bad_key]
        bad_value = draw(bad_values)
    lines = [f"{k} = [{draw(good_selectors)}]" for k in good]
    at = draw(st.integers(min_value=0, max_value=len(lines)))
    lines.insert(at, f"{bad_key} = {bad_value}")
    before = HEAD + draw(st.sampled_from(["", "\n", "# a comment\n"])) + f"[{table}]\n"
    line = before.count("\n") + at + 1
    return before + "\n".join(lines) + "\n", line, table, bad_key


@SETTINGS
@given(profile_with_one_bad_key())
def test_a_malformed_key_is_one_line_naming_file_line_and_key(case):
    text, line, table, key = case
    try:
        parse_profile(text, PATH)
    except ProfileError as exc:
        message = str(exc)
    else:
        raise AssertionError(f"accepted:\n{text}")
    assert "\n" not in message
    assert message.startswith(f"site.toml: line {line}: [{table}] {key}: "), (message, text)


css_soup = st.text(alphabet="ab1.#[]=:>~+()*, '\"@^$|-_\\", min_size=1, max_size=12)


@SETTINGS
@given(css_soup)
def test_any_selector_is_accepted_or_one_profile_error(selector):
    """cssselect's own exceptions never escape: a selector is compiled or refused in one
    line naming the key and its line."""
    text = HEAD + "[article]\n" + f"title = [{json.dumps(selector)}]\n"
    try:
        parse_profile(text, PATH)
    except ProfileError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith("site.toml: line 5: [article] title: ")


# Page fragments: the markup the profiles' rules look for, dates, labels, broken tags.
fragments = st.sampled_from([
    "<div class='detail-article'>", "<h1 class='title'>", "</h1>", "<div class='date'>",
    "Thứ năm, 18/04/2024 - 14:05", "32/13/2024 25:61", "<time datetime='2024-04-18T14:05'>",
    "<time datetime='x'>", "</time>", "<table><tr><td>Số ký hiệu</td><td>", "</td></tr>",
    "<tr><td>Ngày ban hành</td><td>31/02/2024</td></tr></table>", "<p>", "</p>", "</div>",
    "<div class='entry-content'>", "<figure><img src='/a.jpg'><figcaption>Ảnh: A",
    "</figcaption></figure>", "<img>", "<a href='javascript:x'>", "<a href='//'>", "</a>",
    "<script type='application/ld+json'>{\"@graph\": [{\"@type\": \"Article\"}, 3]}",
    "</script>", "<meta property='article:published_time' content='2024-99-99'>",
    "<span class='by-line'>Tác giả: </span>", "Nguồn: ", "<br>", "&#7843;", "&amp;", "<!--",
    "-->", "<div id='dnn_ctr1_ModuleContent'>", "<div class='ms-rtestate-field'>", "<",
    "<![CDATA[", "\x00", "<ul class='related'><li><a href='/x'>", "Văn bản", "<table>",
])
pages = st.lists(fragments, max_size=25).map(
    lambda parts: ("<html><head><title>t</title></head><body>" + "".join(parts)
                   + "</body></html>").encode("utf-8"))
urls = st.sampled_from([
    "https://x.example.gov.vn/", "https://x.example.gov.vn/2024/04/18/a/",
    "https://x.example.gov.vn/Pages/vbpq-thuoctinh.aspx?ItemID=5",
    "https://x.example.gov.vn/web/guest/-/asset_publisher/abc/content/a",
    "https://x.example.gov.vn/tin-tuc/a-1.html", "https://x.example.gov.vn/ArticleID/7/x.aspx",
])


@SETTINGS
@given(pages, urls, st.sampled_from(PLATFORMS))
def test_any_page_with_any_profile_never_raises(body, url, platform):
    profile = builtin(platform)
    result = parse_page(body, url, "text/html; charset=utf-8", profile=profile)
    assert result["page_type"] in PAGE_TYPES
    assert result["platform"] == platform
    assert isinstance(result["sources"], dict)


plain_text = st.text(alphabet="abcdeghiklmnoprstuvxyàáâãèéêìíòóôõùúýăđơư ", max_size=200)


@SETTINGS
@given(plain_text, urls)
def test_a_page_no_rule_matches_is_other(text, url):
    """No fingerprint, no rule, no date, no metadata: `other` with the `generic` platform."""
    body = f"<html><body><div><span>{text}</span></div></body></html>".encode()
    result = parse_page(body, url.replace("/ArticleID/7/x.aspx", "/lien-he"))
    if result["platform"] == "generic":
        assert result["page_type"] == "other"
        assert (result["article"], result["document"]) == (None, None)


def test_no_page_at_all_keeps_the_given_profiles_platform():
    """Found by the property above: a body with a NUL byte (taken for binary) or empty said
    `generic` even when a profile was given (`profile check --pages`)."""
    for body in (b"<html><body>\x00</body></html>", b"", b"   "):
        result = parse_page(body, "https://x.example.gov.vn/", profile=builtin("liferay"))
        assert (result["page_type"], result["platform"]) == ("other", "liferay")
    assert parse_page(b"\x00\x01", "https://x.example.gov.vn/a.pdf")["platform"] == "generic"
