"""rdf: ResolvedCorpus -> quads, one named graph per source document (named by the source node),
plus the ontology and vocabulary graphs. Every Task, Deliverable, Target, Citation and Finding
carries prov:wasDerivedFrom, cchc:sourceLine and cchc:sourceText.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox

from cchc_graph.iris import Iris
from cchc_graph.lexicon import Lexicon
from cchc_graph.link import Continuation
from cchc_graph.namespaces import CCHC, DCTERMS, ELI, ORG, PROV, RDF, RDFS, SKOS, XSD
from cchc_graph.records import Citation, Deliverable, Problem, SourceFile, Span, Target, Task
from cchc_graph.resolve import Agency, Instrument, ResolvedCorpus, ResolvedDocument
from cchc_graph.text import fold, nfc, squash

_TYPE = ox.NamedNode(RDF + "type")
_LABELS = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", CCHC + "shortName"}
_ROLE_PROPERTY = {"legal-basis": CCHC + "legalBasis", "implements": CCHC + "implements"}


@lru_cache(maxsize=65536)
def _n(iri: str) -> ox.NamedNode:
    # the same predicates and agency IRIs recur in every quad: build each node once
    return ox.NamedNode(iri)


def _text(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


class _Graph:
    """Collects the quads of one named graph."""

    def __init__(self, name: str, source: SourceFile | None = None) -> None:
        self.name = ox.NamedNode(name)
        self.quads: list[ox.Quad] = []
        self.source = source  # a document read from another format locates lines in its file

    def add(self, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(_n(subject), _n(predicate), obj, self.name))

    def link(self, subject: str, predicate: str, obj: str) -> None:
        self.add(subject, predicate, _n(obj))

    def search_text(self, subject: str, *texts: str) -> None:
        """The folded form of a node's labels and text, for searching without diacritics."""
        folded = " | ".join(dict.fromkeys(fold(t) for t in texts if t))
        if folded:
            self.add(subject, CCHC + "searchText", _text(folded))

    def provenance(self, subject: str, source_iri: str, span: Span, quote: str) -> None:
        self.link(subject, PROV + "wasDerivedFrom", source_iri)
        self.add(subject, CCHC + "sourceLine", _typed(span.line_start, "integer"))
        if span.line_end != span.line_start:
            self.add(subject, CCHC + "sourceLineEnd", _typed(span.line_end, "integer"))
        if quote:
            self.add(subject, CCHC + "sourceText", _text(quote))
        if self.source is not None:
            self.locate(subject, span.line_start, span.line_end)

    def locate(self, subject: str, first: int, last: int) -> None:
        """Where lines first..last of a rendered document stand in its original file: a page,
        paragraph or table cell, and OCR's confidence in a recognised text."""
        if self.source is None:
            return
        start, end = self.source.location(first), self.source.location(last)
        if start is None:
            return
        for language in ("vi", "en"):
            place = start.describe(language)
            if end is not None and end != start and end.describe(language) != place:
                place += " – " + end.describe(language)
            self.add(subject, CCHC + "sourceLocation", _text(place, language))
        if start.page is not None:
            self.add(subject, CCHC + "sourcePage", _typed(start.page, "integer"))
            at_end = end if end is not None else start
            last_page = at_end.page_end or at_end.page
            if last_page is not None and last_page != start.page:
                self.add(subject, CCHC + "sourceLastPage", _typed(last_page, "integer"))
        scores = [score for score in self.source.confidence[first - 1 : last] if score is not None]
        if scores:
            mean = Decimal(str(round(sum(scores) / len(scores), 3)))
            self.add(subject, CCHC + "recognitionConfidence", _typed(mean, "decimal"))


def corpus_quads(corpus: ResolvedCorpus, iris: Iris) -> Iterator[ox.Quad]:
    """Every quad of the build's documents and of the registry they share (not the ontology
    and vocabulary graphs)."""
    for document in corpus.documents:
        yield from document_quads(document, iris)
    yield from registry_quads(corpus, iris)


