"""Benchmark the canned queries: p50 of each in the embedded store (pyoxigraph, in memory) next to
the same SPARQL text in plain rdflib, on the synthetic 500-document corpus (and the sources).

Budget: every canned query's p50 under 100 ms in the embedded store, and at least 10x faster than
rdflib. Parameters take their defaults; where a default names nothing in the synthetic corpus (a
plan of the sources), the first plan, indicator or agency of the graph stands in.

With --repeated, each canned query is also timed (p50 of fewer runs) on the same graph with every
named graph stated a second time under another name: Oxigraph reads the union of the named graphs
as a bag, so each pattern then matches twice; the answers must not change and the time should
stay within a few times the first figure.

    python bench/queries.py [--count 500] [--repeat 20] [--rdflib-limit 60] [--repeated]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from cchc_graph.store import EmbeddedStore

BUDGET_MS = 100.0
MIN_SPEEDUP = 10.0


class _LateError(BaseException):  # rdflib catches Exception while it evaluates
    pass


def _alarm(_signal: int, _frame: FrameType | None) -> None:
    raise _LateError


def bound_queries(store: EmbeddedStore, queries_dir: Path) -> dict[str, str]:
    """Every canned query bound to its defaults, or to values the graph has."""
    from cchc_graph.canned import Catalogue, ParameterError, load_catalogue

    catalogue = Catalogue(load_catalogue(queries_dir), store)
    stand_ins = {
        "plan": "SELECT ?x WHERE { ?x a <https://w3id.org/cchc/def#Plan> } ORDER BY ?x LIMIT 1",
        "indicator": "SELECT ?x WHERE { ?t <https://w3id.org/cchc/def#indicator> ?x } "
        "ORDER BY ?x LIMIT 1",
    }
    bound = {}
    for name, query in catalogue.queries.items():
        values: dict[str, str] = {}
        for _ in range(len(query.parameters) + 1):
            try:
                bound[name] = catalogue.bind(name, values)
                break
            except ParameterError:
                missing = next(p for p in query.parameters if p.name not in values)
                pick = stand_ins.get(missing.type)
                if pick is None:
                    raise
                values[missing.name] = store.select(pick).column("x")[0]
    return bound


def p50(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def stated_twice(store: EmbeddedStore) -> None:
    """Every named graph of `store` stated a second time, under the graph's name + "-again"."""
    import pyoxigraph as ox

    store.store.extend(
        [
            ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(f"{graph.value}-again"))
            for quad in store.store
            if isinstance(graph := quad.graph_name, ox.NamedNode)
        ]
    )


def _rows(store: EmbeddedStore, query: str) -> list[list[tuple[str, str]]]:
    """The answer as a sorted list of rows, each value's "; "-separated parts sorted: SPARQL
    leaves the order of a GROUP_CONCAT open."""
    return sorted(
        sorted((k, "; ".join(sorted(v.split("; ")))) for k, v in row.items())
        for row in store.select(query).values()
    )


def bench(name: str, build_dir: Path, repeat: int, rdflib_limit: float, repeated: bool) -> bool:
    """pyoxigraph first, alone in the process: rdflib's millions of Python objects would make
    every garbage collection during our queries slow. Ours is timed to JSON bytes, as the
    endpoint answers; rdflib to a list of rows."""
    import gc

    import rdflib

    from cchc_graph.settings import Settings
    from cchc_graph.store import EmbeddedStore

    started = time.perf_counter()
    store = EmbeddedStore.in_memory(build_dir)
    load_oxigraph = time.perf_counter() - started
    queries = bound_queries(store, Settings().queries_dir)
    ours = {}
    for query_name, text in queries.items():
        rows = len(store.select(text).rows)
        ours[query_name] = (rows, p50(lambda text=text: store.answer(text), repeat))  # type: ignore[misc]
    quads = len(store.store)
    again: dict[str, tuple[float, bool]] = {}
    if repeated:
        answers = {q: _rows(store, text) for q, text in queries.items()}
        stated_twice(store)
        for query_name, text in queries.items():
            late = p50(lambda text=text: store.answer(text), max(3, repeat // 4))
            again[query_name] = (late, _rows(store, text) == answers[query_name])
        del answers

    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(build_dir / "cchc.nq", format="nquads")
    load_rdflib = time.perf_counter() - started
    gc.freeze()
    print(
        f"\n{name}: {quads:,} quads; load pyoxigraph {load_oxigraph:.2f} s, "
        f"rdflib {load_rdflib:.1f} s"
    )
    print(
        f"{'query':26} {'rows':>6} {'pyoxigraph p50':>15} {'rdflib p50':>12} "
        f"{'speed-up':>9}  budget"
    )
    ok = True
    signal.signal(signal.SIGALRM, _alarm)
    for query_name, text in queries.items():
        rows, mine = ours[query_name]
        signal.setitimer(signal.ITIMER_REAL, rdflib_limit)
        failure = ""
        theirs: float | None = None
        try:
            theirs = p50(lambda text=text: list(dataset.query(text)), 1)
        except _LateError:
            failure = f">{rdflib_limit:7.0f} s  "
        except Exception as error:  # rdflib cannot answer some valid queries: say so
            failure = f"fails: {type(error).__name__}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        speedup = (theirs / mine) if theirs is not None else float("inf")
        good = mine < BUDGET_MS and speedup >= MIN_SPEEDUP
        ok &= good
        shown = f"{theirs:10.1f} ms" if theirs is not None else f"{failure:>13}"
        ratio = f"{speedup:8.0f}x" if theirs is not None else "     n/a"
        twice = ""
        if query_name in again:
            late, same = again[query_name]
            differs = "" if same else ", ANSWER DIFFERS"
            twice = f"  stated twice {late:8.2f} ms ({late / mine:4.1f}x{differs})"
        print(
            f"{query_name:26} {rows:6d} {mine:12.2f} ms {shown} {ratio}  "
            f"{'ok' if good else 'OVER BUDGET'}{twice}"
        )
    gc.unfreeze()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rdflib-limit", type=float, default=60.0)
    parser.add_argument("--skip-sources", action="store_true")
    parser.add_argument(
        "--repeated",
        action="store_true",
        help="also time each query with every named graph stated twice",
    )
    args = parser.parse_args()
    from bench.synthetic import built_graph, corpus

    ok = True
    if not args.skip_sources:
        graph = built_graph("sources", ROOT / "data" / "sources")
        ok &= bench("sources", graph.parent, args.repeat, args.rdflib_limit, args.repeated)
    graph = built_graph("synthetic", corpus(args.count))
    ok &= bench(
        f"synthetic ({args.count} documents)",
        graph.parent,
        args.repeat,
        args.rdflib_limit,
        args.repeated,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
