"""pdf_layout: what of a page's lines is not body text: running lines, footnotes, layout regions.

Page numbers and lines repeated at the same place on most pages sit in the margins; footnotes are
the small lines under the short rule Word draws (on a scan: the small lines from one that starts
with the note's number); two columns of lines side by side without rules (a letterhead, a
signature block) become a layout table. Kept apart from pdf_front, which joins what is left into
paragraphs: these are rules about the page, not about the text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from itertools import pairwise

from cchc_graph.ingest.model import Block, Cell, Kind, Location, Row
from cchc_graph.ingest.pdf_model import Layout, Line, Page, box_around, rounded
from cchc_graph.ingest.pdf_text import make_line

_FOOTNOTE_RATIO = 0.85  # footnote text: 10 pt under a 14 pt body
_COLUMN_GAP = 1.5  # a gap of 1.5 font sizes between words parts columns; justified words stay < 1
_MARGIN_BAND = 0.1  # page headers and footers sit in the top or bottom tenth of the page
_PAGE_NUMBER = re.compile(r"[-–—(\s]*(?:[Tt]rang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–—)\s]*")
# an OCR footnote starts with its raised number, read as digits or as a mark ("! Hội Công chứng…");
# never a dash: that starts a list ("- Như kính gửi;")
_OCR_NOTE_NUMBER = re.compile(r"\d{1,2}|[!?'‘’\"|*°¹²³⁴⁵⁶⁷⁸⁹]")


def running_lines(pages: list[Page]) -> set[int]:
    """Page numbers, and lines repeated at the same place on most pages, in the page margins."""
    found: set[int] = set()
    repeats: dict[tuple[str, int], list[Line]] = defaultdict(list)
    for page in pages:
        band = min(_MARGIN_BAND * page.height, 90.0)
        for line in page.lines:
            top, bottom = line.top < band, line.bottom > page.height - band
            if not (top or bottom):
                continue
            if _PAGE_NUMBER.fullmatch(line.text) and _outermost(line, page, top):
                found.add(id(line))
            else:
                repeats[(re.sub(r"\d+", "#", line.text), round(line.top / 4))].append(line)
    for lines in repeats.values():
        if len(pages) >= 3 and len({line.page for line in lines}) >= max(3, len(pages) / 2):
            found.update(id(line) for line in lines)
    return found


def _outermost(line: Line, page: Page, top: bool) -> bool:
    others = [(o.top, o.bottom) for o in page.lines if o is not line]
    others += [(table.box[1], table.box[3]) for table in page.tables]
    if top:
        return all(other_top >= line.bottom - 1 for other_top, _ in others)
    return all(other_bottom <= line.top + 1 for _, other_bottom in others)


def split_footnotes(
    page: Page, lines: list[Line], body_size: float
) -> tuple[list[Line], list[Line]]:
    """(body, footnotes): the small lines under a short drawn rule; without a rule, the run of
    small lines at the bottom of the page from one that starts with the note's number."""
    small = body_size * _FOOTNOTE_RATIO
    for rule in sorted(page.rules, key=lambda rule: rule[1]):
        below = [line for line in lines if line.top >= rule[3] - 1]
        if below and all(line.size <= small for line in below):
            return [line for line in lines if line.top < rule[3] - 1], below
    ordered = sorted(lines, key=lambda line: line.top)
    start = len(ordered)
    while start > 0 and ordered[start - 1].size <= small:
        start -= 1
    for first in range(start, len(ordered)):
        if _starts_note(ordered[first], page):
            # OCR reads some raised numbers as letters ("ù Cơ sở…"): on a
            # scan the whole run of small lines goes once one of them starts with a number
            cut = start if page.ocr else first
            return ordered[:cut], ordered[cut:]
    return lines, []


def _starts_note(line: Line, page: Page) -> bool:
    if page.ocr:
        return _OCR_NOTE_NUMBER.fullmatch(line.words[0].text) is not None
    return any(
        line.x0 - 2 * line.size <= box[2] <= line.x0 + 1
        and box[1] < line.bottom
        and box[3] > line.top
        for box in page.references
    )


def layout_regions(lines: list[Line]) -> tuple[list[Layout], list[Line]]:
    """Lines in two columns with a clear gutter between them -> layout regions; the rest stay."""
    ordered = sorted(lines, key=lambda line: line.top)
    layouts: list[Layout] = []
    rest: list[Line] = []
    start = 0
    while start < len(ordered):
        region = _region_from(ordered, start)
        if region is None:
            rest.append(ordered[start])
            start += 1
        else:
            layout, start = region
            layouts.append(layout)
    return layouts, rest


def _region_from(lines: list[Line], start: int) -> tuple[Layout, int] | None:
    """A region starts at a line with a wide gap between its words ("ỦY BAN NHÂN DÂN   CỘNG HÒA…")
    and takes each next line that leaves a part of that gap free (the gutter narrows)."""
    first = lines[start]
    gutters = _gaps(first, inner=True)
    end = start + 1
    while (
        gutters and end < len(lines) and lines[end].top - lines[end - 1].bottom <= 1.5 * first.size
    ):
        narrowed = [
            (max(a[0], b[0]), min(a[1], b[1]))
            for a in gutters
            for b in _gaps(lines[end], inner=False)
        ]
        narrowed = [gap for gap in narrowed if gap[1] - gap[0] >= first.size]
        if not narrowed:
            break
        gutters, end = narrowed, end + 1
    if not gutters or end - start < 2:
        return None
    widest = max(gutters, key=lambda gap: gap[1] - gap[0])
    middle = (widest[0] + widest[1]) / 2
    left = [
        make_line(words, line.page, line.group)
        for line in lines[start:end]
        if (words := [w for w in line.words if w.x1 <= middle])
    ]
    right = [
        make_line(words, line.page, line.group)
        for line in lines[start:end]
        if (words := [w for w in line.words if w.x0 > middle])
    ]
    if not left or not right:
        return None
    box = box_around(lines[start:end])
    return Layout(first.page, box, (tuple(left), tuple(right))), end


def _gaps(line: Line, inner: bool) -> list[tuple[float, float]]:
    """The stretches of x a line leaves free: between words set a column apart, and (unless
    `inner`) before and after the line."""
    words = line.words
    found = [(a.x1, b.x0) for a, b in pairwise(words) if b.x0 - a.x1 >= _COLUMN_GAP * line.size]
    if not inner:
        found += [(float("-inf"), line.x0), (line.x1, float("inf"))]
    return found


def layout_block(layout: Layout, number: int) -> Block:
    where = Location(page=layout.page, table=number, row=1)
    cells = tuple(
        Cell(tuple(line.text for line in column), replace(where, cell=n + 1))
        for n, column in enumerate(layout.columns)
    )
    location = Location(page=layout.page, table=number, box=rounded(layout.box))
    return Block(Kind.TABLE, location, rows=(Row(cells, where),), layout=True)
