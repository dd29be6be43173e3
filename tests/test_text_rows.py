"""Table rows written in text as cells between " | " without outer pipes (the legal databases'
pages once their markup is stripped): parts A, B above sections I, II that start again, a line
between rows that spans the table, a row that only heads the numbered rows under it, a number
used twice — each read as what it is, and nothing dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_graph.ingest.normalise import normalise
from cchc_graph.ingest.text_rows import RowStyle, row_cells, split_row
from cchc_graph.parse import detect_layout, parse_document
from cchc_graph.records import ParsedDocument, SourceFile
from cchc_graph.resources import load_lexicon

PLAN = (Path(__file__).parent / "data" / "text" / "bar_rows_plan.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def parsed() -> ParsedDocument:
    return parse_document(SourceFile("plan.txt", "plan", PLAN, ""), load_lexicon())


def test_every_style_of_row_splits_into_its_cells() -> None:
    assert split_row("1\tRà soát\tSở Tư pháp", RowStyle.TABS) == ["1", "Rà soát", "Sở Tư pháp"]
    assert split_row("| 1 | Rà soát | Sở Tư pháp |", RowStyle.PIPES) == [
        "1",
        "Rà soát",
        "Sở Tư pháp",
    ]
    assert split_row("1 | Rà soát | Sở Tư pháp", RowStyle.BARS) == ["1", "Rà soát", "Sở Tư pháp"]
    assert row_cells("I | Cải cách thể chế") == ["I", "Cải cách thể chế"]
    # a line holding only "|" separates cells of another layout; prose is no row
    assert row_cells("|") is None
    assert row_cells("Sở Tư pháp chủ trì, phối hợp với các sở") is None


def test_the_table_is_read_as_a_bar_row_annex() -> None:
    source = SourceFile("plan.txt", "plan", PLAN, "")
    assert detect_layout(normalise(source), load_lexicon()) == "bar-row-annex"


def test_parts_keep_sections_that_start_again_apart(parsed: ParsedDocument) -> None:
    ids = [task.local_id for task in parsed.tasks]
    assert ids[:2] == ["A.I.1", "A.I.2"]
    assert "B.I.1" in ids


def test_a_heading_between_rows_opens_its_section(parsed: ParsedDocument) -> None:
    sections = {section.id: section.heading for section in parsed.sections}
    assert sections["A.II"] == "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"
    assert sections["B"] == "HIỆN ĐẠI HÓA HÀNH CHÍNH"


def test_a_row_heading_numbered_rows_is_no_task(parsed: ParsedDocument) -> None:
    ids = [task.local_id for task in parsed.tasks]
    assert "A.II.1.1" in ids and "A.II.1.2" in ids
    assert not any(task.description == "Thương mại" for task in parsed.tasks)
    assert any(p.kind == "group-heading" and p.span.line_start == 13 for p in parsed.problems)


def test_a_number_used_twice_is_kept_apart_and_said(parsed: ParsedDocument) -> None:
    by_id = {task.local_id: task for task in parsed.tasks}
    assert by_id["B.I.1"].description.startswith("Triển khai dịch vụ công")
    assert by_id["B.I.1-2"].description.startswith("Số hóa kết quả")
    assert any(p.kind == "repeated-number" and p.span.line_start == 20 for p in parsed.problems)


def test_a_stray_line_between_rows_is_reported_and_reading_goes_on(
    parsed: ParsedDocument,
) -> None:
    assert any(p.kind == "unplaced-row" and p.span.line_start == 19 for p in parsed.problems)
    assert len(parsed.tasks) == 6


def test_columns_give_lead_cooperating_deadline_and_product(parsed: ParsedDocument) -> None:
    task = next(t for t in parsed.tasks if t.local_id == "A.I.2")
    (deliverable,) = task.deliverables
    assert deliverable.product == "Kết luận kiểm tra"
    assert [m.type_slug for m in deliverable.assignment.lead] == ["so-tu-phap"]
    assert [m.type_slug for m in deliverable.assignment.cooperating] == ["so-noi-vu"]
    assert deliverable.deadline is not None and str(deliverable.deadline.due) == "2026-12-31"


SPANNING = """ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 12/KH-UBND | Khánh Hòa, ngày 05 tháng 01 năm 2026
KẾ HOẠCH
CẢI CÁCH HÀNH CHÍNH NĂM 2026
PHỤ LỤC
TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Lãnh đạo phụ trách
 | Lĩnh vực cải cách thể chế |  |  |  |
1 | Rà soát văn bản quy phạm pháp luật | Sở Tư pháp | Các sở, ban, ngành | Quý II/2026 |
 | Lĩnh vực cải cách thủ tục hành chính |  |  |  |
1 | Công bố thủ tục hành chính | Văn phòng UBND tỉnh | Các sở, ban, ngành | Thường xuyên |
"""


def test_a_row_of_one_heading_cell_opens_a_section() -> None:
    """ "| Lĩnh vực cải cách thể chế | | |": a heading across the table, each field its section
    and reform area, the rows under it numbered from 1 in each; a "Lãnh đạo phụ trách" column
    is known as monitoring, not taken for data."""
    document = parse_document(SourceFile("spanning.txt", "spanning", SPANNING, ""), load_lexicon())
    assert [(s.id, s.area) for s in document.sections] == [
        ("I", "the-che"),
        ("II", "thu-tuc-hanh-chinh"),
    ]
    assert [t.local_id for t in document.tasks] == ["I.1", "II.1"]
    assert not [p for p in document.problems if p.kind in ("unplaced-row", "not-read")]
