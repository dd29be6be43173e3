"""The same document in every format gives the same facts.

Each text source whose annex is written as tab-separated rows or one cell to a line (and the
directive, all prose) is written again as a Word file, a web page and a PDF printed from the
Word file by LibreOffice (tests/formats_writer.py: paragraphs as paragraphs, the annex as a real
table with one cell paragraph per item), and each is read through its front-end. The header,
the legal basis, every task with its deliverables (product, deadline, lead and cooperating
agencies) and every target must equal what the text gives; only the locations differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cchc_graph.ingest.sources import read_source
from cchc_graph.parse import parse_document
from cchc_graph.records import AgencyMention, ParsedDocument
from cchc_graph.resources import load_lexicon
from tests.conftest import SOURCES
from tests.formats_writer import read_text_source, write_docx, write_html, write_pdf

# the text sources in the layouts the writer knows (tab-separated rows, one cell to a line), and
# prose; the Cao Bằng plan's cells between "|" lines are grouped into rows only by what they say
WRITTEN = (
    "000_fbdcaf704ef480ea.txt",
    "002_4c182d265d647846.txt",
    "003_15ca9d007ed5324e.txt",
    "004_e5038761a6850e2f.txt",
)
WRITERS = {"docx": write_docx, "html": write_html, "pdf": write_pdf}


def agencies(mentions: tuple[AgencyMention, ...]) -> list[str]:
    return [m.name_slug or m.type_slug for m in mentions]


def facts(document: ParsedDocument) -> dict[str, Any]:
    header = document.header
    adopted = header.adopted_by
    return {
        "header": (
            header.type,
            header.province,
            header.period,
            adopted.number if adopted else None,
            adopted.date if adopted else None,
            header.signer,
        ),
        "citations": sorted(
            {(c.role, c.kind, c.number or "", str(c.date)) for c in document.citations}
        ),
        "tasks": [
            (
                task.local_id,
                task.section.id if task.section else None,
                [
                    (
                        d.product,
                        d.deadline.text if d.deadline else None,
                        d.deadline.due if d.deadline else None,
                        d.deadline.kind if d.deadline else None,
                        agencies(d.assignment.lead),
                        agencies(d.assignment.cooperating),
                    )
                    for d in task.deliverables
                ],
            )
            for task in document.tasks
        ],
        "targets": sorted(
            (t.indicator or "", t.comparator, str(t.value), t.unit, t.year or 0)
            for t in document.targets
        ),
    }


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    for name in WRITTEN:
        pieces = read_text_source(SOURCES / name)
        for suffix, write in WRITERS.items():
            write(pieces, folder / f"{Path(name).stem}.{suffix}")
    return folder


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("name", WRITTEN)
def test_every_format_gives_the_facts_of_the_text(written: Path, name: str, fmt: str) -> None:
    lexicon = load_lexicon()
    expected = facts(parse_document(read_source(SOURCES / name), lexicon))
    source = read_source(written / f"{Path(name).stem}.{fmt}")
    parsed = parse_document(source, lexicon)
    got = facts(parsed)
    assert got["header"] == expected["header"]
    assert got["citations"] == expected["citations"]
    assert [t[0] for t in got["tasks"]] == [t[0] for t in expected["tasks"]]
    for mine, theirs in zip(got["tasks"], expected["tasks"], strict=True):
        assert mine == theirs
    assert got["targets"] == expected["targets"]
    # every task is located in the file it was read from
    assert source.format == fmt
    assert all(source.location(task.span.line_start) is not None for task in parsed.tasks)
