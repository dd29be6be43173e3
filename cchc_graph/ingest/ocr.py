"""ocr: scanned PDF pages -> recognised lines of words, with boxes in points and confidences.

Pages are rendered with pypdfium2 and read by the `tesseract` command (Vietnamese model), one
page after another, each with one thread: the machine is shared.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2  # type: ignore[import-untyped]

from cchc_graph.errors import SourceError

LANGUAGE = "vie"
PAGE_SEGMENTATION = "3"  # automatic: Tesseract finds the blocks and paragraphs of the page
PAGE_TIMEOUT = 300  # seconds for one page; a page that takes longer is not a page we can use
INSTALL_HINT = (
    "scanned pages need OCR: install the Debian packages tesseract-ocr and tesseract-ocr-vie"
)
_POINTS_PER_INCH = 72.0

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


def recognise(path: Path, pages: Mapping[int, float]) -> dict[int, list[OcrLine]]:
    """The lines of each page (1-based number -> resolution in dpi to render it at)."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        return {
            number: _recognise_page(path, document, number, dpi) for number, dpi in pages.items()
        }
    finally:
        document.close()


def _recognise_page(path: Path, document: Any, number: int, dpi: float) -> list[OcrLine]:
    page = document[number - 1]
    image = page.render(scale=dpi / _POINTS_PER_INCH, grayscale=True).to_pil()
    portable_graymap = io.BytesIO()
    image.save(portable_graymap, format="PPM")  # uncompressed: no time spent encoding
    command = ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--psm", PAGE_SEGMENTATION]
    command += ["--dpi", str(round(dpi)), "tsv"]
    table = _run(path, command, portable_graymap.getvalue(), f"OCR of page {number}")
    return _lines(table, _POINTS_PER_INCH / dpi)


def _lines(table: str, scale: float) -> list[OcrLine]:
    """Tesseract's TSV (one row per page, block, paragraph, line and word) -> lines of words."""
    boxes: dict[tuple[int, int, int], Box] = {}
    words: dict[tuple[int, int, int], list[OcrWord]] = {}
    for row in csv.DictReader(io.StringIO(table), delimiter="\t", quoting=csv.QUOTE_NONE):
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        left, top = float(row["left"]) * scale, float(row["top"]) * scale
        box = (left, top, left + float(row["width"]) * scale, top + float(row["height"]) * scale)
        text = unicodedata.normalize("NFC", (row["text"] or "").strip())
        if row["level"] == "4":
            boxes[key] = box
        elif row["level"] == "5" and text:
            words.setdefault(key, []).append(OcrWord(text, box, float(row["conf"])))
    return [
        OcrLine(tuple(line), boxes.get(key, _union(word.box for word in line)), key[:2])
        for key, line in words.items()
    ]


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
