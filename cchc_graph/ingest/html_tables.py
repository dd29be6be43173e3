"""html_tables: an HTML <table> -> rows of cells, and the lines of a cell.

The grid resolves rowspan and colspan the way browsers do (a cell spanning rows is repeated as a
`continued` cell below); a table nested in a cell is read into that cell's lines; a table that
only arranges the page (a letterhead, a signature block, a form's boxes) is marked `layout`.
Kept apart from html_front, which walks the page, because the table model has rules of its own.
`lines_of` also gives headings and captions their lines: they are read as a cell is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cchc_graph.ingest.html_text import Element, clean, integer, is_skipped, walk_content
from cchc_graph.ingest.model import Cell, Location, Row
from cchc_graph.text import VI_UPPER, fold

_CELLS = ("td", "th")
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534  # the HTML table model's own limits


# ---------------------------------------------------------------------------------------------
# the lines of a cell


@dataclass
class _Lines:
    """Collects the lines of a table cell (or a heading): every block, <br> and item a line."""

    lines: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)

    def end_line(self) -> None:
        line = clean("".join(self.current))
        self.current.clear()
        if line:
            self.lines.append(line)

    def text(self, piece: str) -> None:
        self.current.append(piece)

    def line_break(self) -> None:
        self.end_line()

    def open_block(self, element: Element) -> None:
        self.end_line()

    def close_block(self, element: Element) -> None:
        self.end_line()

    def item(self, element: Element, marker: str, level: int) -> None:
        self.end_line()
        if marker:
            self.current.append(marker + " ")

    def heading(self, element: Element, level: int) -> None:
        self.end_line()
        self.lines.extend(lines_of(element))

    def table(self, element: Element) -> None:
        # a table inside a cell is a form's sub-layout (Nghị định 347's receipts): the model's cell
        # holds lines only, so its cells' text joins the outer cell, row by row, in reading order
        self.end_line()
        caption = element.find("caption")
        if caption is not None and not is_skipped(caption):
            self.lines.extend(lines_of(caption))
        for group in _row_groups(element):
            for row in group:
                for cell in _source_cells(row):
                    self.lines.extend(lines_of(cell))


def lines_of(element: Element) -> tuple[str, ...]:
    """The lines of an element's content: its blocks, <br>-separated lines and list items."""
    lines = _Lines()
    walk_content(element, lines, 0)
    lines.end_line()
    return tuple(lines.lines)


# ---------------------------------------------------------------------------------------------
# tables


def _row_groups(table: Element) -> list[list[Element]]:
    """The table's rows by group, in the order shown: thead, then the body rows, then tfoot."""
    head: list[list[Element]] = []
    body: list[list[Element]] = []
    foot: list[list[Element]] = []
    loose: list[Element] = []  # <tr> straight under <table>: one implicit body group
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr" and not is_skipped(child):
            loose.append(child)
            continue
        if loose:
            body.append(loose)
            loose = []
        if tag in ("thead", "tbody", "tfoot") and not is_skipped(child):
            rows = [r for r in child if r.tag == "tr" and not is_skipped(r)]
            {"thead": head, "tbody": body, "tfoot": foot}[tag].append(rows)
    if loose:
        body.append(loose)
    return [group for group in head + body + foot if group]


def _source_cells(row: Element) -> list[Element]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in _CELLS and not is_skipped(c)]


def table_rows(table: Element, number: int, path: Callable[[Element], str]) -> tuple[Row, ...]:
    """The table's rows with every grid position filled (see `_Grid`)."""
    rows: list[Row] = []
    for group in _row_groups(table):
        grid = _Grid(number, path)
        for index, source in enumerate(group):
            cells = grid.row(source, len(rows) + 1, rows_below=len(group) - index - 1)
            if cells:
                where = Location(table=number, row=len(rows) + 1, element=path(source))
                rows.append(Row(tuple(cells), where))
    return tuple(rows)


@dataclass
class _Span:
    """A cell that covers rows below its own: what those rows repeat, and for how many more."""

    lines: tuple[str, ...]
    element: Element
    col_span: int
    rows_left: int


