"""store: the built graph behind one small interface, whichever store holds it.

- `EmbeddedStore`: pyoxigraph, in memory (bulk-loaded from data/build/cchc.nq) or on disk
  (RocksDB under data/build/store, reloaded only when the build changed).
- `RemoteStore` (remote.py): any SPARQL 1.1 engine, queried by the protocol and loaded through
  the SPARQL 1.1 Graph Store Protocol, one named graph per source document.

Both answer with the same `Answer` (bytes in a standard results format, serialised by
pyoxigraph, never row by row in Python) and the same `Table` for code that reads rows. The
default graph of a query is the union of the named graphs; a remote endpoint must be set up the
same way (`oxigraph serve --union-default-graph`; Virtuoso's default graph is the union of its
graphs as installed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from cchc_graph.answers import (
    ANSWER_BYTES,
    Answer,
    Table,
    boolean_answer,
    solutions_answer,
    table,
    triples_answer,
)
from cchc_graph.answers import graph_format as graph_format_named
from cchc_graph.answers import select_format as select_format_named
from cchc_graph.errors import CchcError
from cchc_graph.guard import (
    QueryRefusedError,
    UpdateRefusedError,
    looks_like_update,
    names_dataset,
)

GRAPH_FILE = "cchc.nq"


class StoreError(CchcError):
    """The store cannot be reached, loaded or queried."""

    exit_code = 2
    http_status = 502  # a remote store that does not answer, or answers what we cannot read


class QuerySyntaxError(CchcError):
    """The query does not parse; the message is the parser's."""

    exit_code = 2
    http_status = 400


