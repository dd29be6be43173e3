"""docx_front: a Word file (OOXML, .docx) -> Document, read from its XML in body order.

Paragraphs become headings, list items or paragraphs, with Word's automatic numbering written
out as the `marker` Word shows ("II.", "1.", "a)", "-"); tables become rows of cells as the row
XML holds them, a vertically merged cell repeated (`continued`) in every row below it covers.
The numbering is counted in docx_numbering; the namespace and value readers are in docx_xml.
Blocks are numbered by their place in the body, empty paragraphs included, so a number never
moves: `Location(paragraph=N)` and `Location(table=T, row=R, cell=C)`, all 1-based.

The package is walked with zipfile and ElementTree rather than python-docx's objects: those skip
rows and cells wrapped in content controls (w:sdt), and the standard library is typed and needs
no extra dependency. ElementTree never fetches external entities and expat (2.4.1 and later)
refuses entity-expansion bombs, so a hostile file can do no more than fail to parse. Footnotes,
endnotes, headers and footers are not read into the body; the notes say how many notes were left.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from cchc_graph.errors import SourceError
from cchc_graph.ingest.docx_numbering import Numbering
from cchc_graph.ingest.docx_xml import W, integer, switch, val
from cchc_graph.ingest.model import Block, Cell, Document, Kind, Location, Row
from cchc_graph.text import fold, nfc

READER = "docx_front (zipfile + xml.etree)"

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"
_P, _TBL, _TR, _TC, _R, _T = (f"{W}{tag}" for tag in ("p", "tbl", "tr", "tc", "r", "t"))
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_VANISH = f"{W}rPr/{W}vanish"  # hidden text: in the file, never on the page
_MAX_PART = 256 * 1024 * 1024  # a part larger than this unpacked is a ZIP bomb, not a plan

# containers that only wrap blocks, rows, cells or runs: content controls, custom XML, smart tags,
# and the markup-compatibility choice (its fallback repeats the same content for old readers)
_WRAPPERS = frozenset(
    f"{W}{tag}" for tag in ("sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo")
) | {f"{_MC}AlternateContent", f"{_MC}Choice"}
# never text of the body: properties, deleted or moved-away text, field codes, the fallback copy
_NOT_TEXT = frozenset(
    f"{W}{tag}" for tag in ("pPr", "rPr", "tblPr", "sdtPr", "del", "moveFrom", "instrText")
) | {f"{_MC}Fallback"}
_TABS = frozenset({f"{W}tab", f"{W}ptab"})
_BREAKS = frozenset({f"{W}br", f"{W}cr"})
_NO_BORDER = frozenset({"nil", "none"})

# A table that only arranges the page holds the letterhead (national motto, issuer, "Số:") or
# the signature block ("Nơi nhận", "TM."/"KT."/"TL.", the signer's title). Such tables are small
# and drawn without borders; a data table, however short, has its grid drawn.
_LAYOUT_WORDS = re.compile(
    r"cong hoa xa hoi chu nghia viet nam|doc lap\s*-\s*tu do\s*-\s*hanh phuc|\bso:"
    r"|noi nhan|\b(?:tm|kt|tl|tuq)\.|chu tich|giam doc"
)
_LAYOUT_MAX_ROWS = 4
_LAYOUT_MAX_CELLS = 3
_HEADING_MAX_LENGTH = 150  # a bold upper-case line longer than this is emphasis, not a title
_HEADING_STYLE = re.compile(r"^(?:heading\s*\d|title)$", re.IGNORECASE)


def read(path: Path) -> Document:
    """Read a Word file into blocks; a file that is not one is a SourceError naming it."""
    with _open(path) as archive:
        main = _main_part(path, archive)
        related = _related_parts(path, archive, main)
        root = _xml(path, archive, main)
        if root.tag != f"{W}document":
            raise SourceError(path, 0, f"{main} is not a WordprocessingML document")
        body = root.find(f"{W}body")
        styles = _Styles(_optional_xml(path, archive, related.get("styles")))
        numbering = Numbering(_optional_xml(path, archive, related.get("numbering")), styles)
        notes = tuple(
            _notes_left_out(_optional_xml(path, archive, related.get(kind)), kind)
            for kind in ("footnotes", "endnotes")
        )
    if body is None:
        raise SourceError(path, 0, f"{main} has no body (w:body): not a Word document")
    try:
        blocks = _Reader(styles, numbering).body(body)
    except RecursionError:
        raise SourceError(path, 0, f"{main} nests its content too deeply to read") from None
    return Document(path.name, "docx", tuple(blocks), READER, tuple(n for n in notes if n))


# --- the package ------------------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    # the signature first: a .doc (OLE2) file may carry a whole ZIP inside it (its theme), which
    # zipfile would find from the end and open
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_ZIP))
        if head != _ZIP:
            ole2 = head == _OLE2[: len(_ZIP)]
            reason = "a Word 97-2003 file (OLE2), not OOXML" if ole2 else "not a ZIP package"
            raise SourceError(path, 0, f"not a Word document (.docx): {reason}")
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):
        # zipfile's own words for a damaged directory, a bad field, or (NotImplementedError) a
        # compression method or ZIP version it does not support
        raise SourceError(path, 0, "not a Word document (.docx): a damaged ZIP package") from None
    except OSError as exc:
        raise SourceError(path, 0, f"cannot be read: {exc.strerror or exc}") from None


def _main_part(path: Path, archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    main = "word/document.xml"
    if "_rels/.rels" in names:
        for target, kind in _relationships(path, archive, "_rels/.rels", ""):
            if kind == "officeDocument":
                main = target
    if main not in names:
        raise SourceError(path, 0, f"a ZIP archive without a Word document part ({main})")
    return main


def _related_parts(path: Path, archive: zipfile.ZipFile, main: str) -> dict[str, str]:
    folder, name = posixpath.split(main)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.namelist():
        return {}
    return {kind: target for target, kind in _relationships(path, archive, rels, folder)}


def _relationships(
    path: Path, archive: zipfile.ZipFile, rels: str, folder: str
) -> Iterator[tuple[str, str]]:
    """(part name, relationship kind) of every internal relationship of a .rels part."""
    for relation in _xml(path, archive, rels).iter(f"{_RELS}Relationship"):
        target, kind = relation.get("Target", ""), relation.get("Type", "")
        if relation.get("TargetMode") == "External" or not target:
            continue
        name = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        yield posixpath.normpath(name), kind.rsplit("/", 1)[-1]


def _optional_xml(path: Path, archive: zipfile.ZipFile, name: str | None) -> ET.Element | None:
    if name is None or name not in archive.namelist():
        return None
    return _xml(path, archive, name)


def _xml(path: Path, archive: zipfile.ZipFile, name: str) -> ET.Element:
    if archive.getinfo(name).file_size > _MAX_PART:
        raise SourceError(path, 0, f"{name} unpacks to more than {_MAX_PART // 2**20} MB")
    try:
        data = archive.read(name)
    # NotImplementedError: zipfile's word for a part packed with a method it does not support
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
        raise SourceError(path, 0, f"{name} cannot be unpacked: {exc}") from None
    try:
        root = ET.fromstring(data)  # noqa: S314 (no external entities; expat refuses bombs)
    except ET.ParseError as exc:
        raise SourceError(path, 0, f"{name} is not well-formed XML ({exc})") from None
    if root.tag.startswith(_STRICT):
        raise SourceError(path, 0, "Strict Open XML is not read: save it as a Word Document")
    return root


def _notes_left_out(root: ET.Element | None, kind: str) -> str:
    if root is None:
        return ""
    # separators and continuation notices are notes of a type; the author's notes have none
    count = sum(1 for note in root if note.get(f"{W}type", "normal") == "normal")
    if not count:
        return ""
    return f"{count} {kind if count > 1 else kind[:-1]} not read into the body"


def _children(element: ET.Element, tag: str | frozenset[str]) -> Iterator[ET.Element]:
    """Children with `tag`, looking through wrappers (content controls, custom XML ...)."""
    for child in element:
        if child.tag == tag or (isinstance(tag, frozenset) and child.tag in tag):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _walk(element: ET.Element) -> Iterator[ET.Element]:
    """Every descendant in document order, except properties and text that is not shown."""
    for child in element:
        if child.tag in _NOT_TEXT or (child.tag == _R and switch(child.find(_VANISH))):
            continue
        yield child
        yield from _walk(child)


# --- styles -----------------------------------------------------------------------------------


class _Styles:
    """The styles part, looked up through each style's basedOn chain."""

    def __init__(self, root: ET.Element | None) -> None:
        self._styles: dict[str, ET.Element] = {}
        self.default: dict[str, str] = {}  # style type -> id of that type's default style
        self._bold_default = False
        if root is None:
            return
        for style in root.iter(f"{W}style"):
            style_id, kind = style.get(f"{W}styleId"), style.get(f"{W}type", "paragraph")
            if style_id:
                self._styles[style_id] = style
                if style.get(f"{W}default") in ("1", "true", "on"):
                    self.default.setdefault(kind, style_id)
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}b")
        self._bold_default = bool(switch(defaults))

    def find(self, style_id: str | None, path: str) -> ET.Element | None:
        """The first element at `path` in the style or the styles it is based on."""
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            found = style.find(path)
            if found is not None:
                return found
            style_id = val(style.find(f"{W}basedOn"))
        return None

    def is_heading(self, style_id: str | None) -> bool:
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            if _HEADING_STYLE.match(val(style.find(f"{W}name")) or style_id):
                return True
            style_id = val(style.find(f"{W}basedOn"))
        return False

    def bold(self, run: ET.Element, paragraph_style: str | None) -> bool:
        """Whether a run shows bold: its own property, its character style, the paragraph's."""
        run_properties = run.find(f"{W}rPr")
        direct = None if run_properties is None else run_properties.find(f"{W}b")
        character_style = val(None if run_properties is None else run_properties.find(f"{W}rStyle"))
        for found in (
            direct,
            self.find(character_style, f"{W}rPr/{W}b"),
            self.find(paragraph_style, f"{W}rPr/{W}b"),
        ):
            if found is not None:
                return bool(switch(found))
        return self._bold_default


