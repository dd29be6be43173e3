"""A running `cchc serve` serves exactly the build it started with — through rebuilds, worker
restarts and the cleanup of old builds — until it is told to reload (SIGHUP); then every
worker serves the new build at once."""

from __future__ import annotations

import shutil
import signal
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cchc_graph.build import build
from cchc_graph.settings import Settings
from tests.conftest import SOURCES, ServerProcess, serving
from tests.test_endpoint import http

DOCUMENTS = (
    "PREFIX cchc: <https://w3id.org/cchc/def#> "
    "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a cchc:SourceDocument }"
)
STUCK = "SELECT ?a ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


def documents(server: ServerProcess) -> int:
    reply = http(
        f"{server.url}/sparql?" + urllib.parse.urlencode({"query": DOCUMENTS}),
        headers={"Accept": "text/tab-separated-values"},
    )
    assert reply.status == 200, reply.text
    return int(reply.text.split("\n")[1])


def listed(server: ServerProcess) -> int:
    """The documents the canned query lists (a query the pages' share of workers runs)."""
    reply = http(f"{server.url}/api/queries/documents?format=tsv")
    assert reply.status == 200, reply.text
    return reply.text.count("\n") - 1


def documents_from_every_worker(server: ServerProcess) -> set[int]:
    """The count asked 24 times at once, as a client's SPARQL and as the pages' canned query:
    every worker answers some of them."""
    with ThreadPoolExecutor(24) as pool:
        asked = [pool.submit(documents if n % 2 else listed, server) for n in range(24)]
        return {future.result() for future in asked}


def wait_for_workers(server: ServerProcess, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(server.children()) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_server_serves_its_build_until_it_is_told_to_reload(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    out = tmp_path / "build"
    build(Settings(), sources, out)
    first = (out / "current").resolve()
    with serving(
        out,
        sources,
        workers="3",
        query_timeout="2",
        answer_cache="0",
        client_queries="3",
        client_waiting="20",
    ) as server:
        wait_for_workers(server, 3)
        assert documents_from_every_worker(server) == {5}
        (sources / "003_15ca9d007ed5324e.txt").unlink()  # the directive
        build(Settings(), sources, out)
        build(Settings(), sources, out)  # twice: the first build is now two builds old
        assert (out / "current").resolve() != first
        assert first.is_dir()  # held by the server: cleanup left it
        assert documents_from_every_worker(server) == {5}
        # a query past the timeout: its worker is killed and a new one starts, on the same build
        stuck = http(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": STUCK}))
        assert stuck.status == 503
        wait_for_workers(server, 3)
        assert documents_from_every_worker(server) == {5}

        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while documents(server) != 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert documents_from_every_worker(server) == {4}
        build(Settings(), sources, out)
        deadline = time.monotonic() + 30
        while first.exists() and time.monotonic() < deadline:  # released once drained
            time.sleep(0.2)
            build(Settings(), sources, out)
        assert not first.exists()
