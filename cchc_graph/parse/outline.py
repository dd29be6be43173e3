"""outline: a document's body -> the line ranges of its parts (preamble, objectives, "Tổ chức
thực hiện") and what they hold: citations by role and quantified targets.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cchc_graph.ingest.normalise import FlatText, NormalisedText, Paragraph, paragraphs
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.instruments import find_citations
from cchc_graph.parse.targets import TargetDraft, find_targets, promised_targets
from cchc_graph.records import Citation, Target, Task
from cchc_graph.text import fold, squash

TargetReader = Callable[[str, Lexicon], list[TargetDraft]]

_PREAMBLE_ROLES = (
    ("can cu", "legal-basis"),
    ("thuc hien", "implements"),
    ("xet de nghi", "cites"),
    ("theo de nghi", "cites"),
)
_DECISION_START = re.compile(r"^(?:(?:quyet dinh|chi thi)\s*:|dieu 1\b)")
_ROMAN_HEADING = re.compile(r"^(?:phan\s+[ivx]+|[ivx]+\s*[.:])(?:\s|$)")
# "II. NHIỆM VỤ, GIẢI PHÁP", "II. NỘI DUNG" (of a plan to implement a law)
_TASK_PART = re.compile(
    r"nhiem vu|giai phap|^[ivx]+\s*[.:]\s*noi dung(?: ke hoach| thuc hien)?\s*:?$"
)
_BODY_END = re.compile(r"^(?:tm\.|kt\.|noi nhan|phu luc|chu tich$)")


def preamble_citations(
    text: NormalisedText, context: ParseContext, body_end: int
) -> list[Citation]:
    """ "Căn cứ" instruments (legal basis), "Thực hiện" (implements), "Xét đề nghị" (cites)."""
    found: list[Citation] = []
    for paragraph in paragraphs(text, 1, body_end):
        key = fold(paragraph.text)
        if _DECISION_START.match(key):
            break
        role = next((r for cue, r in _PREAMBLE_ROLES if key.startswith(cue)), None)
        if role is None:
            continue
        flat = FlatText(text, paragraph.line_start, paragraph.line_end)
        found += find_citations(flat, context.source, context.gazetteer, context.lexicon, role)
    return found


def title_citations(
    text: NormalisedText, context: ParseContext, title_line: int | None
) -> list[Citation]:
    """Instruments a directive's title says it carries out ("TRIỂN KHAI CHƯƠNG TRÌNH ... SỐ 12")."""
    if title_line is None:
        return []
    flat = FlatText(text, title_line, min(len(text.lines), title_line + 2))
    if not re.search(r"trien khai|thuc hien", fold(flat.text)):
        return []
    return find_citations(flat, context.source, context.gazetteer, context.lexicon, "implements")


def objective_targets(text: NormalisedText, context: ParseContext, body_end: int) -> list[Target]:
    """Every quantified target of the objectives part ("I. MỤC TIÊU ...", "Phần I MỤC TIÊU")."""
    span = _objectives_range(text, body_end)
    if span is None:
        return []
    targets: list[Target] = []
    for paragraph in paragraphs(text, *span):
        targets += _paragraph_targets(paragraph, context)
    return targets


def task_part_targets(text: NormalisedText, context: ParseContext, body_end: int) -> list[Target]:
    """Goals a plan sets in the prose of its task parts ("… để nâng tỷ lệ hoạt động trực tuyến
    chiếm tối thiểu 80% …"): only numbers that words set as goals, not every figure."""
    targets: list[Target] = []
    for _, first_line, last_line in task_ranges(text, body_end):
        for paragraph in paragraphs(text, first_line, last_line):
            targets += _paragraph_targets(paragraph, context, promised_targets)
    return targets


def _paragraph_targets(
    paragraph: Paragraph, context: ParseContext, reader: TargetReader = find_targets
) -> list[Target]:
    out = []
    for draft in reader(paragraph.text, context.lexicon):
        line = paragraph.line_at(draft.start)
        year = draft.year or context.period_end
        out.append(draft.to_target(year, context.span(line), squash(paragraph.text)))
    return out


def _objectives_range(text: NormalisedText, body_end: int) -> tuple[int, int] | None:
    start = None
    for number in range(1, body_end + 1):
        key = fold(text.line(number))
        if start is None:
            if (
                "muc tieu" in key
                and (_ROMAN_HEADING.match(key) or key.startswith("muc tieu"))
                and len(key) < 80
            ):
                start = number + 1
        elif _is_next_part(key):
            return start, number - 1
    return (start, body_end) if start else None


