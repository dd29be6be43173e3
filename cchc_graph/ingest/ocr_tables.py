"""ocr_tables: a scanned page's image -> its ruled tables: the grid, merged cells, each cell read.

Rules are found as a scanner leaves them: black runs a few pixels thick (a red stamp's box is
not one), a little skewed, broken here and there. The page is cut into bands a tenth of an inch
deep (wide, for the horizontal rules); a run of columns inked through most of a band is a piece
of a rule, and pieces that line up over nearly every band from the first to the last, at least
three, make a rule, its ends found pixel by pixel. Rules that meet make a table of at least two
columns; its rules, grouped by where they stand, are the grid's lines, and two neighbouring
cells with no rule between them are one merged cell. Each cell is cut out inside its rules,
turned straight and made black and white; a cell with no ink is not read at all, and all the
cells of a page go to Tesseract in one call. The page's own text is then read with the tables
painted white (`blank`), so no word comes twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from math import atan, ceil, degrees, floor, hypot
from pathlib import Path
from statistics import median

from PIL import Image, ImageDraw, ImageOps

from cchc_graph.ingest import ocr
from cchc_graph.ingest.ocr import Box, OcrLine, PageImage, Piece

_BAND = 0.1  # inches: the depth of the bands rules are looked for in
_FILL = 0.75  # share of a band a piece of rule inks
_MAX_THICKNESS = 0.04  # inches: a darker run is a solid area (a photo, a black bar), not a rule
_MIN_PIECES = 3  # pieces a rule is made of: a letter's stem inks one band, never three
_CHAIN_FILL = 0.8  # share of the bands from its first piece to its last a rule inks
_DRIFT = 0.01  # inches a rule may move between two bands (skew, a wavering scan)
_SAME_LINE = 0.04  # inches apart at most: pieces of one grid line (broken by a merged cell)
_TOUCH = 0.02  # inches: a rule that ends this near another meets it; text stays further off
_MIN_COVER = 0.5  # share of a cell's side a rule must cover to part it from its neighbour
_PAD = 0.015  # inches kept clear of a cell's rules, so a rule is never read as a letter
_BORDER = 0.1  # inches of white around a cell as Tesseract reads it
_SKEW = 0.1  # degrees: a table turned further has its cells turned straight to be read
_ONE_LINE = 0.3  # inches: ink no higher than this is one line of text (16 pt with its marks)
_SPECK = 0.015  # inches: ink this small in both directions is dust, not text


@dataclass(frozen=True, slots=True)
class ScannedCell:
    box: Box  # around its inside (clear of its rules), in points
    lines: tuple[OcrLine, ...]  # boxes in points on the page


@dataclass(frozen=True, slots=True)
class ScannedTable:
    """A ruled table on a scan: `ids[r][c]` is the cell covering grid row r, column c (a merged
    cell covers several), `columns` the x of its column rules, all in points."""

    box: Box
    columns: tuple[float, ...]
    ids: tuple[tuple[int, ...], ...]
    cells: tuple[ScannedCell, ...]


@dataclass(slots=True)
class Rule:
    """A rule along one axis (x for a horizontal rule, y for a vertical one): `across = offset +
    slope * along`, inked from `start` to `end` (pixels); a grid line keeps the stretches
    (`inked`) of the rules it was made from."""

    offset: float
    slope: float
    start: float
    end: float
    thickness: float
    inked: list[tuple[float, float]]
    pieces: list[tuple[float, float]]  # (along, across) of each piece

    def at(self, along: float) -> float:
        return self.offset + self.slope * along


@dataclass(frozen=True, slots=True)
class RuledGrid:
    """A table's lines as found on the image (pixels): horizontal rules top to bottom, vertical
    ones left to right; `ids` as in ScannedTable."""

    rows: tuple[Rule, ...]
    columns: tuple[Rule, ...]
    ids: tuple[tuple[int, ...], ...]


def read_tables(path: Path, image: PageImage) -> list[ScannedTable]:
    """The ruled tables of a scanned page, each cell read by OCR: a cell of several lines on its
    own, a cell of one line beside the others of its row (`_side_by_side`); all the cells of the
    page in one Tesseract call."""
    grids = find_grids(image.colour, image.dpi)
    shapes = [[_cell_shape(grid, n, image.dpi) for n in range(_count(grid))] for grid in grids]
    level = ocr.ink_level(image.gray)
    groups: list[list[tuple[int, int, Piece]]] = []
    for table, grid in enumerate(grids):
        skew = _skew(grid)
        for row in _row_starts(grid):
            cut = {
                n: _inked_crop(image.gray, shapes[table][n], skew, level, image.dpi) for n in row
            }
            found = [(table, n, piece) for n, piece in cut.items() if piece is not None]
            groups += _side_by_side(found, image.dpi)
    doing = f"OCR of the table cells of page {image.number}"
    pieces = [[piece for _, _, piece in group] for group in groups]
    read = ocr.read_side_by_side(path, pieces, image.dpi, doing)
    lines = {
        (table, n): tuple(cell_lines)
        for group, group_lines in zip(groups, read, strict=True)
        for (table, n, _), cell_lines in zip(group, group_lines, strict=True)
    }
    scale = ocr.POINTS_PER_INCH / image.dpi
    tables = []
    for table, grid in enumerate(grids):
        cells = [
            (_straight(shape), lines.get((table, n), ())) for n, shape in enumerate(shapes[table])
        ]
        tables.append(_table(grid, cells, scale))
    return tables


def blank(image: Image.Image, tables: Iterable[ScannedTable], dpi: float) -> Image.Image:
    """The page with its tables painted white, for the OCR of the text around them."""
    blanked = image.copy()
    draw = ImageDraw.Draw(blanked)
    scale, margin = dpi / ocr.POINTS_PER_INCH, (_MAX_THICKNESS / 2 + _PAD) * dpi
    for table in tables:
        x0, top, x1, bottom = (value * scale for value in table.box)
        draw.rectangle((x0 - margin, top - margin, x1 + margin, bottom + margin), fill=255)
    return blanked


# -- finding the grids -----------------------------------------------------------------------


def find_grids(image: Image.Image, dpi: float) -> list[RuledGrid]:
    """The ruled tables of a page image (RGB or grayscale), in pixels."""
    ink = ocr.black_ink(image)
    band = max(2, round(_BAND * dpi))
    rows = _rules(ink.transpose(Image.Transpose.TRANSPOSE), band, dpi)  # horizontal rules
    columns = _rules(ink, band, dpi)
    grids = []
    for table_rows, table_columns in _crossing_groups(rows, columns, dpi):
        grid = _grid(table_rows, table_columns, dpi)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda grid: _crossing(grid.rows[0], grid.columns[0])[1])


def _rules(ink: Image.Image, band: int, dpi: float) -> list[Rule]:
    """The vertical rules of `ink` (transpose it for the horizontal ones)."""
    pixels = ink.tobytes()
    rules = []
    for chain in _chains(ink, band, dpi):
        # stacked stems of left-aligned lines ink every other band; a rule inks (nearly) all
        spanned = chain[-1][0] - chain[0][0] + 1
        if len(chain) >= max(_MIN_PIECES, _CHAIN_FILL * spanned):
            rule = _fitted(chain, band)
            rule.start = _reach(pixels, ink.size, rule, -1, dpi)
            rule.end = _reach(pixels, ink.size, rule, 1, dpi)
            rule.inked[:] = [(rule.start, rule.end)]
            rules.append(rule)
    return rules


def _chains(ink: Image.Image, band: int, dpi: float) -> list[list[tuple[int, float, int]]]:
    """Pieces of rules (band, centre, width) linked down the bands: a piece goes on with the
    nearest chain within the drift that has a piece one or two bands above."""
    reduced = ink.reduce((1, band))  # each row: the share of its band inked, column by column
    width, data = reduced.width, reduced.tobytes()
    full = re.compile(b"[" + re.escape(bytes([round(_FILL * 255)])) + b"-\xff]+")
    widest, drift = _MAX_THICKNESS * dpi, max(1.5, _DRIFT * dpi)
    chains: list[list[tuple[int, float, int]]] = []
    open_chains: list[list[tuple[int, float, int]]] = []
    for number in range(reduced.height):
        row = data[number * width : (number + 1) * width]
        open_chains = [chain for chain in open_chains if number - chain[-1][0] <= 2]
        taken: set[int] = set()
        for run in full.finditer(row):
            if run.end() - run.start() > widest:
                continue
            piece = (number, (run.start() + run.end() - 1) / 2, run.end() - run.start())
            near = [
                (abs(chain[-1][1] - piece[1]), n)
                for n, chain in enumerate(open_chains)
                if n not in taken
                and chain[-1][0] < number
                and abs(chain[-1][1] - piece[1]) <= drift
            ]
            if near:
                index = min(near)[1]
            else:
                chains.append([])
                open_chains.append(chains[-1])
                index = len(open_chains) - 1
            open_chains[index].append(piece)
            taken.add(index)
    return chains


def _fitted(chain: list[tuple[int, float, int]], band: int) -> Rule:
    pieces = [((number + 0.5) * band, centre) for number, centre, _ in chain]
    thickness = median(width for _, _, width in chain)
    return _line(pieces, [(pieces[0][0], pieces[-1][0])], thickness)


def _reach(pixels: bytes, size: tuple[int, int], rule: Rule, step: int, dpi: float) -> float:
    """Where the rule's ink ends, pixel by pixel beyond its last piece (a band only says that
    most of it is inked): a rule ends on the rule it meets, a line of text short of it."""
    along = int(rule.pieces[-1][0] if step > 0 else rule.pieces[0][0])
    width, height = size
    reach = ceil(rule.thickness / 2) + 1
    gap, last, missed = max(2, round(_DRIFT * dpi)), along, 0
    while 0 <= along + step < height and missed <= gap:
        along += step
        across = round(rule.at(along))
        inked = any(
            pixels[along * width + x]
            for x in range(max(0, across - reach), min(width, across + reach + 1))
        )
        last, missed = (along, 0) if inked else (last, missed + 1)
    return float(last)


def _line(
    pieces: list[tuple[float, float]], inked: list[tuple[float, float]], thickness: float
) -> Rule:
    """A least-squares line through the pieces (along -> across)."""
    count = len(pieces)
    mean_along = sum(a for a, _ in pieces) / count
    mean_across = sum(c for _, c in pieces) / count
    spread = sum((a - mean_along) ** 2 for a, _ in pieces)
    slope = sum((a - mean_along) * (c - mean_across) for a, c in pieces) / spread if spread else 0.0
    start, end = min(s for s, _ in inked), max(e for _, e in inked)
    return Rule(mean_across - slope * mean_along, slope, start, end, thickness, inked, pieces)


def _crossing(row: Rule, column: Rule) -> tuple[float, float]:
    """Where a horizontal rule (y of x) and a vertical one (x of y) meet: (x, y)."""
    x = (column.offset + column.slope * row.offset) / (1 - column.slope * row.slope)
    return x, row.at(x)


def _touch(row: Rule, column: Rule, dpi: float) -> bool:
    """Do the two rules meet (one may end on the other: a T, an L)?"""
    x, y = _crossing(row, column)
    slack = _TOUCH * dpi + max(row.thickness, column.thickness) / 2
    return (
        row.start - slack <= x <= row.end + slack
        and column.start - slack <= y <= column.end + slack
    )


class _Sets:
    """Disjoint sets of 0..count-1 (union-find): rules that cross, grid cells merged."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def find(self, n: int) -> int:
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(b)] = self.find(a)


