"""pdf_tables: ruled tables -> grids of cell paragraphs, joined across pages, -> table blocks.

pdfplumber's cells are laid on the grid they tile (a merged cell covers several grid cells) and
each cell's lines are joined into paragraphs. A table that goes on over the next page is joined
to its part above: a header repeated there is dropped, and a row Word broke across the page is
put together again. Kept apart from pdf_front because tables have rules of their own, apart
from the body's paragraphs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from statistics import median, median_low
from typing import Any

from cchc_graph.ingest.model import Block, Cell, Kind, Location, Row
from cchc_graph.ingest.ocr_tables import ScannedTable
from cchc_graph.ingest.pdf_model import Box, Char, Grid, Line, rounded
from cchc_graph.ingest.pdf_text import (
    MARKER,
    SENTENCE_END,
    chars_to_words,
    join_lines,
    words_to_lines,
)
from cchc_graph.text import starts_lowercase

_JOIN_TOLERANCE = 3.0  # points a table's column rules may move between its pages


@dataclass(slots=True)
class ScannedGrid(Grid):
    """A grid read by OCR from a scan: beside each cell's paragraphs, its words' confidences."""

    confidences: list[tuple[float, ...]] = field(default_factory=list)


def grid_from_cells(cells: list[Any], box: Any, chars: list[Char], page: int) -> Grid:
    """pdfplumber's cells (boxes) -> the grid they tile, each cell's text read from its chars."""
    xs = _boundaries([cell[0] for cell in cells] + [cell[2] for cell in cells])
    ys = _boundaries([cell[1] for cell in cells] + [cell[3] for cell in cells])
    ids = [[-1] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    boxes: list[Box] = []
    for x0, top, x1, bottom in sorted(cells, key=lambda cell: (cell[1], cell[0])):
        spots = [
            (r, c)
            for r in range(_nearest(ys, top), _nearest(ys, bottom))
            for c in range(_nearest(xs, x0), _nearest(xs, x1))
            if ids[r][c] < 0
        ]
        boxes.append((x0, top, x1, bottom))
        for r, c in spots:
            ids[r][c] = len(boxes) - 1
    for r, row in enumerate(ids):  # a hole the finder found no cell for: an empty cell
        for c, value in enumerate(row):
            if value < 0:
                boxes.append((xs[c], ys[r], xs[c + 1], ys[r + 1]))
                row[c] = len(boxes) - 1
    contents: list[list[Char]] = [[] for _ in boxes]
    for char in chars:
        r = _index(ys, (char["top"] + char["bottom"]) / 2)
        c = _index(xs, (char["x0"] + char["x1"]) / 2)
        contents[ids[r][c]].append(char)
    lines = [words_to_lines(chars_to_words(cell_chars), page) for cell_chars in contents]
    table_box = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    return Grid(page, table_box, xs, ids, _paragraphs(lines, boxes), [page] * len(ids))


def grid_from_scan(table: ScannedTable, lines: Sequence[list[Line]], page: int) -> ScannedGrid:
    """A table found on a scan, with the lines OCR read in each of its cells."""
    boxes = [cell.box for cell in table.cells]
    return ScannedGrid(
        page,
        table.box,
        list(table.columns),
        [list(row) for row in table.ids],
        _paragraphs(lines, boxes),
        [page] * len(table.ids),
        [tuple(w.confidence or 0.0 for line in cell for w in line.words) for cell in lines],
    )


def _paragraphs(lines: Sequence[list[Line]], boxes: Sequence[Box]) -> list[tuple[str, ...]]:
    """Each cell's lines -> its paragraphs, the table's inner cell margin being where its
    left-aligned text starts."""
    padding = max(
        0.0,
        min((line.x0 - boxes[n][0] for n, cell in enumerate(lines) for line in cell), default=0),
    )
    return [_cell_paragraphs(cell, boxes[n], padding) for n, cell in enumerate(lines)]


def _boundaries(values: list[float], tolerance: float = 2.0) -> list[float]:
    merged: list[float] = []
    for value in sorted(values):
        if not merged or value - merged[-1] > tolerance:
            merged.append(float(value))
    return merged


def _nearest(bounds: list[float], value: float) -> int:
    return min(range(len(bounds)), key=lambda n: abs(bounds[n] - value))


def _index(bounds: list[float], value: float) -> int:
    return min(max(bisect_right(bounds, value) - 1, 0), len(bounds) - 2)


def _cell_paragraphs(lines: list[Line], box: Box, padding: float) -> tuple[str, ...]:
    """A cell's lines -> its paragraphs: a line joins the one above when its first word would not
    have fitted there (the line was wrapped), unless it starts a list item after a finished one,
    or the space above it sets it apart."""
    width = box[2] - box[0] - 2 * padding
    ordered = sorted(lines, key=lambda line: line.top)
    apart = _set_apart(ordered)
    paragraphs: list[list[Line]] = []
    for n, line in enumerate(ordered):
        if n and not apart[n - 1] and _wrapped(ordered[n - 1], line, width):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return tuple(join_lines(paragraph) for paragraph in paragraphs)


def _set_apart(lines: list[Line]) -> list[bool]:
    """For each line after the first: is it set apart from the one above (by more than a line,
    or by the spacing Word adds after a paragraph)? The space between the lines of a paragraph
    is the cell's smallest."""
    if lines and lines[0].group is not None:
        return _set_apart_ocr(lines)
    gaps = [b.top - a.bottom for a, b in pairwise(lines)]
    tight = min(gaps) if len(gaps) > 1 else None
    return [
        gap >= line.size or (tight is not None and gap > tight + 0.35 * line.size)
        for gap, line in zip(gaps, lines[1:], strict=True)
    ]


