"""Synthetic corpus for benchmarks: N documents made from data/sources/ for other provinces and
years, with annex rows reshuffled, covering each of the four layouts.

    python bench/synthetic.py --count 500 --out bench/out/corpus
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
PROVINCES = ROOT / "data" / "vocab" / "provinces.yaml"
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
_SOURCE_PROVINCES = ("Khánh Hòa", "Cao Bằng")


def province_labels() -> list[str]:
    data = yaml.safe_load(PROVINCES.read_text(encoding="utf-8"))
    return sorted(entry["label"] for entry in data["provinces"].values())


def shift_years(text: str, offset: int) -> str:
    """Every year 2000-2039 moves by `offset`; dates stay valid since only the year changes."""
    return _YEAR.sub(lambda m: str(int(m.group(1)) + offset), text)


def swap_province(text: str, target: str) -> str:
    for name in _SOURCE_PROVINCES:
        text = text.replace(name, target).replace(name.upper(), target.upper())
    return text


def shuffle_rows(text: str, rng: random.Random) -> str:
    """Reorder the task rows of each annex section (tab-separated or blank-line blocks)."""
    lines = text.split("\n")
    if sum(1 for line in lines if line.count("\t") >= 3) < 5:
        return text
    out: list[str] = []
    group: list[str] = []
    for line in lines:
        if re.match(r"^\d{1,2}\t", line):
            group.append(line)
            continue
        if group:
            rng.shuffle(group)
            out += group
            group = []
        out.append(line)
    if group:
        rng.shuffle(group)
        out += group
    return "\n".join(out)


def generate(count: int, out_dir: Path, seed: int = 20261122) -> list[Path]:
    """Write `count` documents to `out_dir`, cycling through the sources (and so the layouts)."""
    rng = random.Random(seed)
    sources = sorted(SOURCES.glob("*.txt"))
    provinces = province_labels()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        source = sources[index % len(sources)]
        text = source.read_text(encoding="utf-8")
        province = provinces[(index // len(sources)) % len(provinces)]
        text = swap_province(shift_years(text, rng.randint(-3, 6)), province)
        text = shuffle_rows(text, rng)
        path = out_dir / f"syn{index:04d}_{source.stem[:3]}.txt"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def corpus(count: int) -> Path:
    """bench/out/corpus-<count>/, generated on first use (the same seed gives the same files)."""
    folder = Path(__file__).resolve().parent / "out" / f"corpus-{count}"
    if not folder.exists() or len(list(folder.glob("*.txt"))) != count:
        generate(count, folder)
    return folder


def built_graph(name: str, sources: Path) -> Path:
    """The graph of `sources`, built into bench/out/graph-<name>/; returns its N-Quads file.

    The build runs in its own process, so that what it leaves in memory does not slow down
    what the benchmark measures next."""
    import subprocess
    import sys

    out = ROOT / "bench" / "out" / f"graph-{name}"
    command = [
        sys.executable,
        "-m",
        "cchc_graph",
        "build",
        "--quiet",
        "--sources",
        str(sources),
        "--out",
        str(out),
    ]
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
    return out / "cchc.nq"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "corpus")
    args = parser.parse_args()
    paths = generate(args.count, args.out)
    print(f"wrote {len(paths)} documents to {args.out}")


if __name__ == "__main__":
    main()
