"""pdf_front: a PDF file -> Document; text layers read with pdfplumber, scanned pages by OCR.

Per page, ruled tables (pdfplumber's table finder on the rules that show) become table blocks read
cell by cell from their grid; the other text becomes lines, then paragraphs, list items and
headings. Page numbers, lines repeated on most pages and footnotes (the small text under the short
rule Word draws) are left out of the body and counted in the notes; footnote references (raised
small digits) are dropped from the text. A paragraph or table that runs on to the next page is
joined, and a table header repeated there is dropped. Two columns of lines side by side without
rules (letterhead, signature) become a layout table. Text stamped by e-signature widgets (the "329"
and the day of "Số: 329/BC-UBND") is read with the page. A page with no text layer and an image
over it is read by OCR (`ocr`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTItem
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psexceptions import PSException
from pdfminer.utils import apply_matrix_pt
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import extract_words

from cchc_graph.errors import SourceError
from cchc_graph.ingest import ocr
from cchc_graph.ingest.model import Block, Cell, Document, Kind, Location, Row
from cchc_graph.text import nfc, starts_lowercase

READER = f"pdfplumber {pdfplumber.__version__}"

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in points, from the page's top left
Char = dict[str, Any]  # a pdfplumber character

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_SCAN_MAX_CHARS = 20  # fewer characters than this on a page covered by an image: a scan
_SCAN_MIN_COVER = 0.5
# an OCR line's box reaches from the marks above capitals to the descenders: about 4/3 of the
# font size (20 pt boxes for the 14 pt text of lamdong_stp_ttr62)
_OCR_SIZE_RATIO = 0.75
# an OCR line Tesseract is less than 30 % sure of is the trace of a stamp, a signature or a
# handwritten note ("G)" at 0 % on page 3 of lamdong_bca), not text
_OCR_MIN_CONFIDENCE = 30.0
_OCR_DPI = (200.0, 300.0)  # a scan is rendered at its own resolution, kept within these bounds
_HIDDEN_ANNOTATION = 2 | 32  # annotation flags Hidden and NoView
_SUPERSCRIPT_RATIO = 0.8  # a footnote reference: 9 pt digits after 14 pt text (lamdong_bc329)
_FOOTNOTE_RATIO = 0.85  # footnote text: 10 pt under a 14 pt body (lamdong_bc329)
_WORD_GAP = 0.2
_COLUMN_GAP = 1.5  # a gap of 1.5 font sizes between words parts columns; justified words stay < 1
_MARGIN_BAND = 0.1  # page headers and footers sit in the top or bottom tenth of the page
_JOIN_TOLERANCE = 3.0  # points a table's column rules may move between its pages
_HEADING_MAX_LENGTH = 150
# what a footnote reference is replaced by: no text, but not a space (a space would part words,
# and pdfplumber takes an empty text for punctuation to split at)
_BLANK = "\u200b"
_SENTENCE_END = (".", ";", ":", "!", "?")

# a list marker at the start of a line: "II.", "1.", "1.2.", "3.2", "a)", "đ)", "-", "+", "•"
_MARKER = re.compile(
    r"(?P<marker>(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})\."
    r"|\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+"
    r"|[a-zđ]\)|[-–—+•*])\s+(?=\S)"
)
_PAGE_NUMBER = re.compile(r"[-–—(\s]*(?:[Tt]rang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–—)\s]*")
# an OCR footnote starts with its raised number, read as digits or as a mark ("! Hội Công chứng…",
# lamdong_stp page 2); never a dash: that starts a list ("- Như kính gửi;")
_OCR_NOTE_NUMBER = re.compile(r"\d{1,2}|[!?'‘’\"|*°¹²³⁴⁵⁶⁷⁸⁹]")


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # font size; for OCR 3/4 of the height of the word's line
    confidence: float | None = None  # OCR, 0..100


@dataclass(frozen=True, slots=True)
class _Line:
    words: tuple[_Word, ...]
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
class _Grid:
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
class _Layout:
    """Two columns of lines side by side without rules: a letterhead or a signature block."""

    page: int
    box: Box
    columns: tuple[tuple[_Line, ...], tuple[_Line, ...]]

    @property
    def top(self) -> float:
        return self.box[1]


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)
    tables: list[_Grid] = field(default_factory=list)
    rules: list[Box] = field(default_factory=list)  # short horizontal rules outside tables
    references: list[Box] = field(default_factory=list)  # footnote reference digits, dropped
    scan_dpi: float | None = None
    ocr: bool = False
    unread: int = 0  # OCR lines left out: marks of stamps, signatures and handwriting


_Item = _Line | _Grid | _Layout


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
            pages.append(_read_page(page))
            page.close()  # drop the page's parsed objects: a long report stays small in memory
    notes: list[str] = []
    kind, reader = "pdf", READER
    if any(page.scan_dpi is not None for page in pages):
        kind, reader = "pdf-ocr", f"{READER} + {_read_scans(path, pages, notes)}"
    blocks = _Assembler(pages, notes).blocks()
    if not blocks:
        notes.append("no text on any page: no text layer, and no scanned image to read")
    return Document(path.name, kind, tuple(blocks), reader, tuple(notes))


def _read_scans(path: Path, pages: list[_Page], notes: list[str]) -> str:
    """OCR the scanned pages in place; returns the engine as the reader names it."""
    scans = {page.number: page.scan_dpi for page in pages if page.scan_dpi is not None}
    version = ocr.engine_version(path)
    for number, lines in ocr.recognise(path, scans).items():
        pages[number - 1] = _ocr_page(pages[number - 1], lines)
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


# -- one page of a text layer ------------------------------------------------------------------


def _read_page(page: Page) -> _Page:
    chars = [*page.chars, *_widget_chars(page)]
    read = _Page(page.page_number, float(page.width), float(page.height))
    read.scan_dpi = _scan_dpi(page, chars)
    if read.scan_dpi is not None:
        return read
    references = _references(chars)
    read.references = [_box(char) for char in references.values()]
    chars = _without_stray_spaces([references.get(id(char), char) for char in chars])
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
        _grid(table.cells, table.bbox, table_chars, read.number)
        for table, table_chars in zip(tables, in_tables, strict=True)
    ]
    read.lines = _lines(_words(outside), read.number)
    read.rules = [
        _box(rule)
        for rule in (*drawn.rects, *drawn.lines)
        if rule["bottom"] - rule["top"] <= 2
        and rule["x1"] - rule["x0"] >= 20
        and not any(_contains(table.bbox, rule["x0"] + 1, rule["top"]) for table in tables)
    ]
    return read


def _scan_dpi(page: Page, chars: list[Char]) -> float | None:
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
    of text on pages 5-24 of lamdong_bc329: the table finder would read them as a grid."""
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


