"""Shared fixtures: a graph built once from data/sources/ into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from cchc_graph.build import BuildReport, build
from cchc_graph.settings import Settings

ROOT = Path(__file__).parent.parent
SOURCES = ROOT / "data" / "sources"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildReport, Path]:
    """The sources' graph, built once per test session."""
    out = tmp_path_factory.mktemp("build")
    return build(Settings(), SOURCES, out), out


@pytest.fixture(scope="session")
def store(built: tuple[BuildReport, Path]) -> ox.Store:
    """The built graph in an in-memory pyoxigraph store."""
    graph = ox.Store()
    graph.bulk_load(path=built[1] / "cchc.trig", format=ox.RdfFormat.TRIG)
    return graph


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of all named graphs, as plain strings."""
    prefixes = """PREFIX cchc: <https://w3id.org/cchc/def#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX id: <https://w3id.org/cchc/id/>
"""
    result = store.query(prefixes + query, use_default_graph_as_union=True)
    rows = []
    for solution in result:  # type: ignore[union-attr]
        rows.append(
            {
                v.value: solution[v].value
                for v in result.variables  # type: ignore[union-attr]
                if solution[v] is not None
            }
        )
    return rows
