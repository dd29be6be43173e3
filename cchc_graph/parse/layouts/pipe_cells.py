"""pipe_cells: annex tables whose cells are separated by lines holding only "|", with text
hard-wrapped mid-sentence and separate lead / cooperating / budget columns (Cao Bằng 2016-2020)
-> TableResult.

Rows are not marked: merged cells make follow-up product rows of a task omit the task cell, and
often the lead and cooperating cells too. The reader walks the cell stream with the column order
from the header: a text cell followed by another text cell opens a task (task, product); a text
cell followed by a deadline is another product of the current task; agency cells after the
deadline are its lead and cooperating; empty or numeric cells after them are budget and note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cchc_graph.errors import SourceError
from cchc_graph.ingest.normalise import NormalisedText
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.deadlines import parse_deadline
from cchc_graph.parse.tables import (
    Column,
    Row,
    TableResult,
    TaskBuilder,
    header_columns,
    section_of,
)
from cchc_graph.records import Problem, Severity
from cchc_graph.text import fold, is_roman, squash

LAYOUT = "pipe-cell-annex"
_MIN_SEPARATORS = 12
_DEADLINE_START = re.compile(
    r"^(?:quy|thang|nam|hang nam|hang quy|thuong xuyen|tu|trong|truoc|khi|sau khi|theo|dinh ky|"
    r"cuoi|dau|giua|\d{1,2}/\d)(?![a-z])"
)
_TASK_NUMBER = re.compile(r"^(\d{1,3})\s*[.)]\s*")
_AFTER_WHO = (Column.BUDGET, Column.NOTE)
_ID_CELL = re.compile(r"[IVXL]+\.?|\d{1,3}(?:\.\d{1,3})*\.?")


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    line_start: int
    line_end: int
    lines: tuple[str, ...] = ()

    def tail(self) -> str:
        """Text after the last line that ends a sentence: the first header cell of a table that
        follows the plan body without a separator."""
        cut = max(
            (i + 1 for i, line in enumerate(self.lines) if line.rstrip().endswith((".", ":", ";"))),
            default=0,
        )
        return squash(" ".join(self.lines[cut:]))


def detect(text: NormalisedText, lexicon: Lexicon) -> str | None:
    """The layout name when "|" separator lines cut the text into cells that include a header."""
    if sum(1 for line in text.lines if line.strip() == "|") < _MIN_SEPARATORS:
        return None
    return LAYOUT if _header(_cells(text), lexicon) is not None else None


def read(text: NormalisedText, context: ParseContext) -> TableResult:
    """Sections, tasks, deliverables and problems of the annex."""
    cells = _cells(text)
    found = _header(cells, context.lexicon)
    if found is None:
        raise SourceError(text.source.name, 1, "no annex table header in this layout")
    start, roles = found
    reader = _Walker(cells, roles, context)
    reader.walk(start)
    reader.builder.result.problems.extend(_merged_cells(cells[start:], context))
    reader.builder.renumber_orphan_section()
    ends_file = all(not squash(x) or x.strip() == "|" for x in text.lines[cells[-1].line_end :])
    first = cells[start] if start < len(cells) else None
    # the table is found by its header row, so it starts there: only its end can be missing
    reader.builder.check_truncation(
        True,
        first.line_start if first else 1,
        ends_file,
        reader.last_row,
        text.lines,
    )
    return reader.builder.finish()


class _Walker:
    def __init__(
        self, cells: list[_Cell], roles: list[Column | None], context: ParseContext
    ) -> None:
        self.cells = cells
        self.roles = [r for r in roles if r is not None]
        self.context = context
        self.builder = TaskBuilder(context)
        self.last_row: Row | None = None
        self.who = [
            r for r in self.roles if r in (Column.LEAD, Column.COOPERATING, Column.ASSIGNMENT)
        ]

    def walk(self, position: int) -> None:
        while position < len(self.cells):
            cell = self.cells[position]
            if not cell.text:
                position += 1
            elif Column.ID in self.roles and _ID_CELL.fullmatch(cell.text):
                position = self._numbered(position)
            elif _is_heading(cell.text):
                section = section_of(cell.text)
                roman, heading = section if section else (None, cell.text)
                self.builder.start_section(roman, heading, cell.line_start)
                position += 1
            elif self._opens_task(position):
                position = self._row(position, with_task=True)
            else:
                position = self._row(position, with_task=False)

    def _numbered(self, position: int) -> int:
        """A "TT" cell: a Roman numeral opens a section (its heading follows), a number a task."""
        ident = self.cells[position].text.rstrip(".")
        following = self.cells[position + 1] if position + 1 < len(self.cells) else None
        if is_roman(ident):
            heading = following.text if following is not None else ""
            self.builder.start_section(ident, heading, self.cells[position].line_start)
            return position + 2
        if following is None:
            return position + 1
        return self._row(position + 1, with_task=True, number=ident.split(".")[-1])

    def _opens_task(self, position: int) -> bool:
        following = self.cells[position + 1].text if position + 1 < len(self.cells) else ""
        return (
            bool(following)
            and not self._is_deadline(following)
            and not self._is_agency(following)
            and not _is_heading(following)
        )

    def _row(self, position: int, with_task: bool, number: str | None = None) -> int:
        cells: dict[Column, str] = {}
        present: set[Column] = set()
        lines: dict[Column, int] = {}
        start = position
        first = self.cells[position]
        if with_task:
            cells[Column.TASK] = first.text
            lines[Column.TASK] = first.line_start
            position += 1
        for column in (Column.PRODUCT, Column.DEADLINE):
            if position < len(self.cells) and column in self.roles:
                cells[column] = self.cells[position].text
                lines[column] = self.cells[position].line_start
                present.add(column)
                position += 1
        position = self._who(position, cells, present)
        position = self._trailing(position, cells, present)
        last = self.cells[position - 1]
        row = Row(
            cells,
            first.line_start,
            last.line_end,
            squash(" | ".join(c.text for c in self.cells[start:position])),
            frozenset(present),
            lines,
        )
        if with_task:
            match = _TASK_NUMBER.match(cells[Column.TASK])
            self.builder.start_task(number or (match.group(1) if match else None), row)
        else:
            self.builder.add_row(row)
        self.last_row = row
        return position

    def _who(self, position: int, cells: dict[Column, str], present: set[Column]) -> int:
        """Lead and cooperating cells, when the row has them (they may be merged away)."""
        window = [
            self.cells[i].text
            for i in range(position, min(position + len(self.who), len(self.cells)))
        ]
        if not window or not any(self._is_agency(t) for t in window):
            return position
        if any(t and not self._is_agency(t) for t in window):
            return position
        for column, value in zip(self.who, window, strict=False):
            cells[column] = value
            present.add(column)
        return position + len(window)

    def _trailing(self, position: int, cells: dict[Column, str], present: set[Column]) -> int:
        for column in _AFTER_WHO:
            if column not in self.roles or position >= len(self.cells):
                break
            value = self.cells[position].text
            if value and not re.fullmatch(r"[\d.,\s]+", value):
                break
            cells[column] = value
            present.add(column)
            position += 1
        return position

    def _is_agency(self, text: str) -> bool:
        found = self.context.gazetteer.find(text)
        # "Các sở: Tư pháp, Tài chính" opens with a list head, the first name comes after it
        return bool(found) and (
            found[0].start <= 1 or fold(text[: found[0].start]) in ("cac so:", "cac so", "so")
        )

    def _is_deadline(self, text: str) -> bool:
        if not _DEADLINE_START.match(fold(text)):
            return False
        deadline = parse_deadline(
            text, self.context.lexicon.deadline_phrases, self.context.single_year
        )
        return bool(deadline.kind or deadline.due or deadline.start)


def _cells(text: NormalisedText) -> list[_Cell]:
    cells: list[_Cell] = []
    pieces: list[str] = []
    start = 1
    for number, line in enumerate(text.lines, start=1):
        # a separator joined to the text above ("… VH-TT&DL |") or below ("| Đề án …") still
        # separates
        before, separated, after = _separator_in(line)
        if squash(before):
            if not pieces:
                start = number
            pieces.append(before)
        if separated:
            cells.append(
                _Cell(squash(" ".join(pieces)), start if pieces else number, number, tuple(pieces))
            )
            pieces = []
            start = number + 1
        if squash(after):
            start = number
            pieces.append(after)
    if pieces:
        cells.append(_Cell(squash(" ".join(pieces)), start, len(text.lines), tuple(pieces)))
    return cells


def _separator_in(line: str) -> tuple[str, bool, str]:
    """A line's text before a cell separator, whether it holds one, and its text after."""
    stripped = line.strip()
    if stripped == "|":
        return "", True, ""
    if stripped.endswith(" |") and stripped.count("|") == 1:
        return stripped[:-1], True, ""
    if stripped.startswith("| ") and stripped.count("|") == 1:
        return "", True, stripped[1:]
    return line, False, ""


