"""build: data/sources/ -> a new build of data/build/ (cchc.trig, cchc.nq, report.json), made
current only when it read, resolved, passed the integrity shapes and was written in full.

A file that cannot be read yet and a document that repeats an earlier one are left out and named
in the report; everything else that fails stops the build and leaves the previous graph current.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from cchc_graph import builds
from cchc_graph.builds import OUTPUTS, READINGS
from cchc_graph.errors import EXIT_VIOLATIONS, BuildError, CchcError, SourceError
from cchc_graph.ingest.sources import Unread, discover, not_read, read_source
from cchc_graph.iris import UNKNOWN_SCOPE, Iris, number_slug
from cchc_graph.lexicon import Lexicon
from cchc_graph.lineage import change_quads
from cchc_graph.link import Continuation, link_tasks
from cchc_graph.namespaces import PREFIXES
from cchc_graph.parse import parse_document
from cchc_graph.rdf import corpus_quads, link_quads, vocabulary_quads
from cchc_graph.records import ParsedDocument, SourceFile
from cchc_graph.resolve import ResolvedCorpus, ResolvedDocument, resolve_corpus
from cchc_graph.resources import load_lexicon, ontology_quads, scheme_quads
from cchc_graph.settings import Settings
from cchc_graph.validate import Finding, Level, load_shapes, shape_files, union_store, validate

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class ProblemSummary:
    """One finding, as the build report lists it."""

    kind: str
    severity: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What the build took from one source file."""

    file: str
    layout: str
    iri: str
    title: str | None
    tasks: int
    deliverables: int
    targets: int
    citations: int
    instruments: int
    agencies: int
    problems: list[ProblemSummary] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A source left out of the graph: it would restate IRIs of an earlier source."""

    file: str
    duplicate_of: str
    iris: list[str]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """The result of a build: per-document summaries, totals, what was left out and where the
    files went (`out_dir` the build folder, `build` this build's own folder in it)."""

    documents: list[DocumentSummary]
    triples: int
    continuations: int
    agencies: int
    instruments: int
    seconds: float
    out_dir: str
    unread: list[Unread] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    build: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


class ViolationsError(CchcError):
    """The new graph breaks integrity shapes (sh:Violation): it is not made current."""

    exit_code = EXIT_VIOLATIONS
    SHOWN = 5

    def __init__(self, violations: list[Finding]) -> None:
        self.violations = violations
        count = len(violations)
        lines = [
            f"the new graph has {count} integrity violation{'s' if count > 1 else ''}; "
            "it was not published, the previous graph stays current:",
            *(f"  {_violation(f)}" for f in violations[: self.SHOWN]),
        ]
        if count > self.SHOWN:
            lines.append(f"  ... and {count - self.SHOWN} more")
        super().__init__("\n".join(lines))


def _violation(finding: Finding) -> str:
    where = finding.document or "(no source)"
    if finding.line:
        where += f":{finding.line}"
    item = f"{finding.item} " if finding.item else ""
    return f"{where}: {item}<{finding.focus}>: {finding.message_en or finding.shape_label_en}"


@dataclass(frozen=True, slots=True)
class Sources:
    """The documents of a sources folder, parsed, and the files that were not read."""

    parsed: list[ParsedDocument]
    unread: list[Unread]


def read_sources(
    sources_dir: Path, progress: Progress | None = None, settings: Settings | None = None
) -> Sources:
    """Parse every document of `sources_dir` that has a reader; name the others with the reason.

    A document with a reader that fails (bad text, unknown layout) stops the build.
    """
    paths = discover(sources_dir)
    if not paths:
        raise SourceError(sources_dir, 0, "no source documents in the folder")
    unread = [u for u in map(not_read, paths) if u is not None]
    left_out = {u.file for u in unread}
    readable = [p for p in paths if p.name not in left_out]
    if not readable:
        named = "; ".join(f"{u.file}: {u.reason}" for u in unread)
        raise SourceError(sources_dir, 0, f"no document in the folder can be read ({named})")
    return Sources(_parse_paths(readable, progress, settings or Settings()), unread)


def parse_sources(
    sources_dir: Path, progress: Progress | None = None, settings: Settings | None = None
) -> list[ParsedDocument]:
    """The parsed documents of `read_sources` (files without a reader are not among them)."""
    return read_sources(sources_dir, progress, settings).parsed


def _parse_paths(
    paths: list[Path], progress: Progress | None, settings: Settings
) -> list[ParsedDocument]:
    """Read and parse `paths`; the first unreadable one stops the build.

    Large folders are parsed by a pool of worker processes (one per core); results keep the
    file order, so the graph is the same either way.
    """
    workers = min(os.cpu_count() or 1, 4)
    parsed: list[ParsedDocument] = []
    if len(paths) >= PARALLEL_FROM and workers > 1:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(settings,)) as pool:
            results = pool.map(_parse_path, paths, chunksize=8)
            for index, (path, document) in enumerate(zip(paths, results, strict=True), start=1):
                parsed.append(document)
                if progress:
                    progress(index, len(paths), path.name)
        return parsed
    _init_worker(settings)
    for index, path in enumerate(paths, start=1):
        parsed.append(_parse_path(path))
        if progress:
            progress(index, len(paths), path.name)
    return parsed


