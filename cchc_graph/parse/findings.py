"""findings: what a whole document's reading reveals about it, beside its records: due dates
before its period, bodies the vocabulary lacks, one instrument cited with two dates, a number
whose code says another kind of document."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.gazetteer import UNRESOLVED_TYPES
from cchc_graph.records import AgencyMention, Citation, Deliverable, Problem, Severity, Task


def dates_before_plan(
    tasks: list[Task], period: tuple[int, int] | None, context: ParseContext
) -> list[Problem]:
    if period is None:
        return []
    first_day = date(period[0], 1, 1)
    problems = []
    for task in tasks:
        for deliverable in task.deliverables:
            due = deliverable.deadline.due if deliverable.deadline else None
            if due is not None and due < first_day:
                problems.append(
                    Problem(
                        "date-before-plan",
                        f"{task.local_id}: due {due.isoformat()} is before the "
                        f"plan's period starts ({period[0]})",
                        Severity.WARNING,
                        deliverable.span,
                        deliverable.deadline.text if deliverable.deadline else "",
                    )
                )
    return problems


def unresolved_agencies(tasks: list[Task], context: ParseContext) -> list[Problem]:
    """Each body the vocabulary does not hold, once, where it is first named: kept as written in
    the graph, and said here so that someone can add it to the vocabulary."""
    seen: set[str] = set()
    problems = []
    for task, deliverable, mention in _mentions(tasks):
        if mention.type_slug not in UNRESOLVED_TYPES or mention.text in seen:
            continue
        seen.add(mention.text)
        problems.append(
            Problem(
                "unresolved-agency",
                f"{task.local_id}: {mention.text!r} names no agency the vocabulary "
                "holds: kept as written",
                Severity.WARNING,
                deliverable.span,
                mention.text,
            )
        )
    return problems


def ended_agencies(tasks: list[Task], context: ParseContext, written: date | None) -> list[Problem]:
    """Each body named in a document written after it ceased to exist (a 2026 plan naming Sở Kế
    hoạch và Đầu tư, merged into Sở Tài chính on 1 March 2025), once, where it is first named:
    read as named, and said, since the work falls to the body it became."""
    if written is None:
        return []
    seen: set[str] = set()
    problems = []
    for task, deliverable, mention in _mentions(tasks):
        change = context.lexicon.ended(mention.type_slug)
        if change is None or change.on > written or mention.type_slug in seen:
            continue
        seen.add(mention.type_slug)
        became = context.lexicon.agency_types[change.result].concept.label_vi
        problems.append(
            Problem(
                "agency-ended",
                f"{task.local_id}: {mention.text!r} no longer existed on "
                f"{written.isoformat()}: it became {became} on {change.on.isoformat()} "
                f"({context.lexicon.change_sources[change.source].number})",
                Severity.WARNING,
                deliverable.span,
                mention.text,
            )
        )
    return problems


def _mentions(tasks: list[Task]) -> Iterator[tuple[Task, Deliverable, AgencyMention]]:
    """Every agency a task's deliverables name, in any role, with where."""
    for task in tasks:
        for deliverable in task.deliverables:
            assignment = deliverable.assignment
            for mention in (*assignment.lead, *assignment.cooperating, *assignment.participants):
                yield task, deliverable, mention


def instrument_conflicts(citations: list[Citation], context: ParseContext) -> list[Problem]:
    """Two dates for one decree: "108/NĐ-CP ngày 20/11/2014", "108/2014/NĐ-CP ngày 29/5/2014"."""
    by_identity: dict[tuple[str, str], list[Citation]] = defaultdict(list)
    for citation in citations:
        if citation.number and citation.date:
            base = re.sub(r"/(?:19|20)\d{2}/", "/", citation.number)
            by_identity[(citation.kind, base)].append(citation)
    problems = []
    for (kind, base), found in sorted(by_identity.items()):
        dates = sorted({c.date for c in found if c.date})
        if len(dates) > 1:
            lines = sorted({c.span.line_start for c in found})
            problems.append(
                Problem(
                    "instrument-conflict",
                    f"{kind} {base} is cited with different dates: "
                    + ", ".join(d.isoformat() for d in dates),
                    Severity.WARNING,
                    context.span(lines[0], lines[-1]),
                    "; ".join(c.quote for c in found),
                )
            )
    return problems


def kind_mismatches(
    citations: list[Citation], lexicon: Lexicon, context: ParseContext
) -> list[Problem]:
    """ "Công văn số 2629/TTr-SNV": the words say one kind, the number's code another."""
    problems = []
    seen: set[tuple[str, str]] = set()
    for citation in citations:
        if not citation.number or (citation.kind, citation.number) in seen:
            continue
        seen.add((citation.kind, citation.number))
        codes = [lexicon.kind_codes.get(part) for part in re.split(r"[-/]", citation.number)[1:]]
        coded = next((c for c in codes if c), None)
        if coded and coded != citation.kind and (citation.kind, coded) not in _COMPATIBLE_KINDS:
            problems.append(
                Problem(
                    "kind-mismatch",
                    f"{citation.number} is called {citation.kind} but its number "
                    f"carries the code of a {coded}",
                    Severity.INFO,
                    citation.span,
                    citation.quote,
                )
            )
    return problems


# a "Kế hoạch hành động" is numbered as a plan (KH), a programme may carry its own code
_COMPATIBLE_KINDS = {("chuong-trinh", "chuong-trinh-hanh-dong")}
