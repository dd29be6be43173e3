"""html_front: an HTML page -> Document (headings, paragraphs, list items, tables in reading order).

Reads saved pages of the legal databases (vbpl.vn, thuvienphapluat.vn) and plain HTML documents
(Word's "save as HTML", simple exports). Only the document body is read: the element the site marks
as holding it, else the element holding nearly all of the page's text; navigation, tabs, forms,
scripts, CSS and hidden elements are left out.

Parsed with lxml.html (libxml2's HTML parser) because these pages are rarely valid markup (unclosed
<p>, stray </td>, Word's `<![if !supportLists]>`): it recovers the way a browser does where an XML
parser stops, and it parses a 1.7 MB vbpl.vn page in about 10 ms.

`level` is the heading's number (h1 -> 1) or a list item's nesting depth (0 for a top-level list).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import lxml  # type: ignore[import-untyped]
from lxml import etree, html

from cchc_graph.errors import SourceError
from cchc_graph.ingest.model import Block, Cell, Document, Kind, Location, Row
from cchc_graph.text import VI_UPPER, fold, int_to_roman, nfc, squash

Element = Any  # lxml.html.HtmlElement: lxml ships no type information

READER = f"lxml {lxml.__version__}"

# the element a site marks as the document body, tried in this order
_CONTENT_ROOTS = (
    "//*[@data-vbpl-content-root]",  # vbpl.vn snapshots: the crawler marks the body's div
    "//*[@id='divContentDoc']//*[contains(concat(' ', @class, ' '), ' content1 ')]",  # tvpl
    "//*[@id='divContentDoc']",  # thuvienphapluat.vn, "Nội dung" tab
    "//*[contains(concat(' ', @class, ' '), ' cldivContentDocVn ')]",  # thuvienphapluat.vn
    "//*[@id='toanvancontent']",  # the old vbpl.vn "Toàn văn" tab
)
_DROPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "meta", "link"}  # code and CSS
    | {"nav", "aside", "menu", "dialog", "iframe", "frame", "frameset"}  # the site around it
    | {"object", "embed", "svg", "math", "canvas", "video", "audio", "map", "img"}  # no text
    | {"input", "button", "select", "option", "optgroup", "textarea", "datalist", "output"}
    | {"progress", "meter"}  # form controls
)
_CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "search", "tablist", "tab", "menu", "menubar"}
    | {"toolbar", "dialog"}
)
# class or id words of page chrome, read only when no element is marked as the body: "main-nav",
# "breadcrumb", "ant-tabs-nav" ("table-scroll-wrapper" is not one: words are cut at - _ and space)
_CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|sidebar|toolbar|pagination|pager|tabs|tablist"
    r"|share|social|banner|header|footer|cookies?|login|search)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.IGNORECASE
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_LISTS = frozenset(("ul", "ol", "dir"))
_BLOCKS = frozenset(
    {"p", "div", "li", "dl", "dt", "dd", "blockquote", "pre", "address", "center", "hr"}
    | {"section", "article", "main", "header", "footer", "figure", "figcaption", "caption"}
    | {"fieldset", "legend", "details", "summary", "form", "body", "html"}
)
_CELLS = ("td", "th")
# the elements that may hold a page's body: never a paragraph, list or table
_CONTAINERS = frozenset({"div", "section", "article", "main", "form", "center"})
# zero-width space, soft hyphen, a BOM inside the text and control characters: nothing on screen
_INVISIBLE = dict.fromkeys([0x200B, 0xAD, 0xFEFF, *range(0x01, 0x09), *range(0x0E, 0x1C)])
_OFFICE_SUITES = re.compile(r"Microsoft Word|LibreOffice|OpenOffice", re.IGNORECASE)
_DENSE_SHARE = 0.9  # a child holding this share of the text is the body (the rest is chrome)
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534  # the HTML table model's own limits


def read(path: Path) -> Document:
    """Read the HTML file at `path`; SourceError when it cannot be decoded or is not HTML."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(path, 0, f"cannot read the file: {error.strerror}") from error
    text, notes = _decode(path, raw)
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        page = html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.LxmlError, ValueError) as error:
        raise SourceError(path, 0, f"not a readable HTML page: {error}") from error
    # libxml2 stops at a fatal error (elements nested past 255 levels) and keeps what it read:
    # a document cut short must not pass for the whole
    fatal = parser.error_log.filter_from_fatals()
    if fatal:
        raise SourceError(path, fatal[0].line, f"the HTML parser stopped: {fatal[0].message}")
    root = _content_root(page)
    blocks = _Blocks(page.getroottree(), owners=[root])
    try:
        _walk_content(root, blocks, 0)
    except RecursionError as error:  # libxml2 stops nesting at 255 levels: a safeguard only
        raise SourceError(path, 0, "elements nested too deeply to read") from error
    blocks.flush()
    if not blocks.blocks:
        notes.append("the page body holds no text")
    return Document(path.name, "html", tuple(blocks.blocks), READER, tuple(notes))


