"""The endpoint and pages facing the public, tried as an attacker and a careless client would
(issue 11): no outbound request, nothing echoed unescaped, slow clients do not take every
worker, every query bounded in time and memory, every cache in bytes, and a client's mistake
is a 4xx, never a 500."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from cchc_graph.build import BuildReport
from tests.conftest import RunningEndpoint, ServerProcess, rss_mib, serving
from tests.test_endpoint import Reply, get
from tests.test_endpoint import http as fetch

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
CROSS_PRODUCT = "SELECT ?a ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
CHEAP = "PREFIX cchc: <https://w3id.org/cchc/def#> ASK { ?t a cchc:Task }"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(4096) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.socket.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


# ------------------------------------------------------------------ no outbound request


def test_service_reaches_nothing(endpoint: RunningEndpoint, listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}/sparql"
    queries = [
        f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX t: <http://127.0.0.1:{listener.port}/> "
        "SELECT * { SERVICE t:sparql { ?s ?p ?o } }",
        f"SELECT * {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        for reply in (
            get(endpoint, query),
            fetch(
                f"{endpoint.url}/sparql",
                data=query.encode(),
                headers={"Content-Type": "application/sparql-query"},
            ),
            fetch(f"{endpoint.url}/sparql-editor?" + urllib.parse.urlencode({"query": query})),
        ):
            assert reply.status in (200, 400), reply.text
            assert "SERVICE" in reply.text and "refused" in reply.text
    time.sleep(0.5)
    assert listener.received == []


def test_the_service_description_claims_no_federation(endpoint: RunningEndpoint) -> None:
    reply = fetch(f"{endpoint.url}/sparql", headers={"Accept": "text/turtle"})
    assert reply.status == 200
    assert "UnionDefaultGraph" in reply.text
    assert "BasicFederatedQuery" not in reply.text


def test_an_allowed_service_is_queried_and_described(
    built: tuple[BuildReport, Path], oxigraph_server: str
) -> None:
    with serving(built[1], service_allow=oxigraph_server, workers="2") as server:
        query = (
            "PREFIX cchc: <https://w3id.org/cchc/def#> SELECT (COUNT(*) AS ?n) WHERE { "
            f"SERVICE <{oxigraph_server}> {{ ?t a cchc:Task }} }}"
        )
        reply = fetch(
            f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": "text/tab-separated-values"},
        )
        assert reply.status == 200, reply.text
        assert reply.text.split("\n")[1] == "159"  # the tasks of the five sources
        described = fetch(f"{server.url}/sparql", headers={"Accept": "text/turtle"})
        assert "BasicFederatedQuery" in described.text


# ------------------------------------------------------------------ nothing echoed raw


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(
    "path",
    [
        "/id/{}",
        "/source/{}",
        "/queries/{}",
        "/export/{}.ttl",
        "/graph?view={}",
        "/{}",
        "/?offset={}",
        "/id/plan/khanh-hoa/2014?_format={}",
        "/api/queries/{}",
    ],
)
def test_what_a_client_sends_comes_back_escaped(
    endpoint: RunningEndpoint, path: str, payload: str
) -> None:
    reply = fetch(
        endpoint.url + path.format(urllib.parse.quote(payload, safe="")),
        headers={"Accept": "text/html"},
    )
    assert 400 <= reply.status < 500, (path, reply.status)
    assert payload not in reply.text
    assert "alert(1)" not in reply.text or "&lt;" in reply.text or "&#34;" in reply.text


# ------------------------------------------------------------------ a client's mistakes: 4xx

HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "ố Sở Tư pháp",
    "%FF%FE",
    "%00",
    "-1",
    "abc",
    "1e999",
    "99999999999999999999999",
    "../../../etc/passwd",
    "",
    "((((",
    "http://127.0.0.1:1/x",
    "a" * 3000,
)
ROUTES = (
    "/",
    "/?offset={}",
    "/?lang={}",
    "/id/{}",
    "/id/plan/khanh-hoa/2014?offset={}",
    "/id/agency-type/so-tu-phap?offset={}",
    "/id/plan/khanh-hoa/2014?_format={}",
    "/id/plan/khanh-hoa/2014.{}",
    "/source/{}",
    "/search?q={}",
    "/queries/{}",
    "/queries/tasks-led-by?agency={}&limit={}",
    "/queries/due-between?from={}&to={}",
    "/sparql?query={}",
    "/sparql?query=ASK%7B%7D&default-graph-uri={}",
    "/sparql?query=ASK%7B%7D&named-graph-uri={}",
    "/sparql?query=ASK%7B%7D&format={}",
    "/sparql-editor?query={}",
    "/sparql-editor?example={}",
    "/api/queries/{}",
    "/api/queries/{}.rq",
    "/api/queries/tasks-led-by?agency={}&format={}",
    "/api/queries/plan-tasks?plan={}",
    "/export/{}",
    "/export/assignments.graphml?province={}&from={}&to={}&role={}",
    "/export/plan.dot?plan={}",
    "/dump/{}",
    "/dump.{}",
    "/dump/{}.ttl",
    "/graph?view={}",
    "/graph?view=plan&plan={}",
    "/validation?lang={}",
)


def test_no_hostile_value_gets_a_5xx(endpoint: RunningEndpoint) -> None:
    """Every route with every hostile value, as path segment and as parameter: a 4xx or an
    answer, never a 500 or 502 (a 503 would be the server's load, which this sweep must not
    cause either)."""
    failures = []
    for route in ROUTES:
        for value in HOSTILE:
            quoted = value if value.startswith("%") else urllib.parse.quote(value, safe="")
            for accept in ("text/html", "*/*"):
                reply = fetch(endpoint.url + route.format(*([quoted] * route.count("{}"))),
                             headers={"Accept": accept})
                if reply.status >= 500:
                    failures.append((route, value[:20], accept, reply.status, reply.text[:120]))
    assert failures == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"SELECT * WHERE { ?s ?p '\xff\xfe' }", "application/sparql-query"),
        (b"query=SELECT%20*%20WHERE%20%7B%7D&x=\xff", "application/x-www-form-urlencoded"),
        (b"\x00\x01\x02", "application/sparql-query"),
        (b"query=ASK{}", "text/plain"),
        (b"query=ASK{}", "multipart/form-data; boundary=x"),
        (b"", "application/sparql-query"),
    ],
    ids=["not-utf8", "form-not-utf8", "binary", "text-plain", "multipart", "empty"],
)
def test_a_malformed_post_is_a_4xx(
    endpoint: RunningEndpoint, body: bytes, content_type: str
) -> None:
    reply = fetch(f"{endpoint.url}/sparql", data=body, headers={"Content-Type": content_type})
    assert 400 <= reply.status < 500, reply.text


def test_a_vietnamese_letter_in_an_iri_path_gets_the_404_page(endpoint: RunningEndpoint) -> None:
    reply = fetch(
        endpoint.url + "/id/agency/khanh-hoa/" + urllib.parse.quote("sở-tư-pháp"),
        headers={"Accept": "text/html"},
    )
    assert reply.status == 404
    assert "<h1>404" in reply.text
    assert all(ord(c) < 128 for c in reply.headers.get("link", ""))


# ------------------------------------------------------------------ bounded queries


def cheap_status(server: ServerProcess) -> int:
    return fetch(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": CHEAP})).status


def test_a_deeply_nested_query_is_refused_and_kills_no_worker(
    built: tuple[BuildReport, Path],
) -> None:
    nested = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    with serving(built[1], workers="2") as server:
        before = sorted(server.children())
        for _ in range(10):
            reply = fetch(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": nested}))
            assert reply.status == 400 and "nests" in reply.text
        assert sorted(server.children()) == before
        assert cheap_status(server) == 200


def test_a_query_past_its_memory_is_stopped_and_the_worker_never_grows_past_it(
    built: tuple[BuildReport, Path],
) -> None:
    with serving(
        built[1], workers="2", query_memory="256", query_timeout="30", long_after="60"
    ) as server:
        peak = {"rss": 0.0}
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                for pid in server.children():
                    peak["rss"] = max(peak["rss"], rss_mib(pid))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        reply = fetch(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": CROSS_PRODUCT}))
        done.set()
        watcher.join()
        assert reply.status == 503
        assert "more than the 256 MiB" in reply.text
        assert time.monotonic() - started < 30  # stopped by its memory, not by the timeout
        assert peak["rss"] < 256 + 400  # the store and Python, plus what one query may take
        assert cheap_status(server) == 200


def test_a_cross_product_without_order_stops_at_the_row_cap_at_once(
    endpoint: RunningEndpoint,
) -> None:
    """The answer is written until its row cap and no further: 100 million rows are not
    computed to keep 500."""
    started = time.monotonic()
    reply = get(endpoint, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", accept="text/csv")
    assert reply.status == 200
    assert reply.headers["x-result-rows"] == "500"
    assert reply.headers["x-result-truncated"].startswith("true")
    assert time.monotonic() - started < 2.5  # well within the 3 s timeout of the fixture


def test_a_body_past_the_limit_is_413_and_distinct_large_queries_do_not_grow_the_server(
    built: tuple[BuildReport, Path],
) -> None:
    with serving(built[1], workers="2", body_limit="1024", answer_cache="16") as server:
        port = int(server.url.rsplit(":", 1)[1])
        assert _announce_body(port, 5 << 20).startswith(b"HTTP/1.1 413")  # before it is sent
        long_url = f"{server.url}/sparql?query=ASK%7B%7D%23" + "x" * (2 << 20)
        assert 400 <= fetch(long_url).status < 500  # uvicorn refuses a URL this long itself
        baseline = rss_mib(server.process.pid)
        for index in range(60):
            query = f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 # {index} " + "y" * (900 << 10)
            answered = fetch(
                f"{server.url}/sparql",
                data=query.encode(),
                headers={"Content-Type": "application/sparql-query"},
            )
            assert answered.status == 200
        # 60 queries of 900 KB, each kept only within the 16 MiB answer cache
        assert rss_mib(server.process.pid) - baseline < 120


def _announce_body(port: int, size: int) -> bytes:
    """Announce a POST body of `size` bytes, send only its start, and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode()
            + b"SELECT * WHERE { ?s ?p ?o } #"
        )
        return connection.recv(4096)


