"""The HTML reports of `cchc validate` and `cchc check`, opened in a real headless Chromium.

Chromium's DOM after loading is what a reader gets: the UTF-8 declaration must hold (Vietnamese
text intact), every finding must be a table row, and both languages must be there.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from cchc_graph.build import BuildReport
from cchc_graph.cli import cli
from tests.conftest import ROOT

DRAFT = ROOT / "tests" / "data" / "drafts" / "khanh_hoa_2024_draft.txt"


def chromium_dom(page: Path) -> str:
    """The DOM of `page` as headless Chromium builds it (.ci/run installs Debian's chromium)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is needed: apt-get install chromium"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    return result.stdout


class Rows(HTMLParser):
    """Finding rows (their data-shape) and section headings of a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.shapes: list[str] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and dict(attrs).get("data-shape"):
            self.shapes.append(dict(attrs)["data-shape"] or "")
        self._in_heading = tag == "h2"
        if self._in_heading:
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1] += data


def read(dom: str) -> Rows:
    rows = Rows()
    rows.feed(dom)
    return rows


def test_validation_report_page(built: tuple[BuildReport, Path], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli,
        [
            "validate",
            "--data",
            str(built[1] / "cchc.nq"),
            "--format",
            "html",
            "--output",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    dom = chromium_dom(page)
    rows = read(dom)
    assert len(rows.shapes) == 116  # 43 warnings and 73 infos
    assert rows.shapes.count("DeliverableProductShape") == 1
    assert [h.split(":")[0] for h in rows.headings] == sorted(
        p.name for p in (ROOT / "data" / "sources").glob("*.txt")
    )
    assert "Kế hoạch cải cách hành chính năm 2014 tỉnh Khánh Hòa" in rows.headings[0]
    assert "Ô sản phẩm để trống" in dom and "The product cell is empty" in dom


def test_check_report_page(tmp_path: Path) -> None:
    page = tmp_path / "check.html"
    result = CliRunner().invoke(
        cli, ["check", str(DRAFT), "--format", "html", "--output", str(page)]
    )
    assert result.exit_code == 0, result.output
    dom = chromium_dom(page)
    rows = read(dom)
    assert len(rows.shapes) == 9  # the nine gaps of the draft
    assert "Sở Du lịch tỉnh Khánh Hòa" in dom
    assert "Nhiệm vụ lặp lại" in "".join(rows.headings)
