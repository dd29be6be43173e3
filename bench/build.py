"""Benchmark `cchc build`: the five sources and a synthetic corpus of 500 documents.

Reports documents/s, triples/s and peak memory (the process and its worker processes), and
checks the budgets: the sources in under 2 s after interpreter start-up, 500 documents in under
60 s and under 2 GiB. Each build runs in a fresh process so that peak memory
is its own. A build includes its integrity gate (the shapes that can report an sh:Violation);
documents/s counts every file read, duplicates left out of the graph among them.

    python bench/build.py [--count 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# 500 documents in 60 s and 2 GiB, integrity gate included (it takes 13-16 s of it on the
# synthetic graph: pyshacl-turbo, 770k triples)
BUDGETS = {"sources": (2.0, None), "synthetic": (60.0, 2 * 1024**3)}


def measure(sources: Path) -> dict[str, float]:
    """Build `sources` in this process; called in a child process by `run`."""
    from cchc_graph.build import build
    from cchc_graph.settings import Settings

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        report = build(Settings(), sources, Path(out))
        seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "documents": len(report.documents) + len(report.duplicates),
        "duplicates": len(report.duplicates),
        "triples": report.triples,
        "peak_bytes": max(own, children) * 1024,
    }


def run(sources: Path) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--measure", str(sources)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    from bench.synthetic import corpus

    synthetic = corpus(args.count)
    failed = False
    for name, folder in (("sources", ROOT / "data" / "sources"), ("synthetic", synthetic)):
        runs = [run(folder) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        peak = max(r["peak_bytes"] for r in runs)
        limit_seconds, limit_bytes = BUDGETS[name]
        ok = best["seconds"] < limit_seconds and (limit_bytes is None or peak < limit_bytes)
        failed |= not ok
        print(
            f"{name:10} {int(best['documents']):4d} documents "
            f"({int(best['duplicates'])} duplicates left out)  {best['seconds']:6.2f} s  "
            f"{best['documents'] / best['seconds']:7.1f} documents/s  "
            f"{best['triples'] / best['seconds']:9.0f} triples/s  "
            f"{int(best['triples']):8d} triples  "
            f"peak {peak / 1024**2:6.0f} MiB  budget {limit_seconds:.0f} s"
            f"{'' if limit_bytes is None else f', {limit_bytes / 1024**3:.0f} GiB'}  "
            f"{'ok' if ok else 'OVER BUDGET'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
