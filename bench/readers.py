"""Benchmark of the readers: how much of what a person reads in a document the readers find, and
how long they take.

For every document with an expectation file in tests/expected/dev-docs/ (a person's reading,
tests/expected/dev-docs/README.md), the document is read as the build reads it and compared:
- tasks: an expected task is found when a task of the reading starts on its line, or covers it and
  opens with its words; recall and precision;
- lead and cooperating agencies: F1 over every expected task (a task not found misses its
  agencies; a task read that a person does not see adds its agencies as false);
- deadlines: the share of found tasks whose due date is the expected one;
- targets: the share of expected targets read with the same value within two lines;
- legal basis: the share of expected instruments cited with the same number;
- time: reading seconds per document and per thousand lines.

    python bench/readers.py [--json FILE] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cchc_graph.errors import SourceError  # noqa: E402
from cchc_graph.ingest.sources import read_source  # noqa: E402
from cchc_graph.lexicon import Lexicon  # noqa: E402
from cchc_graph.parse import parse_document  # noqa: E402
from cchc_graph.records import AgencyMention, ParsedDocument, Task  # noqa: E402
from cchc_graph.resources import load_lexicon  # noqa: E402
from cchc_graph.text import fold, squash  # noqa: E402

DOCUMENTS = ROOT / "tests" / "data" / "dev-docs"
EXPECTED = ROOT / "tests" / "expected" / "dev-docs"
_OPENING = 30  # characters of a task's opening words compared


@dataclass
class Score:
    """Counts for one document (or all of them)."""

    expected_tasks: int = 0
    found_tasks: int = 0
    read_tasks: int = 0
    lead: list[int] = field(default_factory=lambda: [0, 0, 0])  # true, false, missed
    cooperating: list[int] = field(default_factory=lambda: [0, 0, 0])
    dues: list[int] = field(default_factory=lambda: [0, 0])  # right, expected
    targets: list[int] = field(default_factory=lambda: [0, 0])  # found, expected
    basis: list[int] = field(default_factory=lambda: [0, 0])
    seconds: float = 0.0
    lines: int = 0
    error: str = ""
    missed: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.expected_tasks += other.expected_tasks
        self.found_tasks += other.found_tasks
        self.read_tasks += other.read_tasks
        for mine, theirs in (
            (self.lead, other.lead),
            (self.cooperating, other.cooperating),
            (self.dues, other.dues),
            (self.targets, other.targets),
            (self.basis, other.basis),
        ):
            for index, value in enumerate(theirs):
                mine[index] += value
        self.seconds += other.seconds
        self.lines += other.lines

    def figures(self) -> dict[str, float | int | str]:
        return {
            "tasks": self.expected_tasks,
            "task_recall": _ratio(self.found_tasks, self.expected_tasks),
            "task_precision": _ratio(self.found_tasks, self.read_tasks),
            "lead_f1": _f1(self.lead),
            "cooperating_f1": _f1(self.cooperating),
            "due_right": _ratio(*self.dues),
            "target_recall": _ratio(*self.targets),
            "basis_recall": _ratio(*self.basis),
            "seconds": round(self.seconds, 3),
            "ms_per_1000_lines": round(1000 * self.seconds / max(self.lines, 1) * 1000, 1),
            "error": self.error,
        }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 1.0


def _f1(counts: list[int]) -> float:
    true, false, missed = counts
    if not true:
        return 0.0 if false or missed else 1.0
    precision, recall = true / (true + false), true / (true + missed)
    return round(2 * precision * recall / (precision + recall), 3)


def key(text: str) -> str:
    return fold(squash(text))


def mention_names(mention: AgencyMention, lexicon: Lexicon) -> set[str]:
    """The names a mention answers to: its own words, its unit's label, its type's labels."""
    names = {key(mention.text)}
    if mention.label:
        names.add(key(mention.label))
    agency_type = lexicon.agency_types.get(mention.type_slug)
    if agency_type is not None:
        labels = [agency_type.concept.label_vi, *agency_type.concept.alt_labels]
        province = lexicon.province_label(mention.province) if mention.province else None
        if province:  # "Ủy ban nhân dân tỉnh" of Hà Nội is "Ủy ban nhân dân thành phố Hà Nội"
            labels = [f"{label} {province}" for label in labels]
            labels += [label.replace("tỉnh", "thành phố") for label in labels]
        names.update(key(label) for label in labels)
    return names


def agencies_match(expected: str, names: set[str]) -> bool:
    wanted = key(expected)
    return any(wanted == name or wanted in name or (name and name in wanted) for name in names)


def compare_agencies(
    expected: list[str], read: tuple[AgencyMention, ...], lexicon: Lexicon, counts: list[int]
) -> tuple[list[str], list[str]]:
    """Count into `counts`; return the expected names not read and the phrases read in excess."""
    # one phrase may name two groups ("các bộ, ngành, địa phương": the ministries and the
    # localities); a person reads it as one name
    by_phrase: dict[str, set[str]] = {}
    for mention in read:
        by_phrase.setdefault(key(mention.text), set()).update(mention_names(mention, lexicon))
    unmatched = list(by_phrase.items())
    missed = []
    for name in expected:
        hit = next((item for item in unmatched if agencies_match(name, item[1])), None)
        if hit is None:
            counts[2] += 1
            missed.append(name)
        else:
            counts[0] += 1
            unmatched.remove(hit)
    counts[1] += len(unmatched)
    return missed, [phrase for phrase, _ in unmatched]


def task_agencies(task: Task, role: str) -> tuple[AgencyMention, ...]:
    seen: dict[str, AgencyMention] = {}
    for deliverable in task.deliverables:
        for mention in getattr(deliverable.assignment, role):
            seen.setdefault(mention.name_slug or mention.type_slug or mention.text, mention)
    return tuple(seen.values())


def match_tasks(expected: list[dict[str, Any]], read: list[Task]) -> list[Task | None]:
    """The task read for each expected task (None when not found); each read task used once."""
    free = list(read)
    found: list[Task | None] = []
    for reading in expected:
        line, opening = reading["line"], key(str(reading.get("text", "")))[:_OPENING]
        covering = [t for t in free if t.span.line_start <= line <= t.span.line_end]
        by_words = [t for t in covering if opening and opening in key(_task_text(t))]
        starting = [t for t in covering if t.span.line_start == line]
        pick = (by_words or starting or [None])[0]
        if pick is not None:
            free.remove(pick)
        found.append(pick)
    return found


def _task_text(task: Task) -> str:
    products = " ".join(d.product or "" for d in task.deliverables)
    return f"{task.description} {products} {task.quote}"


def score(path: Path, expected: dict[str, Any], lexicon: Lexicon) -> Score:
    result = Score()
    tasks = expected.get("tasks") or []
    result.expected_tasks = len(tasks)
    result.targets[1] = len(expected.get("targets") or [])
    result.basis[1] = len(expected.get("legal_basis") or [])
    started = time.perf_counter()
    try:
        source = read_source(path)
        document = parse_document(source, lexicon)
    except SourceError as error:
        result.seconds = time.perf_counter() - started
        result.error = str(error)[:200]
        for reading in tasks:
            result.lead[2] += len(reading.get("lead") or [])
            result.cooperating[2] += len(reading.get("cooperating") or [])
        return result
    result.seconds = time.perf_counter() - started
    result.lines = source.text.count("\n") + 1
    result.read_tasks = len(document.tasks)
    matches = match_tasks(tasks, list(document.tasks))
    for reading, task in zip(tasks, matches, strict=True):
        if task is None:
            result.lead[2] += len(reading.get("lead") or [])
            result.cooperating[2] += len(reading.get("cooperating") or [])
            result.missed.append(f"{reading['line']}: {str(reading.get('text', ''))[:50]}")
            continue
        result.found_tasks += 1
        where = f"{reading['line']} {reading.get('id', '')}"
        for role, counts in (("lead", result.lead), ("cooperating", result.cooperating)):
            missed, excess = compare_agencies(
                reading.get(role) or [], task_agencies(task, role), lexicon, counts
            )
            if missed or excess:
                result.differences.append(
                    f"{where}: {role} missed {missed}, read in excess {excess}"
                )
        due = (reading.get("deadline") or {}).get("due")
        if due is not None:
            result.dues[1] += 1
            dues = {str(d.deadline.due) for d in task.deliverables if d.deadline and d.deadline.due}
            result.dues[0] += str(due) in dues
            if str(due) not in dues:
                result.differences.append(f"{where}: due {due}, read {sorted(dues)}")
    matched = {id(t) for t in matches if t is not None}
    for task in document.tasks:
        if id(task) not in matched:
            result.lead[1] += len(task_agencies(task, "lead"))
            result.cooperating[1] += len(task_agencies(task, "cooperating"))
    missed_targets = _targets_missed(expected.get("targets") or [], document)
    result.targets[0] = result.targets[1] - len(missed_targets)
    result.differences += [
        f"{t.get('line')}: target {t.get('value')} not read" for t in missed_targets
    ]
    numbers = {key(c.number or "") for c in document.citations} | {
        key(document.header.adopted_by.number or "") if document.header.adopted_by else ""
    }
    # a law cited without its number ("Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025") is
    # found by its kind and date
    dated = {(c.kind, c.date) for c in document.citations if c.date}
    for basis in expected.get("legal_basis") or []:
        number = basis.get("number")
        if (number and key(number) in numbers) or (
            not number and (basis.get("kind"), basis.get("date")) in dated
        ):
            result.basis[0] += 1
        else:
            result.differences.append(f"{basis.get('line', 0)}: basis {number} not read")
    return result


def _targets_missed(
    expected: list[dict[str, Any]], document: ParsedDocument
) -> list[dict[str, Any]]:
    missed = []
    free = list(document.targets)
    for reading in expected:
        value = _decimal(reading.get("value"))
        line = reading.get("line", 0)
        hit = next(
            (
                t
                for t in free
                if value is not None
                and _decimal(t.value) == value
                and t.span is not None
                and abs(t.span.line_start - line) <= 2
            ),
            None,
        )
        if hit is None:
            missed.append(reading)
        else:
            free.remove(hit)
    return missed


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", ".")) if value is not None else None
    except InvalidOperation:
        return None


def measure(verbose: bool = False) -> dict[str, dict[str, float | int | str]]:
    lexicon = load_lexicon()
    total = Score()
    figures: dict[str, dict[str, float | int | str]] = {}
    for expectation in sorted(EXPECTED.glob("*.yaml")):
        expected = yaml.safe_load(expectation.read_text(encoding="utf-8"))
        result = score(DOCUMENTS / expected["source"], expected, lexicon)
        figures[expectation.stem] = result.figures()
        if verbose and result.missed:
            print(f"{expectation.stem}: not found", *result.missed, sep="\n  ")
        if verbose and result.differences:
            print(f"{expectation.stem}: read otherwise", *result.differences, sep="\n  ")
        total.add(result)
    figures["all"] = total.figures()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--verbose", action="store_true", help="list the tasks not found and every other difference"
    )
    args = parser.parse_args()
    figures = measure(args.verbose)
    columns = (
        "tasks",
        "task_recall",
        "task_precision",
        "lead_f1",
        "cooperating_f1",
        "due_right",
        "target_recall",
        "basis_recall",
        "seconds",
        "ms_per_1000_lines",
    )
    print(f"{'document':28}" + "".join(f"{c[:12]:>13}" for c in columns))
    for name, row in figures.items():
        print(f"{name:28}" + "".join(f"{row[c]!s:>13}" for c in columns))
        if row["error"]:
            print(f"{'':28}  error: {row['error']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
