"""The 2025 reorganisation in the graph (data/vocab/reorganisation-2025.yaml): change events
against their legal sources, a merged province's agencies, a body named after it ceased to
exist, and the questions that follow lineage."""

from __future__ import annotations

import pyoxigraph as ox

from cchc_graph.build import assemble
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.parse import parse_document
from cchc_graph.records import SourceFile
from cchc_graph.resources import load_lexicon
from cchc_graph.settings import Settings
from cchc_graph.text import slug
from cchc_graph.validate import union_store

ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
CCHC = "https://w3id.org/cchc/def#"
ELI = "http://data.europa.eu/eli/ontology#"


def plan(province: str, year: int, body: str) -> SourceFile:
    text = f"""ỦY BAN NHÂN DÂN TỈNH {province.upper()} | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 12/KH-UBND | {province}, ngày 05 tháng 01 năm {year}
KẾ HOẠCH
Cải cách hành chính năm {year}
I. MỤC ĐÍCH, YÊU CẦU
Nâng cao chất lượng phục vụ người dân.
II. TỔ CHỨC THỰC HIỆN
{body}
"""
    stem = f"{slug(province)}-{year}"
    return SourceFile(f"{stem}.txt", stem, text, "")


def objects(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {
        q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)
    }


def test_a_department_merger_rests_on_its_decree(store: ox.Store) -> None:
    """Nghị định 45/2025/NĐ-CP: Sở Kế hoạch và Đầu tư into Sở Tài chính from 1 March 2025, for
    the agency types and for each province whose plans name them."""
    event = DEFAULT_BASE + "change/2025/tai-chinh"
    assert objects(store, event, ORG + "originalOrganization") == {
        DEFAULT_BASE + "agency-type/so-ke-hoach-va-dau-tu",
        DEFAULT_BASE + "agency-type/so-tai-chinh",
    }
    assert objects(store, event, ORG + "resultingOrganization") == {
        DEFAULT_BASE + "agency-type/so-tai-chinh"
    }
    assert objects(store, event, PROV + "startedAtTime") == {"2025-03-01T00:00:00"}
    (decree,) = objects(store, event, CCHC + "legalSource")
    assert objects(store, decree, ELI + "number") == {"45/2025/NĐ-CP"}
    assert objects(store, decree, ELI + "date_document") == {"2025-02-28"}
    assert objects(store, decree, ELI + "passed_by") == {DEFAULT_BASE + "agency/viet-nam/chinh-phu"}
    khanh_hoa = DEFAULT_BASE + "change/2025/tai-chinh/khanh-hoa"
    assert DEFAULT_BASE + "agency/khanh-hoa/so-ke-hoach-va-dau-tu" in objects(
        store, khanh_hoa, ORG + "originalOrganization"
    )
    assert objects(store, khanh_hoa, ORG + "resultingOrganization") == {
        DEFAULT_BASE + "agency/khanh-hoa/so-tai-chinh"
    }


def test_a_merged_provinces_agencies_become_the_named_provinces() -> None:
    """Nghị quyết 202/2025/QH15: Ninh Thuận's agencies are Khánh Hòa's from 1 July 2025."""
    lexicon = load_lexicon()
    parsed = [
        parse_document(
            plan("Ninh Thuận", 2023, "1. Sở Tư pháp chủ trì rà soát thủ tục hành chính."),
            lexicon,
        )
    ]
    store = union_store(assemble(parsed, Settings()).quads)
    event = DEFAULT_BASE + "change/2025/tinh/khanh-hoa/so-tu-phap"
    assert objects(store, event, ORG + "originalOrganization") == {
        DEFAULT_BASE + "agency/ninh-thuan/so-tu-phap"
    }
    assert objects(store, event, ORG + "resultingOrganization") == {
        DEFAULT_BASE + "agency/khanh-hoa/so-tu-phap"
    }
    assert objects(store, event, PROV + "startedAtTime") == {"2025-07-01T00:00:00"}
    (resolution,) = objects(store, event, CCHC + "legalSource")
    assert objects(store, resolution, ELI + "number") == {"202/2025/QH15"}


def test_a_body_named_after_it_ceased_to_exist_is_said() -> None:
    lexicon = load_lexicon()
    body = "1. Sở Kế hoạch và Đầu tư chủ trì tham mưu bố trí kinh phí thực hiện kế hoạch."
    late = parse_document(plan("Khánh Hòa", 2026, body), lexicon)
    early = parse_document(plan("Khánh Hòa", 2024, body), lexicon)
    said = [p for p in late.problems if p.kind == "agency-ended"]
    assert len(said) == 1
    assert "Sở Tài chính" in said[0].message and "45/2025/NĐ-CP" in said[0].message
    assert not [p for p in early.problems if p.kind == "agency-ended"]
    # read as named: the 2026 task is still the old body's, and the finding says what it became
    assert [m.type_slug for m in late.tasks[0].deliverables[0].assignment.lead] == [
        "so-ke-hoach-va-dau-tu"
    ]