@dataclass
class _Grid:
    """One row group's grid. A cell spanning rows is repeated as a `continued` cell at its
    column in each row below it; rowspans stop at the end of their group (thead, tbody, tfoot),
    as in browsers."""

    table: int
    path: Callable[[Element], str]
    spans: dict[int, _Span] = field(default_factory=dict)

    def row(self, source: Element, number: int, rows_below: int) -> list[Cell]:
        cells: list[Cell] = []
        touched: set[int] = set()
        column = 0
        pending = iter(_source_cells(source))
        while True:
            if column in self.spans:
                touched.add(column)
                column = self._continue(cells, column, number)
                continue
            cell = next(pending, None)
            if cell is None:
                break
            col_span = min(max(integer(cell.get("colspan"), 1), 1), _MAX_COLSPAN)
            row_span = min(integer(cell.get("rowspan"), 1), _MAX_ROWSPAN)
            # rowspan="0" reaches the group's last row
            rows_down = rows_below if row_span == 0 else min(row_span - 1, rows_below)
            lines = lines_of(cell)
            cells.append(self._cell(lines, cell, col_span, number, len(cells), continued=False))
            if rows_down > 0:
                self.spans[column] = _Span(lines, cell, col_span, rows_down)
                touched.add(column)
            column += col_span
        for start in sorted(s for s in self.spans if s > column):  # a row shorter than its grid
            cells.append(self._cell((), source, start - column, number, len(cells), False))
            touched.add(start)
            column = self._continue(cells, start, number)
        for start in [s for s in self.spans if s not in touched]:  # overlapped by a wider cell
            self._age(start)
        return cells

    def _continue(self, cells: list[Cell], start: int, number: int) -> int:
        span = self.spans[start]
        cells.append(self._cell(span.lines, span.element, span.col_span, number, len(cells), True))
        self._age(start)
        return start + span.col_span

    def _age(self, start: int) -> None:
        self.spans[start].rows_left -= 1
        if not self.spans[start].rows_left:
            del self.spans[start]

    def _cell(
        self,
        lines: tuple[str, ...],
        element: Element,
        col_span: int,
        row: int,
        before: int,
        continued: bool,
    ) -> Cell:
        where = Location(table=self.table, row=row, cell=before + 1, element=self.path(element))
        return Cell(lines, where, col_span=col_span, continued=continued)


# The lines of a letterhead and a signature block, matched folded: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
# NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 314/2025/NĐ-CP", "Nghị quyết số: 119/2026/UBTVQH15",
# "Nơi nhận:"; and as written: "TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "(Đã ký)"
_LETTERHEAD_FOLDED = re.compile(
    r"cong hoa xa hoi chu nghia viet nam|doc lap ?- ?tu do ?- ?hanh phuc|^noi nhan"
    r"|^(?:\w+ ){0,2}so ?: ?\S*/"  # a number with its slash: not a form's "Tổng số:" or "Số:…"
)
_SIGNATURE = re.compile(
    rf"^(?:(?:TM|KT|TL|TUQ|Q)\. ?[{VI_UPPER}]|(?:PHÓ )?(?:CHỦ TỊCH|THỦ TƯỚNG|BỘ TRƯỞNG|GIÁM ĐỐC)$"
    r"|\(Đã ký\)$)"
)
# letterheads and signature blocks take a few rows; a longer table quoting "Số:" is data
_LAYOUT_MAX_ROWS = 6
_SMALL_TABLE_ROWS = 3
# border, border-top, border-color, border-left-style … : value (not border-collapse or -spacing)
_BORDER = re.compile(
    r"(?:^|;)\s*border(?:-(?:top|right|bottom|left))?(?:-(?:style|width|color))?\s*:\s*([^;]*)",
    re.IGNORECASE,
)
_NO_BORDER = re.compile(r"^(?:none|hidden|0(?:\.0*)?[a-z]*)$|\bnone\b|\bhidden\b", re.IGNORECASE)
# white on white paper is no border: NQ 119/2026 draws its letterhead with border-color #ffffff
_WHITE = re.compile(r"#fff(?:fff)?\b|\bwhite\b|255,\s*255,\s*255|\btransparent\b", re.IGNORECASE)


def is_layout_table(table: Element, rows: tuple[Row, ...]) -> bool:
    """True for a table that only arranges the page: a letterhead or signature block, or a small
    table with neither borders nor header cells (a form's boxes: "Mã QR code", "Mẫu số 01")."""
    lines = [line for row in rows for cell in row.cells for line in cell.lines]
    if len(rows) <= _LAYOUT_MAX_ROWS and any(
        _LETTERHEAD_FOLDED.search(fold(line)) or _SIGNATURE.search(line) for line in lines
    ):
        return True
    if len(rows) > _SMALL_TABLE_ROWS or table.find("thead") is not None:
        return False
    cells = [cell for group in _row_groups(table) for row in group for cell in _source_cells(row)]
    if any(cell.tag == "th" for cell in cells):
        return False
    return not _has_border(table, attribute=True) and not any(_has_border(c) for c in cells)


def _has_border(element: Element, attribute: bool = False) -> bool:
    """True when the element draws a visible border: a CSS border that is neither none, zero
    nor white, or (for a table) a `border` attribute above 0 that CSS does not whiten."""
    values = [value.strip() for value in _BORDER.findall(element.get("style") or "")]
    if any(_WHITE.search(value) for value in values):
        return False
    if attribute and integer(element.get("border"), 0) > 0:
        return True
    return any(value and not _NO_BORDER.search(value) for value in values)