def registry_quads(corpus: ResolvedCorpus, iris: Iris) -> list[ox.Quad]:
    """The agencies and instruments the documents share, each described once, and the amends
    links between instruments. In every document's graph they would repeat, and a store that
    queries the union of the graphs (Oxigraph) returns each repeat as another solution."""
    graph = _Graph(iris.graph("registry"))
    for instrument in sorted(corpus.instruments.values(), key=lambda i: i.iri):
        _instrument(graph, instrument, iris)
    amends: dict[tuple[str, str], None] = {}
    for document in corpus.documents:
        for citation, instrument in document.citations:
            for amended in citation.amends:
                target = next((i for c, i in document.citations if c.number == amended), None)
                if target is not None:
                    amends[(instrument.iri, target.iri)] = None
    for amending, amended in amends:
        graph.link(amending, ELI + "amends", amended)
    for agency in sorted(corpus.agencies.values(), key=lambda a: a.iri):
        _agency(graph, agency, iris)
    return graph.quads


def document_quads(document: ResolvedDocument, iris: Iris) -> list[ox.Quad]:
    """The named graph of one source document."""
    source = document.parsed.source
    graph = _Graph(document.source_iri, source if source.locations else None)
    _source(graph, document)
    _action_document(graph, document, iris)
    for index, (citation, instrument) in enumerate(document.citations, start=1):
        _citation(graph, document, citation, instrument, index, iris)
    _document_links(graph, document)
    for task in document.parsed.tasks:
        _task(graph, document, task, iris)
    for index, target in enumerate(document.parsed.targets, start=1):
        _target(graph, document, target, index, iris)
    problems = [*document.parsed.problems, *document.problems]
    # findings that name a line but quote nothing quote that line: split the text once
    lines = nfc(document.parsed.source.text).split("\n") if problems else []
    for index, problem in enumerate(problems, start=1):
        quote = problem.quote or _line(lines, problem.span.line_start)
        _finding(graph, document, problem, quote, index, iris)
    return graph.quads


def _source(graph: _Graph, document: ResolvedDocument) -> None:
    source = document.parsed.source
    iri = document.source_iri
    graph.link(iri, RDF + "type", CCHC + "SourceDocument")
    graph.link(iri, RDF + "type", PROV + "Entity")
    graph.add(iri, DCTERMS + "identifier", _text(source.name))
    graph.add(iri, RDFS + "label", _text(source.name))
    graph.add(iri, CCHC + "sha256", _text(source.sha256))
    graph.add(iri, CCHC + "layout", _text(document.parsed.layout))
    graph.add(iri, CCHC + "sourceFormat", _text(source.format))
    if source.reader:
        graph.add(iri, CCHC + "readWith", _text(source.reader))
    for note in source.notes:
        graph.add(iri, CCHC + "readingNote", _text(note))


def _action_document(graph: _Graph, document: ResolvedDocument, iris: Iris) -> None:
    header = document.parsed.header
    iri = document.iri
    kind = "Directive" if header.type == "directive" else "Plan"
    graph.link(iri, RDF + "type", CCHC + kind)
    graph.link(iri, RDF + "type", CCHC + "ActionDocument")
    graph.link(iri, PROV + "wasDerivedFrom", document.source_iri)
    graph.add(iri, CCHC + "sourceLine", _typed(header.span.line_start, "integer"))
    if graph.source is not None:
        graph.locate(iri, header.span.line_start, header.span.line_end)
    if header.title:
        graph.add(iri, DCTERMS + "title", _text(header.title, "vi"))
        graph.add(iri, RDFS + "label", _text(header.title, "vi"))
        graph.search_text(iri, header.title)
    if header.province:
        graph.link(iri, CCHC + "province", iris.province(header.province))
    elif document.national:
        graph.add(iri, CCHC + "jurisdiction", _text("national"))
    if header.period:
        graph.add(iri, CCHC + "periodStart", _typed(header.period[0], "gYear"))
        graph.add(iri, CCHC + "periodEnd", _typed(header.period[1], "gYear"))
    if header.signer:
        graph.add(iri, CCHC + "signer", _text(header.signer))
    if document.adopted_by is not None:
        graph.link(iri, CCHC + "adoptedBy", document.adopted_by.iri)
    adopted = header.adopted_by
    if adopted is not None and (header.type == "directive" or adopted.kind == "ke-hoach"):
        # a plan issued under its own number ("Kế hoạch số 144/KH-UBND"), a directive, a
        # dispatch: the document is itself a legal resource, not only adopted by one
        graph.link(iri, RDF + "type", ELI + "LegalResource")
        if adopted.number:
            graph.add(iri, ELI + "number", _text(adopted.number))
        if adopted.date:
            graph.add(iri, ELI + "date_document", _typed(adopted.date.isoformat(), "date"))
    if header.issuer is not None:
        graph.link(iri, DCTERMS + "publisher", document.agency(header.issuer).iri)


