"""export: networks drawn from the graph (views), written in the formats of graph tools, and
whole-graph RDF dumps.

views.py turns one SELECT into a networkx graph, analysis.py adds centrality and communities,
formats.py writes GraphML, GEXF, Cytoscape JSON, DOT, SVG/PNG and CSV, dumps.py writes RDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cchc_graph.canned import ParameterError, Resolver
from cchc_graph.export.formats import export_format
from cchc_graph.export.views import Network, View, load_views, view_graph
from cchc_graph.store import Store


@dataclass
class Exporter:
    """The views of one store, and their files."""

    store: Store
    views_dir: Path
    base: str
    views: dict[str, View] = field(init=False)

    def __post_init__(self) -> None:
        self.views = load_views(self.views_dir)
        self.resolver = Resolver(self.store)

    def view(self, name: str) -> View:
        try:
            return self.views[name]
        except KeyError:
            raise ParameterError(
                f"no view {name!r} (one of: {', '.join(self.views)})"
            ) from None

    def graph(self, name: str, values: Mapping[str, str]) -> Network:
        return view_graph(self.store, self.view(name), values, self.resolver, self.base)

    def export(self, name: str, format_name: str, values: Mapping[str, str]) -> bytes:
        fmt = export_format(format_name)  # an unknown format fails before the query runs
        return fmt.write(self.graph(name, values))
