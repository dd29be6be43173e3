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
    assert "5 documents, 159 tasks" in result.stdout
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


# ------------------------------------------------------------------ the query layer


def _run(built: tuple[BuildReport, Path], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"CCHC_BUILD_DIR": str(built[1])})


def test_queries_lists_every_canned_query_with_its_title(built: tuple[BuildReport, Path]) -> None:
    result = _run(built, "queries")
    assert result.exit_code == 0, result.output
    assert "tasks-led-by" in result.stdout
    assert "Nhiệm vụ do một cơ quan chủ trì" in result.stdout
    english = _run(built, "queries", "--lang", "en")
    assert "Tasks an agency leads, across years and provinces" in english.stdout


def test_query_answers_the_headline_question(built: tuple[BuildReport, Path]) -> None:
    result = _run(built, "query", "tasks-led-by", "--param", "agency=so tu phap")
    assert result.exit_code == 0, result.output
    for task in (
        "khanh-hoa-2014/II.1",
        "cao-bang-2016-2020/VIII.2",
        "khanh-hoa-2017/II.3",
        "khanh-hoa-2023/TCTH.5",
    ):
        assert f"task/{task}" in result.stdout
    assert "Sở Tư pháp tỉnh Cao Bằng" in result.stdout
    as_csv = _run(built, "query", "tasks-led-by", "-p", "agency=Sở Tư pháp", "--format", "csv")
    assert as_csv.stdout.startswith("year,province,plan,")
    as_json = _run(built, "query", "tasks-led-by", "--format", "json")
    assert '"bindings"' in as_json.stdout


def test_query_shows_the_bound_sparql(built: tuple[BuildReport, Path]) -> None:
    result = _run(built, "query", "tasks-led-by", "-p", "agency=tu phap", "--show-query")
    assert "org:classification <https://w3id.org/cchc/id/agency-type/so-tu-phap>" in result.stdout
    assert "$agency" not in result.stdout


def test_query_names_a_bad_parameter(built: tuple[BuildReport, Path]) -> None:
    result = _run(built, "query", "tasks-led-by", "-p", "agency=sở không có")
    assert result.exit_code == 2
    assert "no agency matches 'sở không có'" in result.stderr
    missing = _run(built, "query", "tasks-led-by", "-p", "agency")
    assert missing.exit_code == 2 and "name=value" in missing.stderr


def test_sparql_from_text_and_file(built: tuple[BuildReport, Path], tmp_path: Path) -> None:
    text = (
        "PREFIX cchc: <https://w3id.org/cchc/def#> "
        "SELECT (COUNT(?t) AS ?n) WHERE { ?t a cchc:Task }"
    )
    result = _run(built, "sparql", text, "--format", "csv")
    assert result.stdout.split() == ["n", "159"]
    query_file = tmp_path / "q.rq"
    query_file.write_text(text, encoding="utf-8")
    table = _run(built, "sparql", "-f", str(query_file))
    assert "159" in table.stdout and "(1 rows)" in table.stdout
    construct = _run(
        built,
        "sparql",
        "CONSTRUCT WHERE { ?s a <https://w3id.org/cchc/def#Plan> }",
        "--format",
        "ntriples",
    )
    assert construct.stdout.count("\n") == 4


def test_sparql_refuses_updates_and_names_syntax_errors(built: tuple[BuildReport, Path]) -> None:
    update = _run(built, "sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert update.exit_code == 2 and "read-only" in update.stderr
    broken = _run(built, "sparql", "SELECT ?x WHERE {")
    assert broken.exit_code == 2 and "error at 1:" in broken.stderr


def test_query_against_a_remote_endpoint(
    built: tuple[BuildReport, Path], oxigraph_server: str
) -> None:
    result = _run(
        built,
        "query",
        "tasks-led-by",
        "-p",
        "agency=tu phap",
        "--format",
        "csv",
        "--endpoint",
        oxigraph_server,
    )
    assert result.exit_code == 0, result.output
    local = _run(built, "query", "tasks-led-by", "-p", "agency=tu phap", "--format", "csv")
    assert result.stdout == local.stdout


def test_load_one_source_into_a_remote_store(
    built: tuple[BuildReport, Path], oxigraph_server: str
) -> None:
    result = _run(built, "load", "--endpoint", oxigraph_server, "--source", "004_e5038761a6850e2f")
    assert result.exit_code == 0, result.output
    assert "loaded" in result.stdout and "/store" in result.stdout
