"""ocr: scanned PDF pages -> images -> recognised lines of words, with boxes in points and
confidences.

Pages are rendered with pypdfium2 and read by the `tesseract` command (Vietnamese model), one
call at a time, each with one thread: the machine is shared. A page is read whole, as Tesseract
finds its blocks; the cells of its tables (`ocr_tables`) are read as pieces, a few side by side
where one alone would be misread, all of a page's in one call, so the model is loaded once.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2  # type: ignore[import-untyped]
from PIL import Image, ImageChops

from cchc_graph.errors import SourceError

LANGUAGE = "vie"
PAGE_SEGMENTATION = "3"  # automatic: Tesseract finds the blocks and paragraphs of the page
PIECE_SEGMENTATION = "6"  # a table cell: one block of text, its lines as they come
PAGE_TIMEOUT = 300  # seconds for one call; a page that takes longer is not a page we can use
INSTALL_HINT = (
    "scanned pages need OCR: install the Debian packages tesseract-ocr and tesseract-ocr-vie"
)
POINTS_PER_INCH = 72.0
INK_LEVEL = 160  # darker than this (0..255) is ink: print and rules, not paper or scan haze
_INK = [255 if value < INK_LEVEL else 0 for value in range(256)]
_SIDE_BY_SIDE_GAP = 0.3  # inches between images read side by side: no word spans two

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    box: Box
    confidence: float  # Tesseract's word confidence, 0..100


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line as Tesseract found it, inside its (block, paragraph)."""

    words: tuple[OcrWord, ...]
    box: Box
    paragraph: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of a page to read: its image, and where its top left corner is on the page
    (pixels)."""

    image: Image.Image
    left: float
    top: float


@dataclass(frozen=True, slots=True)
class PageImage:
    """A scanned page rendered: `gray` is what Tesseract reads; `colour` tells a black rule from
    a red stamp or a blue pen."""

    number: int
    dpi: float
    gray: Image.Image
    colour: Image.Image


def engine_version(path: Path) -> str:
    """Tesseract's version, once the command and its Vietnamese model are both installed."""
    if shutil.which("tesseract") is None:
        raise SourceError(path, 0, f"tesseract is not installed; {INSTALL_HINT}")
    languages = _run(path, ["tesseract", "--list-langs"]).split()
    if LANGUAGE not in languages:
        raise SourceError(
            path, 0, f"tesseract has no Vietnamese model ({LANGUAGE}); {INSTALL_HINT}"
        )
    # "tesseract 5.3.0" is the first line; Tesseract 4 printed it on stderr
    first_line = _run(path, ["tesseract", "--version"]).strip().splitlines()[0]
    return first_line.removeprefix("tesseract").strip()


