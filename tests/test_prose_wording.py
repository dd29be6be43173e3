"""Assignments by wording, on small plans written for each rule (tests/expected/README.md,
"Prose"): who leads and cooperates, one task per assigned item, requests, articles of the
decision, funding items, the parts read, deadlines written out."""

from __future__ import annotations

from datetime import date

import pytest

from cchc_graph.parse import parse_document
from cchc_graph.records import ParsedDocument, Severity, SourceFile, Task
from cchc_graph.resources import load_lexicon

HEAD = """ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 12/KH-UBND | Khánh Hòa, ngày 05 tháng 01 năm 2026
KẾ HOẠCH
Cải cách hành chính năm 2026
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Nâng cao chất lượng phục vụ người dân.
"""


def read(body: str, head: str = HEAD) -> ParsedDocument:
    return parse_document(SourceFile("probe.txt", "probe", head + body, ""), load_lexicon())


def leads(task: Task) -> list[str]:
    return [m.type_slug for d in task.deliverables for m in d.assignment.lead]


def cooperating(task: Task) -> list[str]:
    return [m.type_slug for d in task.deliverables for m in d.assignment.cooperating]


def by_id(document: ParsedDocument) -> dict[str, Task]:
    return {t.local_id: t for t in document.tasks}


def test_sections_named_by_their_agency_lead_what_is_under_them() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Trách nhiệm của Sở Nội vụ
a) Tham mưu UBND tỉnh kiểm tra công tác cải cách hành chính, hoàn thành trong quý II/2026.
b) Tổng hợp báo cáo kết quả thực hiện, trước ngày 15/12/2026.
2. Đối với UBND các xã, phường
a) Xây dựng kế hoạch cải cách hành chính của địa phương.
b) Phối hợp với Sở Tư pháp rà soát thủ tục hành chính.
"""
    )
    tasks = by_id(document)
    assert sorted(tasks) == ["TCTH.1.a", "TCTH.1.b", "TCTH.2.a", "TCTH.2.b"]
    assert leads(tasks["TCTH.1.a"]) == ["so-noi-vu"]
    assert tasks["TCTH.1.a"].deliverables[0].deadline.due == date(2026, 6, 30)
    assert tasks["TCTH.1.b"].deliverables[0].deadline.due == date(2026, 12, 15)
    assert leads(tasks["TCTH.2.b"]) == ["ubnd-cap-xa"]
    assert cooperating(tasks["TCTH.2.b"]) == ["so-tu-phap"]


def test_an_assignment_header_above_dash_items_is_one_task_per_item() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Giao Sở Tư pháp, hoàn thành trong quý III/2026:
- Rà soát các văn bản quy phạm pháp luật của tỉnh.
- Chủ trì, phối hợp với Sở Nội vụ hướng dẫn kiểm soát thủ tục hành chính.
2. Tổ chức các hoạt động tuyên truyền sau:
- Phát sóng chuyên mục cải cách hành chính trên Báo Khánh Hòa.
- In tờ rơi giới thiệu dịch vụ công trực tuyến.
"""
    )
    tasks = by_id(document)
    assert leads(tasks["TCTH.1.1"]) == leads(tasks["TCTH.1.2"]) == ["so-tu-phap"]
    assert cooperating(tasks["TCTH.1.2"]) == ["so-noi-vu"]
    assert tasks["TCTH.1.1"].deliverables[0].deadline.due == date(2026, 9, 30)
    # a heading that is itself a task keeps its dash items as deliverables
    assert "TCTH.2" not in tasks or len(tasks["TCTH.2"].deliverables) == 2


def test_duties_enumerated_after_an_agency_are_one_task_each() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Sở Khoa học và Công nghệ: (1) xây dựng nền tảng số dùng chung của tỉnh, hoàn thành trong"""
        """ tháng 6 năm 2026; (2) chủ trì, phối hợp với Sở Tài chính bố trí kinh phí vận hành.