def _set_apart_ocr(lines: list[Line]) -> list[bool]:
    """The same from OCR boxes, which reach up to a line's marks and down to its descenders, and
    not every line has them ("4304/KH-" has none below): a line is set apart when both its top
    and its bottom step down further than the cell's usual step."""
    tops = [b.top - a.top for a, b in pairwise(lines)]
    bottoms = [b.bottom - a.bottom for a, b in pairwise(lines)]
    height = median(line.bottom - line.top for line in lines)
    usual = (median_low(tops), median_low(bottoms)) if len(tops) > 1 else None
    return [
        min(top, bottom) - height >= line.size
        or (usual is not None and min(top - usual[0], bottom - usual[1]) > 0.35 * line.size)
        for top, bottom, line in zip(tops, bottoms, lines[1:], strict=True)
    ]


def _wrapped(above: Line, line: Line, width: float) -> bool:
    # a size of slack: the cell's inner margins are not drawn, and narrow cells wrap early
    full = (
        above.width + 0.25 * above.size + (line.words[0].x1 - line.words[0].x0) > width - line.size
    )
    return full and not (MARKER.match(line.text) and above.text.endswith(SENTENCE_END))


def joinable(above: Grid, below: Grid) -> bool:
    """The same columns, by their widths: a landscape page may place the table elsewhere
    (a form annex goes on on the next page 27 pt to the right)."""
    widths = [b - a for a, b in pairwise(above.columns)]
    others = [b - a for a, b in pairwise(below.columns)]
    return len(widths) == len(others) and all(
        abs(a - b) <= _JOIN_TOLERANCE for a, b in zip(widths, others, strict=True)
    )


def append_part(above: Grid, below: Grid) -> None:
    """Join the part of a table on the next page; a header repeated there is dropped, and a cell
    merged down from that header continues the cell above it instead."""
    skip = 0
    while skip < min(_header_rows(above), len(below.ids)) and _repeats(
        _row_texts(above, skip), _row_texts(below, skip), first=skip == 0
    ):
        skip += 1
    if skip < len(below.ids) and _row_goes_on(above, below, skip):
        _join_row(above, below, skip)
        skip += 1
    dropped = {cell for row in below.ids[:skip] for cell in row}
    offset = len(above.texts)
    moved = {
        cell: above.ids[-1][c]
        for c, cell in enumerate(below.ids[skip] if skip < len(below.ids) else [])
        if cell in dropped
    }
    for r in range(skip, len(below.ids)):
        above.ids.append([moved.get(cell, cell + offset) for cell in below.ids[r]])
        above.row_pages.append(below.row_pages[r])
    above.texts.extend(below.texts)
    if isinstance(above, ScannedGrid):  # a part from a text layer has no confidences
        scores = below.confidences if isinstance(below, ScannedGrid) else [()] * len(below.texts)
        above.confidences.extend(scores)


