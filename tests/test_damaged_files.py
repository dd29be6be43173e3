"""Damaged files of every format: cut short, bytes overwritten, parts shuffled, as downloads and
copies damage them. Reading one either succeeds or raises a SourceError that names the file;
nothing else escapes, and the build says which file it was."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cchc_graph.errors import SourceError
from cchc_graph.ingest.sources import read_source

FORMATS = Path(__file__).parent / "data" / "formats"
ORIGINALS = [
    FORMATS / "docx" / "lamdong_kh_tuyentruyen_cchc_2026.docx",
    FORMATS / "html" / "vbpl_nq119_2026_ubtvqh15_chuongtrinh_lapphap.html",
    FORMATS / "pdf_text" / "lamdong_pl7_chinhquyenso_chiso_cchc_2025.pdf",
]
SEED = 20261203
MUTANTS = 12


def damaged(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(("cut", "overwrite", "shuffle"))
    if kind == "cut":
        return data[: rng.randrange(1, len(data))]
    if kind == "overwrite":
        mutable = bytearray(data)
        start = rng.randrange(len(data))
        for offset in range(rng.randrange(1, 4096)):
            if start + offset < len(mutable):
                mutable[start + offset] = rng.randrange(256)
        return bytes(mutable)
    size = len(data) // 8
    blocks = [data[i : i + size] for i in range(0, len(data), size)]
    head, rest = blocks[0], blocks[1:]
    rng.shuffle(rest)
    return head + b"".join(rest)


@pytest.mark.parametrize("original", ORIGINALS, ids=[p.suffix for p in ORIGINALS])
def test_a_damaged_file_is_read_or_refused_by_name(original: Path, tmp_path: Path) -> None:
    rng = random.Random(f"{SEED}:{original.name}")  # noqa: S311 - reproducible damage
    data = original.read_bytes()
    refused = 0
    for number in range(MUTANTS):
        path = tmp_path / f"damaged_{number}{original.suffix}"
        path.write_bytes(damaged(data, rng))
        try:
            read_source(path)
        except SourceError as error:
            assert path.name in str(error)
            refused += 1
    # some damage leaves a file readable, some does not: both kinds were tried
    assert refused > 0
