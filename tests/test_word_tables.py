"""Annex tables as Word sets them, written in the test with python-docx: a two-row header whose
"Phân công thực hiện" spans "Chủ trì" and "Phối hợp", a task number merged down over the rows of
its products, an agency merged down over two tasks. Each fact must come out as a person reads
the table."""

from __future__ import annotations

import docx
import pytest
from docx.table import Table

from cchc_graph.ingest.sources import read_source
from cchc_graph.parse import parse_document
from cchc_graph.records import AgencyMention, ParsedDocument
from cchc_graph.resources import load_lexicon

PREAMBLE = [
    "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG",
    "Số: 12/KH-UBND",
    "Lâm Đồng, ngày 10 tháng 01 năm 2026",
    "KẾ HOẠCH",
    "Cải cách hành chính năm 2026",
    "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ;",
    "PHỤ LỤC",
]
HEADER = ["TT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Phân công thực hiện", ""]
UNDER = ["", "", "", "", "Chủ trì", "Phối hợp"]
ROWS = [
    ["I", "CẢI CÁCH THỂ CHẾ", "", "", "", ""],
    [
        "1",
        "Rà soát văn bản quy phạm pháp luật",
        "Báo cáo rà soát",
        "Quý II/2026",
        "Sở Tư pháp",
        "Các sở, ban, ngành",
    ],
    ["", "", "Danh mục văn bản cần sửa đổi", "Quý IV/2026", "Sở Tư pháp", "Sở Nội vụ"],
    ["2", "Kiểm tra công tác văn bản", "Kết luận kiểm tra", "Năm 2026", "Sở Nội vụ", "Sở Tư pháp"],
    ["3", "Theo dõi thi hành pháp luật", "Báo cáo theo dõi", "Tháng 11/2026", "", "Sở Tài chính"],
]


def merge(table: Table, first: tuple[int, int], last: tuple[int, int]) -> None:
    table.cell(*first).merge(table.cell(*last))


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> ParsedDocument:
    document = docx.Document()
    for text in PREAMBLE:
        document.add_paragraph(text)
    table = document.add_table(rows=2 + len(ROWS), cols=6)
    table.style = "Table Grid"
    for r, values in enumerate([HEADER, UNDER, *ROWS]):
        for c, value in enumerate(values):
            if value:
                table.cell(r, c).text = value
    for column in range(4):  # TT, Nhiệm vụ, Sản phẩm, Thời gian: merged down the two header rows
        text = HEADER[column]
        merge(table, (0, column), (1, column))
        table.cell(0, column).text = text
    merge(table, (0, 4), (0, 5))  # "Phân công thực hiện" over "Chủ trì" | "Phối hợp"
    table.cell(0, 4).text = "Phân công thực hiện"
    merge(table, (3, 0), (4, 0))  # task 1's number over its two product rows
    table.cell(3, 0).text = "1"
    merge(table, (3, 1), (4, 1))
    table.cell(3, 1).text = "Rà soát văn bản quy phạm pháp luật"
    merge(table, (5, 4), (6, 4))  # Sở Nội vụ leads tasks 2 and 3: one merged cell
    table.cell(5, 4).text = "Sở Nội vụ"
    path = tmp_path_factory.mktemp("word") / "ke_hoach.docx"
    document.save(str(path))
    return parse_document(read_source(path), load_lexicon())


def slugs(mentions: tuple[AgencyMention, ...]) -> list[str]:
    return [f"group:{m.type_slug}" if m.is_group else m.type_slug for m in mentions]


def test_tasks_and_their_product_rows(parsed: ParsedDocument) -> None:
    assert [t.local_id for t in parsed.tasks] == ["I.1", "I.2", "I.3"]
    first = parsed.tasks[0]
    assert first.description == "Rà soát văn bản quy phạm pháp luật"
    assert [d.product for d in first.deliverables] == [
        "Báo cáo rà soát",
        "Danh mục văn bản cần sửa đổi",
    ]
    assert [d.deadline.text for d in first.deliverables if d.deadline] == [
        "Quý II/2026",
        "Quý IV/2026",
    ]


def test_lead_and_cooperating_from_a_two_row_header(parsed: ParsedDocument) -> None:
    got = [
        (t.local_id, slugs(d.assignment.lead), slugs(d.assignment.cooperating))
        for t in parsed.tasks
        for d in t.deliverables
    ]
    assert got == [
        ("I.1", ["so-tu-phap"], ["group:cac-so-ban-nganh"]),
        ("I.1", ["so-tu-phap"], ["so-noi-vu"]),
        ("I.2", ["so-noi-vu"], ["so-tu-phap"]),
        # the lead cell merged down from task 2 leads task 3 too
        ("I.3", ["so-noi-vu"], ["so-tai-chinh"]),
    ]


def test_no_row_is_left_unread(parsed: ParsedDocument) -> None:
    assert not [p for p in parsed.problems if p.kind == "not-read"]