PARALLEL_FROM = 24  # below this, starting worker processes costs more than it saves
_WORKER_SETTINGS: list[Settings] = []


def _init_worker(settings: Settings) -> None:
    _WORKER_SETTINGS[:] = [settings]


def _parse_path(path: Path) -> ParsedDocument:
    return parse_document(read_source(path), load_lexicon(_WORKER_SETTINGS[0]))


@dataclass(slots=True)
class Assembly:
    """A resolved corpus, its cross-year links and its quads, before anything is written."""

    corpus: ResolvedCorpus
    links: list[Continuation]
    quads: list[ox.Quad]


def assemble(parsed: list[ParsedDocument], settings: Settings) -> Assembly:
    """Resolve and link parsed documents together and generate every quad of the graph."""
    lexicon = load_lexicon(settings)
    iris = Iris(settings.base_iri)
    return _assembly(resolve_corpus(parsed, lexicon, iris), settings, lexicon, iris)


def assemble_unique(
    parsed: list[ParsedDocument], settings: Settings
) -> tuple[Assembly, list[Duplicate]]:
    """`assemble` with every document that repeats an earlier one left out (and listed)."""
    lexicon = load_lexicon(settings)
    iris = Iris(settings.base_iri)
    corpus = resolve_corpus(parsed, lexicon, iris)
    duplicates = find_duplicates(corpus, iris)
    if duplicates:
        # resolved again without them, so that nothing only they name (an agency, an
        # instrument) is left in the graph
        left_out = {d.file for d in duplicates}
        kept = [p for p in parsed if p.source.name not in left_out]
        corpus = resolve_corpus(kept, lexicon, iris)
    return _assembly(corpus, settings, lexicon, iris), duplicates


def _assembly(corpus: ResolvedCorpus, settings: Settings, lexicon: Lexicon, iris: Iris) -> Assembly:
    _attach_corpus_problems(corpus)
    links = link_tasks(corpus)
    # first: the change events add to the registry the agencies and instruments they need
    changes = change_quads(corpus, lexicon, iris)
    generated = [
        *vocabulary_quads(
            ontology_quads(settings.ontology_dir), scheme_quads(settings), lexicon, iris
        ),
        *corpus_quads(corpus, iris),
        *link_quads(links, iris),
        *changes,
    ]
    return Assembly(corpus, links, generated)


