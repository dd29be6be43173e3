"""A real Word plan, read end to end: Lâm Đồng's 2026-2030 CCHC plan (.docx, its 67-row task table
with merged cells) against what a person read from it (tests/expected/formats/, written from the
file's XML, never from the reader's output)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from cchc_graph.ingest.sources import read_source
from cchc_graph.parse import parse_document
from cchc_graph.records import AgencyMention, ParsedDocument
from cchc_graph.resources import load_lexicon
from cchc_graph.text import squash

HERE = Path(__file__).parent
PLAN = HERE / "data" / "formats" / "docx" / "lamdong_kh_cchc_2026_2030.docx"
EXPECTED = HERE / "expected" / "formats" / "lamdong_kh_cchc_2026_2030.yaml"


@pytest.fixture(scope="module")
def parsed() -> ParsedDocument:
    return parse_document(read_source(PLAN), load_lexicon())


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    return loaded


def annex_tasks(expected: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in expected["tasks"] if "table_row" in t]


def slugs(mentions: tuple[AgencyMention, ...]) -> set[str]:
    return {f"group:{m.type_slug}" if m.is_group else m.type_slug for m in mentions}


def test_the_header_is_read(parsed: ParsedDocument, expected: dict[str, Any]) -> None:
    document = expected["document"]
    assert parsed.header.type == document["type"]
    assert parsed.header.province == document["province"]
    assert list(parsed.header.period or ()) == document["period"]


def test_every_task_row_is_a_task_at_its_row(
    parsed: ParsedDocument, expected: dict[str, Any]
) -> None:
    source = parsed.source
    want = annex_tasks(expected)
    got = [t for t in parsed.tasks if not t.local_id.startswith("TCTH")]
    assert [t.local_id for t in got] == [t["id"] for t in want]
    for task, reading in zip(got, want, strict=True):
        location = source.location(task.span.line_start)
        assert location is not None and location.row == reading["table_row"], task.local_id


def test_every_deliverable_has_its_product_and_deadline(
    parsed: ParsedDocument, expected: dict[str, Any]
) -> None:
    got = {t.local_id: t for t in parsed.tasks}
    for reading in annex_tasks(expected):
        task = got[reading["id"]]
        assert len(task.deliverables) == len(reading["deliverables"]), reading["id"]
        for deliverable, want in zip(task.deliverables, reading["deliverables"], strict=True):
            if want.get("product"):
                assert squash(deliverable.product or "").startswith(want["product"]), reading["id"]
            if "deadline_text" in want:
                assert deliverable.deadline is not None, reading["id"]
                assert squash(deliverable.deadline.text) == want["deadline_text"], reading["id"]


def test_lead_and_cooperating_agencies(parsed: ParsedDocument, expected: dict[str, Any]) -> None:
    got = {t.local_id: t for t in parsed.tasks}
    agree = total = 0
    wrong = []
    for reading in annex_tasks(expected):
        pairs = zip(got[reading["id"]].deliverables, reading["deliverables"], strict=True)
        for deliverable, want in pairs:
            for role, mentions in (
                ("lead", deliverable.assignment.lead),
                ("cooperating", deliverable.assignment.cooperating),
            ):
                if role not in want:
                    continue
                total += 1
                if slugs(mentions) == set(want[role]):
                    agree += 1
                else:
                    wrong.append((reading["id"], role, sorted(slugs(mentions)), want[role]))
    # measured when written: see the closing note of issue 12; the rest are reader errors to fix
    assert agree / total >= 0.8, wrong


def test_the_legislative_programme_page_assigns_each_review() -> None:
    """The vbpl.vn page of the Standing Committee's legislative programme, as read on the page:
    'Cơ quan chủ trì thẩm tra' leads (a committee's name may be wrapped over two paragraphs of
    its cell), 'Cơ quan tham gia thẩm tra' takes part ('Hội đồng Dân tộc, các Ủy ban khác của
    Quốc hội': the council and a group named by whom it belongs to), 'Cơ quan trình' (the
    Government) only submits."""
    page = HERE / "data" / "formats" / "html" / "vbpl_nq119_2026_ubtvqh15_chuongtrinh_lapphap.html"
    document = parse_document(read_source(page), load_lexicon())
    tasks = sorted(document.tasks, key=lambda t: t.span.line_start)
    assert len(tasks) == 8
    first, third, last = (
        tasks[0].deliverables[0],
        tasks[2].deliverables[0],
        tasks[7].deliverables[0],
    )
    assert tasks[0].description == "Luật Thủ đô (sửa đổi)"
    assert [m.type_slug for m in first.assignment.lead] == ["uy-ban-phap-luat-va-tu-phap"]
    assert [m.type_slug for m in third.assignment.lead] == ["uy-ban-kinh-te-va-tai-chinh"]
    assert [m.type_slug for m in last.assignment.lead] == ["uy-ban-kinh-te-va-tai-chinh"]
    assert [m.text for m in first.assignment.participants] == [
        "Hội đồng Dân tộc",
        "các Ủy ban khác của Quốc hội",
    ]
    assert not first.assignment.cooperating
    assert "chinh-phu" not in {m.type_slug for m in first.assignment.lead}
    assert [t.deliverables[0].deadline.due.month for t in tasks] == [3, 3, 8, 9, 9, 9, 9, 9]
    assert not [p for p in document.problems if p.kind in ("unknown-agency", "not-read")]


def test_every_task_table_of_a_plan_is_read() -> None:
    """The 2026 communication plan gives its dialogue programme two tables, one per kind of
    body, with prose between them: departments on air (11 rows), then communes and wards (10
    rows), each row a programme led by the body named in 'Trách nhiệm thực hiện' on its day."""
    plan = HERE / "data" / "formats" / "docx" / "lamdong_kh_tuyentruyen_cchc_2026.docx"
    document = parse_document(read_source(plan), load_lexicon())
    tables = [t for t in document.tasks if not t.local_id.startswith("TCTH")]
    assert [t.local_id for t in tables] == [f"B1.{n}" for n in range(1, 12)] + [
        f"B2.{n}" for n in range(1, 11)
    ]

    def lead(index: int) -> list[str]:
        return [m.label or m.text for m in tables[index].deliverables[0].assignment.lead]

    def due(index: int) -> date | None:
        deadline = tables[index].deliverables[0].deadline
        return deadline.due if deadline else None

    assert lead(0) == ["Sở Công Thương"] and due(0) == date(2026, 1, 23)
    assert lead(10) == ["Ban Quản lý các khu công nghiệp"] and due(10) == date(2026, 12, 11)
    assert lead(11) == ["UBND phường Xuân Hương - Đà Lạt"] and due(11) == date(2026, 3, 27)
    assert lead(14) == ["UBND phường 3 Bảo Lộc"] and due(14) == date(2026, 6, 26)
    assert lead(20) == ["UBND xã Hòa Ninh"] and due(20) == date(2026, 12, 25)
    assert not [p for p in document.problems if p.kind in ("unknown-agency", "not-read")]
