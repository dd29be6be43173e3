"""The W3C SPARQL 1.1 Protocol tests (tests/data/w3c/, copied unchanged with their licence), run
against `cchc serve`'s app under a real uvicorn server.

The runner reads the manifest: each test is one or more HTTP requests with the response they must
get (a status class, a result format, an ASK answer). The three data files are served as the
named graphs the manifest calls them (http://kasei.us/2009/09/sparql/data/dataN.rdf). Every
query test must pass as written. The endpoint is read-only: every update request is refused with
403, the status the protocol gives a service that does not allow the operation, so the requests
of an update test that would check the update's effect are not sent.
"""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF

from cchc_graph.settings import Settings
from tests.conftest import free_port, in_process_server

HERE = Path(__file__).parent / "data" / "w3c" / "sparql11-protocol"
MANIFEST = HERE / "manifest.ttl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DATA = "http://kasei.us/2009/09/sparql/data/"

# what each expected format may be answered in
FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"),
}


@dataclass(frozen=True)
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[str]  # "2xx", "3xx", "4xx"
    result_format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    exchanges: tuple[Exchange, ...]

    @property
    def is_update(self) -> bool:
        """An update test: its first request is an update, well-formed or not."""
        return "update" in self.name


def load_manifest() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, graph.value(manifest, MF.entries))
    return [_test(graph, entry) for entry in entries]


def _test(graph: rdflib.Graph, entry: rdflib.term.Node) -> ProtocolTest:
    action = graph.value(entry, MF.action)
    exchanges = []
    for request in Collection(graph, graph.value(action, HT.requests)):
        headers = tuple(
            (str(graph.value(h, HT.fieldName)).lower(), str(graph.value(h, HT.fieldValue)))
            for h in Collection(graph, graph.value(request, HT.headers) or RDF.nil)
        )
        body_node = graph.value(request, HT.body)
        body = None
        if body_node is not None:
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = str(graph.value(body_node, CNT.chars)).encode(encoding)
        response = graph.value(request, HT.resp)
        statuses = frozenset(
            str(status).rsplit("StatusCode", 1)[1]
            for status in graph.objects(response, MF.expectedStatus)
        )
        expected_format = graph.value(response, MF.expectedFormat)
        boolean = graph.value(response, MF.expectedBoolean)
        path = str(graph.value(request, HT.absolutePath))
        exchanges.append(
            Exchange(
                str(graph.value(request, HT.methodName)),
                path.replace("/sparql/", "/sparql", 1),
                headers,
                body,
                statuses,
                str(expected_format) if expected_format is not None else None,
                bool(boolean.toPython()) if boolean is not None else None,
            )
        )
    title = str(graph.value(entry, MF.name))
    return ProtocolTest(str(entry).rsplit("#", 1)[1], title, tuple(exchanges))


TESTS = load_manifest()


@pytest.fixture(scope="module")
def w3c_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The three data files as named graphs in a build of their own, served on a free port."""
    build = tmp_path_factory.mktemp("w3c-build")
    quads = []
    for number in (1, 2, 3):
        graph = f"<{DATA}data{number}.rdf>"
        for line in (HERE / f"data{number}.nt").read_text(encoding="utf-8").splitlines():
            if line.strip():
                quads.append(line.rstrip().removesuffix(".").rstrip() + f" {graph} .")
    (build / "cchc.nq").write_text("\n".join(quads) + "\n", encoding="utf-8")
    (build / "cchc.trig").write_text("", encoding="utf-8")
    (build / "report.json").write_text(json.dumps({"documents": []}), encoding="utf-8")
    with in_process_server(Settings(build_dir=build, port=free_port())) as url:
        yield url


def send(url: str, exchange: Exchange) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        headers = dict(exchange.headers)
        connection.request(exchange.method, exchange.target, body=exchange.body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("content-type") or "", response.read()
    finally:
        connection.close()


def ask_answer(media: str, body: bytes) -> bool:
    if media.startswith("application/sparql-results+json"):
        return bool(json.loads(body)["boolean"])
    element = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None and element.text is not None
    return element.text.strip() == "true"


def test_the_manifest_is_read_whole() -> None:
    assert len(TESTS) == 34
    assert all(test.exchanges for test in TESTS)
    assert sum(1 for test in TESTS if test.is_update) == 14


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(test: ProtocolTest, w3c_endpoint: str) -> None:
    for exchange in test.exchanges:
        status, media, body = send(w3c_endpoint, exchange)
        if test.is_update:
            # a read-only service refuses every update, well-formed or not
            assert status == 403, (test.title, status, body[:300])
            return
        assert f"{status // 100}xx" in exchange.statuses, (test.title, status, body[:300])
        if exchange.result_format is not None:
            assert media.split(";")[0].strip() in FORMATS[exchange.result_format], (
                test.title,
                media,
            )
        if exchange.boolean is not None:
            assert ask_answer(media, body) is exchange.boolean, (test.title, body[:300])
