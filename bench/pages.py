"""Benchmark the browse pages: p50 and p99 render time of each page type, over HTTP from a real
`cchc serve`, on the sources and on the synthetic 500-document corpus. Each page type is asked
for a sample of different nodes (a page of a node already seen is not asked again).

Budget: p50 under 50 ms on the synthetic corpus, for every page type.

    python bench/pages.py [--count 500] [--sample 40]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
BUDGET_MS = 50.0

# page type -> a SPARQL query listing nodes of that type (their IRIs become /id/ paths)
NODES = {
    "plan": "SELECT ?n WHERE { ?n a <https://w3id.org/cchc/def#Plan> }",
    "task": "SELECT ?n WHERE { ?n a <https://w3id.org/cchc/def#Task> }",
    "agency": "SELECT ?n WHERE { ?n a <https://w3id.org/cchc/def#Agency> }",
    "agency type": "SELECT DISTINCT ?n WHERE { ?a <http://www.w3.org/ns/org#classification> ?n }",
    "instrument": "SELECT ?n WHERE { ?n a <https://w3id.org/cchc/def#LegalInstrument> }",
    "indicator": "SELECT DISTINCT ?n WHERE { ?t <https://w3id.org/cchc/def#indicator> ?n }",
    "area": "SELECT DISTINCT ?n WHERE { ?t <https://w3id.org/cchc/def#reformArea> ?n }",
    "province": "SELECT ?n WHERE { ?n a <https://w3id.org/cchc/def#Province> }",
    "source view": "SELECT ?n WHERE { ?n a <https://w3id.org/cchc/def#SourceDocument> }",
}
FIXED = {
    "landing": ["/"],
    "search": [
        "/search?q=" + urllib.parse.quote(w)
        for w in ("tu phap", "so noi vu", "mot cua", "dich vu cong", "cong chuc", "ngan sach")
    ],
    "canned query": [
        "/queries/tasks-led-by",
        "/queries/due-between",
        "/queries/search",
        "/queries/indicator-trajectory",
        "/queries/compare-provinces",
    ],
}


def get(port: int, path: str) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept": "text/html"})
    response = connection.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def paths(build_dir: Path, sample: int) -> dict[str, list[str]]:
    from cchc_graph.settings import Settings
    from cchc_graph.store import EmbeddedStore

    store = EmbeddedStore.in_memory(build_dir)
    base = Settings().base_iri
    found: dict[str, list[str]] = dict(FIXED)
    for kind, query in NODES.items():
        iris = sorted(store.select(query).column("n"))
        step = max(1, len(iris) // sample)
        chosen = [iri[len(base) :] for iri in iris[::step][:sample] if iri.startswith(base)]
        if kind == "source view":
            found[kind] = ["/source/" + p.rsplit("/", 1)[1] for p in chosen]
        else:
            found[kind] = ["/id/" + urllib.parse.quote(p) for p in chosen]
    return found


def bench(name: str, build_dir: Path, sources: Path, sample: int, strict: bool) -> bool:
    from bench.endpoint import free_port, wait_for

    port = free_port()
    env = {**os.environ, "CCHC_BUILD_DIR": str(build_dir), "CCHC_SOURCES_DIR": str(sources)}
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(BIN / "cchc"), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ok = True
    try:
        wait_for(port, "/sparql")
        # the server validates its graph in the background at start: wait for it, and load the
        # labels of the vocabularies once, before measuring
        get(port, "/validation")
        get(port, "/")
        print(f"\n{name}")
        print(f"{'page type':14} {'pages':>5} {'p50 ms':>8} {'p99 ms':>8}  budget")
        for kind, urls in paths(build_dir, sample).items():
            times = []
            for url in urls:
                status, ms = get(port, url)
                if status != 200:
                    raise RuntimeError(f"{url}: HTTP {status}")
                times.append(ms)
            ordered = sorted(times)
            p50 = statistics.median(ordered)
            p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
            good = p50 < BUDGET_MS or not strict
            ok &= good
            print(
                f"{kind:14} {len(times):5d} {p50:8.1f} {p99:8.1f}  "
                f"{'ok' if good else 'OVER BUDGET'}"
            )
    finally:
        process.terminate()
        process.wait(30)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args()
    from bench.synthetic import built_graph, corpus

    sources = ROOT / "data" / "sources"
    graph = built_graph("sources", sources)
    bench("sources", graph.parent, sources, args.sample, strict=False)
    synthetic = corpus(args.count)
    graph = built_graph("synthetic", synthetic)
    name = f"synthetic ({args.count} documents)"
    return 0 if bench(name, graph.parent, synthetic, args.sample, strict=True) else 1

if __name__ == "__main__":
    sys.exit(main())
