"""parse: SourceFile -> ParsedDocument (records + problems). No RDF here.

The reader is chosen by detecting the layout, never by file name: an annex table in one of three
layouts (tab-separated HTML cells, "|" cell lines, one tab-led cell per line), or, failing that,
numbered prose assignments (a directive).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from types import ModuleType

from cchc_graph.errors import SourceError
from cchc_graph.ingest.normalise import (
    FlatText,
    NormalisedText,
    Paragraph,
    normalise,
    paragraphs,
)
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse import findings, target_tables
from cchc_graph.parse.accounting import first_table_row, unread_paragraphs, unread_rows
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.header import parse_header
from cchc_graph.parse.instruments import find_citations
from cchc_graph.parse.layouts import line_rows, pipe_cells, prose_tasks, tab_lines
from cchc_graph.parse.outline import (
    funding_range,
    implementation_range,
    objective_targets,
    preamble_citations,
    prose_targets,
    task_part_targets,
    task_ranges,
    title_citations,
)
from cchc_graph.parse.tables import TableResult
from cchc_graph.records import (
    Citation,
    DocumentHeader,
    ParsedDocument,
    Problem,
    Section,
    Severity,
    SourceFile,
    Task,
)
from cchc_graph.text import fold, squash

TABLE_READERS: tuple[ModuleType, ...] = (line_rows, pipe_cells, tab_lines)
_ASSIGNMENT_CUE = re.compile(r"(?:^|\s)(?:giao|chu tri|phoi hop)(?![a-z])")
IMPLEMENTATION = "TCTH"
FUNDING = "KP"


def detect_layout(text: NormalisedText, lexicon: Lexicon) -> str:
    """Name of the reader for `text`; raises SourceError when no reader fits."""
    for reader in TABLE_READERS:
        layout = reader.detect(text, lexicon)
        if layout:
            return str(layout)
    if _has_prose_assignments(text) or implementation_range(text, len(text.lines)):
        # numbered assignments, or a "Tổ chức thực hiện" part whose sections name the agencies
        return prose_tasks.LAYOUT
    raise SourceError(
        text.source.name,
        _first_text_line(text),
        "unknown layout: no annex table (tab-separated, '|' cells or tab-led lines) "
        "and no numbered assignments ('Giao ...', '... chủ trì')" + _what_it_is(text),
    )


def parse_document(source: SourceFile, lexicon: Lexicon) -> ParsedDocument:
    """Read one document with the reader its layout calls for. A document read from another
    format than text is named at its place in that file (page, paragraph, table cell), not at
    a line of the text rendered from it."""
    try:
        return _parse(source, lexicon)
    except SourceError as error:
        if not source.locations:
            raise
        location = source.location(error.line)
        place = f"{location.describe()}: " if location else ""
        raise SourceError(error.path, 0, place + error.message) from error


def _parse(source: SourceFile, lexicon: Lexicon) -> ParsedDocument:
    text = normalise(source)
    layout = detect_layout(text, lexicon)
    header_result = parse_header(text, lexicon)
    header = header_result.header
    if header.adopted_by is None and layout != prose_tasks.LAYOUT:
        raise SourceError(
            source.name,
            _first_text_line(text),
            "no document header: no 'QUYẾT ĐỊNH' / 'CHỈ THỊ' / 'KẾ HOẠCH' heading"
            + _what_it_is(text),
        )
    period = header.period
    context = ParseContext(
        lexicon,
        source.name,
        header.province,
        header.type,
        period[0] if period else None,
        period[1] if period else None,
    )
    table = TableResult()
    body_end = len(text.lines)
    reader = _reader(layout)
    if reader is not None:
        table = reader(text, context)
        body_end = _table_start(table, text)
    problems: list[Problem] = [*header_result.problems, *table.problems]
    tasks: list[Task] = list(table.tasks)
    sections: list[Section] = list(table.sections)
    read_for_work: list[Paragraph] = []  # the paragraphs of the parts read for assignments
    if header.type == "directive":
        body = paragraphs(text, _first_numbered(text), len(text.lines))
        read_for_work += body
        # a numbered item's heading gives its lettered sub-items their reform area ("4. Tổ chức
        # thực hiện:"); a directive has no annex, so these are not annex sections
        directive_tasks, found, _ = prose_tasks.read_outline(
            body, context, None, area_sections=True, directions=True
        )
        tasks += directive_tasks
        problems += found
        header = _with_period(header, directive_tasks, text)
        context = ParseContext(
            lexicon,
            source.name,
            header.province,
            header.type,
            header.period[0] if header.period else None,
            header.period[1] if header.period else None,
        )
        signed = header.adopted_by.date if header.adopted_by else None
        table.targets += prose_targets(directive_tasks, context, signed.year if signed else None)
    else:
        tasks += _article_tasks(text, context)
        if layout == prose_tasks.LAYOUT:  # a plan that lists its tasks in prose, not a table
            parts = task_ranges(text, body_end)
            for roman, first_line, last_line in parts:
                # two such parts number their items from 1 each: their numeral tells them apart
                prefix = f"{roman}." if len(parts) > 1 else ""
                part = paragraphs(text, first_line, last_line)
                read_for_work += part
                found_tasks, found, found_sections = prose_tasks.read_outline(
                    part,
                    context,
                    None,
                    prefix,
                    area_sections=True,
                )
                tasks += found_tasks
                sections += found_sections
                problems += found
        closing_parts = (
            (
                _part_range(funding_range, text, body_end, table),
                FUNDING,
                "Kinh phí thực hiện",
                _sift_funding,
            ),
            (
                _part_range(implementation_range, text, body_end, table),
                IMPLEMENTATION,
                "Tổ chức thực hiện",
                None,
            ),
        )
        for lines, part_id, heading, sift in closing_parts:
            if lines is None:
                continue
            section = Section(
                part_id, heading, context.area_of(heading), context.span(lines[0] - 1)
            )
            part = paragraphs(text, *lines)
            read_for_work += part
            found_tasks, found, _ = prose_tasks.read_outline(part, context, section, f"{part_id}.")
            if sift is not None:
                found_tasks, sifted = sift(found_tasks, context)
                found += sifted
            if found_tasks:
                sections.append(section)
            tasks += found_tasks
            problems += found
    citations = _citations(
        text,
        context,
        header_result.attached_line,
        body_end,
        header.adopted_by.span.line_start if header.adopted_by else None,
    )
    taken = {n for t in tasks for n in range(t.span.line_start, t.span.line_end + 1)}
    tabled_targets, target_lines = target_tables.read(text, context, taken)
    targets = [*objective_targets(text, context, body_end), *table.targets, *tabled_targets]
    if header.type != "directive":  # a directive's goals are read with its assignments
        targets += task_part_targets(text, context, body_end)
    if not tasks and header.adopted_by is None:
        raise SourceError(
            source.name,
            _first_text_line(text),
            "neither a plan nor a directive: no task was found and no heading names the "
            "document ('KẾ HOẠCH', 'CHỈ THỊ', 'QUYẾT ĐỊNH', ...)" + _what_it_is(text),
        )
    # a table in a document read as prose (a data table of a Word file, a page) is accounted
    # for too: its rows were read into nothing
    first = min(body_end + 1, first_table_row(text.lines) or body_end + 1)
    problems += unread_rows(
        text.lines, first, tasks, sections, problems, context, targets, target_lines
    )
    problems += unread_paragraphs(read_for_work, tasks, sections, problems, context)
    if header.period is None:
        header, inferred = _inferred_period(header, tasks, text)
        problems += inferred
    problems += findings.dates_before_plan(tasks, header.period, context)
    problems += findings.unresolved_agencies(tasks, context)
    problems += findings.ended_agencies(tasks, context, _written(header))
    problems += findings.instrument_conflicts(citations, context)
    problems += findings.kind_mismatches(citations, lexicon, context)
    return ParsedDocument(
        source,
        layout,
        header,
        tuple(citations),
        tuple(sections),
        tuple(tasks),
        tuple(targets),
        tuple(problems),
    )


def _part_range(
    find: Callable[[NormalisedText, int], tuple[int, int] | None],
    text: NormalisedText,
    body_end: int,
    table: TableResult,
) -> tuple[int, int] | None:
    """The lines of a closing part ("Kinh phí", "Tổ chức thực hiện"), before the task table or,
    when the table stands inside the body ("II. NHIỆM VỤ" written as a table, as a Word plan may
    have it), after it."""
    found = find(text, body_end)
    if found is not None:
        return found
    table_end = max(
        [t.span.line_end for t in table.tasks]
        + [s.span.line_end for s in table.sections if s.span],
        default=None,
    )
    if table_end is None or table_end >= len(text.lines):
        return None
    after = find(text, len(text.lines))
    return after if after is not None and after[0] > table_end else None


def _reader(layout: str) -> Callable[[NormalisedText, ParseContext], TableResult] | None:
    for reader in TABLE_READERS:
        if layout in getattr(reader, "LAYOUTS", (getattr(reader, "LAYOUT", None),)):
            return reader.read  # type: ignore[no-any-return]
    return None


def _has_prose_assignments(text: NormalisedText) -> bool:
    hits = 0
    for paragraph in paragraphs(text):
        if re.match(
            r"^(?:\d{1,2}[.)]|[a-zđ]\)|[-–+•])\s", paragraph.text
        ) and _ASSIGNMENT_CUE.search(" " + fold(paragraph.text)):
            hits += 1
    return hits >= 2


# headings of documents that are neither plans nor directives, and what they are
_OTHER_KINDS = {
    "bao cao": "a báo cáo (report)",
    "to trinh": "a tờ trình (submission)",
    "nghi dinh": "a nghị định (decree)",
    "thong tu": "a thông tư (circular)",
    "bien ban": "a biên bản (minutes)",
    "cong van": "a công văn (letter)",
    "phu luc": "an annex (phụ lục) on its own",
}
_OTHER_KIND_LINES = 60


def _what_it_is(text: NormalisedText) -> str:
    """ " (it is a báo cáo (report))" when a heading or a "V/v" line near the top says what the
    document is instead; "" otherwise."""
    for line in text.lines[:_OTHER_KIND_LINES]:
        plain = squash(line)
        key = fold(plain).rstrip(":").strip()
        if plain and plain == plain.upper() and key in _OTHER_KINDS:
            return f" (it is {_OTHER_KINDS[key]})"
        if re.match(r"^v/v\b", fold(plain)):
            return f" (it is {_OTHER_KINDS['cong van']})"
    return ""


def _first_text_line(text: NormalisedText) -> int:
    return next((n for n, line in enumerate(text.lines, start=1) if squash(line)), 1)


def _first_numbered(text: NormalisedText) -> int:
    """The first numbered item, or the part heading right above it ("I. VỀ HOÀN THIỆN THỂ CHẾ")."""
    for number, line in enumerate(text.lines, start=1):
        if re.match(r"^\s*1\s*[.)]\s", line):
            above = next((n for n in range(number - 1, 0, -1) if text.line(n).strip()), None)
            if above is not None and re.match(r"^\s*I\s*[.:]\s", text.line(above)):
                return above
            return number
    return 1


def _table_start(table: TableResult, text: NormalisedText) -> int:
    lines = [s.span.line_start for s in table.sections if s.span] + [
        t.span.line_start for t in table.tasks
    ]
    if not lines:
        return len(text.lines)
    first = min(lines)
    # the header row and the "PHỤ LỤC" title sit just above the first row
    for number in range(first - 1, max(0, first - 12), -1):
        if "phu luc" in fold(text.line(number)) or fold(text.line(number)).startswith(
            ("nhiem vu", "tt\t", "tt ")
        ):
            return number - 1
    return first - 1


def _citations(
    text: NormalisedText,
    context: ParseContext,
    attached_line: int | None,
    body_end: int,
    number_line: int | None,
) -> list[Citation]:
    roles = preamble_citations(text, context, body_end)
    roles += title_citations(text, context, _directive_title_line(text, context))
    everything = find_citations(FlatText(text), context.source, context.gazetteer, context.lexicon)
    own_lines = {attached_line, number_line}
    cites = [c for c in everything if c.span.line_start not in own_lines]
    return _unique([*roles, *cites])


def _directive_title_line(text: NormalisedText, context: ParseContext) -> int | None:
    if context.doc_type != "directive":
        return None
    for number, line in enumerate(text.lines, start=1):
        if fold(line).strip() in ("chi thi", "chi thi:"):
            return number + 1
    return None


def _unique(citations: list[Citation]) -> list[Citation]:
    """One citation per (role, instrument); later mentions may add the date the first lacked."""
    seen: dict[tuple[str, str, str], Citation] = {}
    for citation in citations:
        key = (citation.role, citation.kind, citation.number or fold(citation.title or ""))
        if key not in seen:
            seen[key] = citation
        elif seen[key].date is None and citation.date is not None:
            first = seen[key]
            seen[key] = Citation(
                first.kind,
                first.number,
                citation.date,
                citation.year,
                first.issuer or citation.issuer,
                first.title or citation.title,
                first.role,
                first.span,
                first.quote,
                first.amends,
            )
    return list(seen.values())


_ARTICLE = re.compile(r"^\s*Điều\s+(?P<n>\d{1,2})\s*[.:]\s*(?P<rest>Giao\s.+)$")
_DECISION_LINES = 40


def _sift_funding(tasks: list[Task], context: ParseContext) -> tuple[list[Task], list[Problem]]:
    """ "Kinh phí ... được bố trí trong dự toán của các sở" says where money comes from; "Bộ Tài
    chính chủ trì tổng hợp ..." assigns work: only an agency as the subject of the item's first
    sentence makes it a task, the others are said."""
    kept = [t for t in tasks if prose_tasks.opens_with_agency(t, context)]
    said = [
        Problem(
            "funding-statement",
            f"item {t.local_id} says where money comes from, no agency opens it: not a task",
            Severity.INFO,
            t.span,
            t.quote[:200],
        )
        for t in tasks
        if t not in kept
    ]
    return kept, said


def _article_tasks(text: NormalisedText, context: ParseContext) -> list[Task]:
    """Tasks the decision's own articles assign ("Điều 2. Giao Sở Công Thương chủ trì …"), read
    in the decision that issues a plan, above the plan itself."""
    found = []
    for paragraph in paragraphs(text, 1, min(len(text.lines), _DECISION_LINES)):
        match = _ARTICLE.match(paragraph.text)
        if match is None:
            continue
        article = Paragraph(match.group("rest"), paragraph.line_start, paragraph.line_end)
        task = prose_tasks.article_task(match.group("n"), article, context)
        if task is not None:
            found.append(task)
    return found


def _written(header: DocumentHeader) -> date | None:
    """When the document was written: its own date, else the first day of its period."""
    if header.adopted_by is not None and header.adopted_by.date is not None:
        return header.adopted_by.date
    return date(header.period[0], 1, 1) if header.period else None


def _inferred_period(
    header: DocumentHeader, tasks: list[Task], text: NormalisedText
) -> tuple[DocumentHeader, list[Problem]]:
    """A document that states no period ("Kế hoạch chuyển đổi số cho các doanh nghiệp") spans
    the years of its deadlines, else the year it was signed; said as a finding, not hidden."""
    dated = _with_period(header, tasks, text)
    adopted = header.adopted_by
    if dated.period is not None:
        reason = "the years of its deadlines"
    elif adopted is not None and adopted.date is not None:
        year = adopted.date.year
        dated, reason = replace(header, period=(year, year)), "the year it was signed"
    else:
        return header, []
    first, last = dated.period or (0, 0)
    span = f"{first}" if first == last else f"{first}-{last}"
    return dated, [
        Problem(
            "period-inferred",
            f"the document states no period: it is taken as {span}, {reason}",
            Severity.INFO,
            header.span,
            header.title or "",
        )
    ]


def _with_period(header: DocumentHeader, tasks: list[Task], text: NormalisedText) -> DocumentHeader:
    """A directive states no period: it spans the years its assignments name."""
    years: set[int] = set()
    for task in tasks:
        for deliverable in task.deliverables:
            deadline = deliverable.deadline
            if deadline is not None:
                years |= {d.year for d in (deadline.due, deadline.start) if d is not None}
    for match in re.finditer(r"đến năm\s+(\d{4})", "\n".join(text.lines)):
        years.add(int(match.group(1)))
    if not years or header.period is not None:
        return header
    return DocumentHeader(
        header.type,
        header.title,
        header.province,
        (min(years), max(years)),
        header.adopted_by,
        header.signer,
        header.issuer,
        header.span,
    )
