"""Property tests (hypothesis) for the small field parsers, plus the named examples of the
issue and PORTAL.md for each of them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.parsers import (
    is_residue,
    parse_author_line,
    parse_counters,
    parse_date,
    parse_date_line,
    parse_datetime,
    parse_document_number,
    parse_source_line,
    split_caption_credit,
)
from scraper.parsers.dates import WEEKDAYS_VI
from scraper.parsers.numbers import TYPE_CODES

TZ = timezone(timedelta(hours=7))
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ))
dashes = st.sampled_from([" - ", " – ", " — ", " -", "- "])
# Vietnamese-looking words: letters with diacritics, no separators the parsers split on.
word = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậếềểễệốồổỗộớờởỡợứừửữựíìỉĩị"
                        "ÂĐÊÔƠƯTNHLVQ", min_size=1, max_size=8)
name = st.lists(word, min_size=1, max_size=4).map(" ".join).filter(
    lambda n: n.lower() not in ("và",) and " và " not in f" {n.lower()} ")
org = st.lists(word, min_size=1, max_size=6).map(" ".join)


@given(moments)
def test_date_line_round_trip(moment):
    line = f"{WEEKDAYS_VI[moment.weekday()]} - {moment:%d/%m/%Y %H:%M}"
    parsed = parse_date_line(line)
    assert parsed["published_at"] == moment.isoformat()
    assert parsed["weekday_matches"] is True
    assert parsed["published_at"].endswith("+07:00")


@given(moments, st.booleans())
def test_listing_dates_12_and_24_hour(moment, twelve_hour):
    moment = moment.replace(second=moment.minute % 60)
    text = moment.strftime("%d/%m/%Y %I:%M:%S %p" if twelve_hour else "%d/%m/%Y %H:%M:%S")
    assert parse_datetime(text) == moment.isoformat()


@given(st.dates(min_value=datetime(1990, 1, 1).date()))
def test_document_date_round_trip(day):
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day.isoformat()
    assert parse_date(f"{day:%d/%m/%Y}") == day.isoformat()


@pytest.mark.parametrize("text", ["...", "", None, "Không xác định", "31/02/2021"])
def test_document_date_missing_is_null(text):
    assert parse_date(text) is None


def test_date_line_examples():
    assert parse_date_line("Thứ tư - 25/03/2015 09:21")["published_at"] == (
        "2015-03-25T09:21:00+07:00")
    assert parse_date_line("Chủ nhật - 12/04/2015 16:05")["weekday"] == 6
    assert parse_date_line("Thứ hai, 25/03/2015 09:21")["weekday_matches"] is False
    assert parse_date_line("Đã xem: 349") is None
    assert parse_datetime("25/03/2015 12:05:00 AM") == "2015-03-25T00:05:00+07:00"
    assert parse_datetime("25/03/2015 12:05:00 PM") == "2015-03-25T12:05:00+07:00"


@settings(max_examples=200)
@given(st.integers(1, 99999), st.sampled_from(sorted(TYPE_CODES)),
       st.sampled_from(["UBND", "TU", "HĐND", "BCĐ", "SYT", "UBND-VX"]),
       st.one_of(st.none(), st.integers(1990, 2099)), st.booleans())
def test_document_number_round_trip(serial, type_code, issuer, year, prefixed):
    number = f"{serial}/{year}/{type_code}-{issuer}" if year else f"{serial}/{type_code}-{issuer}"
    parsed = parse_document_number(("Số: " if prefixed else "") + number)
    assert parsed == {"number": number, "serial": serial, "year": year,
                      "type_code": type_code, "issuer_code": issuer}


@given(st.integers(1, 99999), st.sampled_from(["UBND-VX", "UBND-KT", "SNV-TCCB", "VP"]))
def test_cong_van_has_no_type_code(serial, issuer):
    parsed = parse_document_number(f"{serial}/{issuer}")
    assert (parsed["serial"], parsed["type_code"], parsed["issuer_code"]) == (serial, None, issuer)


@pytest.mark.parametrize(("text", "serial", "year", "type_code", "issuer"), [
    ("17/CT-UBND", 17, None, "CT", "UBND"),
    ("3600/UBND-VX", 3600, None, None, "UBND-VX"),
    ("12/2021/QĐ-UBND", 12, 2021, "QĐ", "UBND"),
    ("Số: 130/TB-UBND", 130, None, "TB", "UBND"),
    ("534-QĐ/TU", 534, None, "QĐ", "TU"),
    ("22-NQ/TW", 22, None, "NQ", "TW"),
    ("QĐ-UBND", None, None, "QĐ", "UBND"),
    ("45/TTr-SNV", 45, None, "TTr", "SNV"),
])
def test_document_number_examples(text, serial, year, type_code, issuer):
    parsed = parse_document_number(text)
    assert (parsed["serial"], parsed["year"], parsed["type_code"], parsed["issuer_code"]) == (
        serial, year, type_code, issuer)


def test_document_number_empty():
    assert parse_document_number("") == {"number": None, "serial": None, "year": None,
                                         "type_code": None, "issuer_code": None}


@given(st.lists(name, min_size=1, max_size=3), st.one_of(st.none(), org), dashes,
       st.sampled_from(["Tác giả bài viết: ", "Tác giả: ", ""]))
def test_author_line_round_trip(names, organization, dash, label):
    line = label + ", ".join(names) + (f"{dash}{organization}" if organization else "")
    assert parse_author_line(line) == [{"name": n, "organization": organization}
                                       for n in names]


def test_author_examples():
    assert parse_author_line("Tác giả bài viết: Thúy Vân - Văn phòng Tỉnh ủy") == [
        {"name": "Thúy Vân", "organization": "Văn phòng Tỉnh ủy"}]
    assert parse_author_line("Tác giả: A, B – Sở Y tế; C") == [
        {"name": "A", "organization": "Sở Y tế"}, {"name": "B", "organization": "Sở Y tế"},
        {"name": "C", "organization": None}]
    assert parse_author_line("Hồng Nhung — Trung tâm Văn hóa - Thể thao") == [
        {"name": "Hồng Nhung", "organization": "Trung tâm Văn hóa - Thể thao"}]
    assert parse_author_line("") == []
    assert parse_source_line("Nguồn tin: Báo Lai Châu") == "Báo Lai Châu"


@pytest.mark.parametrize(("text", "caption", "credit"), [
    ("Lớp bồi dưỡng (ảnh: TP)", "Lớp bồi dưỡng", "TP"),
    ("Lớp bồi dưỡng (Ảnh: TP)", "Lớp bồi dưỡng", "TP"),
    ("Người dân thu hái chè - Ảnh: Thu Hà", "Người dân thu hái chè", "Thu Hà"),
    ("Người dân thu hái chè. Ảnh: Thu Hà", "Người dân thu hái chè", "Thu Hà"),
    ("Cán bộ một cửa (ảnh Thanh Xuân)", "Cán bộ một cửa", "Thanh Xuân"),
    ("Quang cảnh hội nghị (Ảnh minh họa)", "Quang cảnh hội nghị (Ảnh minh họa)", None),
    ("Quang cảnh hội nghị", "Quang cảnh hội nghị", None),
    ("Cán bộ xã Thu Lũm (Mường Tè)\nlàm đường (ảnh: AT)", "Cán bộ xã Thu Lũm (Mường Tè) làm đường",
     "AT"),
    ("", None, None),
])
def test_caption_credit(text, caption, credit):
    assert split_caption_credit(text) == (caption, credit)


@given(st.lists(org, min_size=1, max_size=3).map(", ".join), name,
       st.sampled_from(["{} (ảnh: {})", "{} (Ảnh: {})", "{} - Ảnh: {}", "{} (ảnh {})",
                        "{}. Ảnh: {}"]))
def test_credit_is_split_off_the_caption(caption, credit, form):
    assert split_caption_credit(form.format(caption, credit)) == (caption, credit)


@pytest.mark.parametrize("text", ["4 3 15", "5 3 15", "IMG_2041.JPG", "DSC_0042", "anh1.jpg",
                                  "2015_03_25", " ", "..."])
def test_residue(text):
    assert is_residue(text)


@pytest.mark.parametrize("text", ["Lãnh đạo xã Mường Mít", "Đồi chè Tam Đường", "Hội nghị 2015"])
def test_not_residue(text):
    assert not is_residue(text)


def test_counters():
    assert parse_counters("lượt xem: 424 | lượt tải:9") == {"views": 424, "downloads": 9}
    assert parse_counters("Lượt xem: 1.204") == {"views": 1204, "downloads": None}