def _is_next_part(key: str) -> bool:
    if key.startswith("phan "):
        return True
    # "II. CHỈ TIÊU XUẤT KHẨU ĐẾN NĂM 2030" after "I. MỤC TIÊU" goes on with the objectives
    return bool(_ROMAN_HEADING.match(key)) and "muc tieu" not in key and "chi tieu" not in key


def implementation_range(text: NormalisedText, body_end: int) -> tuple[int, int] | None:
    """Lines of the last "Tổ chức thực hiện" heading's part, up to the signature or annex."""
    start = None
    for number in range(1, body_end):
        # a hard-wrapped plan splits the heading: "II. Tổ chức thực" / "hiện"
        key = squash(fold(text.line(number) + " " + text.line(number + 1)))
        if re.match(r"(?:[ivx]+\s*[.:]\s*)?to chuc thuc hien\s*:?$", key):
            start = number + 2
        elif re.fullmatch(
            r"(?:[ivx]+\s*[.:]\s*)?to chuc thuc hien\s*:?", squash(fold(text.line(number)))
        ):
            start = number + 1
    if start is None:
        return None
    for number in range(start, body_end + 1):
        key = squash(fold(text.line(number)))
        if _ROMAN_HEADING.match(key) and _REPORTING.search(key):
            continue  # "VII. CHẾ ĐỘ BÁO CÁO": who reports to whom, when, is assigned work too
        if _BODY_END.match(key) or (_ROMAN_HEADING.match(key) and number > start):
            return start, number - 1
    return start, body_end


_REPORTING = re.compile(r"(?<![a-z])che do bao cao|thong tin bao cao(?![a-z])")


def prose_targets(tasks: list[Task], context: ParseContext, signed: int | None) -> list[Target]:
    """Quantified goals stated inside a directive's assignments (it has no objectives part). A
    goal without its year is due with its task, else in the year the directive was signed: a
    directive that gives no time asks for now, not for the farthest year it mentions."""
    out = []
    for task in tasks:
        for deliverable in task.deliverables:
            text = deliverable.quote
            deadline = deliverable.deadline
            due = deadline.due or deadline.start if deadline is not None else None
            for draft in promised_targets(text, context.lexicon):
                year = draft.year or (due.year if due else signed or context.period_end)
                out.append(draft.to_target(year, deliverable.span, text))
    return out


def funding_range(text: NormalisedText, body_end: int) -> tuple[int, int] | None:
    """Lines of a "III. KINH PHÍ THỰC HIỆN" part: who sets aside and who gathers the money is
    assigned work too ("Bộ Tài chính chủ trì tổng hợp, trình ... bố trí kinh phí")."""
    start = None
    for number in range(1, body_end + 1):
        key = squash(fold(text.line(number)))
        if start is None:
            if _ROMAN_HEADING.match(key) and _FUNDING.search(key) and len(key) < 60:
                start = number + 1
        elif _ROMAN_HEADING.match(key) or _BODY_END.match(key):
            return start, number - 1
    return (start, body_end) if start else None


_FUNDING = re.compile(r"(?<![a-z])kinh phi(?![a-z])")


def task_ranges(text: NormalisedText, body_end: int) -> list[tuple[str, int, int]]:
    """Each part of a plan that gives its tasks in prose ("II. NHIỆM VỤ …", "III. GIẢI PHÁP"):
    its Roman numeral and its lines."""
    found: list[tuple[str, int, int]] = []
    current: tuple[str, int] | None = None
    for number in range(1, body_end + 1):
        key = squash(fold(text.line(number)))
        ends = _ROMAN_HEADING.match(key) or _BODY_END.match(key)
        if current is not None and ends:
            found.append((current[0], current[1], number - 1))
            current = None
        if _ROMAN_HEADING.match(key) and _TASK_PART.search(key) and len(key) < 80:
            current = (key.split(".")[0].split(":")[0].strip().upper(), number + 1)
        if _BODY_END.match(key) and found:
            break  # the signature or an annex after the plan's parts ("Nơi nhận" may also close
            # the decision above the plan)
    if current is not None:
        found.append((current[0], current[1], body_end))
    return found
