"""Mutation fuzzing of the text sources: damage a source the way copying, exporting and editing
damage real files (a stray line between annex rows, a row's tabs turned into "|", the header row
moved, lines lost, repeated, joined or swapped, a blank line inserted) and read it again.

For every mutant, either the reader refuses it with a SourceError that names the file, or every
task of the original whose text is still in the mutant comes out as a task, or the mutant's
findings cover the line that holds it (its rows are reported, never silently dropped). No other
exception escapes. The mutants are drawn from a fixed seed, so a failure is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cchc_graph.errors import SourceError
from cchc_graph.parse import parse_document
from cchc_graph.parse.cells import strip_tags
from cchc_graph.records import ParsedDocument, SourceFile
from cchc_graph.resources import load_lexicon
from cchc_graph.text import fold, squash
from tests.conftest import SOURCES

SEED = 20261203
MUTANTS_PER_SOURCE = 60
STRAY = ("Trang 5", "Ghi chú: xem phụ lục kèm theo", "-", "(tiếp theo)", "3")

Mutation = Callable[[list[str], random.Random], list[str]]


def _annex_lines(lines: list[str]) -> list[int]:
    """The lines of the annex table: from its first row to its last."""
    rows = [i for i, line in enumerate(lines) if "\t" in line or line.lstrip().startswith("|")]
    return list(range(rows[0], rows[-1] + 1))


def stray_line(lines: list[str], rng: random.Random) -> list[str]:
    at = rng.choice(_annex_lines(lines))
    return [*lines[:at], rng.choice(STRAY), *lines[at:]]


def tabs_to_pipes(lines: list[str], rng: random.Random) -> list[str]:
    at = rng.choice(_annex_lines(lines))
    return [*lines[:at], lines[at].replace("\t", " | "), *lines[at + 1 :]]


def header_moved(lines: list[str], rng: random.Random) -> list[str]:
    rows = _annex_lines(lines)
    first = rows[0]
    to = rng.choice(rows[: max(2, len(rows) // 3)])
    moved = [*lines[:first], *lines[first + 1 :]]
    return [*moved[:to], lines[first], *moved[to:]]


def line_lost(lines: list[str], rng: random.Random) -> list[str]:
    at = rng.choice(_annex_lines(lines))
    return [*lines[:at], *lines[at + 1 :]]


def line_repeated(lines: list[str], rng: random.Random) -> list[str]:
    at = rng.choice(_annex_lines(lines))
    return [*lines[: at + 1], lines[at], *lines[at + 1 :]]


def lines_joined(lines: list[str], rng: random.Random) -> list[str]:
    at = rng.choice(_annex_lines(lines)[:-1])
    return [*lines[:at], lines[at] + " " + lines[at + 1], *lines[at + 2 :]]


def lines_swapped(lines: list[str], rng: random.Random) -> list[str]:
    at = rng.choice(_annex_lines(lines)[:-1])
    return [*lines[:at], lines[at + 1], lines[at], *lines[at + 2 :]]


def blank_inserted(lines: list[str], rng: random.Random) -> list[str]:
    at = rng.choice(_annex_lines(lines))
    return [*lines[:at], "", *lines[at:]]


MUTATIONS: tuple[Mutation, ...] = (
    stray_line,
    tabs_to_pipes,
    header_moved,
    line_lost,
    line_repeated,
    lines_joined,
    lines_swapped,
    blank_inserted,
)


@dataclass
class Outcome:
    mutation: str
    lost: list[str]


def _key(text: str) -> str:
    return fold(squash(strip_tags(text)))[:60]


def _task_keys(document: ParsedDocument, products: bool = False) -> set[str]:
    """The opening of every task's text; with `products`, of every product too (two cells of
    a row swapped: the row's task then comes out with its text in the product)."""
    texts = [task.description for task in document.tasks]
    if products:
        texts += [d.product or "" for task in document.tasks for d in task.deliverables]
    return {_key(text) for text in texts if _key(text)}