# ---------------------------------------------------------------------------------------------
# bytes -> text


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM starts it
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset="windows-1258"> or <meta http-equiv="Content-Type" content="text/html; charset=…">
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
# the WHATWG Encoding Standard reads these labels as windows-1252, and a UTF-16 label that the
# page could state in ASCII as UTF-8
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|/?(?:html|head|body|title|meta|p|div|span|table|tr|td|h[1-6]|ul|ol|li"
    r"|br|a|b|i|em|strong|font|center|section|article|main)\b)",
    re.IGNORECASE,
)


def _decode(path: Path, raw: bytes) -> tuple[str, list[str]]:
    """The page's text and notes: by its BOM, else its meta charset, else UTF-8.

    A byte the encoding cannot read, a NUL (binary content) or text without a single HTML tag
    raises SourceError, naming the byte offset where there is one.
    """
    notes: list[str] = []
    encoding, start = _encoding(raw, notes)
    try:
        text = raw[start:].decode(encoding)
    except UnicodeDecodeError as error:
        offset = start + error.start
        line = raw.count(b"\n", 0, offset) + 1
        raise SourceError(
            path, line, f"not valid {encoding}: byte 0x{raw[offset]:02x} at byte offset {offset}"
        ) from error
    nul = text.find("\0")
    if nul >= 0:
        offset = start + len(text[:nul].encode(encoding))
        line = text.count("\n", 0, nul) + 1
        raise SourceError(path, line, f"binary content, not HTML: a NUL at byte offset {offset}")
    if not _HTML_TAG.search(text):
        raise SourceError(path, 0, "not HTML: no <html>, <body> or other HTML element")
    return text, notes


def _encoding(raw: bytes, notes: list[str]) -> tuple[str, int]:
    """The encoding to read `raw` with, and where the text starts (after a BOM)."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding, len(bom)
    # vbpl.vn pages state their charset after 170 kB of inline CSS: search the whole head
    head_end = raw.find(b"<body")
    declared = _META_CHARSET.search(raw, 0, head_end if head_end >= 0 else len(raw))
    if not declared:
        return "utf-8", 0
    label = declared.group(1).decode("ascii").lower()
    try:
        return codecs.lookup(_CHARSET_ALIASES.get(label, label)).name, 0
    except LookupError:
        notes.append(f"unknown charset {label!r} declared; read as UTF-8")
        return "utf-8", 0


# ---------------------------------------------------------------------------------------------
# the document body


def _content_root(page: Element) -> Element:
    """The element holding the document body: marked by the site, else the densest element."""
    for path in _CONTENT_ROOTS:
        found = page.xpath(path)
        if found:
            root = found[0]
            break
    else:
        body = page.find("body")
        body = page if body is None else body
        # an office suite's export is all document (its footnotes too), with no site around it
        root = body if _exported_by_office_suite(page) else _densest(body)
    _hide_small_forms(root)
    return root


def _exported_by_office_suite(page: Element) -> bool:
    """True for <meta name="Generator" content="Microsoft Word 15"> (or LibreOffice)."""
    for meta in page.iter("meta"):
        if (meta.get("name") or "").lower() == "generator":
            return bool(_OFFICE_SUITES.search(meta.get("content") or ""))
    return False


def _is_skipped(element: Element) -> bool:
    """True for an element a reader does not see as document text."""
    if not isinstance(element.tag, str) or element.tag in _DROPPED_TAGS:
        return True  # comments and processing instructions have a function as their tag
    if element.get("hidden") is not None or element.get("role") in _CHROME_ROLES:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _hide(element: Element) -> None:
    # marked rather than removed, so that the element paths of what is read stay the source's
    element.set("hidden", "hidden")


def _hide_chrome(body: Element) -> None:
    """Hide page chrome: <header>, <footer> and elements whose class or id names a menu, tabs
    or the like, unless one holds most of the page's text (then it is the document after all)."""
    weights: dict[Element, int] = {}
    half = _weigh(body, weights) / 2
    for element in body.iter():
        if not isinstance(element.tag, str) or element is body or weights.get(element, 0) > half:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag in ("header", "footer") or _CHROME_NAMES.search(names):
            _hide(element)


