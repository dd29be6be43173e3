"""Shared fixtures: a graph built once from data/sources/ into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from cchc_graph.build import BuildReport, build
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.namespaces import sparql_prefixes
from cchc_graph.settings import Settings
from cchc_graph.validate import load_shapes, shape_files

ROOT = Path(__file__).parent.parent
SOURCES = ROOT / "data" / "sources"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildReport, Path]:
    """The sources' graph, built once per test session."""
    out = tmp_path_factory.mktemp("build")
    return build(Settings(), SOURCES, out), out


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    """The project's shapes (shapes/*.ttl, or CCHC_SHAPES_DIR), parsed once per session."""
    return load_shapes(shape_files(Settings().shapes_dir))


@pytest.fixture(scope="session")
def store(built: tuple[BuildReport, Path]) -> ox.Store:
    """The built graph in an in-memory pyoxigraph store."""
    graph = ox.Store()
    graph.bulk_load(path=built[1] / "cchc.trig", format=ox.RdfFormat.TRIG)
    return graph


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of all named graphs, as plain strings."""
    prefixes = sparql_prefixes({"id": DEFAULT_BASE})
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