def _crossing_groups(
    rows: list[Rule], columns: list[Rule], dpi: float
) -> list[tuple[list[Rule], list[Rule]]]:
    """The rules that cross one another, directly or through others: one group per table."""
    sets = _Sets(len(rows) + len(columns))
    for r, row in enumerate(rows):
        for c, column in enumerate(columns):
            if _touch(row, column, dpi):
                sets.join(r, len(rows) + c)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for n, rule in enumerate([*rows, *columns]):
        group = groups.setdefault(sets.find(n), ([], []))
        group[0 if n < len(rows) else 1].append(rule)
    return [group for group in groups.values() if group[0] and group[1]]


def _grid(rows: list[Rule], columns: list[Rule], dpi: float) -> RuledGrid | None:
    """The grid of a group of crossing rules, if it is a table: at least two columns between
    three vertical lines (a stamp or a framed note is a single box), each line bounding a cell."""
    # rules of one line are told apart at the middle of the table, where skew moves them least
    middle_x = median((row.start + row.end) / 2 for row in rows)
    middle_y = median((column.start + column.end) / 2 for column in columns)
    row_lines = _merged(rows, middle_x, _SAME_LINE * dpi)
    column_lines = _merged(columns, middle_y, _SAME_LINE * dpi)
    while True:  # a line that does not cross two others of the table bounds no cell
        kept_rows = [r for r in row_lines if sum(_touch(r, c, dpi) for c in column_lines) >= 2]
        kept_columns = [c for c in column_lines if sum(_touch(r, c, dpi) for r in kept_rows) >= 2]
        if (len(kept_rows), len(kept_columns)) == (len(row_lines), len(column_lines)):
            break
        row_lines, column_lines = kept_rows, kept_columns
    if len(row_lines) < 2 or len(column_lines) < 3:
        return None
    return RuledGrid(tuple(row_lines), tuple(column_lines), _cell_ids(row_lines, column_lines))


