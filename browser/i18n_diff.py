"""The diff report's strings as the archive browser shows it, Vietnamese and English (merged
into `browser.i18n.MESSAGES`). The English ones are those of `audit.diff_report`'s HTML."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "rd_title": {"vi": "So sánh hai bản chụp", "en": "Snapshot diff"},
    "rd_intro": {
        "vi": "Các trường được so sánh sau khi chuẩn hoá Unicode NFC và khoảng trắng; bỏ qua "
              "các bộ đếm lượt xem, bình luận, tải về và đánh giá.",
        "en": "Fields compared after Unicode NFC and whitespace normalisation; view, comment, "
              "download and rating counters are ignored."},
    "rd_added": {"vi": "mới", "en": "added"},
    "rd_deleted": {"vi": "bị gỡ khỏi cổng", "en": "removed from the portal"},
    "rd_not_captured": {"vi": "không thu được ở B", "en": "not captured in B"},
    "rd_changed": {"vi": "thay đổi", "en": "changed"},
    "rd_unchanged": {"vi": "không đổi", "en": "unchanged"},
    "rd_unchanged_rechecked": {"vi": "không đổi (đã kiểm tra lại)",
                               "en": "unchanged (re-checked)"},
    "rd_not_rechecked": {"vi": "chưa kiểm tra lại", "en": "not re-checked"},
    "rd_oldest": {"vi": "cũ nhất kiểm tra lần cuối {date}", "en": "oldest last verified {date}"},
    "rd_h_changed": {"vi": "Thay đổi ({n})", "en": "Changed ({n})"},
    "rd_h_deleted": {"vi": "Bị gỡ khỏi cổng ({n})", "en": "Removed from the portal ({n})"},
    "rd_h_added": {"vi": "Mới ({n})", "en": "Added ({n})"},
    "rd_h_not_captured": {"vi": "Không thu được ở B ({n})", "en": "Not captured in B ({n})"},
    "rd_h_not_rechecked": {"vi": "Không kiểm tra lại ở B ({n})",
                           "en": "Not re-checked in B ({n})"},
    "rd_not_captured_note": {
        "vi": "Lượt thu B không tải các mục này (hoặc tải mà không có mục). Đây không phải là "
              "xoá: chúng có thể vẫn còn trên cổng.",
        "en": "B's crawl did not fetch these (or fetched them without getting the item). They "
              "are not deletions: they may still be on the portal."},
    "rd_unchecked_summary": {
        "vi": "{n} mục B không kiểm tra lại, hiển thị như lần kiểm tra cuối",
        "en": "{n} item(s) B did not re-check, shown as last verified"},
    "rd_matched": {"vi": "(trước là {kind} {key}, khớp theo số hiệu)",
                   "en": "(was {kind} {key}, matched by number)"},
    "rd_moved": {"vi": "(chuyển từ {url}, khớp theo nội dung)",
                 "en": "(moved from {url}, matched by content)"},
    "rd_captures_only": {"vi": "chỉ những gì A và B thu được",
                         "en": "only what A and B captured"},
    "rd_restored": {"vi": "(được khôi phục; đã thấy bị gỡ {date})",
                    "en": "(restored; seen withdrawn {date})"},
    "rd_kind": {"vi": "loại", "en": "kind"},
    "rd_key": {"vi": "mã", "en": "key"},
    "rd_item": {"vi": "mục", "en": "item"},
    "rd_reason": {"vi": "lý do", "en": "reason"},
    "rd_as_last_seen": {"vi": "như lần thấy cuối", "en": "as last seen"},
    "rd_last_verified": {"vi": "kiểm tra lần cuối", "en": "last verified"},
    "rd_last_version": {"vi": "phiên bản cuối", "en": "last version"},
    "rd_snapshot": {"vi": "bản chụp", "en": "snapshot"},
    "rd_replay": {"vi": "xem lại", "en": "replay"},
    "rd_kind_article": {"vi": "bài viết", "en": "article"},
    "rd_kind_document": {"vi": "văn bản", "en": "document"},
    "rd_reason_http_404": {"vi": "bị xoá: HTTP 404", "en": "deleted: HTTP 404"},
    "rd_reason_http_410": {"vi": "bị xoá: HTTP 410 Gone", "en": "deleted: HTTP 410 Gone"},
    "rd_reason_soft_404": {"vi": "bị xoá: trang soft-404", "en": "deleted: soft-404 page"},
    "rd_reason_not_captured": {"vi": "không thu được ở B (không phải xoá)",
                               "en": "not captured in B (not a deletion)"},
    "rd_policy_none": {
        "vi": "Lượt thu B không dùng chính sách làm mới: nó tải mọi mục tìm thấy hoặc đã biết, "
              "nên mục không được kiểm tra lại là mục không truy cập được đêm đó; các mục này "
              "được liệt kê riêng theo ngày kiểm tra cuối.",
        "en": "B's crawl used no freshness policy: it fetched every item it found or knew, so "
              "an item it did not re-check was not reachable that night; such items are listed "
              "apart as of the date they were last verified."},
    "rd_policy": {
        "vi": "Lượt thu B là lượt thu bổ sung: trang điều hướng và mục mới được tải mỗi đêm, "
              "mục đã biết được kiểm tra lại khi đến hạn, ít nhất {max_age} ngày một lần (mỗi "
              "{recent_interval} ngày nếu lần đầu thấy trong {recent} ngày qua); mục không được "
              "kiểm tra lại được liệt kê riêng theo ngày kiểm tra cuối, không bao giờ coi là "
              "không đổi.",
        "en": "B's crawl was incremental: navigation pages and new items are fetched every "
              "night, and a known item is re-checked when due, at least every {max_age} days "
              "(every {recent_interval} days if first seen in the last {recent} days); items "
              "not re-checked are listed apart as of the date they were last verified, never "
              "as unchanged."},
    "rd_phrase_label": {"vi": "Cụm từ", "en": "Phrase"},
    "rd_phrase_intro": {
        "vi": "Cụm từ {phrase} ({match}): các lần xuất hiện được đánh dấu trong các thay đổi "
              "bên dưới.",
        "en": "Phrase {phrase} ({match}): its occurrences are marked in the changes below."},
    "rd_match_exact": {"vi": "khớp đúng dấu, không phân biệt hoa thường",
                       "en": "matched exactly, case aside"},
    "rd_match_folded": {"vi": "khớp có hoặc không có dấu",
                        "en": "matched with or without diacritics"},
    "rd_phrase_adds": {"vi": "Thay đổi thêm cụm từ ({n})", "en": "Changes that add it ({n})"},
    "rd_phrase_removes": {"vi": "Thay đổi bỏ cụm từ ({n})", "en": "Changes that remove it ({n})"},
    "rd_effect_added": {"vi": "cụm từ được thêm: {a} ở A, {b} ở B",
                        "en": "phrase added: {a} in A, {b} in B"},
    "rd_effect_removed": {"vi": "cụm từ bị bỏ: {a} ở A, {b} ở B",
                          "en": "phrase removed: {a} in A, {b} in B"},
}
