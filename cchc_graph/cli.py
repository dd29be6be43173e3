"""cli: the `cchc` command, a click group of thin commands over the library.

Exit codes: 0 ok; 1 validation violations; 2 bad input (the file and line are
named); 3 internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from cchc_graph.build import BuildReport, build
from cchc_graph.builds import current_build
from cchc_graph.check import CheckReport
from cchc_graph.check import check as check_draft
from cchc_graph.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_VIOLATIONS, CchcError
from cchc_graph.guard import QueryRefusedError
from cchc_graph.guard import check as check_query
from cchc_graph.ingest.sources import read_source
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse import parse_document
from cchc_graph.records import AgencyMention, ParsedDocument
from cchc_graph.reports import FORMATS, render_check, render_validation
from cchc_graph.resources import load_lexicon
from cchc_graph.settings import Settings
from cchc_graph.store import Store
from cchc_graph.text import squash
from cchc_graph.validate import (
    ENGINES,
    Level,
    ValidationReport,
    load_data,
    load_shapes,
    shape_files,
)
from cchc_graph.validate import validate as validate_graph

T = TypeVar("T")
EPILOG = (
    "Exit codes: 0 ok, 1 validation violations, 2 bad input (file and line named), "
    "3 internal error."
)


@click.group(epilog=EPILOG)
@click.version_option(package_name="cchc-graph")
def cli() -> None:
    """cchc-graph: Vietnamese administrative-reform plans as a linked, validated graph."""


@cli.command(epilog=EPILOG)
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(path_type=Path),
    help="Folder of source documents [default: data/sources/].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Build folder: builds/<id>/ per build, `current` and cchc.trig, cchc.nq, report.json "
    "pointing at the current one [default: data/build/].",
)
@click.option("--quiet", is_flag=True, help="Print only the totals and the files left out.")
def build_command(sources_dir: Path | None, out_dir: Path | None, quiet: bool) -> None:
    """Build the graph from the source documents and print a per-document summary.

    The new graph replaces the current one only when it passes the integrity shapes (exit 1
    otherwise, the violations named). Files without a reader yet and documents that repeat an
    earlier one are left out and listed.
    """
    settings = Settings()

    def progress(index: int, total: int, name: str) -> None:
        if not quiet:
            click.echo(f"[{index}/{total}] read {name}", err=True)

    def notice(message: str) -> None:
        click.echo(message, err=True)

    report = _guard(lambda: build(settings, sources_dir, out_dir, progress, notice))
    click.echo(format_report(report, quiet))


cli.add_command(build_command, name="build")


@cli.command(epilog=EPILOG)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def inspect(source: Path) -> None:
    """Show what the reader takes from one document: tasks, deliverables, targets, with lines."""
    lexicon = load_lexicon()
    document = _guard(lambda: parse_document(read_source(source), lexicon))
    click.echo(format_document(document, lexicon))


# the options `validate` and `check` share
_severity_option = click.option(
    "--severity",
    type=click.Choice([level.label for level in Level]),
    default="info",
    show_default=True,
    help="Show findings of this severity and above.",
)
_engine_option = click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    help="SHACL engine [default: CCHC_SHACL_ENGINE or turbo].",
)
_output_option = click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)


@cli.command(epilog=EPILOG)
@click.option(
    "--data",
    "data_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="RDF file to validate (.trig .nq .ttl .nt .rdf .jsonld) [default: the built graph].",
)
@click.option(
    "--shapes",
    "shapes_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Shapes file; repeat for several [default: every shapes/*.ttl].",
)
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True
)
@_severity_option
@_engine_option
@_output_option
def validate(
    data_file: Path | None,
    shapes_files: tuple[Path, ...],
    fmt: str,
    severity: str,
    engine: str | None,
    output: Path | None,
) -> None:
    """Validate the graph against the SHACL shapes; exit 1 when there is a Violation.

    Integrity shapes (sh:Violation) fail; completeness shapes (sh:Warning, sh:Info) report what
    a plan lacks, by document, with the task id, the source line and the quote.
    """
    settings = Settings()

    def run() -> ValidationReport:
        data_path = data_file or current_build(settings.build_dir) / "cchc.nq"
        shapes = load_shapes(shapes_files or shape_files(settings.shapes_dir))
        return validate_graph(load_data(data_path), shapes, engine or settings.shacl_engine)

    report = _guard(run)
    _emit(render_validation(report, fmt, Level[severity.upper()]), output)
    if not report.conforms:
        sys.exit(EXIT_VIOLATIONS)


@cli.command(epilog=EPILOG)
@click.argument("draft", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Documents to check the draft against [default: data/sources/].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html"]),
    default="text",
    show_default=True,
)
@_severity_option
@_engine_option
@_output_option
def check(
    draft: Path,
    sources_dir: Path | None,
    fmt: str,
    severity: str,
    engine: str | None,
    output: Path | None,
) -> None:
    """Lint a draft plan: read it with the sources, in memory, and report what it lacks.

    Nothing is written and the built graph is not touched. Besides the findings, the report
    lists what the reader could not understand, the tasks that repeat earlier plans of the
    province, and the agencies and instruments no other document names.
    """
    settings = Settings()
    if sources_dir is not None:
        settings = settings.model_copy(update={"sources_dir": sources_dir})

    def run() -> CheckReport:
        shapes = load_shapes(shape_files(settings.shapes_dir))
        return check_draft(draft, shapes, settings, engine or settings.shacl_engine)

    report = _guard(run)
    _emit(render_check(report, fmt, Level[severity.upper()]), output)
    if not report.conforms:
        sys.exit(EXIT_VIOLATIONS)


_STORE_OPTIONS = (
    click.option("--endpoint", envvar="CCHC_ENDPOINT", metavar="URL",
                 help="Query this SPARQL 1.1 endpoint, not the embedded store."),
    click.option("--store", "store_kind", type=click.Choice(["memory", "disk"]),
                 help="The embedded store: in memory (default) or on disk under data/build/store."),
)


def _store_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_STORE_OPTIONS):
        command = option(command)
    return command


def _open_store(endpoint: str | None, store_kind: str | None) -> Store:
    from cchc_graph.pool import store_spec

    return store_spec(Settings(), endpoint, store_kind).open()


@cli.command(epilog=EPILOG)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def queries(lang: str) -> None:
    """List the canned queries (queries/*.rq) with their titles and parameters."""
    from cchc_graph.canned import load_catalogue

    catalogue = _guard(lambda: load_catalogue(Settings().queries_dir))
    width = max(len(name) for name in catalogue) if catalogue else 0
    for name, query in catalogue.items():
        params = " ".join(f"{p.name}={p.default}" for p in query.parameters)
        click.echo(f"{name:<{width}}  {query.title[lang]}" + (f"  [{params}]" if params else ""))


@cli.command(epilog=EPILOG)
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="K=V",
              help="A parameter value (repeatable); labels may be written without diacritics.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
              default="table", show_default=True)
@click.option("--show-query", is_flag=True, help="Print the bound SPARQL text; do not run it.")
@_store_options
def query(name: str, params: tuple[str, ...], fmt: str, show_query: bool,
          endpoint: str | None, store_kind: str | None) -> None:
    """Run the canned query NAME (see `cchc queries`)."""
    from cchc_graph.canned import Catalogue, ParameterError, load_catalogue

    def run() -> str:
        values: dict[str, str] = {}
        for item in params:
            key, sep, value = item.partition("=")
            if not sep:
                raise ParameterError(f"--param {item!r}: write it as name=value")
            values[key.strip()] = value
        store = _open_store(endpoint, store_kind)
        catalogue = Catalogue(load_catalogue(Settings().queries_dir), store)
        text = catalogue.bind(name, values)
        if show_query:
            return text
        return _render_answer(store, text, fmt)

    _emit(_guard(run), None)


@cli.command(epilog=EPILOG)
@click.argument("text", required=False)
@click.option("-f", "--file", "query_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--format", "fmt",
              type=click.Choice(["table", "csv", "tsv", "json", "xml",
                                 "turtle", "ntriples", "jsonld", "rdfxml"]),
              default="table", show_default=True)
@_store_options
def sparql(text: str | None, query_file: Path | None, fmt: str,
           endpoint: str | None, store_kind: str | None) -> None:
    """Run a SPARQL query given as TEXT or with -f FILE (read-only)."""

    def run() -> str:
        if (text is None) == (query_file is None):
            raise QueryRefusedError("give the query as an argument or with -f FILE (one of them)")
        query_text = text if text is not None else query_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
        return _render_answer(_open_store(endpoint, store_kind), query_text, fmt)

    _emit(_guard(run), None)


@cli.command(epilog=EPILOG)
@click.option("--endpoint", envvar="CCHC_ENDPOINT", metavar="URL", required=True,
              help="The SPARQL 1.1 query URL of the store to load [env CCHC_ENDPOINT].")
@click.option("--graph-store", envvar="CCHC_GRAPH_STORE", metavar="URL",
              help="Its Graph Store Protocol URL [default: the query URL's folder + /store].")
@click.option("--source", "sources", multiple=True, metavar="STEM",
              help="Load only this source's graph (repeatable), with the shared registry and "
              "links graphs; the other graphs are left as they are.")
def load(endpoint: str, graph_store: str | None, sources: tuple[str, ...]) -> None:
    """Load the built graph into a remote store, one named graph per source (Graph Store
    Protocol): a graph put again replaces only that graph. A store that asks who loads is
    answered with CCHC_GRAPH_STORE_USER / CCHC_GRAPH_STORE_PASSWORD, else the netrc entry of
    its host (never a password on the command line)."""
    from cchc_graph.iris import Iris
    from cchc_graph.remote import RemoteStore

    settings = Settings()
    iris = Iris(settings.base_iri)
    # the registry (shared agencies, instruments) and the cross-year links follow every source
    shared = [iris.graph("registry"), iris.graph("links")]
    graphs = [*(iris.source(stem) for stem in sources), *shared] if sources else None
    store = RemoteStore(
        endpoint, graph_store, credentials=settings.graph_store_credentials(), timeout=120
    )

    def loaded(done: int, total: int, graph: str) -> None:
        click.echo(f"  {done}/{total} {graph}", err=True)

    count = _guard(lambda: store.load_build(settings.build_dir, graphs, progress=loaded))
    click.echo(f"loaded {count} quads into {store.graph_store}")


@cli.command(epilog=EPILOG)
@click.option("--host", help="Interface to listen on [default: 127.0.0.1, env CCHC_HOST].")
@click.option("--port", type=int, help="Port [default: 8000, env CCHC_PORT].")
@click.option("--timeout", type=float,
              help="Seconds a query may run [default: 10, env CCHC_QUERY_TIMEOUT].")
@_store_options
def serve(host: str | None, port: int | None, timeout: float | None,
          endpoint: str | None, store_kind: str | None) -> None:
    """Serve the graph: SPARQL 1.1 endpoint at /sparql, canned queries at /api/queries.

    The server serves the build that is current when it starts, until it is stopped or sent
    SIGHUP: then it serves the build current at that moment, all its workers at once.
    """
    import uvicorn

    from cchc_graph.web import create_app

    overrides = {k: v for k, v in (("host", host), ("port", port), ("query_timeout", timeout),
                                   ("endpoint", endpoint), ("store", store_kind)) if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    click.echo(
        f"serving on http://{settings.host}:{settings.port}/ (SPARQL: /sparql); after a new "
        f"build, `kill -HUP {os.getpid()}` serves it",
        err=True,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


@cli.command("export", epilog=EPILOG)
@click.option("--view", "view_name", metavar="NAME",
              help="assignments, cooperation, legal-basis, plan or targets (--list shows them).")
@click.option("--format", "fmt", default="graphml", show_default=True, metavar="FMT",
              help="graphml, gexf, cyjs, dot, svg, png, csv-nodes or csv-edges.")
@click.option("--province", help="Only plans of this province (a name, diacritics optional).")
@click.option("--from", "year_from", type=int, metavar="YEAR",
              help="Only plans in force from YEAR.")
@click.option("--to", "year_to", type=int, metavar="YEAR", help="Only plans in force up to YEAR.")
@click.option("--role", type=click.Choice(["lead", "cooperating", "participant"]),
              help="Only assignments in this role.")
@click.option("--plan", help="The plan of the `plan` view (khanh-hoa/2014, a label or an IRI).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE [default: standard output].")
@click.option("--list", "list_views", is_flag=True, help="List the views, filters and formats.")
@_store_options
def export_command(view_name: str | None, fmt: str, province: str | None, year_from: int | None,
                   year_to: int | None, role: str | None, plan: str | None, output: Path | None,
                   list_views: bool, endpoint: str | None, store_kind: str | None) -> None:
    """Export a view of the graph as a network file for Gephi, Cytoscape, yEd or Graphviz."""
    from cchc_graph.export import Exporter
    from cchc_graph.export.formats import FORMATS
    from cchc_graph.export.views import load_views

    settings = Settings()
    if list_views:
        views = _guard(lambda: load_views(settings.queries_dir / "views"))
        for name, view in views.items():
            filters = ", ".join(view.accepts())
            click.echo(f"{name:<12} {view.query.title['en']}  [filters: {filters}]")
        click.echo(f"formats: {', '.join(FORMATS)}")
        return
    if view_name is None:
        raise click.UsageError("give --view NAME (or --list)")
    values = {k: str(v) for k, v in (("province", province), ("from", year_from),
                                     ("to", year_to), ("role", role), ("plan", plan))
              if v is not None}
    if fmt in ("png",) and output is None and sys.stdout.isatty():
        raise click.UsageError("PNG is binary: write it to a file with -o FILE")

    def run() -> bytes:
        exporter = Exporter(_open_store(endpoint, store_kind), settings.queries_dir / "views",
                            settings.base_iri)
        return exporter.export(view_name, fmt, values)

    _emit_bytes(_guard(run), output)


@cli.command(epilog=EPILOG)
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "jsonld"]),
              default="trig", show_default=True)
@click.option("--graph", "graph_name", metavar="NAME",
              help="Only this named graph (source/<stem>, graph/registry, ...; --list names them).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to FILE (with --all: a folder) [default: standard output].")
@click.option("--all", "every", is_flag=True,
              help="Write every format of the whole graph and of each named graph into -o DIR.")
@click.option("--list", "list_graphs", is_flag=True, help="List the named graphs of the build.")
def dump(fmt: str, graph_name: str | None, output: Path | None, every: bool,
         list_graphs: bool) -> None:
    """Dump the built graph (data/build/cchc.nq) as RDF: whole, or one named graph."""
    from cchc_graph.export.dumps import (
        dump_bytes,
        dump_format,
        graph_names,
        write_dump,
        write_every_dump,
    )

    settings = Settings()
    if list_graphs:
        for name in _guard(lambda: graph_names(settings.build_dir, settings.base_iri)):
            click.echo(name)
        return
    if every:
        if output is None:
            raise click.UsageError("--all writes many files: give the folder with -o DIR")
        folder = output
        written = _guard(lambda: write_every_dump(settings.build_dir, folder, settings.base_iri))
        for target, count in written:
            click.echo(f"wrote {target} ({count:,} statements)", err=True)
        return

    def run() -> bytes:
        chosen = dump_format(fmt)
        if output is not None:
            count = write_dump(settings.build_dir, chosen, output, settings.base_iri, graph_name)
            click.echo(f"wrote {output} ({count:,} statements)", err=True)
            return b""
        return dump_bytes(settings.build_dir, chosen, settings.base_iri, graph_name)

    body = _guard(run)
    if body:
        _emit_bytes(body, None)


def _render_answer(store: Store, text: str, fmt: str) -> str:
    check_query(text, Settings().query_policy())  # what the endpoint refuses, the command refuses
    if fmt != "table":
        select = fmt if fmt in ("csv", "tsv", "json", "xml") else "json"
        graph = fmt if fmt in ("turtle", "ntriples", "jsonld", "rdfxml") else "turtle"
        return store.answer(text, select_format=select, graph_format=graph).body.decode("utf-8")
    answer = store.answer(text, select_format="tsv", graph_format="turtle")
    if answer.form != "select":
        return answer.body.decode("utf-8")
    return format_table(answer.body)


def format_table(tsv: bytes) -> str:
    """TSV solutions as an aligned text table: IRIs shortened to their path under /id/."""
    import pyoxigraph as ox

    result = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("result is not ox.QuerySolutions")
    variables = [v.value for v in result.variables]
    rows = [[_cell(solution[v]) for v in variables] for solution in result]
    widths = [min(60, max([len(v), *(len(r[i]) for r in rows)])) for i, v in enumerate(variables)]
    def line(cells: list[str]) -> str:
        return "  ".join(c[:w].ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    out = [line(variables), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out) + "\n"


def _cell(term: object) -> str:
    if term is None:
        return ""
    value = str(getattr(term, "value", term))
    if value.startswith("http") and "/id/" in value:
        return value.split("/id/", 1)[1]
    return squash(value)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


def _emit_bytes(body: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(body)
        click.echo(f"wrote {output} ({len(body):,} bytes)", err=True)


def _guard(action: Callable[[], T]) -> T:
    try:
        return action()
    except CchcError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code if exc.exit_code else EXIT_BAD_INPUT)
    except Exception as exc:
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)


def format_report(report: BuildReport, quiet: bool = False) -> str:
    """The build summary as a plain-text table."""
    lines = []
    if not quiet:
        header = (
            f"{'document':28} {'layout':20} {'tasks':>5} {'deliv':>5} {'targets':>7} "
            f"{'cites':>5} {'agencies':>8}  problems"
        )
        lines += [header, "-" * len(header)]
        for doc in report.documents:
            lines.append(
                f"{doc.file:28} {doc.layout:20} {doc.tasks:5} {doc.deliverables:5} "
                f"{doc.targets:7} {doc.instruments:5} {doc.agencies:8}  {len(doc.problems)}"
            )
            for problem in doc.problems:
                if problem.severity != "info":
                    lines.append(
                        f"    {problem.severity}: line {problem.line}: {problem.kind}: "
                        f"{problem.message}"
                    )
        lines.append("")
    # what was left out is printed even with --quiet: it must never pass unseen
    lines += [f"not read: {u.file}: {u.reason}" for u in report.unread]
    lines += [
        f"duplicate left out: {d.file} repeats {d.duplicate_of} ({_shared(d.iris)})"
        for d in report.duplicates
    ]
    tasks = sum(d.tasks for d in report.documents)
    deliverables = sum(d.deliverables for d in report.documents)
    targets = sum(d.targets for d in report.documents)
    lines.append(
        f"{len(report.documents)} documents, {tasks} tasks, {deliverables} deliverables, "
        f"{targets} targets, {report.instruments} instruments, {report.agencies} agencies, "
        f"{report.continuations} cross-year links, {report.triples} triples in "
        f"{report.seconds:.2f} s -> {report.out_dir}; {len(report.unread)} files not read, "
        f"{len(report.duplicates)} duplicates left out"
    )
    return "\n".join(lines)


def _shared(iris: list[str]) -> str:
    first = _cell(iris[0]) if iris else "?"
    return f"shares {first}" + (f" and {len(iris) - 1} more IRIs" if len(iris) > 1 else "")


def format_document(document: ParsedDocument, lexicon: Lexicon) -> str:
    """Every task, deliverable, target and citation of one parsed document, with lines."""

    def names(mentions: tuple[AgencyMention, ...]) -> str:
        labels = [m.label or lexicon.agency_types[m.type_slug].concept.label_vi for m in mentions]
        return ", ".join(labels) or "-"

    source = document.source

    def where(line: int) -> str:
        location = source.location(line)
        return f"line {line}" + (f", {location.describe()}" if location else "")

    header = document.header
    read_as = f" ({source.format}, read with {source.reader})" if source.reader else ""
    out = [
        f"{source.name}{read_as}: {document.layout}",
        *(f"  left out: {note}" for note in source.notes),
        f"  {header.type}: {header.title}  province={header.province} period={header.period}",
    ]
    if header.adopted_by:
        adopted = header.adopted_by
        out.append(f"  adopted by {adopted.kind} {adopted.number} of {adopted.date}")
    for citation in document.citations:
        if citation.role != "cites":
            out.append(
                f"  {citation.role}: {citation.kind} {citation.number or citation.title} "
                f"{citation.date or ''} ({where(citation.span.line_start)})"
            )
    for task in document.tasks:
        where_task = where(task.span.line_start)
        out.append(f"  task {task.local_id} ({where_task}): {task.description[:90]}")
        for deliverable in task.deliverables:
            deadline = deliverable.deadline
            when = (
                f"{deadline.text} -> {deadline.kind.value if deadline.kind else '?'} "
                f"due {deadline.due} start {deadline.start}"
                if deadline
                else "no deadline"
            )
            lead = names(deliverable.assignment.lead)
            coop = names(deliverable.assignment.cooperating)
            out.append(f"    - {(deliverable.product or '(no product)')[:80]}")
            out.append(f"      {when}; lead: {lead}; cooperating: {coop}")
    for target in document.targets:
        out.append(
            f"  target ({where(target.span.line_start)}): {target.indicator} "
            f"{target.comparator} {target.value}{target.unit} {target.year}"
        )
    for problem in document.problems:
        out.append(
            f"  {problem.severity.value}: {where(problem.span.line_start)}: {problem.kind}: "
            f"{problem.message}"
        )
    return "\n".join(out)
