"""Vietnamese and English for the archive browser: the language of a request, the messages,
and dates in the portal's time zone.

The language is the `lang` cookie set by the switch (`/lang/vi`, `/lang/en`), else the best
match of the browser's Accept-Language, else Vietnamese (the portals' language). Every string
the templates print is NFC (the Jinja `finalize` hook in `browser.app`), so Vietnamese text
from any source compares and renders alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
# The portals are Vietnamese government sites: their clocks, and their readers', are in ICT.
PORTAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

MESSAGES: dict[str, dict[str, str]] = {
    "app_title": {"vi": "Kho lưu trữ cổng thông tin", "en": "Portal archive"},
    "portals": {"vi": "Cổng thông tin", "en": "Portals"},
    "portal": {"vi": "Cổng thông tin", "en": "Portal"},
    "snapshots": {"vi": "Các bản chụp", "en": "Snapshots"},
    "snapshot": {"vi": "Bản chụp", "en": "Snapshot"},
    "night": {"vi": "Đêm", "en": "Night"},
    "status": {"vi": "Trạng thái", "en": "Status"},
    "started": {"vi": "Bắt đầu", "en": "Started"},
    "ended": {"vi": "Kết thúc", "en": "Ended"},
    "captures": {"vi": "Lượt thu", "en": "Captures"},
    "revisits": {"vi": "Lượt thu lặp lại", "en": "Revisits"},
    "new": {"vi": "Mới", "en": "New"},
    "changed": {"vi": "Thay đổi", "en": "Changed"},
    "removed": {"vi": "Bị gỡ", "en": "Removed"},
    "unchanged": {"vi": "Không đổi", "en": "Unchanged"},
    "verify": {"vi": "Kiểm tra toàn vẹn", "en": "Verify"},
    "verify_ok": {"vi": "nguyên vẹn", "en": "intact"},
    "verify_pending": {"vi": "đang kiểm tra…", "en": "checking…"},
    "problems": {"vi": "lỗi", "en": "problems"},
    "first_snapshot": {"vi": "bản chụp đầu tiên", "en": "first snapshot"},
    "statistics": {"vi": "Thống kê", "en": "Statistics"},
    "by_status": {"vi": "Theo mã HTTP", "en": "By HTTP status"},
    "by_type": {"vi": "Theo kiểu nội dung", "en": "By content type"},
    "pages_by_type": {"vi": "Trang theo loại và mã HTTP", "en": "Pages by type and status"},
    "page_type": {"vi": "Loại trang", "en": "Page type"},
    "count": {"vi": "Số lượng", "en": "Count"},
    "rejects": {"vi": "Bản ghi bị loại", "en": "Rejects"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    "none": {"vi": "Không có.", "en": "None."},
    "datasets": {"vi": "Bộ dữ liệu", "en": "Datasets"},
    "table": {"vi": "Bảng", "en": "Table"},
    "rows": {"vi": "Số dòng", "en": "Rows"},
    "download": {"vi": "Tải về", "en": "Download"},
    "wacz": {"vi": "Gói WACZ của bản chụp", "en": "The snapshot's WACZ package"},
    "wacz_note": {"vi": "Đóng gói khi tải (kèm bản gốc của các lượt thu lặp lại)",
                  "en": "Packaged on download (with the originals of its revisits)"},
    "pages": {"vi": "Trang", "en": "Pages"},
    "url": {"vi": "Địa chỉ", "en": "URL"},
    "title": {"vi": "Tiêu đề", "en": "Title"},
    "history": {"vi": "Lịch sử", "en": "History"},
    "url_history": {"vi": "Lịch sử của một địa chỉ", "en": "History of a URL"},
    "captured_at": {"vi": "Thời điểm thu", "en": "Captured at"},
    "digest": {"vi": "Mã băm nội dung", "en": "Payload digest"},
    "record": {"vi": "Bản ghi", "en": "Record"},
    "change": {"vi": "Thay đổi", "en": "Change"},
    "change_first": {"vi": "lần đầu", "en": "first"},
    "change_changed": {"vi": "đã đổi", "en": "changed"},
    "change_unchanged": {"vi": "không đổi", "en": "unchanged"},
    "replay": {"vi": "xem bản lưu", "en": "archived capture"},
    "live_url": {"vi": "địa chỉ gốc", "en": "live URL"},
    "article": {"vi": "Bài viết", "en": "Article"},
    "document": {"vi": "Văn bản", "en": "Document"},
    "versions": {"vi": "Các phiên bản", "en": "Versions"},
    "version": {"vi": "Phiên bản", "en": "Version"},
    "seen_in": {"vi": "Có trong các bản chụp", "en": "Seen in snapshots"},
    "field_changes": {"vi": "Thay đổi theo trường", "en": "Field-level changes"},
    "field": {"vi": "Trường", "en": "Field"},
    "state_by_night": {"vi": "Tình trạng theo từng đêm", "en": "State on each night"},
    "state_present": {"vi": "có mặt", "en": "present"},
    "state_withdrawn": {"vi": "đã gỡ", "en": "withdrawn"},
    "state_not_rechecked": {"vi": "chưa kiểm tra lại", "en": "not re-checked"},
    "state_not_yet": {"vi": "chưa xuất hiện", "en": "not yet published"},
    "state_unknown": {"vi": "không rõ", "en": "unknown"},
    "since": {"vi": "kể từ", "en": "since"},
    "lineage": {"vi": "Nguồn gốc WARC", "en": "WARC lineage"},
    "warc_file": {"vi": "Tệp WARC", "en": "WARC file"},
    "offset": {"vi": "Vị trí", "en": "Offset"},
    "diff": {"vi": "So sánh hai bản chụp", "en": "Diff of two snapshots"},
    "diff_short": {"vi": "So sánh", "en": "Diff"},
    "compare": {"vi": "So sánh", "en": "Compare"},
    "kind": {"vi": "Loại", "en": "Kind"},
    "all": {"vi": "tất cả", "en": "all"},
    "filter": {"vi": "Lọc", "en": "Filter"},
    "replay_banner": {"vi": "Bản lưu trữ, thu lúc", "en": "Archived capture, taken"},
    "back": {"vi": "Quay lại kho lưu trữ", "en": "Back to the archive"},
    "replay_note": {"vi": "Trang này được phát lại từ kho lưu trữ, không phải trang hiện tại.",
                    "en": "This page is replayed from the archive, not the live site."},
    "replay_unavailable": {"vi": "Trình phát lại (pywb) không chạy.",
                           "en": "Replay (pywb) is not running."},
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "not_found": {"vi": "Không tìm thấy", "en": "Not found"},
    "bad_request": {"vi": "Yêu cầu không hợp lệ", "en": "Bad request"},
    "time_zone_note": {"vi": "Giờ Việt Nam (GMT+7)", "en": "Vietnam time (GMT+7)"},
    "items": {"vi": "Mục", "en": "Items"},
    "open": {"vi": "mở", "en": "open"},
    "id": {"vi": "Mã", "en": "ID"},
    "next": {"vi": "Tiếp", "en": "Next"},
    "first_at": {"vi": "Bản chụp đầu tiên", "en": "First snapshot"},
    "latest_at": {"vi": "Bản chụp mới nhất", "en": "Latest snapshot"},
    "quality": {"vi": "Chất lượng thu thập", "en": "Capture quality"},
    "check": {"vi": "Kiểm tra", "en": "Check"},
    "checked": {"vi": "Đã xét", "en": "Checked"},
    "details": {"vi": "Chi tiết", "en": "Details"},
    "qa_previous": {"vi": "So với bản chụp trước", "en": "Against the previous snapshot"},
    "qa_missing_requisites": {"vi": "Trang thiếu tài nguyên (ảnh, CSS, JS) chưa thu",
                              "en": "Pages with requisites (images, CSS, JS) not captured"},
    "qa_soft_404": {"vi": "Trang \"không tìm thấy\" trả mã 200 (soft 404)",
                    "en": "Soft 404 pages"},
    "qa_status_regressions": {"vi": "Địa chỉ từ 200 thành 404/5xx",
                              "en": "Status regressions (200 → 404/5xx)"},
    "qa_parsed_to_nothing": {"vi": "Trang thu được nhưng không trích xuất được gì",
                             "en": "Pages captured but parsed to nothing"},
    "qa_truncated": {"vi": "Phản hồi bị cắt cụt", "en": "Truncated responses"},
    "qa_oversized": {"vi": "Phản hồi quá lớn", "en": "Oversized responses"},
    "qa_lineage": {"vi": "Đối chiếu nguồn gốc (mẫu dòng phân tích lại từ WARC)",
                   "en": "Lineage round trip (sample rows re-parsed from their WARC record)"},
}


def translate(key: str, lang: str) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def choose_language(cookie: str | None, accept_language: Any) -> str:
    """The switch's cookie if valid, else the Accept-Language best match, else Vietnamese."""
    if cookie in LANGUAGES:
        return cookie
    best = accept_language.best_match(LANGUAGES) if accept_language else None
    return best or DEFAULT_LANGUAGE


def to_moment(value: Any) -> datetime | None:
    """A UTC moment from a datetime, an ISO string, a 14-digit timestamp or a snapshot id."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value)
    digits = text.replace("T", "").replace("Z", "")
    if digits.isdigit() and len(digits) == 14:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_time(value: Any, lang: str, seconds: bool = False) -> str:
    """A moment in the portal's time zone: `03/12/2026 00:29` (vi) or `2026-12-03 00:29` (en)."""
    moment = to_moment(value)
    if moment is None:
        return "—" if value in (None, "") else str(value)
    local = moment.astimezone(PORTAL_TZ)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return local.strftime(("%d/%m/%Y " if lang == "vi" else "%Y-%m-%d ") + clock)


def format_day(value: Any, lang: str) -> str:
    moment = to_moment(value)
    if moment is None:
        return "—"
    return moment.astimezone(PORTAL_TZ).strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def _merge() -> None:
    """The search pages and the diff report keep their strings in their own modules."""
    from browser.i18n_diff import MESSAGES as DIFF_MESSAGES
    from browser.i18n_search import MESSAGES as SEARCH_MESSAGES

    MESSAGES.update(SEARCH_MESSAGES)
    MESSAGES.update(DIFF_MESSAGES)


_merge()
