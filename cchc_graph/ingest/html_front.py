"""html_front: an HTML page -> Document (headings, paragraphs, list items, tables in reading order).

Reads saved pages of the legal databases (vbpl.vn, thuvienphapluat.vn) and plain HTML documents
(Word's "save as HTML", simple exports). Only the document body is read: the element the site marks
as holding it, else the element holding nearly all of the page's text; navigation, tabs, forms,
scripts, CSS and hidden elements are left out.

Parsed with lxml.html (libxml2's HTML parser) because these pages are rarely valid markup (unclosed
<p>, stray </td>, Word's `<![if !supportLists]>`): it recovers the way a browser does where an XML
parser stops, and it parses a 1.7 MB vbpl.vn page in about 10 ms.

Tables are read in html_tables; the walk over the body and what counts as hidden are in
html_text.

`level` is the heading's number (h1 -> 1) or a list item's nesting depth (0 for a top-level list).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml  # type: ignore[import-untyped]
from lxml import etree, html

from cchc_graph.errors import SourceError
from cchc_graph.ingest.html_tables import is_layout_table, lines_of, table_rows
from cchc_graph.ingest.html_text import Element, clean, is_skipped, walk_content
from cchc_graph.ingest.model import Block, Document, Kind, Location

READER = f"lxml {lxml.__version__}"

# the element a site marks as the document body, tried in this order
_CONTENT_ROOTS = (
    "//*[@data-vbpl-content-root]",  # vbpl.vn snapshots: the crawler marks the body's div
    "//*[@id='divContentDoc']//*[contains(concat(' ', @class, ' '), ' content1 ')]",  # tvpl
    "//*[@id='divContentDoc']",  # thuvienphapluat.vn, "Nội dung" tab
    "//*[contains(concat(' ', @class, ' '), ' cldivContentDocVn ')]",  # thuvienphapluat.vn
    "//*[@id='toanvancontent']",  # the old vbpl.vn "Toàn văn" tab
)
# class or id words of page chrome, read only when no element is marked as the body: "main-nav",
# "breadcrumb", "ant-tabs-nav" ("table-scroll-wrapper" is not one: words are cut at - _ and space)
_CHROME_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|sidebar|toolbar|pagination|pager|tabs|tablist"
    r"|share|social|banner|header|footer|cookies?|login|search)(?:$|[\s_-])",
    re.IGNORECASE,
)
# the elements that may hold a page's body: never a paragraph, list or table
_CONTAINERS = frozenset({"div", "section", "article", "main", "form", "center"})
_OFFICE_SUITES = re.compile(r"Microsoft Word|LibreOffice|OpenOffice", re.IGNORECASE)
_DENSE_SHARE = 0.9  # a child holding this share of the text is the body (the rest is chrome)


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
        walk_content(root, blocks, 0)
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
    if is_skipped(element) or element.tag == "a":
        return 0
    total = len((element.text or "").strip())
    for child in element:
        total += _weigh(child, weights) + len((child.tail or "").strip())
    weights[element] = total
    return total


# ---------------------------------------------------------------------------------------------
# the document's blocks


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
        self.add(Kind.HEADING, element, " ".join(lines_of(element)), level=level)

    def table(self, element: Element) -> None:
        self.flush()
        caption = element.find("caption")
        if caption is not None and not is_skipped(caption):  # shown above the table
            self.add(Kind.PARAGRAPH, caption, " ".join(lines_of(caption)))
        self.tables += 1
        rows = table_rows(element, self.tables, self.path)
        layout = is_layout_table(element, rows)
        location = Location(table=self.tables, element=self.path(element))
        self.blocks.append(Block(Kind.TABLE, location, rows=rows, layout=layout))

    def flush(self) -> None:
        text = clean("".join(self.buffer))
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
