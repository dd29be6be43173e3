"""validate: an RDF graph + shapes/*.ttl -> ValidationReport of Findings, each placed in its
source document with the task id, the source line and the quote.

Two SHACL engines give the same report on our shapes (tests/test_validate.py checks it):
pyshacl-turbo (default, native, reads the pyoxigraph store directly) and pySHACL (the reference,
pure Python). No RDFS/OWL-RL inference runs first: the build writes every rdf:type the shapes
target (cchc:Plan and cchc:ActionDocument both), and types inferred from domains and ranges would
let a node that lacks its type pass a shape it should fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from cchc_graph.errors import CchcError
from cchc_graph.namespaces import CCHC, DCTERMS, PROV

ENGINES = ("turbo", "pyshacl")
ENGINE_NAMES = {"turbo": "pyshacl-turbo", "pyshacl": "pySHACL"}
RDF_FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


class ShapesError(CchcError):
    """The shapes files cannot be read."""

    exit_code = 2


class DataError(CchcError):
    """The data to validate cannot be read."""

    exit_code = 2


class Level(IntEnum):
    """SHACL severities, ordered so that a threshold can filter them."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @classmethod
    def of(cls, severity: str) -> Level:
        """The level of an sh:resultSeverity IRI (sh:Violation when it is anything else)."""
        name = severity.rsplit("#", 1)[-1]
        return {"Info": cls.INFO, "Warning": cls.WARNING}.get(name, cls.VIOLATION)

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Finding:
    """One SHACL result, with what a reader needs to find it in the source."""

    level: Level
    focus: str
    path: str | None
    value: str | None
    message_vi: str
    message_en: str
    shape: str
    shape_label_vi: str
    shape_label_en: str
    value_is_literal: bool = False
    document: str | None = None  # source file name
    item: str | None = None  # "II.1", "II.1/d2"
    line: int | None = None
    quote: str | None = None
    place: str | None = None  # where it stands in a source file of another format than text

    @property
    def shape_name(self) -> str:
        return self.shape.rsplit("#", 1)[-1]


@dataclass(slots=True)
class ValidationReport:
    """All findings of one run, the engine that produced them and its time."""

    findings: list[Finding]
    engine: str
    seconds: float
    triples: int
    documents: dict[str, str] = field(default_factory=dict)  # file name -> document title
    results: rdflib.Graph = field(default_factory=rdflib.Graph, repr=False)

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (warnings and infos never fail)."""
        return not any(f.level is Level.VIOLATION for f in self.findings)

    def count(self, level: Level) -> int:
        return sum(1 for f in self.findings if f.level is level)

    def at_least(self, level: Level) -> list[Finding]:
        return [f for f in self.findings if f.level >= level]


def shape_files(shapes_dir: Path) -> list[Path]:
    """Every shapes file of a folder, sorted by name."""
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise ShapesError(f"{shapes_dir}: no shapes files (*.ttl)")
    return files


def load_shapes(paths: Iterable[Path]) -> rdflib.Graph:
    """One shapes graph from the given Turtle files."""
    graph = rdflib.Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except (OSError, SyntaxError, ValueError) as exc:
            raise ShapesError(f"{path}: {exc}") from exc
    return graph


def load_data(path: Path) -> ox.Store:
    """Every triple of an RDF file, named graphs merged, in an in-memory store; a file with no
    statement is a DataError."""
    rdf_format = RDF_FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        known = ", ".join(RDF_FORMATS)
        raise DataError(f"{path}: unknown RDF format (the file name should end in {known})")
    try:
        store = union_store(ox.parse(path=path, format=rdf_format))
    except (OSError, SyntaxError, ValueError) as exc:
        raise DataError(f"{path}: {exc}") from exc
    if not len(store):
        # an empty graph conforms to every shape: that says nothing about the data
        raise DataError(f"{path}: no statements in the file (an empty graph): nothing to validate")
    return store


def union_store(quads: Iterable[ox.Quad | ox.Triple]) -> ox.Store:
    """The union of all graphs as the default graph of a new store: shapes see every graph."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return store


