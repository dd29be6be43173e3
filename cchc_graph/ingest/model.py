"""model: the one document model every format front-end produces.

A Document is a sequence of blocks in reading order: headings, paragraphs, list items and
tables. A table is rows of cells; a cell spanning columns keeps its span, and a vertically merged
cell is stated in its first row and marked `continued` (with the same text) in every row below it
that it covers, so a reader knows the value of every row and whether that row starts it.
Every block and cell knows where it stands in the source (`Location`), so a fact read from it can
be traced back: a line of a text file, a paragraph or table cell of a Word file, a page of a PDF,
an element of an HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Location:
    """Where a block or cell is in its source. Only the fields that the format has are set."""

    line: int | None = None  # text: 1-based line (and column)
    column: int | None = None
    paragraph: int | None = None  # Word: 1-based paragraph of the body
    table: int | None = None  # Word, HTML, PDF: 1-based table, row and cell
    row: int | None = None
    cell: int | None = None
    page: int | None = None  # PDF: 1-based page, and the box (x0, top, x1, bottom) in points
    box: tuple[float, float, float, float] | None = None  # on the first page
    page_end: int | None = None  # PDF: the last page of a paragraph that goes on over a break
    element: str | None = None  # HTML: the element's path ("body/div[2]/p[14]")

    def describe(self, language: str = "en") -> str:
        """A short human statement of the place: "page 3, table 1, row 5, cell 2"."""
        words = _WORDS[language]
        parts = []
        for name in ("page", "line", "column", "paragraph", "table", "row", "cell"):
            value = getattr(self, name)
            if name == "page" and value is not None and self.page_end not in (None, value):
                value = f"{value}–{self.page_end}"  # "page 6–7": over a page break
            if value is not None:
                parts.append(f"{words[name]} {value}")
        if self.element and not parts:
            parts.append(self.element)
        return ", ".join(parts)


_WORDS = {
    "en": {
        "page": "page",
        "line": "line",
        "column": "column",
        "paragraph": "paragraph",
        "table": "table",
        "row": "row",
        "cell": "cell",
    },
    "vi": {
        "page": "trang",
        "line": "dòng",
        "column": "cột",
        "paragraph": "đoạn",
        "table": "bảng",
        "row": "hàng",
        "cell": "ô",
    },
}


class Kind(StrEnum):
    """What a block of text is."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list-item"
    TABLE = "table"


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a table row. `lines` are its paragraphs; `col_span` the grid columns it
    covers; `continued` marks a row that a vertically merged cell above also covers."""

    lines: tuple[str, ...]
    location: Location
    col_span: int = 1
    continued: bool = False

    @property
    def text(self) -> str:
        return " ".join(line for line in self.lines if line)


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, paragraph or list item (`text`, with `marker` the list numbering as the reader
    sees it: "1.", "a)", "-"), or a table (`rows`). `layout` marks a table that only arranges
    the page (letterhead, signature, "Nơi nhận") rather than holding data."""

    kind: Kind
    location: Location
    text: str = ""
    marker: str = ""
    level: int = 0
    rows: tuple[Row, ...] = ()
    layout: bool = False
    confidence: float | None = None  # OCR: the engine's mean word confidence, 0..1


@dataclass(frozen=True, slots=True)
class Document:
    """A source file read into blocks, with how it was read."""

    name: str
    format: str  # text, docx, doc, html, pdf, pdf-ocr
    blocks: tuple[Block, ...]
    reader: str  # the front-end (and tool) that read it: "python-docx", "pdfplumber", ...
    notes: tuple[str, ...] = field(default=())  # what the front-end could not read, and where
