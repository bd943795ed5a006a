"""Vietnamese text generator: titles, paragraphs, captions, names in the register of a
provincial portal (Lai Châu). Everything comes from a `random.Random` passed in."""

from __future__ import annotations

import random
import re
import unicodedata

PLACES = [
    "huyện Than Uyên", "huyện Mường Tè", "huyện Tam Đường", "huyện Phong Thổ", "huyện Sìn Hồ",
    "huyện Nậm Nhùn", "huyện Tân Uyên", "thành phố Lai Châu", "xã Mường Mít", "xã Thu Lũm",
    "xã Bản Bo", "xã Khun Há", "xã Pa Vệ Sủ", "xã Dào San", "xã Nậm Tăm", "phường Đông Phong",
]
ORGS = [
    "Văn phòng Tỉnh ủy", "Sở Kế hoạch và Đầu tư", "Sở Y tế", "Sở Giáo dục và Đào tạo",
    "Báo Lai Châu", "Đài PT-TH tỉnh", "Sở Nông nghiệp và PTNT", "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh", "Sở Văn hóa, Thể thao và Du lịch", "Ban Tuyên giáo Tỉnh ủy",
    "Sở Tài nguyên và Môi trường", "UBND huyện Tam Đường", "Cổng TTĐT tỉnh",
]
SOURCES = ["Báo Lai Châu", "Đài PT-TH Lai Châu", "Cổng TTĐT tỉnh", "TTXVN", "Sở Y tế"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Lò", "Tòng", "Lường",
            "Giàng", "Sùng", "Đèo", "Bùi", "Đặng", "Hà"]
MIDDLES = ["Thị", "Văn", "Thanh", "Minh", "Thu", "Ngọc", "Đức", "Hồng", "Quang", "Kim"]
GIVEN = ["Vân", "Hà", "Tuấn", "Lan", "Hùng", "Thủy", "Sơn", "Phương", "Dũng", "Hạnh",
         "Long", "Huyền", "Thắng", "Mai", "Chiến", "Yến", "Khánh", "Thảo"]
SHORT_CREDITS = ["TP", "AT", "PV", "TL", "HN", "QĐ", "VH", "MT", "BLC"]

SUBJECTS = [
    "Ban Thường vụ Tỉnh ủy", "UBND tỉnh", "Sở Y tế", "Các cấp ủy, tổ chức đảng",
    "Hội đồng nhân dân tỉnh", "Mặt trận Tổ quốc và các đoàn thể", "Ngành Giáo dục",
    "Lực lượng vũ trang tỉnh", "Chính quyền cơ sở", "Đoàn viên thanh niên", "Các hợp tác xã",
    "Ban Chỉ đạo phòng, chống dịch", "Ngành Nông nghiệp", "Bộ đội Biên phòng tỉnh",
]
VERBS = [
    "tiếp tục quan tâm", "triển khai thực hiện", "tăng cường chỉ đạo", "đẩy mạnh",
    "tổ chức tổng kết", "kiểm tra, giám sát", "hướng dẫn, hỗ trợ", "nâng cao chất lượng",
    "rà soát, đánh giá", "tuyên truyền, vận động", "phối hợp thực hiện", "khắc phục hạn chế",
]
OBJECTS = [
    "công tác xây dựng Đảng", "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "công tác giảm nghèo bền vững", "phòng, chống dịch bệnh", "phát triển kinh tế - xã hội",
    "công tác cải cách hành chính", "bảo vệ rừng và phòng cháy, chữa cháy rừng",
    "chuyển đổi cơ cấu cây trồng", "đào tạo, bồi dưỡng cán bộ, công chức",
    "an toàn giao thông", "tiêm chủng mở rộng", "phát triển du lịch cộng đồng",
    "xây dựng hệ thống chính trị cơ sở", "công tác dân vận", "thu hút đầu tư",
]
TAILS = [
    "trên địa bàn tỉnh", "năm 2015", "giai đoạn 2016 - 2020", "trong tình hình mới",
    "đạt kết quả tích cực", "theo hướng bền vững", "6 tháng đầu năm", "đến năm 2030",
]
CLAUSES = [
    "góp phần nâng cao đời sống vật chất, tinh thần của Nhân dân",
    "bảo đảm đúng tiến độ, chất lượng và hiệu quả",
    "phát huy vai trò của người đứng đầu cấp ủy, chính quyền",
    "tạo sự chuyển biến rõ nét về nhận thức của cán bộ, đảng viên",
    "theo phương châm \"dân biết, dân bàn, dân làm, dân kiểm tra\"",
    "kịp thời tháo gỡ khó khăn, vướng mắc tại cơ sở",
    "gắn với thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị",
    "huy động sự tham gia của cả hệ thống chính trị",
    "bảo đảm quốc phòng - an ninh vùng biên giới",
    "nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng",
]
CAPTION_ACTS = [
    "Lớp bồi dưỡng nghiệp vụ cho công chức, viên chức tại", "Lãnh đạo tỉnh thăm, kiểm tra tại",
    "Cán bộ, đoàn viên thanh niên làm đường dân sinh tại", "Quang cảnh hội nghị tại",
    "Người dân thu hoạch chè tại", "Đoàn công tác khảo sát mô hình sản xuất tại",
    "Cán bộ y tế tiêm vắc-xin cho trẻ em tại", "Lực lượng chức năng tuần tra bảo vệ rừng tại",
]
TAG_WORDS = [
    "xây dựng đảng", "nông thôn mới", "giảm nghèo", "cải cách hành chính", "y tế", "giáo dục",
    "an toàn giao thông", "du lịch", "biên giới", "bảo vệ rừng", "chuyển đổi số", "dân vận",
    "đầu tư", "thanh niên", "phụ nữ", "văn hóa", "quốc phòng", "nông nghiệp", "hội nghị",
    "lai châu", "than uyên", "mường tè", "phong thổ", "sìn hồ", "tam đường", "tân uyên",
    "nậm nhùn", "covid-19", "tiêm chủng", "chè", "thủy điện", "đại hội", "thi đua",
    "khen thưởng", "bầu cử", "hđnd", "ubnd", "tỉnh ủy", "mặt trận", "công đoàn",
]


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def alias(text: str) -> str:
    """NukeViet's change_alias: strip accents, đ→d, non-alphanumerics → single hyphens."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")


def person(r: random.Random) -> str:
    if r.random() < 0.3:
        return f"{r.choice(SURNAMES)} {r.choice(GIVEN)}"
    if r.random() < 0.5:
        return f"{r.choice(MIDDLES)} {r.choice(GIVEN)}"  # bylines often drop the surname
    return f"{r.choice(SURNAMES)} {r.choice(MIDDLES)} {r.choice(GIVEN)}"


def title(r: random.Random) -> str:
    t = f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)}"
    if r.random() < 0.6:
        t += " " + r.choice(TAILS)
    return t


def sentence(r: random.Random) -> str:
    s = f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(TAILS)}"
    s += ", " + r.choice(CLAUSES)
    if r.random() < 0.5:
        s += "; " + r.choice(CLAUSES)
    return s + "."


def paragraph(r: random.Random, sentences: tuple[int, int] = (2, 5)) -> str:
    return " ".join(sentence(r) for _ in range(r.randint(*sentences)))


def caption(r: random.Random) -> str:
    return f"{r.choice(CAPTION_ACTS)} {r.choice(PLACES)}"
