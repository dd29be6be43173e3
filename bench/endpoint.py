"""Benchmark the SPARQL endpoint: three canned queries at concurrency 8 against our `/sparql`,
against rdflib-endpoint serving the same TriG, and against `oxigraph serve` holding the same data
(loaded through the Graph Store Protocol). Reports requests/s, p50 and p99 latency and the ratios,
on the sources and on the synthetic 500-document corpus. Everything runs on 127.0.0.1; each
(server, query) gets a bounded number of requests and a time cap. The servers run side by side and
take turns, query by query, ours and oxigraph in two halves each (ours, oxigraph, oxigraph, ours),
so that a ratio compares figures taken on the same machine at the same time, even a shared one.
Ours runs twice: as served (answers kept for questions asked again, the default) and keeping no
answers (CCHC_ANSWER_CACHE=0), which is what a stream of questions never asked before gets.

Budget: our endpoint, as served, at least 10x rdflib-endpoint's throughput and at least half of
`oxigraph serve`'s, on every query; the figures without the cache are printed beside.

    python bench/endpoint.py [--count 500] [--requests 2000] [--skip-rdflib]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

QUERIES = ("tasks-led-by", "indicator-trajectory", "search")
CONCURRENCY = 8
TIME_CAP = 60.0
MIN_OVER_RDFLIB = 10.0
MIN_OF_OXIGRAPH = 0.5
HALVES = 2  # ours and oxigraph take turns, each measured in halves


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    rows: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def __add__(self, other: Result) -> Result:
        return Result(
            self.requests + other.requests,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.rows,
        )


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, path: str, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(
                "GET",
                path + "?query=" + urllib.parse.quote("ASK {}"),
                headers={"Accept": "application/sparql-results+json"},
            )
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing answered on port {port}")
        time.sleep(0.25)


@contextmanager
def server(
    command: list[str], port: int, path: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603 - our own tools
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    try:
        wait_for(port, path)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()  # rdflib-endpoint busy with a query the client gave up on
        process.wait(10)


def settle(port: int) -> None:
    """Wait for the work our server starts in the background (the validation of its graph, which
    takes one core for half a minute on the synthetic corpus), so that the figures are those of
    a running server, as oxigraph's are of a loaded one."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", "/validation")
    connection.getresponse().read()
    waited = time.monotonic() - started
    print(f"(our server's start-up work ended {waited:.1f} s after it first answered)")


def rows_of(port: int, path: str, query: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIME_CAP)
    connection.request(
        "GET",
        f"{path}?query={urllib.parse.quote(query)}",
        headers={"Accept": "application/sparql-results+json"},
    )
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"port {port}: HTTP {response.status}: {body[:300]!r}")
    return len(json.loads(body)["results"]["bindings"])


