"""Write a text source again as the Word file, web page or PDF a province would publish: its
paragraphs as paragraphs, its annex (tab-separated rows, cells of <p>/<li> items) as a real
table with one cell paragraph per item, and a cell that a page break cut in two (a row after a
blank line whose cells start mid-sentence) joined again, as the table was before it was printed.

This is the test's own writer: it knows the text layouts it writes from (tab-separated rows; one
cell to a line, rows apart by blank lines) and nothing of the readers.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt

_ITEM = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_MARKDOWN = re.compile(r"\*+|~~|^#{1,6}\s+")


@dataclass
class Table:
    rows: list[list[list[str]]] = field(default_factory=list)  # rows of cells of items


Piece = str | Table


_TAB_LED = re.compile(r"^ ?\t[^\t]*$")


def read_text_source(path: Path) -> list[Piece]:
    """The paragraphs and tables of a text source: annex rows written tab-separated, or one cell
    to a line (each line led by a tab, rows apart by a blank line)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    tabbed = [line for line in lines if "\t" in line]
    if tabbed and sum(1 for line in tabbed if _TAB_LED.match(line)) > 0.8 * len(tabbed):
        return _tab_led(lines)
    return _tab_separated(path)


def _tab_led(lines: list[str]) -> list[Piece]:
    """One cell to a line: a block of lines (up to a blank line) is a row, a line that does not
    start with a tab goes on with the cell above it, a tab alone is an empty cell."""
    pieces: list[Piece] = []
    table: Table | None = None
    block: list[list[str]] = []
    prose: list[str] = []

    def close_block() -> None:
        nonlocal table
        if not block:
            return
        if len(block) >= 4:
            if table is None:
                table = Table()
                pieces.append(table)
            table.rows.append([[item for item in cell if item] for cell in block])
        else:
            pieces.extend(" ".join(cell).strip() for cell in block if any(cell))
        block.clear()

    for raw in [*lines, ""]:
        line = _MARKDOWN.sub("", raw.replace("\u00a0", " ")).rstrip(" \r")
        # a tab alone is an empty cell of an open row, elsewhere a blank line
        if not line.strip() and ("\t" not in line or not block):
            close_block()
            continue
        if _TAB_LED.match(line):
            if prose:
                pieces.extend(prose)
                prose.clear()
                table = None
            block.append([_plain(line)] if line.strip() else [])
        elif block:
            block[-1].append(_plain(line))
        else:
            table = None
            pieces.append(line.strip())
    close_block()
    return [piece for piece in _squared(pieces) if piece]


def _tab_separated(path: Path) -> list[Piece]:
    pieces: list[Piece] = []
    paragraph: list[str] = []
    table: Table | None = None
    blank_in_table = False

    def close_paragraph() -> None:
        if paragraph:
            pieces.append(" ".join(paragraph))
            paragraph.clear()

    raw_lines = path.read_text(encoding="utf-8").split("\n")
    wrapped = _hard_wrapped(raw_lines)
    for raw in raw_lines:
        line = _MARKDOWN.sub("", raw.replace("\u00a0", " ")).rstrip(" \r")
        if "\t" in line:
            close_paragraph()
            cells = [_items(cell) for cell in line.split("\t")]
            if table is None:
                table = Table()
                pieces.append(table)
            if blank_in_table and table.rows and _continues(cells):
                _join(table.rows[-1], cells)
            else:
                table.rows.append(cells)
            blank_in_table = False
            continue
        if not line.strip():
            if table is not None:
                blank_in_table = True
            close_paragraph()
            continue
        table = None
        blank_in_table = False
        if wrapped and paragraph and _wraps(paragraph[-1], line.strip()):
            paragraph.append(line.strip())
        else:
            close_paragraph()
            paragraph.append(line.strip())
    close_paragraph()
    return _squared(pieces)


def _squared(pieces: list[Piece]) -> list[Piece]:
    """Every row of each table as wide as its widest, with empty cells."""
    for piece in pieces:
        if isinstance(piece, Table):
            width = max(len(row) for row in piece.rows)
            for row in piece.rows:
                row.extend([[] for _ in range(width - len(row))])
    return pieces