def _header(cells: list[_Cell], lexicon: Lexicon) -> tuple[int, list[Column | None]] | None:
    """Index of the first cell after the header, and the header's column roles."""
    for index in range(len(cells)):
        if not cells[index].text:
            continue
        # a doubled separator inside the header is an empty cell, not a column
        following = [i for i in range(index + 1, min(len(cells), index + 16)) if cells[i].text]
        for width in (8, 7, 6, 5, 4):
            taken = [index, *following[: width - 1]]
            window = [cells[i] for i in taken]
            texts = [window[0].tail(), *(c.text for c in window[1:])]
            if len(window) < width or any(len(t) > 60 or not t for t in texts):
                continue
            roles = header_columns(texts, lexicon)
            if roles and all(r is not None for r in roles) and Column.DEADLINE in roles:
                return taken[-1] + 1, roles
    return None


def _is_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    words = text.split()
    return (
        len(words) >= 2
        and len(letters) >= 8
        and sum(c.isupper() for c in letters) / len(letters) > 0.9
    )


_NUMBERED_LINE = re.compile(r"^\s*\d{1,2}\.\s+\S")


def _merged_cells(cells: list[_Cell], context: ParseContext) -> list[Problem]:
    """Cells in which a numbered item starts on a later line: one item per cell is how this
    layout numbers its rows and products, so a separator line was probably lost there."""
    found = []
    for cell in cells:
        for offset, line in enumerate(cell.lines[1:], start=1):
            if _NUMBERED_LINE.match(line):
                found.append(
                    Problem(
                        "not-read",
                        "a numbered item starts inside a cell (a '|' line lost?): it was read "
                        "as part of the cell above it",
                        Severity.WARNING,
                        context.span(cell.line_start + offset, cell.line_end),
                        squash(" ".join(cell.lines[offset:]))[:300],
                    )
                )
                break
    return found