def _references(chars: list[Char]) -> dict[int, Char]:
    """Footnote references: runs of digits smaller than the text beside them and raised above its
    baseline ("các ngành¹." on page 1 of lamdong_bc329, 9 pt after 14 pt). Each maps to a blank
    copy set on the text's line, which keeps "ngành" and "." one word."""
    found: dict[int, Char] = {}
    start = 0
    while start < len(chars):
        end = start
        while end < len(chars) and chars[end]["text"].isdigit():
            end += 1
        beside = _raised_beside(chars, start, end) if end > start else None
        if beside is not None:
            for char in chars[start:end]:
                found[id(char)] = {
                    **char,
                    "text": _BLANK,
                    "top": beside["top"],
                    "bottom": beside["bottom"],
                }
        start = max(end, start + 1)
    return found


def _raised_beside(chars: list[Char], start: int, end: int) -> Char | None:
    """The larger character a run of digits is raised beside, if it is a footnote reference."""
    first, last = chars[start], chars[end - 1]
    size, bottom = first["size"], max(char["bottom"] for char in chars[start:end])
    for step, edge in ((-1, start - 1), (1, end)):
        other = _beside(chars, edge, step)
        if other is None or other["size"] * _SUPERSCRIPT_RATIO < size:
            continue
        near = (
            abs(first["x0"] - other["x1"]) < other["size"]
            if step < 0
            else 0 <= other["x0"] - last["x1"] < 2 * other["size"]
        )
        raised = bottom < other["bottom"] - 0.1 * other["size"] and other["top"] < bottom
        if near and raised:
            return None if step < 0 and other["text"] == "m" else other  # "m²" is a unit
    return None


def _without_stray_spaces(chars: list[Char]) -> list[Char]:
    """Drop spaces drawn under other characters of the page: a stray space inside "/BC-UBND"
    (lamdong_bc329 page 1) would part it."""
    rows: dict[int, list[Char]] = defaultdict(list)
    for char in chars:
        if char["text"].strip() and "annotation" not in char:
            rows[_row_key(char)].append(char)
    starts: dict[int, list[float]] = {}
    for key, row in rows.items():
        row.sort(key=lambda char: char["x0"])
        starts[key] = [char["x0"] for char in row]
    return [char for char in chars if not (char["text"].isspace() and _covered(char, rows, starts))]


