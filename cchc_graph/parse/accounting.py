"""accounting: every row of an annex table ends up in a task, a deliverable, a section or a
target, or is reported: as not read, with its lines, or as a table of figures that assigns
nothing.

A table reader stops where it no longer recognises a row (a stray line between rows, a header
where none was expected, a cell split differently); the rows after that point would otherwise
be lost without a word. This pass looks at the table's lines whatever the reader made of them:
a line that is written as a table row ("\\t" between cells, or "|" cells) and holds words, and
that no record covers, is a finding "not-read" at its lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cchc_graph.ingest.text_rows import row_cells
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.cells import strip_tags
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.tables import column_of, header_columns
from cchc_graph.records import Problem, Section, Severity, Span, Target, Task
from cchc_graph.text import squash

_WORD = re.compile(r"[^\W\d_]{2,}")
_QUOTE_LIMIT = 300


def unread_rows(
    lines: tuple[str, ...],
    first: int,
    tasks: Iterable[Task],
    sections: Iterable[Section],
    problems: Iterable[Problem],
    context: ParseContext,
    targets: Iterable[Target] = (),
    read_lines: Iterable[int] = (),
) -> list[Problem]:
    """Findings for the table rows from line `first` on that no task, deliverable, section or
    earlier finding covers; consecutive lines make one finding."""
    covered: set[int] = set(read_lines)  # a target table's header and group rows
    spans: list[Span | None] = []
    for task in tasks:
        spans.append(task.span)
        spans.extend(deliverable.span for deliverable in task.deliverables)
    spans.extend(section.span for section in sections)
    spans.extend(problem.span for problem in problems)
    spans.extend(target.span for target in targets)
    for span in spans:
        if span is not None:
            covered.update(range(span.line_start, span.line_end + 1))
    found: list[Problem] = []
    run: list[int] = []
    for number in range(first, len(lines) + 1):
        if number not in covered and _is_unread_row(lines[number - 1], context.lexicon):
            run.append(number)
            continue
        if run and (number in covered or squash(lines[number - 1])):
            found.append(_finding(run, lines, context))
            run = []
    if run:
        found.append(_finding(run, lines, context))
    return found


_FIGURES_MIN_ROWS = 3
_FIGURES_SHARE = 0.6
_FIGURE = re.compile(r"^[\d.,%\s()+-]+$")


def _figures_share(run: list[int], lines: tuple[str, ...]) -> float:
    """The share of the filled cells past the first two (number, name) that hold a number."""
    figures = filled = 0
    for number in run:
        for cell in (row_cells(lines[number - 1]) or [])[2:]:
            text = squash(strip_tags(cell))
            if text:
                filled += 1
                figures += bool(_FIGURE.match(text))
    return figures / filled if filled else 0.0


def first_table_row(lines: tuple[str, ...]) -> int | None:
    """The 1-based line of the first line written as a table row with words, if any: where a
    header row would be, had it not been moved or lost."""
    for number, line in enumerate(lines, start=1):
        cells = row_cells(line)
        if cells is not None and len(cells) >= 3 and _WORD.search(" ".join(cells)):
            return number
    return None


def _is_unread_row(line: str, lexicon: Lexicon) -> bool:
    cells = row_cells(line)
    # not a row, or a header repeated on a new page
    if cells is None or header_columns(cells, lexicon):
        return False
    labels = [squash(strip_tags(cell)) for cell in cells if squash(strip_tags(cell))]
    if labels and all(column_of(label, lexicon) for label in labels):
        return False  # the lower row of a two-row header ("Chủ trì" | "Phối hợp")
    return bool(_WORD.search(strip_tags(" ".join(cells))))


def _finding(run: list[int], lines: tuple[str, ...], context: ParseContext) -> Problem:
    quote = squash(strip_tags(" ".join(lines[n - 1].replace("\t", " | ") for n in run)))
    rows = "a table row" if len(run) == 1 else f"{len(run)} table rows"
    if len(run) >= _FIGURES_MIN_ROWS and _figures_share(run, lines) >= _FIGURES_SHARE:
        # "STT | Bộ, cơ quan | TTHC đã cắt giảm | …" with counts per ministry: results or
        # statistics, which assign nothing; said as what it is, not as rows lost
        kind, severity = "figures-table", Severity.INFO
        message = f"{rows} of figures (results or statistics per body), not assignments: no task "
        message += "read from them"
    else:
        kind, severity = "not-read", Severity.WARNING
        message = f"{rows} that no task, deliverable, section or target was read from: the "
        message += "table's layout changes here, or the row is not where a row is expected"
    return Problem(kind, message, severity, context.span(run[0], run[-1]), quote[:_QUOTE_LIMIT])