def render(path: Path, pages: Mapping[int, float]) -> Iterator[PageImage]:
    """Each page (1-based number -> resolution in dpi to render it at) as images, in turn."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        for number, dpi in pages.items():
            page = document[number - 1]
            scale = dpi / POINTS_PER_INCH
            gray = page.render(scale=scale, grayscale=True).to_pil()
            yield PageImage(number, dpi, gray, page.render(scale=scale).to_pil())
    finally:
        document.close()


def read_page(path: Path, image: Image.Image, dpi: float, number: int) -> list[OcrLine]:
    """The lines of a whole page, its blocks and paragraphs found by Tesseract."""
    return read_images(path, [image], dpi, PAGE_SEGMENTATION, f"OCR of page {number}")[0]


def read_images(
    path: Path, images: Sequence[Image.Image], dpi: float, segmentation: str, doing: str
) -> list[list[OcrLine]]:
    """The lines of each image, boxes in points from its own top left; one Tesseract call for
    all of them (a multi-page TIFF), so its model is loaded once."""
    if not images:
        return []
    data = io.BytesIO()
    if len(images) == 1:
        images[0].save(data, format="PPM")  # uncompressed: no time spent encoding
    else:
        images[0].save(data, format="TIFF", save_all=True, append_images=list(images[1:]))
    command = ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--psm", segmentation]
    command += ["--dpi", str(round(dpi)), "tsv"]
    table = _run(path, command, data.getvalue(), doing)
    return _lines(table, POINTS_PER_INCH / dpi, len(images))


def read_side_by_side(
    path: Path, groups: Sequence[Sequence[Piece]], dpi: float, doing: str
) -> list[list[list[OcrLine]]]:
    """The lines of each piece, boxes in points on its page, each group's pieces read side by
    side, tops level, as one block of text (a word alone on its line, such as a number, is read
    among the words of the others); all the groups in one Tesseract call."""
    gap = round(_SIDE_BY_SIDE_GAP * dpi)
    strips, starts = [], []
    for group in groups:
        width = sum(piece.image.width + gap for piece in group) - gap
        strip = Image.new("L", (width, max(piece.image.height for piece in group)), 255)
        x, lefts = 0, []
        for piece in group:
            strip.paste(piece.image, (x, 0))
            lefts.append(x)
            x += piece.image.width + gap
        strips.append(strip)
        starts.append(lefts)
    read = read_images(path, strips, dpi, PIECE_SEGMENTATION, doing)
    scale = POINTS_PER_INCH / dpi
    return [
        _parted(lines, group, lefts, scale)
        for lines, group, lefts in zip(read, groups, starts, strict=True)
    ]


def _parted(
    lines: list[OcrLine], pieces: Sequence[Piece], lefts: list[int], scale: float
) -> list[list[OcrLine]]:
    """Lines read across a strip -> the part of each line on each piece, moved onto its page."""
    parted: list[list[OcrLine]] = [[] for _ in pieces]
    for line in lines:
        parts: dict[int, list[OcrWord]] = {}
        for word in line.words:
            middle = (word.box[0] + word.box[2]) / 2 / scale
            n = max((n for n, left in enumerate(lefts) if left <= middle), default=0)
            dx, dy = (pieces[n].left - lefts[n]) * scale, pieces[n].top * scale
            box = (word.box[0] + dx, word.box[1] + dy, word.box[2] + dx, word.box[3] + dy)
            parts.setdefault(n, []).append(OcrWord(word.text, box, word.confidence))
        for n, words in parts.items():
            parted[n].append(OcrLine(tuple(words), _union(w.box for w in words), line.paragraph))
    return parted


def ink(gray: Image.Image) -> Image.Image:
    """255 where a grayscale image is inked, 0 on paper."""
    return gray.point(_INK)


def has_ink(gray: Image.Image) -> bool:
    """Is anything printed on the (grayscale) image?"""
    return ink(gray).getbbox() is not None


def black_ink(image: Image.Image) -> Image.Image:
    """255 where the page is dark in every channel: a table is printed black, while a stamp is
    red and a pen blue (the police letter's "received" stamp is a red ruled box)."""
    if image.mode != "L":
        red, green, blue = image.convert("RGB").split()
        image = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return ink(image)


def ink_level(gray: Image.Image) -> int:
    """The gray level that parts ink from paper on a page (Otsu's, over the whole page): a cell
    alone has too little ink for Tesseract to find it (the gray edges of a lone "5" taken for
    ink, it reads ")")."""
    counts = gray.histogram()
    total, weighted = sum(counts), sum(level * count for level, count in enumerate(counts))
    best, found, below, below_weighted = -1.0, 128, 0, 0
    for level, count in enumerate(counts[:-1]):
        below, below_weighted = below + count, below_weighted + level * count
        above = total - below
        if below and above:
            means = below_weighted / below - (weighted - below_weighted) / above
            if below * above * means**2 > best:
                best, found = below * above * means**2, level + 1
    return found


def _lines(table: str, scale: float, count: int) -> list[list[OcrLine]]:
    """Tesseract's TSV (one row per page, block, paragraph, line and word) -> lines of words,
    for each page (image) of the call."""
    boxes: dict[tuple[int, int, int, int], Box] = {}
    words: dict[tuple[int, int, int, int], list[OcrWord]] = {}
    for row in csv.DictReader(io.StringIO(table), delimiter="\t", quoting=csv.QUOTE_NONE):
        key = (
            int(row["page_num"]), int(row["block_num"]), int(row["par_num"]), int(row["line_num"])
        )  # fmt: skip
        left, top = float(row["left"]) * scale, float(row["top"]) * scale
        box = (left, top, left + float(row["width"]) * scale, top + float(row["height"]) * scale)
        text = unicodedata.normalize("NFC", (row["text"] or "").strip())
        if row["level"] == "4":
            boxes[key] = box
        elif row["level"] == "5" and text:
            words.setdefault(key, []).append(OcrWord(text, box, float(row["conf"])))
    pages: list[list[OcrLine]] = [[] for _ in range(count)]
    for key, line in words.items():
        box = boxes.get(key, _union(word.box for word in line))
        pages[key[0] - 1].append(OcrLine(tuple(line), box, key[1:3]))
    return pages


def _union(boxes: Iterable[Box]) -> Box:
    listed = list(boxes)
    return (
        min(box[0] for box in listed), min(box[1] for box in listed),
        max(box[2] for box in listed), max(box[3] for box in listed),
    )  # fmt: skip


def _run(path: Path, command: list[str], stdin: bytes = b"", doing: str = "tesseract") -> str:
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command; only our own rendered page goes in
            command, input=stdin, capture_output=True, env=environment, timeout=PAGE_TIMEOUT
        )
    except subprocess.TimeoutExpired as error:
        raise SourceError(path, 0, f"{doing} took over {PAGE_TIMEOUT} s: not read") from error
    except OSError as error:
        raise SourceError(path, 0, f"tesseract could not run ({error}); {INSTALL_HINT}") from error
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise SourceError(path, 0, f"{doing} failed: {detail[0]}")
    # Tesseract 4 prints --version on stderr, 5 on stdout
    return (done.stdout or done.stderr).decode("utf-8", "replace")
