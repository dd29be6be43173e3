"""line_rows: annex tables with one row per line -> TableResult. Rows are tab-separated (cells
may carry HTML fragments <p>, <b>, <ul><li>: the 2014 and 2017 Khánh Hòa plans), markdown
pipe rows ("| 1 | Rà soát ... | Quý II/2024 | Sở Tư pháp |") or cells between " | " without
outer pipes (ingest/text_rows.py). A line between rows that is no row is a heading spanning the
table, a part (A, B, C above sections I, II that start again), or reported where it stands.

A page break (a blank line, or a repeated header row) may cut a row in two: the row after the
break then starts mid-sentence and its text is joined to the cells above it.
"""

from __future__ import annotations

import re

from cchc_graph.errors import SourceError
from cchc_graph.ingest import text_rows
from cchc_graph.ingest.normalise import NormalisedText
from cchc_graph.ingest.text_rows import RowStyle
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.cells import bold_heading, is_fragment, strip_tags
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.tables import (
    STANDARD_COLUMNS,
    Column,
    Row,
    TableResult,
    TaskBuilder,
    column_of,
    header_columns,
    numbered_heading,
    section_of,
    task_number,
)
from cchc_graph.records import Problem, Severity
from cchc_graph.text import fold, is_roman, squash

TSV = "html-tsv-annex"
MARKDOWN = "markdown-table-annex"
BARS = "bar-row-annex"
_STYLES = {TSV: RowStyle.TABS, MARKDOWN: RowStyle.PIPES, BARS: RowStyle.BARS}
LAYOUTS = tuple(_STYLES)
_MARKDOWN_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def split_row(line: str, layout: str) -> list[str] | None:
    """The cells of a table line, or None when the line is not a row of this layout."""
    return text_rows.split_row(line, _STYLES[layout])


def find_header(
    text: NormalisedText, lexicon: Lexicon, start: int = 1
) -> tuple[str, int, list[Column | None]] | None:
    """Layout, line number and column roles of the first header row from line `start` on, if
    any; for a table that starts without its header (an annex continued from a page, a table
    whose header row was not exported), the line above its first numbered row and the
    standard column order (only for the document's first table)."""
    for number, line in enumerate(text.lines[start - 1 :], start=start):
        for layout in LAYOUTS:
            cells = split_row(line, layout)
            if cells and len(cells) >= 3:
                roles = header_columns(cells, lexicon)
                if roles and Column.ID in roles:
                    return _two_row_header(text, layout, number, roles, lexicon)
    if start > 1:
        return None
    numbered = [
        (number, cells)
        for number, line in enumerate(text.lines, start=1)
        if (cells := split_row(line, TSV))
        and len(cells) >= len(STANDARD_COLUMNS) - 1
        and _numbers_a_row(cells[0])
    ]
    if len(numbered) < _MIN_HEADERLESS_ROWS:
        return None
    first = numbered[0][0]
    above = next((n for n in range(first - 1, 0, -1) if squash(text.line(n))), None)
    if above is not None and split_row(text.line(above), TSV):
        return None  # a header row this reader does not understand: not a headerless table
    width = max(len(cells) for _, cells in numbered)
    standard: list[Column | None] = list(STANDARD_COLUMNS[:width])
    return TSV, max(first - 1, 0), standard + [None] * (width - len(standard))


_MIN_HEADERLESS_ROWS = 3
_SPLIT_ROLES = (Column.LEAD, Column.COOPERATING)


def _two_row_header(
    text: NormalisedText,
    layout: str,
    number: int,
    roles: list[Column | None],
    lexicon: Lexicon,
) -> tuple[str, int, list[Column | None]]:
    """A header of two rows ("Phân công thực hiện" spanning "Chủ trì" | "Phối hợp" below it):
    the lower row names the columns the upper one groups; the table starts below both."""
    below = number + 1
    while below <= len(text.lines) and not squash(text.line(below)):
        below += 1
    cells = split_row(text.line(below), layout) if below <= len(text.lines) else None
    if not cells:
        return layout, number, roles
    # the lower row may hold only the labels it splits: the cells above them are merged down
    lower = [column_of(cell, lexicon) if squash(strip_tags(cell)) else None for cell in cells]
    labels = [squash(strip_tags(cell)) for cell in cells if squash(strip_tags(cell))]
    if not any(role in _SPLIT_ROLES for role in lower) or len(labels) != sum(
        1 for role in lower if role is not None
    ):
        return layout, number, roles
    width = max(len(roles), len(lower))
    merged: list[Column | None] = []
    for index in range(width):
        upper = roles[index] if index < len(roles) else None
        under = lower[index] if index < len(lower) else None
        merged.append(under if under in _SPLIT_ROLES or upper is None else upper)
    return layout, below, merged


