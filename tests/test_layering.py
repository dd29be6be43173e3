"""Import rules between stages: parse/ knows no RDF; no stage imports an interface (the
command line, the web app)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "cchc_graph"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


PARSE_FILES = sorted((PACKAGE / "parse").rglob("*.py"))
# the interfaces: the command line and the web app (its pages and downloads)
INTERFACES = ("cli", "__main__", "served", "web", "web_errors", "web_exports")
STAGE_FILES = sorted(
    p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem not in INTERFACES
)


@pytest.mark.parametrize("path", PARSE_FILES, ids=[p.name for p in PARSE_FILES])
def test_parse_never_imports_rdf(path: Path) -> None:
    bad = {
        m
        for m in imports(path)
        if m.split(".")[0] in ("rdflib", "pyoxigraph")
        or m in ("cchc_graph.resources", "cchc_graph.rdf")
    }
    assert not bad


@pytest.mark.parametrize(
    "path", STAGE_FILES, ids=[str(p.relative_to(PACKAGE)) for p in STAGE_FILES]
)
def test_stages_never_import_an_interface(path: Path) -> None:
    interfaces = {f"cchc_graph.{name}" for name in INTERFACES}
    assert not imports(path) & interfaces


def test_public_api_is_pinned() -> None:
    import cchc_graph

    public = sorted(
        n
        for n in dir(cchc_graph)
        if not n.startswith("_") and not isinstance(getattr(cchc_graph, n), type(cchc_graph))
    )
    assert cchc_graph.__all__ == sorted(cchc_graph.__all__)
    assert set(cchc_graph.__all__) == set(public)
