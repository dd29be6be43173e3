"""targets: a sentence with numbers ("đạt tối thiểu 75%") -> TargetDraft (comparator, value, unit,
indicator, year) records. Spans and quotes are added by the caller, which knows the lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from cchc_graph.lexicon import Lexicon
from cchc_graph.records import Span, Target
from cchc_graph.text import fold_keep_length, squash

# "tối thiểu 20%", "trên 75%", "Từ 50% - dưới 70%", "đạt từ 30%", "100%", "khoảng 60 - 70%"
_PERCENT = re.compile(
    r"(?P<cue>(?:(?:dat|co|giam|phan dau|dat muc|dat ty le|xuong)\s+)*"
    r"(?:toi thieu|it nhat|tren|duoi|tu|khoang|xuong duoi|muc tren|muc)?\s*)"
    r"(?P<value>\d{1,3}(?:[.,]\d+)?)\s*%?"
    r"(?:\s*-\s*(?P<maxcue>duoi\s+)?(?P<max>\d{1,3}(?:[.,]\d+)?))?\s*%"
    r"(?P<after>\s*tro len)?"
)
# "Có từ 15 dịch vụ công trở lên", "tại 05 đơn vị trở lên"
_COUNT = re.compile(
    r"(?P<cue>(?:co\s+)?(?:tu|it nhat|toi thieu|tren)\s+)?(?P<value>\d{1,4})\s+"
    r"(?P<unit>dich vu cong|don vi|co quan|thu tuc)\b(?P<rest>[^;.]{0,40}?tro len)"
)
# "đạt 400 triệu USD", "đạt trên 46.200 tấn", "tối thiểu 05 kịch bản", "phấn đấu đạt 500.000 thuê
# bao": a quantity the text promises, in its own unit (the words after the number)
# "cắt giảm, đơn giản hóa 2.163 TTHC", "sửa đổi, bổ sung 485 văn bản", "gấp 30 lần GRDP", "phát
# triển từ 05 bộ dữ liệu" (at least five): what is to be done, counted
_QUANTITY = re.compile(
    r"(?P<cue>(?<![a-z])(?:dat|phan dau dat|toi thieu|it nhat|dat tren|dat toi thieu|dat khoang|"
    r"cat giam|don gian hoa|bo sung|hoan thanh(?: ngay)?|gap|(?:phat trien|xay dung|co) tu)\s+"
    r"(?:tren\s+|khoang\s+)?)"
    r"(?P<value>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)\s+"
    r"(?P<unit>(?!nam\b|thang\b|ngay\b|quy\b)[a-z][a-z&]*(?:\s+[a-z&]+){0,5}?)"
    r"(?=\s*(?:[,;.:)(\[]|$)|\s+(?:tham gia|trong|vao|den|va|cua|tro len|chat luong|moi|tai|tren|"
    r"phuc vu|cap|nam|de|da|duoc|can)\b)"
)
_YEAR = re.compile(r"nam\s+(\d{4})(?![\d/])")
_CLAUSE_BREAK = re.compile(r"[;.](?:\s|$)")
_PREFIX_CUES = ("dat", "giam", "xuong", "la", "chiem")


@dataclass(frozen=True, slots=True)
class TargetDraft:
    """A number the text promises, before it is tied to a source line."""

    comparator: str
    value: Decimal
    max_value: Decimal | None
    unit: str
    indicator: str | None
    scope: str
    year: int | None
    start: int
    end: int
    cue: str = ""  # the folded words between the clause start and the number ("dat toi thieu")

    def to_target(self, year: int | None, span: Span, quote: str) -> Target:
        """The Target record, once the caller knows the year, the line and the quote."""
        return Target(
            self.indicator,
            self.comparator,
            self.value,
            self.unit,
            year,
            self.scope,
            span,
            quote,
            self.max_value,
        )


def find_targets(text: str, lexicon: Lexicon, context: str = "") -> list[TargetDraft]:
    """Every quantified target in `text`; `context` (a task's wording) helps name the indicator."""
    folded = fold_keep_length(text)
    spans: list[tuple[int, int, str, Decimal, Decimal | None, str]] = []
    for match in _PERCENT.finditer(folded):
        value = _decimal(match.group("value"))
        maximum = _decimal(match.group("max")) if match.group("max") else None
        comparator = _comparator(match.group("cue"), maximum, bool(match.group("after")))
        spans.append((match.start("value"), match.end(), comparator, value, maximum, "%"))
    for match in _COUNT.finditer(folded):
        unit = squash(text[match.start("unit") : match.end("unit")])
        spans.append(
            (match.start("value"), match.end(), ">=", _decimal(match.group("value")), None, unit)
        )
    taken = [(start, end) for start, end, *_ in spans]
    for match in _QUANTITY.finditer(folded):
        if any(match.start("value") < e and s < match.end() for s, e in taken):
            continue
        unit = squash(text[match.start("unit") : match.end("unit")])
        comparator = _comparator(match.group("cue"), None, False)
        quantity = vietnamese_number(match.group("value"))
        if quantity is None:
            continue
        spans.append((match.start("value"), match.end(), comparator, quantity, None, unit))
    spans.sort()
    drafts = []
    for index, (start, end, comparator, value, maximum, unit) in enumerate(spans):
        previous_end = spans[index - 1][1] if index else 0
        next_start = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        indicator = _indicator(folded, previous_end, start, end, next_start, lexicon, context)
        scope = squash(
            text[_clause_start(folded, previous_end, start) : _clause_end(folded, end, next_start)]
        )
        cue = folded[_clause_start(folded, previous_end, start) : start]
        drafts.append(
            TargetDraft(
                comparator,
                value,
                maximum,
                unit,
                indicator,
                scope,
                _year(folded, start, end),
                start,
                end,
                cue,
            )
        )
    return drafts


# a number in prose is a target only when the words before it set a goal: "giảm ít nhất 60%",
# "phấn đấu tự chủ khoảng 60 - 70%"; "có từ 10% hồ sơ trễ hạn trở lên" states a rule
_GOAL_CUES = re.compile(
    r"(?<![a-z])(?:giam|tang|dat|phan dau|toi thieu|it nhat|hoan thanh|cat giam|so hoa|tich hop|"
    r"cung cap|tai su dung)(?![a-z])"
)
# "(đến nay mới đạt 39,5%)", "hiện nay đã đạt 60%": what has been reached, not what is aimed at
_SO_FAR = re.compile(r"(?<![a-z])(?:den nay|hien nay|moi dat|da dat)(?![a-z])")
# "… mục tiêu 100% TTHC … trực tuyến và 100% TTHC …": a second number listed after a goal
_LISTED = re.compile(r"(?:,|(?<![a-z])va)\s*$")


def promised_targets(text: str, lexicon: Lexicon, context: str = "") -> list[TargetDraft]:
    """The targets of `text` that words set as goals (prose, a task's own wording), not every
    number it states."""
    promised: list[TargetDraft] = []
    previous: TargetDraft | None = None
    for draft in find_targets(text, lexicon, context):
        listed = (
            previous is not None
            and previous in promised
            and draft.start - len(draft.cue) == previous.end
            and _LISTED.search(draft.cue)
        )
        if (listed or _GOAL_CUES.search(draft.cue)) and not _SO_FAR.search(draft.cue):
            promised.append(draft)
        previous = draft
    return promised


def _decimal(raw: str) -> Decimal:
    return Decimal(raw.replace(",", "."))


def vietnamese_number(text: str) -> Decimal | None:
    """ "27.000" -> 27000, "5,5" -> 5.5, "1.234,5" -> 1234.5, "12.5" -> 12.5; None for text that
    is no number."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d+", text):
        text = text.replace(",", ".")
    elif not re.fullmatch(r"\d+(?:\.\d+)?", text):
        return None
    return Decimal(text)


def _comparator(cue: str, maximum: Decimal | None, or_more: bool) -> str:
    words = cue.split()
    if maximum is not None:
        return "range"
    if (
        or_more
        or any(w in ("thieu", "nhat") for w in words)
        or cue.strip().endswith(("dat tu", "co tu"))
        or words[-1:] == ["tu"]
    ):
        return ">="
    if "duoi" in words:
        return "<"
    if "tren" in words:
        return ">"
    return "="


def _clause_start(folded: str, floor: int, position: int) -> int:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(folded, floor, position)]
    return max([floor, *breaks])


def _clause_end(folded: str, position: int, ceiling: int) -> int:
    match = _CLAUSE_BREAK.search(folded, position, ceiling)
    return match.start() if match else ceiling


def _indicator(
    folded: str,
    previous_end: int,
    start: int,
    end: int,
    next_start: int,
    lexicon: Lexicon,
    context: str,
) -> str | None:
    """Where the number's subject is: before it after "đạt/giảm", else after it, else around."""
    clause_start = _clause_start(folded, previous_end, start)
    before = folded[clause_start:start]
    after = folded[end : _clause_end(folded, end, next_start)]
    cue_before = before.split()[-3:]
    order = (
        ("before", "after") if any(c in _PREFIX_CUES for c in cue_before) else ("after", "before")
    )
    windows = {"before": (before, True), "after": (after, False)}
    for name in order:
        found = _best_rule(*windows[name], lexicon)
        if found:
            return found
    sentence = folded[_sentence_start(folded, start) : _clause_end(folded, end, len(folded))]
    # a task's wording names its subject first: "Tỷ lệ TTHC được công khai ... trên Cổng ..."
    return _best_rule(sentence, True, lexicon) or (
        _best_rule(fold_keep_length(context), False, lexicon) if context else None
    )


def _sentence_start(folded: str, position: int) -> int:
    cut = folded.rfind(". ", 0, position)
    return cut + 2 if cut >= 0 else 0


def _best_rule(window: str, nearest_is_last: bool, lexicon: Lexicon) -> str | None:
    best: tuple[int, int, str] | None = None
    for slug, indicator in lexicon.indicators.items():
        for rule in indicator.rules:
            positions = [_find_word(window, term, nearest_is_last) for term in rule]
            if any(p < 0 for p in positions):
                continue
            decisive = positions[-1]
            distance = len(window) - decisive if nearest_is_last else decisive
            candidate = (distance, -len(rule), slug)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


@lru_cache(maxsize=512)
def _word_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])")


def _find_word(window: str, term: str, last: bool) -> int:
    if term not in window:
        return -1
    matches = [m.start() for m in _word_pattern(term).finditer(window)]
    if not matches:
        return -1
    return matches[-1] if last else matches[0]


def _year(folded: str, start: int, end: int) -> int | None:
    """The year a clause gives ("vào năm 2020", "từ năm 2016"), after the number first."""
    clause_end = _clause_end(folded, end, len(folded))
    after = _YEAR.search(folded, end, clause_end)
    if after:
        return int(after.group(1))
    before = list(_YEAR.finditer(folded, _sentence_start(folded, start), start))
    return int(before[-1].group(1)) if before else None
