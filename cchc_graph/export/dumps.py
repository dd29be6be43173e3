"""dumps: the whole built graph, or one of its named graphs, in an RDF format.

Dumps are read from the build (data/build/cchc.nq, the file every store loads), so they are
exactly what was built and validated. Formats with named graphs (TriG, N-Quads, JSON-LD) keep
them; Turtle holds the union (no statement sits in two graphs, so nothing is lost but the graph
names). Written files are kept under data/build/dumps/ next to a marker of the build they came
from, and written again only when the build changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from cchc_graph.errors import CchcError
from cchc_graph.namespaces import PREFIXES

GRAPH_FILE = "cchc.nq"


class DumpError(CchcError):
    """No built graph, an unknown format, or a graph name the build does not hold."""

    exit_code = 2
    http_status = 404


@dataclass(frozen=True)
class DumpFormat:
    name: str
    suffix: str
    media_type: str
    rdf: ox.RdfFormat
    datasets: bool  # keeps named graphs


DUMP_FORMATS: dict[str, DumpFormat] = {
    f.name: f
    for f in (
        DumpFormat("trig", "trig", "application/trig", ox.RdfFormat.TRIG, True),
        DumpFormat("nquads", "nq", "application/n-quads", ox.RdfFormat.N_QUADS, True),
        DumpFormat("turtle", "ttl", "text/turtle", ox.RdfFormat.TURTLE, False),
        DumpFormat("jsonld", "jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, True),
    )
}
SUFFIXES = {f.suffix: f for f in DUMP_FORMATS.values()}


def dump_format(name: str) -> DumpFormat:
    found = DUMP_FORMATS.get(name) or SUFFIXES.get(name)
    if found is None:
        raise DumpError(f"unknown dump format {name!r} (one of: {', '.join(DUMP_FORMATS)})")
    return found


def graph_names(build_dir: Path, base: str) -> list[str]:
    """The build's named graphs, as paths under the base ("source/000_...", "graph/registry");
    read once per build (the /export page lists them on every visit)."""
    source = build_dir / GRAPH_FILE
    return list(_graph_names(source, _stamp(source), base))


@lru_cache(maxsize=8)
def _graph_names(source: Path, stamp: str, base: str) -> tuple[str, ...]:
    return tuple(sorted({_path(_graph_of(quad), base) for quad in _quads(source.parent)}))


def dump_bytes(build_dir: Path, fmt: DumpFormat, base: str, graph: str | None = None) -> bytes:
    """The dump itself, for standard output."""
    statements = _statements(list(_quads(build_dir)), fmt, base, graph)
    serialised = ox.serialize(statements, format=fmt.rdf, prefixes=_prefixes(fmt, base))
    if serialised is None:  # pyoxigraph returns bytes when given no file
        raise DumpError("pyoxigraph wrote no bytes")
    return serialised


def write_dump(
    build_dir: Path,
    fmt: DumpFormat,
    target: Path,
    base: str,
    graph: str | None = None,
    quads: list[ox.Quad] | None = None,
) -> int:
    """Write the graph (or the named graph `graph`, a path under `base`) to `target` atomically;
    returns the number of statements written. `quads` is the build already read, if it is."""
    statements = _statements(list(_quads(build_dir)) if quads is None else quads, fmt, base, graph)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".dump-")
    os.close(handle)
    try:
        ox.serialize(statements, temporary, fmt.rdf, prefixes=_prefixes(fmt, base))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(statements)


def write_every_dump(build_dir: Path, folder: Path, base: str) -> list[tuple[Path, int]]:
    """Every format of the whole graph (folder/cchc.SUFFIX) and of each named graph
    (folder/graphs/NAME.SUFFIX), from one reading of the build."""
    quads = list(_quads(build_dir))
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in quads:  # grouped once: filtering per graph was quadratic (8 min, 505 graphs)
        by_graph.setdefault(_path(_graph_of(quad), base), []).append(quad)
    written = []
    for fmt in DUMP_FORMATS.values():
        target = folder / f"cchc.{fmt.suffix}"
        written.append((target, write_dump(build_dir, fmt, target, base, quads=quads)))
        for name in sorted(by_graph):
            target = folder / "graphs" / f"{name.replace('/', '--')}.{fmt.suffix}"
            written.append((target, write_dump(build_dir, fmt, target, base, quads=by_graph[name])))
    return written


def _statements(
    quads: list[ox.Quad], fmt: DumpFormat, base: str, graph: str | None
) -> list[ox.Quad] | list[ox.Triple]:
    wanted = None if graph is None else (graph if "://" in graph else base + graph)
    if wanted is not None:
        quads = [q for q in quads if _graph_of(q) == wanted]
        if not quads:
            raise DumpError(f"the build holds no graph {graph!r}; `cchc dump --list` names them")
    return quads if fmt.datasets else [q.triple for q in quads]


def _prefixes(fmt: DumpFormat, base: str) -> dict[str, str] | None:
    # only the formats with prefixes take them
    if fmt.rdf in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE):
        return {**PREFIXES, "id": base}
    return None


def cached_dump(build_dir: Path, fmt: DumpFormat, base: str, graph: str | None = None) -> Path:
    """The dump's file under <build>/dumps/, written now if the build changed since."""
    source = build_dir / GRAPH_FILE
    stamp = _stamp(source)
    folder = build_dir / "dumps" / stamp
    name = "cchc" if graph is None else graph.replace("/", "--")
    target = folder / f"{name}.{fmt.suffix}"
    if not target.exists():
        write_dump(build_dir, fmt, target, base, graph)
        for older in folder.parent.iterdir():
            if older.name != stamp:
                shutil.rmtree(older, ignore_errors=True)
    return target


def _stamp(source: Path) -> str:
    if not source.exists():
        raise DumpError(f"{source}: no built graph; run `cchc build` first")
    status = source.stat()
    # size and modification time name the build cheaply; a rebuild replaces the file
    return hashlib.sha256(f"{status.st_size}:{status.st_mtime_ns}".encode()).hexdigest()[:16]


def _path(name: str, base: str) -> str:
    return name[len(base) :] if name.startswith(base) else name


def _graph_of(quad: ox.Quad) -> str:
    # the build names every graph; the default graph would be ""
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


def _quads(build_dir: Path) -> Iterator[ox.Quad]:
    source = build_dir / GRAPH_FILE
    if not source.exists():
        raise DumpError(f"{source}: no built graph; run `cchc build` first")
    yield from ox.parse(path=source, format=ox.RdfFormat.N_QUADS)