def _merged(rules: list[Rule], at: float, tolerance: float) -> list[Rule]:
    """Rules standing at the same place (pieces of one line a merged cell breaks) as one line."""
    lines: list[list[Rule]] = []
    for rule in sorted(rules, key=lambda rule: rule.at(at)):
        if lines and rule.at(at) - lines[-1][-1].at(at) <= tolerance:
            lines[-1].append(rule)
        else:
            lines.append([rule])
    return [
        _line(
            [piece for rule in line for piece in rule.pieces],
            [stretch for rule in line for stretch in rule.inked],
            median(rule.thickness for rule in line),
        )
        for line in lines
    ]


def _cell_ids(rows: list[Rule], columns: list[Rule]) -> tuple[tuple[int, ...], ...]:
    """Grid cells -> cells: neighbours with no rule between them are one cell."""
    height, width = len(rows) - 1, len(columns) - 1
    sets = _Sets(height * width)
    for r in range(height):
        for c in range(width):
            if c + 1 < width:
                line = columns[c + 1]
                top, bottom = _crossing(rows[r], line)[1], _crossing(rows[r + 1], line)[1]
                if not _parts(line, top, bottom):
                    sets.join(r * width + c, r * width + c + 1)
            if r + 1 < height:
                line = rows[r + 1]
                left, right = _crossing(line, columns[c])[0], _crossing(line, columns[c + 1])[0]
                if not _parts(line, left, right):
                    sets.join(r * width + c, (r + 1) * width + c)
    return _rectangles([[sets.find(r * width + c) for c in range(width)] for r in range(height)])


