"""prose_fields: what a paragraph of prose states besides its agencies: labelled fields ("Đơn vị
chủ trì: …", "Thời gian thực hiện: …") and its deadline ("… hoàn thành trong quý II/2026")."""

from __future__ import annotations

import re

from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.deadlines import deadline_kind, find_periods, parse_deadline
from cchc_graph.records import Deadline, DeadlineKind
from cchc_graph.text import fold_keep_length, squash

# "Thời hạn trình UBND tỉnh: trong quý III/2017"
_DEADLINE_LABEL = re.compile(
    r"(?:thoi han|thoi gian trinh|thoi gian thuc hien)[^:.;]{0,30}:\s*[^.;)]+"
)


# words that introduce a deadline ("ngay trong quý III/2017", "thực hiện từ năm 2017"); "ngày"
# folds to "ngay" too, so "ngay" only counts before another of these words
_LEAD_IN = {"trong", "tu", "bat", "dau", "thuc", "hien", "truoc", "den", "cham", "nhat", "cuoi"}


_TIME_LIMIT = re.compile(r"(?<![a-z])(?:trong|truoc|cham nhat)(?![a-z])")


# only a stated cadence: "chế độ báo cáo định kỳ" alone is one duty among others of the item
_CADENCE = re.compile(r"(?<![a-z])dinh ky\s+hang\s+(?:thang|quy|nam)(?![a-z])")


_FIELDS: tuple[tuple[str, str], ...] = (
    (
        "lead",
        r"(?:don vi|co quan)\s+(?:chu tri|thuc hien)(?:\s+thuc hien)?|chu tri thuc hien"
        r"|trach nhiem thuc hien",
    ),
    ("cooperating", r"(?:don vi|co quan)\s+phoi hop(?:\s+thuc hien)?"),
    ("deadline", r"thoi gian (?:thuc hien|hoan thanh)|thoi han(?: hoan thanh)?|tien do"),
    ("product", r"san pham(?: dau ra)?|ket qua dau ra"),
)


_FIELD_LABEL = re.compile(
    r"(?:^|(?<=[\s;.,]))(?P<label>" + "|".join(f"(?P<{n}>{p})" for n, p in _FIELDS) + r")\s*:\s*"
)


def opens_with_field(text: str) -> bool:
    """Whether the text opens with a field label ("Đơn vị chủ trì: …")."""
    return bool(_FIELD_LABEL.match(fold_keep_length(text)))


def before_fields(text: str) -> str:
    """The text before its first field label ("Đơn vị chủ trì: ..."); labels match folded."""
    return text[: len(_FIELD_LABEL.split(fold_keep_length(text))[0])]


def labelled_fields(text: str) -> dict[str, str]:
    """ "Đơn vị chủ trì: Sở Nội vụ; Thời gian thực hiện: Quý II/2023" -> {"lead": ..., ...}."""
    folded = fold_keep_length(text)
    matches = list(_FIELD_LABEL.finditer(folded))
    fields: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        name = next(n for n, _ in _FIELDS if match.group(n))
        fields[name] = squash(text[match.end() : end]).strip(" ;.")
    return fields


def find_deadline(text: str, context: ParseContext) -> Deadline | None:
    """The deadline a prose paragraph states: a "Thời hạn ...:" clause, else the date it closes
    on, else its first date."""
    folded = fold_keep_length(text)
    labelled = _DEADLINE_LABEL.search(folded)
    if labelled:
        phrase = squash(text[labelled.start() : labelled.end()])
        deadline = parse_deadline(phrase, context.lexicon.deadline_phrases, context.single_year)
        if deadline.due or deadline.start or deadline.kind:
            return deadline
    periods = [p for p in find_periods(folded) if _lead_in_start(folded, p.start) < p.start]
    if not periods:
        # "Báo cáo ... định kỳ hàng quý, 6 tháng, năm": a cadence is a deadline without a date;
        # "công tác năm 2013", "Nghị quyết ... năm 2016" name a year, not a deadline
        cadence = _CADENCE.search(folded)
        if cadence is None:
            return None
        return Deadline(squash(text[cadence.start() : cadence.end()]), DeadlineKind.RECURRING)
    # an item that closes on a time limit ("…; công bố kết quả trong năm 2026.") is due then,
    # whatever intermediate dates its clauses give; "… hàng năm đến năm 2020." is a horizon
    closing = periods[-1]
    closes = not folded[_phrase_end(folded, closing.end) :].strip(" .;,)") and bool(
        _TIME_LIMIT.search(folded[_lead_in_start(folded, closing.start) : closing.start])
    )
    first = closing if closes else periods[0]
    start = _lead_in_start(folded, first.start)
    end = _phrase_end(folded, first.end)
    phrase = squash(text[start:end])
    deadline = parse_deadline(phrase, context.lexicon.deadline_phrases)
    sentence = _sentence_around(folded, first.start)
    if deadline_kind(sentence, context.lexicon.deadline_phrases) is DeadlineKind.RECURRING:
        # "ít nhất 02 lần/năm (thực hiện từ năm 2017 trở đi)": the year starts a recurring duty
        return Deadline(
            deadline.text,
            DeadlineKind.RECURRING,
            None,
            deadline.start or (deadline.due.replace(month=1, day=1) if deadline.due else None),
        )
    return deadline


def _lead_in_start(folded: str, position: int) -> int:
    start = position
    offset = max(0, position - 40)
    # whole words only: the "TU" of "12-CTr/TU" is not "từ"
    words = list(re.finditer(r"(?<![\w/-])[a-z]+(?=\s)", folded[offset:position]))
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if folded[offset + word.end() : start].strip():
            break  # something else stands between this word and the deadline
        # "ngay" is "ngay trong quý III" (at once) after a lead word; "trước ngày 31/12/2025" a
        # day after one ("Quyết định số 605/QĐ-UBND ngày 08/3/2017" dates a decision)
        before = words[index - 1].group(0) if index else ""
        day = word.group(0) == "ngay" and (
            start < position or (folded[position : position + 1].isdigit() and before in _LEAD_IN)
        )
        if word.group(0) in _LEAD_IN or day:
            start = offset + word.start()
        else:
            break
    return start


def _phrase_end(folded: str, position: int) -> int:
    """The deadline phrase ends with its date, or after "trở đi" ("từ năm 2018 trở đi")."""
    tail = re.match(r"\s*tro di", folded[position:])
    return position + tail.end() if tail else position


def _sentence_around(folded: str, position: int) -> str:
    start = max(folded.rfind(". ", 0, position), folded.rfind("; ", 0, position))
    end_match = re.search(r"[.;](?:\s|$)", folded[position:])
    end = position + end_match.start() if end_match else len(folded)
    return folded[start + 1 : end]
