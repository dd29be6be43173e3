"""target_tables: tables of quantified targets -> Targets, with their year, unit and responsible
agency.

Two shapes are met. A table of values per year: an indicator column ("Chỉ tiêu", "Sản phẩm"), a
unit column ("ĐVT"), perhaps a baseline ("ƯTH năm 2025"), and one column per year, the years
written in the header or under a period that spans them ("GIAI ĐOẠN 2026 - 2030" over "Năm 2026 |
… | Năm 2030"), a year's column perhaps split in two ("Kế hoạch 2026" over "Lượng (Tấn) | Giá trị
(Nghìn USD)"). And a table of target statements with the agency answering for each ("TT | Chỉ
tiêu | Chủ trì": "Tỷ lệ … đạt 60%" | "Sở Tài chính"), whose year is the plan's end. Group rows
("1 | Cà phê") name the rows under them ("Cà phê - Diện tích"); a baseline is not a target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from cchc_graph.ingest import text_rows
from cchc_graph.ingest.normalise import NormalisedText
from cchc_graph.ingest.text_rows import RowStyle
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.assignments import column_mentions
from cchc_graph.parse.cells import strip_tags
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.tables import Column, column_of
from cchc_graph.parse.targets import find_targets, vietnamese_number
from cchc_graph.records import AgencyMention, Target
from cchc_graph.text import fold, is_roman, squash

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_PERIOD = re.compile(r"giai doan\s+(20\d\d)\s*[-–]\s*(20\d\d)")
_UNIT_IN_LABEL = re.compile(r"\(([^()]{1,30})\)\s*$")
_NUMBER = re.compile(r"^[<>≥≤]?\s*\d[\d.,]*\s*%?$")
_INDICATOR_ROLES = (Column.INDICATOR, Column.PRODUCT)


@dataclass(slots=True)
class _Column:
    """What one column of a target table holds."""

    role: str  # "id", "indicator", "unit", "lead", "year", "baseline", "other"
    year: int | None = None
    label: str = ""  # a year's sub-column: "Lượng (Tấn)"
    unit: str = ""


@dataclass(slots=True)
class _Table:
    style: RowStyle
    columns: list[_Column]
    first_row: int  # the line after the header rows
    rows: list[int] = field(default_factory=list)


def read(
    text: NormalisedText, context: ParseContext, taken: set[int]
) -> tuple[list[Target], set[int]]:
    """The targets of every target table of `text`, and the lines those tables cover (headers,
    group rows, rows read); lines in `taken` (read as tasks) are not looked at."""
    targets: list[Target] = []
    covered: set[int] = set()
    number = 1
    while number <= len(text.lines):
        table = None if number in taken else _table_at(text, number, context)
        if table is None:
            number += 1
            continue
        found, end, read_lines = _read_rows(text, table, context)
        if found:  # a table that gives no target is not a target table: its rows stay unread
            targets += found
            covered.update(range(number, table.first_row))
            covered.update(read_lines)
            number = end
        else:
            number += 1
    return targets, covered


def _table_at(text: NormalisedText, number: int, context: ParseContext) -> _Table | None:
    line = text.line(number)
    if ("|" not in line and "\t" not in line) or not _indicator_words(context.lexicon).search(
        fold(line)
    ):
        return None  # most lines: no row, or no column that names what is measured
    for style in (RowStyle.BARS, RowStyle.TABS, RowStyle.PIPES):
        cells = text_rows.split_row(line, style)
        if not cells or len(cells) < 3:
            continue
        labels = [_plain(c) for c in cells]
        if not _is_header(labels):
            continue
        roles = [column_of(label, context.lexicon) if label else None for label in labels]
        if Column.TASK in roles or not any(r in _INDICATOR_ROLES for r in roles):
            continue
        known = sum(
            1
            for label, role in zip(labels, roles, strict=True)
            if label and (role is not None or _spans(label) or _is_baseline(fold(label)))
        )
        if Column.ID not in roles or known < 0.6 * sum(1 for label in labels if label):
            continue
        columns, first_row = _columns(text, number, style, labels, roles)
        if any(c.role == "year" for c in columns) or any(c.role == "lead" for c in columns):
            return _Table(style, columns, first_row)
    return None


def _is_header(labels: list[str]) -> bool:
    """Header cells are short labels, none of them a row number ("1", "II")."""
    filled = [label for label in labels if label]
    return (
        len(filled) >= 3
        and all(len(label) <= 60 for label in filled)
        and not any(re.fullmatch(r"\d+\.?|[IVXL]+", label) for label in filled)
    )


@lru_cache(maxsize=4)
def _indicator_words(lexicon: Lexicon) -> re.Pattern[str]:
    """A cheap look before splitting a line: a target table's header names what it measures
    with a phrase of the indicator or product role (column-roles.ttl)."""
    phrases = [p for p, role in lexicon.column_phrases if role in _INDICATOR_ROLES]
    return re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))


def _columns(
    text: NormalisedText,
    number: int,
    style: RowStyle,
    labels: list[str],
    roles: list[Column | None],
) -> tuple[list[_Column], int]:
    """The columns a header row names, with the row below it when that row splits the header's
    period or years ("Năm 2026 | … | Năm 2030"); and the line the data starts on."""
    upper = [_column(label, role) for label, role in zip(labels, roles, strict=True)]
    below, after = _next_row(text, number, style)
    lower = [_plain(c) for c in below] if below else []
    spanning = [i for i, label in enumerate(labels) if _spans(label)]
    if not lower or not _is_label_row(lower) or not spanning:
        return upper, _skip_numbering(text, number + 1, style)
    width = len(lower) // len(spanning)
    if width < 1 or width * len(spanning) != len(lower):
        return upper, _skip_numbering(text, number + 1, style)
    columns: list[_Column] = []
    pieces = iter(lower)
    for index, column in enumerate(upper):
        if index not in spanning:
            columns.append(column)
            continue
        for _ in range(width):
            piece = next(pieces)
            year = _year_of(piece) or column.year
            unit = _UNIT_IN_LABEL.search(piece)
            columns.append(_Column("year", year, piece, unit.group(1).strip() if unit else ""))
    return columns, _skip_numbering(text, after + 1, style)


def _column(label: str, role: Column | None) -> _Column:
    folded = fold(label)
    if _is_baseline(folded):
        return _Column("baseline", _year_of(label), label)
    if role == Column.ID:
        return _Column("id", label=label)
    if role in _INDICATOR_ROLES:
        return _Column("indicator", label=label)
    if role == Column.UNIT:
        return _Column("unit", label=label)
    if role in (Column.LEAD, Column.ASSIGNMENT):
        return _Column("lead", label=label)
    year = _year_of(label)
    if year is not None or _PERIOD.search(folded):
        return _Column("year", year, label)
    return _Column("other", label=label)


def _spans(label: str) -> bool:
    """A header cell over several columns: a period, or a year the row below splits."""
    folded = fold(label)
    return bool(_PERIOD.search(folded)) or (
        _year_of(label) is not None and not _is_baseline(folded)
    )


def _is_baseline(folded: str) -> bool:
    # "ƯTH năm 2025" (ước thực hiện), "Thực hiện năm 2024", "Hiện trạng": what is, not a target
    return bool(_BASELINE.search(folded))


_BASELINE = re.compile(r"(?<![a-z])(?:uth|uoc|thuc hien|hien trang|nam goc|co so)(?![a-z])")


def _year_of(label: str) -> int | None:
    years = _YEAR.findall(label)
    return int(years[0]) if len(years) == 1 else None


def _is_label_row(cells: list[str]) -> bool:
    """A row of header labels ("Năm 2026", "Lượng (Tấn)"), not of data."""
    return all(cell and not _NUMBER.match(cell) for cell in cells)


def _next_row(text: NormalisedText, number: int, style: RowStyle) -> tuple[list[str] | None, int]:
    for after in range(number + 1, min(len(text.lines), number + 3) + 1):
        if squash(text.line(after)):
            return text_rows.split_row(text.line(after), style), after
    return None, number


def _skip_numbering(text: NormalisedText, number: int, style: RowStyle) -> int:
    """Past a row that only numbers the columns ("1 | 2 | 3 | …")."""
    if number <= len(text.lines):
        cells = text_rows.split_row(text.line(number), style) or []
        if cells and all(re.fullmatch(r"\(?\d{1,2}\)?", _plain(c)) for c in cells):
            return number + 1
    return number


def _read_rows(
    text: NormalisedText, table: _Table, context: ParseContext
) -> tuple[list[Target], int, set[int]]:
    """The targets of the table's rows, the line after the table, and the lines read: rows
    that gave targets and the rows that name the rows below them."""
    targets: list[Target] = []
    read_lines: set[int] = set()
    group = ""
    number = table.first_row
    while number <= len(text.lines):
        line = text.line(number)
        if not squash(line):
            number += 1
            continue
        cells = text_rows.split_row(line, table.style)
        if cells is None or len(cells) < 2:
            if not _rows_follow(text, number, table.style):
                break
            group = ""  # "I. Kinh tế số" between rows: a part of the table
            read_lines.add(number)
            number += 1
            continue
        values = [_plain(c) for c in cells]
        if _table_at(text, number, context) is not None:
            break  # the next table's header
        name = _name(values, table.columns)
        row_targets = _row_targets(values, table, name, group, number, line, context)
        if row_targets:
            targets += row_targets
            read_lines.add(number)
        elif name and not _has_figures_or_agency(values, table.columns):
            first = values[0]
            # "I | CÂY CÔNG NGHIỆP" opens a part; "1 | Cà phê" names the rows below it
            group = "" if is_roman(first.rstrip(".")) else name
            read_lines.add(number)
        number += 1
    return targets, number, read_lines


def _rows_follow(text: NormalisedText, number: int, style: RowStyle) -> bool:
    """Whether the next line with words after `number` is a row again."""
    for after in range(number + 1, len(text.lines) + 1):
        if squash(text.line(after)):
            cells = text_rows.split_row(text.line(after), style)
            return cells is not None and len(cells) >= 2
    return False


def _has_figures_or_agency(values: list[str], columns: list[_Column]) -> bool:
    """A row with a value or an agency is read for targets; one with neither names a group."""
    for index, column in enumerate(columns):
        cell = values[index] if index < len(values) else ""
        if column.role == "lead" and cell:
            return True
        if column.role in ("year", "baseline") and _value(cell)[0] is not None:
            return True
    return False


def _name(values: list[str], columns: list[_Column]) -> str:
    for index, column in enumerate(columns):
        if column.role == "indicator" and index < len(values) and values[index]:
            return values[index]
    # "Tổng I + II | | 240.000": the name stands in the number column
    first = values[0] if values else ""
    return first if first and not re.fullmatch(r"[-–+•\d.]*|[IVX]+\.?", first) else ""


def _row_targets(
    values: list[str],
    table: _Table,
    name: str,
    group: str,
    number: int,
    line: str,
    context: ParseContext,
) -> list[Target]:
    indicator = f"{group} - {name}" if group and name and name != group else name
    quote = squash(strip_tags(line))
    span = context.span(number)
    unit_cell = next(
        (values[i] for i, c in enumerate(table.columns) if c.role == "unit" and i < len(values)),
        "",
    )
    lead_cell = next(
        (values[i] for i, c in enumerate(table.columns) if c.role == "lead" and i < len(values)),
        "",
    )
    responsible = column_mentions(lead_cell, context.gazetteer) if lead_cell else ()
    found: list[Target] = []
    for index, column in enumerate(table.columns):
        if column.role != "year" or index >= len(values) or column.year is None:
            continue
        value, percent = _value(values[index])
        if value is None:
            continue
        unit = "%" if percent else (column.unit or unit_cell)
        scope = squash(f"{indicator} {_label_without_unit(column.label)}".strip())
        found.append(
            Target(None, "=", value, unit, column.year, scope, span, quote, None, responsible)
        )
    if found or not any(c.role == "lead" for c in table.columns):
        return found
    # a statement of the target in the indicator cell, the plan's end its year
    for draft in find_targets(name, context.lexicon):
        target = draft.to_target(context.period_end, span, quote)
        found.append(_with_responsible(target, responsible))
    return found


def _with_responsible(target: Target, responsible: tuple[AgencyMention, ...]) -> Target:
    return Target(
        target.indicator,
        target.comparator,
        target.value,
        target.unit,
        target.year,
        target.scope,
        target.span,
        target.quote,
        target.max_value,
        responsible,
    )


def _label_without_unit(label: str) -> str:
    if _year_of(label) is not None and not _UNIT_IN_LABEL.search(label):
        return ""  # "Năm 2026": the year is said by the target's year
    return squash(_UNIT_IN_LABEL.sub("", label))


def _value(cell: str) -> tuple[Decimal | None, bool]:
    """ "27.000" -> 27000, "5,5" -> 5.5, "1.234,5" -> 1234.5, "80%" -> 80; None for no number."""
    text = cell.strip().replace(" ", "")
    percent = text.endswith("%")
    value = vietnamese_number(text.rstrip("%").lstrip("<>≥≤"))
    return (value, percent) if value is not None else (None, False)


def _plain(cell: str) -> str:
    return squash(strip_tags(cell))