# --- the body ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Paragraph:
    lines: tuple[str, ...]  # the text, cut at line breaks (w:br)
    marker: str | None  # None when Word does not number it
    level: int
    heading: bool


class _Reader:
    """Walks the body once, in order, so that numbering counters advance as Word's do."""

    def __init__(self, styles: _Styles, numbering: Numbering) -> None:
        self._styles = styles
        self._numbering = numbering

    def body(self, body: ET.Element) -> list[Block]:
        blocks: list[Block] = []
        paragraphs = tables = 0
        for element in _children(body, frozenset({_P, _TBL})):
            if element.tag == _P:
                paragraphs += 1
                paragraph = self._paragraph(element)
                text = " ".join(paragraph.lines).strip()
                if text:
                    blocks.append(_paragraph_block(paragraph, text, paragraphs))
            else:
                tables += 1
                blocks.append(self._table(element, tables))
        return blocks

    def _paragraph(self, p: ET.Element) -> _Paragraph:
        properties = p.find(f"{W}pPr")
        style = val(None if properties is None else properties.find(f"{W}pStyle"))
        style = style or self._styles.default.get("paragraph")
        lines = _lines(p)
        numbered = self._numbered(properties, style)
        marker = None if numbered is None else self._numbering.marker(*numbered)
        heading = self._styles.is_heading(style) or self._bold_capitals(p, style, lines)
        level = numbered[1] if numbered and marker is not None else 0
        return _Paragraph(lines, marker, level, heading)

    def _numbered(self, properties: ET.Element | None, style: str | None) -> tuple[str, int] | None:
        """(numId, level) of a paragraph numbered directly or through its style."""
        direct = None if properties is None else properties.find(f"{W}numPr")
        num_id = val(None if direct is None else direct.find(f"{W}numId"))
        level = integer(None if direct is None else direct.find(f"{W}ilvl"))
        from_style = num_id is None
        if from_style:
            num_id = val(self._styles.find(style, f"{W}pPr/{W}numPr/{W}numId"))
        if num_id is None or num_id == "0":  # numId 0 switches a style's numbering off
            return None
        if level is None:
            level = integer(self._styles.find(style, f"{W}pPr/{W}numPr/{W}ilvl"))
        if level is None and from_style:
            level = self._numbering.level_of_style(num_id, style)
        return num_id, level or 0

    def _bold_capitals(self, p: ET.Element, style: str | None, lines: tuple[str, ...]) -> bool:
        """A short line in capitals, every letter of it bold: a title typed without a style."""
        text = " ".join(lines).strip()
        if not text or len(text) > _HEADING_MAX_LENGTH or text != text.upper():
            return False
        if not any(char.isalpha() for char in text):
            return False
        runs = [r for r in _walk(p) if r.tag == _R and _run_text(r).strip()]
        return bool(runs) and all(self._styles.bold(r, style) for r in runs)

    def _table(self, tbl: ET.Element, number: int) -> Block:
        rows: list[Row] = []
        merged: dict[
            int, tuple[str, ...]
        ] = {}  # grid column -> lines of the merge that starts there
        for row_number, tr in enumerate(_children(tbl, _TR), 1):
            column = integer(tr.find(f"{W}trPr/{W}gridBefore")) or 0
            cells: list[Cell] = []
            for cell_number, tc in enumerate(_children(tr, _TC), 1):
                properties = tc.find(f"{W}tcPr")
                span = integer(None if properties is None else properties.find(f"{W}gridSpan")) or 1
                merge = None if properties is None else properties.find(f"{W}vMerge")
                lines = self._cell_lines(tc)
                continued = merge is not None and val(merge) != "restart" and column in merged
                if continued:
                    lines = merged[column]
                elif merge is not None:
                    merged[column] = lines
                else:
                    merged.pop(column, None)
                location = Location(table=number, row=row_number, cell=cell_number)
                cells.append(Cell(lines, location, span, continued))
                column += span
            rows.append(Row(tuple(cells), Location(table=number, row=row_number)))
        layout = self._is_layout(tbl, rows)
        return Block(Kind.TABLE, Location(table=number), rows=tuple(rows), layout=layout)

    def _cell_lines(self, container: ET.Element) -> tuple[str, ...]:
        """A cell's paragraphs, each line of them one line; a table nested in the cell is read
        into the cell's lines row by row (the model has no nested tables)."""
        lines: list[str] = []
        for element in _children(container, frozenset({_P, _TBL})):
            if element.tag == _P:
                paragraph = self._paragraph(element)
                texts = [line.strip() for line in paragraph.lines]
                if paragraph.marker and texts and texts[0]:
                    texts[0] = _with_marker(paragraph.marker, texts[0])
                lines.extend(text for text in texts if text)
            else:
                for tr in _children(element, _TR):
                    for tc in _children(tr, _TC):
                        lines.extend(self._cell_lines(tc))
        return tuple(lines)

    def _is_layout(self, tbl: ET.Element, rows: list[Row]) -> bool:
        if len(rows) > _LAYOUT_MAX_ROWS or any(len(r.cells) > _LAYOUT_MAX_CELLS for r in rows):
            return False
        if self._has_borders(tbl):
            return False
        text = fold(" ".join(cell.text for row in rows for cell in row.cells))
        return bool(_LAYOUT_WORDS.search(text))

    def _has_borders(self, tbl: ET.Element) -> bool:
        properties = tbl.find(f"{W}tblPr")
        borders = None if properties is None else properties.find(f"{W}tblBorders")
        if borders is None:
            style = val(None if properties is None else properties.find(f"{W}tblStyle"))
            style = style or self._styles.default.get("table")
            borders = self._styles.find(style, f"{W}tblPr/{W}tblBorders")
        return borders is not None and any(
            (val(edge) or "none") not in _NO_BORDER for edge in borders
        )


