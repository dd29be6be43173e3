"""Real 2025 documents read against what a person read in them (tests/expected/dev-docs/, written
from the text, never from the readers' output).

The annex task tables written as cells between " | " (a legal database's page with its markup
stripped) are read row by row: every task row a person counts is a task, with the lead agencies
the person names and the due date the person reads. The documents' prose (agency sections,
labelled fields, notices) is measured by bench/readers.py, not asserted yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.readers import agencies_match, match_tasks, mention_names, task_agencies
from cchc_graph.ingest.sources import read_source
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse import parse_document
from cchc_graph.records import ParsedDocument
from cchc_graph.resources import load_lexicon

HERE = Path(__file__).parent
DOCUMENTS = HERE / "data" / "dev-docs"
EXPECTED = HERE / "expected" / "dev-docs"
# the documents whose annex is a task table; of those, the ones whose every lead the readers
# resolve (Đồng Nai's names bodies the agency vocabulary does not hold yet: "Thuế Đồng Nai",
# "Các Trường Đại học, Cao đẳng trên địa bàn tỉnh")
TABLED = ("dongthap_kh617_2025", "dongnai_kh179_2025")
RESOLVED = ("dongthap_kh617_2025",)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def reading(stem: str) -> tuple[ParsedDocument, list[dict[str, Any]]]:
    expected = yaml.safe_load((EXPECTED / f"{stem}.yaml").read_text(encoding="utf-8"))
    path = DOCUMENTS / expected["source"]
    lines = path.read_text(encoding="utf-8").split("\n")
    rows = [t for t in expected["tasks"] if " | " in lines[t["line"] - 1]]
    return parse_document(read_source(path), load_lexicon()), rows


@pytest.mark.parametrize("stem", RESOLVED)
def test_every_task_row_is_a_task_with_its_lead_and_due_date(stem: str, lexicon: Lexicon) -> None:
    document, rows = reading(stem)
    assert rows, "the person's reading has table rows"
    found = match_tasks(rows, list(document.tasks))
    missing = [row["line"] for row, task in zip(rows, found, strict=True) if task is None]
    assert not missing, f"rows not read as tasks at lines {missing}"
    wrong = []
    for row, task in zip(rows, found, strict=True):
        assert task is not None
        leads = [mention_names(m, lexicon) for m in task_agencies(task, "lead")]
        if len(leads) != len(row["lead"]) or not all(
            any(agencies_match(name, names) for names in leads) for name in row["lead"]
        ):
            wrong.append((row["line"], row["lead"], [sorted(names)[0] for names in leads]))
        due = (row.get("deadline") or {}).get("due")
        dues = {d.deadline.due for d in task.deliverables if d.deadline}
        if due is not None and due not in dues:
            wrong.append((row["line"], due, dues))
    assert not wrong


@pytest.mark.parametrize("stem", TABLED)
def test_group_rows_are_headings_not_tasks(stem: str) -> None:
    document, rows = reading(stem)
    lines = {row["line"] for row in rows}
    table_tasks = [t for t in document.tasks if not t.local_id.startswith("TCTH")]
    assert {t.span.line_start for t in table_tasks} == lines