def _hide_small_forms(root: Element) -> None:
    """Hide forms (search boxes, logins) but not a form that wraps the whole page (ASP.NET)."""
    share = len(root.text_content()) / 2
    for form in root.iter("form"):
        if form is not root and len(form.text_content()) < share:
            _hide(form)


def _densest(body: Element) -> Element:
    """The deepest container that holds nearly all the text that is not links, once the page
    chrome is hidden."""
    _hide_chrome(body)
    weights: dict[Element, int] = {}
    _weigh(body, weights)
    current = body
    while True:
        children = [c for c in current if weights.get(c, 0) and c.tag in _CONTAINERS]
        best = max(children, key=weights.__getitem__, default=None)
        if best is None or weights[best] < _DENSE_SHARE * weights[current]:
            return current
        current = best


def _weigh(element: Element, weights: dict[Element, int]) -> int:
    """Characters of text in `element` that are neither skipped nor link text."""
    if _is_skipped(element) or element.tag == "a":
        return 0
    total = len((element.text or "").strip())
    for child in element:
        total += _weigh(child, weights) + len((child.tail or "").strip())
    weights[element] = total
    return total


# ---------------------------------------------------------------------------------------------
# walking the body: one traversal, two listeners (the document's blocks; a cell's lines)


class _Listener(Protocol):
    """What the walk reports, in reading order."""

    def text(self, piece: str) -> None: ...

    def line_break(self) -> None: ...

    def open_block(self, element: Element) -> None: ...

    def close_block(self, element: Element) -> None: ...

    def item(self, element: Element, marker: str, level: int) -> None: ...

    def heading(self, element: Element, level: int) -> None: ...

    def table(self, element: Element) -> None: ...


def _walk_content(element: Element, listener: _Listener, list_level: int) -> None:
    if element.text:
        listener.text(element.text)
    for child in element:
        _visit(child, listener, list_level)
        if child.tail:
            listener.text(child.tail)


def _visit(element: Element, listener: _Listener, list_level: int) -> None:
    if _is_skipped(element):
        return
    tag = element.tag
    if tag == "br":
        listener.line_break()
    elif tag in _HEADINGS:
        listener.heading(element, int(tag[1]))
    elif tag == "table":
        listener.table(element)
    elif tag in _LISTS:
        _visit_list(element, listener, list_level)
    elif tag == "li":  # an item outside any list
        _visit_item(element, "-", listener, list_level)
    elif tag in _BLOCKS:
        listener.open_block(element)
        _walk_content(element, listener, list_level)
        listener.close_block(element)
    else:  # inline (span, strong, a, font, sup, Word's o:p): its text joins the paragraph
        _walk_content(element, listener, list_level)


def _visit_list(element: Element, listener: _Listener, level: int) -> None:
    listener.open_block(element)
    markers = iter(_list_markers(element))
    if element.text:
        listener.text(element.text)
    for child in element:
        if isinstance(child.tag, str) and child.tag == "li" and not _is_skipped(child):
            _visit_item(child, next(markers), listener, level)
        else:  # a list written straight inside a list (<ul><li/><ul>…</ul></ul>) nests
            _visit(child, listener, level + 1)
        if child.tail:
            listener.text(child.tail)
    listener.close_block(element)


def _visit_item(element: Element, marker: str, listener: _Listener, level: int) -> None:
    listener.item(element, marker, level)
    _walk_content(element, listener, level + 1)
    listener.close_block(element)


def _clean(text: str) -> str:
    """Text as stored: invisible characters dropped, whitespace and NBSP collapsed, NFC."""
    return nfc(squash(text.translate(_INVISIBLE)))


