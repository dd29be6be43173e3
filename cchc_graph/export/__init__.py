"""export: networks drawn from the graph (views), written in the formats of graph tools, and
whole-graph RDF dumps.

views.py turns one SELECT into a networkx graph, analysis.py adds centrality and communities,
formats.py writes GraphML, GEXF, Cytoscape JSON, DOT, SVG/PNG and CSV, dumps.py writes RDF.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_graph.canned import ParameterError, Resolver
from cchc_graph.export.formats import export_format
from cchc_graph.export.views import Network, View, load_views, view_graph
from cchc_graph.store import Selects

# The graphs kept for the next page or download, bounded in bytes: a networkx graph holds
# about 1.1 KB per node or edge (the synthetic assignments view: 18,000 nodes, 45,000 edges,
# 71 MB); a graph alone larger than the bound is drawn and not kept.
KEPT_BYTES = 256 << 20
BYTES_PER_ELEMENT = 1200


@dataclass
class Exporter:
    """The views of one store, and their files."""

    store: Selects
    views_dir: Path
    base: str
    views: dict[str, View] = field(init=False)

    def __post_init__(self) -> None:
        self.views = load_views(self.views_dir)
        self.resolver = Resolver(self.store)
        self._graphs: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], Network] = (
            OrderedDict()
        )
        self._kept = 0  # estimated bytes
        self._lock = threading.Lock()

    def view(self, name: str) -> View:
        try:
            return self.views[name]
        except KeyError:
            raise ParameterError(
                f"no view {name!r} (one of: {', '.join(self.views)})"
            ) from None

    def graph(self, name: str, values: Mapping[str, str]) -> Network:
        """The view's graph; the last few are kept, since a store's graph does not change while
        it is served (a page and its downloads ask for the same graph)."""
        key = (name, tuple(sorted((k, v) for k, v in values.items() if v)))
        with self._lock:
            kept = self._graphs.get(key)
            if kept is not None:
                self._graphs.move_to_end(key)
                return kept
        graph = view_graph(self.store, self.view(name), values, self.resolver, self.base)
        size = _size(graph)
        with self._lock:
            if key not in self._graphs and size <= KEPT_BYTES:
                self._graphs[key] = graph
                self._kept += size
                while self._kept > KEPT_BYTES:
                    _, old = self._graphs.popitem(last=False)
                    self._kept -= _size(old)
        return graph

    def standing(self, node_id: str) -> dict[str, Any] | None:
        """Where an agency stands in the whole cooperation network: its centrality, its rank by
        betweenness, and the other members of its community (largest degree first)."""
        graph = self.graph("cooperation", {})
        if node_id not in graph:
            return None
        data = graph.nodes[node_id]
        ranked = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["betweenness"], n))
        members = sorted(
            (n for n, d in graph.nodes(data=True) if d["community"] == data["community"]),
            key=lambda n: (-graph.nodes[n]["degree"], n),
        )
        return {
            "degree": data["degree"],
            "weighted_degree": data["weighted_degree"],
            "betweenness": data["betweenness"],
            "rank": ranked.index(node_id) + 1,
            "agencies": len(graph),
            "community": data["community"],
            "communities": max(d["community"] for _, d in graph.nodes(data=True)),
            "members": [(n, graph.nodes[n]) for n in members if n != node_id],
        }

    def export(self, name: str, format_name: str, values: Mapping[str, str]) -> bytes:
        fmt = export_format(format_name)  # an unknown format fails before the query runs
        return fmt.write(self.graph(name, values))


def _size(graph: Network) -> int:
    return (graph.number_of_nodes() + graph.number_of_edges()) * BYTES_PER_ELEMENT
