"""check: one draft document + the sources -> CheckReport, in memory only ("lint my draft plan").

The draft is parsed, resolved and linked together with every source document, exactly as a build
would do, so its agencies, instruments and cross-year links are the ones the graph would hold.
Nothing is written: the built graph is not read and not touched. The union is validated with the
same shapes as `cchc validate`, and only what concerns the draft is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import rdflib

from cchc_graph.build import assemble, read_sources
from cchc_graph.ingest.sources import read_source
from cchc_graph.parse import parse_document
from cchc_graph.records import ParsedDocument, Problem
from cchc_graph.resolve import ResolvedDocument
from cchc_graph.resources import load_lexicon
from cchc_graph.settings import Settings
from cchc_graph.validate import Finding, Level, union_store, validate


@dataclass(frozen=True, slots=True, order=True)
class Repeat:
    """A task of the draft that continues a task of an earlier document."""

    line: int
    task: str
    earlier_file: str
    earlier_title: str
    earlier_task: str
    earlier_line: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Newcomer:
    """An agency or instrument the draft names and no other document of the graph does."""

    label: str
    line: int
    iri: str


@dataclass(slots=True)
class CheckReport:
    """What `cchc check` found in one draft."""

    file: str
    title: str | None
    iri: str
    layout: str
    tasks: int
    deliverables: int
    targets: int
    findings: list[Finding]
    problems: list[Problem]
    repeats: list[Repeat]
    new_agencies: list[Newcomer]
    new_instruments: list[Newcomer]
    known_instruments: int
    replaced: list[str] = field(default_factory=list)  # sources left out: the draft replaces them
    engine: str = ""
    seconds: float = 0.0
    # files of the sources folder that could not be read: the draft was checked without them
    unread: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.level is Level.VIOLATION for f in self.findings)


def check(
    draft: Path, shapes: rdflib.Graph, settings: Settings | None = None, engine: str = "turbo"
) -> CheckReport:
    """Lint `draft` against the shapes, in the context of the sources of `settings`."""
    settings = settings or Settings()
    lexicon = load_lexicon(settings)
    parsed = parse_document(read_source(draft), lexicon)
    sources = read_sources(settings.sources_dir, settings=settings)
    others, replaced = _others(sources.parsed, parsed)
    assembly = assemble([*others, parsed], settings)
    resolved = assembly.corpus.documents[-1]
    report = validate(union_store(assembly.quads), shapes, engine)
    mine = [f for f in report.findings if f.document == parsed.source.name]
    repeats = sorted(
        Repeat(
            link.later[1].span.line_start,
            link.later[1].local_id,
            link.earlier[0].parsed.source.name,
            link.earlier[0].parsed.header.title or link.earlier[0].iri,
            link.earlier[1].local_id,
            link.earlier[1].span.line_start,
            link.score,
        )
        for link in assembly.links
        if link.later[0] is resolved
    )
    others_resolved = assembly.corpus.documents[:-1]
    cited_elsewhere = {i.iri for d in others_resolved for _, i in d.citations}
    new_instruments = _new_instruments(resolved, cited_elsewhere)
    return CheckReport(
        parsed.source.name,
        parsed.header.title,
        resolved.iri,
        parsed.layout,
        len(parsed.tasks),
        sum(len(t.deliverables) for t in parsed.tasks),
        len(parsed.targets),
        mine,
        [*parsed.problems, *resolved.problems],
        repeats,
        _new_agencies(resolved, others_resolved),
        new_instruments,
        len({i.iri for _, i in resolved.citations}) - len(new_instruments),
        replaced,
        report.engine,
        report.seconds,
        [f"{u.file}: {u.reason}" for u in sources.unread],
    )


def _others(
    sources: list[ParsedDocument], draft: ParsedDocument
) -> tuple[list[ParsedDocument], list[str]]:
    """The sources without the ones the draft stands in for: the same file name, or a plan of
    the same kind, province and period (a new version of it)."""

    def identity(document: ParsedDocument) -> tuple[object, ...]:
        header = document.header
        number = header.adopted_by.number if header.adopted_by else None
        return (header.type, header.province, header.period, number)

    same = identity(draft)
    kept, replaced = [], []
    for document in sources:
        if document.source.name == draft.source.name or identity(document) == same:
            replaced.append(document.source.name)
        else:
            kept.append(document)
    return kept, replaced


def _new_agencies(draft: ResolvedDocument, others: list[ResolvedDocument]) -> list[Newcomer]:
    known = {a.iri for d in others for a in d.agencies.values()}
    first_line: dict[str, int] = {}
    header = draft.parsed.header
    for citation in [header.adopted_by, *draft.parsed.citations]:
        if citation is not None and citation.issuer is not None:
            first_line.setdefault(draft.agency(citation.issuer).iri, citation.span.line_start)
    if header.issuer is not None:
        first_line.setdefault(draft.agency(header.issuer).iri, header.span.line_start)
    for task in draft.parsed.tasks:
        for deliverable in task.deliverables:
            assignment = deliverable.assignment
            for mention in (*assignment.lead, *assignment.cooperating, *assignment.participants):
                iri = draft.agency(mention).iri
                first_line.setdefault(iri, deliverable.span.line_start)
    found = {
        a.iri: Newcomer(a.label_vi, first_line.get(a.iri, 0), a.iri)
        for a in draft.agencies.values()
        if a.iri not in known and not a.national
    }
    return sorted(found.values(), key=lambda n: (n.line, n.label))


def _new_instruments(draft: ResolvedDocument, cited_elsewhere: set[str]) -> list[Newcomer]:
    found: dict[str, Newcomer] = {}
    for citation, instrument in draft.citations:
        if instrument.iri not in cited_elsewhere and instrument.iri not in found:
            name = instrument.number or instrument.title or ""
            label = f"{instrument.kind_label} {name}".strip()
            found[instrument.iri] = Newcomer(label, citation.span.line_start, instrument.iri)
    return sorted(found.values(), key=lambda n: (n.line, n.label))
