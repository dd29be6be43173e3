"""accounting: every row of an annex table ends up in a task, a deliverable, a section or a
target, or is reported: as not read, with its lines, or as a table of figures that assigns
nothing. So does every paragraph of a part read for assignments ("Tổ chức thực hiện", a
directive's body): one that names a body with a duty and gave no task is not read; one that
assigns nothing is said to be skipped.

A table reader stops where it no longer recognises a row (a stray line between rows, a header
where none was expected, a cell split differently); the rows after that point would otherwise
be lost without a word. This pass looks at the table's lines whatever the reader made of them:
a line that is written as a table row ("\\t" between cells, or "|" cells) and holds words, and
that no record covers, is a finding "not-read" at its lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cchc_graph.ingest.normalise import Paragraph
from cchc_graph.ingest.text_rows import row_cells
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.cells import strip_tags
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.layouts.prose_tasks import CLOSING_FORMULA
from cchc_graph.parse.tables import column_of, header_columns
from cchc_graph.records import Problem, Section, Severity, Span, Target, Task
from cchc_graph.text import fold, squash

_WORD = re.compile(r"[^\W\d_]{2,}")
# the words that give a body work: "Giao X", "X chủ trì", "phối hợp", "có trách nhiệm", "đề nghị"
_DUTY = re.compile(
    r"(?<![a-z])(?:giao|chu tri|phoi hop|co trach nhiem|chiu trach nhiem|de nghi|yeu cau|"
    r"tham muu)(?![a-z])"
)
_HEADING_WORDS = 30  # a heading over the items it gives its body or deadline: a line or two
_SIGNATURE = re.compile(r"^(?:tm\.|kt\.|noi nhan|chu tich$)")
# the one who asks ("UBND tỉnh đề nghị …", "Thủ tướng Chính phủ yêu cầu …") is not given work
_ASKS = re.compile(r"\s*(?:de nghi|yeu cau)(?![a-z])")
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


def unread_paragraphs(
    paragraphs: Iterable[Paragraph],
    tasks: Iterable[Task],
    sections: Iterable[Section],
    problems: Iterable[Problem],
    context: ParseContext,
) -> list[Problem]:
    """Findings for the paragraphs of a part read for assignments that no task, deliverable,
    section or earlier finding covers: WARNING not-read when the paragraph names a body with a
    duty (work that may be lost), INFO skipped otherwise (a preamble, a closing formula)."""
    covered = _covered_lines(tasks, sections, problems)
    ordered = []
    for paragraph in paragraphs:
        if _SIGNATURE.match(fold(paragraph.text).strip()):
            break  # the signature, "Nơi nhận", and what follows them are no part of the body
        ordered.append(paragraph)
    read = [any(n in covered for n in _lines(p)) for p in ordered]
    # a heading whose items were read ("1. Sở Tư pháp", "a) Giao Sở Nội vụ:", and the heading
    # above such headings): the tasks below carry what it says
    for index in range(len(ordered) - 2, -1, -1):
        read[index] = read[index] or (read[index + 1] and _is_heading(ordered[index]))
    found = []
    for paragraph, was_read in zip(ordered, read, strict=True):
        if was_read or not _WORD.search(paragraph.text):
            continue
        if len(paragraph.text.split()) <= 8 and column_of(squash(paragraph.text), context.lexicon):
            continue  # a header cell of the annex table that follows, on a line of its own
        span = context.span(paragraph.line_start, paragraph.line_end)
        quote = squash(paragraph.text)[:_QUOTE_LIMIT]
        folded = fold(paragraph.text)
        given = [
            f.mention
            for f in context.gazetteer.find(paragraph.text)
            if not f.mention.is_group and not _ASKS.match(folded, f.end)
        ]
        closing = (
            CLOSING_FORMULA.match(folded)
            or folded.rstrip().endswith("/.")  # the last sentence of the document: "… ./."
        )
        if given and not closing and _DUTY.search(folded):
            body = given[0].text
            message = (
                f"a paragraph that gives {body!r} work, but no task was read from it: it stands "
                "outside the numbered items (before the first, or after the part's closing)"
            )
            found.append(Problem("not-read", message, Severity.WARNING, span, quote))
        else:
            message = (
                "a paragraph of the part that gives no named body work (a preamble, a heading, "
                "a call to all): no task read from it"
            )
            found.append(Problem("skipped", message, Severity.INFO, span, quote))
    return found


def _lines(paragraph: Paragraph) -> range:
    return range(paragraph.line_start, paragraph.line_end + 1)


def _is_heading(paragraph: Paragraph) -> bool:
    text = paragraph.text.rstrip()
    return text.endswith(":") or (
        len(text.split()) <= _HEADING_WORDS and not text.endswith((".", ";"))
    )


def _covered_lines(
    tasks: Iterable[Task], sections: Iterable[Section], problems: Iterable[Problem]
) -> set[int]:
    spans: list[Span | None] = []
    for task in tasks:
        spans.append(task.span)
        spans.extend(deliverable.span for deliverable in task.deliverables)
    spans.extend(section.span for section in sections)
    spans.extend(problem.span for problem in problems)
    covered: set[int] = set()
    for span in spans:
        if span is not None:
            covered.update(range(span.line_start, span.line_end + 1))
    return covered