@dataclass
class _Blocks:
    """Collects the document's blocks; a run of text between block boundaries is a paragraph."""

    tree: Any
    blocks: list[Block] = field(default_factory=list)
    tables: int = 0
    buffer: list[str] = field(default_factory=list)
    owners: list[Element] = field(default_factory=list)
    pending_item: tuple[str, int] | None = None

    def path(self, element: Element) -> str:
        """The element's place as an XPath without the leading slash: "html/body/div[3]/p[12]"."""
        return str(self.tree.getpath(element)).lstrip("/")

    def text(self, piece: str) -> None:
        self.buffer.append(piece)

    def line_break(self) -> None:
        self.buffer.append(" ")  # a <br> inside a paragraph only wraps it

    def open_block(self, element: Element) -> None:
        self.flush()
        self.owners.append(element)

    def close_block(self, element: Element) -> None:
        self.flush()
        self.owners.pop()
        if element.tag == "li":
            self.pending_item = None

    def item(self, element: Element, marker: str, level: int) -> None:
        self.open_block(element)
        self.pending_item = (marker, level)

    def heading(self, element: Element, level: int) -> None:
        self.flush()
        self.add(Kind.HEADING, element, " ".join(_lines_of(element)), level=level)

    def table(self, element: Element) -> None:
        self.flush()
        caption = element.find("caption")
        if caption is not None and not _is_skipped(caption):  # shown above the table
            self.add(Kind.PARAGRAPH, caption, " ".join(_lines_of(caption)))
        self.tables += 1
        rows = _table_rows(element, self.tables, self.path)
        layout = _is_layout_table(element, rows)
        location = Location(table=self.tables, element=self.path(element))
        self.blocks.append(Block(Kind.TABLE, location, rows=rows, layout=layout))

    def flush(self) -> None:
        text = _clean("".join(self.buffer))
        self.buffer.clear()
        if not text:
            return
        owner = self.owners[-1]
        if self.pending_item:
            marker, level = self.pending_item
            self.pending_item = None
            self.add(Kind.LIST_ITEM, owner, text, marker=marker, level=level)
        else:
            self.add(Kind.PARAGRAPH, owner, text)

    def add(
        self, kind: Kind, element: Element, text: str, marker: str = "", level: int = 0
    ) -> None:
        if not text:
            return
        location = Location(paragraph=len(self.blocks) + 1, element=self.path(element))
        self.blocks.append(Block(kind, location, text=text, marker=marker, level=level))


@dataclass
class _Lines:
    """Collects the lines of a table cell (or a heading): every block, <br> and item a line."""

    lines: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)

    def end_line(self) -> None:
        line = _clean("".join(self.current))
        self.current.clear()
        if line:
            self.lines.append(line)

    def text(self, piece: str) -> None:
        self.current.append(piece)

    def line_break(self) -> None:
        self.end_line()

    def open_block(self, element: Element) -> None:
        self.end_line()

    def close_block(self, element: Element) -> None:
        self.end_line()

    def item(self, element: Element, marker: str, level: int) -> None:
        self.end_line()
        if marker:
            self.current.append(marker + " ")

    def heading(self, element: Element, level: int) -> None:
        self.end_line()
        self.lines.extend(_lines_of(element))

    def table(self, element: Element) -> None:
        # a table inside a cell is a form's sub-layout (Nghị định 347's receipts): the model's cell
        # holds lines only, so its cells' text joins the outer cell, row by row, in reading order
        self.end_line()
        caption = element.find("caption")
        if caption is not None and not _is_skipped(caption):
            self.lines.extend(_lines_of(caption))
        for group in _row_groups(element):
            for row in group:
                for cell in _source_cells(row):
                    self.lines.extend(_lines_of(cell))


def _lines_of(element: Element) -> tuple[str, ...]:
    """The lines of an element's content: its blocks, <br>-separated lines and list items."""
    lines = _Lines()
    _walk_content(element, lines, 0)
    lines.end_line()
    return tuple(lines.lines)


# ---------------------------------------------------------------------------------------------
# lists

_LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.IGNORECASE)
_TYPE_ATTRIBUTE = {  # <ol type="a">
    "1": "decimal",
    "a": "lower-alpha",
    "A": "upper-alpha",
    "i": "lower-roman",
    "I": "upper-roman",
}


def _list_style(element: Element, default: str) -> str:
    declared = _LIST_STYLE.search(element.get("style") or "")
    if declared:
        return declared.group(1).lower()
    kind = element.get("type")
    return _TYPE_ATTRIBUTE.get(kind, kind.lower()) if kind else default