def find_duplicates(corpus: ResolvedCorpus, iris: Iris) -> list[Duplicate]:
    """Documents that would restate an IRI of an earlier document (file order), with the
    earlier one's IRIs they share; the first of each is the one kept."""
    owners: dict[str, tuple[str, str]] = {}  # claimed IRI -> (file, that IRI in the graph)
    found: list[Duplicate] = []
    for document in corpus.documents:
        name = document.parsed.source.name
        claims = _claims(document, iris)
        shared = [owners[claim] for claim in claims if claim in owners]
        if shared:
            found.append(Duplicate(name, shared[0][0], sorted({iri for _, iri in shared})))
            continue
        for claim, iri in claims.items():
            owners.setdefault(claim, (name, iri))
    return found


def _claims(document: ResolvedDocument, iris: Iris) -> dict[str, str]:
    """The IRIs a document mints, each mapped to the IRI it stands for in the graph."""
    parsed = document.parsed
    own = [
        document.iri,
        document.source_iri,
        *(iris.task(document.key, t.local_id) for t in parsed.tasks),
        *(iris.target(document.key, n) for n in range(1, len(parsed.targets) + 1)),
    ]
    claims = {iri: iri for iri in own}
    # the same bytes under another name: a document without a number has an IRI made of its
    # file name, so only its content shows that it is the same document
    claims[f"sha256:{parsed.source.sha256}"] = document.iri
    header = parsed.header
    number = header.adopted_by.number if header.adopted_by else None
    if header.type != "directive" and number:
        # a second plan of the same province and period gets a variant IRI made of its own
        # number (resolve): a plan that has that number already is the same plan
        period = header.period or (0, 0)
        variant = iris.plan(header.province or UNKNOWN_SCOPE, period, number_slug(number))
        claims.setdefault(variant, document.iri)
    return claims


def gate(graph: ox.Store, settings: Settings) -> None:
    """Raise ViolationsError when `graph` (all statements in its default graph) breaks a shape
    of severity sh:Violation."""
    shapes = violation_shapes(settings.shapes_dir)
    if not len(shapes):
        return
    violations = validate(graph, shapes, settings.shacl_engine).at_least(Level.VIOLATION)
    if violations:
        raise ViolationsError(violations)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def violation_shapes(shapes_dir: Path) -> rdflib.Graph:
    """The shapes files of `shapes_dir` that can report an sh:Violation: the completeness
    shapes (sh:Warning, sh:Info) cannot fail a build, and validating them doubles its cost."""
    kept = rdflib.Graph()
    for path in shape_files(shapes_dir):
        shapes = load_shapes([path])
        if _can_violate(shapes):
            kept += shapes
    return kept


def _can_violate(shapes: rdflib.Graph) -> bool:
    # a shape reports with its own sh:severity, sh:Violation when it has none; a shape that only
    # takes part in another (sh:or, sh:node) reports nothing, and counting it errs on the safe side
    reporting = {s for target in _TARGETS for s in shapes.subjects(target, None)}
    reporting |= set(shapes.objects(None, SH.property))
    reporting |= set(shapes.subjects(RDF.type, SH.NodeShape))
    quiet = (SH.Warning, SH.Info)
    return any(shapes.value(shape, SH.severity) not in quiet for shape in reporting)


def build(
    settings: Settings | None = None,
    sources_dir: Path | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    notice: builds.Notice | None = None,
) -> BuildReport:
    """Build the graph from the sources as a new build of `out_dir` (defaults from Settings)
    and make it current; `notice` hears when the build waits for another one."""
    settings = settings or Settings()
    sources_dir = sources_dir or settings.sources_dir
    out_dir = out_dir or settings.build_dir
    with builds.exclusive(out_dir, notice):
        started = time.perf_counter()
        sources = read_sources(sources_dir, progress, settings)
        assembly, duplicates = assemble_unique(sources.parsed, settings)
        build_id = builds.new_id()
        report = BuildReport(
            [_summary(d) for d in assembly.corpus.documents],
            len(assembly.quads),
            len(assembly.links),
            len(assembly.corpus.agencies),
            len(assembly.corpus.instruments),
            0.0,
            str(out_dir),
            sources.unread,
            duplicates,
            str(out_dir / builds.BUILDS / build_id),
        )
        readings = {
            d.source.name: reading_json(d.source) for d in sources.parsed if d.source.locations
        }
        staging = _Staging(assembly.quads, report, settings, started, readings)
        # from here on only the quads are needed: the parsed and resolved documents can go
        # before validation, the step that takes the most memory
        del sources, assembly
        builds.publish(out_dir, build_id, staging.write)
    return staging.report