def _citation(
    graph: _Graph,
    document: ResolvedDocument,
    citation: Citation,
    instrument: Instrument,
    index: int,
    iris: Iris,
) -> None:
    node = iris.citation(document.parsed.source.stem, index)
    graph.link(node, RDF + "type", CCHC + "Citation")
    graph.link(node, CCHC + "citedInstrument", instrument.iri)
    graph.link(node, CCHC + "citedIn", document.iri)
    graph.add(node, CCHC + "citationRole", _text(citation.role))
    graph.provenance(node, document.source_iri, citation.span, citation.quote)


def _document_links(graph: _Graph, document: ResolvedDocument) -> None:
    """The document's links to the instruments it names (eli:cites, legal basis, implements),
    each once however often it cites them; the instruments are described in the registry."""
    links: dict[tuple[str, str, str], None] = {}
    for citation, instrument in document.citations:
        links[(document.iri, ELI + "cites", instrument.iri)] = None
        if citation.role in _ROLE_PROPERTY:
            links[(document.iri, _ROLE_PROPERTY[citation.role], instrument.iri)] = None
    for link in links:
        graph.link(*link)


def _instrument(graph: _Graph, instrument: Instrument, iris: Iris) -> None:
    iri = instrument.iri
    graph.link(iri, RDF + "type", CCHC + "LegalInstrument")
    graph.link(iri, RDF + "type", ELI + "LegalResource")
    graph.link(iri, CCHC + "instrumentKind", iris.instrument_kind(instrument.kind))
    label = instrument.number or instrument.title or instrument.kind
    graph.add(iri, RDFS + "label", _text(f"{instrument.kind_label} {label}".strip(), "vi"))
    if instrument.number:
        graph.add(iri, ELI + "number", _text(instrument.number))
    # the local identifier: where the instrument stands in this graph's scheme
    graph.add(iri, ELI + "id_local", _text(iri.split("/instrument/", 1)[-1]))
    if instrument.date:
        graph.add(iri, ELI + "date_document", _typed(instrument.date.isoformat(), "date"))
    if instrument.year:
        graph.add(iri, CCHC + "year", _typed(instrument.year, "gYear"))
    if instrument.title:
        graph.add(iri, DCTERMS + "title", _text(instrument.title, "vi"))
    if instrument.scope:
        graph.link(iri, CCHC + "province", iris.province(instrument.scope))
    if instrument.issuer_iri:
        graph.link(iri, ELI + "passed_by", instrument.issuer_iri)
    graph.search_text(iri, f"{instrument.kind_label} {label}", instrument.title or "")


def _task(graph: _Graph, document: ResolvedDocument, task: Task, iris: Iris) -> None:
    iri = iris.task(document.key, task.local_id)
    graph.link(iri, RDF + "type", CCHC + "Task")
    graph.link(iri, CCHC + "inDocument", document.iri)
    graph.add(iri, CCHC + "localId", _text(task.local_id))
    graph.add(iri, RDFS + "label", _text(f"{task.local_id}. {_short(task.description)}", "vi"))
    if task.description:
        graph.add(iri, DCTERMS + "description", _text(task.description, "vi"))
    if task.section is not None:
        graph.add(iri, CCHC + "sectionId", _text(task.section.id))
        if task.section.heading:
            graph.add(iri, CCHC + "sectionHeading", _text(task.section.heading, "vi"))
        if task.section.area:
            graph.link(iri, CCHC + "reformArea", iris.area(task.section.area))
    graph.search_text(iri, task.description)
    graph.provenance(iri, document.source_iri, task.span, task.quote)
    for index, deliverable in enumerate(task.deliverables, start=1):
        node = iris.deliverable(iri, index)
        graph.link(iri, CCHC + "hasDeliverable", node)
        graph.link(node, CCHC + "deliverableOf", iri)
        _deliverable(graph, document, node, deliverable, iris)


