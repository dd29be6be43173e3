"""tab_lines: annex tables written one cell per line, each cell starting with a tab, rows separated
by blank lines, section headings repeated across all columns (2023 Khánh Hòa plan) -> TableResult.

A cell may go on over lines that do not start with a tab ("- " bullet lines); a line holding only
the tab is an empty cell (a draft that leaves the product or the deadline blank).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from cchc_graph.ingest.normalise import NormalisedText
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.tables import (
    STANDARD_COLUMNS,
    Column,
    Row,
    TableResult,
    TaskBuilder,
    header_columns,
    numbered_heading,
    section_of,
    task_number,
)
from cchc_graph.records import Problem, Severity
from cchc_graph.text import is_roman, squash

LAYOUT = "tab-line-annex"
# a cell line starts with a tab; a tab typed over as " | " (a copy through a markdown editor)
# still starts a cell
_CELL_START = re.compile(r"^ ?(?:\t| ?\| )")
_MIN_ROWS = 3


@dataclass(slots=True)
class _Block:
    cells: list[str]
    line_start: int
    line_end: int
    cell_lines: list[int] = field(default_factory=list)


def detect(text: NormalisedText, lexicon: Lexicon) -> str | None:
    """The layout name when at least three blocks look like table rows (a number, then 4+ cells)."""
    rows = sum(1 for b in _blocks(text) if _looks_like_row(b))
    return LAYOUT if rows >= _MIN_ROWS else None


def read(text: NormalisedText, context: ParseContext) -> TableResult:
    """Sections, tasks, deliverables and problems of the annex."""
    blocks = [b for b in _rejoined(_blocks(text)) if len(b.cells) >= 4]
    builder = TaskBuilder(context)
    roles: list[Column | None] = list(STANDARD_COLUMNS)
    first_is_heading = has_header = False
    seen_rows = 0
    last_row: Row | None = None
    for block in blocks:
        header = header_columns(block.cells, context.lexicon)
        if header:
            roles, first_is_heading = header, first_is_heading or seen_rows == 0
            has_header = True
            continue
        if not _looks_like_row(block):
            if seen_rows:  # inside the table: a row that lost its number cell
                builder.result.problems.append(
                    Problem(
                        "not-read",
                        "a block of cells between the table's rows that opens no row (no number "
                        "in its first cell): not read",
                        Severity.WARNING,
                        context.span(block.line_start, block.line_end),
                        squash(" | ".join(block.cells))[:300],
                    )
                )
            continue
        extra = [
            (cell, line)
            for cell, line in zip(
                block.cells[len(roles) :], block.cell_lines[len(roles) :], strict=False
            )
            if squash(cell)
        ]
        if extra:  # two rows run together (the blank line between them lost)
            builder.result.problems.append(
                Problem(
                    "not-read",
                    f"{len(extra)} cells past the table's {len(roles)} columns: two rows run "
                    "together here, and these cells were not read",
                    Severity.WARNING,
                    context.span(extra[0][1], extra[-1][1]),
                    squash(" | ".join(cell for cell, _ in extra))[:300],
                )
            )
        for cell, line in zip(block.cells, block.cell_lines, strict=False):
            if "\t" in cell:  # two cell lines joined into one
                builder.result.problems.append(
                    Problem(
                        "not-read",
                        "a cell line holding a second cell (a tab inside it): the cells of this "
                        "row may be out of place",
                        Severity.WARNING,
                        context.span(line),
                        squash(cell)[:300],
                    )
                )
        cells = {
            role: block.cells[i]
            for i, role in enumerate(roles)
            if role is not None and i < len(block.cells)
        }
        lines = {
            role: block.cell_lines[i]
            for i, role in enumerate(roles)
            if role is not None and i < len(block.cell_lines)
        }
        section = section_of(cells.get(Column.ID, ""), cells.get(Column.TASK, "")) or (
            numbered_heading(cells)
        )
        if section:
            first_is_heading = first_is_heading or seen_rows == 0
            builder.start_section(section[0], section[1], block.line_start, block.line_end)
        else:
            last_row = _task_row(block, cells, lines, builder)
        seen_rows += 1
    if not has_header and blocks:
        builder.result.problems.append(
            Problem(
                "no-header-row",
                "the annex has no header row: the standard column order TT | Nhiệm "
                "vụ | Sản phẩm | Tiến độ | Phân công is assumed",
                Severity.INFO,
                context.span(blocks[0].line_start),
                "",
            )
        )
    builder.renumber_orphan_section()
    if blocks:
        ends_file = all(not squash(x) for x in text.lines[blocks[-1].line_end :])
        builder.check_truncation(
            first_is_heading, blocks[0].line_start, ends_file, last_row, text.lines
        )
    return builder.finish()


def _task_row(
    block: _Block, cells: dict[Column, str], lines: dict[Column, int], builder: TaskBuilder
) -> Row:
    quote = squash(" | ".join(block.cells))
    row = Row(cells, block.line_start, block.line_end, quote, frozenset(cells), lines)
    number = task_number(cells.get(Column.ID, ""))
    if number:
        builder.start_task(number, row)
    else:
        builder.add_row(row)
    return row


def _blocks(text: NormalisedText) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, line in enumerate(text.lines, start=1):
        if _CELL_START.match(line) and squash(line) == "":
            if current is not None:  # a tab and nothing else: an empty cell of the row
                current.cells.append("")
                current.cell_lines.append(number)
                current.line_end = number
            continue
        if not squash(line):
            if current is not None:
                blocks.append(current)
            current = None
            continue
        if _CELL_START.match(line):
            if current is None:
                current = _Block([], number, number)
            current.cells.append(_CELL_START.sub("", line).strip())
            current.cell_lines.append(number)
            current.line_end = number
        elif current is not None and current.cells:
            current.cells[-1] += "\n" + line.strip()
            current.line_end = number
    if current is not None:
        blocks.append(current)
    return blocks


def _rejoined(blocks: list[_Block]) -> list[_Block]:
    """Blocks with a row cut in two by a stray blank line joined again: a block that opens a row
    (a number) but holds fewer cells than most rows have, followed by one that opens none, whose
    cells together make one row."""
    widths = Counter(len(b.cells) for b in blocks if _opens_row(b))
    width = widths.most_common(1)[0][0] if widths else len(STANDARD_COLUMNS)
    joined: list[_Block] = []
    for block in blocks:
        before = joined[-1] if joined else None
        if (
            before is not None
            and len(before.cells) < width
            and _opens_row(before)
            and not _opens_row(block)
            and len(before.cells) + len(block.cells) <= width
        ):
            before.cells += block.cells
            before.cell_lines += block.cell_lines
            before.line_end = block.line_end
            continue
        joined.append(block)
    return joined


def _opens_row(block: _Block) -> bool:
    first = squash(block.cells[0]) if block.cells else ""
    return bool(re.fullmatch(r"\d{1,3}\.?", first)) or is_roman(first)


def _looks_like_row(block: _Block) -> bool:
    if len(block.cells) < 4:
        return False
    first = squash(block.cells[0])
    return first == "" or bool(re.fullmatch(r"\d{1,3}\.?", first)) or is_roman(first)
