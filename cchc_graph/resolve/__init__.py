"""resolve: ParsedDocument records of a corpus -> ResolvedCorpus (document IRIs and keys, one
Agency per province and type, one Instrument per identity)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc_graph.iris import NATIONAL_SCOPE, UNKNOWN_SCOPE, Iris, number_slug, period_slug
from cchc_graph.lexicon import Lexicon
from cchc_graph.records import AgencyMention, Citation, DocumentHeader, ParsedDocument, Problem
from cchc_graph.resolve.agencies import Agency, AgencyRegistry
from cchc_graph.resolve.instruments import Instrument, InstrumentRegistry

__all__ = ["Agency", "Instrument", "ResolvedCorpus", "ResolvedDocument", "resolve_corpus"]


@dataclass(slots=True)
class ResolvedDocument:
    """One parsed document with the identities it refers to."""

    parsed: ParsedDocument
    iri: str
    key: str
    source_iri: str
    adopted_by: Instrument | None
    citations: list[tuple[Citation, Instrument]]
    agencies: dict[tuple[str, str | None], Agency]
    problems: list[Problem] = field(default_factory=list)
    national: bool = False  # issued by a national body: the country's, not one province's

    def agency(self, mention: AgencyMention) -> Agency:
        """The resolved agency of a mention of this document."""
        return self.agencies[(mention.type_slug, mention.name_slug)]


@dataclass(slots=True)
class ResolvedCorpus:
    """Every document, agency and instrument of one build."""

    documents: list[ResolvedDocument]
    agencies: dict[str, Agency]
    instruments: dict[str, Instrument]
    problems: list[Problem]


def resolve_corpus(documents: list[ParsedDocument], lexicon: Lexicon, iris: Iris) -> ResolvedCorpus:
    """Resolve all documents together: instruments and agencies are shared across them."""
    agencies = AgencyRegistry(lexicon, iris)
    instruments = InstrumentRegistry(lexicon, iris)
    instruments.register_dated(documents)
    resolved = []
    taken: set[str] = set()
    for document in documents:
        resolved.append(_resolve_document(document, agencies, instruments, iris, taken))
    return ResolvedCorpus(
        resolved, agencies.agencies, instruments.instruments, instruments.problems
    )


def _resolve_document(
    document: ParsedDocument,
    agencies: AgencyRegistry,
    instruments: InstrumentRegistry,
    iris: Iris,
    taken: set[str],
) -> ResolvedDocument:
    header = document.header
    national = header.province is None and issued_nationally(header, agencies.lexicon)
    province = header.province or (NATIONAL_SCOPE if national else UNKNOWN_SCOPE)
    iri, key = _document_identity(document, province, iris, taken)
    adopted = header.adopted_by
    adopted_instrument = (
        instruments.resolve(adopted, document) if adopted is not None and adopted.number else None
    )
    citations = [(c, instruments.resolve(c, document)) for c in document.citations]
    mentions = _mentions(document)
    resolved_agencies = {
        (m.type_slug, m.name_slug): agencies.resolve(m, header.province, national) for m in mentions
    }
    adopted_pair = [(adopted, adopted_instrument)] if adopted and adopted_instrument else []
    for citation, instrument in [*adopted_pair, *citations]:
        issuer = citation.issuer
        if instrument.issuer_iri is None and issuer and issuer.type_slug == instrument.issuer_slug:
            instrument.issuer_iri = resolved_agencies[(issuer.type_slug, issuer.name_slug)].iri
    return ResolvedDocument(
        document,
        iri,
        key,
        iris.source(document.source.stem),
        adopted_instrument,
        citations,
        resolved_agencies,
        national=national,
    )


def issued_nationally(header: DocumentHeader, lexicon: Lexicon) -> bool:
    """A document of the Government, the Prime Minister, a ministry: it belongs to no province."""
    issuer = header.issuer
    return issuer is not None and lexicon.agency_types[issuer.type_slug].level == "national"


def _document_identity(
    document: ParsedDocument, province: str, iris: Iris, taken: set[str]
) -> tuple[str, str]:
    header = document.header
    number = header.adopted_by.number if header.adopted_by else None
    if header.type == "directive":
        year = header.period[0] if header.period else 0
        local = number_slug(number) if number else document.source.stem
        iri, key = iris.directive(province, year, local), f"{province}-{year}-ct-{local}"
    else:
        period = header.period or (0, 0)
        iri, key = iris.plan(province, period), f"{province}-{period_slug(period)}"
        if iri in taken and number:  # a second plan for the same province and period
            variant = number_slug(number)
            iri, key = iris.plan(province, period, variant), f"{key}-{variant}"
    taken.add(iri)
    return iri, key


def _mentions(document: ParsedDocument) -> list[AgencyMention]:
    found: list[AgencyMention] = []
    header = document.header
    for citation in [header.adopted_by, *document.citations]:
        if citation is not None and citation.issuer is not None:
            found.append(citation.issuer)
    if header.issuer is not None:
        found.append(header.issuer)
    for task in document.tasks:
        for deliverable in task.deliverables:
            assignment = deliverable.assignment
            found += [*assignment.lead, *assignment.cooperating, *assignment.participants]
    for target in document.targets:
        found += target.responsible
    return found
