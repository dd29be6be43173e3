"""pdf_page: a pdfplumber page -> Page (lines, ruled tables, short rules); a scanned page by OCR.

The characters of the page and of its e-signature widgets (which stamp the number and day of
"Số: 329/BC-UBND") are read together; tables are found from the rules that show (Word's white
boxes ignored); a page with almost no text and an image over it is a scan, rendered at its own
resolution and read by `ocr`: its ruled tables cell by cell (`ocr_tables`), then the text around
them. Kept apart from pdf_front, which assembles the pages once read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTItem
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.utils import apply_matrix_pt
from pdfplumber.page import Page as PlumberPage

from cchc_graph.ingest import ocr, ocr_tables
from cchc_graph.ingest.pdf_model import Box, Char, Grid, Line, Page, Word
from cchc_graph.ingest.pdf_tables import grid_from_cells, grid_from_scan
from cchc_graph.ingest.pdf_text import (
    chars_to_words,
    footnote_references,
    make_line,
    without_stray_spaces,
    words_to_lines,
)

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_SCAN_MAX_CHARS = 20  # fewer characters than this on a page covered by an image: a scan
_SCAN_MIN_COVER = 0.5
# an OCR line's box reaches from the marks above capitals to the descenders: about 4/3 of the
# font size (20 pt boxes for 14 pt text)
_OCR_SIZE_RATIO = 0.75
# an OCR line Tesseract is less than 30 % sure of is the trace of a stamp, a signature or a
# handwritten note ("G)" at 0 %), not text
_OCR_MIN_CONFIDENCE = 30.0
_OCR_DPI = (200.0, 300.0)  # a scan is rendered at its own resolution, kept within these bounds
_HIDDEN_ANNOTATION = 2 | 32  # annotation flags Hidden and NoView


def read_page(page: PlumberPage) -> Page:
    chars = [*page.chars, *_widget_chars(page)]
    read = Page(page.page_number, float(page.width), float(page.height))
    read.scan_dpi = _scan_dpi(page, chars)
    if read.scan_dpi is not None:
        return read
    references = footnote_references(chars)
    read.references = [_box(char) for char in references.values()]
    chars = without_stray_spaces([references.get(id(char), char) for char in chars])
    drawn = page.filter(_is_drawn)
    tables = [
        table
        for table in drawn.find_tables(_TABLE_SETTINGS)
        if len(table.cells) > 1 and min(_width(table.bbox), _height(table.bbox)) > 4
    ]
    in_tables: list[list[Char]] = [[] for _ in tables]
    outside: list[Char] = []
    for char in chars:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        found = next((n for n, table in enumerate(tables) if _contains(table.bbox, x, y)), None)
        (outside if found is None else in_tables[found]).append(char)
    read.tables = [
        grid_from_cells(table.cells, table.bbox, table_chars, read.number)
        for table, table_chars in zip(tables, in_tables, strict=True)
    ]
    read.lines = words_to_lines(chars_to_words(outside), read.number)
    read.rules = [
        _box(rule)
        for rule in (*drawn.rects, *drawn.lines)
        if rule["bottom"] - rule["top"] <= 2
        and rule["x1"] - rule["x0"] >= 20
        and not any(_contains(table.bbox, rule["x0"] + 1, rule["top"]) for table in tables)
    ]
    return read


def read_scans(path: Path, pages: list[Page], notes: list[str]) -> str:
    """OCR the scanned pages in place: the ruled tables cell by cell, then the text around
    them; returns the engine as the reader names it."""
    scans = {page.number: page.scan_dpi for page in pages if page.scan_dpi is not None}
    version = ocr.engine_version(path)
    for image in ocr.render(path, scans):
        pages[image.number - 1] = _read_scan(path, pages[image.number - 1], image)
    dpis = "-".join(str(dpi) for dpi in sorted({round(dpi) for dpi in scans.values()}))
    notes.append(
        f"pages {', '.join(map(str, scans))} have no text layer: read by OCR at {dpis} dpi"
    )
    unread = sum(page.unread for page in pages)
    if unread:
        notes.append(
            f"{unread} OCR lines under {_OCR_MIN_CONFIDENCE:.0f} % confidence (stamps, "
            "signatures, handwriting) left out"
        )
    return f"Tesseract {version} ({ocr.LANGUAGE})"


def _read_scan(path: Path, page: Page, image: ocr.PageImage) -> Page:
    tables = ocr_tables.read_tables(path, image)
    text = ocr_tables.blank(image.gray, tables, image.dpi) if tables else image.gray
    # a page that is all table has nothing left to read: no call for it
    inked = ocr.has_ink(text)
    lines = ocr.read_page(path, text, image.dpi, image.number) if inked else []
    grids: list[Grid] = [
        grid_from_scan(table, [_ocr_lines(page, cell.lines) for cell in table.cells], page.number)
        for table in tables
    ]
    return replace(page, lines=_ocr_lines(page, lines), tables=grids, ocr=True)


def _ocr_lines(page: Page, lines: Iterable[ocr.OcrLine]) -> list[Line]:
    """OCR lines -> the page's lines; the lines OCR is hardly sure of are counted, not kept."""
    made = []
    for line in lines:
        if sum(w.confidence for w in line.words) < _OCR_MIN_CONFIDENCE * len(line.words):
            page.unread += 1
            continue
        size = _OCR_SIZE_RATIO * (line.box[3] - line.box[1])
        words = [Word(w.text, *w.box, size=size, confidence=w.confidence) for w in line.words]
        made.append(make_line(words, page.number, line.paragraph))
    return made