def _deliverable(
    graph: _Graph, document: ResolvedDocument, node: str, deliverable: Deliverable, iris: Iris
) -> None:
    graph.link(node, RDF + "type", CCHC + "Deliverable")
    if deliverable.product:
        graph.add(node, CCHC + "product", _text(deliverable.product, "vi"))
        graph.add(node, RDFS + "label", _text(_short(deliverable.product), "vi"))
        graph.search_text(node, deliverable.product)
    deadline = deliverable.deadline
    if deadline is not None:
        graph.add(node, CCHC + "deadlineText", _text(deadline.text, "vi"))
        if deadline.kind is not None:
            graph.link(node, CCHC + "deadlineKind", iris.deadline_kind(deadline.kind.value))
        if deadline.due:
            graph.add(node, CCHC + "dueDate", _date(deadline.due))
        if deadline.start:
            graph.add(node, CCHC + "startDate", _date(deadline.start))
    if deliverable.assignment_text:
        graph.add(node, CCHC + "assignmentText", _text(deliverable.assignment_text, "vi"))
    if deliverable.assignment.requested:
        graph.add(node, CCHC + "requested", _typed("true", "boolean"))
    roles = (
        ("leadAgency", deliverable.assignment.lead),
        ("cooperatingAgency", deliverable.assignment.cooperating),
        ("participantAgency", deliverable.assignment.participants),
    )
    for prop, mentions in roles:
        # two spellings in one cell can name one agency: link it once
        for iri in dict.fromkeys(document.agency(m).iri for m in mentions):
            graph.link(node, CCHC + prop, iri)
    if deliverable.budget is not None:
        graph.add(node, CCHC + "budget", _typed(deliverable.budget, "decimal"))
    graph.provenance(node, document.source_iri, deliverable.span, deliverable.quote)


def _target(
    graph: _Graph, document: ResolvedDocument, target: Target, index: int, iris: Iris
) -> None:
    iri = iris.target(document.key, index)
    graph.link(iri, RDF + "type", CCHC + "Target")
    graph.link(iri, CCHC + "inDocument", document.iri)
    if target.indicator:
        graph.link(iri, CCHC + "indicator", iris.indicator(target.indicator))
    graph.add(iri, CCHC + "comparator", _text(target.comparator))
    graph.add(iri, CCHC + "targetValue", _typed(_decimal(target.value), "decimal"))
    if target.max_value is not None:
        graph.add(iri, CCHC + "targetValueMax", _typed(_decimal(target.max_value), "decimal"))
    graph.add(iri, CCHC + "unit", _text(target.unit))
    if target.year:
        graph.add(iri, CCHC + "targetYear", _typed(target.year, "gYear"))
    graph.add(iri, CCHC + "scope", _text(target.scope, "vi"))
    for agency_iri in dict.fromkeys(document.agency(m).iri for m in target.responsible):
        graph.link(iri, CCHC + "responsibleAgency", agency_iri)
    label = f"{target.comparator} {_decimal(target.value)}{target.unit}"
    graph.add(iri, RDFS + "label", _text(label + (f" ({target.year})" if target.year else "")))
    graph.provenance(iri, document.source_iri, target.span, target.quote)


