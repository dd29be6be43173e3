"""views: a network drawn from the graph by one SELECT (queries/views/*.rq), as a networkx graph.

A view's SELECT returns one row per edge: `?source` and `?target` (IRIs), node attributes in
columns named `source_<name>` / `target_<name>`, and edge attributes in the other columns. Rows
of the same edge (same ends and, for views with parallel edges, the same `key` column) are one
edge: their `weight`s add up and their `start`/`end` periods become the edge's spells, which is
how the cooperation view gives a weight per plan period and in total.

Node ids are the IRI's path under the base ("agency/khanh-hoa/so-tu-phap"); every node has a
`label` (Vietnamese; the id where the graph has none), and `label_en` where the graph has one.
Values keep their types (xsd integers and gYears are ints, decimals floats); unbound columns
are left out, never None. Nodes and edges are sorted, so one graph gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import networkx as nx
import pyoxigraph as ox

from cchc_graph.canned import CannedQuery, CatalogueError, ParameterError, Resolver, load_catalogue
from cchc_graph.namespaces import XSD
from cchc_graph.store import Selects

Value = str | int | float
Network: TypeAlias = "nx.Graph[str]"
Spell = tuple[int, int]

_INTEGER_TYPES = {
    XSD + t for t in ("integer", "int", "long", "short", "gYear", "nonNegativeInteger")
}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}
# edge columns that describe when an edge holds, not what it is
_PERIOD = ("start", "end")
# names the formats use for themselves: a column may not take them
RESERVED = {"id", "source", "target", "key", "spells", "periods"}
FILTERS = ("province", "from", "to", "role", "plan")


@dataclass(frozen=True)
class View:
    """One queries/views/*.rq file: its query, and how its rows make a graph."""

    query: CannedQuery
    directed: bool
    key: str | None  # the column that tells parallel edges apart ("role", "relation")
    analysed: bool  # centrality and communities are added (the cooperation view)
    weights_by_period: bool  # each edge also gets weight_<period> for every period it holds

    @property
    def name(self) -> str:
        return self.query.name

    def accepts(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.query.parameters)


def load_views(directory: Path) -> dict[str, View]:
    """The views in queries/views/, by name."""
    views: dict[str, View] = {}
    for name, query in load_catalogue(directory).items():
        spec = query.header.get("graph")
        if not isinstance(spec, dict):
            raise CatalogueError(f"{query.path}:1: a view needs `graph: {{directed: ...}}`")
        views[name] = View(
            query=query,
            directed=bool(spec.get("directed", False)),
            key=spec.get("key"),
            analysed=bool(spec.get("analysed", False)),
            weights_by_period=bool(spec.get("weights_by_period", False)),
        )
    return views


@dataclass
class _Edge:
    attributes: dict[str, Value]
    weights: dict[Spell, int] = field(default_factory=dict)  # per period, when rows carry both


class GraphBuilder:
    """Turns a view's rows into a networkx graph."""

    def __init__(self, view: View, base: str) -> None:
        self.view = view
        self.base = base
        self.nodes: dict[str, dict[str, Value]] = {}
        self.edges: dict[tuple[str, str, str], _Edge] = {}

    def node_id(self, iri: str) -> str:
        return iri[len(self.base) :] if iri.startswith(self.base) else iri

    def add_rows(self, variables: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        names = {v.removeprefix("source_").removeprefix("target_") for v in variables}
        clashing = RESERVED & (names - {"source", "target"})
        if clashing or "source" not in variables or "target" not in variables:
            raise CatalogueError(
                f"{self.view.query.path}: a view selects ?source and ?target, and no column "
                f"named (source_|target_){'|'.join(sorted(RESERVED))}: found {sorted(clashing)}"
            )
        count = 0
        for row in rows:
            values = {v: term for v, term in zip(variables, row, strict=True) if term is not None}
            self.add(values)
            count += 1
        return count

    def add(self, row: Mapping[str, Any]) -> None:
        source, target = row.get("source"), row.get("target")
        if not isinstance(source, ox.NamedNode) or not isinstance(target, ox.NamedNode):
            raise CatalogueError(f"{self.view.query.path}: a row without ?source or ?target IRI")
        ends = self.node_id(source.value), self.node_id(target.value)
        if not self.view.directed:
            ends = (min(ends), max(ends))
        for iri, prefix in ((source, "source_"), (target, "target_")):
            node = self.nodes.setdefault(self.node_id(iri.value), {"iri": iri.value})
            for column, term in row.items():
                name = column.removeprefix(prefix)
                if name != column and name not in node:  # a node's value is read from its first row
                    node[name] = _value(term, self.node_id)
        attributes = {
            column: _value(term, self.node_id)
            for column, term in row.items()
            if column not in ("source", "target") and not column.startswith(("source_", "target_"))
        }
        key = str(attributes.get(self.view.key, "")) if self.view.key else ""
        edge = self.edges.get((*ends, key))
        period = _period(attributes)
        if edge is None:
            edge = self.edges[(*ends, key)] = _Edge(attributes)
        elif "weight" in attributes:
            edge.attributes["weight"] = int(edge.attributes["weight"]) + int(attributes["weight"])
        if period is not None and "weight" in attributes:
            edge.weights[period] = edge.weights.get(period, 0) + int(attributes["weight"])
        elif period is not None:
            edge.weights.setdefault(period, 0)

    def graph(self, title: Mapping[str, str], filters: Mapping[str, str]) -> Network:
        graph: Network
        if self.view.directed:
            graph = nx.MultiDiGraph() if self.view.key else nx.DiGraph()
        elif self.view.key:
            graph = nx.MultiGraph()
        else:
            graph = nx.Graph()
        graph.graph.update(
            {"name": self.view.name, "title": title["vi"], "title_en": title["en"]}
            | {f"filter_{k}": v for k, v in sorted(filters.items()) if v}
        )
        node_spells: dict[str, set[Spell]] = {n: set() for n in self.nodes}
        edges = []
        for (source, target, key), edge in sorted(self.edges.items()):
            attributes = dict(edge.attributes)
            for column in _PERIOD:
                attributes.pop(column, None)
            spells = sorted(edge.weights)
            if spells:
                attributes["start"] = min(s for s, _ in spells)
                attributes["end"] = max(e for _, e in spells)
                attributes["periods"] = " ".join(period_label(s) for s in spells)
                if self.view.weights_by_period and "weight" in attributes:
                    for spell in spells:
                        attributes[f"weight_{period_label(spell)}"] = edge.weights[spell]
                attributes["spells"] = spells  # type: ignore[assignment]
                node_spells[source].update(spells)
                node_spells[target].update(spells)
            edges.append((source, target, key, attributes))
        for node_id in sorted(self.nodes):
            attributes = dict(self.nodes[node_id])
            attributes.setdefault("label", node_id)
            if node_spells[node_id]:
                spells = _merged(node_spells[node_id])
                attributes["start"] = spells[0][0]
                attributes["end"] = spells[-1][1]
                attributes["spells"] = spells  # type: ignore[assignment]
            graph.add_node(node_id, **_ordered(attributes))
        for source, target, key, attributes in edges:
            if graph.is_multigraph():
                graph.add_edge(source, target, key=key, **attributes)
            else:
                graph.add_edge(source, target, **attributes)
        return graph


def view_graph(
    store: Selects,
    view: View,
    values: Mapping[str, str],
    resolver: Resolver,
    base: str,
) -> Network:
    """The view's graph for these filter values (see `View.accepts`)."""
    given = {k: v for k, v in values.items() if v not in (None, "")}
    unknown = sorted(set(given) - set(view.accepts()))
    if unknown:
        raise ParameterError(
            f"view {view.name!r} takes no {', '.join(unknown)} filter "
            f"(it takes: {', '.join(view.accepts()) or 'none'})"
        )
    table = store.select(view.query.bind(given, resolver))
    builder = GraphBuilder(view, base)
    builder.add_rows(table.variables, table.rows)
    graph = builder.graph(view.query.title, given)
    if view.analysed:
        from cchc_graph.export.analysis import analyse

        analyse(graph)
    return graph


def period_label(spell: Spell) -> str:
    start, end = spell
    return str(start) if start == end else f"{start}-{end}"


def _period(attributes: Mapping[str, Value]) -> Spell | None:
    start, end = attributes.get("start"), attributes.get("end", attributes.get("start"))
    if isinstance(start, int) and isinstance(end, int):
        return (start, end)
    return None


def _merged(spells: Iterable[Spell]) -> list[Spell]:
    """Overlapping or touching periods as one: a node is present through all of them."""
    merged: list[Spell] = []
    for start, end in sorted(spells):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _ordered(attributes: dict[str, Value]) -> dict[str, Value]:
    first = [k for k in ("label", "label_en", "kind", "iri") if k in attributes]
    return {k: attributes[k] for k in first} | {
        k: attributes[k] for k in sorted(attributes) if k not in first
    }


def _value(term: Any, node_id: Any) -> Value:
    if isinstance(term, ox.NamedNode):
        return str(node_id(term.value))
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(term.value)
            if datatype in _FLOAT_TYPES:
                return float(term.value)
        except ValueError:
            return term.value
        return term.value
    return str(term.value)