def _numbers_a_row(cell: str) -> bool:
    first = squash(strip_tags(cell))
    return bool(re.fullmatch(r"\d{1,3}\.?", first)) or is_roman(first)


def detect(text: NormalisedText, lexicon: Lexicon) -> str | None:
    """The layout name when the document has a one-row-per-line annex with a header row."""
    found = find_header(text, lexicon)
    return found[0] if found else None


def read(text: NormalisedText, context: ParseContext) -> TableResult:
    """Sections, tasks, deliverables and problems of the annex."""
    lexicon = context.lexicon
    found = find_header(text, lexicon)
    if found is None:
        raise SourceError(text.source.name, 1, "no annex table header in this layout")
    layout, header_line, roles = found
    builder = TaskBuilder(context)
    headerless = header_line == 0 or not header_columns(
        split_row(text.line(header_line), layout) or [""], lexicon
    )
    first_cells = split_row(text.line(header_line + 1), layout) or [""]
    starts_with_heading = not headerless or is_roman(squash(strip_tags(first_cells[0])))
    if headerless:
        builder.result.problems.append(
            Problem(
                "no-header-row",
                "the annex has no header row: the standard column order TT | Nhiệm vụ | Sản "
                "phẩm | Tiến độ | Phân công is assumed",
                Severity.INFO,
                context.span(header_line + 1),
                "",
            )
        )
    _headings_above(text, header_line, builder)
    page_break = False
    last_row: Row | None = None
    last_line = header_line
    number = header_line
    while number < len(text.lines):
        number += 1
        line = text.line(number)
        if not squash(line):
            page_break = True
            continue
        if layout == MARKDOWN and _MARKDOWN_RULE.match(line):
            continue
        parts = split_row(line, layout)
        if parts is None:
            if not _rows_follow(text, number, layout):
                # the table has ended: prose or a signature follows, and maybe another task
                # table further on (a plan may give each of its parts a table of its own)
                following = find_header(text, lexicon, number + 1)
                if following is None or following[0] != layout:
                    break
                _, number, roles = following
                builder.next_table()
                page_break, last_row = False, None
                continue
            _between_rows(line, number, builder)
            page_break = True
            continue
        if repeated := header_columns(parts, lexicon):
            if Column.ID in repeated:
                # a header repeated on a new page, or the next table's own: its columns count
                roles = repeated
            page_break = True
            continue
        cells = _cells(parts, roles)
        extra = squash(strip_tags(" ".join(parts[len(roles) :])))
        if extra:
            builder.result.problems.append(_extra_cells(builder, number, extra))
        if _is_numbering_row(cells):
            continue
        last_line = number
        last_row = _place_row(cells, line, number, roles, builder, page_break, last_row)
        page_break = False
    builder.renumber_orphan_section()
    ends_file = all(not squash(x) for x in text.lines[last_line:])
    builder.check_truncation(
        starts_with_heading, max(header_line, 1), ends_file, last_row, text.lines
    )
    return builder.finish()


def _place_row(
    cells: dict[Column, str],
    line: str,
    number: int,
    roles: list[Column | None],
    builder: TaskBuilder,
    page_break: bool,
    last_row: Row | None,
) -> Row | None:
    first = cells.get(Column.ID, "")
    part = _part_of(cells, builder)
    if part:
        builder.start_part(part[0], part[1], number)
        return last_row
    section = section_of(first, cells.get(Column.TASK, "")) or numbered_heading(cells)
    if section:
        builder.start_section(section[0], section[1], number)
        return last_row
    row = Row(cells, number, number, squash(strip_tags(line)), frozenset(cells))
    task_no = task_number(first)
    if task_no:
        heading, rest = bold_heading(cells.get(Column.TASK, ""))
        if heading:  # an annex may put "CẢI CÁCH THỂ CHẾ" inside its first task's cell
            builder.start_section(None, heading, number)
            row.cells[Column.TASK] = rest
        builder.start_task(task_no, row)
        return row
    heading = _spanning_heading(cells, builder)
    if heading:  # "| Lĩnh vực cải cách thể chế | | |": a heading across the table
        builder.start_section(None, heading, number)
        return last_row
    if squash(strip_tags(first)):
        builder.result.problems.append(_unplaced(builder, number, line))
        return last_row
    filled = [v for v in cells.values() if squash(strip_tags(v))]
    cut_by_page = page_break and is_fragment(_first_filled(cells))
    if last_row is not None and (cut_by_page or all(is_fragment(v) for v in filled)):
        _continue_row(last_row, cells, number, line)
        return last_row
    builder.add_row(row)
    return row


