"""sources: a folder of documents -> SourceFile records (UTF-8 text, sha256), sorted by name."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cchc_graph.errors import SourceError
from cchc_graph.records import SourceFile

SOURCE_SUFFIXES = (".txt",)


def discover(folder: Path) -> list[Path]:
    """Every document file in `folder`, sorted by name, so a new file needs no configuration."""
    if not folder.is_dir():
        raise SourceError(folder, 0, "sources folder does not exist")
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES
    )


def read_source(path: Path) -> SourceFile:
    """Read one document as UTF-8; a file that is not UTF-8 text is a SourceError at its line."""
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