def _paragraph_block(paragraph: _Paragraph, text: str, number: int) -> Block:
    marker = paragraph.marker or ""
    if marker and _starts_with(text, marker):
        marker = ""  # the number is typed in the text as well: Word shows it once in print
    if paragraph.heading:
        kind = Kind.HEADING
    elif paragraph.marker is not None:
        kind = Kind.LIST_ITEM
    else:
        kind = Kind.PARAGRAPH
    location = Location(paragraph=number)
    return Block(kind, location, text=text, marker=marker, level=paragraph.level)


def _with_marker(marker: str, text: str) -> str:
    return text if _starts_with(text, marker) else f"{marker} {text}"


def _starts_with(text: str, marker: str) -> bool:
    return text.startswith(marker) and (len(text) == len(marker) or text[len(marker)].isspace())


def _lines(p: ET.Element) -> tuple[str, ...]:
    """The paragraph's text, cut where Word breaks the line (w:br, w:cr) or where a text box's
    own paragraph starts; a tab shows as a space."""
    pieces: list[str] = []
    for element in _walk(p):
        if element.tag == _T:
            pieces.append(element.text or "")
        elif element.tag in _TABS:
            pieces.append(" ")
        elif element.tag in _BREAKS or element.tag == _P:
            pieces.append("\n")
        elif element.tag == f"{W}noBreakHyphen":
            pieces.append("-")
    text = nfc("".join(pieces).replace("\u00a0", " "))
    return tuple(line.strip() for line in text.split("\n"))


def _run_text(run: ET.Element) -> str:
    return "".join(t.text or "" for t in run.iter(_T))
