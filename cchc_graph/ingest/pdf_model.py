"""pdf_model: the PDF reader's own small types: words, lines, ruled tables, layout regions, pages.

Every stage of reading a PDF (characters to lines, tables, what is left out, paragraphs) passes
these between its modules; they live here so that none of those modules imports another for its
types. Boxes are in points from the page's top left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in points, from the page's top left
Char = dict[str, Any]  # a pdfplumber character


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # font size; for OCR 3/4 of the height of the word's line
    confidence: float | None = None  # OCR, 0..100


@dataclass(frozen=True, slots=True)
class Line:
    words: tuple[Word, ...]
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    group: tuple[int, int] | None = None  # OCR: Tesseract's (block, paragraph)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(slots=True)
class Grid:
    """A ruled table: `ids[r][c]` is the cell covering grid row r, column c (a merged cell covers
    several); `texts[id]` are that cell's paragraphs. Rows keep their page when pages are joined."""

    page: int
    box: Box
    columns: list[float]
    ids: list[list[int]]
    texts: list[tuple[str, ...]]
    row_pages: list[int]

    @property
    def top(self) -> float:
        return self.box[1]


@dataclass(frozen=True, slots=True)
class Layout:
    """Two columns of lines side by side without rules: a letterhead or a signature block."""

    page: int
    box: Box
    columns: tuple[tuple[Line, ...], tuple[Line, ...]]

    @property
    def top(self) -> float:
        return self.box[1]


@dataclass(slots=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Grid] = field(default_factory=list)
    rules: list[Box] = field(default_factory=list)  # short horizontal rules outside tables
    references: list[Box] = field(default_factory=list)  # footnote reference digits, dropped
    scan_dpi: float | None = None
    ocr: bool = False
    unread: int = 0  # OCR lines left out: marks of stamps, signatures and handwriting


def box_around(lines: Sequence[Line]) -> Box:
    return (
        min(line.x0 for line in lines), min(line.top for line in lines),
        max(line.x1 for line in lines), max(line.bottom for line in lines),
    )  # fmt: skip


def rounded(box: Box) -> Box:
    return (round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2))