"""
    )
    tasks = by_id(document)
    assert sorted(tasks) == ["TCTH.1.1", "TCTH.1.2"]
    assert leads(tasks["TCTH.1.1"]) == ["so-khoa-hoc-va-cong-nghe"]
    assert tasks["TCTH.1.1"].deliverables[0].deadline.due == date(2026, 6, 30)
    assert cooperating(tasks["TCTH.1.2"]) == ["so-tai-chinh"]


@pytest.mark.parametrize("cue", ["Đề nghị", "Khuyến khích"])
def test_what_is_asked_of_a_body_is_a_request(cue: str) -> None:
    document = read(
        f"""II. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ chủ trì theo dõi, đôn đốc thực hiện Kế hoạch.
2. {cue} Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh tuyên truyền, vận động Nhân dân tham gia giám sát.
"""
    )
    tasks = by_id(document)
    assert not any(d.assignment.requested for d in tasks["TCTH.1"].deliverables)
    assert all(d.assignment.requested for d in tasks["TCTH.2"].deliverables)
    assert leads(tasks["TCTH.2"]) == ["ubmttq-tinh"]


def test_an_article_of_the_decision_that_assigns_work_is_a_task() -> None:
    head = """ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 34/QĐ-UBND | Khánh Hòa, ngày 05 tháng 01 năm 2026
QUYẾT ĐỊNH
Ban hành Kế hoạch cải cách hành chính năm 2026
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính năm 2026.
Điều 2. Giao Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành triển khai thực hiện Kế hoạch.
Điều 3. Quyết định này có hiệu lực kể từ ngày ký.
"""
    document = read("II. TỔ CHỨC THỰC HIỆN\n1. Sở Tư pháp chủ trì rà soát văn bản.\n", head)
    tasks = by_id(document)
    assert leads(tasks["Dieu.2"]) == ["so-noi-vu"]
    assert cooperating(tasks["Dieu.2"]) == ["cac-so-ban-nganh"]
    assert "Dieu.1" not in tasks and "Dieu.3" not in tasks


def test_funding_items_are_tasks_only_when_an_agency_does_something() -> None:
    document = read(
        """II. KINH PHÍ THỰC HIỆN
1. Kinh phí thực hiện Kế hoạch được bố trí trong dự toán chi thường xuyên của Sở Nội vụ.
2. Sở Tài chính chủ trì tổng hợp, tham mưu bố trí kinh phí thực hiện Kế hoạch.
III. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ chủ trì theo dõi, đôn đốc thực hiện Kế hoạch.
"""
    )
    tasks = by_id(document)
    assert leads(tasks["KP.2"]) == ["so-tai-chinh"]
    assert "KP.1" not in tasks
    # where the money comes from is said, not made a task, nor dropped without a word
    reported = {p.kind for p in document.problems if p.span.line_start == 9}
    assert reported & {"no-agency", "funding-statement"}


def test_pieces_under_a_duty_are_tasks_only_when_the_duty_says_who() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Đẩy mạnh cải cách thủ tục hành chính: (1) Sở Tư pháp rà soát thủ tục hành chính; (2) các"""
        """ sở, ban, ngành tập trung: (i) số hóa hồ sơ; (ii) cắt giảm thành phần hồ sơ.
2. Sở Tài chính giải quyết 02 vấn đề tồn đọng: (i) thanh toán trực tuyến; (ii) hóa đơn điện tử.
"""
    )
    tasks = by_id(document)
    assert sorted(tasks) == ["TCTH.1.1", "TCTH.1.2.i", "TCTH.1.2.ii", "TCTH.2"]
    assert leads(tasks["TCTH.1.2.ii"]) == ["cac-so-ban-nganh"]
    assert leads(tasks["TCTH.2"]) == ["so-tai-chinh"]


def test_work_given_to_an_agency_above_a_list_is_one_task_per_item() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Giao Ban Quản lý các khu công nghiệp chỉ đạo các doanh nghiệp trong khu thực hiện:
- Tiết kiệm nước trong sản xuất.
- Báo cáo tình hình khai thác nước dưới đất hằng năm.
"""
    )
    tasks = by_id(document)
    assert sorted(tasks) == ["TCTH.1.1", "TCTH.1.2"]
    assert leads(tasks["TCTH.1.1"]) == ["ban-quan-ly-khu-cong-nghiep"]


def test_what_has_been_reached_so_far_is_no_target() -> None:
    directive = """ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 05/CT-UBND | Khánh Hòa, ngày 05 tháng 01 năm 2026
