"""build: data/sources/ -> data/build/cchc.trig + cchc.nq + report.json, written aside and swapped
in only when everything succeeded (a failed build leaves the previous graph untouched).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from cchc_graph.errors import BuildError, CchcError, SourceError
from cchc_graph.ingest.sources import discover, read_source
from cchc_graph.iris import Iris
from cchc_graph.link import Continuation, link_tasks
from cchc_graph.namespaces import PREFIXES
from cchc_graph.parse import parse_document
from cchc_graph.rdf import corpus_quads, link_quads, vocabulary_quads
from cchc_graph.records import ParsedDocument
from cchc_graph.resolve import ResolvedCorpus, ResolvedDocument, resolve_corpus
from cchc_graph.resources import load_lexicon, ontology_quads, scheme_quads
from cchc_graph.settings import Settings

OUTPUTS = ("cchc.trig", "cchc.nq", "report.json")
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
class BuildReport:
    """The result of a build: per-document summaries, totals and where the files went."""

    documents: list[DocumentSummary]
    triples: int
    continuations: int
    agencies: int
    instruments: int
    seconds: float
    out_dir: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def parse_sources(
    sources_dir: Path, progress: Progress | None = None, settings: Settings | None = None
) -> list[ParsedDocument]:
    """Read and parse every document of `sources_dir`; the first unreadable one stops the build.

    Large folders are parsed by a pool of worker processes (one per core); results keep the
    file order, so the graph is the same either way.
    """
    settings = settings or Settings()
    paths = discover(sources_dir)
    if not paths:
        raise SourceError(sources_dir, 0, "no source documents (*.txt) in the folder")
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
    corpus = resolve_corpus(parsed, lexicon, iris)
    _attach_corpus_problems(corpus)
    links = link_tasks(corpus)
    generated = [
        *vocabulary_quads(
            ontology_quads(settings.ontology_dir), scheme_quads(settings), lexicon, iris
        ),
        *corpus_quads(corpus, iris),
        *link_quads(links, iris),
    ]
    return Assembly(corpus, links, generated)


def build(
    settings: Settings | None = None,
    sources_dir: Path | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the graph from the sources into `out_dir` (defaults from Settings)."""
    settings = settings or Settings()
    sources_dir = sources_dir or settings.sources_dir
    out_dir = out_dir or settings.build_dir
    started = time.perf_counter()
    assembly = assemble(parse_sources(sources_dir, progress, settings), settings)
    report = BuildReport(
        [_summary(d) for d in assembly.corpus.documents],
        len(assembly.quads),
        len(assembly.links),
        len(assembly.corpus.agencies),
        len(assembly.corpus.instruments),
        round(time.perf_counter() - started, 3),
        str(out_dir),
    )
    _write_atomically(assembly.quads, report, out_dir, settings.base_iri)
    return report


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


def _write_atomically(
    quads: list[ox.Quad], report: BuildReport, out_dir: Path, base_iri: str
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:
        ox.serialize(
            quads, staging / "cchc.trig", ox.RdfFormat.TRIG, prefixes={**PREFIXES, "id": base_iri}
        )
        ox.serialize(quads, staging / "cchc.nq", ox.RdfFormat.N_QUADS)
        (staging / "report.json").write_text(report.to_json(), encoding="utf-8")
        for name in OUTPUTS:
            os.replace(staging / name, out_dir / name)
    except (OSError, ValueError) as exc:
        raise BuildError(f"could not write the graph to {out_dir}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


__all__ = [
    "Assembly",
    "BuildReport",
    "CchcError",
    "DocumentSummary",
    "assemble",
    "build",
    "parse_sources",
]
