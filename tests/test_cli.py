"""The `cchc` command line: build and inspect, with their exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

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