def _list_markers(element: Element) -> list[str]:
    """The marker of each visible <li> of a list as a browser shows it: "1.", "b.", "IV.", "-"."""
    items = [c for c in element if isinstance(c.tag, str) and c.tag == "li" and not _is_skipped(c)]
    style = _list_style(element, "decimal" if element.tag == "ol" else "disc")
    step = -1 if element.get("reversed") is not None else 1
    number = _integer(element.get("start"), len(items) if step < 0 else 1)
    markers = []
    for item in items:
        number = _integer(item.get("value"), number)
        markers.append(_marker(number, _list_style(item, style)))
        number += step
    return markers


def _marker(number: int, style: str) -> str:
    if style == "none":
        return ""
    if style in ("disc", "circle", "square"):
        return "-"
    if style in ("lower-alpha", "lower-latin", "upper-alpha", "upper-latin") and number > 0:
        letters = _alphabetic(number)
        return (letters.upper() if style.startswith("upper") else letters) + "."
    if style in ("lower-roman", "upper-roman") and 0 < number < 400:
        numeral = int_to_roman(number)
        return (numeral.lower() if style == "lower-roman" else numeral) + "."
    return f"{number}."


def _alphabetic(number: int) -> str:
    """1 -> "a", 26 -> "z", 27 -> "aa", as browsers count."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _integer(value: str | None, default: int) -> int:
    digits = re.match(r"\s*([+-]?\d+)", value or "")
    return int(digits.group(1)) if digits else default


# ---------------------------------------------------------------------------------------------
# tables


def _row_groups(table: Element) -> list[list[Element]]:
    """The table's rows by group, in the order shown: thead, then the body rows, then tfoot."""
    head: list[list[Element]] = []
    body: list[list[Element]] = []
    foot: list[list[Element]] = []
    loose: list[Element] = []  # <tr> straight under <table>: one implicit body group
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr" and not _is_skipped(child):
            loose.append(child)
            continue
        if loose:
            body.append(loose)
            loose = []
        if tag in ("thead", "tbody", "tfoot") and not _is_skipped(child):
            rows = [r for r in child if r.tag == "tr" and not _is_skipped(r)]
            {"thead": head, "tbody": body, "tfoot": foot}[tag].append(rows)
    if loose:
        body.append(loose)
    return [group for group in head + body + foot if group]


def _source_cells(row: Element) -> list[Element]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in _CELLS and not _is_skipped(c)]


def _table_rows(table: Element, number: int, path: Callable[[Element], str]) -> tuple[Row, ...]:
    """The table's rows with every grid position filled (see `_Grid`)."""
    rows: list[Row] = []
    for group in _row_groups(table):
        grid = _Grid(number, path)
        for index, source in enumerate(group):
            cells = grid.row(source, len(rows) + 1, rows_below=len(group) - index - 1)
            if cells:
                where = Location(table=number, row=len(rows) + 1, element=path(source))
                rows.append(Row(tuple(cells), where))
    return tuple(rows)


@dataclass
class _Span:
    """A cell that covers rows below its own: what those rows repeat, and for how many more."""

    lines: tuple[str, ...]
    element: Element
    col_span: int
    rows_left: int


@dataclass
class _Grid:
    """One row group's grid. A cell spanning rows is repeated as a `continued` cell at its
    column in each row below it; rowspans stop at the end of their group (thead, tbody, tfoot),
    as in browsers."""

    table: int
    path: Callable[[Element], str]
    spans: dict[int, _Span] = field(default_factory=dict)

    def row(self, source: Element, number: int, rows_below: int) -> list[Cell]:
        cells: list[Cell] = []
        touched: set[int] = set()
        column = 0
        pending = iter(_source_cells(source))
        while True:
            if column in self.spans:
                touched.add(column)
                column = self._continue(cells, column, number)
                continue
            cell = next(pending, None)
            if cell is None:
                break
            col_span = min(max(_integer(cell.get("colspan"), 1), 1), _MAX_COLSPAN)
            row_span = min(_integer(cell.get("rowspan"), 1), _MAX_ROWSPAN)
            # rowspan="0" reaches the group's last row
            rows_down = rows_below if row_span == 0 else min(row_span - 1, rows_below)
            lines = _lines_of(cell)
            cells.append(self._cell(lines, cell, col_span, number, len(cells), continued=False))
            if rows_down > 0:
                self.spans[column] = _Span(lines, cell, col_span, rows_down)
                touched.add(column)
            column += col_span
        for start in sorted(s for s in self.spans if s > column):  # a row shorter than its grid
            cells.append(self._cell((), source, start - column, number, len(cells), False))
            touched.add(start)
            column = self._continue(cells, start, number)
        for start in [s for s in self.spans if s not in touched]:  # overlapped by a wider cell
            self._age(start)
        return cells

    def _continue(self, cells: list[Cell], start: int, number: int) -> int:
        span = self.spans[start]
        cells.append(self._cell(span.lines, span.element, span.col_span, number, len(cells), True))
        self._age(start)
        return start + span.col_span

    def _age(self, start: int) -> None:
        self.spans[start].rows_left -= 1
        if not self.spans[start].rows_left:
            del self.spans[start]

    def _cell(
        self,
        lines: tuple[str, ...],
        element: Element,
        col_span: int,
        row: int,
        before: int,
        continued: bool,
    ) -> Cell:
        where = Location(table=self.table, row=row, cell=before + 1, element=self.path(element))
        return Cell(lines, where, col_span=col_span, continued=continued)


