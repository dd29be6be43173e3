"""The `cchc` command line: build, inspect and validate, with their exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import rdflib
from click.testing import CliRunner, Result
from rdflib.namespace import RDF, SH

from cchc_graph.build import BuildReport
from cchc_graph.cli import cli
from tests.conftest import SOURCES


def test_build_prints_a_summary_per_document(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--sources", str(SOURCES), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for source in SOURCES.glob("*.txt"):
        assert source.name in result.stdout
    assert "annex-truncated" in result.stdout
    assert "5 documents, 150 tasks" in result.stdout
    assert "[5/5] read" in result.stderr
    assert (tmp_path / "cchc.trig").exists()


def test_bad_input_exits_2_and_names_the_file(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    (sources / "zz_notes.txt").write_text("ghi chú\n\nkhông phải kế hoạch\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["build", "--sources", str(sources), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "zz_notes.txt:1: unknown layout" in result.stderr


def test_missing_sources_folder_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["build", "--sources", str(tmp_path / "none"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_inspect_shows_tasks_with_lines() -> None:
    result = CliRunner().invoke(cli, ["inspect", str(SOURCES / "004_e5038761a6850e2f.txt")])
    assert result.exit_code == 0, result.output
    assert "task VII.12 (line 288)" in result.stdout
    assert "tab-line-annex" in result.stdout
    assert "lead: Sở Nội vụ, Sở Thông tin và Truyền thông" in result.stdout
    result = CliRunner().invoke(cli, ["inspect", str(SOURCES / "000_fbdcaf704ef480ea.txt")])
    # agencies show as their canonical name, whatever the spelling ("Tài chính" in a list)
    assert "cooperating: Sở Nội vụ, Sở Tư pháp, Sở Tài chính, Sở Tài nguyên và Môi trường" in (
        result.stdout
    )


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert "Exit codes: 0 ok, 1 validation violations, 2 bad input" in result.stdout


# ---------------------------------------------------------------------------------- validate
def validate_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args])


def test_validate_prints_findings_by_document_with_lines(built: tuple[BuildReport, Path]) -> None:
    result = validate_cli("--data", str(built[1] / "cchc.nq"), "--severity", "warning")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("conforms: 0 violations, 43 warnings")
    # documents in order, each with its findings by line
    positions = [out.index(name) for name in sorted(p.name for p in SOURCES.glob("*.txt"))]
    assert positions == sorted(positions)
    assert "line 191  IV.3/d1       Deliverable has a product" in out
    assert "« 3 Xây dựng và thí điểm thực hiện tiêu chí đánh giá" in out
    assert "Không nêu cơ quan chủ trì" in out and "No lead agency is named" in out
    assert "Lead is only a group" not in out  # an info, below the threshold


def test_validate_exits_1_on_a_violation(built: tuple[BuildReport, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.nq"
    lines = (built[1] / "cchc.nq").read_text(encoding="utf-8").splitlines()
    # a task that lost its document
    kept = [
        x
        for x in lines
        if not (
            x.startswith(
                "<https://w3id.org/cchc/id/task/khanh-hoa-2017/II.4> <https://w3id.org/cchc/def#inDocument>"
            )
        )
    ]
    assert len(kept) == len(lines) - 1
    broken.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = validate_cli("--data", str(broken), "--severity", "violation")
    assert result.exit_code == 1
    assert "DOES NOT CONFORM: 1 violation" in result.stdout
    assert "II.4" in result.stdout and "A task belongs to exactly one document" in result.stdout


def test_validate_formats(built: tuple[BuildReport, Path], tmp_path: Path) -> None:
    data = str(built[1] / "cchc.nq")
    markdown = validate_cli("--data", data, "--format", "markdown").stdout
    assert markdown.startswith("# Validation report")
    assert "| 191 | IV.3/d1 | Deliverable has a product |" in markdown
    turtle = validate_cli("--data", data, "--format", "turtle", "--severity", "warning").stdout
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    results = list(graph.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == 43
    page = tmp_path / "report.html"
    html = validate_cli("--data", data, "--format", "html", "--output", str(page))
    assert html.exit_code == 0 and page.exists()
    text = page.read_text(encoding="utf-8")
    assert text.count("<tr data-shape=") == 116
    assert 'lang="vi"' in text and "Ô sản phẩm để trống" in text


def test_validate_without_a_build_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate"], env={"CCHC_BUILD_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "run `cchc build` first" in result.stderr


def test_validate_with_the_reference_engine(built: tuple[BuildReport, Path]) -> None:
    result = validate_cli("--data", str(built[1] / "cchc.nq"), "--engine", "pyshacl")
    assert result.exit_code == 0
    assert "pySHACL" in result.stdout and "0 violations, 43 warnings, 73 infos" in result.stdout