# ------------------------------------------------------------------ slow clients


def _ask_from(address: str, port: int, query: str, timeout: float = 60) -> Reply:
    """A request from another loopback address: another client, as the server counts them."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(address, 0)
    )
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers, response.read())
    finally:
        connection.close()


def test_three_slow_clients_leave_workers_to_everyone_else(
    built: tuple[BuildReport, Path],
) -> None:
    with serving(built[1], query_timeout="10") as server:
        port = int(server.url.rsplit(":", 1)[1])
        stop = threading.Event()
        slow: list[Reply] = []

        def attack(address: str) -> None:
            while not stop.is_set():
                slow.append(_ask_from(address, port, CROSS_PRODUCT))

        attackers = [
            threading.Thread(target=attack, args=(f"127.0.0.{n}",), daemon=True) for n in (2, 3, 4)
        ]
        for thread in attackers:
            thread.start()
        time.sleep(1.5)
        cheap: list[tuple[int, float]] = []
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            asked = time.monotonic()
            reply = _ask_from("127.0.0.5", port, CHEAP)
            page = fetch(server.url + "/id/agency-type/so-tu-phap")
            cheap.append((reply.status, time.monotonic() - asked))
            cheap.append((page.status, 0.0))
        stop.set()
        for thread in attackers:
            thread.join(40)
        assert [status for status, _ in cheap] == [200] * len(cheap)
        assert slow and all(r.status in (429, 503) for r in slow)
        stopped = [r for r in slow if "one at a time" in r.text]
        assert stopped and all("retry-after" in r.headers for r in stopped)