@dataclass(frozen=True)
class Dataset:
    """What a protocol request says besides its query: its dataset (default-graph-uri,
    named-graph-uri), which overrides the query's FROM / FROM NAMED, and the base IRI the
    query's relative IRIs resolve against (the endpoint's). With neither the request nor the
    query naming a dataset, the default graph is the union of all graphs."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None


class Selects(Protocol):
    """What reading rows needs: a SELECT answered as a Table."""

    def select(self, query: str) -> Table: ...


class Store(Protocol):
    """What the query layer needs from a store."""

    description: str

    def answer(
        self,
        query: str,
        *,
        select_format: str = "json",
        graph_format: str = "turtle",
        dataset: Dataset = Dataset(),
        row_cap: int | None = None,
    ) -> Answer: ...

    def select(self, query: str) -> Table: ...

    def load_build(self, build_dir: Path, graphs: Sequence[str] | None = None) -> int: ...


# ------------------------------------------------------------------------ embedded


class EmbeddedStore:
    """pyoxigraph, in this process. Queries see the union of the named graphs by default."""

    def __init__(self, store: ox.Store, description: str, answer_limit: int = ANSWER_BYTES) -> None:
        self.store = store
        self.description = description
        self.answer_limit = answer_limit  # bytes of one answer, past which it is cut

    @classmethod
    def in_memory(cls, build_dir: Path) -> EmbeddedStore:
        store = cls(ox.Store(), "in memory")
        store.load_build(build_dir)
        return store

    @classmethod
    def on_disk(cls, build_dir: Path, location: Path) -> EmbeddedStore:
        """Open the RocksDB store at `location`, reloading it when the build has changed."""
        graph = graph_file(build_dir)
        marker = location / "loaded-from.json"
        digest = _digest(graph)
        try:
            store = cls(ox.Store(str(location)), f"on disk at {location}")
        except OSError as error:
            raise StoreError(f"{location}: cannot open the on-disk store: {error}") from error
        loaded = json.loads(marker.read_text()) if marker.exists() else {}
        if loaded.get("sha256") != digest:
            store.store.clear()
            store.store.bulk_load(path=str(graph), format=ox.RdfFormat.N_QUADS)
            store.store.optimize()
            marker.write_text(json.dumps({"graph": str(graph), "sha256": digest}))
        return store

    @classmethod
    def read_only(cls, location: Path) -> EmbeddedStore:
        """An on-disk store opened read-only, as the endpoint's query workers do."""
        return cls(ox.Store.read_only(str(location)), f"on disk at {location} (read-only)")

    def load_build(self, build_dir: Path, graphs: Sequence[str] | None = None) -> int:
        graph = graph_file(build_dir)
        if graphs is None:
            self.store.clear()
            # one transaction, not bulk_load: in memory the graph it leaves is queried 13-24 %
            # faster (the canned queries on 780k quads) and its peak is 290 MB instead of 470
            self.store.load(path=str(graph), format=ox.RdfFormat.N_QUADS)
            return len(self.store)
        count = 0
        for name, quads in graphs_of(graph, graphs):
            node = ox.NamedNode(name)
            if self.store.contains_named_graph(node):
                self.store.remove_graph(node)
            self.store.extend(quads)
            count += len(quads)
        return count

    def _run(
        self, query: str, dataset: Dataset
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        options: dict[str, object] = {"base_iri": dataset.base_iri}
        if dataset.default_graphs or dataset.named_graphs:
            # the request's dataset, exactly: the graphs it names and no others
            options["default_graph"] = _graph_nodes(dataset.default_graphs)
            options["named_graphs"] = _graph_nodes(dataset.named_graphs)
        elif not names_dataset(query):
            options["use_default_graph_as_union"] = True
        try:
            return self.store.query(query, **options)  # type: ignore[arg-type]
        except SyntaxError as error:
            if looks_like_update(query):
                raise UpdateRefusedError(
                    "updates are not accepted: the graph is read-only"
                ) from None
            raise QuerySyntaxError(f"malformed query: {error}") from None
        except OSError as error:
            raise StoreError(str(error)) from error

    def answer(
        self,
        query: str,
        *,
        select_format: str = "json",
        graph_format: str = "turtle",
        dataset: Dataset = Dataset(),
        row_cap: int | None = None,
    ) -> Answer:
        result = self._run(query, dataset)
        if isinstance(result, ox.QueryBoolean):
            return boolean_answer(result, select_format_named(select_format))
        if isinstance(result, ox.QuerySolutions):
            fmt = select_format_named(select_format)
            first = [result]

            def run() -> ox.QuerySolutions:  # the answer's solutions; asked again if need be
                return first.pop() if first else self._solutions(query, dataset)

            return solutions_answer(run, fmt, row_cap, self.answer_limit)
        fmt = graph_format_named(graph_format)
        return triples_answer(result, fmt, row_cap, self.answer_limit)

    def _solutions(self, query: str, dataset: Dataset) -> ox.QuerySolutions:
        result = self._run(query, dataset)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryRefusedError("a SELECT query was expected")
        return result

    def select(self, query: str) -> Table:
        return table(self._run(query, Dataset()))


def _graph_nodes(graphs: Sequence[str]) -> list[ox.NamedNode]:
    nodes = []
    for graph in graphs:
        try:
            nodes.append(ox.NamedNode(graph))
        except ValueError:
            raise QueryRefusedError(f"not an IRI, so not a graph name: {graph!r}") from None
    return nodes


# ------------------------------------------------------------------------ helpers


def graph_file(build_dir: Path) -> Path:
    graph = build_dir / GRAPH_FILE
    if not graph.exists():
        raise StoreError(f"{graph}: no built graph; run `cchc build` first")
    return graph


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def graphs_of(path: Path, only: Iterable[str] | None) -> Iterator[tuple[str, list[ox.Quad]]]:
    """The build's quads grouped by named graph, in file order (optionally only some graphs)."""
    wanted = set(only) if only is not None else None
    groups: dict[str, list[ox.Quad]] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            continue
        if wanted is None or graph.value in wanted:
            groups.setdefault(graph.value, []).append(quad)
    if wanted is not None and (missing := wanted - groups.keys()):
        raise StoreError(f"{path}: no graph named {', '.join(sorted(missing))}")
    yield from groups.items()
