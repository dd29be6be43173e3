"""deadlines: a deadline text ("Trong quý I/2014", "Hàng năm") -> Deadline (due, start, kind).

Dates are read on the folded text (no diacritics). The rules, in tests/expected/README.md:
a period gives its last day as the due date; a range gives a start and a due date; "từ X" alone
gives a start; several dates give the latest; "trước tháng 9" ends the day before, while
"trước ngày 15/12" is due that day (the way documents use it). The kind comes
from the phrases of ontology/schemes/deadline-kinds.ttl.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from cchc_graph.records import Deadline, DeadlineKind
from cchc_graph.text import fold, squash

_QUARTER = r"(iv|iii|ii|i|[1-4])"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "30/06/2023"
    ("day", re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")),
    # "ngày 25 tháng 11 năm 2025", written out
    ("day", re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")),
    # "Tháng 9 - 12/2014", "Tháng 01 - tháng 3/2014", "tháng 7-8/2017"
    (
        "month-range",
        re.compile(r"thang\s+(\d{1,2})\s*(?:-|den)\s*(?:thang\s+)?(\d{1,2})\s*/\s*(\d{4})"),
    ),
    # "từ tháng 4/2014 - 10/2014"
    (
        "month-year-range",
        re.compile(
            r"(?:thang\s+)?(\d{1,2})\s*/\s*(\d{4})\s*(?:-|den)\s*(?:thang\s+)?(\d{1,2})\s*/\s*(\d{4})"
        ),
    ),
    # "Tháng 6/2014", "tháng 02 năm 2023"
    ("month", re.compile(r"thang\s+(\d{1,2})\s*(?:/|nam)\s*(\d{4})")),
    # "Quý III - IV/2025", "Quý I, II năm 2026", "Quý III và IV năm 2025"
    (
        "quarter-range",
        re.compile(
            r"qu[yi]\s+"
            + _QUARTER
            + r"\s*(?:-|,|va|den)\s*(?:qu[yi]\s+)?"
            + _QUARTER
            + r"\s*(?:/|-|nam|cua nam)\s*(\d{4})"
        ),
    ),
    # "6 tháng đầu năm 2026", "6 tháng cuối năm 2025"
    ("half", re.compile(r"(?:06|6)\s+thang\s+(dau|cuoi)\s+nam\s+(\d{4})")),
    # "Quý II/2017", "Quý I năm 2023", "Quí IV-2025"
    ("quarter", re.compile(r"qu[yi]\s+" + _QUARTER + r"\s*(?:/|-|nam|cua nam)\s*(\d{4})")),
    # "Năm 2016-2017", "Năm 2023 - 2024", "2016-2020"
    (
        "year-range",
        re.compile(r"(?<![\d/])(?:nam\s+)?(\d{4})\s*(?:-|den)\s*(?:nam\s+)?(\d{4})(?![\d/])"),
    ),
    # "Năm 2017", "trong năm 2014"; a cell holding only the year ("2026")
    ("year", re.compile(r"nam\s+(\d{4})(?![\d/])|^\s*(\d{4})\s*$")),
)
# dates without their year ("ngày 23 tháng 1", "Quý II", "Tháng 6", "30/6"): in a plan of one
# year, that year; elsewhere they give no date
_YEARLESS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "quarter-range-of-year",
        re.compile(
            r"qu[yi]\s+"
            + _QUARTER
            + r"\s*(?:-|,|va|den)\s*(?:qu[yi]\s+)?"
            + _QUARTER
            + r"(?![a-z0-9/])(?!\s*(?:nam|-)\s*\d)"
        ),
    ),
    (
        "month-range-of-year",
        re.compile(
            r"thang\s+(\d{1,2})\s*(?:-|den)\s*(?:thang\s+)?(\d{1,2})(?!\d)(?!\s*(?:/|nam)\s*\d)"
        ),
    ),
    ("half-of-year", re.compile(r"(?:06|6)\s+thang\s+(dau|cuoi)\s+nam(?!\s+\d)")),
    (
        "day-of-year",
        re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?!\d)(?!\s*(?:nam|/|-)\s*\d)"),
    ),
    (
        "month-of-year",
        re.compile(r"thang\s+(\d{1,2})(?!\d)(?!\s*(?:nam|/|-|den)\s*(?:thang\s+)?\d)"),
    ),
    (
        "quarter-of-year",
        re.compile(r"qu[yi]\s+" + _QUARTER + r"(?![a-z0-9/])(?!\s*(?:nam|-)\s*\d)"),
    ),
)
# "30/6", "Trước 15/12": a day and month alone, only in a short text (a deadline cell), where
# "3/12" is no "3 of 12"
_DAY_MONTH = re.compile(r"(?<![\d/.,])(\d{1,2})\s*/\s*(\d{1,2})(?![\d/.,])")
_SHORT_TEXT_WORDS = 6
_ROMAN_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True, slots=True)
class DatePeriod:
    """A date expression in a deadline text: its first and last day and the word before it."""

    first: date
    last: date
    start: int
    is_range: bool
    lead_word: str
    end: int = 0  # offset just after the expression


def parse_deadline(
    text: str, phrases: dict[str, tuple[str, ...]], year: int | None = None
) -> Deadline:
    """Read a deadline text; `phrases` maps each kind slug to its folded cue phrases; `year`
    (a plan of one year) completes the dates written without one."""
    verbatim = squash(text)
    folded = fold(verbatim)
    periods = find_periods(folded, year)
    kind = deadline_kind(folded, phrases, has_date=bool(periods))
    due, start = _due_and_start(periods, kind)
    if kind is None and (due or start):
        kind = DeadlineKind.CONTINUOUS if start and not due else DeadlineKind.FIXED
    return Deadline(verbatim, kind, due, start)


def deadline_kind(
    folded: str, phrases: dict[str, tuple[str, ...]], has_date: bool = False
) -> DeadlineKind | None:
    """Kind from the cue phrases, or None; a conditional cue counts anywhere only without a date."""
    conditional = phrases.get("conditional", ())
    if any(_has_phrase(folded, p, at_start=True) for p in conditional) or (
        not has_date and any(_has_phrase(folded, p) for p in conditional)
    ):
        return DeadlineKind.CONDITIONAL
    if any(_has_phrase(folded, p) for p in phrases.get("recurring", ())):
        return DeadlineKind.RECURRING
    if any(_has_phrase(folded, p) for p in phrases.get("continuous", ())):
        return DeadlineKind.CONTINUOUS
    return None


def _has_phrase(folded: str, phrase: str, at_start: bool = False) -> bool:
    if phrase not in folded:
        return False
    return _phrase_pattern(phrase, at_start).search(folded) is not None


@lru_cache(maxsize=256)
def _phrase_pattern(phrase: str, at_start: bool) -> re.Pattern[str]:
    # whole words only: "trong tháng quý II" must not read as "hàng quý"
    return re.compile(
        (r"^" if at_start else r"(?<![a-z0-9])") + re.escape(phrase) + r"(?![a-z0-9])"
    )


def find_periods(folded: str, year: int | None = None) -> list[DatePeriod]:
    """Every date expression in a folded text, left to right, without overlaps; with `year`,
    also the dates written without their year."""
    found: list[DatePeriod] = []
    taken: list[tuple[int, int]] = []
    patterns: list[tuple[str, re.Pattern[str]]] = list(_PATTERNS)
    if year is not None:
        patterns += _YEARLESS
        if len(folded.split()) <= _SHORT_TEXT_WORDS:
            patterns.append(("day-of-year", _DAY_MONTH))
    for name, pattern in patterns:
        for match in pattern.finditer(folded):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            period = _period(name, match, folded, year)
            if period is not None:
                found.append(period)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda p: p.start)


def _period(
    name: str, match: re.Match[str], folded: str, year: int | None = None
) -> DatePeriod | None:
    groups = [g for g in match.groups()]
    if name.endswith("-of-year"):  # a date written without its year: the plan's
        name, groups = name.removesuffix("-of-year"), [*groups, str(year)]
    try:
        if name == "day":
            day = date(int(groups[2]), int(groups[1]), int(groups[0]))
            first, last, is_range = day, day, False
        elif name == "month-range":
            year = int(groups[2])
            first, last, is_range = (
                _month(year, int(groups[0]))[0],
                _month(year, int(groups[1]))[1],
                True,
            )
        elif name == "month-year-range":
            first = _month(int(groups[1]), int(groups[0]))[0]
            last, is_range = _month(int(groups[3]), int(groups[2]))[1], True
        elif name == "month":
            (first, last), is_range = _month(int(groups[1]), int(groups[0])), False
        elif name == "quarter":
            (first, last), is_range = _quarter(int(groups[1]), _ROMAN_QUARTER[groups[0]]), False
        elif name == "quarter-range":
            year = int(groups[2])
            first = _quarter(year, _ROMAN_QUARTER[groups[0]])[0]
            last, is_range = _quarter(year, _ROMAN_QUARTER[groups[1]])[1], True
        elif name == "half":
            year, second = int(groups[1]), groups[0] == "cuoi"
            first, last = (
                (date(year, 7, 1), date(year, 12, 31))
                if second
                else (date(year, 1, 1), date(year, 6, 30))
            )
            is_range = False
        elif name == "year-range":
            first, last, is_range = date(int(groups[0]), 1, 1), date(int(groups[1]), 12, 31), True
        else:
            year = int(groups[0] or groups[1])
            first, last, is_range = date(year, 1, 1), date(year, 12, 31), False
    except ValueError:
        return None  # "tháng 13/2014" is not a date; the text is kept verbatim anyway
    if not 1900 < first.year < 2200 or last < first:
        return None
    before = folded[: match.start()].split()
    if match.group(0).startswith("ngay"):
        before.append("ngay")
    lead_word = before[-1] if before else ""
    if lead_word == "ngay" and len(before) > 1 and before[-2] == "tu":
        lead_word = "tu"  # "từ ngày 01/01/2026" starts then
    # "trước ngày 15/12/2025" is due that day: documents pair it with a deadline cell "15/12/2025"
    return DatePeriod(first, last, match.start(), is_range, lead_word, match.end())


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _quarter(year: int, quarter: int) -> tuple[date, date]:
    return _month(year, quarter * 3 - 2)[0], _month(year, quarter * 3)[1]


def _due_and_start(
    periods: list[DatePeriod], kind: DeadlineKind | None
) -> tuple[date | None, date | None]:
    if not periods:
        return None, None
    starts = [p.first for p in periods if p.is_range or p.lead_word == "tu"]
    ends = []
    for period in periods:
        if period.lead_word == "truoc":
            ends.append(period.first - timedelta(days=1))
        elif period.is_range or period.lead_word != "tu":
            ends.append(period.last)
    if kind in (DeadlineKind.RECURRING, DeadlineKind.CONTINUOUS) and not any(
        p.is_range for p in periods
    ):
        # "Năm 2017 và các năm tiếp theo", "Hàng năm (bắt đầu từ năm 2016)": the date is a start
        return None, min(p.first for p in periods)
    return (max(ends) if ends else None), (min(starts) if starts else None)
