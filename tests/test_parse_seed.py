"""The seed article (shared/seeds/000_*.txt) rendered in all three themes: every fact of
PORTAL.md's "seed page, read as data" table, asserted by hand rather than from expected.json."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_parsers_fixtures import PAGES, load

from scraper.parsers import parse_page

THEMES = ("custom2015", "default40", "egov45")
CAPTION_1 = "Lớp bồi dưỡng nghiệp vụ QLNN cho công chức, viên chức tại huyện Than Uyên năm 2014"
CAPTION_2 = ("Lãnh đạo xã Mường Mít - Than Uyên tuyên truyền chủ trương, chính sách của Đảng và "
             "Nhà nước đến Nhân dân bản Mường")
CAPTION_3 = "Cán bộ, đoàn viên thanh niên xã Thu Lũm (Mường Tè) làm đường dân sinh"
SEED_TEXT = next((Path(__file__).parents[2] / "shared" / "seeds").glob("000_*.txt"), None)


@pytest.fixture(scope="module", params=THEMES)
def seed(request):
    fixture = load(PAGES / request.param / "article_seed")
    return request.param, parse_page(fixture.body, fixture.url, fixture.content_type)


def test_is_an_article_with_id_from_url(seed):
    _, result = seed
    assert result["page_type"] == "article"
    assert result["article"]["article_id"] == 2356
    assert result["article"]["url"].endswith("-2356.html")


def test_title(seed):
    assert seed[1]["article"]["title"] == "Tiếp tục quan tâm củng cố hệ thống chính trị cơ sở"


def test_date_line_with_weekday(seed):
    article = seed[1]["article"]
    assert article["published_at"] == "2015-03-25T09:21:00+07:00"
    assert article["published_raw"] == "Thứ tư - 25/03/2015 09:21"


def test_views_and_comments_when_the_theme_shows_them(seed):
    theme, result = seed
    article = result["article"]
    if theme == "default40":  # the 4.0 default detail template prints only the date
        assert (article["views"], article["comments"]) == (None, None)
    else:
        assert (article["views"], article["comments"]) == (349, 0)


def test_first_caption_once_with_credit_even_though_alt_repeats_it(seed):
    article = seed[1]["article"]
    first = article["images"][0]
    assert first["caption"] == CAPTION_1
    assert first["credit"] == "TP"
    assert first["alt"] == CAPTION_1 + " (ảnh: TP)"
    assert article["body_text"].count(CAPTION_1) == 1


def test_file_name_residue_is_not_a_caption(seed):
    article = seed[1]["article"]
    images = article["images"]
    assert [img["alt"] for img in images[1:]] == ["4 3 15", "5 3 15"]
    assert images[1]["caption"] == CAPTION_2 and images[1]["credit"] == "TP"
    assert "4 3 15" not in article["body_text"] and "5 3 15" not in article["body_text"]
    assert all(img["caption"] not in ("4 3 15", "5 3 15") for img in images)


def test_caption_broken_over_two_lines(seed):
    image = seed[1]["article"]["images"][2]
    assert image["caption"] == CAPTION_3
    assert image["credit"] == "AT"
    assert image["src"].endswith("/uploads/news/2015_03/5-3-15.jpg")
    assert image["src"].startswith("http://www.laichau.gov.vn/")


def test_author_and_organisation(seed):
    assert seed[1]["article"]["authors"] == [
        {"name": "Thúy Vân", "organization": "Văn phòng Tỉnh ủy"}
    ]


def test_rating(seed):
    assert seed[1]["article"]["rating"] == {"score": 0, "votes": 0}


def test_sidebar_documents_where_the_theme_has_the_block(seed):
    theme, result = seed
    docs = result["sidebar_documents"]
    if theme == "default40":
        assert docs == []
        return
    assert [d["number"] for d in docs] == ["17/CT-UBND", "3600/UBND-VX", "130/TB-UBND",
                                           "3505/KH-UBND"]
    assert [(d["views"], d["downloads"]) for d in docs] == [(424, 9), (857, 52), (946, 39),
                                                             (997, 9)]
    assert docs[0]["title"] == ("Chỉ thị về việc tăng cường công tác quản lý bảo vệ rừng và "
                                "phòng cháy, chữa cháy rừng mùa khô năm 2021-2022")
    assert docs[2]["title"] == "Thông báo tuyển dụng công chức tỉnh Lai Châu năm 2021"
    assert all(d["url"].startswith("http://www.laichau.gov.vn/") for d in docs)


def test_session_timeout_and_chrome_are_not_text(seed):
    article = seed[1]["article"]
    for field in ("body_text", "summary"):
        assert "Bạn đã không sử dụng Site" not in article[field]
        assert "Thời gian chờ" not in article[field]
        assert "lượt xem" not in article[field]
        assert "Tổng số điểm" not in article[field]
        assert "Tác giả bài viết" not in article[field]


def test_body_text_matches_the_seed_paragraphs(seed):
    """Every body paragraph of the seed's visible text is in body_text, in order."""
    if SEED_TEXT is None:
        pytest.skip("shared seeds not present")
    lines = [ln.strip() for ln in SEED_TEXT.read_text(encoding="utf-8").split("\n")]
    paragraphs = [ln for ln in lines[6:30] if len(ln) > 120]
    body = seed[1]["article"]["body_text"]
    positions = [body.find(p) for p in paragraphs]
    assert len(paragraphs) >= 9
    assert -1 not in positions
    assert positions == sorted(positions)
    assert seed[1]["article"]["summary"] == lines[3]


def test_category_and_breadcrumbs_from_hidden_temp_breadcrumbs(seed):
    article = seed[1]["article"]
    assert article["category"] == "Xây dựng Đảng"
    assert [c["title"] for c in article["breadcrumbs"]] == ["Trang nhất", "Tin tức - Sự kiện",
                                                            "Xây dựng Đảng"]


def test_machine_readable_dates_are_ignored():
    """The egov page carries a broken article:published_time and a datePublished of 2019."""
    fixture = load(PAGES / "egov45" / "article_seed")
    assert b"2015-03-25+0709:21:00" in fixture.body and b"2019-06-12T14:02:11" in fixture.body
    article = parse_page(fixture.body, fixture.url)["article"]
    assert article["published_at"] == "2015-03-25T09:21:00+07:00"
