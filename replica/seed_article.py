"""The seed article (Lai Châu portal, 25/03/2015) and the four documents of its sidebar.

Text, captions, credits, author line, date, counters and the document block are the seed
page's own (shared/seeds/000_38970121f8ade732.txt), embedded here so a fresh clone needs
nothing else. Document fields the seed does not show (dates, signer, body) are invented and
marked as such.
"""

from __future__ import annotations

ARTICLE_ID = 1
CATEGORY = "xay-dung-dang"
TITLE = "Tiếp tục quan tâm củng cố hệ thống chính trị cơ sở"
ALIAS = "tiep-tuc-quan-tam-cung-co-he-thong-chinh-tri-co-so"
PUBLISHED = (2015, 3, 25, 9, 21)
VIEWS = 349
COMMENTS = 0
RATING = (0, 0)
AUTHOR_LINE = "Thúy Vân - Văn phòng Tỉnh ủy"

# Summary (hometext) then body paragraphs, in page order.
SUMMARY = (
    'Trong những năm qua, thực hiện Nghị quyết Trung ương 6 (khóa X) và Đề án 534-QĐ/TU '
    'của Tỉnh ủy về "Nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và '
    'chất lượng đội ngũ cán bộ, đảng viên ở xã, phường, thị trấn", hoạt động của hệ thống'
    ' chính trị cơ sở, nhất là năng lực lãnh đạo, sức chiến đấu của nhiều tổ chức cơ sở '
    'đảng trên địa bàn tỉnh có bước chuyển biến tích cực.'
)
PARAGRAPHS = [
    (
        'Chất lượng học tập, quán triệt, tổ chức thực hiện các chỉ thị, nghị quyết của '
        'Đảng, chính sách, pháp luật của Nhà nước được nâng lên; nội dung, phương thức '
        'hoạt động của cấp ủy từng bước đổi mới, theo hướng phát huy dân chủ, tập trung '
        'trí tuệ, thảo luận và quyết định các vấn đề quan trọng ở cơ sở; chất lượng nghị '
        'quyết ban hành cơ bản bảo đảm tính toàn diện, phù hợp với thực tiễn; công tác '
        'cán bộ, công tác kết nạp đảng viên, thành lập tổ chức đảng, củng cố tổ chức đảng'
        ' yếu kém đạt kết quả tích cực. Quản lý, điều hành của chính quyền cơ sở từng '
        'bước phát huy hiệu quả trong việc cụ thể hóa các chủ trương, nghị quyết của '
        'Đảng, chính sách, pháp luật Nhà nước. Hoạt động của Mặt trận Tổ quốc và các đoàn'
        ' thể từng bước được đổi mới; tích cực tuyên truyền, vận động đoàn viên, hội '
        'viên, quần chúng Nhân dân tham gia xây dựng Đảng, xây dựng chính quyền vững '
        'mạnh; nhiều phong trào thi đua do Mặt trận Tổ quốc và các đoàn thể chính trị - '
        'xã hội phát động đã đem lại hiệu quả thiết thực.'
    ),
    (
        'Tuy nhiên, hoạt động của các tổ chức trong hệ thống chính trị cơ sở còn những '
        'hạn chế, yếu kém: Việc quán triệt, học tập chỉ thị, nghị quyết của cấp trên và '
        'cấp mình ở một số đảng bộ xã, phường, thị trấn chưa thực sự sâu sắc, chưa tạo '
        'được chuyển biến rõ nét về nhận thức của một bộ phận cán bộ, đảng viên; thiếu '
        'quyết liệt trong chỉ đạo tổ chức thực hiện; phân công cấp ủy viên theo dõi, giám'
        ' sát thực hiện nghị quyết chưa cụ thể; vai trò của người đứng đầu cấp uỷ chưa '
        'thực sự được phát huy. Một số đảng bộ xây dựng quy chế làm việc còn chung chung,'
        ' không xác định rõ quyền hạn, trách nhiệm của tập thể và từng thành viên cấp ủy;'
        ' quản lý, giám sát việc thực hiện nhiệm vụ của cán bộ, công chức chưa chặt chẽ. '
        'Thực hiện chế độ sinh hoạt ở một số đảng ủy chưa đi vào nền nếp, nội dung, hình '
        'thức sinh hoạt còn biểu hiện hình thức, nghị quyết ban hành còn chung chung. '
        'Công tác đào tạo, bồi dưỡng cán bộ, công chức chưa được quan tâm đúng mức; đánh '
        'giá, phân loại tổ chức đảng, đảng viên còn biểu hiện hình thức. Năng lực lãnh '
        'đạo, chỉ đạo của cấp ủy, ban thường vụ, thường trực đảng ủy, điều hành của chính'
        ' quyền cơ sở một số nơi còn yếu, thiếu chủ động, thiếu tính quyết liệt trong '
        'thực hiện nhiệm vụ phát triển kinh tế, xã hội. Mặt trận Tổ quốc và các đoàn thể '
        'chính trị - xã hội một số xã còn yếu, thiếu chủ động trong việc nắm tình hình '
        'Nhân dân.'
    ),
    (
        'Để tiếp tục xây dựng, củng cố, nâng cao năng lực, hiệu quả hoạt động của hệ '
        'thống chính trị cơ sở, Tỉnh uỷ đã yêu cầu các cấp ủy, tổ chức đảng tiếp tục quán'
        ' triệt sâu sắc các quan điểm, mục tiêu, nhiệm vụ, giải pháp nêu trong Nghị quyết'
        ' số 22-NQ/TW ngày 02/02/2008 của Ban Chấp hành Trung ương Đảng (khóa X), Đề án '
        'của Ban Chấp hành Đảng bộ tỉnh về nâng cao năng lực lãnh đạo, sức chiến đấu của '
        'tổ chức cơ sở đảng và chất lượng đội ngũ cán bộ, đảng viên ở xã, phường, thị '
        'trấn; Kết luận số 64-KL/TW ngày 28/5/2013 của Ban Chấp hành Trung ương và Kế '
        'hoạch của Ban Thường vụ Tỉnh ủy “Một số vấn đề về tiếp tục đổi mới, hoàn thiện '
        'hệ thống chính trị từ Trung ương đến cơ sở”; tạo sự chuyển biến căn bản nhận '
        'thức của cấp uỷ, cán bộ, đảng viên về vị trí, vai trò, tầm quan trọng của việc '
        'xây dựng, củng cố hệ thống chính trị cơ sở.'
    ),
    (
        'Tập trung lãnh đạo, chỉ đạo chặt chẽ, sâu sát công tác chuẩn bị văn kiện, công '
        'tác nhân sự ban chấp hành, ban thường vụ, thường trực đảng ủy các xã, phường, '
        'thị trấn nhiệm kỳ 2015 - 2020, nhân sự HĐND, UBND nhiệm kỳ 2016 - 2021, đảm bảo '
        'tiêu chuẩn về trình độ chuyên môn, lý luận chính trị, năng lực, tín nhiệm và cơ '
        'cấu; gắn công tác chuẩn bị nhân sự với việc luân chuyển, bố trí, sắp xếp, kiện '
        'toàn đội ngũ cán bộ.'
    ),
    (
        'Các cấp uỷ, ban thường vụ cấp uỷ đảng cơ sở tiếp tục đổi mới phương thức lãnh '
        'đạo, nâng cao chất lượng ban hành nghị quyết và tổ chức thực hiện nghị quyết; '
        'lãnh đạo, chỉ đạo sâu sát các lĩnh vực phát triển kinh tế, xã hội, quốc phòng - '
        'anh ninh, xử lý các vấn đề phát sinh, khắc phục tư tưởng trông chờ, ỷ lại vào '
        'tập thể và cấp trên. Thực hiện nghiêm túc nguyên tắc tập trung dân chủ trong tổ '
        'chức, sinh hoạt đảng, đề cao tự phê bình và phê bình của cán bộ, đảng viên; giữ '
        'vững đoàn kết trong tập thể cấp uỷ, tổ chức đảng.'
    ),
    (
        'Nâng cao hiệu lực, hiệu quả quản lý, điều hành của chính quyền cơ sở trong tổ '
        'chức thực hiện nhiệm vụ phát triển kinh tế - xã hội; thực hiện Quy chế dân chủ ở'
        ' cơ sở theo phương châm "dân biết, dân bàn, dân làm, dân kiểm tra". Tích cực đổi'
        ' mới nội dung, phương thức hoạt động của Mặt trận Tổ quốc và các đoàn thể chính '
        'trị - xã hội theo hướng: gần dân, trọng dân, hiểu dân.'
    ),
    (
        'Thực hiện Nghị quyết số 12-NQ/TU ngày 01/10/2014 của Ban Chấp hành Đảng bộ tỉnh '
        'về xây dựng đội ngũ cán bộ và công tác cán bộ đến năm 2020, định hướng đến năm '
        '2030. Các huyện, thành phố tập trung rà soát, kiện toàn đội ngũ cán bộ, công '
        'chức; xây dựng kế hoạch đào tạo cán bộ, công chức cấp xã giai đoạn 2015 - 2020 '
        'đảm bảo chi tiết, rõ đối tượng, chuyên môn cần đào tạo, bồi dưỡng; chủ động phối'
        ' hợp với cơ quan chức năng của tỉnh tập trung đào tạo, bồi dưỡng cán bộ, công '
        'chức, chuẩn hóa về trình độ văn hóa, chuyên môn và bồi dưỡng nghiệp vụ, kỹ năng '
        'công tác. Tăng cường luân chuyển cán bộ về cơ sở để đào tạo, bồi dưỡng cán bộ '
        'theo quy hoạch, đồng thời để rèn luyện năng lực, kỹ năng lãnh đạo, quản lý điều '
        'hành của bộ máy, cán bộ, công chức cơ sở. Đẩy mạnh công tác tạo nguồn kết nạp '
        'đảng viên, thành lập tổ chức đảng, phấn đấu đến hết quý II năm 2015, 100% thôn, '
        'bản, trường học, trạm y tế có chi bộ đảng độc lập. Có biện pháp chỉ đạo cơ sở '
        'tăng cường công tác quản lý đảng viên, phân công nhiệm vụ cho đảng viên phù hợp '
        'với loại hình tổ chức đảng và năng lực, sở trường để đảng viên hoàn thành tốt '
        'nhiệm vụ. Tăng cường công tác kiểm tra, giám sát, xử lý kịp thời những cán bộ, '
        'đảng viên vi phạm kỷ luật Đảng, chính sách, pháp luật của Nhà nước.'
    ),
    (
        'Tăng cường chỉ đạo, hướng dẫn, giúp đỡ cơ sở củng cố nâng cao năng lực, hiệu quả'
        ' hoạt động của hệ thống chính trị cơ sở, giải quyết kịp thời những khó khăn, '
        'vướng mắc tại cơ sở. Tập trung củng cố tổ chức bộ máy trong hệ thống chính trị '
        'cơ sở trước và sau đại hội đảng bộ cơ sở; củng cố nâng cao năng lực hoạt động '
        'của cấp ủy, ban thường vụ, thường trực đảng ủy, năng lực chỉ đạo, điều hành, tổ '
        'chức thực hiện của chính quyền cơ sở, năng lực hoạt động của Mặt trận Tổ quốc và'
        ' các đoàn thể cơ sở./.'
    ),
]