def _row_key(char: Char) -> int:
    return int((char["top"] + char["bottom"]) / 16)


def _covered(space: Char, rows: dict[int, list[Char]], starts: dict[int, list[float]]) -> bool:
    width, key = space["x1"] - space["x0"], _row_key(space)
    for near in (key - 1, key, key + 1):
        row, xs = rows.get(near, []), starts.get(near, [])
        for other in row[bisect_right(xs, space["x0"] - 20) : bisect_right(xs, space["x1"])]:
            overlap = min(other["x1"], space["x1"]) - max(other["x0"], space["x0"])
            if (
                overlap > 0.5 * width
                and other["top"] < space["bottom"]
                and other["bottom"] > space["top"]
            ):
                return True
    return False


def _beside(chars: list[Char], index: int, step: int) -> Char | None:
    for _ in range(3):  # past the spaces between a footnote's number and its text
        if not 0 <= index < len(chars):
            return None
        if chars[index]["text"].strip():
            return chars[index]
        index += step
    return None


def _widget_chars(page: Page) -> list[Char]:
    """Text drawn by the page's annotations: e-signature widgets stamp the number and day on
    "Số: …/BC-UBND" (lamdong_bc329 page 1) or "Số: 666/TTr-SNV; 22/12/2025" (lamdong_tonghop)."""
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


def _form_chars(page: Page, form: PDFStream, rect: Box) -> list[Char]:
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


def _words(chars: list[Char]) -> list[_Word]:
    """Words of the page's text, and apart from them words of the annotations: a signature
    stamps "19" into the blank of "ngày      tháng" (lamdong_bc329 page 25), a word of its own."""
    words = []
    page_chars = [char for char in chars if "annotation" not in char]
    stamped = [char for char in chars if "annotation" in char]
    for word in [*_extract(page_chars), *_extract(stamped)]:
        text = nfc(word["text"].replace(_BLANK, ""))
        if not text.strip():
            continue  # a footnote reference alone, blanked
        sizes = Counter(round(char["size"], 1) for char in word["chars"])
        box = (word["x0"], word["top"], word["x1"], word["bottom"])
        words.append(_Word(text, *box, size=sizes.most_common(1)[0][0]))
    return words


def _extract(chars: list[Char]) -> list[dict[str, Any]]:
    # a gap of a fifth of the font size parts words: TeX sets no space characters and closes
    # up justified lines to 2.5 pt at 10 pt, under pdfplumber's fixed 3 pt
    return extract_words(chars, return_chars=True, x_tolerance_ratio=_WORD_GAP)


def _lines(words: Iterable[_Word], page: int) -> list[_Line]:
    """Words -> lines: a word joins the line whose first word it overlaps by half a height, not
    only touches (a 11 pt "Nơi nhận" list beside a 14 pt signature title steps at its own pitch)."""
    rows: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        for row in reversed(rows[-6:]):
            anchor = row[0]
            overlap = min(anchor.bottom, word.bottom) - max(anchor.top, word.top)
            if overlap >= 0.5 * min(anchor.bottom - anchor.top, word.bottom - word.top):
                row.append(word)
                break
        else:
            rows.append([word])
    return [_line(row, page) for row in rows]


def _line(words: Sequence[_Word], page: int, group: tuple[int, int] | None = None) -> _Line:
    ordered = tuple(sorted(words, key=lambda w: w.x0))
    sizes: Counter[float] = Counter()
    for word in ordered:
        sizes[word.size] += len(word.text)
    return _Line(
        ordered, page, min(w.x0 for w in ordered), min(w.top for w in ordered),
        max(w.x1 for w in ordered), max(w.bottom for w in ordered), sizes.most_common(1)[0][0],
        group,
    )  # fmt: skip


def _ocr_page(page: _Page, lines: list[ocr.OcrLine]) -> _Page:
    made = []
    for line in lines:
        if sum(w.confidence for w in line.words) < _OCR_MIN_CONFIDENCE * len(line.words):
            page.unread += 1
            continue
        size = _OCR_SIZE_RATIO * (line.box[3] - line.box[1])
        words = [_Word(w.text, *w.box, size=size, confidence=w.confidence) for w in line.words]
        made.append(_line(words, page.number, line.paragraph))
    return replace(page, lines=made, ocr=True)


# -- tables ------------------------------------------------------------------------------------


