"""normalise: SourceFile -> NormalisedText (NFC, markdown emphasis dropped, one line per line).

Lines are kept one-to-one with the source so that every later stage can quote a 1-based source
line without a separate line map. Hard wraps are undone on demand by `paragraphs()` and
`FlatText`, which remember the line each piece of text came from.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from cchc_graph.records import SourceFile
from cchc_graph.text import nfc, squash, starts_lowercase

# text saved from markdown writes "**QUYẾT ĐỊNH**", "## **II. ...**" and "~~1234~~"
_MARKDOWN = re.compile(r"\*+|~~|^#{1,6}\s+")
_LIST_MARKER = re.compile(r"^(?:\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-–+•])\s")


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A source file's lines after NFC and markdown clean-up; `lines[0]` is source line 1."""

    source: SourceFile
    lines: tuple[str, ...]

    def line(self, number: int) -> str:
        """The normalised text of 1-based line `number`."""
        return self.lines[number - 1]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Logical paragraph: hard-wrapped lines joined with spaces, and the lines they came from."""

    text: str
    line_start: int
    line_end: int
    line_offsets: tuple[tuple[int, int], ...] = ()  # (offset in text, source line) of each piece

    def line_at(self, offset: int) -> int:
        """Source line of character `offset` of `text`."""
        line = self.line_start
        for start, number in self.line_offsets:
            if start <= offset:
                line = number
        return line


def normalise(source: SourceFile) -> NormalisedText:
    """NFC every line, drop markdown emphasis and non-breaking spaces, keep the line count."""
    raw = nfc(source.text).replace("\r\n", "\n").replace("\r", "\n")
    lines = tuple(_clean_line(line) for line in raw.split("\n"))
    return NormalisedText(source, lines)


def _clean_line(line: str) -> str:
    # trailing tabs are kept: they are the empty last cells of a tab-separated row
    return _MARKDOWN.sub("", line.replace("\u00a0", " ").replace("\ufeff", "")).rstrip(" \r")


def is_list_start(text: str) -> bool:
    """True when `text` starts like a new outline item ("2.", "a)", "- ")."""
    return bool(_LIST_MARKER.match(text.strip()))


def paragraphs(text: NormalisedText, first: int = 1, last: int | None = None) -> list[Paragraph]:
    """Logical paragraphs of lines first..last, undoing hard wraps and page breaks.

    A line continues the paragraph above when it starts in lower case (also across blank lines:
    a plan copied from a PDF breaks "thị xã," / "thành phố" over a page), or when the line
    above has no closing punctuation and this one is not a new outline item
    (text saved with hard wraps at about 80 columns).
    """
    last = len(text.lines) if last is None else last
    result: list[Paragraph] = []
    current: list[tuple[int, str]] = []
    blank_since = False
    for number in range(first, last + 1):
        line = squash(text.line(number))
        if not line:
            blank_since = True
            continue
        if current and _continues(current[-1][1], line, blank_since):
            current.append((number, line))
        else:
            if current:
                result.append(_paragraph(current))
            current = [(number, line)]
        blank_since = False
    if current:
        result.append(_paragraph(current))
    return result


def _paragraph(pieces: list[tuple[int, str]]) -> Paragraph:
    offsets = []
    position = 0
    for number, line in pieces:
        offsets.append((position, number))
        position += len(line) + 1
    text = " ".join(line for _, line in pieces)
    return Paragraph(text, pieces[0][0], pieces[-1][0], tuple(offsets))


def _continues(previous: str, line: str, blank_between: bool) -> bool:
    if line == "|" or previous == "|":
        return False
    if starts_lowercase(line) and not is_list_start(line):
        return True
    if blank_between or is_list_start(line):
        return False
    return (
        not previous.endswith((".", ";", ":", "!", "?", ")", "”", '"')) and not previous.isupper()
    )


class FlatText:
    """Lines joined with "\\n" into one string, with the map from offsets back to line numbers.

    Regular expressions with `\\s+` then match across hard wraps ("Số:\\n2421/QĐ-UBND").
    """

    def __init__(self, text: NormalisedText, first: int = 1, last: int | None = None) -> None:
        last = len(text.lines) if last is None else last
        self.first_line = first
        self._starts: list[int] = []
        pieces: list[str] = []
        offset = 0
        for number in range(first, last + 1):
            self._starts.append(offset)
            line = text.line(number)
            pieces.append(line)
            offset += len(line) + 1
        self.text = "\n".join(pieces)

    def line_at(self, offset: int) -> int:
        """1-based source line of character `offset`."""
        return self.first_line + bisect.bisect_right(self._starts, offset) - 1

    def lines_of(self, start: int, end: int) -> tuple[int, int]:
        """First and last source line covered by the offsets start..end."""
        return self.line_at(start), self.line_at(max(start, end - 1))
