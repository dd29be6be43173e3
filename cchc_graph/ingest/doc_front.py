"""doc_front: a Word 97-2003 file (.doc, OLE2) -> Document, through LibreOffice.

LibreOffice headless converts the file to .docx in a private temporary folder (with its own user
profile, so that conversions running side by side do not share one), and docx_front reads the
result. Locations therefore count the paragraphs and tables of the converted document; LibreOffice
keeps the body's order, so they match what Word shows, but a paragraph number is the converted
file's. A file named .doc that is in fact OOXML (Word 2007+) is read by docx_front directly.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from cchc_graph.errors import SourceError
from cchc_graph.ingest import docx_front
from cchc_graph.ingest.model import Document

CONVERT_TIMEOUT = 120  # seconds; a long plan converts in a few
INSTALL_HINT = (
    "install the Debian package libreoffice-writer-nogui "
    "(LibreOffice headless converts Word 97-2003 files)"
)
_ZIP = b"PK\x03\x04"  # by its first bytes: an OLE2 .doc may hold a ZIP (its theme) inside
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# LibreOffice names itself in the converted file: "LibreOffice/7.4.7.2$Linux_X86_64 ..."
_APPLICATION = re.compile(rb"<Application>LibreOffice/([^$<]+)")
# printed on every run where no Java is installed; it has nothing to do with the conversion
_NOISE = re.compile(r"^Warning: failed to launch javaldx.*$", re.MULTILINE)


def read(path: Path) -> Document:
    """Convert a .doc file with LibreOffice and read it; a SourceError names the file and says
    what went wrong (LibreOffice missing, the conversion failing, not a Word file)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_OLE2))
    except OSError as exc:
        raise SourceError(path, 0, f"cannot be read: {exc.strerror or exc}") from None
    if head.startswith(_ZIP):
        return docx_front.read(path)  # OOXML behind a .doc name: the bytes decide, not the name
    if head != _OLE2:
        raise SourceError(path, 0, "not a Word 97-2003 document (no OLE2 signature)")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SourceError(path, 0, f"LibreOffice (soffice) is not installed: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="cchc-doc-") as folder:
        converted = _convert(path, Path(folder), soffice)
        try:
            document = docx_front.read(converted)
        except SourceError as exc:
            raise SourceError(path, 0, f"after conversion by LibreOffice: {exc.message}") from None
        version = _version(converted)
    reader = f"LibreOffice {version} + {document.reader}" if version else document.reader
    return dataclasses.replace(document, name=path.name, format="doc", reader=reader)


def _convert(path: Path, folder: Path, soffice: str) -> Path:
    # a copy under a plain name: the output is named after the input, and a name starting
    # with "-" would read as an option
    source = folder / "source.doc"
    shutil.copyfile(path, source)
    out = folder / "out"
    command = [
        soffice,
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        # the Word 97-2003 import only: left to guess, LibreOffice reads a damaged .doc as text
        "--infilter=MS Word 97",
        "--convert-to",
        "docx",
        "--outdir",
        str(out),
        str(source),
    ]
    said = _run(path, command)
    converted = out / "source.docx"
    if not converted.is_file():
        raise SourceError(
            path, 0, f"LibreOffice could not convert it to .docx: {said or 'no output'}"
        )
    return converted


def _run(path: Path, command: list[str]) -> str:
    """Run soffice in its own process group, so that a timeout ends soffice.bin as well as the
    launcher; return what it printed."""
    process = subprocess.Popen(  # noqa: S603 (the installed soffice, our own arguments)
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise SourceError(
            path, 0, f"LibreOffice did not convert it within {CONVERT_TIMEOUT} s"
        ) from None
    return _NOISE.sub("", output.decode(errors="replace")).strip()


def _version(converted: Path) -> str:
    try:
        with zipfile.ZipFile(converted) as archive:
            found = _APPLICATION.search(archive.read("docProps/app.xml"))
    except (KeyError, zipfile.BadZipFile):
        return ""
    return found.group(1).decode(errors="replace") if found else ""