def _agency(graph: _Graph, agency: Agency, iris: Iris) -> None:
    iri = agency.iri
    kind = "NationalBody" if agency.national else "AgencyGroup" if agency.is_group else "Agency"
    graph.link(iri, RDF + "type", CCHC + kind)
    graph.link(iri, RDF + "type", ORG + "Organization")
    graph.link(iri, ORG + "classification", iris.agency_type(agency.type_slug))
    graph.link(iri, CCHC + "agencyType", iris.agency_type(agency.type_slug))
    graph.add(iri, SKOS + "prefLabel", _text(agency.label_vi, "vi"))
    graph.add(iri, SKOS + "prefLabel", _text(agency.label_en, "en"))
    graph.add(iri, RDFS + "label", _text(agency.label_vi, "vi"))
    for spelling in sorted(agency.spellings):
        if spelling != agency.label_vi:
            graph.add(iri, SKOS + "altLabel", _text(spelling, "vi"))
    if agency.province:
        graph.link(iri, CCHC + "province", iris.province(agency.province))
    graph.search_text(iri, agency.label_vi, agency.label_en, *sorted(agency.spellings))
    graph.add(iri, CCHC + "jurisdiction", _text("national" if agency.national else "provincial"))


def _finding(
    graph: _Graph,
    document: ResolvedDocument,
    problem: Problem,
    quote: str,
    index: int,
    iris: Iris,
) -> None:
    node = iris.finding(document.parsed.source.stem, index)
    graph.link(document.source_iri, CCHC + "hasFinding", node)
    graph.link(node, RDF + "type", CCHC + "Finding")
    graph.add(node, CCHC + "findingKind", _text(problem.kind))
    graph.add(node, CCHC + "severity", _text(problem.severity.value))
    graph.add(node, RDFS + "comment", _text(problem.message))
    graph.provenance(node, document.source_iri, problem.span, quote)


def vocabulary_quads(
    ontology: Iterable[ox.Quad], schemes: Iterable[ox.Quad], lexicon: Lexicon, iris: Iris
) -> Iterator[ox.Quad]:
    """The ontology graph, the vocabulary graph (the schemes) and the province nodes."""
    ontology_graph = ox.NamedNode(iris.graph("ontology"))
    for quad in ontology:
        yield ox.Quad(quad.subject, quad.predicate, quad.object, ontology_graph)
    vocabulary = _Graph(iris.graph("vocabularies"))
    labels: dict[str, list[str]] = {}
    for quad in schemes:
        vocabulary.quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, vocabulary.name))
        if (
            quad.predicate.value in _LABELS
            and isinstance(quad.subject, ox.NamedNode)
            and isinstance(quad.object, ox.Literal)
        ):
            labels.setdefault(quad.subject.value, []).append(quad.object.value)
    for concept, texts in labels.items():
        vocabulary.search_text(concept, *texts)
    for province in lexicon.provinces.values():
        iri = iris.province(province.slug)
        vocabulary.link(iri, RDF + "type", CCHC + "Province")
        vocabulary.add(iri, SKOS + "prefLabel", _text(f"Tỉnh {province.label}", "vi"))
        vocabulary.add(iri, SKOS + "prefLabel", _text(f"{province.label} province", "en"))
        vocabulary.add(iri, RDFS + "label", _text(province.label, "vi"))
        vocabulary.search_text(iri, f"Tỉnh {province.label}", province.label)
    yield from vocabulary.quads


def _line(lines: list[str], number: int) -> str:
    return squash(lines[number - 1]) if 0 < number <= len(lines) else ""


def _date(value: date) -> ox.Literal:
    return _typed(value.isoformat(), "date")


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link_quads(links: list[Continuation], iris: Iris) -> list[ox.Quad]:
    """The cross-document links, in their own graph: cchc:continues and its score."""
    graph = _Graph(iris.graph("links"))
    for link in links:
        (later_doc, later), (earlier_doc, earlier) = link.later, link.earlier
        later_iri = iris.task(later_doc.key, later.local_id)
        earlier_iri = iris.task(earlier_doc.key, earlier.local_id)
        graph.link(later_iri, CCHC + "continues", earlier_iri)
        node = iris.continuation(later_iri, earlier_doc.key)
        graph.link(node, RDF + "type", CCHC + "Continuation")
        graph.link(node, CCHC + "laterTask", later_iri)
        graph.link(node, CCHC + "earlierTask", earlier_iri)
        graph.add(node, CCHC + "similarity", _typed(link.score, "decimal"))
    return graph.quads