# Images: (after paragraph index, file, alt, caption lines, credit, layout).
IMAGES = [
    (0, "/uploads/news/2015_03/lop-boi-duong-than-uyen.jpg",
     "Lớp bồi dưỡng nghiệp vụ QLNN cho công chức, viên chức tại huyện Than Uyên năm 2014 (ảnh: TP)",
     ["Lớp bồi dưỡng nghiệp vụ QLNN cho công chức, viên chức tại huyện Than Uyên năm 2014"],
     "TP", "alt_eq", "(ảnh: TP)"),
    (2, "/uploads/news/2015_03/4-3-15.jpg", "4 3 15",
     ["Lãnh đạo xã Mường Mít - Than Uyên tuyên truyền chủ trương, chính sách của Đảng và Nhà "
      "nước đến Nhân dân bản Mường"],
     "TP", "table", "(ảnh: TP)"),
    (5, "/uploads/news/2015_03/5-3-15.jpg", "5 3 15",
     ["Cán bộ, đoàn viên thanh niên xã Thu Lũm (Mường Tè)", "làm đường dân sinh"],
     "AT", "br", "(ảnh: AT)"),
]

# Sidebar block: number, title, views, downloads as the seed shows them. Issue dates, signer,
# field and body are invented for the detail pages.
DOCUMENTS = [
    dict(id=1, number="17/CT-UBND", doc_type="Chỉ thị",
         title="Chỉ thị về việc tăng cường công tác quản lý bảo vệ rừng và phòng cháy, chữa "
               "cháy rừng mùa khô năm 2021-2022",
         views=424, downloads=9, issued=(2021, 11, 15), field="Nông nghiệp"),
    dict(id=2, number="3600/UBND-VX", doc_type="Công văn",
         title="Tăng cường các biện pháp phòng, chống dịch trong trong hoạt động cộng đồng tập "
               "trung đông người nhằm phục hồi du lịch và phát triển kinh tế xã hội",
         views=857, downloads=52, issued=(2021, 12, 20), field="Y tế"),
    dict(id=3, number="130/TB-UBND", doc_type="Thông báo",
         title="Thông báo tuyển dụng công chức tỉnh Lai Châu năm 2021",
         views=946, downloads=39, issued=(2021, 12, 24), field="Tổ chức bộ máy"),
    dict(id=4, number="3505/KH-UBND", doc_type="Kế hoạch",
         title='Kế hoạch tổ chức Cuộc thi viết "Tìm hiểu pháp luật về an toàn giao thông trên '
               'địa bàn tỉnh Lai Châu" năm 2022',
         views=997, downloads=9, issued=(2022, 1, 5), field="Giao thông vận tải"),
]

# The featured-news block under the sidebar in the seed page.
FEATURED_TITLE = "Đại hội thi đua yêu nước tỉnh Lai Châu lần thứ V (2020-2025)"
FEATURED_TEXT = "Trong 2 ngày (27-28/72020) Đại hội thi đua yêu nước tỉnh Lai Châu lần thứ V..."