CHỈ THỊ
VỀ ĐẨY MẠNH CHUYỂN ĐỔI SỐ
1. Giao Sở Khoa học và Công nghệ đôn đốc các doanh nghiệp viễn thông phủ sóng 5G,"""
    directive += """ phải đạt 90% trong năm 2026 (đến nay mới đạt 39,5%).
2. Sở Nội vụ chủ trì kiểm tra công tác cải cách hành chính, hoàn thành trong quý II/2026.
"""
    document = parse_document(SourceFile("ct.txt", "ct", directive, ""), load_lexicon())
    assert [(t.value, t.year) for t in document.targets] == [(90, 2026)]


def test_an_item_that_closes_on_a_time_limit_is_due_then() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ ban hành hướng dẫn rà soát, hoàn thành trước ngày 25 tháng 11 năm 2026; các sở,"""
        """ ngành gửi kết quả trước ngày 10 tháng 12 năm 2026; công bố kết quả trong năm 2027.
2. Sở Tư pháp rà soát văn bản trong quý II/2026 để đến năm 2030 giảm 20% văn bản giấy."""
        """ Đưa vào kế hoạch hàng năm đến năm 2030.
"""
    )
    tasks = by_id(document)
    # the intermediate dates are steps; the item is done when its closing clause says
    assert tasks["TCTH.1"].deliverables[0].deadline.due == date(2027, 12, 31)
    # "đến năm 2030" closing an item is its horizon, not its deadline
    assert tasks["TCTH.2"].deliverables[0].deadline.due == date(2026, 6, 30)


def test_an_item_that_gives_the_work_to_another_body_is_that_bodys() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Giám đốc các sở, Thủ trưởng các sở, ban, ngành
a) Phối hợp Sở Nội vụ tuyên truyền quy định về cải cách hành chính.
b) Giao Thanh tra tỉnh thanh tra việc thực hiện quy định về cải cách hành chính.
"""
    )
    tasks = by_id(document)
    assert leads(tasks["TCTH.1.a"]) == ["cac-so-ban-nganh"]
    assert leads(tasks["TCTH.1.b"]) == ["thanh-tra-tinh"]


def test_partners_the_vocabulary_lacks_are_kept_as_written() -> None:
    """Never dropped, never guessed: a partner the vocabulary does not hold is a body of its own
    with its words, reported once; the list of partners ends at the verb of the work."""
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Sở Y tế chủ trì, phối hợp với Bệnh viện Đa khoa tỉnh, Trung tâm Kiểm soát bệnh tật xây \
dựng quy trình tiếp nhận hồ sơ trực tuyến.
2. Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ngành, Tập đoàn FPT, CMC khẩn \
trương hoàn thành Bộ công cụ theo dõi, đánh giá.
3. Sở Tư pháp chủ trì, phối hợp với các sở, ngành và các đơn vị có liên quan tổ chức, tham \
gia các hội nghị tập huấn.
4. Sở Nội vụ phối hợp cùng Tổ công tác số 3 và các doanh nghiệp khảo sát mức độ hài lòng.
"""
    )
    tasks = by_id(document)

    def partners(local_id: str) -> list[str]:
        return [m.text for d in tasks[local_id].deliverables for m in d.assignment.cooperating]

    assert partners("TCTH.1") == ["Bệnh viện Đa khoa tỉnh", "Trung tâm Kiểm soát bệnh tật"]
    # "Tập đoàn FPT, CMC": the kind is said once for both names
    assert partners("TCTH.2")[1:] == ["Tập đoàn FPT", "Tập đoàn CMC"]
    # "tổ chức" here is what they do, not a kind of body
    assert partners("TCTH.3") == ["các sở, ngành", "các đơn vị có liên quan"]
    assert partners("TCTH.4")[0] == "Tổ công tác số 3"
    assert leads(tasks["TCTH.4"]) == ["so-noi-vu"]
    reported = {p.quote for p in document.problems if p.kind == "unresolved-agency"}
    assert {"Bệnh viện Đa khoa tỉnh", "Tập đoàn FPT", "Tổ công tác số 3"} <= reported


