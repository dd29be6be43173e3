"""Benchmark of the format front-ends.

1. Every real file of tests/data/formats (Word, Word 97, text-layer and scanned PDF, vbpl.vn
   pages), read as the build reads it (front-end + rendering) in a fresh process: seconds, pages
   per second where the file has pages (PDF; OCR per page), blocks, and the process's peak memory.
2. The synthetic corpus (bench/synthetic.py) written again as Word files, one per text source
   (tests/formats_writer.py: paragraphs as paragraphs, annexes as real tables), and both built with
   `cchc build`: wall time and peak memory. Budget: the Word corpus builds within 2x of the text
   corpus's time, with a peak memory within 10 % of it.

    python bench/formats.py [--count 500] [--skip-files] [--skip-corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FILES = ROOT / "tests" / "data" / "formats"
BIN = ROOT / ".venv" / "bin"
MAX_TIME_RATIO = 2.0
MAX_MEMORY_RATIO = 1.1

_READ_ONE = """
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
from cchc_graph.ingest.sources import read_document, sniff
from cchc_graph.ingest.render import render
path = Path(sys.argv[1])
document = read_document(path)
render(document)
seconds = time.perf_counter() - started
pages = None
if sniff(path).value == "pdf":
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"seconds": seconds, "pages": pages, "blocks": len(document.blocks),
                  "format": document.format, "peak_mib": peak}))
"""


def bench_files() -> None:
    print(f"{'file':58} {'format':8} {'s':>7} {'pages':>5} {'pages/s':>8} {'blocks':>6} {'MiB':>5}")
    for path in sorted(FILES.glob("*/*")):
        if path.name == "SOURCES.md":
            continue
        done = subprocess.run(  # noqa: S603 - our own interpreter and file
            [str(BIN / "python"), "-c", _READ_ONE, str(path)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if done.returncode != 0:
            print(f"{path.name:58} failed: {done.stderr.strip().splitlines()[-1]}")
            continue
        got = json.loads(done.stdout)
        pages = got["pages"]
        rate = f"{pages / got['seconds']:8.2f}" if pages else f"{'-':>8}"
        print(
            f"{path.name[:58]:58} {got['format']:8} {got['seconds']:7.2f} "
            f"{pages or '-':>5} {rate} {got['blocks']:6d} {got['peak_mib']:5d}"
        )


_MEASURED = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
if done.returncode:
    sys.exit(done.stdout[-3000:] + done.stderr[-3000:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def build(sources: Path, out: Path) -> tuple[float, int]:
    """Seconds and peak memory (MiB, its largest process) of one `cchc build`, run under its
    own parent so that each build's high-water mark is its own."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [
            sys.executable,
            "-c",
            _MEASURED,
            str(BIN / "cchc"),
            "build",
            "--sources",
            str(sources),
            "--out",
            str(out),
            "--quiet",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    return time.perf_counter() - started, int(done.stdout.strip())


def bench_corpus(count: int) -> bool:
    from bench.synthetic import corpus
    from tests.formats_writer import read_text_source, write_docx

    text_corpus = corpus(count)
    with tempfile.TemporaryDirectory() as work:
        word_corpus = Path(work) / "docx"
        word_corpus.mkdir()
        started = time.perf_counter()
        for path in sorted(text_corpus.glob("*.txt")):
            write_docx(read_text_source(path), word_corpus / f"{path.stem}.docx")
        print(f"\nwrote {count} Word files in {time.perf_counter() - started:.1f} s")
        text_seconds, text_peak = build(text_corpus, Path(work) / "out-text")
        word_seconds, word_peak = build(word_corpus, Path(work) / "out-docx")
    time_ratio = word_seconds / text_seconds
    memory_ratio = word_peak / text_peak
    ok = time_ratio <= MAX_TIME_RATIO and memory_ratio <= MAX_MEMORY_RATIO
    print(f"{'corpus':24} {'build s':>8} {'peak MiB':>9}")
    print(f"{'synthetic, text':24} {text_seconds:8.1f} {text_peak:9d}")
    print(f"{'synthetic, Word (.docx)':24} {word_seconds:8.1f} {word_peak:9d}")
    print(
        f"Word / text: {time_ratio:.2f}x time (budget {MAX_TIME_RATIO}x), "
        f"{memory_ratio:.2f}x memory (budget {MAX_MEMORY_RATIO}x)  "
        f"{'ok' if ok else 'OVER BUDGET'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--skip-files", action="store_true")
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args()
    if not args.skip_files:
        bench_files()
    ok = True
    if not args.skip_corpus:
        ok = bench_corpus(args.count)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