def _grid(cells: list[Any], box: Any, chars: list[Char], page: int) -> _Grid:
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
    lines = [_lines(_words(cell_chars), page) for cell_chars in contents]
    # the table's inner cell margin: where its left-aligned text starts
    padding = max(
        0.0,
        min((line.x0 - boxes[n][0] for n, cell in enumerate(lines) for line in cell), default=0),
    )
    texts = [_cell_paragraphs(cell, boxes[n], padding) for n, cell in enumerate(lines)]
    table_box = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    return _Grid(page, table_box, xs, ids, texts, [page] * len(ids))


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


def _cell_paragraphs(lines: list[_Line], box: Box, padding: float) -> tuple[str, ...]:
    """A cell's lines -> its paragraphs: a line joins the one above when its first word would not
    have fitted there (the line was wrapped), unless it starts a list item after a finished one."""
    width = box[2] - box[0] - 2 * padding
    ordered = sorted(lines, key=lambda line: line.top)
    # the space between the lines of one paragraph is the cell's smallest; a paragraph set
    # apart by the spacing Word adds after it leaves a wider one
    gaps = [b.top - a.bottom for a, b in pairwise(ordered)]
    tight = min(gaps) if len(gaps) > 1 else None
    paragraphs: list[list[_Line]] = []
    for line in ordered:
        above = paragraphs[-1][-1] if paragraphs else None
        gap = line.top - above.bottom if above is not None else 0.0
        spaced = tight is not None and gap > tight + 0.35 * line.size
        if above is not None and gap < line.size and not spaced and _wrapped(above, line, width):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return tuple(_join(paragraph) for paragraph in paragraphs)


def _wrapped(above: _Line, line: _Line, width: float) -> bool:
    # a size of slack: the cell's inner margins are not drawn, and narrow cells wrap early
    full = (
        above.width + 0.25 * above.size + (line.words[0].x1 - line.words[0].x0) > width - line.size
    )
    return full and not (_MARKER.match(line.text) and above.text.endswith(_SENTENCE_END))


def _joinable(above: _Grid, below: _Grid) -> bool:
    """The same columns, by their widths: a landscape page may place the table elsewhere
    (lamdong_bc329 page 35 goes on with Biểu mẫu 7 from page 34, 27 pt to the right)."""
    widths = [b - a for a, b in pairwise(above.columns)]
    others = [b - a for a, b in pairwise(below.columns)]
    return len(widths) == len(others) and all(
        abs(a - b) <= _JOIN_TOLERANCE for a, b in zip(widths, others, strict=True)
    )


def _append(above: _Grid, below: _Grid) -> None:
    """Join the part of a table on the next page; a header repeated there is dropped, and a cell
    merged down from that header continues the cell above it instead (lamdong_bc329 page 26)."""
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


def _row_goes_on(above: _Grid, below: _Grid, row: int) -> bool:
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


def _join_row(above: _Grid, below: _Grid, row: int) -> None:
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


def _header_rows(grid: _Grid) -> int:
    first, count = set(grid.ids[0]), 1
    while count < len(grid.ids) and first & set(grid.ids[count]):
        count += 1
    return count


def _repeats(header: list[str], row: list[str], first: bool) -> bool:
    """Does a row on the next page repeat a header row? The first exactly; a lower one may leave
    blank what the header merged down (lamdong_bc329 page 35 redraws "STT" one row high)."""
    if first:
        return header == row
    return any(row) and all(text in ("", above) for above, text in zip(header, row, strict=True))


def _row_texts(grid: _Grid, row: int) -> list[str]:
    return [" ".join(grid.texts[cell]) for cell in grid.ids[row]]


def _table_block(grid: _Grid, number: int) -> Block:
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
    location = Location(page=grid.page, table=number, box=_rounded(grid.box))
    return Block(Kind.TABLE, location, rows=tuple(rows))


def _layout_block(layout: _Layout, number: int) -> Block:
    where = Location(page=layout.page, table=number, row=1)
    cells = tuple(
        Cell(tuple(line.text for line in column), replace(where, cell=n + 1))
        for n, column in enumerate(layout.columns)
    )
    location = Location(page=layout.page, table=number, box=_rounded(layout.box))
    return Block(Kind.TABLE, location, rows=(Row(cells, where),), layout=True)


# -- the body: what is left out, layout regions, paragraphs -------------------------------------