_BETWEEN_TABLES = 3  # title lines an annex may put between its tables ("PHỤ LỤC II", its title)
_TITLE_LENGTH = 400


_ABOVE = 4  # lines above the first header row that may name the annex and its first table


def _headings_above(text: NormalisedText, header_line: int, builder: TaskBuilder) -> None:
    """ "PHỤ LỤC I" / its title / "1. Các nhiệm vụ … quá hạn" above the first header row: the
    annex's part and the first table's section, as they are between later tables."""
    above: list[int] = []
    number = header_line - 1
    while number >= 1 and len(above) < _ABOVE:
        line = squash(strip_tags(text.line(number)))
        if line:
            above.append(number)
            if _ANNEX.match(line):
                break
        number -= 1
    annex = [n for n in above if _ANNEX.match(squash(strip_tags(text.line(n))))]
    if not annex:
        return
    for number in sorted(n for n in above if n >= annex[0]):
        _between_rows(text.line(number), number, builder)


_HEADING_WORDS = ("linh vuc", "nhom nhiem vu", "cac nhiem vu", "nhiem vu ve")


def _spanning_heading(cells: dict[Column, str], builder: TaskBuilder) -> str | None:
    """The text of a row that holds one cell of words and no number, written as a heading: in
    capitals, "Lĩnh vực …", "Nhóm nhiệm vụ …", or naming a reform area; None otherwise (a cell
    continued from the row above)."""
    filled = [squash(strip_tags(v)) for v in cells.values() if squash(strip_tags(v))]
    if len(filled) != 1 or re.match(r"^[\dIVX]+[.)]?\s", filled[0] + " "):
        return None
    text = filled[0]
    letters = [c for c in text if c.isalpha()]
    if not letters or not text[0].isupper() or len(text) > 200:
        return None
    capitals = sum(c.isupper() for c in letters) / len(letters) > 0.8
    if capitals or fold(text).startswith(_HEADING_WORDS) or builder.context.area_of(text):
        return text
    return None


def _rows_follow(text: NormalisedText, number: int, layout: str) -> bool:
    """Whether rows of the table come again after the line at `number`, past at most a few
    short lines: the line then stands between rows (a heading spanning the table, a page
    number, a line cut from a cell, the next annex's title) rather than after the table."""
    seen = 0
    for after in range(number + 1, len(text.lines) + 1):
        following = text.line(after)
        if not squash(following):
            continue
        if split_row(following, layout) is not None:
            return True
        seen += 1
        if seen > _BETWEEN_TABLES or len(following) > _TITLE_LENGTH:
            return False
    return False


def _between_rows(line: str, number: int, builder: TaskBuilder) -> None:
    """A line that is no row, between rows: a section heading spanning every column ("II. CẢI
    CÁCH THỦ TỤC HÀNH CHÍNH"), a part ("B. …"), or reported where it stands."""
    text = squash(strip_tags(line))
    letter = re.match(r"^([A-H])\s*[.:]\s+(\S.*)$", text)
    if letter and builder.is_next_part(letter.group(1)):
        builder.start_part(letter.group(1), letter.group(2), number)
        return
    annex = _ANNEX.match(text)
    if annex:  # the next annex: its tables number their rows from 1 again
        builder.start_part("PL" + annex.group(1).upper(), text, number)
        return
    in_annex_title = (
        builder.section is not None
        and builder.section_is_empty()
        and (builder.section.id.startswith("PL") or _is_title(text))
        and len(text) <= _TITLE_LENGTH
        and not re.match(r"^\d{1,2}\s*[.)]\s", text)
    )
    if in_annex_title:
        # under "PHỤ LỤC II", before its table: its title, "(Kèm theo …)", "Dữ liệu tính đến …"
        builder.extend_heading(text, number)
        return
    section = section_of(text)
    if section and section[1]:
        builder.start_section(section[0], section[1], number)
        return
    pieces = [p.strip() for p in re.split(r"\s*\|\s*|\t", text) if p.strip()]
    if len(pieces) == 1 and pieces[0] != text:
        # "| Lĩnh vực cải cách thể chế | | |": one cell of words across the table's columns
        heading = _spanning_heading({Column.TASK: pieces[0]}, builder)
        if heading:
            builder.start_section(None, heading, number)
            return
    numbered = re.match(r"^(\d{1,2})\s*[.)]\s+(\S.*)$", text)
    if numbered or _GROUP_LINE.match(fold(text)):
        # "1. Các nhiệm vụ về chuyển đổi số quá hạn", "Nhiệm vụ giao Bộ Tư pháp chỉ đạo":
        # the heading of the rows below it
        builder.start_section(numbered.group(1) if numbered else None, text, number)
        return
    builder.result.problems.append(_unplaced(builder, number, line))