def test_a_directives_direction_to_all_is_a_task_with_no_lead() -> None:
    """A numbered item of a directive that names no body is still an order of the issuer, to all
    it concerns: a task without lead, reported; what the directive says of itself is not."""
    directive = """ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 07/CT-UBND | Khánh Hòa, ngày 05 tháng 01 năm 2026
CHỈ THỊ
Về tăng cường quản lý tài nguyên nước dưới đất
1. Sở Nông nghiệp và Môi trường chủ trì rà soát các công trình khai thác nước dưới đất.
2. Tuân thủ nguyên tắc khoanh định vùng cấm, vùng hạn chế khai thác nước dưới đất theo quy \
định của pháp luật.
3. Các nội dung sau:
a) Kiểm tra định kỳ các giếng khoan không còn sử dụng.
4. Giao Sở Tư pháp phối hợp với Sở Xây dựng kiểm tra việc thực hiện Chỉ thị này.
5. Chỉ thị này có hiệu lực thi hành kể từ ngày ký ban hành.
"""
    document = parse_document(SourceFile("ct.txt", "ct", directive, ""), load_lexicon())
    tasks = by_id(document)
    assert leads(tasks["1"]) == ["so-nong-nghiep-va-moi-truong"]
    assert leads(tasks["2"]) == []
    assert tasks["2"].description.startswith("Tuân thủ nguyên tắc khoanh định")
    assert leads(tasks["4"]) == ["so-tu-phap"]
    assert "5" not in tasks  # the directive's own entry into force
    assert "3.a" not in tasks  # a lettered item under a heading that names no one
    said = [p for p in document.problems if p.kind == "no-agency"]
    assert any("task with no lead" in p.message and p.span.line_start == 6 for p in said)


def test_the_paragraph_that_closes_a_part_is_not_the_last_items() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ chủ trì kiểm tra công tác cải cách hành chính.
2. Các cơ sở đào tạo mở thêm chuyên ngành về chuyển đổi số.
Phối hợp với các viện nghiên cứu phát triển công nghệ mới.
Yêu cầu các sở, ban, ngành, đoàn thể tỉnh; UBND các xã, phường căn cứ nhiệm vụ được phân \
công triển khai thực hiện tốt Kế hoạch này.
"""
    )
    tasks = by_id(document)
    assert sorted(tasks) == ["TCTH.1", "TCTH.2"]
    # the unnumbered paragraph below item 2 goes on with it; the closing one does not
    assert "viện nghiên cứu" in tasks["TCTH.2"].quote
    assert "Yêu cầu" not in tasks["TCTH.2"].quote
    assert "cac-so-ban-nganh" not in leads(tasks["TCTH.2"])


def test_a_subject_goes_on_past_the_bodies_the_vocabulary_holds() -> None:
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ chủ trì kiểm tra công tác cải cách hành chính.
2. Các doanh nghiệp nhà nước, Tổng Công ty tiên phong chuyển đổi số trong ngành, lĩnh vực.
"""
    )
    tasks = by_id(document)
    named = [m.text for d in tasks["TCTH.2"].deliverables for m in d.assignment.lead]
    assert named == ["Các doanh nghiệp nhà nước", "Tổng Công ty"]


def test_every_paragraph_of_an_assignment_part_is_read_or_said() -> None:
    """Nothing lost silently: a paragraph outside the numbered items that gives a named body work
    is reported not read, at its line; a preamble or a closing call is said to be skipped."""
    document = read(
        """II. TỔ CHỨC THỰC HIỆN
Giao Sở Nội vụ theo dõi, đôn đốc việc triển khai Kế hoạch này, báo cáo UBND tỉnh hằng quý.
1. Sở Tư pháp chủ trì rà soát thủ tục hành chính, hoàn thành trong quý II/2026.
2. Sở Y tế chủ trì nâng cấp hệ thống một cửa điện tử.
Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan phản ánh về Sở Nội vụ.
"""
    )
    assert sorted(by_id(document)) == ["TCTH.1", "TCTH.2"]
    said = {(p.kind, p.span.line_start): p for p in document.problems if "paragraph" in p.message}
    first = HEAD.count("\n") + 2  # the line of the paragraph before item 1
    assert said[("not-read", first)].severity is Severity.WARNING
    assert "Sở Nội vụ" in said[("not-read", first)].message
    assert said[("skipped", first + 3)].severity is Severity.INFO