def _folded(text: str) -> str:
    return fold(squash(strip_tags(text.replace("\t", " "))))


def _reported(document: ParsedDocument, lines: list[str], key: str) -> bool:
    """True when a finding quotes the task's text or covers a line that holds it."""
    for problem in document.problems:
        span = problem.span
        covered = " ".join(lines[span.line_start - 1 : span.line_end])
        if key[:40] in _folded(problem.quote) or key[:40] in _folded(covered):
            return True
    return False


def mutants_of(name: str) -> list[Outcome]:
    lexicon = load_lexicon()
    path = SOURCES / name
    text = path.read_text(encoding="utf-8")
    original = parse_document(SourceFile(name, path.stem, text, ""), lexicon)
    keys = _task_keys(original)
    rng = random.Random(f"{SEED}:{name}")  # noqa: S311 - reproducible mutants, not secrets
    failures = []
    for _ in range(MUTANTS_PER_SOURCE):
        mutation = rng.choice(MUTATIONS)
        lines = mutation(text.split("\n"), rng)
        mutant = "\n".join(lines)
        try:
            document = parse_document(SourceFile(name, path.stem, mutant, ""), lexicon)
        except SourceError as error:
            assert name in str(error)
            continue
        folded = _folded(mutant)
        still_there = {key for key in keys if key[:40] in folded}
        # a task is there when a task starts with its text (a stray line may have been added
        # to the end of its cell)
        found = _task_keys(document, products=mutation is lines_swapped)
        lost = [
            key
            for key in sorted(still_there)
            if not any(other.startswith(key[:40].rstrip()) for other in found)
            and not _reported(document, lines, key)
        ]
        if lost:
            failures.append(Outcome(mutation.__name__, lost))
    return failures


# the sources with an annex table (the directive's prose is not accounted for row by row yet)
ANNEXED = sorted(
    p.name
    for p in SOURCES.glob("*.txt")
    if any(
        "\t" in line or line.lstrip().startswith("|") for line in p.read_text("utf-8").split("\n")
    )
)


@pytest.mark.parametrize("name", ANNEXED)
def test_no_mutant_loses_a_task_silently(name: str) -> None:
    failures = mutants_of(name)
    assert not failures, "\n".join(f"{f.mutation}: {f.lost[:3]}" for f in failures)


PIPE_CELLS = "001_e700a40f57bf9176.txt"  # its annex cells are separated by lines holding "|"


def _pipe_cell_tasks(edit: Callable[[list[str]], list[str]]) -> tuple[int, int]:
    lexicon = load_lexicon()
    text = (SOURCES / PIPE_CELLS).read_text(encoding="utf-8")
    original = parse_document(SourceFile(PIPE_CELLS, "cb", text, ""), lexicon)
    mutant = "\n".join(edit(text.split("\n")))
    return len(original.tasks), len(
        parse_document(SourceFile(PIPE_CELLS, "cb", mutant, ""), lexicon).tasks
    )


def test_a_doubled_separator_in_the_header_is_an_empty_cell() -> None:
    def doubled(lines: list[str]) -> list[str]:
        # the separator after the header's second cell ("Sản phẩm, kết quả đầu ra")
        at = next(i for i, line in enumerate(lines) if fold(line) == "pham, ket qua dau ra") + 1
        return [*lines[: at + 1], "|", *lines[at + 1 :]]

    before, after = _pipe_cell_tasks(doubled)
    assert after == before


def test_a_separator_joined_to_a_line_still_separates() -> None:
    def joined(lines: list[str]) -> list[str]:
        separators = [i for i, line in enumerate(lines) if line.strip() == "|"]
        out = list(lines)
        for at in separators[40::25]:  # several, in the body of the annex
            out[at - 1] = out[at - 1] + " |"
            out[at] = ""
        return out

    before, after = _pipe_cell_tasks(joined)
    assert after == before
