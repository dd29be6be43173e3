"""Validation of the sources' graph: no integrity Violation, and the completeness findings are
exactly what the documents lack, as read in the sources (line numbers are the source lines).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
import yaml

from cchc_graph.build import BuildReport
from cchc_graph.validate import (
    DataError,
    Finding,
    Level,
    ValidationReport,
    load_data,
    validate,
)
from tests.conftest import ROOT

EXPECTED = ROOT / "tests" / "expected"
K2014, CB, K2017, CT2017, K2023 = (
    "000_fbdcaf704ef480ea.txt",
    "001_e700a40f57bf9176.txt",
    "002_4c182d265d647846.txt",
    "003_15ca9d007ed5324e.txt",
    "004_e5038761a6850e2f.txt",
)

# (document, check, item, source line): every warning, each checked against the source text
WARNINGS = {
    # Khánh Hòa 2014. "Tổ chức thực hiện" items 2-4 assign work with no deadline (l.109-119)
    (K2014, "DeliverableDue", "TCTH.2/d1", 109),
    (K2014, "DeliverableDue", "TCTH.3/d1", 115),
    (K2014, "DeliverableDue", "TCTH.3/d2", 117),
    (K2014, "DeliverableDue", "TCTH.4/d1", 119),
    # annex row IV.3: the product cell is empty
    (K2014, "DeliverableProduct", "IV.3/d1", 191),
    # the second row of V.2 (ordering public-utility services) has empty deadline and agency cells
    (K2014, "DeliverableDue", "V.2/d2", 198),
    (K2014, "DeliverableLead", "V.2/d2", 198),
    # VI.2 (data centre, WAN): the deadline cell is empty
    (K2014, "DeliverableDue", "VI.2/d1", 205),
    # Cao Bằng 2016-2020. "Tổ chức thực hiện" (l.365-442) gives duties, no deadlines; only the
    # quarterly reports of TCTH.1 (l.372 "định kỳ hàng quý, 6 tháng, năm") have a cadence
    (CB, "DeliverableDue", "TCTH.1/d1", 368),
    (CB, "DeliverableDue", "TCTH.1/d3", 375),
    (CB, "DeliverableDue", "TCTH.1/d4", 378),
    (CB, "DeliverableDue", "TCTH.2.a/d1", 389),
    (CB, "DeliverableDue", "TCTH.2.a/d2", 392),
    (CB, "DeliverableDue", "TCTH.2.a/d3", 396),
    (CB, "DeliverableDue", "TCTH.2.a/d4", 401),
    (CB, "DeliverableDue", "TCTH.2.a/d5", 405),
    (CB, "DeliverableDue", "TCTH.2.a/d6", 408),
    (CB, "DeliverableDue", "TCTH.2.b/d1", 411),
    (CB, "DeliverableDue", "TCTH.2.c/d1", 417),
    (CB, "DeliverableDue", "TCTH.2.c/d2", 419),
    (CB, "DeliverableDue", "TCTH.2.d/d1", 424),
    (CB, "DeliverableDue", "TCTH.2.đ/d1", 430),
    (CB, "DeliverableDue", "TCTH.2.e/d1", 435),
    (CB, "DeliverableDue", "TCTH.2.g/d1", 439),
    # annex V.2 output 1 (l.888): the lead cell is empty, only cooperating agencies are named
    (CB, "DeliverableLead", "V.2/d1", 888),
    # Khánh Hòa 2017. "Tổ chức thực hiện" items 3, 4 and 8 state no deadline
    (K2017, "DeliverableDue", "TCTH.3/d1", 151),
    (K2017, "DeliverableDue", "TCTH.3/d2", 153),
    (K2017, "DeliverableDue", "TCTH.4/d1", 155),
    (K2017, "DeliverableDue", "TCTH.8/d1", 165),
    # the annex stops mid-row at the end of the file (l.207, "... thủ tục hành")
    (K2017, "TruncatedAnnex", None, 207),
    # Directive 2017: assignments whose paragraph gives no deadline
    (CT2017, "DeliverableDue", "1/d1", 7),
    (CT2017, "DeliverableDue", "2.a.2/d1", 18),
    (CT2017, "DeliverableDue", "2.b/d2", 22),
    (CT2017, "DeliverableDue", "2.d.2/d1", 34),
    (CT2017, "DeliverableDue", "2.e.1/d1", 50),
    (CT2017, "DeliverableDue", "2.e.2/d1", 52),
    (CT2017, "DeliverableDue", "4.b/d1", 98),
    # Khánh Hòa 2023. "Tổ chức thực hiện" items 3, 4, 5 and 9 state no deadline
    (K2023, "DeliverableDue", "TCTH.3/d1", 66),
    (K2023, "DeliverableDue", "TCTH.3/d2", 67),
    (K2023, "DeliverableDue", "TCTH.4/d1", 68),
    (K2023, "DeliverableDue", "TCTH.5/d1", 69),
    (K2023, "DeliverableDue", "TCTH.9/d1", 73),
    # the annex starts at row 3 of a section whose heading is missing (l.80)
    (K2023, "TruncatedAnnex", None, 80),
}

# instruments cited with a number (or a year) but no date, at their first citation per document
UNDATED = {
    (CB, 159),  # "Luật Ban hành văn bản quy phạm pháp luật năm 2015": a year, no date
    (CB, 258),  # Nghị định số 130/2005/NĐ-CP
    (CB, 259),  # Nghị định số 16/2015/NĐ-CP
    (K2017, 185),  # Nghị quyết số 19/NQ-CP
    (CT2017, 14),  # Nghị quyết số 35/NQ-CP năm 2016; Nghị quyết số 19-2017/NQ-CP năm 2017
    (K2023, 39),  # Nghị định số 107/2020/NĐ-CP and 108/2020/NĐ-CP
    (K2023, 164),  # Nghị định số 42/2022/NĐ-CP
}

# quantified targets that measure nothing the indicator vocabulary names
UNINDEXED_TARGETS = {
    (CB, 937),  # "100% cơ quan, đơn vị thực hiện" (assessing officials on their results)
    (CB, 1045),  # "100% cơ quan hành chính, đơn vị sự nghiệp công lập thực hiện có hiệu quả"
    (CB, 1174),  # "Duy trì 100% dịch vụ công trực tuyến ở mức độ 1 và 2"
    (CT2017, 44),  # online-dossier quotas for each agency: a count, not a rate
    (CT2017, 66),  # Sở Y tế's hospital autonomy plan
    (K2023, 159),  # "tối thiểu 30% tiến độ" of a hardware tender
}


@pytest.fixture(scope="module")
def report(built: tuple[BuildReport, Path], shapes: rdflib.Graph) -> ValidationReport:
    return validate(load_data(built[1] / "cchc.nq"), shapes)


def of(report: ValidationReport, check: str) -> list[Finding]:
    return [f for f in report.findings if f.shape_name == check + "Shape"]


def test_the_sources_have_no_integrity_violation(report: ValidationReport) -> None:
    assert [f for f in report.findings if f.level is Level.VIOLATION] == []
    assert report.conforms


def test_every_warning_is_something_a_document_lacks(report: ValidationReport) -> None:
    found = {
        (f.document, f.shape_name.removesuffix("Shape"), f.item, f.line)
        for f in report.findings
        if f.level is Level.WARNING
    }
    assert found == WARNINGS
    assert report.count(Level.WARNING) == len(WARNINGS)  # no finding twice


def test_undated_instruments(report: ValidationReport) -> None:
    found = of(report, "InstrumentDate")
    assert {(f.document, f.line) for f in found} == UNDATED
    assert all(f.level is Level.INFO for f in found)
    assert {f.quote for f in found if f.document == K2023} == {
        "Nghị định số 107/2020/NĐ-CP",
        "Nghị định số 108/2020/NĐ-CP",
        "Nghị định số 42/2022/NĐ-CP",
    }


def test_targets_without_indicator(report: ValidationReport) -> None:
    found = of(report, "TargetIndicator")
    assert {(f.document, f.line) for f in found} == UNINDEXED_TARGETS
    assert of(report, "TargetYear") == []  # every target of the sources gives or implies a year


def group_only_leads() -> set[tuple[str, str]]:
    """Deliverables whose lead, as the expectation files read it, is only collective groups."""
    found = set()
    for path in sorted(EXPECTED.glob("*.yaml")):
        expected: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for task in expected.get("tasks", []):
            for number, deliverable in enumerate(task.get("deliverables", []), start=1):
                lead = deliverable.get("lead")
                if lead and all(str(slug).startswith("group:") for slug in lead):
                    found.add((expected["source"], f"{task['id']}/d{number}"))
    return found


def test_group_leads_are_those_the_expectation_files_read(report: ValidationReport) -> None:
    found = {(f.document, f.item) for f in of(report, "GroupLead")}
    assert found == group_only_leads()
    assert len(found) > 40


def test_every_plan_states_its_legal_basis(report: ValidationReport) -> None:
    assert of(report, "PlanLegalBasis") == []


def test_findings_carry_vietnamese_and_english_messages(report: ValidationReport) -> None:
    for finding in report.findings:
        assert finding.message_vi and finding.message_en
        assert finding.message_vi != finding.message_en
        assert finding.document and finding.line and finding.quote


def test_engines_agree_on_the_sources(
    built: tuple[BuildReport, Path], shapes: rdflib.Graph, report: ValidationReport
) -> None:
    turbo, reference = report, validate(load_data(built[1] / "cchc.nq"), shapes, "pyshacl")

    def keys(r: ValidationReport) -> list[tuple[object, ...]]:
        return sorted((f.level, f.focus, f.shape, f.path, f.message_en) for f in r.findings)

    assert keys(turbo) == keys(reference)
    assert (turbo.engine, reference.engine) == ("pyshacl-turbo", "pySHACL")


def test_a_graph_in_any_rdf_syntax(
    built: tuple[BuildReport, Path], shapes: rdflib.Graph, tmp_path: Path
) -> None:
    turtle = tmp_path / "graph.ttl"
    quads = ox.parse(path=built[1] / "cchc.trig", format=ox.RdfFormat.TRIG)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    ox.serialize(triples, turtle, ox.RdfFormat.TURTLE)
    from_turtle = validate(load_data(turtle), shapes)
    assert from_turtle.conforms
    assert from_turtle.count(Level.WARNING) == len(WARNINGS)


def test_unreadable_data_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix x: <http://x/> .\nx:a x:b \n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.ttl"):
        load_data(broken)
    with pytest.raises(DataError, match="unknown RDF format"):
        load_data(tmp_path / "graph.xlsx")
