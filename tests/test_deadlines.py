"""Deadline texts -> due date, start date and kind (the rules of tests/expected/README.md)."""

from __future__ import annotations

from datetime import date

import pytest

from cchc_graph.parse.deadlines import parse_deadline
from cchc_graph.resources import load_lexicon

CASES = [
    # text, kind, due, start
    ("Trong quý I/2014", "fixed", date(2014, 3, 31), None),
    ("Cuối quý III/2014", "fixed", date(2014, 9, 30), None),
    ("Quý II/2017", "fixed", date(2017, 6, 30), None),
    # spelt "Quí", the year after a dash (Đồng Tháp 2025); a cell holding only the year
    ("Quí IV-2025", "fixed", date(2025, 12, 31), None),
    ("2026", "fixed", date(2026, 12, 31), None),
    ("Quý I năm 2023", "fixed", date(2023, 3, 31), None),
    ("Tháng 9 - 12/2014", "fixed", date(2014, 12, 31), date(2014, 9, 1)),
    ("Tháng 01 - tháng 3/2014", "fixed", date(2014, 3, 31), date(2014, 1, 1)),
    ("Năm 2016-2017", "fixed", date(2017, 12, 31), date(2016, 1, 1)),
    ("30/06/2023", "fixed", date(2023, 6, 30), None),
    # written out, as the Government writes dates; "trước ngày D" is due D (a notice pairs
    # "trước ngày 18/10/2025" with its deadline cell "18/10/2025")
    ("hoàn thành trước ngày 25 tháng 11 năm 2025", "fixed", date(2025, 11, 25), None),
    ("trước ngày 15/12/2025", "fixed", date(2025, 12, 15), None),
    ("từ ngày 01/01/2026", "continuous", None, date(2026, 1, 1)),
    ("Năm 2023 - 2024", "fixed", date(2024, 12, 31), date(2023, 1, 1)),
    ("Tháng 6/2014", "fixed", date(2014, 6, 30), None),
    ("Trong tháng 2/2014", "fixed", date(2014, 2, 28), None),
    ("Trước tháng 9/2014", "fixed", date(2014, 8, 31), None),
    ("Trong năm 2017", "fixed", date(2017, 12, 31), None),
    ("trong tháng 7-8/2017", "fixed", date(2017, 8, 31), date(2017, 7, 1)),
    (
        "Gửi báo cáo trong tháng 5/2014. Hoàn thành việc thẩm định và báo cáo UBND tỉnh trong "
        "quý III/2014",
        "fixed",
        date(2014, 9, 30),
        None,
    ),
    ("Quý IV của năm trước liền kề năm kế hoạch", "recurring", None, None),
    ("Quý IV của năm kế hoạch", "recurring", None, None),
    ("Quý IV hàng năm", "recurring", None, None),
    ("Hàng năm", "recurring", None, None),
    ("Hàng năm (bắt đầu từ năm 2016)", "recurring", None, date(2016, 1, 1)),
    ("Năm 2017 và các năm tiếp theo khi có đủ điều kiện", "recurring", None, date(2017, 1, 1)),
    ("Thường xuyên", "continuous", None, None),
    ("Thường xuyên trong năm", "continuous", None, None),
    ("Từ năm 2016", "continuous", None, date(2016, 1, 1)),
    ("Từ Quý I/2023", "continuous", None, date(2023, 1, 1)),
    ("từ tháng 5/2017", "continuous", None, date(2017, 5, 1)),
    ("Theo tiến độ Đề án", "conditional", None, None),
    ("Theo tiến độ kế hoạch (chậm nhất trong quý II/2014)", "conditional", date(2014, 6, 30), None),
    ("Theo lộ trình chung của Tổng cục Hải quan", "conditional", None, None),
    ("Sau khi Bộ Tài chính ban hành giá tối đa", "conditional", None, None),
    ("Khi có hướng dẫn của Bộ Nội vụ", "conditional", None, None),
    ("Theo hướng dẫn, tiến độ của Bộ Nội vụ", "conditional", None, None),
    ("Quý I/2014 Theo phương án được phê duyệt", "fixed", date(2014, 3, 31), None),
    # "tháng quý" is not "hàng quý": whole words only
    ("Trong tháng quý II/2014", "fixed", date(2014, 6, 30), None),
]


@pytest.mark.parametrize("text,kind,due,start", CASES, ids=[c[0][:40] for c in CASES])
def test_deadline(text: str, kind: str, due: date | None, start: date | None) -> None:
    deadline = parse_deadline(text, load_lexicon().deadline_phrases)
    assert deadline.kind is not None and deadline.kind.value == kind
    assert deadline.due == due
    assert deadline.start == start
    assert deadline.text == " ".join(text.split())


def test_text_without_date_or_cue_has_no_kind() -> None:
    deadline = parse_deadline("Sở Khoa học và Công nghệ", load_lexicon().deadline_phrases)
    assert (deadline.kind, deadline.due, deadline.start) == (None, None, None)


def test_impossible_month_is_not_a_date() -> None:
    deadline = parse_deadline("Tháng 13/2014", load_lexicon().deadline_phrases)
    assert deadline.due is None


@pytest.mark.parametrize(
    "text,due",
    [
        ("Quý II", date(2026, 6, 30)),
        ("Tháng 6", date(2026, 6, 30)),
        ("Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 23 tháng 1", date(2026, 1, 23)),
        ("30/6", date(2026, 6, 30)),
        # a year written wins over the plan's
        ("Tháng 12/2025", date(2025, 12, 31)),
        ("Quý IV năm 2025", date(2025, 12, 31)),
        # "3/12" in a sentence is a count, not the 3rd of December
        ("Chỉ 3/12 nền tảng số đã hoàn thành kết nối với hệ thống", None),
        ("trong 6 tháng đầu năm", date(2026, 6, 30)),
    ],
)
def test_a_date_without_its_year_is_in_the_plans_one_year(text: str, due: date | None) -> None:
    phrases = load_lexicon().deadline_phrases
    assert parse_deadline(text, phrases, 2026).due == due
    if due is not None and "2025" not in text:
        assert parse_deadline(text, phrases).due is None  # a plan of several years: no date


@pytest.mark.parametrize(
    "text,year,start,due",
    [
        ("Quý III - IV/2025", None, date(2025, 7, 1), date(2025, 12, 31)),
        ("Quý I, II năm 2026", None, date(2026, 1, 1), date(2026, 6, 30)),
        # the year written is the text's, not the plan's
        ("Quý III và IV năm 2025", 2026, date(2025, 7, 1), date(2025, 12, 31)),
        ("6 tháng đầu năm 2026", None, None, date(2026, 6, 30)),
        ("6 tháng cuối năm 2025", None, None, date(2025, 12, 31)),
        ("Tháng 9 - 12", 2026, date(2026, 9, 1), date(2026, 12, 31)),
        ("Từ tháng 3 đến tháng 6", 2026, date(2026, 3, 1), date(2026, 6, 30)),
        ("Quý I, II", 2026, date(2026, 1, 1), date(2026, 6, 30)),
    ],
)
def test_quarters_months_and_halves_of_a_year(
    text: str, year: int | None, start: date | None, due: date
) -> None:
    deadline = parse_deadline(text, load_lexicon().deadline_phrases, year)
    assert (deadline.start, deadline.due) == (start, due)
