"""Benchmark the graph exports: for every view, the time to draw its graph from the store (the
SELECT and the networkx graph, with the analysis for the cooperation view), then the time to
write each format, on the sources and on the synthetic 500-document corpus; and the RDF dumps.

Budget: every export of the synthetic corpus (graph plus format) under 10 s. SVG and PNG are
drawn by Graphviz up to 1,500 nodes; a larger view is refused with a message, and says so here.

    python bench/export.py [--count 500] [--skip-sources]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_S = 10.0


def bench(name: str, build_dir: Path) -> bool:
    from cchc_graph.export import Exporter
    from cchc_graph.export.dumps import DUMP_FORMATS, write_dump
    from cchc_graph.export.formats import FORMATS, ExportError
    from cchc_graph.iris import DEFAULT_BASE
    from cchc_graph.settings import Settings
    from cchc_graph.store import EmbeddedStore

    store = EmbeddedStore.in_memory(build_dir)
    exporter = Exporter(store, Settings().queries_dir / "views", DEFAULT_BASE)
    # the plan with the most tasks stands for "a plan"
    biggest = store.select(
        "PREFIX cchc: <https://w3id.org/cchc/def#> SELECT ?plan (COUNT(?task) AS ?n) "
        "WHERE { ?task a cchc:Task ; cchc:inDocument ?plan } GROUP BY ?plan "
        "ORDER BY DESC(?n) ?plan LIMIT 1"
    ).column("plan")[0]
    print(f"\n{name}: {len(store.store):,} quads")
    print(f"{'view':12} {'nodes':>7} {'edges':>7} {'graph s':>8}  " + " ".join(
        f"{f:>9}" for f in FORMATS
    ))
    ok = True
    for view in exporter.views:
        values = {"plan": biggest} if view == "plan" else {}
        started = time.perf_counter()
        graph = exporter.graph(view, values)
        drawn = time.perf_counter() - started
        cells = []
        for fmt in FORMATS.values():
            started = time.perf_counter()
            try:
                fmt.write(graph)
            except ExportError:
                cells.append(f"{'refused':>9}")
                continue
            total = drawn + time.perf_counter() - started
            ok &= total < BUDGET_S
            cells.append(f"{total:9.2f}")
        print(
            f"{view:12} {len(graph):7,} {graph.size():7,} {drawn:8.2f}  " + " ".join(cells)
        )
    with tempfile.TemporaryDirectory() as folder:
        timings = []
        for fmt in DUMP_FORMATS.values():
            started = time.perf_counter()
            write_dump(build_dir, fmt, Path(folder) / f"cchc.{fmt.suffix}", DEFAULT_BASE)
            took = time.perf_counter() - started
            ok &= took < BUDGET_S
            timings.append(f"{fmt.name} {took:.2f} s")
        print("dumps: " + ", ".join(timings))
    print("every export (graph + format) within 10 s" if ok else "OVER BUDGET")
    return ok


def main() -> int:
    from bench.synthetic import built_graph, corpus

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--skip-sources", action="store_true")
    args = parser.parse_args()
    print("times in seconds: the graph (SELECT + networkx), then graph + each format")
    ok = True
    if not args.skip_sources:
        ok &= bench("sources", built_graph("sources", ROOT / "data" / "sources").parent)
    synthetic = built_graph("synthetic", corpus(args.count)).parent
    ok &= bench(f"synthetic ({args.count} documents)", synthetic)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
