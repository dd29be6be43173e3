"""pdf_text: a page's characters -> words -> lines, and the text of lines joined.

Footnote references (raised small digits) are blanked before words are found, and spaces drawn
under other characters are dropped; words come from the page's text apart from the words stamped
by annotations. The list marker, the sentence ends and `join_lines` are the rules both paragraphs
and table cells are joined by. Kept apart from pdf_page and pdf_tables, which both read text
this way: the page outside tables and each cell of a table.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pdfplumber.utils.text import extract_words

from cchc_graph.ingest.pdf_model import Char, Line, Word
from cchc_graph.text import nfc

_SUPERSCRIPT_RATIO = 0.8  # a footnote reference: 9 pt digits after 14 pt text
_WORD_GAP = 0.2
# what a footnote reference is replaced by: no text, but not a space (a space would part words,
# and pdfplumber takes an empty text for punctuation to split at)
_BLANK = "\u200b"
SENTENCE_END = (".", ";", ":", "!", "?")

# a list marker at the start of a line: "II.", "1.", "1.2.", "3.2", "a)", "đ)", "-", "+", "•"
MARKER = re.compile(
    r"(?P<marker>(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})\."
    r"|\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+"
    r"|[a-zđ]\)|[-–—+•*])\s+(?=\S)"
)


def footnote_references(chars: list[Char]) -> dict[int, Char]:
    """Footnote references: runs of digits smaller than the text beside them and raised above its
    baseline ("các ngành¹." of a report, 9 pt after 14 pt). Each maps to a blank
    copy set on the text's line, which keeps "ngành" and "." one word."""
    found: dict[int, Char] = {}
    start = 0
    while start < len(chars):
        end = start
        while end < len(chars) and chars[end]["text"].isdigit():
            end += 1
        beside = _raised_beside(chars, start, end) if end > start else None
        if beside is not None:
            for char in chars[start:end]:
                found[id(char)] = {
                    **char,
                    "text": _BLANK,
                    "top": beside["top"],
                    "bottom": beside["bottom"],
                }
        start = max(end, start + 1)
    return found


def _raised_beside(chars: list[Char], start: int, end: int) -> Char | None:
    """The larger character a run of digits is raised beside, if it is a footnote reference."""
    first, last = chars[start], chars[end - 1]
    size, bottom = first["size"], max(char["bottom"] for char in chars[start:end])
    for step, edge in ((-1, start - 1), (1, end)):
        other = _beside(chars, edge, step)
        if other is None or other["size"] * _SUPERSCRIPT_RATIO < size:
            continue
        near = (
            abs(first["x0"] - other["x1"]) < other["size"]
            if step < 0
            else 0 <= other["x0"] - last["x1"] < 2 * other["size"]
        )
        raised = bottom < other["bottom"] - 0.1 * other["size"] and other["top"] < bottom
        if near and raised:
            return None if step < 0 and other["text"] == "m" else other  # "m²" is a unit
    return None


def without_stray_spaces(chars: list[Char]) -> list[Char]:
    """Drop spaces drawn under other characters of the page: a stray space inside "/BC-UBND"
    on a signed report's first page would part it."""
    rows: dict[int, list[Char]] = defaultdict(list)
    for char in chars:
        if char["text"].strip() and "annotation" not in char:
            rows[_row_key(char)].append(char)
    starts: dict[int, list[float]] = {}
    for key, row in rows.items():
        row.sort(key=lambda char: char["x0"])
        starts[key] = [char["x0"] for char in row]
    return [char for char in chars if not (char["text"].isspace() and _covered(char, rows, starts))]


def _row_key(char: Char) -> int:
    return int((char["top"] + char["bottom"]) / 16)


def _covered(space: Char, rows: dict[int, list[Char]], starts: dict[int, list[float]]) -> bool:
    width, key = space["x1"] - space["x0"], _row_key(space)
    for near in (key - 1, key, key + 1):
        row, xs = rows.get(near, []), starts.get(near, [])
        for other in row[bisect_right(xs, space["x0"] - 20) : bisect_right(xs, space["x1"])]:
            overlap = min(other["x1"], space["x1"]) - max(other["x0"], space["x0"])
            if (
                overlap > 0.5 * width
                and other["top"] < space["bottom"]
                and other["bottom"] > space["top"]
            ):
                return True
    return False


def _beside(chars: list[Char], index: int, step: int) -> Char | None:
    for _ in range(3):  # past the spaces between a footnote's number and its text
        if not 0 <= index < len(chars):
            return None
        if chars[index]["text"].strip():
            return chars[index]
        index += step
    return None


def chars_to_words(chars: list[Char]) -> list[Word]:
    """Words of the page's text, and apart from them words of the annotations: a signature
    stamps "19" into the blank of "ngày      tháng" of a signed report, a word of its own."""
    words = []
    page_chars = [char for char in chars if "annotation" not in char]
    stamped = [char for char in chars if "annotation" in char]
    for word in [*_extract(page_chars), *_extract(stamped)]:
        text = nfc(word["text"].replace(_BLANK, ""))
        if not text.strip():
            continue  # a footnote reference alone, blanked
        sizes = Counter(round(char["size"], 1) for char in word["chars"])
        box = (word["x0"], word["top"], word["x1"], word["bottom"])
        words.append(Word(text, *box, size=sizes.most_common(1)[0][0]))
    return words


def _extract(chars: list[Char]) -> list[dict[str, Any]]:
    # a gap of a fifth of the font size parts words: TeX sets no space characters and closes
    # up justified lines to 2.5 pt at 10 pt, under pdfplumber's fixed 3 pt
    return extract_words(chars, return_chars=True, x_tolerance_ratio=_WORD_GAP)


def words_to_lines(words: Iterable[Word], page: int) -> list[Line]:
    """Words -> lines: a word joins the line whose first word it overlaps by half a height, not
    only touches (a 11 pt "Nơi nhận" list beside a 14 pt signature title steps at its own pitch)."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        for row in reversed(rows[-6:]):
            anchor = row[0]
            overlap = min(anchor.bottom, word.bottom) - max(anchor.top, word.top)
            if overlap >= 0.5 * min(anchor.bottom - anchor.top, word.bottom - word.top):
                row.append(word)
                break
        else:
            rows.append([word])
    return [make_line(row, page) for row in rows]


def make_line(words: Sequence[Word], page: int, group: tuple[int, int] | None = None) -> Line:
    ordered = tuple(sorted(words, key=lambda w: w.x0))
    sizes: Counter[float] = Counter()
    for word in ordered:
        sizes[word.size] += len(word.text)
    return Line(
        ordered, page, min(w.x0 for w in ordered), min(w.top for w in ordered),
        max(w.x1 for w in ordered), max(w.bottom for w in ordered), sizes.most_common(1)[0][0],
        group,
    )  # fmt: skip


def join_lines(lines: Sequence[Line]) -> str:
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and not text[-2].isspace():
            text += line.text  # "Quyết định số 1187/QĐ-" + "BNV": a code cut at its hyphen
        else:
            text = f"{text} {line.text}" if text else line.text
    return text
