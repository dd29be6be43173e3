"""pdf_front: a PDF file -> Document; text layers read with pdfplumber, scanned pages by OCR.

Each page is read on its own (`pdf_page`: lines, ruled tables, or a scan read by `ocr`, its
ruled tables cell by cell by `ocr_tables`); then, across the pages, page numbers, running lines
and footnotes are left out of the body and counted in the notes, two-column regions become layout
tables (`pdf_layout`), a table that goes on over the next page is joined to its part above
(`pdf_tables`, scanned or not), and the lines left become paragraphs, list items and headings,
joined over lines and pages. A file that cannot be read is a SourceError naming it and why.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from cchc_graph.errors import SourceError
from cchc_graph.ingest.model import Block, Document, Kind, Location
from cchc_graph.ingest.pdf_layout import (
    layout_block,
    layout_regions,
    running_lines,
    split_footnotes,
)
from cchc_graph.ingest.pdf_model import Grid, Layout, Line, Page, box_around, rounded
from cchc_graph.ingest.pdf_page import read_page, read_scans
from cchc_graph.ingest.pdf_tables import append_part, joinable, table_block
from cchc_graph.ingest.pdf_text import MARKER, SENTENCE_END, join_lines
from cchc_graph.text import starts_lowercase

READER = f"pdfplumber {pdfplumber.__version__}"
_HEADING_MAX_LENGTH = 150

_Item = Line | Grid | Layout


def read(path: Path) -> Document:
    """Read a PDF into blocks; a file that cannot be read is a SourceError naming it and why."""
    _check_header(path)
    try:
        return _read(path)
    except SourceError:
        raise
    except Exception as error:  # pdfminer, pypdfium2 and Pillow raise many types: callers get one
        raise SourceError(path, 0, _reason(error)) from error


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as file:
            head = file.read(1024)
    except OSError as error:
        raise SourceError(path, 0, f"cannot open the file: {error.strerror or error}") from error
    if b"%PDF-" not in head:
        raise SourceError(path, 0, "not a PDF file: no %PDF- header in its first 1024 bytes")


def _reason(error: Exception) -> str:
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, PDFEncryptionError):
        return "the PDF is encrypted and opens only with a password: not read"
    if isinstance(cause, PSException):
        return f"a damaged PDF that pdfminer cannot parse ({type(cause).__name__}: {cause})"
    return f"the PDF could not be read ({type(cause).__name__}: {cause})"


def _read(path: Path) -> Document:
    with pdfplumber.open(path) as pdf:
        pages = []
        for page in pdf.pages:
            pages.append(read_page(page))
            page.close()  # drop the page's parsed objects: a long report stays small in memory
    notes: list[str] = []
    kind, reader = "pdf", READER
    if any(page.scan_dpi is not None for page in pages):
        kind, reader = "pdf-ocr", f"{READER} + {read_scans(path, pages, notes)}"
    blocks = _Assembler(pages, notes).blocks()
    if not blocks:
        notes.append("no text on any page: no text layer, and no scanned image to read")
    return Document(path.name, kind, tuple(blocks), reader, tuple(notes))


class _Assembler:
    """Pages -> blocks in reading order, across page breaks."""

    def __init__(self, pages: list[Page], notes: list[str]) -> None:
        self.pages = pages
        self.notes = notes
        self.sizes = {kind: _body_size(p for p in pages if p.ocr == kind) for kind in (False, True)}
        self.columns: dict[int, tuple[float, float]] = {}

    def blocks(self) -> list[Block]:
        running = running_lines(self.pages)
        footnotes = 0
        flow: list[list[_Item]] = []
        for page in self.pages:
            lines = [line for line in page.lines if id(line) not in running]
            # a "Nơi nhận" list beside the signature is small text at the bottom of the page
            # too: take the two-column blocks out before the footnotes
            layouts, lines = layout_regions(lines)
            lines, notes = split_footnotes(page, lines, self.sizes[page.ocr])
            footnotes += len(notes)
            flow.append(sorted([*lines, *page.tables, *layouts], key=lambda item: item.top))
        self._measure_columns(flow)
        if footnotes:
            self.notes.append(f"{footnotes} footnote lines left out of the body")
        if running:
            self.notes.append(
                f"{len(running)} page header/footer lines (page numbers, lines repeated on most "
                "pages) left out of the body"
            )
        return self._walk(flow)

    def _measure_columns(self, flow: list[list[_Item]]) -> None:
        """The text column (left and right edge) of each page, from the lines of all the pages of
        its size: the left edge is where most lines start, the right where most lines end."""
        starts: dict[tuple[int, int, bool], Counter[int]] = defaultdict(Counter)
        ends: dict[tuple[int, int, bool], Counter[int]] = defaultdict(Counter)
        for page, items in zip(self.pages, flow, strict=True):
            key = (round(page.width), round(page.height), page.ocr)
            for item in items:
                # a table spans the text column: on a page of tables its edges are the column's
                x0, x1 = (
                    (item.x0, item.x1) if isinstance(item, Line) else (item.box[0], item.box[2])
                )
                weight = len(item.ids) if isinstance(item, Grid) else 1
                starts[key][round(x0 / 2)] += weight  # 2 pt bins: OCR edges waver
                ends[key][round(x1 / 2)] += weight
        for page in self.pages:
            key = (round(page.width), round(page.height), page.ocr)
            left = 2.0 * starts[key].most_common(1)[0][0] if starts[key] else 0.0
            right = 2.0 * ends[key].most_common(1)[0][0] if ends[key] else page.width
            self.columns[page.number] = (left, max(right, left + 1))

    def _walk(self, flow: list[list[_Item]]) -> list[Block]:
        out: list[Block | Grid | Layout] = []
        paragraph: list[Line] = []
        open_table: Grid | None = None  # a table that ends its page, which the next may go on
        for items in flow:
            for position, item in enumerate(items):
                if isinstance(item, Line):
                    if paragraph and self._continues(paragraph[-1], item):
                        paragraph.append(item)
                    else:
                        self._flush(paragraph, out)
                        paragraph = [item]
                    continue
                self._flush(paragraph, out)
                paragraph = []
                if (
                    position == 0
                    and open_table
                    and isinstance(item, Grid)
                    and joinable(open_table, item)
                ):
                    append_part(open_table, item)
                    continue
                out.append(item)
            ends_with_table = bool(items) and isinstance(items[-1], Grid)
            open_table = out[-1] if ends_with_table and isinstance(out[-1], Grid) else None
        self._flush(paragraph, out)
        return _numbered(out)

    def _flush(self, paragraph: list[Line], out: list[Block | Grid | Layout]) -> None:
        if paragraph:
            out.append(self._paragraph_block(paragraph))

    def _continues(self, above: Line, line: Line) -> bool:
        """Does `line` go on with the paragraph whose last line is `above`?"""
        ocr_lines = above.group is not None  # OCR box heights vary with the marks a line carries
        if not ocr_lines and abs(line.size - above.size) > 0.15 * above.size:
            return False
        if above.page == line.page and line.top - above.bottom > 1.2 * line.size:
            return False
        if MARKER.match(line.text) and self._finished(above, line):
            return False
        if self._centred(above) and self._centred(line):
            return _upper(above.text) == _upper(line.text) and (
                starts_lowercase(line.text) or self._title_goes_on(above, line)
            )
        left, _ = self.columns[line.page]
        if line.x0 > left + max(6.0, 0.5 * line.size):  # a first-line indent
            return False
        # Tesseract's paragraph, or a line the one above could not hold (its paragraph goes on)
        same_paragraph = ocr_lines and above.page == line.page and above.group == line.group
        return same_paragraph or not self._finished(above, line)

    def _finished(self, above: Line, line: Line) -> bool:
        """Did the paragraph end at `above`: would the first word of `line` have fitted on it?"""
        _, right = self.columns[above.page]
        first_word = line.words[0].x1 - line.words[0].x0
        fits = above.x1 + 0.25 * above.size + first_word <= right - 0.25 * above.size
        return fits or (MARKER.match(line.text) is not None and above.text.endswith(SENTENCE_END))

    def _title_goes_on(self, above: Line, line: Line) -> bool:
        """A centred title set over lines of one case: "KẾT QUẢ ĐÁNH GIÁ … THUỘC XÂY DỰNG" /
        "VÀ PHÁT TRIỂN …"; a short line above ("PHỤ LỤC", "BÁO CÁO") is a title of its own."""
        left, right = self.columns[line.page]
        return (
            above.width >= 0.4 * (right - left)
            and not above.text.endswith(SENTENCE_END)
            and _upper(above.text) == _upper(line.text)
        )

    def _centred(self, line: Line) -> bool:
        """As far from the left edge of the text column as from the right, and well inside it."""
        left, right = self.columns[line.page]
        margin_left, margin_right = line.x0 - left, right - line.x1
        slack = 0.03 * (right - left)
        return margin_left > slack and abs(margin_left - margin_right) <= slack

    def _paragraph_block(self, lines: list[Line]) -> Block:
        text = join_lines(lines)
        first = lines[0]
        on_first_page = [line for line in lines if line.page == first.page]
        last_page = lines[-1].page
        location = Location(
            page=first.page,
            box=rounded(box_around(on_first_page)),
            page_end=last_page if last_page != first.page else None,
        )
        confidences = [
            w.confidence for line in lines for w in line.words if w.confidence is not None
        ]
        confidence = sum(confidences) / len(confidences) / 100 if confidences else None
        centred = all(self._centred(line) for line in lines)
        if centred and len(text) <= _HEADING_MAX_LENGTH and _upper(text):
            return Block(Kind.HEADING, location, text=text, confidence=confidence)
        marker = MARKER.match(text)
        if marker:
            item = text[marker.end() :]
            return Block(Kind.LIST_ITEM, location, item, marker["marker"], confidence=confidence)
        return Block(Kind.PARAGRAPH, location, text=text, confidence=confidence)


def _upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


def _numbered(out: list[Block | Grid | Layout]) -> list[Block]:
    blocks: list[Block] = []
    tables = 0
    for item in out:
        if isinstance(item, Block):
            blocks.append(item)
            continue
        tables += 1
        blocks.append(
            table_block(item, tables) if isinstance(item, Grid) else layout_block(item, tables)
        )
    return blocks


def _body_size(pages: Iterable[Page]) -> float:
    """The size most of the text is set in (weighted by characters): the body's."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size)] += len(line.text)
    if not sizes:
        return 0.0
    total, seen = sum(sizes.values()), 0
    for size in sorted(sizes):
        seen += sizes[size]
        if seen * 2 >= total:
            return float(size)
    return 0.0
