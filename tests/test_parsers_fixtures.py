"""Every saved page under tests/pages/<theme>/<page>/ parses to its expected.json, field by field.

Fixtures follow web-poet's layout: `page.html` (bytes as served), `meta.json` ({url,
content_type}) and `expected.json` (the parse JSON). Other parser tests import `all_fixtures`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from scraper.parsers import PAGE_TYPES, parse_page

PAGES = Path(__file__).parent / "pages"
THEMES = ("custom2015", "default40", "egov45")


@dataclass(frozen=True)
class Fixture:
    name: str
    body: bytes
    url: str
    content_type: str | None
    expected: dict


def load(directory: Path) -> Fixture:
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    return Fixture(
        name=f"{directory.parent.name}/{directory.name}",
        body=(directory / "page.html").read_bytes(),
        url=meta["url"],
        content_type=meta.get("content_type"),
        expected=json.loads((directory / "expected.json").read_text(encoding="utf-8")),
    )


def all_fixtures() -> list[Fixture]:
    return [load(d) for d in sorted(PAGES.glob("*/*")) if (d / "page.html").exists()]


FIXTURES = all_fixtures()


def _fields(fixture: Fixture):
    """(path, expected value) for every field of the expected record, one level into records."""
    for key, value in fixture.expected.items():
        if isinstance(value, dict):
            for sub, sub_value in value.items():
                yield f"{key}.{sub}", (key, sub), sub_value
        else:
            yield key, (key,), value


CASES = [
    pytest.param(fixture, path, keys, value, id=f"{fixture.name}:{path}")
    for fixture in FIXTURES
    for path, keys, value in _fields(fixture)
]


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    return {f.name: parse_page(f.body, f.url, f.content_type) for f in FIXTURES}


@pytest.mark.parametrize(("fixture", "path", "keys", "expected"), CASES)
def test_field_matches_expected(parsed, fixture, path, keys, expected):
    value = parsed[fixture.name]
    for key in keys:
        value = value[key]
    assert value == expected


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_shape_is_exactly_the_contract(parsed, fixture):
    result = parsed[fixture.name]
    assert list(result) == ["url", "page_type", "article", "document", "listing",
                            "sidebar_documents", "platform", "sources", "disagreements"]
    assert result["page_type"] in PAGE_TYPES
    assert result == fixture.expected


def test_every_theme_has_every_page_type():
    by_theme: dict[str, set[str]] = {}
    for fixture in FIXTURES:
        theme = fixture.name.split("/")[0]
        by_theme.setdefault(theme, set()).add(fixture.expected["page_type"])
    for theme in THEMES:
        assert by_theme[theme] == {"article", "category_listing", "tag_listing",
                                   "document_detail", "document_listing", "soft_404", "other"}
    assert by_theme["default4022"] == {"article"}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_no_boilerplate_in_extracted_text(parsed, fixture):
    text = json.dumps(parsed[fixture.name], ensure_ascii=False)
    for chrome in ("Bạn đã không sử dụng Site", "Thời gian chờ", "Click để đánh giá",
                   "Tổng lượt truy cập", "Bấm vào đây để duy trì"):
        assert chrome not in text