class _Assembler:
    """Pages -> blocks in reading order, across page breaks."""

    def __init__(self, pages: list[_Page], notes: list[str]) -> None:
        self.pages = pages
        self.notes = notes
        self.sizes = {kind: _body_size(p for p in pages if p.ocr == kind) for kind in (False, True)}
        self.columns: dict[int, tuple[float, float]] = {}

    def blocks(self) -> list[Block]:
        running = _running_lines(self.pages)
        footnotes = 0
        flow: list[list[_Item]] = []
        for page in self.pages:
            lines = [line for line in page.lines if id(line) not in running]
            # a "Nơi nhận" list beside the signature is small text at the bottom of the page
            # too (lamdong_bca page 3): take the two-column blocks out before the footnotes
            layouts, lines = _layout_regions(lines)
            lines, notes = _split_footnotes(page, lines, self.sizes[page.ocr])
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
                    (item.x0, item.x1) if isinstance(item, _Line) else (item.box[0], item.box[2])
                )
                weight = len(item.ids) if isinstance(item, _Grid) else 1
                starts[key][round(x0 / 2)] += weight  # 2 pt bins: OCR edges waver
                ends[key][round(x1 / 2)] += weight
        for page in self.pages:
            key = (round(page.width), round(page.height), page.ocr)
            left = 2.0 * starts[key].most_common(1)[0][0] if starts[key] else 0.0
            right = 2.0 * ends[key].most_common(1)[0][0] if ends[key] else page.width
            self.columns[page.number] = (left, max(right, left + 1))

    def _walk(self, flow: list[list[_Item]]) -> list[Block]:
        out: list[Block | _Grid | _Layout] = []
        paragraph: list[_Line] = []
        open_table: _Grid | None = None  # a table that ends its page, which the next may go on
        for items in flow:
            for position, item in enumerate(items):
                if isinstance(item, _Line):
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
                    and isinstance(item, _Grid)
                    and _joinable(open_table, item)
                ):
                    _append(open_table, item)
                    continue
                out.append(item)
            ends_with_table = bool(items) and isinstance(items[-1], _Grid)
            open_table = out[-1] if ends_with_table and isinstance(out[-1], _Grid) else None
        self._flush(paragraph, out)
        return _numbered(out)

    def _flush(self, paragraph: list[_Line], out: list[Block | _Grid | _Layout]) -> None:
        if paragraph:
            out.append(self._paragraph_block(paragraph))

    def _continues(self, above: _Line, line: _Line) -> bool:
        """Does `line` go on with the paragraph whose last line is `above`?"""
        ocr_lines = above.group is not None  # OCR box heights vary with the marks a line carries
        if not ocr_lines and abs(line.size - above.size) > 0.15 * above.size:
            return False
        if above.page == line.page and line.top - above.bottom > 1.2 * line.size:
            return False
        if _MARKER.match(line.text) and self._finished(above, line):
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

    def _finished(self, above: _Line, line: _Line) -> bool:
        """Did the paragraph end at `above`: would the first word of `line` have fitted on it?"""
        _, right = self.columns[above.page]
        first_word = line.words[0].x1 - line.words[0].x0
        fits = above.x1 + 0.25 * above.size + first_word <= right - 0.25 * above.size
        return fits or (_MARKER.match(line.text) is not None and above.text.endswith(_SENTENCE_END))

    def _title_goes_on(self, above: _Line, line: _Line) -> bool:
        """A centred title set over lines of one case: "KẾT QUẢ ĐÁNH GIÁ … THUỘC XÂY DỰNG" /
        "VÀ PHÁT TRIỂN …"; a short line above ("PHỤ LỤC", "BÁO CÁO") is a title of its own."""
        left, right = self.columns[line.page]
        return (
            above.width >= 0.4 * (right - left)
            and not above.text.endswith(_SENTENCE_END)
            and _upper(above.text) == _upper(line.text)
        )

    def _centred(self, line: _Line) -> bool:
        """As far from the left edge of the text column as from the right, and well inside it."""
        left, right = self.columns[line.page]
        margin_left, margin_right = line.x0 - left, right - line.x1
        slack = 0.03 * (right - left)
        return margin_left > slack and abs(margin_left - margin_right) <= slack

    def _paragraph_block(self, lines: list[_Line]) -> Block:
        text = _join(lines)
        first = lines[0]
        on_first_page = [line for line in lines if line.page == first.page]
        location = Location(page=first.page, box=_rounded(_union(on_first_page)))
        confidences = [
            w.confidence for line in lines for w in line.words if w.confidence is not None
        ]
        confidence = sum(confidences) / len(confidences) / 100 if confidences else None
        centred = all(self._centred(line) for line in lines)
        if centred and len(text) <= _HEADING_MAX_LENGTH and _upper(text):
            return Block(Kind.HEADING, location, text=text, confidence=confidence)
        marker = _MARKER.match(text)
        if marker:
            item = text[marker.end() :]
            return Block(Kind.LIST_ITEM, location, item, marker["marker"], confidence=confidence)
        return Block(Kind.PARAGRAPH, location, text=text, confidence=confidence)


