"""prose_tasks: numbered prose ("1.", "a) Giao Sở X:", "- Chủ trì, phối hợp ...") -> tasks.

Used for a directive's whole body and for the "Tổ chức thực hiện" items of a plan. Reading rules
(tests/expected/README.md): a numbered item without lettered sub-items is a task, else each
sub-item is; a task's first paragraph ending with ":" is its heading (it may name the agency,
"Giao Sở Tư pháp:", and a deadline for its sub-items); a heading that only says who ("Giao Sở
Tư pháp:", "Chủ trì, phối hợp với …") above "- " items, or duties numbered "(1) …; (2) …", make
one task per item; otherwise every "- " bullet starts a deliverable; a
plain paragraph starts a new one when it names a different subject agency, or when it and the
deliverable before both carry a deadline, and otherwise continues it. Labelled fields
("Đơn vị chủ trì: ...", "Thời gian thực hiện: ...") are read as table columns would be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cchc_graph.ingest.normalise import Paragraph
from cchc_graph.parse.assignments import (
    column_mentions,
    opening_agencies,
    read_assignment,
    unresolved_subject,
)
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.deadlines import parse_deadline
from cchc_graph.parse.gazetteer import unresolved_body
from cchc_graph.parse.prose_fields import (
    before_fields,
    find_deadline,
    labelled_fields,
    opens_with_field,
)
from cchc_graph.parse.who_headings import REQUEST_WORDS, assignment_header, names_only
from cchc_graph.records import (
    Assignment,
    Deadline,
    Deliverable,
    Problem,
    Section,
    Severity,
    Task,
)
from cchc_graph.text import fold, fold_keep_length, int_to_roman, squash

LAYOUT = "prose-assignments"
_NUMBERED = re.compile(r"^(?P<n>\d{1,2})\s*[.)]\s+(?P<rest>.*)$", re.DOTALL)
# "(1)" opening a paragraph or following ":", ";" or "." : one duty of an enumeration
_ENUMERATION = re.compile(r"(?:^|(?<=[:;.])\s*|(?<=[:;.]\s))(?P<marker>\((?P<n>\d{1,2})\))\s")
_ROMAN_ENUMERATION = re.compile(
    r"(?:^|(?<=[:;.])\s*|(?<=[:;.]\s))(?P<marker>\((?P<n>[ivx]{1,4})\))\s"
)
_ENUMERATION_MARKER = re.compile(r"^\((?:\d{1,2}|[ivx]{1,4})\)\s*")
_PART = re.compile(r"^(?P<r>[IVX]{1,5})\s*[.:]\s+\S")
_LETTERED = re.compile(r"^(?P<x>[a-zđ])\)\s*(?P<rest>.*)$", re.DOTALL)
_BULLET = re.compile(r"^[-–+•]\s*(?P<rest>.*)$", re.DOTALL)
_CLOSING = re.compile(r"\./\.\s*$|/\.\s*$")
# the paragraph that closes a part, unnumbered after its last item, tells everyone to carry out
# the document itself ("Trên đây là Kế hoạch …", "Yêu cầu các sở, ban, ngành … triển khai thực
# hiện tốt Kế hoạch này") or where to turn with difficulties ("Trong quá trình thực hiện, nếu có
# khó khăn, vướng mắc, … phản ánh về Sở Nội vụ"); it is no part of the last item
CLOSING_FORMULA = re.compile(
    r"^(?:(?:tren day la|yeu cau)(?![a-z]).*(?:ke hoach|chi thi|quyet dinh|chuong trinh) nay"
    r"|trong qua trinh (?:to chuc )?(?:thuc hien|trien khai).*(?:kho khan|vuong mac))"
)


@dataclass(slots=True)
class _Item:
    """A numbered or lettered item: its id, its first paragraph and the paragraphs under it."""

    local_id: str
    first: Paragraph
    body: list[Paragraph] = field(default_factory=list)
    children: list[_Item] = field(default_factory=list)
    heading_only: bool = False  # a part's heading ("II. VỀ CUNG CẤP DỊCH VỤ CÔNG ..."): no task
    topic: _Topic | None = None  # what the heading of an enumeration ("Bộ Công an: (1) ...") says


@dataclass(frozen=True, slots=True)
class _Topic:
    """What a heading passes down: the agencies it names and a default deadline."""

    assignment: Assignment
    deadline: Deadline | None
    # the heading is nothing but agencies ("7. Các sở, ban, ngành tỉnh, Ủy ban nhân dân các xã,
    # phường"): what is written under it is theirs, whoever its sentences name as subject
    owned: bool = False

    def without_cooperating(self) -> _Topic:
        """What the heading passes to the items under it: its leads, not its cooperating ones
        ("2. Các sở, ngành ... chủ trì, phối hợp với các cơ quan liên quan ...:")."""
        lead_only = Assignment(self.assignment.lead, requested=self.assignment.requested)
        return _Topic(lead_only, self.deadline, self.owned)


def read_outline(
    paragraphs: list[Paragraph],
    context: ParseContext,
    section: Section | None,
    id_prefix: str = "",
    area_sections: bool = False,
    directions: bool = False,
) -> tuple[list[Task], list[Problem], list[Section]]:
    """Tasks of a numbered outline; items that name no agency are reported, not made tasks.

    With `area_sections`, a numbered item with lettered sub-items whose heading names a reform
    area ("1. Cải cách thể chế") is the section of those sub-items. With `directions` (a
    directive's body), a numbered item standing alone that names no body is the issuer's
    direction to all it concerns ("2. Tuân thủ nguyên tắc khoanh định vùng cấm …"): a task with
    no lead, reported as such.
    """
    tasks: list[Task] = []
    problems: list[Problem] = []
    sections: list[Section] = []
    for item in _outline(paragraphs):
        if item.heading_only:
            continue  # what stands between a part's heading and its first item is its preamble
        parent = _Topic(Assignment(), None)
        targets = item.children or [item]
        item_section = section
        if area_sections and item.children:
            heading = _strip_marker(item.first.text).rstrip(":")
            item_section = Section(
                f"{id_prefix}{item.local_id}",
                heading,
                context.area_of(heading),
                context.span(item.first.line_start),
            )
            sections.append(item_section)
        if item.children:
            heading = _strip_marker(item.first.text)
            parent = _topic(heading, parent, context).without_cooperating()
        items = [
            b
            for t in targets
            for n in _enumerated(t, parent, context)
            for e in _enumerated(n, n.topic or parent, context, roman=True)
            for b in _bulleted(e, e.topic or parent, context)
        ]
        for task_item in items:
            task_parent = task_item.topic or parent
            task = _task(task_item, task_parent, context, item_section, id_prefix)
            if task is None and directions and task_item is item and _direction(item):
                task = _task(task_item, task_parent, context, item_section, id_prefix, False)
                problems.append(
                    Problem(
                        "no-agency",
                        f"item {id_prefix}{item.local_id} names no agency: read as a direction "
                        "to all it concerns, a task with no lead",
                        Severity.INFO,
                        context.span(item.first.line_start, item.first.line_end),
                        item.first.text[:200],
                    )
                )
            if task is None:
                problems.append(
                    Problem(
                        "no-agency",
                        f"item {id_prefix}{task_item.local_id} names no agency: not a task",
                        Severity.INFO,
                        context.span(task_item.first.line_start, task_item.first.line_end),
                        task_item.first.text[:200],
                    )
                )
            else:
                tasks.append(task)
    return tasks, problems, sections


def _outline(paragraphs: list[Paragraph]) -> list[_Item]:
    """Numbered items and their lettered sub-items; under parts headed "I.", "II." the
    numbering starts again, so an item is named by its part too ("II.1")."""
    items: list[_Item] = []
    part = ""
    for paragraph in paragraphs:
        text = paragraph.text
        if roman := _PART.match(text):
            part = roman.group("r") + "."
            items.append(_Item(part.rstrip("."), paragraph, heading_only=True))
        elif numbered := _NUMBERED.match(text):
            items.append(_Item(part + numbered.group("n"), paragraph))
        elif (lettered := _LETTERED.match(text)) and items:
            top = items[-1]
            top.children.append(_Item(f"{top.local_id}.{lettered.group('x')}", paragraph))
        elif items:
            top = items[-1]
            closing = CLOSING_FORMULA.match(fold(text)) is not None
            if (_CLOSING.search(text) or closing) and not _BULLET.match(text):
                if top.heading_only:  # "VII. CHẾ ĐỘ BÁO CÁO" / "Các cơ quan ... báo cáo ./."
                    top.body.append(paragraph)
                break  # "... thực hiện có chất lượng, hiệu quả toàn bộ nội dung Kế hoạch này./."
            (top.children[-1].body if top.children else top.body).append(paragraph)
    # a part with no numbered item is one item of its own: its text under its heading
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        if item.heading_only and item.body and (following is None or following.heading_only):
            items[index] = _Item(item.local_id, item.body[0], item.body[1:])
    return items


def _enumerated(
    item: _Item, parent: _Topic, context: ParseContext, roman: bool = False
) -> list[_Item]:
    """An item that enumerates its duties, "Bộ Khoa học và Công nghệ: (1) trình ...; (2) chủ
    trì ...", inline or one "(n)" per paragraph, is one task per duty, each with what the words
    before "(1)" say (agency, deadline); other items are themselves. With `roman`, the level
    below, "(3) các bộ, ngành, địa phương tập trung: (i) …; (ii) …", where only a heading that
    says who ("… tập trung:") makes its pieces tasks ("Bộ Tài chính giải quyết 03 vấn đề tồn
    đọng: (i) …; (ii) …" is one task)."""
    marker = _ROMAN_ENUMERATION if roman else _ENUMERATION
    pieces: list[tuple[str, Paragraph]] = []  # (marker number or "", paragraph)
    for paragraph in [item.first, *item.body]:
        pieces += [(n, p) for n, p in _split_enumeration(paragraph, marker)]
    numbers = [n for n, _ in pieces if n]
    sequence = [int_to_roman(i).lower() if roman else str(i) for i in range(1, len(numbers) + 1)]
    if len(numbers) < 2 or numbers != sequence:
        return [item]
    first_marker = next(i for i, (n, _) in enumerate(pieces) if n)
    heading = squash(" ".join(_strip_marker(p.text) for _, p in pieces[:first_marker]))
    if roman and not assignment_header(heading.rstrip(" :"), context):
        return [item]
    topic = (_topic(heading, parent, context) if heading else parent).without_cooperating()
    duties: list[_Item] = []
    for number, paragraph in pieces[first_marker:]:
        if number:
            duties.append(_Item(f"{item.local_id}.{number}", paragraph, topic=topic))
        else:
            duties[-1].body.append(paragraph)
    return duties


def _bulleted(item: _Item, parent: _Topic, context: ParseContext) -> list[_Item]:
    """An assignment header followed by dash items ("d) Giao Sở Tư pháp:" / "- X" / "- Y"; "a)
    Chủ trì, phối hợp với các sở, ban, ngành" / "- X") is one task per item, each with the
    header's agencies and deadline; so are dash items that each carry their own fields ("- Nghị
    định …" / "+ Cơ quan chủ trì: …"). The paragraphs under an item (its "+" lines too) go with
    it. Dash items under a heading that is itself a task ("Tổ chức các hoạt động sau:") stay its
    deliverables."""
    paragraphs = [item.first, *item.body]
    marks = [m.group(0)[0] for p in paragraphs if (m := _BULLET.match(p.text))]
    if not marks:
        return [item]
    mark = marks[0]  # the first bullet sign met is the upper level ("-" above "+")
    bullets = [i for i, p in enumerate(paragraphs) if p.text.startswith(mark)]
    if len(bullets) < 2 or bullets[0] == 0:
        return [item]
    heading = squash(" ".join(_strip_marker(p.text) for p in paragraphs[: bullets[0]]))
    ends = [*bullets[1:], len(paragraphs)]
    groups = [paragraphs[start:end] for start, end in zip(bullets, ends, strict=True)]
    fielded = all(
        any("lead" in labelled_fields(_strip_marker(p.text)) for p in group) for group in groups
    )
    asked = bool(REQUEST_WORDS.match(heading))  # "8. Đề nghị các doanh nghiệp …" above a list
    if not (
        fielded or asked or assignment_header(heading, context) or _gives_list(heading, context)
    ):
        return [item]
    topic = _topic(heading, parent, context)
    return [
        _Item(f"{item.local_id}.{number}", group[0], list(group[1:]), topic=topic)
        for number, group in enumerate(groups, start=1)
    ]


def _gives_list(heading: str, context: ParseContext) -> bool:
    """ "Giao Ban Quản lý các khu công nghiệp chỉ đạo các đơn vị … thực hiện:": work given to
    an agency, the duties listed below."""
    folded = fold_keep_length(heading)
    return (
        folded.startswith("giao ")
        and heading.rstrip().endswith(":")
        and bool(read_assignment(heading, context.gazetteer).lead)
    )


def _split_enumeration(
    paragraph: Paragraph, marker: re.Pattern[str]
) -> list[tuple[str, Paragraph]]:
    """A paragraph cut at its "(1)", "(2)" markers: [("", "Bộ Công an:"), ("1", "..."), ...]."""
    markers = list(marker.finditer(paragraph.text))
    if not markers:
        return [("", paragraph)]
    cuts = [0, *(m.start("marker") for m in markers), len(paragraph.text)]
    numbers = ["", *(m.group("n") for m in markers)]
    pieces = []
    for number, start, end in zip(numbers, cuts, cuts[1:], strict=False):
        text = paragraph.text[start:end].strip(" ;")
        if not text:
            continue
        if number:
            text = _ENUMERATION_MARKER.sub("", text, count=1)
        line = paragraph.line_at(start)
        pieces.append((number, Paragraph(text, line, max(line, paragraph.line_at(end - 1)))))
    return pieces


def article_task(number: str, paragraph: Paragraph, context: ParseContext) -> Task | None:
    """ "Điều 2. Giao Sở Công Thương chủ trì, phối hợp với …": an article of a decision that
    assigns work is a task ("Dieu.2"); None when it names no agency."""
    return _task(_Item(number, paragraph), _Topic(Assignment(), None), context, None, ARTICLE)


ARTICLE = "Dieu."


def opens_with_agency(task: Task, context: ParseContext) -> bool:
    """Whether the first sentence of the task's text has an agency as its subject."""
    first = re.split(r"(?<=[.;])\s", before_fields(task.description))[0]
    first = re.sub(r"^[^:]{0,40}:\s*", "", first)  # "Nguồn ngân sách: Hàng năm, ..."
    if context.gazetteer.find(first):
        return bool(opening_agencies(first, context.gazetteer))
    return unresolved_subject(first) is not None


def _strip_marker(text: str) -> str:
    for pattern in (_NUMBERED, _LETTERED, _BULLET):
        if match := pattern.match(text):
            return squash(match.group("rest"))
    return squash(text)


def _topic(heading: str, parent: _Topic, context: ParseContext) -> _Topic:
    own = read_assignment(heading, context.gazetteer, topic=parent.assignment.lead)
    if not own.lead and not context.gazetteer.find(heading):
        # "11. Các đơn vị cấp nước sạch trên địa bàn thành phố có trách nhiệm": a body the
        # vocabulary does not hold heads the section, kept as written
        body = unresolved_body(REQUEST_WORDS.sub("", heading))
        if body is not None:
            requested = bool(REQUEST_WORDS.match(heading))
            assignment = Assignment((body,), (), (), requested)
            return _Topic(assignment, find_deadline(heading, context) or parent.deadline, True)
    assignment = own if (own.lead or own.cooperating) else parent.assignment
    deadline = find_deadline(heading, context) or parent.deadline
    owned = names_only(heading, context)
    if owned:  # every agency such a heading names leads, not only its first clause's subject
        everyone = column_mentions(heading, context.gazetteer)
        requested = own.requested or bool(REQUEST_WORDS.match(heading))
        assignment = Assignment(everyone, (), (), requested)
    return _Topic(assignment, deadline, owned)


def _heading_line(paragraph: Paragraph, context: ParseContext) -> tuple[str, Paragraph] | None:
    """An item whose first line only names agencies and whose text goes on below it ("5. Ủy ban
    nhân dân các xã, phường" / "Xây dựng kế hoạch ..."): a heading joined to its first
    paragraph, told apart by the line it ends; the heading and the rest."""
    if len(paragraph.line_offsets) < 2:
        return None
    cut = paragraph.line_offsets[1][0]
    heading = _strip_marker(paragraph.text[:cut])
    rest = paragraph.text[cut:].strip()
    if not rest or not rest[0].isupper() or not names_only(heading, context):
        return None
    first_named = context.gazetteer.find(rest[:120])
    if heading.endswith((",", "&")) or (first_named and first_named[0].start == 0):
        return None  # the list of agencies goes on: "Đài Phát thanh - Truyền hình tỉnh," / "Báo …"
    offsets = tuple((start - cut, line) for start, line in paragraph.line_offsets[1:])
    return heading, Paragraph(rest, offsets[0][1], paragraph.line_end, offsets)


# what a directive says of itself, not a direction: "Chỉ thị này có hiệu lực kể từ ngày ký"
_OF_ITSELF = re.compile(r"(?:chi thi|quyet dinh|van ban|ke hoach) nay|co hieu luc|thi hanh")


def _direction(item: _Item) -> bool:
    """A numbered item of its own (no sub-items, a sentence or more) that tells what to do."""
    text = _strip_marker(item.first.text)
    return (
        not item.children
        and not item.first.text[:1].isalpha()  # numbered, not lettered or a dash
        and len(text.split()) >= 8
        and not text.rstrip().endswith(":")
        and _OF_ITSELF.search(fold(text)) is None
    )


def _task(
    item: _Item,
    parent: _Topic,
    context: ParseContext,
    section: Section | None,
    id_prefix: str,
    needs_agency: bool = True,
) -> Task | None:
    paragraphs = [item.first, *item.body]
    first_text = _strip_marker(item.first.text)
    topic = parent
    heading_line = _heading_line(item.first, context)
    if heading_line is not None:  # "7. Các sở, ban, ngành tỉnh" on its own line, then the text
        heading, rest = heading_line
        topic = _topic(heading, parent, context)
        paragraphs = [rest, *item.body]
        first_text = heading
    elif item.body and (first_text.endswith(":") or names_only(first_text, context)):
        topic = _topic(first_text, parent, context)
        paragraphs = item.body
    groups = _group_deliverables(paragraphs, topic, context)
    found: list[Deliverable] = []
    for group in groups:
        deliverable = _deliverable(group, topic, context)
        found.append(deliverable)
        if topic is parent and len(found) == 1 and deliverable.assignment.lead:
            # "c) Giao Thanh tra tỉnh chủ trì ..." then "Chủ trì lập kế hoạch ...": same agency
            topic = _Topic(Assignment(deliverable.assignment.lead), parent.deadline)
    deliverables = tuple(found)
    if needs_agency and not any(
        d.assignment.lead or d.assignment.cooperating or d.assignment.participants
        for d in deliverables
    ):
        return None
    last = paragraphs[-1]
    quote = squash(" ".join(p.text for p in [item.first, *item.body]))
    description = before_fields(first_text).strip(" ;.:") or first_text.rstrip(":")
    return Task(
        f"{id_prefix}{item.local_id}",
        section,
        description,
        deliverables,
        context.span(item.first.line_start, last.line_end),
        quote,
    )


def _group_deliverables(
    paragraphs: list[Paragraph], topic: _Topic, context: ParseContext
) -> list[list[Paragraph]]:
    groups: list[list[Paragraph]] = []
    current_lead: set[tuple[str, str | None]] = set()
    current_has_deadline = False
    fields_seen: set[str] = set()
    for paragraph in paragraphs:
        text = _strip_marker(paragraph.text)
        own_fields = set(labelled_fields(text)) if opens_with_field(text) else set()
        if groups and own_fields and not own_fields & fields_seen:
            # "- Đơn vị chủ trì: Sở Tư pháp" is a field of the deliverable above, not a new one
            groups[-1].append(paragraph)
            fields_seen |= own_fields
            continue
        subject = {(m.type_slug, m.name_slug) for m in opening_agencies(text, context.gazetteer)}
        has_deadline = find_deadline(text, context) is not None
        new = (
            not groups
            or bool(_BULLET.match(paragraph.text))
            or (bool(subject) and subject != current_lead)
            or (has_deadline and current_has_deadline)
        )
        fields_seen = own_fields if new else fields_seen | own_fields
        if new:
            groups.append([paragraph])
            lead = read_assignment(text, context.gazetteer, topic=topic.assignment.lead).lead
            current_lead = {(m.type_slug, m.name_slug) for m in lead}
            current_has_deadline = has_deadline
        else:
            groups[-1].append(paragraph)
            current_has_deadline = current_has_deadline or has_deadline
    return groups


def _deliverable(group: list[Paragraph], topic: _Topic, context: ParseContext) -> Deliverable:
    text = squash(" ".join(_strip_marker(p.text) for p in group))
    span = context.span(group[0].line_start, group[-1].line_end)
    fields = labelled_fields(text)
    if fields.get("lead") or fields.get("cooperating"):
        lead = column_mentions(fields.get("lead", ""), context.gazetteer)
        cooperating = column_mentions(fields.get("cooperating", ""), context.gazetteer)
        assignment = Assignment(lead, tuple(c for c in cooperating if c not in lead), ())
    else:
        assignment = _with_topic(
            read_assignment(text, context.gazetteer, topic=topic.assignment.lead), topic
        )
        # "b) Giao Thanh tra thành phố tổ chức thanh tra …" under a heading naming others: the
        # item gives the work to the body it names
        gives_onward = assignment.lead and fold(text).startswith("giao ")
        if topic.owned and not gives_onward:
            assignment = _owned_by(assignment, topic)
    if fields.get("deadline"):
        deadline: Deadline | None = parse_deadline(
            fields["deadline"], context.lexicon.deadline_phrases, context.single_year
        )
    else:
        deadline = find_deadline(text, context) or topic.deadline
    product = fields.get("product") or before_fields(text).strip(" ;.") or text
    return Deliverable(product, deadline, assignment, text, span, text)


def _with_topic(assignment: Assignment, topic: _Topic) -> Assignment:
    """Add the heading's cooperating agencies ("Chủ trì, phối hợp với ... tham mưu: - ..."), and
    its request: what "Đề nghị X:" heads is asked of X."""
    extra = tuple(
        m
        for m in topic.assignment.cooperating
        if m not in assignment.lead and m not in assignment.cooperating
    )
    return Assignment(
        assignment.lead,
        assignment.cooperating + extra,
        tuple(m for m in assignment.participants if m not in extra),
        assignment.requested or topic.assignment.requested,
    )


def _owned_by(assignment: Assignment, topic: _Topic) -> Assignment:
    """Under a heading that names its agencies, they lead; the others the text names as leads
    are theirs too, and who it names as cooperating stays so."""
    lead = topic.assignment.lead + tuple(
        m for m in assignment.lead if m not in topic.assignment.lead
    )
    return Assignment(
        lead,
        tuple(m for m in assignment.cooperating if m not in lead),
        tuple(m for m in assignment.participants if m not in lead),
        assignment.requested or topic.assignment.requested,
    )
