"""Extraction against tests/expected/*.yaml: what each source says, as a person read it.

Every check compares the parser's records to the expectation file field by field; a field absent
from the file is not checked, a field written as null must be absent from the records.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from cchc_graph.ingest.sources import read_source
from cchc_graph.parse import parse_document
from cchc_graph.records import AgencyMention, Deliverable, ParsedDocument, Task
from cchc_graph.resources import load_lexicon
from cchc_graph.text import fold

EXPECTED = Path(__file__).parent / "expected"
SOURCES = Path(__file__).parent.parent / "data" / "sources"
FILES = sorted(EXPECTED.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


_PARSED: dict[str, ParsedDocument] = {}


def parsed(stem: str) -> ParsedDocument:
    if stem not in _PARSED:
        _PARSED[stem] = parse_document(read_source(SOURCES / f"{stem}.txt"), load_lexicon())
    return _PARSED[stem]


def _cases(section: str) -> list[Any]:
    cases = []
    for path in FILES:
        expected = _load(path)
        for index, item in enumerate(expected.get(section) or []):
            label = item.get("id", index) if isinstance(item, dict) else index
            cases.append(pytest.param(path.stem, item, id=f"{path.stem[:3]}-{label}"))
    return cases


def agencies(mentions: tuple[AgencyMention, ...]) -> set[str]:
    return {f"group:{m.type_slug}" if m.is_group else m.type_slug for m in mentions}


def same_text(expected: str, actual: str | None) -> bool:
    """Expected text is the start of (or inside) the actual text, ignoring case and diacritics."""
    if actual is None:
        return False
    want, have = fold(expected).strip("- "), fold(actual).strip("- ")
    return have.startswith(want) or want in have or have in want


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_header(path: Path) -> None:
    expected = _load(path)["document"]
    header = parsed(path.stem).header
    assert header.type == expected["type"]
    assert header.province == expected["province"]
    assert list(header.period or ()) == expected["period"]
    adopted = expected["adopted_by"]
    assert header.adopted_by is not None
    assert header.adopted_by.kind == adopted["kind"]
    assert header.adopted_by.number == adopted["number"]
    assert header.adopted_by.date == adopted["date"]
    assert (header.adopted_by.issuer.type_slug if header.adopted_by.issuer else None) == adopted[
        "issuer"
    ]
    assert header.signer == expected["signer"]
    assert fold(header.title or "") == fold(expected["title"])


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_layout(path: Path) -> None:
    assert parsed(path.stem).layout == _load(path)["layout"]


def _citation_matches(item: dict[str, Any], citation: Any) -> bool:
    if citation.kind != item["kind"]:
        return False
    if item.get("number") is not None:
        return citation.number == item["number"]
    return citation.number is None and citation.date == item.get("date")


@pytest.mark.parametrize(
    "role,section", [("legal-basis", "legal_basis"), ("implements", "implements")]
)
@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_legal_basis_and_implements(path: Path, role: str, section: str) -> None:
    expected = _load(path).get(section) or []
    found = [c for c in parsed(path.stem).citations if c.role == role]
    assert len(found) == len(expected), [(c.kind, c.number) for c in found]
    for item in expected:
        match = next((c for c in found if _citation_matches(item, c)), None)
        assert match is not None, f"{item} not found in {[(c.kind, c.number) for c in found]}"
        _check_citation(item, match)


def _check_citation(item: dict[str, Any], citation: Any) -> None:
    if "date" in item:
        assert citation.date == item["date"], (item, citation.date)
    if item.get("issuer"):
        assert citation.issuer is not None and citation.issuer.type_slug == item["issuer"], item
    if "line" in item:  # the same instrument may be named on a nearby line first (a title)
        assert citation.span.line_start - 2 <= item["line"] <= citation.span.line_end + 2, (
            item,
            citation.span,
        )


@pytest.mark.parametrize("stem,item", _cases("cites"))
def test_cites(stem: str, item: dict[str, Any]) -> None:
    found = [c for c in parsed(stem).citations]
    match = next(
        (
            c
            for c in found
            if _citation_matches(item, c) and (item.get("date") is None or c.date == item["date"])
        ),
        None,
    )
    assert match is not None, f"{item} not among {sorted({(c.kind, c.number) for c in found})}"
    _check_citation({k: v for k, v in item.items() if k != "line"}, match)


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_annex_sections(path: Path) -> None:
    annex = _load(path).get("annex")
    document = parsed(path.stem)
    annex_sections = [s for s in document.sections if s.id != "TCTH"]
    if not annex:
        assert annex_sections == []
        return
    counts = {s.id: sum(1 for t in document.tasks if t.section is s) for s in annex_sections}
    expected = {k: v["tasks"] for k, v in annex["sections"].items()}
    assert counts == expected
    for section in annex_sections:
        assert section.area == annex["sections"][section.id]["area"], section
    truncated = {
        "start" if "starts mid-table" in p.message else "end"
        for p in document.problems
        if p.kind == "annex-truncated"
    }
    want = {"none": set(), "start": {"start"}, "end": {"end"}, "both": {"start", "end"}}
    assert truncated == want[annex["truncated"]]


@pytest.mark.parametrize("stem,item", _cases("tasks"))
def test_task(stem: str, item: dict[str, Any]) -> None:
    task = _task(parsed(stem), item["id"])
    if "line" in item:
        assert task.span.line_start == item["line"]
    expected = item.get("deliverables")
    if expected is None:
        return
    assert len(task.deliverables) == len(expected), [d.product for d in task.deliverables]
    for index, (want, have) in enumerate(zip(expected, task.deliverables, strict=True)):
        _check_deliverable(f"{item['id']}/d{index + 1}", want, have)


def _task(document: ParsedDocument, local_id: str) -> Task:
    for task in document.tasks:
        if task.local_id == local_id:
            return task
    raise AssertionError(f"no task {local_id}: {[t.local_id for t in document.tasks]}")


def _check_deliverable(label: str, want: dict[str, Any], have: Deliverable) -> None:
    if "product" in want:
        if want["product"] is None:
            assert have.product is None, label
        else:
            assert same_text(want["product"], have.product), (label, want["product"], have.product)
    deadline = have.deadline
    if want.get("deadline_text") is None and "deadline_text" in want:
        assert deadline is None or not (deadline.due or deadline.start), (label, deadline)
    elif "deadline_text" in want:
        assert deadline is not None and same_text(want["deadline_text"], deadline.text), (
            label,
            want["deadline_text"],
            deadline,
        )
    for key in ("due", "start"):
        if key in want:
            value = getattr(deadline, key) if deadline else None
            assert value == want[key], (label, key, want[key], value)
    if "kind" in want:
        kind = deadline.kind.value if deadline and deadline.kind else None
        assert kind == want["kind"], (label, want["kind"], kind)
    for role in ("lead", "cooperating", "participants"):
        if role in want:
            assert agencies(getattr(have.assignment, role)) == set(want[role] or []), (
                label,
                role,
                want[role],
                sorted(agencies(getattr(have.assignment, role))),
            )
    if "budget" in want:
        assert have.budget == Decimal(str(want["budget"])), (label, have.budget)


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_every_task_is_expected(path: Path) -> None:
    """The expectation files list all tasks, so the parser finds no task a reader did not."""
    expected = {t["id"] for t in _load(path).get("tasks") or []}
    found = {t.local_id for t in parsed(path.stem).tasks}
    assert found == expected


@pytest.mark.parametrize("stem,item", _cases("targets"))
def test_target(stem: str, item: dict[str, Any]) -> None:
    targets = parsed(stem).targets
    candidates = [
        t
        for t in targets
        if t.value == Decimal(str(item["value"]))
        and t.comparator == item["comparator"]
        and abs(t.span.line_start - item["line"]) <= 1
    ]
    assert candidates, f"{item} not among {[(t.span.line_start, t.value) for t in targets]}"
    found = [t for t in candidates if t.indicator == item.get("indicator")]
    assert found, (item, [(t.indicator, t.year) for t in candidates])
    target = found[0]
    assert target.year == item["year"]
    assert target.unit == item["unit"]
    if item.get("max") is not None:
        assert target.max_value == Decimal(str(item["max"]))


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_target_count(path: Path) -> None:
    assert len(parsed(path.stem).targets) == len(_load(path).get("targets") or [])


def test_dates_in_expectations_are_dates() -> None:
    """YAML reads 2014-03-31 as a date: guard against a quoted date slipping through."""
    for path in FILES:
        for task in _load(path).get("tasks") or []:
            for deliverable in task.get("deliverables") or []:
                for key in ("due", "start"):
                    value = deliverable.get(key)
                    assert value is None or isinstance(value, datetime.date), (path, task, key)


# the kinds of source inconsistency the parser reports; the others in the files are notes for people
DETECTED_FINDINGS = {
    "number-mismatch",
    "date-before-plan",
    "annex-truncated",
    "instrument-conflict",
    "kind-mismatch",
}


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_findings(path: Path) -> None:
    expected = [f for f in _load(path).get("findings") or [] if f["kind"] in DETECTED_FINDINGS]
    problems = [p for p in parsed(path.stem).problems if p.kind in DETECTED_FINDINGS]
    for finding in expected:
        assert any(
            p.kind == finding["kind"]
            and p.span.line_start - 1 <= finding["line"] <= p.span.line_end + 1
            for p in problems
        ), (finding, problems)
    assert len(problems) == len(expected), [(p.kind, p.span.line_start) for p in problems]