@dataclass(slots=True)
class _Staging:
    """Writes a build into its staging folder and validates it there; the report goes last,
    with the time the whole build took."""

    quads: list[ox.Quad]
    report: BuildReport
    settings: Settings
    started: float
    readings: dict[str, str]  # the text read from each source of another format, as JSON

    def write(self, folder: Path) -> None:
        if self.readings:
            (folder / READINGS).mkdir()
            for name, reading in self.readings.items():
                _write_file(folder / READINGS / f"{name}.json", reading)
        graph = union_store(self.quads)
        repeated = len(set(self.quads)) - len(graph)
        if repeated:
            # the union of the named graphs is read as a bag: a statement in two graphs comes
            # back twice from every query (see rdf.py: shared nodes live in the registry)
            raise BuildError(
                f"{repeated} statements are stated in more than one graph of the new build: "
                "a bug of the build, which was not published"
            )
        _write_graph(self.quads, folder, self.settings)
        self.quads = []  # they are in the store and the files now
        gate(graph, self.settings)
        seconds = round(time.perf_counter() - self.started, 3)
        self.report = replace(self.report, seconds=seconds)
        _write_file(folder / OUTPUTS[2], self.report.to_json())


def reading_json(source: SourceFile) -> str:
    """A document of another format as read: its lines, where each stands in the file, and
    how it was read; the source view shows it beside the original."""
    lines = source.text.split("\n")
    return json.dumps(
        {
            "file": source.name,
            "format": source.format,
            "reader": source.reader,
            "notes": list(source.notes),
            "lines": lines,
            "locations": {
                language: [
                    location.describe(language) if location else "" for location in source.locations
                ]
                for language in ("vi", "en")
            },
            "pages": [location.page if location else None for location in source.locations],
            "confidence": list(source.confidence),
        },
        ensure_ascii=False,
    )


def _attach_corpus_problems(corpus: ResolvedCorpus) -> None:
    by_source = {d.parsed.source.name: d for d in corpus.documents}
    for problem in corpus.problems:
        if problem.span.source in by_source:
            by_source[problem.span.source].problems.append(problem)


def _summary(document: ResolvedDocument) -> DocumentSummary:
    parsed = document.parsed
    problems = [
        ProblemSummary(p.kind, p.severity.value, p.span.line_start, p.message)
        for p in [*parsed.problems, *document.problems]
    ]
    return DocumentSummary(
        parsed.source.name,
        parsed.layout,
        document.iri,
        parsed.header.title,
        len(parsed.tasks),
        sum(len(t.deliverables) for t in parsed.tasks),
        len(parsed.targets),
        len(parsed.citations),
        len({i.iri for _, i in document.citations}),
        len({a.iri for a in document.agencies.values()}),
        problems,
    )


def _write_graph(quads: list[ox.Quad], folder: Path, settings: Settings) -> None:
    prefixes = {**PREFIXES, "id": settings.base_iri}
    try:
        ox.serialize(quads, folder / OUTPUTS[0], ox.RdfFormat.TRIG, prefixes=prefixes)
        ox.serialize(quads, folder / OUTPUTS[1], ox.RdfFormat.N_QUADS)
    except (OSError, ValueError) as exc:
        raise BuildError(f"could not write the graph to {folder}: {exc}") from exc


def _write_file(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"could not write {path}: {exc}") from exc


__all__ = [
    "Assembly",
    "BuildReport",
    "CchcError",
    "DocumentSummary",
    "Duplicate",
    "Sources",
    "ViolationsError",
    "assemble",
    "assemble_unique",
    "build",
    "find_duplicates",
    "gate",
    "parse_sources",
    "read_sources",
]
