"""The stores behind the query layer: in memory, on disk, and a remote oxigraph server loaded
through the Graph Store Protocol (one named graph per source, replaced one at a time)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from cchc_graph.answers import SELECT_FORMATS, capped_solutions, finish_solutions
from cchc_graph.build import BuildReport
from cchc_graph.guard import QueryRefusedError, looks_like_update
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.pool import QueryPool, QueryTimeoutError, StoreSpec
from cchc_graph.remote import RemoteStore
from cchc_graph.store import (
    EmbeddedStore,
    QuerySyntaxError,
    Store,
    StoreError,
)

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TASKS = "PREFIX cchc: <https://w3id.org/cchc/def#> SELECT ?t WHERE { ?t a cchc:Task }"
SOURCE_2014 = DEFAULT_BASE + "source/000_fbdcaf704ef480ea"


def _count(store: EmbeddedStore | RemoteStore) -> int:
    return int(store.select(COUNT).column("n")[0])


def test_the_disk_store_loads_once_and_answers_like_memory(
    built: tuple[BuildReport, Path], embedded_store: EmbeddedStore, tmp_path: Path
) -> None:
    location = tmp_path / "store"
    disk = EmbeddedStore.on_disk(built[1], location)
    assert _count(disk) == _count(embedded_store) > 10_000
    marker = (location / "loaded-from.json").read_text()
    del disk
    again = EmbeddedStore.on_disk(built[1], location)  # unchanged build: not reloaded
    assert (location / "loaded-from.json").read_text() == marker
    assert sorted(again.select(TASKS).column("t")) == sorted(
        embedded_store.select(TASKS).column("t")
    )


def test_a_changed_build_reloads_the_disk_store(
    built: tuple[BuildReport, Path], tmp_path: Path
) -> None:
    build_dir = tmp_path / "build"
    shutil.copytree(built[1], build_dir)
    location = tmp_path / "store"
    first = _count(EmbeddedStore.on_disk(build_dir, location))
    graph = build_dir / "cchc.nq"
    graph.write_text(
        graph.read_text(encoding="utf-8") + "<urn:a> <urn:b> <urn:c> <urn:g> .\n", encoding="utf-8"
    )
    assert _count(EmbeddedStore.on_disk(build_dir, location)) == first + 1


def test_no_build_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `cchc build` first"):
        EmbeddedStore.in_memory(tmp_path)


def test_queries_see_the_union_of_the_named_graphs(embedded_store: EmbeddedStore) -> None:
    assert len(embedded_store.select(TASKS).rows) == 159


def test_errors_are_typed(embedded_store: EmbeddedStore) -> None:
    with pytest.raises(QuerySyntaxError):
        embedded_store.answer("SELECT WHERE")
    with pytest.raises(QueryRefusedError, match="read-only"):
        embedded_store.answer("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryRefusedError, match="unknown results format"):
        embedded_store.answer(COUNT, select_format="yaml")


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("INSERT DATA {}", True),
        ("prefix a: <urn:a#>\nprefix b: <urn:b#> delete where { ?s ?p ?o }", True),
        ("# INSERT in a comment\nSELECT * WHERE { ?s ?p ?o }", False),
        ("BASE <urn:x> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
        ("SELECT ?insert WHERE { ?insert ?p ?o }", False),
    ],
)
def test_updates_are_recognised(text: str, update: bool) -> None:
    assert looks_like_update(text) is update


def test_reloading_one_source_replaces_only_its_graph(
    oxigraph_server: str, built: tuple[BuildReport, Path], tmp_path: Path
) -> None:
    remote = RemoteStore(oxigraph_server)
    in_graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SOURCE_2014}> {{ ?s ?p ?o }} }}"
    before_total, before_one = _count(remote), int(remote.select(in_graph).column("n")[0])
    build_dir = tmp_path / "build"
    shutil.copytree(built[1], build_dir)
    graph = build_dir / "cchc.nq"
    kept = [
        line
        for line in graph.read_text(encoding="utf-8").splitlines(keepends=True)
        if not (line.rstrip().endswith(f"<{SOURCE_2014}> .") and "sourceText" in line)
    ]
    graph.write_text("".join(kept), encoding="utf-8")
    removed = before_one - sum(1 for line in kept if line.rstrip().endswith(f"<{SOURCE_2014}> ."))
    try:
        loaded = remote.load_build(build_dir, [SOURCE_2014])
        assert loaded == before_one - removed
        assert int(remote.select(in_graph).column("n")[0]) == before_one - removed
        assert _count(remote) == before_total - removed
    finally:
        remote.load_build(built[1], [SOURCE_2014])
    assert _count(remote) == before_total


def test_an_unknown_graph_is_named(oxigraph_server: str, built: tuple[BuildReport, Path]) -> None:
    with pytest.raises(StoreError, match="no graph named urn:nothing"):
        RemoteStore(oxigraph_server).load_build(built[1], ["urn:nothing"])


def test_an_unreachable_endpoint_is_named() -> None:
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9/"):
        RemoteStore("http://127.0.0.1:9/query", timeout=2).select(COUNT)


def test_the_pool_answers_from_disk_read_only(
    built: tuple[BuildReport, Path], tmp_path: Path
) -> None:
    location = tmp_path / "store"
    writable = EmbeddedStore.on_disk(built[1], location)
    expected = _count(writable)
    del writable
    pool = QueryPool(
        StoreSpec("disk", built[1], location=location, read_only=True), size=1, timeout=5
    )
    try:
        assert int(pool.select(COUNT).column("n")[0]) == expected
    finally:
        pool.close()


def test_the_pool_stops_a_slow_query(built: tuple[BuildReport, Path]) -> None:
    pool = QueryPool(StoreSpec("memory", built[1]), size=1, timeout=1)
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        with pytest.raises(QueryTimeoutError, match="stopped"):
            pool.answer(slow)
        # the one worker was replaced: the pool answers again
        assert int(pool.select(COUNT).column("n")[0]) > 10_000
    finally:
        pool.close()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_ask_answers_in_every_results_format(query_store: Store, fmt: str) -> None:
    plan = f"ASK {{ <{DEFAULT_BASE}plan/khanh-hoa/2014> ?p ?o }}"
    answer = query_store.answer(plan, select_format=fmt)
    assert answer.form == "ask"
    assert b"true" in answer.body
    assert b"false" in query_store.answer("ASK { <urn:nothing> ?p ?o }", select_format=fmt).body


def test_construct_is_cut_at_the_row_cap_on_both_stores(query_store: Store) -> None:
    answer = query_store.answer(
        "CONSTRUCT WHERE { ?s a ?type }", graph_format="ntriples", row_cap=7
    )
    assert (answer.form, answer.rows, answer.truncated) == ("graph", 7, True)
    assert answer.body.count(b"\n") == 7


# values that look like the syntax the row counting looks for
TRICKY = [
    'x},{"y":{"type":"uri"} {} ,{}, \\" \\\\',
    ',{"z',
    "line\nbreak\ttab\r\n<result></result>",
    '"]}}',
    'Sở Tư pháp, "quoted"',
    "ends as a row starts: },{",
    "[{",
]
EVERY_ROW = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o ?s"
WITH_EMPTY_ROW = "SELECT ?s ?o WHERE { { ?s ?p ?o } UNION {} } ORDER BY ?o ?s"
# what the JSON counting reads without parsing: no "{}" (an empty solution, or a value)
TRICKY_ROWS = 'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(!CONTAINS(?o, "{}")) } ORDER BY ?o ?s'


@pytest.fixture(scope="module")
def tricky_store() -> EmbeddedStore:
    store = ox.Store()
    p, g = ox.NamedNode("urn:p"), ox.NamedNode("urn:g")
    for index, value in enumerate(TRICKY):
        subject = ox.BlankNode(f"b{index}") if index % 2 else ox.NamedNode(f"urn:s{index}")
        store.add(ox.Quad(subject, p, ox.Literal(value, language="vi"), g))
        store.add(ox.Quad(ox.NamedNode(f"urn:s{index}"), p, ox.Literal(str(index)), g))
    return EmbeddedStore(store, "tricky values")


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
@pytest.mark.parametrize("query", [EVERY_ROW, WITH_EMPTY_ROW, TRICKY_ROWS])
def test_solutions_are_counted_and_cut_as_tsv_lines_would_be(
    tricky_store: EmbeddedStore, fmt: str, query: str
) -> None:
    """The answer serialised in its own format, counted and cut there, is the same as the TSV
    lines counted, cut and serialised again, at every row cap."""
    tsv = tricky_store.answer(query, select_format="tsv").body
    total = tsv.count(b"\n") - 1
    assert total == len(TRICKY) * 2 + (query == WITH_EMPTY_ROW) - (query == TRICKY_ROWS)
    for row_cap in (0, 1, 2, total - 1, total, total + 1):
        answer = tricky_store.answer(query, select_format=fmt, row_cap=row_cap)
        expected = finish_solutions(tsv, SELECT_FORMATS[fmt], row_cap)
        assert (answer.body, answer.rows, answer.truncated) == (
            expected.body,
            expected.rows,
            expected.truncated,
        ), row_cap


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_tricky_values_are_counted_without_parsing(tricky_store: EmbeddedStore, fmt: str) -> None:
    body = tricky_store.answer(TRICKY_ROWS, select_format=fmt).body
    answer = capped_solutions(body, SELECT_FORMATS[fmt], 3)
    assert answer is not None and (answer.rows, answer.truncated) == (3, True)


def _load_with(
    virtuoso_server: str, built: tuple[BuildReport, Path], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    crud = virtuoso_server.replace("/sparql", "/sparql-graph-crud-auth")
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "cchc"),
            "load",
            "--endpoint",
            virtuoso_server,
            "--graph-store",
            crud,
            "--source",
            "000_fbdcaf704ef480ea",
        ],
        env={**os.environ, "CCHC_BUILD_DIR": str(built[1]), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_virtuoso_is_loaded_with_the_login_of_a_netrc_file(
    virtuoso_server: str, built: tuple[BuildReport, Path], tmp_path: Path
) -> None:
    """Virtuoso's Graph Store asks who loads (HTTP Digest): the netrc entry of its host is
    given, and no password is on the command line."""
    refused = _load_with(virtuoso_server, built, {"NETRC": str(tmp_path / "none")})
    assert refused.returncode != 0
    assert "401" in refused.stderr and "sparql-graph-crud-auth" in refused.stderr
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login dba password dba\n", encoding="utf-8")
    netrc.chmod(0o600)
    loaded = _load_with(virtuoso_server, built, {"NETRC": str(netrc)})
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded" in loaded.stdout
    by_settings = _load_with(
        virtuoso_server,
        built,
        {
            "NETRC": str(tmp_path / "none"),
            "CCHC_GRAPH_STORE_USER": "dba",
            "CCHC_GRAPH_STORE_PASSWORD": "dba",
        },
    )
    assert by_settings.returncode == 0, by_settings.stderr


def test_virtuosos_ask_answers_are_booleans(virtuoso_server: str) -> None:
    store = RemoteStore(virtuoso_server, timeout=120)
    yes = store.answer("ASK { ?s a <https://w3id.org/cchc/def#Task> }", select_format="json")
    no = store.answer("ASK { ?s a <urn:nothing> }", select_format="json")
    assert json.loads(yes.body)["boolean"] is True
    assert json.loads(no.body)["boolean"] is False
