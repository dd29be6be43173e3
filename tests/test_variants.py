"""Documents of other provinces in the layouts' close variants, read without code changes.

The files in tests/data/variants/ were written for these tests in the shape of real plans: a
tab-separated annex with "Cơ quan chủ trì | Cơ quan phối hợp" columns (Bình Định 2020), a
markdown table (Quảng Nam 2024) and a plan whose tasks are prose with labelled fields
"Đơn vị chủ trì: ... Thời gian thực hiện: ..." (Hà Giang 2022).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from cchc_graph.ingest.sources import read_source
from cchc_graph.parse import parse_document
from cchc_graph.records import ParsedDocument, Task
from cchc_graph.resources import load_lexicon

VARIANTS = Path(__file__).parent / "data" / "variants"


def parse(name: str) -> ParsedDocument:
    return parse_document(read_source(VARIANTS / name), load_lexicon())


def task(document: ParsedDocument, local_id: str) -> Task:
    return next(t for t in document.tasks if t.local_id == local_id)


def slugs(mentions: tuple) -> set[str]:  # type: ignore[type-arg]
    return {("group:" if m.is_group else "") + m.type_slug for m in mentions}


def test_columns_for_lead_and_cooperating() -> None:
    document = parse("binh_dinh_2020_columns.txt")
    assert document.layout == "html-tsv-annex"
    assert document.header.province == "binh-dinh"
    assert document.header.period == (2020, 2020)
    assert document.header.adopted_by is not None
    assert document.header.adopted_by.number == "5123/QĐ-UBND"
    assert document.header.signer == "Trần Châu"
    assert [s.area for s in document.sections if s.id != "TCTH"] == [
        "the-che",
        "thu-tuc-hanh-chinh",
        "hien-dai-hoa-hanh-chinh",
    ]
    checks = task(document, "I.2").deliverables
    assert [d.product for d in checks] == ["Kế hoạch kiểm tra", "Báo cáo kết quả kiểm tra"]
    # the second row leaves both agency cells empty: merged cells, it shares the row above
    for deliverable in checks:
        assert slugs(deliverable.assignment.lead) == {"so-tu-phap"}
        assert slugs(deliverable.assignment.cooperating) == {"so-noi-vu", "thanh-tra-tinh"}
    assert checks[1].deadline is not None and checks[1].deadline.due == datetime.date(2020, 11, 30)
    published = task(document, "II.1").deliverables[0]
    assert published.deadline is not None
    assert published.deadline.due == datetime.date(2020, 6, 29)  # "Trước 30/6/2020"
    assert slugs(published.assignment.lead) == {"van-phong-ubnd-tinh"}
    payments = task(document, "II.2").deliverables[0]
    assert slugs(payments.assignment.cooperating) == {
        "kho-bac-nha-nuoc-tinh",
        "group:ngan-hang-thuong-mai",
    }
    assert {(t.indicator, t.value) for t in document.targets} == {
        ("satisfaction-state-agencies", 85),
        ("online-services-level-4", 30),
    }


def test_markdown_table() -> None:
    document = parse("quang_nam_2024_markdown.txt")
    assert document.layout == "markdown-table-annex"
    assert document.header.province == "quang-nam"
    assert [t.local_id for t in document.tasks] == ["I.1", "I.2", "II.1"]
    first = task(document, "I.1").deliverables[0]
    assert slugs(first.assignment.lead) == {"van-phong-ubnd-tinh"}
    assert slugs(first.assignment.cooperating) == {"group:cac-so-ban-nganh", "group:ubnd-cap-huyen"}
    assert first.deadline is not None and first.deadline.due == datetime.date(2024, 9, 30)
    assert task(document, "II.1").section is not None
    assert task(document, "II.1").section.area == "che-do-cong-vu"  # type: ignore[union-attr]
    legal = [(c.kind, c.number) for c in document.citations if c.role == "legal-basis"]
    assert legal == [("nghi-quyet", "76/NQ-CP"), ("quyet-dinh", "3520/QĐ-UBND")]


def test_prose_tasks_with_labelled_fields() -> None:
    document = parse("ha_giang_2022_fields.txt")
    assert document.layout == "prose-assignments"
    assert document.header.type == "plan"
    assert document.header.adopted_by is not None
    assert (document.header.adopted_by.kind, document.header.adopted_by.number) == (
        "ke-hoach",
        "75/KH-UBND",
    )
    assert document.header.signer == "Hoàng Gia Long"
    assert [t.local_id for t in document.tasks] == ["1.a", "1.b", "2.a", "TCTH.1"]
    review = task(document, "1.a")
    assert review.section is not None and review.section.area == "the-che"
    assert len(review.deliverables) == 1
    only = review.deliverables[0]
    assert only.product == "Báo cáo kết quả rà soát"
    assert slugs(only.assignment.lead) == {"so-tu-phap"}
    assert slugs(only.assignment.cooperating) == {"group:cac-so-ban-nganh"}
    assert only.deadline is not None and only.deadline.due == datetime.date(2022, 6, 30)
    inline = task(document, "1.b").deliverables[0]
    assert inline.deadline is not None and inline.deadline.due == datetime.date(2022, 10, 31)
    assert task(document, "1.b").description == "Kiểm tra công tác thi hành pháp luật"
    online = task(document, "2.a").deliverables[0]
    assert online.deadline is not None and online.deadline.kind is not None
    assert online.deadline.kind.value == "continuous"
    assert slugs(online.assignment.cooperating) == {"van-phong-ubnd-tinh", "so-noi-vu"}
    # no "Sản phẩm:" field: the product is the text before the first label, not the labels
    assert online.product == "Triển khai dịch vụ công trực tuyến toàn trình"
    implements = [c.number for c in document.citations if c.role == "implements"]
    assert implements == ["76/NQ-CP"]


@pytest.mark.parametrize("name", sorted(p.name for p in VARIANTS.glob("*.txt")))
def test_no_false_truncation(name: str) -> None:
    """These tables end where the plan ends: no cut-off annex is reported."""
    assert not [p for p in parse(name).problems if p.kind == "annex-truncated"]


def test_pipe_cells_with_a_number_column() -> None:
    """Cells between "|" lines, hard-wrapped, with an STT column (Lào Cai 2018)."""
    document = parse("lao_cai_2018_pipe_stt.txt")
    assert document.layout == "pipe-cell-annex"
    assert document.header.province == "lao-cai"
    assert document.header.signer == "Đặng Xuân Phong"
    assert [t.local_id for t in document.tasks] == ["I.1", "I.2", "II.1"]
    follow_up = task(document, "I.2").deliverables
    assert [d.product for d in follow_up] == ["Kế hoạch theo dõi", "Báo cáo kết quả theo dõi"]
    # the second product row has no agency cells: it shares those of the row above
    assert slugs(follow_up[1].assignment.lead) == {"so-tu-phap"}
    assert follow_up[1].deadline is not None
    assert follow_up[1].deadline.due == datetime.date(2018, 11, 30)
    iso = [t for t in document.targets if t.indicator == "iso-9001"]
    assert [(t.comparator, t.value, t.year) for t in iso] == [(">", 90, 2018)]


def test_arabic_sections_and_rows_continued_without_a_page_break() -> None:
    """Sections numbered 1, 2 with tasks 1.1, 1.2; a cell cut mid-sentence onto the next line."""
    document = parse("thanh_hoa_2019_arabic.txt")
    assert [(s.id, s.area) for s in document.sections] == [
        ("1", "the-che"),
        ("2", "tai-chinh-cong"),
    ]
    assert [t.local_id for t in document.tasks] == ["1.1", "1.2", "2.1"]
    watch = task(document, "1.2")
    assert len(watch.deliverables) == 1
    assert watch.description.endswith("trong các lĩnh vực đất đai, xây dựng")
    assert slugs(watch.deliverables[0].assignment.cooperating) == {
        "so-tai-nguyen-va-moi-truong",
        "so-xay-dung",
    }
    autonomy = task(document, "2.1").deliverables
    assert [d.product for d in autonomy] == ["Quyết định giao tự chủ", "Báo cáo đánh giá"]


def test_numeric_header_date_and_a_numbered_directive() -> None:
    from cchc_graph.records import SourceFile

    text = "\n".join(
        [
            "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN",
            "",
            "Số: 05/CT-UBND",
            "",
            "Phú Yên, ngày 05/3/2019",
            "",
            "CHỈ THỊ",
            "Về đẩy mạnh cải cách hành chính năm 2019",
            "",
            "1. Giao Sở Nội vụ chủ trì, phối hợp với các sở, ngành kiểm tra công vụ "
            "trong quý II/2019.",
            "",
            "2. Giao Sở Tư pháp rà soát thủ tục hành chính, báo cáo trong tháng 9/2019.",
            "",
            "CHỦ TỊCH",
            "",
            "Trần Hữu Thế",
        ]
    )
    document = parse_document(SourceFile("phu_yen.txt", "phu_yen", text, "0"), load_lexicon())
    header = document.header
    assert (header.type, header.province, header.signer) == ("directive", "phu-yen", "Trần Hữu Thế")
    assert header.adopted_by is not None
    assert (header.adopted_by.number, header.adopted_by.date) == (
        "05/CT-UBND",
        datetime.date(2019, 3, 5),
    )
    assert [t.local_id for t in document.tasks] == ["1", "2"]
    first = document.tasks[0].deliverables[0]
    assert slugs(first.assignment.lead) == {"so-noi-vu"}
    assert slugs(first.assignment.cooperating) == {"group:cac-so-ban-nganh"}
    assert first.deadline is not None and first.deadline.due == datetime.date(2019, 6, 30)
    assert header.period == (2019, 2019)
