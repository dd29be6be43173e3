"""Benchmark `cchc validate`: both SHACL engines on the sources' graph and on the graph of the
500-document synthetic corpus.

For each engine it reports the time to load the graph, the validation time (findings placed in
their documents included), the findings by severity and a digest of the findings, so that it is
plain whether the engines agree. Budgets (validation of the default engine): under 2 s on the
sources, under 60 s on the synthetic corpus. Each run is a fresh process; the reference engine
(pySHACL) on the synthetic corpus gets one run and a time limit, since it takes minutes.

    python bench/validate.py [--count 500] [--repeat 3] [--reference-limit 1800] [--engines turbo]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGETS = {"sources": 2.0, "synthetic": 60.0}
DEFAULT_ENGINE = "turbo"


def measure(graph: Path, engine: str) -> dict[str, Any]:
    """Load and validate `graph` in this process; called in a child process by `run`."""
    from cchc_graph.settings import Settings
    from cchc_graph.validate import Level, load_data, load_shapes, shape_files, validate

    shapes = load_shapes(shape_files(Settings().shapes_dir))
    started = time.perf_counter()
    data = load_data(graph)
    loaded = time.perf_counter()
    report = validate(data, shapes, engine)
    finished = time.perf_counter()
    keys = sorted(
        f"{f.level.label}|{f.focus}|{f.shape}|{f.path}|{f.message_en}|{f.document}|{f.line}"
        for f in report.findings
    )
    return {
        "load": loaded - started,
        "validate": finished - loaded,
        "triples": report.triples,
        "counts": {level.label: report.count(level) for level in Level},
        "digest": hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()[:16],
        "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def run(graph: Path, engine: str, limit: float | None = None) -> dict[str, Any] | None:
    try:
        output = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, "--measure", str(graph), "--engine", engine],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=limit,
        ).stdout
    except subprocess.TimeoutExpired:
        return None
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference-limit", type=float, default=1800.0)
    parser.add_argument(
        "--engines", default="turbo,pyshacl", help="comma-separated, e.g. turbo [turbo,pyshacl]"
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default=DEFAULT_ENGINE, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.engine)))
        return 0
    from bench.synthetic import built_graph, corpus

    synthetic = corpus(args.count)
    failed = False
    for name, folder in (("sources", ROOT / "data" / "sources"), ("synthetic", synthetic)):
        graph = built_graph(name, folder)
        digests = {}
        for engine in args.engines.split(","):
            slow = engine == "pyshacl" and name == "synthetic"
            runs = [
                run(graph, engine, args.reference_limit if slow else None)
                for _ in range(1 if slow else args.repeat)
            ]
            done = [r for r in runs if r is not None]
            if not done:
                print(f"{name:10} {engine:8} no result within {args.reference_limit:.0f} s")
                continue
            best = min(done, key=lambda r: float(r["validate"]))
            digests[engine] = best["digest"]
            seconds = float(best["validate"])
            verdict = ""
            if engine == DEFAULT_ENGINE:
                ok = seconds < BUDGETS[name]
                failed |= not ok
                verdict = f"budget {BUDGETS[name]:.0f} s {'ok' if ok else 'OVER BUDGET'}"
            print(
                f"{name:10} {engine:8} {int(best['triples']):8d} triples  "
                f"load {float(best['load']):6.2f} s  validate {seconds:7.2f} s  "
                f"{best['counts']}  peak {int(best['peak_bytes']) / 1024**2:6.0f} MiB  "
                f"findings {best['digest']}  {verdict}"
            )
        if len(set(digests.values())) > 1:
            print(f"{name:10} the engines DISAGREE")
            failed = True
        elif len(digests) == 2:
            print(f"{name:10} the engines agree finding for finding")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
