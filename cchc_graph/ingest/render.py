"""render: Document -> the text the readers read, and where each of its lines comes from.

The readers read lines: a heading, paragraph or list item becomes one line (its numbering in
front, as Word or the page shows it), blocks apart by a blank line as in the text sources; a data
table becomes one tab-separated line per row, a cell of several paragraphs written as <p> items
(the form the table reader already knows from tab-separated annexes with HTML cells). A
vertically merged cell gives its value to every row it covers that starts an item of its own
(a number in the first column); a row that goes on with the item above keeps it empty, as the
text source would: a merged number or task text is said once.
A layout table (letterhead, signature) is read as the lines of its cells, row by row.

`locations[n - 1]` is where line n of the text comes from, so every fact keeps its place in the
original file.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from cchc_graph.ingest.model import Block, Cell, Document, Kind, Location
from cchc_graph.text import squash

_Add = Callable[[str, Location | None], None]


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    locations: tuple[Location | None, ...]
    confidence: tuple[float | None, ...]  # OCR's, for each line; empty when nothing was OCRed


def render(document: Document) -> Rendered:
    lines: list[str] = []
    locations: list[Location | None] = []
    confidence: list[float | None] = []
    block = None

    def add(line: str, location: Location | None) -> None:
        lines.append(line)
        locations.append(location)
        confidence.append(block.confidence if block is not None and line else None)

    for block in document.blocks:
        if lines:
            add("", None)
        if block.kind is Kind.TABLE:
            _table(block, add)
        else:
            text = squash(block.text)
            add(f"{block.marker} {text}" if block.marker else text, block.location)
    recognised = any(value is not None for value in confidence)
    return Rendered(
        "\n".join(lines) + "\n", tuple(locations), tuple(confidence) if recognised else ()
    )


def _table(block: Block, add: _Add) -> None:
    if block.layout:
        for row in block.rows:
            for cell in row.cells:
                if cell.continued:
                    continue
                for line in cell.lines:
                    if squash(line):
                        add(squash(line), cell.location)
        return
    for row in block.rows:
        # a merged cell's value is repeated in a row that starts an item of its own (the lead
        # merged over two tasks leads both); in a row that goes on with the item above (its
        # number merged down, or none) it stays empty, as the item's text is said once
        first = row.cells[0] if row.cells else None
        starts = first is not None and not first.continued and bool(first.text.strip())
        cells = [_cell(cell, repeat=starts) for cell in row.cells]
        add("\t".join(cells), row.location)


def _cell(cell: Cell, repeat: bool) -> str:
    if cell.continued and not repeat:
        return ""
    pieces = [squash(line.replace("\t", " ")) for line in cell.lines]
    pieces = [html.escape(piece, quote=False) for piece in pieces if piece]
    if len(pieces) <= 1:
        text = pieces[0] if pieces else ""
    else:
        text = "".join(f"<p>{piece}</p>" for piece in pieces)
    # a cell spanning columns keeps the grid: the columns it covers stay empty
    return text + "\t" * (cell.col_span - 1)
