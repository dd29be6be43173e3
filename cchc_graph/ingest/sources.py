"""sources: a folder of documents -> every candidate file, sorted by name; each sniffed by its
bytes (never by its name alone: a ".doc" may be OOXML inside), read by the front-end of its
format into a SourceFile, or named as not read, with the reason."""

from __future__ import annotations

import hashlib
import importlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cchc_graph.errors import SourceError
from cchc_graph.ingest.model import Document
from cchc_graph.ingest.render import render
from cchc_graph.records import SourceFile

TEXT_SUFFIX = ".txt"
_HEAD = 1024  # bytes read to sniff a format: every signature we know sits in the first few


class Format(StrEnum):
    """A document format, as its bytes show it (the file name may say otherwise)."""

    TEXT = "text"
    PDF = "pdf"
    DOCX = "docx"
    ZIP = "zip"
    DOC = "doc"
    HTML = "html"
    IMAGE = "image"
    BINARY = "binary"


# the module that reads each format into blocks
FRONT_ENDS = {
    Format.DOCX: "docx_front",
    Format.DOC: "doc_front",
    Format.PDF: "pdf_front",
    Format.HTML: "html_front",
}
# why a format is not read
NOT_READ = {
    Format.ZIP: "a ZIP archive that is not a Word document: not read",
    Format.IMAGE: "an image on its own is not read: put scanned pages in a PDF",
    Format.BINARY: "binary content of an unknown format: not read",
}
_SIGNATURES = (
    (b"%PDF-", Format.PDF),
    (b"PK\x03\x04", Format.ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Format.DOC),
    (b"\x89PNG\r\n\x1a\n", Format.IMAGE),
    (b"\xff\xd8\xff", Format.IMAGE),
    (b"II*\x00", Format.IMAGE),
    (b"MM\x00*", Format.IMAGE),
)
_HTML_STARTS = (b"<!doctype html", b"<html", b"<body")


@dataclass(frozen=True, slots=True)
class Unread:
    """A candidate file the build does not read, and why."""

    file: str
    reason: str


def discover(folder: Path) -> list[Path]:
    """Every regular file of `folder` whose name does not start with ".", sorted by name: a file
    of any format is a candidate, so that none is passed over without a word."""
    if not folder.is_dir():
        raise SourceError(folder, 0, "sources folder does not exist")
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def not_read(path: Path) -> Unread | None:
    """Why `path` is not read, or None when a front-end reads its format."""
    found = sniff(path)
    if found in NOT_READ:
        return Unread(path.name, NOT_READ[found])
    return None


def sniff(path: Path) -> Format:
    """The format of a file from its first bytes; a .txt file that no signature claims is text,
    so that bad text stays a SourceError at its line (read_source) rather than a file not read."""
    with path.open("rb") as stream:
        head = stream.read(_HEAD)
    for signature, found in _SIGNATURES:
        if head.startswith(signature):
            return _zip_kind(path) if found is Format.ZIP else found
    markup = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if markup.startswith(b"<") and any(start in markup for start in _HTML_STARTS):
        return Format.HTML
    if path.suffix.lower() == TEXT_SUFFIX or _is_text(head):
        return Format.TEXT
    return Format.BINARY


def _zip_kind(path: Path) -> Format:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return Format.ZIP
    return Format.DOCX if "word/document.xml" in names else Format.ZIP


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # the head may end inside a character: only a fault before its last 3 bytes counts
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def read_source(path: Path) -> SourceFile:
    """Read one document with the front-end its bytes call for; text as UTF-8, any other format
    into blocks (ingest/model.py) and rendered to the lines the readers read. A file that cannot
    be read is a SourceError naming it (and the line, for text)."""
    found = sniff(path)
    if found is Format.TEXT:
        return read_text(path)
    if found in NOT_READ:
        raise SourceError(path, 0, NOT_READ[found])
    document = read_document(path, found)
    if not document.blocks:
        said = f" ({'; '.join(document.notes)})" if document.notes else ""
        raise SourceError(path, 0, f"no text found in this {document.format} document{said}")
    rendered = render(document)
    return SourceFile(
        path.name,
        path.stem,
        rendered.text,
        _sha256(path),
        document.format,
        document.reader,
        rendered.locations,
        rendered.confidence,
        document.notes,
    )


def _sha256(path: Path) -> str:
    """The file's digest, read in chunks: a large scan is not held in memory a second time."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def read_document(path: Path, found: Format | None = None) -> Document:
    """The blocks of a document of any format a front-end reads (imported on demand: each
    brings its own libraries)."""
    found = sniff(path) if found is None else found
    if found not in FRONT_ENDS:
        raise SourceError(path, 0, NOT_READ.get(found, f"{found} documents are not read"))
    front_end = importlib.import_module(f"cchc_graph.ingest.{FRONT_ENDS[found]}")
    read: Callable[[Path], Document] = front_end.read
    try:
        return read(path)
    except SourceError:
        raise
    except Exception as exc:
        # a file that trips the reader is still named, with what went wrong, never a traceback
        raise SourceError(
            path,
            0,
            f"the {found} reader could not read this file ({type(exc).__name__}: {exc}); "
            "please report it with the file",
        ) from exc


def read_text(path: Path) -> SourceFile:
    """Read one text document as UTF-8; a file that is not UTF-8 text is a SourceError at its
    line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(path, line, f"not UTF-8 text (byte {exc.start})") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SourceError(path, line, "binary content (NUL byte) in a text document")
    return SourceFile(path.name, path.stem, text, hashlib.sha256(data).hexdigest())
