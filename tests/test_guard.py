"""guard.py: what a query may ask before any engine sees it. Every SERVICE is refused unless its
endpoint is allowed, however it is written; updates are refused; a query too deeply nested or
too long a chain of operators is refused (such queries crash Oxigraph's parser); data (strings,
IRIs, comments, VALUES rows) never counts as structure."""

from __future__ import annotations

import pytest

from cchc_graph.guard import (
    QueryPolicy,
    QueryRefusedError,
    UpdateRefusedError,
    check,
    looks_like_update,
    operation,
)
from tests.conftest import ROOT

ALLOWED = "http://allowed.example/sparql"
POLICY = QueryPolicy(services=frozenset({ALLOWED}))


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "select * { service silent <http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "PREFIX e: <http://127.0.0.1:9/> SELECT * { SERVICE e:x { ?s ?p ?o } }",
        "BASE <http://127.0.0.1:9/> SELECT * { SERVICE <x> { ?s ?p ?o } }",
        "SELECT * { VALUES ?e { <http://127.0.0.1:9/x> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o OPTIONAL { SERVICE <file:///etc/passwd> { ?a ?b ?c } } }",
        "ASK { SERVICE <http://allowed.example/sparql/../other> { } }",
        "SELECT * {\n# a comment\nSERVICE\n<http://127.0.0.1:9/x>\n{ ?s ?p ?o } }",
    ],
    ids=["iri", "silent", "prefixed", "base", "variable", "nested", "near-miss", "lines"],
)
def test_service_is_refused_unless_allowed(query: str) -> None:
    with pytest.raises(QueryRefusedError, match="SERVICE") as refused:
        check(query, POLICY)
    assert refused.value.http_status == 400
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        check(query, QueryPolicy())


def test_an_allowed_service_passes() -> None:
    check(f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}", POLICY)
    check(f"PREFIX w: <{ALLOWED[:-6]}> SELECT * {{ SERVICE w:sparql {{ ?s ?p ?o }} }}", POLICY)


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX service: <urn:x#> SELECT ?service WHERE { ?service service:p ?o }",
        "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9/x> { }' }",
        'SELECT * WHERE { ?s ?p """SERVICE <http://127.0.0.1:9/x>""" }',
        "# SERVICE <http://127.0.0.1:9/x>\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s <urn:SERVICE> ?o }",
    ],
    ids=["prefix-named-service", "in-a-string", "in-a-long-string", "in-a-comment", "in-an-iri"],
)
def test_the_word_service_as_data_is_not_a_service(query: str) -> None:
    check(query, QueryPolicy())


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "# a comment\nPREFIX a: <urn:a#>\n delete where { ?s ?p ?o }",
        "BASE <urn:x> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <urn:g>",
    ],
)
def test_updates_are_refused_with_403(query: str) -> None:
    with pytest.raises(UpdateRefusedError) as refused:
        check(query, QueryPolicy())
    assert refused.value.http_status == 403
    assert looks_like_update(query)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("SELECT * WHERE { ?insert ?p ?o }", "SELECT"),
        ("#+ title: x\nPREFIX a: <urn:a#>\nPREFIX b: <urn:b#>\nASK {}", "ASK"),
        ("BASE <urn:x> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("  describe <urn:x>", "DESCRIBE"),
        ("", None),
    ],
)
def test_the_first_operation_is_found_past_the_prologue(query: str, first: str | None) -> None:
    assert operation(query) == first
    assert not looks_like_update(query)


def test_nesting_is_bounded() -> None:
    nested = "SELECT * WHERE { FILTER(" + "(" * 70 + "1" + ")" * 70 + ") }"
    with pytest.raises(QueryRefusedError, match="nests more than 64"):
        check(nested, QueryPolicy())
    # 10 KB of parentheses: the query that killed a worker on every request
    with pytest.raises(QueryRefusedError, match="nests"):
        check("SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", QueryPolicy())
    check("SELECT * WHERE { FILTER(" + "(" * 60 + "1" + ")" * 60 + ") }", QueryPolicy())
    # brackets inside strings and IRIs are data
    check("SELECT * WHERE { ?s ?p '" + "(" * 500 + "' }", QueryPolicy())


@pytest.mark.parametrize(
    "chain",
    [
        "SELECT * { BIND(" + "1+" * 5000 + "1 AS ?x) }",
        "SELECT * { " + "{ ?s ?p ?o } UNION " * 3000 + "{} }",
        "SELECT * { ?s ?p " + "1, " * 5000 + "1 }",
        "SELECT * { " + "?s ?p ?o . " * 5000 + "}",
        "SELECT * { FILTER(" + "!" * 5000 + "true) }",
    ],
    ids=["plus", "union", "objects", "patterns", "not"],
)
def test_long_chains_are_bounded(chain: str) -> None:
    with pytest.raises(QueryRefusedError, match="more than the 4000"):
        check(chain, QueryPolicy())


def test_values_rows_do_not_count() -> None:
    rows = " ".join(f"(<urn:a{i}> {i})" for i in range(20_000))
    check(f"SELECT * WHERE {{ VALUES (?a ?n) {{ {rows} }} ?a ?p ?n }}", QueryPolicy())
    check(f"SELECT * WHERE {{ ?a ?p ?n }} values (?a ?n) {{ {rows} }}", QueryPolicy())


def test_every_query_we_ship_passes() -> None:
    for path in sorted((ROOT / "queries").rglob("*.rq")):
        check(path.read_text(encoding="utf-8"), QueryPolicy())


def test_an_empty_text_is_no_query() -> None:
    with pytest.raises(QueryRefusedError, match="no query"):
        check("# only a comment", QueryPolicy())