def _items(cell: str) -> list[str]:
    found = [_plain(match.group(2)) for match in _ITEM.finditer(cell)]
    found = [item for item in found if item]
    if found:
        return found
    text = _plain(cell)
    return [text] if text else []


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def _starts_mid_sentence(items: list[str]) -> bool:
    return bool(items) and (items[0][:1].islower() or bool(re.match(r"^[IVX\d]+/\d{4}", items[0])))


def _continues(cells: list[list[str]]) -> bool:
    filled = [items for items in cells if items]
    return bool(filled) and _starts_mid_sentence(filled[0])


def _join(row: list[list[str]], cells: list[list[str]]) -> None:
    for index, items in enumerate(cells):
        if not items:
            continue
        while index >= len(row):
            row.append([])
        if row[index] and _starts_mid_sentence(items):
            row[index][-1] = f"{row[index][-1]} {items[0]}"
            row[index].extend(items[1:])
        else:
            row[index].extend(items)


def _hard_wrapped(lines: list[str]) -> bool:
    """A text written with its paragraphs cut into lines (most lines followed by another line),
    rather than one paragraph to a line with blank lines between."""
    filled = [bool(line.strip()) for line in lines]
    followed = sum(1 for a, b in itertools.pairwise(filled) if a and b)
    return followed > 0.5 * max(1, sum(filled))


_LIST_START = re.compile(r"^(?:\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-–+•]|[IVX]+\.)\s")


def _wraps(previous: str, line: str) -> bool:
    """A hard-wrapped line continues the paragraph above it (the source's own wrapping)."""
    if "|" in (previous, line) or _LIST_START.match(line):
        return False
    if line[:1].islower():
        return True
    return not previous.endswith((".", ";", ":", "!", "?", ")", "”", '"')) and not (
        previous.isupper() or line.isupper()
    )


# ------------------------------------------------------------------ writers


def write_docx(pieces: list[Piece], path: Path) -> None:
    document = docx.Document()
    # set as Nghị định 30/2020/NĐ-CP has administrative documents set: Times New Roman, a
    # first-line indent and space between paragraphs
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(6)
    for piece in pieces:
        if isinstance(piece, Table):
            width = len(piece.rows[0])
            table = document.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for cells in piece.rows:
                added = table.add_row()
                # each row whole on one page, as annexes are usually set ("Allow row to break
                # across pages" off): where a page cuts a row is the PDF reader's own test
                properties = added._tr.get_or_add_trPr()
                properties.append(OxmlElement("w:cantSplit"))
                row = added.cells
                for cell, items in zip(row, cells, strict=True):
                    cell.paragraphs[0].text = items[0] if items else ""
                    for item in items[1:]:
                        cell.add_paragraph(item)
        else:
            paragraph = document.add_paragraph(piece)
            if piece.isupper():
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.runs[0].bold = True
            else:
                paragraph.paragraph_format.first_line_indent = Cm(1)
    document.save(str(path))


def write_html(pieces: list[Piece], path: Path) -> None:
    body = []
    for piece in pieces:
        if isinstance(piece, Table):
            rows = []
            for cells in piece.rows:
                tds = "".join(
                    "<td>" + "".join(f"<p>{html.escape(item)}</p>" for item in items) + "</td>"
                    for items in cells
                )
                rows.append(f"<tr>{tds}</tr>")
            body.append('<table border="1">' + "\n".join(rows) + "</table>")
        elif piece.isupper():
            body.append(f"<h2>{html.escape(piece)}</h2>")
        else:
            body.append(f"<p>{html.escape(piece)}</p>")
    path.write_text(
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>Văn bản</title>'
        "</head><body><main>\n" + "\n".join(body) + "\n</main></body></html>\n",
        encoding="utf-8",
    )


def write_pdf(pieces: list[Piece], path: Path) -> None:
    """The Word file printed to PDF by LibreOffice, as a text-layer PDF is usually made."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (Debian: libreoffice-writer-nogui) prints the PDFs")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"{path.stem}.docx"
        write_docx(pieces, source)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{work}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                work,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.move(str(Path(work) / f"{path.stem}.pdf"), path)
