"""records: the plain, frozen dataclasses that flow from parse to rdf. No RDF here.

Every record that states a fact carries a `span` (file and 1-based lines) and a `quote`, so the
graph, the validation report and the HTML pages can all point at the line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from cchc_graph.ingest.model import Location


@dataclass(frozen=True, slots=True)
class Span:
    """Where a record comes from: a source file and its 1-based first and last lines."""

    source: str
    line_start: int
    line_end: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One document as read from disk: its path name, the text the readers read and the digest
    of the file's bytes. A document in another format than text is read into blocks and
    rendered (ingest/render.py): `locations[n - 1]` is then where line n stands in the original
    file (page, paragraph, table cell, element), `format` and `reader` say how it was read, and
    `confidence` is OCR's for each line (None when the text was not recognised from an image)."""

    name: str
    stem: str
    text: str
    sha256: str
    format: str = "text"
    reader: str = ""
    locations: tuple[Location | None, ...] = ()
    confidence: tuple[float | None, ...] = ()
    notes: tuple[str, ...] = ()

    def location(self, line: int) -> Location | None:
        """Where 1-based line `line` of `text` is in the original file (None for text files)."""
        if 0 < line <= len(self.locations):
            return self.locations[line - 1]
        return None


class Role(StrEnum):
    """How an agency takes part in a deliverable."""

    LEAD = "lead"
    COOPERATING = "cooperating"
    PARTICIPANT = "participant"


class DeadlineKind(StrEnum):
    """What sort of deadline a deliverable has (DESIGN.md: cchc:deadlineKind)."""

    FIXED = "fixed"
    RECURRING = "recurring"
    CONTINUOUS = "continuous"
    CONDITIONAL = "conditional"


class Severity(StrEnum):
    """How much a parse problem or source finding matters."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class AgencyMention:
    """An agency named in the text, already matched to an agency type or group slug."""

    text: str
    type_slug: str
    is_group: bool
    name_slug: str | None = (
        None  # a specific unit of a type, e.g. one district: "ubnd-huyen-khanh-son"
    )
    label: str | None = None  # its own label when it is such a specific unit
    # the province a body belongs to when the text names it ("UBND thành phố Hà Nội" in a
    # national document): its agency is that province's, not the document's
    province: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Agencies by role for one deliverable; an agency appears in one role only (lead wins)."""

    lead: tuple[AgencyMention, ...] = ()
    cooperating: tuple[AgencyMention, ...] = ()
    participants: tuple[AgencyMention, ...] = ()
    # "Đề nghị X ...": asked of a body the issuer does not command, not ordered
    requested: bool = False


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline as written and what it means: last day allowed, first day, kind."""

    text: str
    kind: DeadlineKind | None
    due: date | None = None
    start: date | None = None


@dataclass(frozen=True, slots=True)
class Deliverable:
    """One product / deadline / assignment row of a task."""

    product: str | None  # None when the source cell is empty, never ""
    deadline: Deadline | None
    assignment: Assignment
    assignment_text: str | None
    span: Span
    quote: str
    budget: Decimal | None = None  # thousand VND


@dataclass(frozen=True, slots=True)
class Section:
    """An annex section (or the plan's "Tổ chức thực hiện"): id, heading and reform area slug."""

    id: str
    heading: str | None
    area: str | None
    span: Span | None


@dataclass(frozen=True, slots=True)
class Task:
    """A reform task with its deliverables; `local_id` is "II.1", "2.a" or "TCTH.4"."""

    local_id: str
    section: Section | None
    description: str
    deliverables: tuple[Deliverable, ...]
    span: Span
    quote: str


@dataclass(frozen=True, slots=True)
class Target:
    """A quantified target: indicator + comparator + value (+ max) + unit + year."""

    indicator: str | None
    comparator: str  # "=", ">=", ">", "<=", "<", "range"
    value: Decimal
    unit: str
    year: int | None
    scope: str
    span: Span
    quote: str
    max_value: Decimal | None = None
    responsible: tuple[AgencyMention, ...] = ()  # who answers for it ("Chủ trì" of a target table)


@dataclass(frozen=True, slots=True)
class Citation:
    """A legal instrument named in the text, with what the text says about it.

    `role` is how the citing document uses it: "legal-basis" (Căn cứ), "implements" (Thực hiện),
    "adopted-by" (the decision that issues the document), or "cites".
    """

    kind: str
    number: str | None
    date: date | None
    year: int | None
    issuer: AgencyMention | None
    title: str | None
    role: str
    span: Span
    quote: str
    amends: tuple[str, ...] = ()  # numbers of instruments this one amends, as the text says


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    """What a document says about itself: kind, adopting decision, province, period, signer."""

    type: str  # "plan" or "directive"
    title: str | None
    province: str | None
    period: tuple[int, int] | None
    adopted_by: Citation | None
    signer: str | None
    issuer: AgencyMention | None
    span: Span


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the reader could not place or a contradiction inside the source."""

    kind: str
    message: str
    severity: Severity
    span: Span
    quote: str = ""


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """Everything one reader extracted from one source file."""

    source: SourceFile
    layout: str
    header: DocumentHeader
    citations: tuple[Citation, ...]
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    targets: tuple[Target, ...]
    problems: tuple[Problem, ...] = field(default=())