def validate(data: ox.Store, shapes: rdflib.Graph, engine: str = "turbo") -> ValidationReport:
    """Validate `data` against `shapes` with the chosen engine; findings come placed."""
    started = time.perf_counter()
    if engine == "turbo":
        import pyshacl_turbo

        _, results, _ = pyshacl_turbo.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
    elif engine == "pyshacl":
        import pyshacl

        graph = rdflib.Graph()
        graph.parse(data=ox.serialize(data, format=ox.RdfFormat.N_TRIPLES), format="nt")
        _, results, _ = pyshacl.validate(
            graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
    else:
        raise CchcError(f"unknown SHACL engine {engine!r}: use one of {', '.join(ENGINES)}")
    findings = sorted(_placed(_findings(results, shapes), data), key=_order)
    return ValidationReport(
        findings,
        ENGINE_NAMES[engine],
        time.perf_counter() - started,
        len(data),
        _titles(data),
        results,
    )


def _order(finding: Finding) -> tuple[str, int, int, str, str]:
    return (
        finding.document or "~",  # graph-wide findings last
        -finding.level,
        finding.line or 0,
        finding.shape,
        finding.focus,
    )


def _findings(results: rdflib.Graph, shapes: rdflib.Graph) -> Iterator[Finding]:
    # both engines drop the language tag of a SPARQL constraint's message (it is a template):
    # the shapes graph still knows which language each message text is in
    languages = {
        str(m): m.language
        for m in shapes.objects(None, SH.message)
        if isinstance(m, rdflib.Literal) and m.language
    }
    for result in results.subjects(RDF.type, SH.ValidationResult):
        messages = _by_language(results.objects(result, SH.resultMessage), languages)
        shape = _node_shape(shapes, results.value(result, SH.sourceShape))
        labels = _by_language(shapes.objects(shape, RDFS.label)) if shape is not None else {}
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        name = str(shape).rsplit("#", 1)[-1]
        yield Finding(
            Level.of(str(results.value(result, SH.resultSeverity))),
            str(results.value(result, SH.focusNode)),
            _path(results, path),
            str(value) if value is not None else None,
            messages.get("vi") or messages.get("", ""),
            messages.get("en") or messages.get("", ""),
            str(shape),
            labels.get("vi", name),
            labels.get("en", name),
            isinstance(value, rdflib.Literal),
        )


def _path(results: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    """A result path as text: the IRI, or "^IRI" for an inverse path."""
    if isinstance(path, rdflib.URIRef):
        return str(path)
    inverse = results.value(path, SH.inversePath) if path is not None else None
    return f"^{inverse}" if isinstance(inverse, rdflib.URIRef) else None


def _by_language(
    literals: Iterable[rdflib.term.Node], languages: dict[str, str] | None = None
) -> dict[str, str]:
    found: dict[str, str] = {}
    for literal in literals:
        if isinstance(literal, rdflib.Literal):
            language = literal.language or (languages or {}).get(str(literal), "")
            found.setdefault(language, str(literal))
    return found


def _node_shape(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> rdflib.term.Node | None:
    """The named shape a result comes from, climbing from an anonymous property or sh:or member."""
    for _ in range(6):
        if not isinstance(shape, rdflib.BNode):
            break
        owner = next(shapes.subjects(SH.property, shape), None) or next(
            shapes.subjects(SH.sparql, shape), None
        )
        if owner is None:
            owner = _list_owner(shapes, shape)
        if owner is None:
            break
        shape = owner
    return shape


def _list_owner(shapes: rdflib.Graph, member: rdflib.term.Node) -> rdflib.term.Node | None:
    cell = next(shapes.subjects(RDF.first, member), None)
    while cell is not None:
        previous = next(shapes.subjects(RDF.rest, cell), None)
        if previous is None:
            return next(shapes.subjects(SH["or"], cell), None)
        cell = previous
    return None


@dataclass(frozen=True, slots=True)
class _Place:
    file: str
    line: int | None
    quote: str | None
    item: str | None
    place: str | None = None


def _placed(findings: Iterable[Finding], data: ox.Store) -> Iterator[Finding]:
    """Each finding in the document it is about, with item, line and quote.

    A finding on an instrument or an agency is repeated in every document that names it, at the
    first mention there: each plan author sees what their own text lacks. When the value is a node
    with its own line (a truncation finding), that line is the one shown.
    """
    findings = list(findings)
    nodes = {f.focus for f in findings} | {
        f.value for f in findings if f.value and not f.value_is_literal
    }
    places = _places(data, nodes)
    for finding in findings:
        value_places = places.get(finding.value or "", [])
        focus_places = places.get(finding.focus, [])
        chosen = value_places or focus_places
        if not chosen:
            yield finding
            continue
        for place in chosen:
            item = place.item if chosen is focus_places else _first_item(focus_places)
            yield replace(
                finding,
                document=place.file,
                item=item,
                line=place.line,
                quote=place.quote,
                place=place.place,
            )


def _first_item(places: list[_Place]) -> str | None:
    return places[0].item if places else None


def _places(data: ox.Store, nodes: set[str]) -> dict[str, list[_Place]]:
    """Where each node is in the sources, by direct lookups in the store's indexes (a SPARQL
    query per node, or one with all of them in VALUES, costs seconds on a large graph)."""
    graph = _Lookup(data)
    found: dict[str, list[_Place]] = {}
    for node in sorted(n for n in nodes if n.startswith(("http://", "https://", "urn:"))):
        subject = ox.NamedNode(node)
        file = graph.file_of(subject)
        if file is not None:
            local_id = graph.value(subject, _LOCAL_ID)
            task = graph.node(subject, _DELIVERABLE_OF)
            task_id = graph.value(task, _LOCAL_ID) if task is not None else None
            item = local_id or (f"{task_id}/{node.rsplit('/', 1)[-1]}" if task_id else None)
            line = graph.value(subject, _SOURCE_LINE)
            place = _Place(
                file,
                int(line) if line else None,
                graph.value(subject, _QUOTE),
                item,
                graph.english(subject, _SOURCE_LOCATION),
            )
            found[node] = [place]
            continue
        # an instrument or an agency: every document that names it, at its first mention there
        first: dict[str, _Place] = {}
        for predicate in _MENTIONS:
            for quad in data.quads_for_pattern(None, predicate, subject):
                mention = quad.subject
                if isinstance(mention, ox.Triple):
                    continue
                file = graph.file_of(mention)
                line = graph.value(mention, _SOURCE_LINE)
                if file is None or line is None:
                    continue
                known = first.get(file)
                if known is None or int(line) < (known.line or 0):
                    first[file] = _Place(file, int(line), graph.value(mention, _QUOTE), None)
        if first:
            found[node] = [first[file] for file in sorted(first)]
    return found


_TYPE = ox.NamedNode(str(RDF.type))
_ACTION_DOCUMENT = ox.NamedNode(CCHC + "ActionDocument")
_TITLE = ox.NamedNode(DCTERMS + "title")
_LOCAL_ID = ox.NamedNode(CCHC + "localId")
_DELIVERABLE_OF = ox.NamedNode(CCHC + "deliverableOf")
_SOURCE_LINE = ox.NamedNode(CCHC + "sourceLine")
_SOURCE_LOCATION = ox.NamedNode(CCHC + "sourceLocation")
_QUOTE = ox.NamedNode(CCHC + "sourceText")
_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
_IDENTIFIER = ox.NamedNode(DCTERMS + "identifier")
_MENTIONS = tuple(
    ox.NamedNode(iri)
    for iri in (
        CCHC + "citedInstrument",
        CCHC + "leadAgency",
        CCHC + "cooperatingAgency",
        CCHC + "participantAgency",
        DCTERMS + "publisher",
    )
)


class _Lookup:
    """First values of a subject's properties, and the source file of a node (cached)."""

    def __init__(self, data: ox.Store) -> None:
        self.data = data
        self.files: dict[ox.NamedNode, str | None] = {}

    def node(
        self, subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode
    ) -> ox.NamedNode | None:
        for quad in self.data.quads_for_pattern(subject, predicate, None):
            if isinstance(quad.object, ox.NamedNode):
                return quad.object
        return None

    def value(self, subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode) -> str | None:
        for quad in self.data.quads_for_pattern(subject, predicate, None):
            return None if isinstance(quad.object, ox.Triple) else quad.object.value
        return None

    def english(self, subject: ox.NamedNode, predicate: ox.NamedNode) -> str | None:
        for quad in self.data.quads_for_pattern(subject, predicate, None):
            if isinstance(quad.object, ox.Literal) and quad.object.language == "en":
                return quad.object.value
        return None

    def file_of(self, subject: ox.NamedNode | ox.BlankNode) -> str | None:
        source = self.node(subject, _DERIVED_FROM)
        if source is None:
            return None
        if source not in self.files:
            self.files[source] = self.value(source, _IDENTIFIER)
        return self.files[source]


def _titles(data: ox.Store) -> dict[str, str]:
    """Source file name -> the title of the document read from it."""
    graph = _Lookup(data)
    titles = {}
    for quad in data.quads_for_pattern(None, _TYPE, _ACTION_DOCUMENT):
        document = quad.subject
        if isinstance(document, ox.Triple):
            continue
        file = graph.file_of(document)
        if file is not None:
            titles[file] = graph.value(document, _TITLE) or ""
    return titles