_ANNEX = re.compile(r"^PH[ỤU] L[ỤU]C\s+([IVX]{1,4}|\d{1,2})\b", re.IGNORECASE)
_GROUP_LINE = re.compile(r"^(?:nhiem vu|cac nhiem vu|nhom nhiem vu)\s")


def _is_title(text: str) -> bool:
    """An annex title: in capitals, or what it is attached to ("(Kèm theo Thông báo ...)")."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return bool(letters) and (upper / len(letters) > 0.8 or fold(text).startswith("(kem theo"))


def _part_of(cells: dict[Column, str], builder: TaskBuilder) -> tuple[str, str] | None:
    """("B", heading) for a part row: a single letter in the number column, the next part's."""
    letter = squash(strip_tags(cells.get(Column.ID, ""))).rstrip(".")
    heading = squash(strip_tags(cells.get(Column.TASK, "")))
    if len(letter) == 1 and heading and builder.is_next_part(letter):
        return letter, heading
    return None


def _cells(parts: list[str], roles: list[Column | None]) -> dict[Column, str]:
    cells: dict[Column, str] = {}
    for index, role in enumerate(roles):
        if role is not None:
            cells[role] = parts[index] if index < len(parts) else ""
    return cells


def _is_numbering_row(cells: dict[Column, str]) -> bool:
    # "\t1\t2\t3\t4" under the header: the columns numbered
    values = [squash(v) for v in cells.values()]
    return all(re.fullmatch(r"\d{0,2}", v) for v in values) and any(values)


def _first_filled(cells: dict[Column, str]) -> str:
    return next((v for v in cells.values() if squash(strip_tags(v))), "")


def _continue_row(row: Row, cells: dict[Column, str], number: int, line: str) -> None:
    """Join a row cut by a page break to the row above, cell by cell."""
    for column, fragment in cells.items():
        if squash(strip_tags(fragment)):
            row.cells[column] = join_fragment(row.cells.get(column, ""), fragment)
    row.line_end = number
    row.quote = squash(row.quote + " " + strip_tags(line))


def join_fragment(cell: str, fragment: str) -> str:
    """Append a page-break fragment: mid-sentence text extends the last item, else a new item."""
    if is_fragment(fragment):
        last_close = cell.rfind("</p>")
        inner = re.sub(r"^\s*<p>|</p>\s*$", "", fragment.strip())
        if last_close >= 0 and cell.rstrip().endswith("</p>"):
            return cell[:last_close].rstrip() + " " + inner + "</p>"
        return cell.rstrip() + " " + strip_tags(fragment)
    as_blocks = cell if "<p>" in cell else f"<p>{cell}</p>"
    addition = fragment if "<p>" in fragment else f"<p>{fragment}</p>"
    return as_blocks + " " + addition


def _unplaced(builder: TaskBuilder, number: int, line: str) -> Problem:
    return Problem(
        "unplaced-row",
        "a table row whose first cell is neither a section nor a task number: kept as a problem",
        Severity.WARNING,
        builder.context.span(number),
        squash(strip_tags(line))[:300],
    )


def _extra_cells(builder: TaskBuilder, number: int, extra: str) -> Problem:
    return Problem(
        "not-read",
        "a table row with more cells than the header has columns: the cells past the last "
        "column were not read (two rows joined into one?)",
        Severity.WARNING,
        builder.context.span(number),
        extra[:300],
    )
