"""tables: rows of any annex table layout -> sections, tasks and deliverables.

The three table readers (html_tsv, tab_lines, pipe_cells) only cut their text into `Row`s; the
rules that turn rows into tasks live here once: column roles from the header, section headings,
task numbering, deliverable splitting, lead/cooperating sharing and truncation checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.assignments import column_mentions, read_assignment
from cchc_graph.parse.cells import split_items, untagged
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.deadlines import parse_deadline
from cchc_graph.parse.targets import find_targets, promised_targets
from cchc_graph.records import (
    AgencyMention,
    Assignment,
    Deadline,
    Deliverable,
    Problem,
    Section,
    Severity,
    Span,
    Target,
    Task,
)
from cchc_graph.text import fold, fold_keep_length, int_to_roman, is_roman, roman_to_int, squash


class Column(StrEnum):
    """What a table column holds, whatever its header calls it (ontology/schemes/column-roles.ttl:
    the values are the roles' slugs)."""

    ID = "id"
    TASK = "task"
    PRODUCT = "product"
    STATUS = "status"
    DEADLINE = "deadline"
    ASSIGNMENT = "assignment"
    LEAD = "lead"
    COOPERATING = "cooperating"
    PARTICIPANT = "participant"
    MONITOR = "monitor"
    APPROVER = "approver"
    BUDGET = "budget"
    FUNDING = "funding"
    BASIS = "basis"
    NOTE = "note"
    INDICATOR = "indicator"
    UNIT = "unit"


# the standard order of a CCHC plan annex (Bộ Nội vụ's template): TT | Nhiệm vụ | Sản phẩm |
# Tiến độ | Phân công; used when a table starts without its header row
STANDARD_COLUMNS = (Column.ID, Column.TASK, Column.PRODUCT, Column.DEADLINE, Column.ASSIGNMENT)
_SECTION = re.compile(r"^(?P<roman>[IVXL]+)\s*[.:]?\s*(?P<heading>.*)$")
_ENDS_MID_SENTENCE = re.compile(r"(?:,|\b(?:và|của|các|với|cho|để|theo|trong|đến|về))\s*$")


@dataclass(slots=True)
class Row:
    """One table row: cell text by column role, where it starts and ends, and what it is."""

    cells: dict[Column, str]
    line_start: int
    line_end: int
    quote: str
    present: frozenset[Column] = frozenset()  # columns the row really has (merged cells lack some)
    lines: dict[Column, int] = field(default_factory=dict)  # where each cell starts


@dataclass(slots=True)
class TableResult:
    """What a table reader produced."""

    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def column_of(label: str, lexicon: Lexicon) -> Column | None:
    """The column a header label names ("Cơ quan chủ trì" -> LEAD), or None: the role of the
    longest phrase of the column-role vocabulary found in it."""
    key = fold(untagged(label))
    found = [
        (len(phrase), role) for pattern, phrase, role in _phrases(lexicon) if pattern.search(key)
    ]
    return max(found, key=lambda match: match[0])[1] if found else None


@lru_cache(maxsize=4)
def _column_patterns(
    phrases: tuple[tuple[str, str], ...],
) -> tuple[tuple[re.Pattern[str], str, Column], ...]:
    return tuple(
        (re.compile(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])"), phrase, Column(role))
        for phrase, role in phrases
        if role in _ROLES
    )


def _phrases(lexicon: Lexicon) -> tuple[tuple[re.Pattern[str], str, Column], ...]:
    return _column_patterns(lexicon.column_phrases)


_ROLES = {column.value for column in Column}
_LABEL_WORDS = 8


def header_columns(cells: list[str], lexicon: Lexicon) -> list[Column | None] | None:
    """Column roles of a header row, or None when the row is not a header. A performer column
    ("Đơn vị thực hiện") beside a cooperating one is the lead; a role named twice ("Thời hạn" …
    "Tiến độ" of a progress report) is taken by its first column only."""
    plain = [untagged(cell) for cell in cells]
    if any(len(text) > 60 for text in plain) or sum(1 for text in plain if text) < 3:
        return None  # header cells are short labels; a data row mentioning "kết quả" is not one
    # a label names a column in a few words; a cell of a sentence that happens to hold "kết
    # quả" or "chủ trì" ("Báo cáo kết quả thực hiện của UBND tỉnh gửi Bộ Nội vụ") is data
    roles = [
        column_of(text, lexicon) if len(text.split()) <= _LABEL_WORDS else None for text in plain
    ]
    has_task = Column.TASK in roles or Column.PRODUCT in roles
    has_who = any(r in roles for r in (Column.ASSIGNMENT, Column.LEAD))
    filled = [text for text in plain if text]
    recognised = sum(1 for r in roles if r is not None)
    if any(re.fullmatch(r"\d+\.?|[IVXL]+", text) for text in filled):
        return None  # a data row: "11 | Báo cáo kết quả ... | Sở Nội vụ chủ trì"
    if not (has_task and has_who and recognised >= 0.6 * len(filled)):
        return None
    if Column.COOPERATING in roles and Column.LEAD not in roles:
        roles = [Column.LEAD if role is Column.ASSIGNMENT else role for role in roles]
    seen: set[Column] = set()
    single: list[Column | None] = []
    for role in roles:
        single.append(None if role in seen and role is not Column.PRODUCT else role)
        if role is not None:
            seen.add(role)
    return single


def section_of(cell: str, next_cell: str = "") -> tuple[str, str] | None:
    """("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH") for a section heading cell, else None."""
    text = untagged(cell)
    match = _SECTION.match(text)
    if match is None or not is_roman(match.group("roman")):
        return None
    heading = match.group("heading").strip(" .:") or untagged(next_cell)
    return match.group("roman"), heading


def task_number(cell: str) -> str | None:
    """ "3" for a task-number cell ("3", "3.", "<p>3</p>", "1.3" under section 1; "1.2" for
    "5.1.2"), else None."""
    text = untagged(cell)
    if not re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*\.?", text):
        return None
    # "09": a number typed with a leading zero is the same number; "5.1.2" is task 2 of group 1
    # of section 5, kept as "1.2" so that it stays apart from task "5.2"
    parts = [str(int(part)) for part in text.rstrip(".").split(".")]
    return ".".join(parts[1:]) if len(parts) >= 3 else parts[-1]


def numbered_heading(cells: dict[Column, str]) -> tuple[str, str] | None:
    """("1", "CẢI CÁCH THỂ CHẾ") for a row that numbers its sections 1, 2, 3: a number, an
    upper-case heading, and nothing in the product, deadline or agency columns."""
    number = untagged(cells.get(Column.ID, ""))
    heading = untagged(cells.get(Column.TASK, ""))
    others = [v for k, v in cells.items() if k not in (Column.ID, Column.TASK, Column.NOTE)]
    letters = [c for c in heading if c.isalpha()]
    if not re.fullmatch(r"\d{1,2}\.?", number) or any(squash(v) for v in others):
        return None
    if len(letters) < 6 or sum(c.isupper() for c in letters) < 0.9 * len(letters):
        return None
    return number.rstrip("."), heading


class TaskBuilder:
    """Turns a stream of section / task / deliverable rows into records, one table at a time."""

    def __init__(self, context: ParseContext) -> None:
        self.context = context
        self.result = TableResult()
        self.section: Section | None = None
        self._task_rows: list[Row] = []
        self._task_id: str | None = None
        self._auto_number = 0
        self._part: str | None = None  # "B" in a table of parts A, B, C holding sections I, II
        self._task_ids: set[str] = set()
        self._task_number = ""  # the current task's number as written ("5.1.1")
        self._table = 1  # which task table of the document the rows come from

    def next_table(self) -> None:
        """The rows that follow are another table's: its own sections and numbering."""
        self.flush()
        self.section = None
        self._part = None
        self._auto_number = 0
        self._table += 1

    # ---- stream -------------------------------------------------------------------------
    def start_section(
        self, roman: str | None, heading: str | None, line: int, line_end: int | None = None
    ) -> None:
        """A section heading row (lines line..line_end); `roman` None means "the next section"
        (an unnumbered heading)."""
        self.flush()
        if roman is None:
            roman = int_to_roman(self._section_index() + 1)
        if self._part is not None:
            roman = f"{self._part}.{roman}"
        area = self.context.area_of(heading) if heading else None
        if heading and area is None:
            self.result.problems.append(
                Problem(
                    "unknown-area",
                    f"section {roman} heading {heading!r} matches no reform area",
                    Severity.WARNING,
                    self.context.span(line),
                    heading,
                )
            )
        self.section = Section(roman, heading, area, self.context.span(line, line_end or line))
        self.result.sections.append(self.section)
        self._auto_number = 0

    def section_is_empty(self) -> bool:
        """Whether no task has been read under the current section yet."""
        section = self.section
        if section is None or self._task_rows:
            return False
        return not any(t.section is section for t in self.result.tasks)

    def extend_heading(self, text: str, line: int) -> None:
        """Add a title line to the heading of the section just started ("PHỤ LỤC II" above
        "KẾT QUẢ THỰC HIỆN NHIỆM VỤ ...")."""
        section = self.section
        if section is None:
            return
        heading = squash(f"{section.heading or ''} {text}")
        span = self.context.span(section.span.line_start if section.span else line, line)
        replaced = Section(section.id, heading, section.area, span)
        self.result.sections[self.result.sections.index(section)] = replaced
        self.section = replaced

    def start_part(self, letter: str, heading: str, line: int) -> None:
        """A part row ("B | PHÁT TRIỂN KINH TẾ SỐ …") above sections I, II, … that start again in
        each part: the part's letter goes in front of their numbers ("B.I")."""
        self._part = None
        self.start_section(letter, heading, line)
        self._part = letter

    def is_next_part(self, letter: str) -> bool:
        """Whether `letter` names the part after the current one ("A" opens the first; "C", a
        Roman numeral too, is a part only after "B")."""
        if self._part is not None and len(self._part) != 1:
            return False  # inside an annex ("PLII"): its rows are not lettered parts
        expected = chr(ord(self._part) + 1) if self._part else "A"
        return letter == expected

    def start_task(self, number: str | None, row: Row) -> None:
        """A row that opens a task (its TT cell holds `number`, or None when unnumbered). A number
        met before in the same section (a second table numbered from 1 again, a section number
        typed twice) is kept apart with a suffix and reported, never merged into the first."""
        written = untagged(row.cells.get(Column.ID, "")).rstrip(".")
        self._drop_group_heading(written)
        self.flush()
        section = self.section or self._open_orphan_section(row.line_start)
        self._auto_number += 1
        local = number.rstrip(".") if number else str(self._auto_number)
        if number:
            self._auto_number = int(local.rsplit(".", 1)[-1])
        task_id = f"{section.id}.{local}"
        if task_id in self._task_ids:
            first = task_id
            repeat = 2
            while f"{first}-{repeat}" in self._task_ids:
                repeat += 1
            task_id = f"{first}-{repeat}"
            self._report_at(
                row,
                "repeated-number",
                f"task number {first} is used again: read as {task_id}",
                Severity.WARNING,
                row.quote[:300],
            )
        self._task_ids.add(task_id)
        self._task_id = task_id
        self._task_number = written
        self._task_rows = [row]

    def _drop_group_heading(self, written: str) -> None:
        """A numbered row holding only a title ("5.1 | Thương mại") whose next row numbers under
        it ("5.1.1") heads a group of tasks: it is no task itself, and is said so."""
        rows = self._task_rows
        if (
            self._task_id is None
            or len(rows) != 1
            or not written.startswith(self._task_number + ".")
        ):
            return
        others = [v for k, v in rows[0].cells.items() if k not in (Column.ID, Column.TASK)]
        if any(squash(untagged(v)) for v in others):
            return
        self._report_at(
            rows[0],
            "group-heading",
            f"row {self._task_number} heads the tasks numbered under it: read as a heading, "
            "not a task",
            Severity.INFO,
            rows[0].quote[:300],
        )
        self._task_ids.discard(self._task_id)
        self._task_id, self._task_rows = None, []

    def add_row(self, row: Row) -> None:
        """Another product row of the current task."""
        if self._task_id is None:
            self._report_at(
                row,
                "orphan-row",
                "a product row before any task: kept as a problem, not guessed",
                Severity.WARNING,
                row.quote[:300],
            )
            return
        self._task_rows.append(row)

    def flush(self) -> None:
        """Close the current task, if any."""
        if self._task_id is None:
            return
        task = self._build_task(self._task_id, self._task_rows)
        self.result.tasks.append(task)
        self._task_id, self._task_rows = None, []

    def finish(self) -> TableResult:
        """Close the last task and return everything. The rows of a table without section rows
        are that table's: "B1.3" is row 3 of the first task table."""
        self.flush()
        orphan = next((s for s in self.result.sections if s.id == "?"), None)
        if orphan is not None:
            self._rename_section(orphan, Section("B1", None, None, orphan.span))
        return self.result

    def _report_at(
        self, row: Row, kind: str, message: str, severity: Severity, quote: str = ""
    ) -> None:
        """A finding at the lines of `row`."""
        self.result.problems.append(
            Problem(kind, message, severity, self.context.span(row.line_start, row.line_end), quote)
        )

    # ---- sections -------------------------------------------------------------------------
    def _section_index(self) -> int:
        if self.section is None:
            return 0
        number = self.section.id.rsplit(".", 1)[-1]
        return roman_to_int(number) if is_roman(number) else 0

    def _open_orphan_section(self, line: int) -> Section:
        """Rows before any heading: the table has no section rows, or the first table starts
        mid-way (its first heading row lost: renumber_orphan_section may name it then)."""
        orphan = "?" if self._table == 1 else f"B{self._table}"
        self.section = Section(orphan, None, None, self.context.span(line))
        self.result.sections.append(self.section)
        return self.section

    def renumber_orphan_section(self) -> None:
        """Give rows that came before the first heading the number just before it ("V" -> "IV")."""
        sections = self.result.sections
        if len(sections) < 2 or sections[0].id != "?" or not is_roman(sections[1].id):
            return
        before = roman_to_int(sections[1].id) - 1
        new_id = int_to_roman(before) if before >= 1 else "0"
        self._rename_section(sections[0], Section(new_id, None, None, sections[0].span))

    def _rename_section(self, old: Section, new: Section) -> None:
        sections = self.result.sections
        sections[sections.index(old)] = new
        self.result.tasks = [
            _with_section(t, new) if t.section is not None and t.section.id == old.id else t
            for t in self.result.tasks
        ]
        self.result.problems = [
            replace(p, message=p.message.replace(f"{old.id}.", f"{new.id}.", 1))
            if p.message.startswith(f"{old.id}.")
            else p
            for p in self.result.problems
        ]

    # ---- tasks ----------------------------------------------------------------------------
    def _build_task(self, task_id: str, rows: list[Row]) -> Task:
        first = rows[0]
        description_parts = [
            squash(" ".join(split_items(r.cells.get(Column.TASK, "")))) for r in rows
        ]
        description = " ".join(p for p in description_parts if p)
        description = re.sub(r"^\d{1,3}\s*[.)]\s*", "", description)
        deliverables: list[Deliverable] = []
        for row in rows:
            deliverables += self._deliverables(row, deliverables, description, task_id)
        span = self.context.span(first.line_start, rows[-1].line_end)
        quote = " ".join(r.quote for r in rows)
        return Task(task_id, self.section, description, tuple(deliverables), span, quote)

    def _deliverables(
        self, row: Row, earlier: list[Deliverable], description: str, task_id: str
    ) -> list[Deliverable]:
        products = split_items(row.cells.get(Column.PRODUCT, ""))
        deadlines = split_items(row.cells.get(Column.DEADLINE, ""))
        if Column.ASSIGNMENT in row.cells:
            assignment_items = split_items(row.cells[Column.ASSIGNMENT])
        else:
            assignment_items = []
        count = len(products) if len(products) >= 2 and len(products) == len(deadlines) else 1
        if count == 1:
            products = ["; ".join(products)] if products else []
            deadlines = [" ".join(deadlines)] if deadlines else []
        span = self.context.span(row.line_start, row.line_end)
        budget = _budget(row.cells.get(Column.BUDGET, ""))
        previous = earlier[-1] if earlier else None
        out: list[Deliverable] = []
        for index in range(count):
            product = _strip_number(products[index]) if index < len(products) else None
            deadline_text = deadlines[index] if index < len(deadlines) else ""
            if count > 1 and len(assignment_items) == count:
                assignment_text = assignment_items[index]
            else:
                assignment_text = "\n".join(assignment_items)
            assignment = self._assignment(row, assignment_text, out[-1] if out else previous)
            quote = _assignment_quote(row, assignment_text)
            if quote and not (assignment.lead or assignment.cooperating or assignment.participants):
                self.result.problems.append(
                    Problem(
                        "unknown-agency",
                        f"{task_id}: no known agency in {quote[:120]!r}; add its "
                        "name to ontology/schemes/agency-types.ttl",
                        Severity.WARNING,
                        span,
                        quote,
                    )
                )
            deadline = self._deadline(deadline_text, span, task_id)
            deliverable = Deliverable(
                product or None,
                deadline,
                assignment,
                quote,
                span,
                row.quote,
                budget,
            )
            out.append(deliverable)
            if product:
                line = row.lines.get(Column.PRODUCT, row.line_start)
                self._targets(product, deadline, description, self.context.span(line))
        if out:
            # a task states goals in its own words too ("tích hợp 100% dịch vụ công trực tuyến")
            line = row.lines.get(Column.TASK, row.line_start)
            task_text = row.cells.get(Column.TASK, "")
            for draft in promised_targets(task_text, self.context.lexicon):
                year = _target_year(out[0].deadline, self.context.period_end)
                self.result.targets.append(
                    draft.to_target(year, self.context.span(line), task_text)
                )
        return out

    def _assignment(
        self, row: Row, assignment_text: str, previous: Deliverable | None
    ) -> Assignment:
        """The row's agencies; `previous` is the deliverable just before, in this task."""
        gazetteer = self.context.gazetteer
        if Column.ASSIGNMENT not in row.cells:
            lead = column_mentions(row.cells.get(Column.LEAD, ""), gazetteer)
            cooperating = column_mentions(row.cells.get(Column.COOPERATING, ""), gazetteer)
            has_own = (Column.LEAD in row.present or Column.COOPERATING in row.present) and (
                lead or cooperating
            )
            if not has_own and previous is not None:
                return previous.assignment  # merged cells: the row above's lead and cooperating
            if Column.COOPERATING not in row.cells and Column.LEAD in row.cells:
                # a table without a cooperating column says who cooperates in the task's words:
                # "Chủ trì, phối hợp với Bộ Công an xây dựng …"
                worded = read_assignment(untagged(row.cells.get(Column.TASK, "")), gazetteer)
                cooperating = worded.cooperating
            participants = column_mentions(row.cells.get(Column.PARTICIPANT, ""), gazetteer)
            return Assignment(
                lead,
                tuple(c for c in cooperating if c not in lead),
                tuple(p for p in participants if p not in lead and p not in cooperating),
            )
        if not assignment_text:
            return Assignment()
        assignment = read_assignment(assignment_text, gazetteer)
        if previous is not None and _only_bare_departments(assignment.lead):
            # "Các Sở chủ trì đề án" in a row means the departments the row
            # above named, not every department of the province
            named = tuple(m for m in previous.assignment.lead if not m.is_group)
            if named:
                return Assignment(named, assignment.cooperating, assignment.participants)
        return assignment

    def _deadline(self, text: str, span: Span, task_id: str) -> Deadline | None:
        if not squash(text):
            return None
        deadline = parse_deadline(
            text, self.context.lexicon.deadline_phrases, self.context.single_year
        )
        if deadline.kind is None:
            self.result.problems.append(
                Problem(
                    "deadline-not-understood",
                    f"{task_id}: deadline {deadline.text!r} gives no date and no known kind",
                    Severity.INFO,
                    span,
                    deadline.text,
                )
            )
        return deadline

    def _targets(
        self, product: str, deadline: Deadline | None, description: str, span: Span
    ) -> None:
        for draft in find_targets(product, self.context.lexicon, context=description):
            year = _target_year(deadline, self.context.period_end)
            self.result.targets.append(draft.to_target(year, span, product))

    # ---- truncation -------------------------------------------------------------------------
    def _maybe_truncated(self, last_row: Row) -> None:
        """A plan whose table ends the file before the programme's six areas: only a hint."""
        sections = [s for s in self.result.sections if is_roman(s.id)]
        last_section = roman_to_int(sections[-1].id) if sections else 0
        if self.context.doc_type == "plan" and 0 < last_section < PROGRAMME_AREAS:
            self._report_at(
                last_row,
                "annex-may-be-truncated",
                f"the file ends inside the annex table after section "
                f"{int_to_roman(last_section)}, before the {PROGRAMME_AREAS} reform areas of "
                "the "
                "master programme: check whether rows are missing",
                Severity.INFO,
                last_row.quote,
            )

    def check_truncation(
        self,
        first_row_is_heading: bool,
        first_line: int,
        ends_file: bool,
        last_row: Row | None,
        lines: tuple[str, ...] = (),
    ) -> None:
        """Report an annex that starts or stops mid-table (the rows present are kept); `lines`
        are the document's lines."""
        if not first_row_is_heading:
            self.result.problems.append(
                Problem(
                    "annex-truncated",
                    "the annex table starts mid-table: its first row is not a "
                    "header or a section heading, earlier rows are missing from the source",
                    Severity.WARNING,
                    self.context.span(first_line),
                    _opening(lines, first_line),
                )
            )
        if not ends_file or last_row is None:
            return
        cells = [untagged(v) for v in last_row.cells.values() if v]
        row = fold_keep_length(" | ".join(cells))
        document = fold_keep_length("\n".join(lines))
        cut = next(
            (c for c in cells if _ENDS_MID_SENTENCE.search(c) or cut_mid_phrase(c, row, document)),
            None,
        )
        if cut is None:
            self._maybe_truncated(last_row)
            return
        reason = f'its last row stops mid-sentence ("...{cut[-40:]}") at the end of the file'
        self._report_at(
            last_row,
            "annex-truncated",
            f"the annex table is cut off at the end: {reason}",
            Severity.WARNING,
            last_row.quote,
        )


PROGRAMME_AREAS = 6  # both master programmes (30c/NQ-CP and 76/NQ-CP of 2021) have six areas


def cut_mid_phrase(cell: str, folded_row: str, folded_document: str) -> bool:
    """True when the cell's last three words never end a phrase anywhere else: the row and the
    document (both folded) write them only as the start of something longer. A task cell cut by the
    end of a saved file ends "... thông tin đại"; its own row and the plan write "thông
    tin đại chúng"."""
    words = fold(cell).split()
    if len(words) < 3 or cell.rstrip().endswith((".", ";", ":", ")", "!", "?")):
        return False
    pattern = re.compile(r"(?<![a-z])" + re.escape(" ".join(words[-3:])) + r"( ?)([a-z]?)")

    def continued(folded: str) -> tuple[int, int]:
        found = pattern.findall(folded)
        return sum(1 for space, letter in found if space and letter), len(found)

    in_row, row_total = continued(folded_row)
    in_document, document_total = continued(folded_document)
    return (
        in_row >= 1
        and in_row == row_total - 1
        and in_document >= 2
        and in_document == document_total - 1
    )


def _opening(lines: tuple[str, ...], number: int, count: int = 3) -> str:
    """The first `count` non-blank lines from line `number` on: a cut row's number alone says
    nothing, its task text does."""
    found = (squash(x) for x in lines[max(number - 1, 0) :])
    return " | ".join([x for x in found if x][:count])


def _only_bare_departments(lead: tuple[AgencyMention, ...]) -> bool:
    return len(lead) == 1 and lead[0].is_group and fold(lead[0].text) == "cac so"


def _with_section(task: Task, section: Section) -> Task:
    local = task.local_id.split(".", 1)[1]
    return Task(
        f"{section.id}.{local}", section, task.description, task.deliverables, task.span, task.quote
    )


def _strip_number(text: str) -> str:
    return squash(re.sub(r"^\d{1,2}\s*\.\s*(?=\S)", "", text))


def _assignment_quote(row: Row, assignment_text: str) -> str | None:
    if Column.ASSIGNMENT not in row.cells:
        parts = [row.cells.get(Column.LEAD, ""), row.cells.get(Column.COOPERATING, "")]
        joined = " | ".join(squash(p) for p in parts if squash(p))
        return joined or None
    return squash(assignment_text) or None


def _budget(cell: str) -> Decimal | None:
    digits = squash(cell).replace(".", "").replace(",", "").replace(" ", "")
    if not re.fullmatch(r"\d+", digits or "x"):
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _target_year(deadline: Deadline | None, period_end: int | None) -> int | None:
    if deadline is not None:
        if deadline.due is not None:
            return deadline.due.year
        if deadline.start is not None:
            return deadline.start.year
    return period_end
