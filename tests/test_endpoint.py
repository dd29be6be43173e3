"""`cchc serve` under a real uvicorn server: the SPARQL 1.1 Protocol as clients use it
(SPARQLWrapper and plain HTTP), read-only, with errors, timeouts and row caps."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
import rdflib
import rdflib.compare
from SPARQLWrapper import CSV, JSON, JSONLD, TURTLE, XML, SPARQLWrapper

from cchc_graph.iris import DEFAULT_BASE
from tests.conftest import ENDPOINT_ROW_CAP, ENDPOINT_TIMEOUT, RunningEndpoint
from tests.test_queries import READINGS

CCHC = "PREFIX cchc: <https://w3id.org/cchc/def#>\n"
COUNT_TASKS = CCHC + "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a cchc:Task }"
# a cross product of the graph with itself: minutes of work, far past the test timeout
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STR(?c) = STR(?f)) }"
SOURCE_2014 = DEFAULT_BASE + "source/000_fbdcaf704ef480ea"
SOURCE_CAO_BANG = DEFAULT_BASE + "source/001_e700a40f57bf9176"
TASKS_2014 = 38  # 34 annex tasks in sections I-VI and 4 "Tổ chức thực hiện" items


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def http(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
    timeout: float = 30,
) -> Reply:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def get(endpoint: RunningEndpoint, query: str, accept: str | None = None, **params: str) -> Reply:
    query_string = urllib.parse.urlencode({"query": query, **params})
    return http(
        f"{endpoint.url}/sparql?{query_string}", headers={"Accept": accept} if accept else {}
    )


def client(endpoint: RunningEndpoint, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{endpoint.url}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


# ------------------------------------------------------------------ SPARQLWrapper as the client


def test_sparqlwrapper_json(endpoint: RunningEndpoint) -> None:
    result = client(endpoint, COUNT_TASKS, JSON).queryAndConvert()
    assert result["results"]["bindings"][0]["n"]["value"] == "159"  # type: ignore[index]


def test_sparqlwrapper_xml(endpoint: RunningEndpoint) -> None:
    document = client(endpoint, COUNT_TASKS, XML).queryAndConvert()
    literals = document.getElementsByTagName("literal")  # type: ignore[union-attr]
    assert [node.firstChild.data for node in literals] == ["159"]


def test_sparqlwrapper_csv(endpoint: RunningEndpoint) -> None:
    query = CCHC + "SELECT ?id WHERE { ?t cchc:localId ?id ; cchc:inDocument <%s> }" % (
        DEFAULT_BASE + "plan/khanh-hoa/2014"
    )
    body = client(endpoint, query, CSV).queryAndConvert()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))  # type: ignore[union-attr]
    assert len(rows) == TASKS_2014
    assert {"II.1", "VI.10", "TCTH.4"} <= {row["id"] for row in rows}


@pytest.mark.parametrize("fmt", [TURTLE, XML, JSONLD])
def test_sparqlwrapper_construct(endpoint: RunningEndpoint, fmt: str) -> None:
    task = DEFAULT_BASE + "task/khanh-hoa-2014/II.1"
    query = CCHC + f"CONSTRUCT {{ <{task}> ?p ?o }} WHERE {{ <{task}> ?p ?o }}"
    result = client(endpoint, query, fmt).queryAndConvert()
    if isinstance(result, bytes):
        result = rdflib.Graph().parse(data=result, format="turtle" if fmt == TURTLE else "json-ld")
    assert isinstance(result, rdflib.Graph)
    ids = set(
        result.objects(rdflib.URIRef(task), rdflib.URIRef("https://w3id.org/cchc/def#localId"))
    )
    assert ids == {rdflib.Literal("II.1")}
    assert len(result) > 10


def test_sparqlwrapper_ask(endpoint: RunningEndpoint) -> None:
    query = CCHC + f"ASK {{ <{DEFAULT_BASE}plan/khanh-hoa/2023> a cchc:Plan }}"
    assert client(endpoint, query, JSON).queryAndConvert()["boolean"] is True  # type: ignore[index]


# ------------------------------------------------------------------ the protocol over plain HTTP


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_select_formats_by_accept(
    endpoint: RunningEndpoint, accept: str | None, media: str
) -> None:
    reply = get(endpoint, COUNT_TASKS, accept)
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == media
    assert "159" in reply.text
    assert "Accept" in reply.headers["vary"]


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_select_formats_by_parameter(endpoint: RunningEndpoint, fmt: str, media: str) -> None:
    reply = get(endpoint, COUNT_TASKS, "text/turtle", format=fmt)
    assert reply.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("accept", "parse_as"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_parse_back_to_the_same_triples(
    endpoint: RunningEndpoint, accept: str, parse_as: str
) -> None:
    plan = DEFAULT_BASE + "plan/khanh-hoa/2017"
    query = f"CONSTRUCT {{ <{plan}> ?p ?o }} WHERE {{ <{plan}> ?p ?o }}"
    reference = rdflib.Graph().parse(
        data=get(endpoint, query, "application/n-triples").text, format="nt"
    )
    reply = get(endpoint, query, accept)
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == accept
    graph = rdflib.Graph().parse(data=reply.text, format=parse_as)
    assert rdflib.compare.isomorphic(graph, reference)
    assert len(graph) > 5


def test_post_form_and_post_query(endpoint: RunningEndpoint) -> None:
    form = urllib.parse.urlencode({"query": COUNT_TASKS}).encode()
    by_form = http(
        f"{endpoint.url}/sparql",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
    )
    direct = http(
        f"{endpoint.url}/sparql",
        data=COUNT_TASKS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert by_form.status == direct.status == 200
    assert by_form.text == direct.text == "n\r\n159\r\n"


def test_default_graph_uri_is_honoured(endpoint: RunningEndpoint) -> None:
    query = CCHC + "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a cchc:Task }"
    one = get(endpoint, query, "text/csv", **{"default-graph-uri": SOURCE_2014})
    assert one.text.split() == ["n", str(TASKS_2014)]
    form = urllib.parse.urlencode(
        [
            ("query", query),
            ("default-graph-uri", SOURCE_2014),
            ("default-graph-uri", SOURCE_CAO_BANG),
        ]
    ).encode()
    two = http(
        f"{endpoint.url}/sparql",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
    )
    assert int(two.text.split()[1]) == TASKS_2014 + 42  # Cao Bằng: 34 annex tasks and 8 TCTH


def test_named_graph_uri_is_honoured(endpoint: RunningEndpoint) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    every = get(endpoint, query, "text/csv")
    assert SOURCE_2014 in every.text and SOURCE_CAO_BANG in every.text
    one = get(endpoint, query, "text/csv", **{"named-graph-uri": SOURCE_CAO_BANG})
    assert one.text.split() == ["g", SOURCE_CAO_BANG]


def test_from_in_the_query_names_the_dataset(endpoint: RunningEndpoint) -> None:
    """FROM is honoured (the union of all graphs is the default only when nothing names a
    dataset); the request's graphs override the query's."""
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    everything = int(get(endpoint, count.format(""), "text/csv").text.split()[1])
    one = int(get(endpoint, count.format(f"FROM <{SOURCE_2014}>"), "text/csv").text.split()[1])
    alone = get(endpoint, count.format(""), "text/csv", **{"default-graph-uri": SOURCE_2014})
    assert 0 < one < everything
    assert one == int(alone.text.split()[1])
    overridden = get(
        endpoint,
        count.format(f"FROM <{SOURCE_CAO_BANG}>"),
        "text/csv",
        **{"default-graph-uri": SOURCE_2014},
    )
    assert int(overridden.text.split()[1]) == one
    named = "SELECT DISTINCT ?g FROM NAMED <{}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert get(endpoint, named.format(SOURCE_CAO_BANG), "text/csv").text.split() == [
        "g",
        SOURCE_CAO_BANG,
    ]


def test_a_default_graph_alone_leaves_no_named_graph(endpoint: RunningEndpoint) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    reply = get(endpoint, query, "text/csv", **{"default-graph-uri": SOURCE_2014})
    assert reply.text.split() == ["g"]


def test_relative_iris_resolve_against_the_endpoint(endpoint: RunningEndpoint) -> None:
    reply = get(endpoint, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples")
    assert reply.status == 200
    assert f"<{endpoint.url}/s> <{endpoint.url}/p>" in reply.text


def test_one_query_per_request(endpoint: RunningEndpoint) -> None:
    both = urllib.parse.urlencode([("query", "ASK {}"), ("query", "SELECT * {}")])
    assert http(f"{endpoint.url}/sparql?{both}").status == 400
    form = http(
        f"{endpoint.url}/sparql",
        data=both.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status == 400


def test_service_description_without_a_query(endpoint: RunningEndpoint) -> None:
    reply = http(f"{endpoint.url}/sparql")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=reply.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(f"{endpoint.url}/sparql")
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert len(list(graph.objects(service, sd.resultFormat))) == 8
    dataset = graph.value(service, sd.defaultDataset)
    assert (graph.value(dataset, sd.defaultGraph), rdflib.RDF.type, sd.Graph) in graph
    names = {str(graph.value(n, sd.name)) for n in graph.objects(dataset, sd.namedGraph)}
    assert {SOURCE_2014, SOURCE_CAO_BANG} <= names
    as_ntriples = http(f"{endpoint.url}/sparql", headers={"Accept": "application/n-triples"})
    assert as_ntriples.headers["content-type"].startswith("application/n-triples")
    again = rdflib.Graph().parse(data=as_ntriples.text, format="nt")
    assert len(again) == len(graph)


def test_a_cors_preflight_for_a_posted_query_is_answered(endpoint: RunningEndpoint) -> None:
    reply = http(
        f"{endpoint.url}/sparql",
        method="OPTIONS",
        headers={
            "Origin": "http://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert reply.status == 200
    assert "POST" in reply.headers["access-control-allow-methods"]
    assert "content-type" in reply.headers["access-control-allow-headers"].lower()


def test_head_wherever_get_works(endpoint: RunningEndpoint) -> None:
    query = f"{endpoint.url}/sparql?" + urllib.parse.urlencode({"query": COUNT_TASKS})
    for url in (query, f"{endpoint.url}/", f"{endpoint.url}/sparql"):
        got, head = http(url), http(url, method="HEAD")
        assert head.status == got.status == 200, url
        assert head.body == b""
        assert head.headers["content-type"] == got.headers["content-type"]


@pytest.mark.parametrize(
    "query,accept,status,media",
    [
        (COUNT_TASKS, "text/turtle", 406, None),
        ("CONSTRUCT WHERE { ?s a <urn:x> }", "application/sparql-results+json", 406, None),
        (COUNT_TASKS, "text/*", 200, "text/csv"),
        (COUNT_TASKS, "*/*", 200, "application/sparql-results+json"),
        (
            "ASK {}",
            "application/sparql-results+xml, */*;q=0.1",
            200,
            "application/sparql-results+xml",
        ),
    ],
)
def test_an_accept_that_cannot_be_met_is_406(
    endpoint: RunningEndpoint, query: str, accept: str, status: int, media: str | None
) -> None:
    reply = get(endpoint, query, accept)
    assert reply.status == status, reply.body[:200]
    if media is not None:
        assert reply.headers["content-type"].split(";")[0] == media


def test_cors_for_get(endpoint: RunningEndpoint) -> None:
    url = f"{endpoint.url}/sparql?" + urllib.parse.urlencode({"query": COUNT_TASKS})
    reply = http(url, headers={"Origin": "http://example.org"})
    assert reply.headers["access-control-allow-origin"] == "*"


# ------------------------------------------------------------------ refusals and limits


@pytest.mark.parametrize(
    "send",
    [
        lambda url: http(
            f"{url}/sparql",
            data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Content-Type": "application/sparql-update"},
        ),
        lambda url: http(
            f"{url}/sparql",
            data=urllib.parse.urlencode({"update": "DELETE WHERE { ?s ?p ?o }"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        lambda url: http(f"{url}/sparql?" + urllib.parse.urlencode({"update": "CLEAR ALL"})),
        lambda url: http(
            f"{url}/sparql?" + urllib.parse.urlencode({"query": "PREFIX x: <urn:x#> DROP ALL"})
        ),
        lambda url: http(
            f"{url}/sparql",
            data=b"  # a comment\nINSERT DATA { <urn:a> <urn:b> 1 }",
            headers={"Content-Type": "application/sparql-query"},
        ),
    ],
)
def test_every_update_is_refused(endpoint: RunningEndpoint, send) -> None:  # type: ignore[no-untyped-def]
    reply = send(endpoint.url)
    assert reply.status == 403
    assert "read-only" in reply.text
    assert "159" in get(endpoint, COUNT_TASKS, "text/csv").text


def test_a_malformed_query_gets_400_with_the_parsers_message(endpoint: RunningEndpoint) -> None:
    reply = get(endpoint, "SELECT ?x WHERE { ?x ?y }")
    assert reply.status == 400
    assert reply.text.startswith("malformed query: ")
    assert "1:" in reply.text  # the parser names the line and column


def test_an_answer_past_the_row_cap_is_cut_and_says_so(endpoint: RunningEndpoint) -> None:
    reply = get(endpoint, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert reply.status == 200
    assert len(reply.text.strip().split("\r\n")) == ENDPOINT_ROW_CAP + 1
    assert reply.headers["x-result-truncated"].startswith("true")
    graph = get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert len(graph.text.strip().split("\n")) == ENDPOINT_ROW_CAP
    assert "x-result-truncated" in graph.headers
    small = get(endpoint, COUNT_TASKS, "text/csv")
    assert "x-result-truncated" not in small.headers


def test_a_slow_query_is_stopped_and_others_still_get_answers(endpoint: RunningEndpoint) -> None:
    slow: list[Reply] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: slow.append(get(endpoint, SLOW, timeout=60)))
    worker.start()
    time.sleep(0.5)
    answered = []
    while worker.is_alive() and time.monotonic() - started < 30:
        begin = time.monotonic()
        reply = get(endpoint, COUNT_TASKS, "text/csv")
        answered.append((reply.status, time.monotonic() - begin))
        time.sleep(0.2)
    worker.join()
    elapsed = time.monotonic() - started
    assert slow[0].status == 503
    assert "stopped" in slow[0].text
    assert ENDPOINT_TIMEOUT <= elapsed < ENDPOINT_TIMEOUT + 10
    assert len(answered) >= 3
    assert all(status == 200 and seconds < 2 for status, seconds in answered)
    # the stopped worker is replaced: the endpoint answers several queries at once again
    replies: list[Reply] = []
    threads = [
        threading.Thread(target=lambda: replies.append(get(endpoint, COUNT_TASKS)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in replies] == [200] * 4


# ------------------------------------------------------------------ canned queries over HTTP


def test_the_canned_queries_are_listed(endpoint: RunningEndpoint) -> None:
    listed = json.loads(http(f"{endpoint.url}/api/queries").text)
    names = {q["name"] for q in listed}
    assert len(listed) >= 15
    assert {"tasks-led-by", "search", "indicator-trajectory"} <= names
    led = next(q for q in listed if q["name"] == "tasks-led-by")
    assert led["title"]["vi"].startswith("Nhiệm vụ do")
    assert led["parameters"][0] == {
        "name": "agency",
        "type": "agency",
        "default": "Sở Tư pháp",
        "label": {"vi": "Cơ quan hoặc loại cơ quan", "en": "Agency or agency type"},
    }
    text = http(led["sparql"]).text
    assert "$agency" in text and "SELECT" in text


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_canned_query_in_every_format(endpoint: RunningEndpoint, fmt: str) -> None:
    url = f"{endpoint.url}/api/queries/tasks-led-by?agency=so+tu+phap&format={fmt}"
    reply = http(url)
    assert reply.status == 200
    if fmt == "json":
        rows = json.loads(reply.text)["results"]["bindings"]
    elif fmt == "xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        rows = ET.fromstring(reply.body).findall(f"{ns}results/{ns}result")
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(reply.text)))
    else:
        rows = reply.text.strip().split("\n")[1:]
    # one row per deliverable Sở Tư pháp leads, as read in tests/expected/queries/*.yaml
    assert len(rows) == sum(
        len(e["due"]) for r in READINGS.values() for e in r["led_by_so_tu_phap"]
    )
    assert "Sở Tư pháp tỉnh Cao Bằng" in reply.text


def test_canned_query_errors(endpoint: RunningEndpoint) -> None:
    unknown = http(f"{endpoint.url}/api/queries/nothing-here")
    assert unknown.status == 404
    bad = http(f"{endpoint.url}/api/queries/tasks-led-by?agencyy=x")
    assert bad.status == 400 and "no parameter 'agencyy'" in bad.text
    ambiguous = http(f"{endpoint.url}/api/queries/tasks-led-by?agency=khanh+hoa")
    assert ambiguous.status == 400 and "ambiguous" in ambiguous.text


def test_a_browser_asking_for_sparql_gets_the_editor(endpoint: RunningEndpoint) -> None:
    page = http(f"{endpoint.url}/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status == 200
    assert "<textarea" in page.text
    # a SPARQL client with the same URL still gets the protocol
    assert http(f"{endpoint.url}/sparql").headers["content-type"].startswith("text/turtle")