def _upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


def _numbered(out: list[Block | _Grid | _Layout]) -> list[Block]:
    blocks: list[Block] = []
    tables = 0
    for item in out:
        if isinstance(item, Block):
            blocks.append(item)
            continue
        tables += 1
        blocks.append(
            _table_block(item, tables) if isinstance(item, _Grid) else _layout_block(item, tables)
        )
    return blocks


def _body_size(pages: Iterable[_Page]) -> float:
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


def _running_lines(pages: list[_Page]) -> set[int]:
    """Page numbers, and lines repeated at the same place on most pages, in the page margins."""
    found: set[int] = set()
    repeats: dict[tuple[str, int], list[_Line]] = defaultdict(list)
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


def _outermost(line: _Line, page: _Page, top: bool) -> bool:
    others = [(o.top, o.bottom) for o in page.lines if o is not line]
    others += [(table.box[1], table.box[3]) for table in page.tables]
    if top:
        return all(other_top >= line.bottom - 1 for other_top, _ in others)
    return all(other_bottom <= line.top + 1 for _, other_bottom in others)


def _split_footnotes(
    page: _Page, lines: list[_Line], body_size: float
) -> tuple[list[_Line], list[_Line]]:
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
            # OCR reads some raised numbers as letters ("ù Cơ sở…", lamdong_bca page 2): on a
            # scan the whole run of small lines goes once one of them starts with a number
            cut = start if page.ocr else first
            return ordered[:cut], ordered[cut:]
    return lines, []


def _starts_note(line: _Line, page: _Page) -> bool:
    if page.ocr:
        return _OCR_NOTE_NUMBER.fullmatch(line.words[0].text) is not None
    return any(
        line.x0 - 2 * line.size <= box[2] <= line.x0 + 1
        and box[1] < line.bottom
        and box[3] > line.top
        for box in page.references
    )


def _layout_regions(lines: list[_Line]) -> tuple[list[_Layout], list[_Line]]:
    """Lines in two columns with a clear gutter between them -> layout regions; the rest stay."""
    ordered = sorted(lines, key=lambda line: line.top)
    layouts: list[_Layout] = []
    rest: list[_Line] = []
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


def _region_from(lines: list[_Line], start: int) -> tuple[_Layout, int] | None:
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
        _line(words, line.page, line.group)
        for line in lines[start:end]
        if (words := [w for w in line.words if w.x1 <= middle])
    ]
    right = [
        _line(words, line.page, line.group)
        for line in lines[start:end]
        if (words := [w for w in line.words if w.x0 > middle])
    ]
    if not left or not right:
        return None
    box = _union(lines[start:end])
    return _Layout(first.page, box, (tuple(left), tuple(right))), end


def _gaps(line: _Line, inner: bool) -> list[tuple[float, float]]:
    """The stretches of x a line leaves free: between words set a column apart, and (unless
    `inner`) before and after the line."""
    words = line.words
    found = [(a.x1, b.x0) for a, b in pairwise(words) if b.x0 - a.x1 >= _COLUMN_GAP * line.size]
    if not inner:
        found += [(float("-inf"), line.x0), (line.x1, float("inf"))]
    return found


def _join(lines: Sequence[_Line]) -> str:
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and not text[-2].isspace():
            text += line.text  # "Quyết định số 1187/QĐ-" + "BNV": a code cut at its hyphen
        else:
            text = f"{text} {line.text}" if text else line.text
    return text


def _union(lines: Sequence[_Line]) -> Box:
    return (
        min(line.x0 for line in lines), min(line.top for line in lines),
        max(line.x1 for line in lines), max(line.bottom for line in lines),
    )  # fmt: skip


def _rounded(box: Box) -> Box:
    return (round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2))


def _box(obj: dict[str, Any]) -> Box:
    return (float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))


def _width(box: Any) -> float:
    return float(box[2] - box[0])


def _height(box: Any) -> float:
    return float(box[3] - box[1])


def _contains(box: Any, x: float, y: float) -> bool:
    return bool(box[0] <= x <= box[2] and box[1] <= y <= box[3])