def _scan_dpi(page: PlumberPage, chars: list[Char]) -> float | None:
    """The resolution to OCR the page at, when it is a scan: almost no text, an image over it."""
    if sum(1 for char in chars if char["text"].strip()) >= _SCAN_MAX_CHARS:
        return None
    for image in page.images:
        width, height = image["x1"] - image["x0"], image["bottom"] - image["top"]
        if width > 0 and width * height >= _SCAN_MIN_COVER * page.width * page.height:
            # rendering above the scan's own resolution only interpolates (measured: no better)
            own = float(image["srcsize"][0]) / (width / 72)
            return float(min(max(own, _OCR_DPI[0]), _OCR_DPI[1]))
    return None


def _is_drawn(obj: dict[str, Any]) -> bool:
    """A rule or border that shows. Word puts a white box and white side lines behind every line
    of text in some reports: the table finder would read them as a grid."""
    kind = obj.get("object_type")
    if kind == "rect":
        filled = obj.get("fill") and not _white(obj.get("non_stroking_color"))
        stroked = obj.get("stroke") and not _white(obj.get("stroking_color"))
        return bool(filled or stroked)
    return kind in ("line", "curve") and not _white(obj.get("stroking_color"))


def _white(color: object) -> bool:
    if isinstance(color, int | float):
        return bool(color >= 0.95)
    if isinstance(color, tuple | list) and color and all(isinstance(v, int | float) for v in color):
        if len(color) == 4:  # CMYK: no ink at all
            return bool(max(color) <= 0.05)
        return bool(min(color) >= 0.95)
    return False


def _widget_chars(page: PlumberPage) -> list[Char]:
    """Text drawn by the page's annotations: e-signature widgets stamp the number and day on
    "Số: …/BC-UBND", or the number and day together ("Số: …/TTr-SNV; …/12/2025")."""
    chars: list[Char] = []
    for annotation in page.annots:
        data = annotation["data"]
        if int(resolve1(data.get("F", 0)) or 0) & _HIDDEN_ANNOTATION:
            continue
        appearance = resolve1(data.get("AP"))
        form = resolve1(appearance.get("N")) if isinstance(appearance, dict) else None
        if isinstance(form, PDFStream) and data.get("Rect"):
            rect = tuple(float(v) for v in resolve1(data["Rect"]))
            chars.extend(_form_chars(page, form, (rect[0], rect[1], rect[2], rect[3])))
    return chars


def _form_chars(page: PlumberPage, form: PDFStream, rect: Box) -> list[Char]:
    # PDF 32000-1 12.5.5: the form's BBox, transformed by its Matrix, is fitted onto the Rect
    a, b, c, d, e, f = (float(v) for v in resolve1(form.get("Matrix", (1, 0, 0, 1, 0, 0))))
    x0, y0, x1, y1 = (float(v) for v in resolve1(form.get("BBox", (0, 0, 1, 1))))
    corners = [apply_matrix_pt((a, b, c, d, e, f), (x, y)) for x in (x0, x1) for y in (y0, y1)]
    left, right = min(x for x, _ in corners), max(x for x, _ in corners)
    low, high = min(y for _, y in corners), max(y for _, y in corners)
    scale_x = (rect[2] - rect[0]) / (right - left) if right > left else 1.0
    scale_y = (rect[3] - rect[1]) / (high - low) if high > low else 1.0
    fitted = (
        a * scale_x, b * scale_y, c * scale_x, d * scale_y,
        (e - left) * scale_x + rect[0], (f - low) * scale_y + rect[1],
    )  # fmt: skip
    resources = PDFResourceManager()
    device = PDFPageAggregator(resources)
    device.begin_page(page.page_obj, (1, 0, 0, 1, 0, 0))
    PDFPageInterpreter(resources, device).render_contents(
        resolve1(form.get("Resources")) or {}, [form], ctm=fitted
    )
    device.end_page(page.page_obj)
    media_left, _, _, media_top = page.page_obj.mediabox
    return [
        {
            "text": char.get_text(),
            "x0": char.x0 - media_left,
            "x1": char.x1 - media_left,
            "top": media_top - char.y1,
            "bottom": media_top - char.y0,
            "doctop": media_top - char.y1 + page.initial_doctop,
            "size": char.size,
            "upright": char.upright,
            "object_type": "char",
            "annotation": True,
        }
        for char in _layout_chars(device.get_result())
    ]


def _layout_chars(item: LTItem) -> Iterable[LTChar]:
    if isinstance(item, LTChar):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _layout_chars(child)


def _box(obj: dict[str, Any]) -> Box:
    return (float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))


def _width(box: Any) -> float:
    return float(box[2] - box[0])


def _height(box: Any) -> float:
    return float(box[3] - box[1])


def _contains(box: Any, x: float, y: float) -> bool:
    return bool(box[0] <= x <= box[2] and box[1] <= y <= box[3])