def _row_goes_on(above: Grid, below: Grid, row: int) -> bool:
    """Is the first row on the next page the rest of the row that ends the page (Word lets a row
    break across pages)? Its first cell (the number) is empty, and its text starts mid-sentence
    or finishes a word cut at a hyphen."""
    first_below, first_above = below.ids[row][0], above.ids[-1][0]
    if below.texts[first_below] or not above.texts[first_above]:
        return False
    for column, cell in enumerate(below.ids[row]):
        if below.texts[cell]:
            start = below.texts[cell][0]
            upper = above.texts[above.ids[-1][column]]
            cut = bool(upper) and (upper[-1].endswith("-") or _ends_mid_phrase(upper[-1]))
            return starts_lowercase(start) or cut
    return False


# words a Vietnamese phrase cannot end with: a cell that ends with one was cut by the page
_CUT_WORDS = frozenset(
    {
        "của",
        "và",
        "với",
        "các",
        "những",
        "cho",
        "theo",
        "về",
        "tại",
        "trong",
        "trên",
        "để",
        "được",
        "bằng",
        "từ",
        "đến",
        "như",
        "hoặc",
        "thuộc",
        "vào",
        "số",
    }
)


def _ends_mid_phrase(text: str) -> bool:
    words = text.split()
    return bool(words) and words[-1].lower() in _CUT_WORDS


def _join_row(above: Grid, below: Grid, row: int) -> None:
    """Append each cell of the rest of a broken row to its cell above, its first paragraph to
    that cell's last."""
    seen: set[int] = set()
    for column, cell in enumerate(below.ids[row]):
        if cell in seen or not below.texts[cell]:
            continue
        seen.add(cell)
        target = above.ids[-1][column]
        upper, rest = list(above.texts[target]), list(below.texts[cell])
        if upper and (
            starts_lowercase(rest[0]) or upper[-1].endswith("-") or _ends_mid_phrase(upper[-1])
        ):
            glue = "" if upper[-1].endswith("-") else " "
            upper[-1] = upper[-1] + glue + rest.pop(0)
        above.texts[target] = (*upper, *rest)
        if isinstance(above, ScannedGrid) and isinstance(below, ScannedGrid):
            above.confidences[target] += below.confidences[cell]


def _header_rows(grid: Grid) -> int:
    first, count = set(grid.ids[0]), 1
    while count < len(grid.ids) and first & set(grid.ids[count]):
        count += 1
    return count


def _repeats(header: list[str], row: list[str], first: bool) -> bool:
    """Does a row on the next page repeat a header row? The first exactly; a lower one may leave
    blank what the header merged down (a page that redraws "STT" one row high)."""
    if first:
        return header == row
    return any(row) and all(text in ("", above) for above, text in zip(header, row, strict=True))


def _row_texts(grid: Grid, row: int) -> list[str]:
    return [" ".join(grid.texts[cell]) for cell in grid.ids[row]]


def table_block(grid: Grid, number: int) -> Block:
    rows = []
    for r, row_ids in enumerate(grid.ids):
        where = Location(page=grid.row_pages[r], table=number, row=r + 1)
        cells: list[Cell] = []
        c = 0
        while c < len(row_ids):
            cell, span = row_ids[c], 1
            while c + span < len(row_ids) and row_ids[c + span] == cell:
                span += 1
            continued = r > 0 and grid.ids[r - 1][c] == cell
            place = replace(where, cell=len(cells) + 1)
            cells.append(Cell(grid.texts[cell], place, col_span=span, continued=continued))
            c += span
        rows.append(Row(tuple(cells), where))
    location = Location(page=grid.page, table=number, box=rounded(grid.box))
    return Block(Kind.TABLE, location, rows=tuple(rows), confidence=_confidence(grid))


def _confidence(grid: Grid) -> float | None:
    """OCR's mean word confidence (0..1) over the cells the table shows; None for a text layer."""
    if not isinstance(grid, ScannedGrid):
        return None
    shown = {cell for row in grid.ids for cell in row}
    scores = [score for cell in sorted(shown) for score in grid.confidences[cell]]
    return sum(scores) / len(scores) / 100 if scores else None
