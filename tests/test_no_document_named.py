"""The readers read kinds of documents, not particular ones: nothing the build runs on (the code,
its vocabularies, shapes and queries) names a document the team has read — not its file name,
not a line of it. A rule that holds because one document is like that is a rule about that kind
of document, and says so in those words."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READ_BY_THE_TEAM = (
    ROOT / "data" / "sources",
    ROOT / "tests" / "data" / "dev-docs",
    ROOT / "tests" / "data" / "formats",
)
WHAT_THE_BUILD_RUNS = ("cchc_graph", "queries", "shapes", "data/vocab", "ontology")
# "plan.txt:147" or "(004:282)", the ways a comment cites a line of a file
_FILE_LINE = re.compile(r"\.(?:txt|docx?|pdf|html?):\d|\(\d{3}:\d+\)")


def _document_names() -> set[str]:
    names = set()
    for folder in READ_BY_THE_TEAM:
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix != ".md":
                names.add(path.stem.lower())
                # "lamdong_bc329_cchc_2025" is also cited by its opening words
                names.add("_".join(path.stem.lower().split("_")[:2]))
    return {name for name in names if len(name) >= 6}


def _files() -> list[Path]:
    files: list[Path] = []
    for top in WHAT_THE_BUILD_RUNS:
        folder = ROOT / top
        if folder.exists():
            files += [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return files


def test_the_team_has_read_documents_to_look_for() -> None:
    assert "000_fbdcaf704ef480ea" in _document_names()
    assert "lamdong_bc329" in _document_names()
    assert len(_files()) > 50


def test_nothing_the_build_runs_names_a_document() -> None:
    names = _document_names()
    named = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8").lower()
        except UnicodeDecodeError:
            continue
        named += [f"{path.relative_to(ROOT)}: {name}" for name in names if name in text]
        named += [f"{path.relative_to(ROOT)}: {m.group()}" for m in _FILE_LINE.finditer(text)]
    assert not named, "\n".join(named)
