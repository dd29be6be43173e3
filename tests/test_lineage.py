"""The 2025 reorganisation in the graph (data/vocab/reorganisation-2025.yaml): change events
against their legal sources, a merged province's agencies, a body named after it ceased to
exist, and the questions that follow lineage."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from cchc_graph.build import assemble
from cchc_graph.canned import Catalogue, load_catalogue
from cchc_graph.ingest.sources import read_source
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.parse import parse_document
from cchc_graph.records import SourceFile
from cchc_graph.resources import load_lexicon
from cchc_graph.settings import Settings
from cchc_graph.store import EmbeddedStore
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


def _catalogue(parsed: list) -> Catalogue:  # type: ignore[type-arg]
    store = ox.Store()
    store.bulk_extend(assemble(parsed, Settings()).quads)
    return Catalogue(load_catalogue(Settings().queries_dir), EmbeddedStore(store, "test"))


def _deliverables(catalogue: Catalogue, **params: str) -> set[str]:
    query = catalogue.bind("tasks-led-by", params)
    return {row["deliverable"] for row in catalogue.store.select(query).values()}


def test_a_provinces_agency_brings_the_merged_provinces_with_lineage() -> None:
    """Khánh Hòa's Sở Tư pháp of 2026 and Ninh Thuận's of 2023 (Ninh Thuận merged into Khánh Hòa
    on 1 July 2025): with lineage, the first brings the second's tasks."""
    lexicon = load_lexicon()
    parsed = [
        parse_document(plan("Ninh Thuận", 2023, "1. Sở Tư pháp chủ trì rà soát văn bản."), lexicon),
        parse_document(plan("Khánh Hòa", 2026, "1. Sở Tư pháp chủ trì số hóa hồ sơ."), lexicon),
    ]
    catalogue = _catalogue(parsed)
    agency = DEFAULT_BASE + "agency/khanh-hoa/so-tu-phap"
    own = _deliverables(catalogue, agency=agency)
    formerly = _deliverables(catalogue, agency=DEFAULT_BASE + "agency/ninh-thuan/so-tu-phap")
    both = _deliverables(catalogue, agency=agency, lineage="true")
    assert len(own) == len(formerly) == 1
    assert both == own | formerly


def test_lineage_across_the_sources_and_the_2025_documents() -> None:
    """Sở Khoa học và Công nghệ, named by the 2025 plans, took in Sở Thông tin và Truyền thông
    (1 March 2025); Sở Nội vụ took in Sở Lao động - Thương binh và Xã hội: with lineage each
    brings the tasks its predecessor led in the earlier plans."""
    lexicon = load_lexicon()
    here = Path(__file__).parent
    paths = sorted((here.parent / "data" / "sources").glob("*.txt"))
    paths += sorted((here / "data" / "dev-docs").glob("*.txt"))
    catalogue = _catalogue([parse_document(read_source(p), lexicon) for p in paths])
    for now, before in (
        ("so-khoa-hoc-va-cong-nghe", "so-thong-tin-va-truyen-thong"),
        ("so-noi-vu", "so-lao-dong-thuong-binh-va-xa-hoi"),
    ):
        own = _deliverables(catalogue, agency=DEFAULT_BASE + f"agency-type/{now}")
        formerly = _deliverables(catalogue, agency=DEFAULT_BASE + f"agency-type/{before}")
        both = _deliverables(catalogue, agency=DEFAULT_BASE + f"agency-type/{now}", lineage="true")
        assert own and formerly, now
        assert both == own | formerly, now
        assert own < both, now


def test_the_programmes_time_in_force_is_recorded(store: ox.Store) -> None:
    """30c/NQ-CP governs 2011-2020 and 76/NQ-CP of 2021 governs 2021-2030, as their titles say."""
    thirty_c = DEFAULT_BASE + "instrument/nghi-quyet/2011/30c-nq-cp"
    assert objects(store, thirty_c, ELI + "first_date_entry_in_force") == {"2011-11-08"}
    assert objects(store, thirty_c, ELI + "date_no_longer_in_force") == {"2020-12-31"}
    assert objects(store, thirty_c, ELI + "in_force") == {ELI + "InForce-notInForce"}
    programme = DEFAULT_BASE + "instrument/nghi-quyet/2021/76-nq-cp"
    assert objects(store, programme, ELI + "in_force") == {ELI + "InForce-inForce"}
    assert objects(store, programme, ELI + "date_no_longer_in_force") == set()


def test_a_province_compared_with_lineage_counts_the_provinces_merged_into_it() -> None:
    """Khánh Hòa with lineage counts Ninh Thuận's plan too (merged on 1 July 2025)."""
    lexicon = load_lexicon()
    parsed = [
        parse_document(plan("Ninh Thuận", 2023, "1. Sở Tư pháp chủ trì rà soát văn bản."), lexicon),
        parse_document(plan("Khánh Hòa", 2026, "1. Sở Tư pháp chủ trì số hóa hồ sơ."), lexicon),
        parse_document(plan("Cao Bằng", 2026, "1. Sở Nội vụ chủ trì kiểm tra."), lexicon),
    ]
    catalogue = _catalogue(parsed)

    def total(**params: str) -> int:
        query = catalogue.bind("compare-provinces", {"second": "Cao Bằng", **params})
        return sum(int(r["firstTasks"]) for r in catalogue.store.select(query).values())

    assert total(first="Khánh Hòa") == 1
    assert total(first="Ninh Thuận") == 1
    assert total(first="Khánh Hòa", lineage="true") == 2


def test_the_graph_holds_every_province_merger_with_its_resolution(store: ox.Store) -> None:
    """34 provincial units from 1 July 2025: 23 mergers, each of the merged provinces' People's
    Committees into the named province's, under Nghị quyết 202/2025/QH15."""
    found = store.query(
        """PREFIX org: <http://www.w3.org/ns/org#> PREFIX cchc: <https://w3id.org/cchc/def#>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT ?event (COUNT(DISTINCT ?original) AS ?n) ?number WHERE {
          ?event org:resultingOrganization ?result ; org:originalOrganization ?original ;
                 cchc:legalSource/eli:number ?number .
          FILTER(STRSTARTS(STR(?event), "https://w3id.org/cchc/id/change/2025/tinh/")
                 && STRENDS(STR(?result), "/ubnd-tinh"))
        } GROUP BY ?event ?number""",
        use_default_graph_as_union=True,
    )
    rows = {
        r["event"].value.rsplit("/", 1)[1]: (int(r["n"].value), r["number"].value) for r in found
    }
    assert len(rows) == 23
    assert rows["khanh-hoa"] == (2, "202/2025/QH15")
    assert rows["lam-dong"] == (3, "202/2025/QH15")
    assert sum(n for n, _ in rows.values()) - 23 == 63 - 34  # the provinces that ceased
