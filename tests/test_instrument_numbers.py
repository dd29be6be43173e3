"""Instruments with their real numbers (laws with their number, numbers with a dotted part, a
document whose own number is left blank), on a small plan written for each case."""

from __future__ import annotations

from datetime import date

from cchc_graph.parse import parse_document
from cchc_graph.records import ParsedDocument, SourceFile
from cchc_graph.resources import load_lexicon


def read(text: str) -> ParsedDocument:
    return parse_document(SourceFile("probe.txt", "probe", text, ""), load_lexicon())


PLAN = """ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: {number} | Khánh Hòa, ngày 05 tháng 01 năm 2026
KẾ HOẠCH
CẢI CÁCH HÀNH CHÍNH NĂM 2026
Căn cứ Luật Tiếp cận thông tin số 104/2016/QH13 ngày 06 tháng 4 năm 2016;
Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;
Căn cứ Nghị quyết số 66.2/2025/NQ-CP ngày 28 tháng 6 năm 2025 của Chính phủ;
Căn cứ Nghị quyết số 35/2023/UBTVQH15 ngày 12 tháng 7 năm 2023 của Ủy ban Thường vụ Quốc hội;
I. TỔ CHỨC THỰC HIỆN
1. Sở Nội vụ chủ trì theo dõi, đôn đốc thực hiện Kế hoạch.
"""


def test_laws_and_resolutions_are_cited_with_their_numbers() -> None:
    document = read(PLAN.format(number="12/KH-UBND"))
    basis = {(c.kind, c.number, c.date) for c in document.citations if c.role == "legal-basis"}
    assert ("luat", "104/2016/QH13", date(2016, 4, 6)) in basis
    assert ("luat", "72/2025/QH15", None) in basis
    assert ("nghi-quyet", "66.2/2025/NQ-CP", date(2025, 6, 28)) in basis
    assert ("nghi-quyet", "35/2023/UBTVQH15", date(2023, 7, 12)) in basis
    law = next(c for c in document.citations if c.number == "104/2016/QH13")
    assert law.title == "Tiếp cận thông tin" and law.year == 2016


def test_a_document_whose_number_is_blank_is_read_and_says_so() -> None:
    document = read(PLAN.format(number="/KH-UBND"))
    assert document.header.adopted_by is not None
    assert document.header.adopted_by.number is None
    assert [p.kind for p in document.problems if p.kind == "number-blank"] == ["number-blank"]
    assert document.tasks
