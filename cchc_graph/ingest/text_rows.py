"""text_rows: the ways a text file writes one table row on one line, in one place.

Plans saved or converted to text keep their tables in one of these forms:
- cells between tabs (a cell may carry HTML fragments: "<p>…</p>", "<b>…</b>");
- markdown rows with outer pipes: "| 1 | Rà soát … | Quý II/2024 | Sở Tư pháp |";
- cells between " | " without outer pipes: "1 | Rà soát … | Sở Tư pháp | Quý II/2024", the
  form a crawl of the legal databases takes once its markup is stripped. A row whose cells
  merged from the row above were dropped carries only its own cells ("I | Hoàn thiện thể chế").
The readers and the accounting of unread rows split rows here, so that a form met once is met
everywhere.
"""

from __future__ import annotations

from enum import StrEnum

BAR = " | "


class RowStyle(StrEnum):
    TABS = "tabs"
    PIPES = "pipes"
    BARS = "bars"


def split_row(line: str, style: RowStyle) -> list[str] | None:
    """The cells of `line` written in `style`, or None when the line is not such a row."""
    if style is RowStyle.TABS:
        return line.split("\t") if "\t" in line else None
    stripped = line.strip()
    if style is RowStyle.PIPES:
        if not stripped.startswith("|") or stripped.count("|") < 3:
            return None
        return [cell.strip() for cell in stripped.strip("|").split("|")]
    if "\t" in line or stripped.startswith("|") or BAR not in stripped:
        return None
    return [cell.strip() for cell in stripped.split(BAR)]


def row_cells(line: str) -> list[str] | None:
    """The cells of `line` in whichever style it is written, or None for a line that is not a
    row (prose, a heading, a line holding only "|")."""
    for style in RowStyle:
        cells = split_row(line, style)
        if cells is not None:
            return cells
    return None
