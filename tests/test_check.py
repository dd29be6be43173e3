"""`cchc check`: lint a draft plan against the sources, in memory, and report each gap with its
line. The draft tests/data/drafts/khanh_hoa_2024_draft.txt is written in the layout of the 2023
plan (one tab-led cell per line) with gaps put there on purpose; its lines are cited below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from cchc_graph.check import CheckReport, check
from cchc_graph.cli import cli
from cchc_graph.settings import Settings
from cchc_graph.validate import Level
from tests.conftest import ROOT, SOURCES

DRAFT = ROOT / "tests" / "data" / "drafts" / "khanh_hoa_2024_draft.txt"
K2023 = "004_e5038761a6850e2f.txt"

# (check, item, line) of every gap of the draft
GAPS = {
    ("PlanLegalBasis", None, 1),  # no "Căn cứ ..." between the title and "QUYẾT ĐỊNH:"
    ("TargetIndicator", None, 16),  # "văn hóa công sở ... đạt 90%": no known indicator
    ("InstrumentDate", None, 17),  # "Nghị quyết số 131/NQ-CP của Chính phủ": no date
    ("DeliverableProduct", "I.2/d1", 44),  # the product cell (l.46) is empty
    ("DeliverableDue", "II.1/d1", 56),  # the deadline cell (l.59) is empty
    ("DeliverableDue", "II.2/d1", 62),  # "Sớm nhất có thể" is no deadline
    ("GroupLead", "II.3/d1", 68),  # "Các sở, ban, ngành, UBND cấp huyện" lead
    ("DeliverableLead", "III.2/d1", 86),  # the assignment cell (l.90) is empty
    ("TruncatedAnnex", None, 92),  # the last row stops at "... viên chức theo"
}


@pytest.fixture(scope="module")
def report(shapes: rdflib.Graph, tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    build_dir = tmp_path_factory.mktemp("untouched") / "build"
    settings = Settings(sources_dir=SOURCES, build_dir=build_dir)
    result = check(DRAFT, shapes, settings)
    assert not build_dir.exists()  # nothing written, the built graph is not even read
    return result


def test_every_gap_is_reported_with_its_line(report: CheckReport) -> None:
    found = {(f.shape_name.removesuffix("Shape"), f.item, f.line) for f in report.findings}
    assert found == GAPS
    assert all(f.document == DRAFT.name for f in report.findings)
    assert report.conforms  # gaps are warnings and infos, not integrity violations
    levels = {f.shape_name: f.level for f in report.findings}
    assert levels["DeliverableProductShape"] is Level.WARNING
    assert levels["GroupLeadShape"] is Level.INFO


def test_what_the_reader_could_not_understand(report: CheckReport) -> None:
    problems = {(p.kind, p.span.line_start) for p in report.problems}
    assert ("deadline-not-understood", 62) in problems
    assert ("annex-truncated", 92) in problems


def test_links_to_the_existing_graph(report: CheckReport) -> None:
    assert report.iri == "https://w3id.org/cchc/id/plan/khanh-hoa/2024"
    assert (report.tasks, report.deliverables, report.targets) == (9, 9, 2)
    # III.1 copies task IV.4 of the 2023 plan ("Thực hiện kiểm tra, sát hạch ...", l.88 there)
    repeats = {(r.task, r.line, r.earlier_file, r.earlier_task) for r in report.repeats}
    assert ("III.1", 80, K2023, "IV.4") in repeats
    # Sở Du lịch leads II.2; no plan of the sources names it
    assert [(a.label, a.line) for a in report.new_agencies] == [("Sở Du lịch tỉnh Khánh Hòa", 62)]
    assert ("Nghị quyết 131/NQ-CP", 17) in {(i.label, i.line) for i in report.new_instruments}
    assert report.replaced == []


def test_the_command_prints_the_report(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(DRAFT), "--sources", str(SOURCES)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "conforms: 0 violations, 6 warnings, 3 infos" in out
    assert "line 44   I.2/d1" in out and "Ô sản phẩm để trống" in out
    assert "line 86   III.2/d1" in out and "No lead agency is named" in out
    assert "III.1 repeats IV.4 of 004_e5038761a6850e2f.txt" in out
    markdown = CliRunner().invoke(
        cli, ["check", str(DRAFT), "--format", "markdown", "--output", str(tmp_path / "r.md")]
    )
    assert markdown.exit_code == 0
    assert "| 44 | I.2/d1 | Deliverable has a product |" in (tmp_path / "r.md").read_text("utf-8")


def test_a_draft_with_an_integrity_violation_exits_1(tmp_path: Path) -> None:
    # a province the gazetteer does not know: the plan and its agencies belong to none
    text = DRAFT.read_text(encoding="utf-8")
    nowhere = tmp_path / "nowhere_2024.txt"
    nowhere.write_text(
        text.replace("KHÁNH HÒA", "HẢI ĐẢO").replace("Khánh Hòa", "Hải Đảo"), "utf-8"
    )
    result = CliRunner().invoke(cli, ["check", str(nowhere), "--severity", "violation"])
    assert result.exit_code == 1, result.output
    assert "DOES NOT CONFORM" in result.stdout
    assert "A document belongs to exactly one province" in result.stdout
    assert "agency/unknown/so-du-lich" in result.stdout


def test_checking_a_source_replaces_it(shapes: rdflib.Graph) -> None:
    result = check(SOURCES / K2023, shapes, Settings(sources_dir=SOURCES))
    assert result.replaced == [K2023]
    assert ("TruncatedAnnexShape", 80) in {(f.shape_name, f.line) for f in result.findings}


def test_the_files_a_check_went_without_are_named(shapes: rdflib.Graph, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("000_fbdcaf704ef480ea.txt", K2023):
        (sources / name).write_bytes((SOURCES / name).read_bytes())
    (sources / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    result = check(DRAFT, shapes, Settings(sources_dir=sources))
    assert result.unread == [
        "photo.jpg: an image on its own is not read: put scanned pages in a PDF"
    ]
    runner = CliRunner()
    shown = runner.invoke(cli, ["check", str(DRAFT), "--sources", str(sources)])
    assert "checked without (not read): photo.jpg" in shown.output