# The lines of a letterhead and a signature block, matched folded: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
# NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 314/2025/NĐ-CP", "Nghị quyết số: 119/2026/UBTVQH15",
# "Nơi nhận:"; and as written: "TM. CHÍNH PHỦ", "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "(Đã ký)"
_LETTERHEAD_FOLDED = re.compile(
    r"cong hoa xa hoi chu nghia viet nam|doc lap ?- ?tu do ?- ?hanh phuc|^noi nhan"
    r"|^(?:\w+ ){0,2}so ?: ?\S*/"  # a number with its slash: not a form's "Tổng số:" or "Số:…"
)
_SIGNATURE = re.compile(
    rf"^(?:(?:TM|KT|TL|TUQ|Q)\. ?[{VI_UPPER}]|(?:PHÓ )?(?:CHỦ TỊCH|THỦ TƯỚNG|BỘ TRƯỞNG|GIÁM ĐỐC)$"
    r"|\(Đã ký\)$)"
)
# letterheads and signature blocks take a few rows; a longer table quoting "Số:" is data
_LAYOUT_MAX_ROWS = 6
_SMALL_TABLE_ROWS = 3
# border, border-top, border-color, border-left-style … : value (not border-collapse or -spacing)
_BORDER = re.compile(
    r"(?:^|;)\s*border(?:-(?:top|right|bottom|left))?(?:-(?:style|width|color))?\s*:\s*([^;]*)",
    re.IGNORECASE,
)
_NO_BORDER = re.compile(r"^(?:none|hidden|0(?:\.0*)?[a-z]*)$|\bnone\b|\bhidden\b", re.IGNORECASE)
# white on white paper is no border: NQ 119/2026 draws its letterhead with border-color #ffffff
_WHITE = re.compile(r"#fff(?:fff)?\b|\bwhite\b|255,\s*255,\s*255|\btransparent\b", re.IGNORECASE)


def _is_layout_table(table: Element, rows: tuple[Row, ...]) -> bool:
    """True for a table that only arranges the page: a letterhead or signature block, or a small
    table with neither borders nor header cells (a form's boxes: "Mã QR code", "Mẫu số 01")."""
    lines = [line for row in rows for cell in row.cells for line in cell.lines]
    if len(rows) <= _LAYOUT_MAX_ROWS and any(
        _LETTERHEAD_FOLDED.search(fold(line)) or _SIGNATURE.search(line) for line in lines
    ):
        return True
    if len(rows) > _SMALL_TABLE_ROWS or table.find("thead") is not None:
        return False
    cells = [cell for group in _row_groups(table) for row in group for cell in _source_cells(row)]
    if any(cell.tag == "th" for cell in cells):
        return False
    return not _has_border(table, attribute=True) and not any(_has_border(c) for c in cells)


def _has_border(element: Element, attribute: bool = False) -> bool:
    """True when the element draws a visible border: a CSS border that is neither none, zero
    nor white, or (for a table) a `border` attribute above 0 that CSS does not whiten."""
    values = [value.strip() for value in _BORDER.findall(element.get("style") or "")]
    if any(_WHITE.search(value) for value in values):
        return False
    if attribute and _integer(element.get("border"), 0) > 0:
        return True
    return any(value and not _NO_BORDER.search(value) for value in values)