def test_a_table_in_the_body_with_the_columns_of_a_legislative_list() -> None:
    """A list of documents to draft, as a table in the plan's body: the drafting body leads, the
    authority it is submitted to ('Cấp trình') does no work, the roadmap is the deadline; the
    'Tổ chức thực hiện' part after the table is read too."""
    document = read(
        """II. NHIỆM VỤ
Danh mục văn bản cần ban hành năm 2026:

| STT | Tên văn bản | Cơ quan chủ trì soạn thảo | Cấp trình | Lộ trình |
| 1 | Quyết định ban hành Quy chế phối hợp kiểm soát thủ tục hành chính | Sở Tư pháp \
| UBND tỉnh | Quý II/2026 |
| 2 | Nghị quyết quy định mức chi bảo đảm cho công tác cải cách hành chính | Sở Tài chính \
| HĐND tỉnh | Tháng 7/2026 |

III. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ chủ trì theo dõi, đôn đốc thực hiện Kế hoạch này.
"""
    )
    tasks = sorted(document.tasks, key=lambda t: t.span.line_start)
    assert [leads(t) for t in tasks] == [["so-tu-phap"], ["so-tai-chinh"], ["so-noi-vu"]]
    assert [cooperating(t) for t in tasks[:2]] == [[], []]
    assert tasks[0].deliverables[0].deadline.due == date(2026, 6, 30)
    assert tasks[1].deliverables[0].deadline.due == date(2026, 7, 31)
    assert tasks[2].local_id == "TCTH.1"


MINISTRY_HEAD = """BỘ TƯ PHÁP | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 120/KH-BTP | Hà Nội, ngày 10 tháng 01 năm 2026
KẾ HOẠCH
Cải cách hành chính năm 2026 của Bộ Tư pháp
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Nâng cao chất lượng phục vụ người dân.
"""


def test_a_ministrys_plan_gives_work_to_its_own_units() -> None:
    """Units of a ministry are in no vocabulary: each is kept as written where it leads or
    cooperates, in the annex table and in the prose; 'Các Cục, Vụ' is one group."""
    document = read(
        """II. NHIỆM VỤ CỤ THỂ
(Phụ lục kèm theo)
III. TỔ CHỨC THỰC HIỆN
1. Vụ Tổ chức cán bộ chủ trì theo dõi, đôn đốc thực hiện Kế hoạch này.
2. Văn phòng Bộ bảo đảm kinh phí thực hiện.

PHỤ LỤC
NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026

| TT | Nội dung công việc | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn thành | Sản phẩm |
| I | CẢI CÁCH THỂ CHẾ | | | | |
| 1 | Rà soát văn bản quy phạm pháp luật | Vụ Pháp chế | Các đơn vị thuộc Bộ | Quý II | Báo cáo |
| 2 | Xây dựng Nghị định về công chứng | Cục Bổ trợ tư pháp | Vụ Pháp chế, Văn phòng Bộ \
| Tháng 10 | Dự thảo Nghị định |
| II | CẢI CÁCH THỦ TỤC HÀNH CHÍNH | | | | |
| 1 | Cắt giảm thủ tục hành chính | Cục Kiểm soát thủ tục hành chính | Các Cục, Vụ | Quý IV \
| Quyết định |
""",
        head=MINISTRY_HEAD,
    )
    tasks = by_id(document)

    def named(local_id: str, role: str) -> list[str]:
        return [m.text for d in tasks[local_id].deliverables for m in getattr(d.assignment, role)]

    assert named("I.1", "lead") == ["Vụ Pháp chế"]
    assert named("I.2", "cooperating") == ["Vụ Pháp chế", "Văn phòng Bộ"]
    assert named("II.1", "cooperating") == ["Các Cục, Vụ"]
    assert named("TCTH.1", "lead") == ["Vụ Tổ chức cán bộ"]
    assert named("TCTH.2", "lead") == ["Văn phòng Bộ"]
    # a plan of one year: "Quý II" is its second quarter
    assert tasks["I.1"].deliverables[0].deadline.due == date(2026, 6, 30)