def _rectangles(merged: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    """Each merged cell as the rectangle it covers from its top left corner, numbered in
    reading order; a merge of another shape keeps what is left of it as cells of their own."""
    height, width = len(merged), len(merged[0])
    ids = [[-1] * width for _ in range(height)]
    count = 0
    for r in range(height):
        for c in range(width):
            if ids[r][c] >= 0:
                continue
            last_row, last_column = r, c
            while last_column + 1 < width and merged[r][last_column + 1] == merged[r][c]:
                last_column += 1
            while last_row + 1 < height and merged[last_row + 1][c] == merged[r][c]:
                last_row += 1
            for row in range(r, last_row + 1):
                for column in range(c, last_column + 1):
                    if ids[row][column] < 0:
                        ids[row][column] = count
            count += 1
    return tuple(tuple(row) for row in ids)


def _parts(line: Rule, start: float, end: float) -> bool:
    """Does `line` rule the side of a cell from `start` to `end` (along the line)?"""
    covered = sum(
        max(0.0, min(end, stretch_end) - max(start, stretch_start))
        for stretch_start, stretch_end in _union(line.inked)
    )
    return end > start and covered >= _MIN_COVER * (end - start)


def _union(stretches: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(stretches):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# -- reading the cells -----------------------------------------------------------------------


def _count(grid: RuledGrid) -> int:
    return 1 + max(max(row) for row in grid.ids)


def _cell_shape(grid: RuledGrid, cell: int, dpi: float) -> list[tuple[float, float]]:
    """The inside of a cell, clear of its rules: its corners (pixels), top left first. A skewed
    cell is a skewed shape; a rectangle within it would cut its tall lines' ends off."""
    spots = [(r, c) for r, row in enumerate(grid.ids) for c, n in enumerate(row) if n == cell]
    first_row, last_row = min(r for r, _ in spots), max(r for r, _ in spots)
    first_column, last_column = min(c for _, c in spots), max(c for _, c in spots)
    top = _inset(grid.rows[first_row], 1, dpi)
    bottom = _inset(grid.rows[last_row + 1], -1, dpi)
    left = _inset(grid.columns[first_column], 1, dpi)
    right = _inset(grid.columns[last_column + 1], -1, dpi)
    return [
        _crossing(top, left),
        _crossing(top, right),
        _crossing(bottom, right),
        _crossing(bottom, left),
    ]


def _inset(rule: Rule, side: int, dpi: float) -> Rule:
    """The rule moved to its edge and a pad beyond, towards the cell (side +1: right or down)."""
    return replace(rule, offset=rule.offset + side * (rule.thickness / 2 + _PAD * dpi))


def _skew(grid: RuledGrid) -> float:
    """How far the table is turned, in degrees (counter-clockwise on the image): its rows rise to
    the right as its columns lean right at the foot."""
    slopes = [row.slope for row in grid.rows] + [-column.slope for column in grid.columns]
    return -degrees(atan(median(slopes)))


def _inked_crop(
    gray: Image.Image, shape: list[tuple[float, float]], skew: float, level: int, dpi: float
) -> Piece | None:
    """The part of the cell that holds ink, white around it, turned straight and in black and
    white at the page's level; None for an empty cell, which is not worth a call to Tesseract.
    A skewed cell read as it is gives lines that seem to end early (a wrapped line taken for
    the end of a paragraph)."""
    left, top = max(0, floor(min(x for x, _ in shape))), max(0, floor(min(y for _, y in shape)))
    right = min(gray.width, ceil(max(x for x, _ in shape)))
    bottom = min(gray.height, ceil(max(y for _, y in shape)))
    if right <= left or bottom <= top:
        return None
    inside = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(inside).polygon([(x - left, y - top) for x, y in shape], fill=255)
    paper = Image.new("L", inside.size, 255)
    region = Image.composite(gray.crop((left, top, right, bottom)), paper, inside)
    origin = (float(left), float(top))
    if abs(skew) >= _SKEW:
        straight = region.rotate(-skew, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        # turned about its centre
        origin = (
            left - (straight.width - region.width) / 2,
            top - (straight.height - region.height) / 2,
        )
        region = straight
    inked = ocr.ink(region).getbbox()
    speck = _SPECK * dpi
    if inked is None or (inked[2] - inked[0] < speck and inked[3] - inked[1] < speck):
        return None
    pad, border = round(_PAD * dpi), round(_BORDER * dpi)
    x0, y0 = max(0, inked[0] - pad), max(0, inked[1] - pad)
    x1, y1 = min(region.width, inked[2] + pad), min(region.height, inked[3] + pad)
    ink = region.crop((x0, y0, x1, y1)).point([0 if v < level else 255 for v in range(256)])
    image = ImageOps.expand(ink, border=border, fill=255)
    return Piece(image, origin[0] + x0 - border, origin[1] + y0 - border)


def _row_starts(grid: RuledGrid) -> list[list[int]]:
    """The cells that start in each grid row, left to right (a merged cell in its top row)."""
    seen: set[int] = set()
    rows = []
    for row in grid.ids:
        rows.append([n for n in dict.fromkeys(row) if n not in seen])
        seen.update(row)
    return rows


def _side_by_side(
    crops: list[tuple[int, int, Piece]], dpi: float
) -> list[list[tuple[int, int, Piece]]]:
    """The cells of a row as Tesseract is to read them. A cell of one line goes beside the
    others of its row and the row's first cell of several lines: alone, a number ("5", "3") is
    taken for a line of small letters, scaled up and read "Đ" or "E)", while beside words it is
    read right. Two cells of several lines are never side by side: their lines would not be
    level."""
    border = 2 * round(_BORDER * dpi)
    single = [c for c in crops if c[2].image.height - border <= _ONE_LINE * dpi]
    several = [c for c in crops if c not in single]
    shared = sorted(single + several[:1], key=crops.index)
    alone = [[c] for c in several[1:]]
    return [shared, *alone] if shared else alone


def _straight(shape: list[tuple[float, float]]) -> Box:
    """The box of a cell turned straight about its centre (a skewed cell's sides)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = shape  # top left, top right, bottom right, left
    width = (hypot(x1 - x0, y1 - y0) + hypot(x2 - x3, y2 - y3)) / 2
    height = (hypot(x3 - x0, y3 - y0) + hypot(x2 - x1, y2 - y1)) / 2
    middle_x, middle_y = (x0 + x1 + x2 + x3) / 4, (y0 + y1 + y2 + y3) / 4
    return (
        middle_x - width / 2,
        middle_y - height / 2,
        middle_x + width / 2,
        middle_y + height / 2,
    )


def _bounds(points: Sequence[tuple[float, float]]) -> Box:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _scaled(box: Sequence[float], scale: float) -> Box:
    return (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)


def _table(
    grid: RuledGrid, cells: list[tuple[Box, tuple[OcrLine, ...]]], scale: float
) -> ScannedTable:
    """The table in points; each cell's box (pixels) with the lines read in it (points)."""
    top, bottom, left, right = grid.rows[0], grid.rows[-1], grid.columns[0], grid.columns[-1]
    box = _bounds([_crossing(row, column) for row in (top, bottom) for column in (left, right)])
    middle = (box[1] + box[3]) / 2
    columns = tuple(column.at(middle) * scale for column in grid.columns)
    scanned = tuple(ScannedCell(_scaled(cell_box, scale), lines) for cell_box, lines in cells)
    return ScannedTable(_scaled(box, scale), columns, grid.ids, scanned)