def load(port: int, path: str, query: str, requests: int) -> Result:
    """`requests` GETs from CONCURRENCY threads, each on its own keep-alive connection."""
    target = f"{path}?query={urllib.parse.quote(query)}"
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + TIME_CAP

    def worker(address: str) -> None:
        # each thread is its own client (its own loopback address), as a server sharing its
        # workers among clients counts them
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=TIME_CAP, source_address=(address, 0)
        )
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            connection.request("GET", target, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            with lock:
                latencies.append(time.perf_counter() - started)

    rows = rows_of(port, path, query)
    threads = [
        threading.Thread(target=worker, args=(f"127.0.2.{n + 1}",)) for n in range(CONCURRENCY)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(latencies), time.perf_counter() - started, latencies, rows)


def bench_corpus(name: str, build_dir: Path, requests: int, skip_rdflib: bool) -> bool:
    from bench.queries import bound_queries
    from cchc_graph.settings import Settings
    from cchc_graph.store import EmbeddedStore, RemoteStore

    queries = bound_queries(EmbeddedStore.in_memory(build_dir), Settings().queries_dir)
    results: dict[tuple[str, str], Result] = {}

    with ExitStack() as running:
        # ours as served, and keeping no answers: what a stream of new questions gets
        ours, uncached = free_port(), free_port()
        for port, cache in ((ours, "64"), (uncached, "0")):
            environment = {
                "CCHC_BUILD_DIR": str(build_dir),
                "CCHC_ROW_CAP": "1000000",
                "CCHC_ANSWER_CACHE": cache,
            }
            command = [str(BIN / "cchc"), "serve", "--port", str(port)]
            running.enter_context(server(command, port, "/sparql", environment))
        oxigraph = free_port()
        running.enter_context(
            server(
                [
                    str(BIN / "oxigraph"),
                    "serve",
                    "--bind",
                    f"127.0.0.1:{oxigraph}",
                    "--union-default-graph",
                ],
                oxigraph,
                "/query",
            )
        )
        RemoteStore(f"http://127.0.0.1:{oxigraph}/query", timeout=600).load_build(build_dir)
        rdflib_port = free_port()
        rdflib = None
        if not skip_rdflib:
            rdflib = running.enter_context(
                server(
                    [
                        str(BIN / "rdflib-endpoint"),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(rdflib_port),
                        str(build_dir / "cchc.trig"),
                    ],
                    rdflib_port,
                    "/",
                )
            )
        settle(ours)
        settle(uncached)
        turns = [
            ("cchc", ours, "/sparql"),
            ("oxigraph", oxigraph, "/query"),
            ("cchc, no cache", uncached, "/sparql"),
        ]
        for query in QUERIES:
            for turn in range(HALVES):  # ours, oxigraph, then oxigraph, ours: drift cancels
                for key, port, path in turns if turn % 2 == 0 else turns[::-1]:
                    half = load(port, path, queries[query], max(1, requests // HALVES))
                    results[(key, query)] = results[(key, query)] + half if turn else half
            if rdflib is None:
                continue
            try:
                results[("rdflib-endpoint", query)] = load(
                    rdflib_port, "/", queries[query], max(CONCURRENCY, requests // 10)
                )
            except (OSError, RuntimeError) as error:  # no answer within the time cap
                print(f"rdflib-endpoint, {query}: {type(error).__name__}: {error}")
                stop(rdflib)  # still busy with it: it would slow down what comes next
                rdflib = None

    print(f"\n{name}")
    print(
        f"{'query':22} {'server':16} {'rows':>5} {'requests':>8} {'req/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8}"
    )
    ok = True
    for query in QUERIES:
        for server_name in ("cchc", "cchc, no cache", "oxigraph", "rdflib-endpoint"):
            result = results.get((server_name, query))
            if result is None:
                continue
            print(
                f"{query:22} {server_name:16} {result.rows:5d} {result.requests:8d} "
                f"{result.throughput:9.1f} {result.percentile(0.5):8.2f} "
                f"{result.percentile(0.99):8.2f}"
            )
        same = {r.rows for (s, q), r in results.items() if q == query}
        for label, key in (("ours", "cchc"), ("ours, no cache", "cchc, no cache")):
            mine = results[(key, query)]
            ratios = []
            of_oxigraph = mine.throughput / results[("oxigraph", query)].throughput
            good = of_oxigraph >= MIN_OF_OXIGRAPH
            ratios.append(f"{of_oxigraph:.2f}x oxigraph serve")
            if ("rdflib-endpoint", query) in results:
                over_rdflib = mine.throughput / results[("rdflib-endpoint", query)].throughput
                good &= over_rdflib >= MIN_OVER_RDFLIB
                ratios.append(f"{over_rdflib:.1f}x rdflib-endpoint")
            if len(same) > 1:
                ratios.append("ANSWERS DIFFER")
                good = False
            if key == "cchc":  # the budget is the served configuration's, the default
                ok &= good
            print(f"{'':22} {label} = {', '.join(ratios)}  {'ok' if good else 'OVER BUDGET'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument("--skip-sources", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    from bench.synthetic import built_graph, corpus

    ok = True
    if not args.skip_sources:
        graph = built_graph("sources", ROOT / "data" / "sources")
        ok &= bench_corpus("sources", graph.parent, args.requests, args.skip_rdflib)
    if not args.skip_synthetic:
        graph = built_graph("synthetic", corpus(args.count))
        ok &= bench_corpus(
            f"synthetic ({args.count} documents)",
            graph.parent,
            max(CONCURRENCY, args.requests // 4),
            args.skip_rdflib,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
