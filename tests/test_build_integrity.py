"""A build never makes a broken graph current, and never loses or merges a source silently:
the integrity gate, one build folder per build swapped in by one rename, the build lock, cleanup
of killed and old builds (never of a held one), files without a reader, duplicate sources."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result

from cchc_graph.build import build, violation_shapes
from cchc_graph.builds import NoBuildError, current_build, hold
from cchc_graph.cli import cli
from cchc_graph.ingest.sources import Format, sniff
from cchc_graph.settings import Settings
from cchc_graph.validate import Level, load_data, validate
from tests.conftest import SOURCES, select

ID = "https://w3id.org/cchc/id/"
CCHC = Path(sys.executable).parent / "cchc"
PLAN_2014 = "000_fbdcaf704ef480ea.txt"
OUTPUTS = ("cchc.trig", "cchc.nq", "report.json")
EX_S = rdflib.URIRef("http://example.org/S")


def cli_build(sources: Path, out: Path, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["build", "--sources", str(sources), "--out", str(out), *extra])


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def builds_of(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "builds").iterdir())


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES, folder)
    return folder


def duplicate_line(path: Path, line: int) -> None:
    """Copy line `line` (1-based) of `path` to right after itself."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(line, lines[line - 1])
    path.write_text("\n".join(lines), encoding="utf-8")


# ------------------------------------------------------------------ the integrity gate


def test_a_graph_with_violations_is_not_published(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert cli_build(sources, out).exit_code == 0
    before, pointer = outputs(out), os.readlink(out / "current")
    # 000:105 is item 1 of "Tổ chức thực hiện" ("1. Sở Nội vụ chủ trì tham mưu UBND tỉnh ..."):
    # twice, task TCTH.1 has two source lines, two quotes (an annex row typed twice is read apart
    # and reported instead: test_an_annex_row_typed_twice_is_read_apart)
    duplicate_line(sources / PLAN_2014, 105)
    result = cli_build(sources, out)
    assert result.exit_code == 1, result.output
    assert "5 integrity violations" in result.stderr
    assert re.search(
        rf"{PLAN_2014}:10[56]: TCTH\.1 <{ID}task/khanh-hoa-2014/TCTH\.1>: No source",
        result.stderr,
    ), result.stderr
    assert outputs(out) == before
    assert os.readlink(out / "current") == pointer
    assert len(builds_of(out)) == 1  # no staging folder left behind


def test_an_annex_row_typed_twice_is_read_apart(sources: Path, tmp_path: Path) -> None:
    # 000:156 is row 4 of section I ("Rà soát, đánh giá tình hình, kết quả thực hiện quy chế làm
    # việc ..."): twice, the second is task I.4-2, and the build says so
    duplicate_line(sources / PLAN_2014, 156)
    result = cli_build(sources, tmp_path / "build")
    assert result.exit_code == 0, result.output
    assert "line 157: repeated-number: task number I.4 is used again: read as I.4-2" in (
        result.output
    )


def test_a_graph_with_only_warnings_is_published(tmp_path: Path, shapes: rdflib.Graph) -> None:
    out = tmp_path / "out"
    report = build(Settings(), SOURCES, out)
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["build"] == report.build
    assert current_build(out) == Path(report.build).resolve()
    # 002's annex is cut off at line 207: a completeness warning, not a violation
    findings = validate(load_data(out / "cchc.nq"), shapes)
    assert findings.conforms and findings.count(Level.WARNING) > 0


SHAPES_HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""


@pytest.mark.parametrize(
    ("body", "gated"),
    [
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Warning ;"
            " sh:property [ sh:severity sh:Warning ; sh:path ex:p ; sh:minCount 1 ] .",
            False,
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Info ;"
            " sh:or ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:path ex:q ; sh:minCount 1 ] ) .",
            False,
        ),
        # a property shape reports with its own severity: none means sh:Violation
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Warning ;"
            " sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
            True,
        ),
        ("ex:S sh:targetNode ex:n ; sh:class ex:C .", True),
    ],
)
def test_the_gate_validates_every_shapes_file_that_can_report_a_violation(
    tmp_path: Path, body: str, gated: bool
) -> None:
    shutil.copy(Path(__file__).parent.parent / "shapes" / "completeness.ttl", tmp_path)
    (tmp_path / "zz.ttl").write_text(SHAPES_HEAD + body + "\n", encoding="utf-8")
    kept = violation_shapes(tmp_path)
    assert ((EX_S, None, None) in kept) == gated
    product = rdflib.URIRef("https://w3id.org/cchc/shapes#DeliverableProductShape")
    assert (product, None, None) not in kept  # completeness.ttl: warnings and infos only


# ------------------------------------------------------------------ one build, one swap


def test_a_rebuild_swaps_current_and_the_flat_names_follow(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = build(Settings(), sources, out)
    variant = Path(__file__).parent / "data" / "variants" / "binh_dinh_2020_columns.txt"
    shutil.copy(variant, sources / "binh_dinh.txt")
    second = build(Settings(), sources, out)
    assert first.build != second.build
    assert (out / "current").resolve() == Path(second.build).resolve()
    for name in OUTPUTS:
        assert os.readlink(out / name) == f"current/{name}"
        assert (out / name).read_bytes() == (Path(second.build) / name).read_bytes()
    assert f"<{ID}plan/binh-dinh/2020>" in (out / "cchc.nq").read_text(encoding="utf-8")
    assert builds_of(out) == sorted(Path(r.build).name for r in (first, second))


def test_the_flat_layout_is_replaced_at_the_first_build(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    for name in OUTPUTS:
        (out / name).write_text("old\n", encoding="utf-8")
    assert current_build(out) == out
    with hold(out):  # a reader of the flat layout holds nothing, and blocks nothing
        report = build(Settings(), SOURCES, out)
    assert all((out / name).is_symlink() for name in OUTPUTS)
    assert current_build(out) == Path(report.build).resolve()
    assert (out / "cchc.trig").read_bytes().startswith(b"@prefix")


def test_current_build_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoBuildError, match="no graph yet"):
        current_build(tmp_path)


def test_stale_staging_folders_are_removed_and_other_folders_kept(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(Settings(), SOURCES, out)
    stale = [out / "builds" / ".staging-20200101T000000000000Z-abcdef", out / ".build-x1y2z3"]
    kept = [out / "store", out / "dumps" / "stamp"]  # the on-disk store, cached dumps
    for folder in stale + kept:
        folder.mkdir(parents=True)
        (folder / "cchc.nq").write_text("partial", encoding="utf-8")
    build(Settings(), SOURCES, out)
    assert not any(p.exists() for p in stale)
    assert all((p / "cchc.nq").exists() for p in kept)


def _wait_for_staging(out: Path, process: subprocess.Popen[bytes]) -> bool:
    builds = out / "builds"
    while process.poll() is None:
        if builds.is_dir() and any(n.startswith(".staging-") for n in os.listdir(builds)):
            return True
        time.sleep(0.001)
    return False


def test_a_killed_build_leaves_the_previous_graph_and_its_staging_goes(tmp_path: Path) -> None:
    from bench.synthetic import generate

    corpus = tmp_path / "corpus"
    generate(30, corpus)  # large enough that writing its graph takes a while to catch
    out = tmp_path / "build"
    command = [str(CCHC), "build", "--quiet", "--sources", str(corpus), "--out", str(out)]
    for _ in range(3):
        build(Settings(), SOURCES, out)
        before, pointer = outputs(out), os.readlink(out / "current")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        caught = _wait_for_staging(out, process)
        if caught:
            process.kill()
        process.wait(120)
        if caught and process.returncode == -signal.SIGKILL and _staging(out):
            break  # killed while writing (else it finished first: try again)
    else:
        pytest.fail("could not kill a build while it was writing")
    assert outputs(out) == before
    assert os.readlink(out / "current") == pointer
    build(Settings(), SOURCES, out)
    assert _staging(out) == []


def _staging(out: Path) -> list[str]:
    return [n for n in os.listdir(out / "builds") if n.startswith(".staging-")]


def test_a_held_build_is_kept_until_released(tmp_path: Path) -> None:
    out = tmp_path / "build"
    oldest = Path(build(Settings(), SOURCES, out).build)
    with hold(current_build(out)):
        later = [Path(build(Settings(), SOURCES, out).build) for _ in range(3)]
        # kept: the current build, the one before it, and the held one
        assert builds_of(out) == sorted(p.name for p in (oldest, later[1], later[2]))
    last = Path(build(Settings(), SOURCES, out).build)
    assert builds_of(out) == sorted(p.name for p in (later[2], last))


def test_a_build_held_by_another_process_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = Path(build(Settings(), SOURCES, out).build)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from cchc_graph.builds import hold; h = hold(Path(sys.argv[1])); "
            "print('held', flush=True); sys.stdin.read(); h.close()",
            str(first),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        for _ in range(3):
            build(Settings(), SOURCES, out)
        assert first.is_dir()
    finally:
        holder.communicate(b"", timeout=30)
    build(Settings(), SOURCES, out)
    assert not first.exists()


def test_a_build_waits_for_the_lock_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    command = [str(CCHC), "build", "--quiet", "--sources", str(SOURCES), "--out", str(out)]
    with (out / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stderr is not None
        notice = process.stderr.readline().decode("utf-8")
        assert "waiting for another build" in notice
        time.sleep(0.5)
        assert process.poll() is None  # still waiting
        assert not (out / "current").exists()
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    assert b"5 documents, 159 tasks" in stdout


def test_two_builds_at_once_both_finish_and_leave_one_consistent_build(tmp_path: Path) -> None:
    out = tmp_path / "build"
    command = [str(CCHC), "build", "--quiet", "--sources", str(SOURCES), "--out", str(out)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(2)]
    results = [p.communicate(timeout=180) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    current = current_build(out)
    assert current.parent == (out / "builds").resolve()
    assert len(builds_of(out)) == 2  # the other one is the build before it; no staging left
    assert not any(name.startswith(".") for name in builds_of(out))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert Path(report["build"]).name == current.name
    graph = ox.Store()
    graph.bulk_load(path=out / "cchc.nq", format=ox.RdfFormat.N_QUADS)
    assert len(graph) == report["triples"]


# ------------------------------------------------------------------ files without a reader


MINIMAL_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def write_docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Kế hoạch</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )


def test_files_without_a_reader_are_named_and_the_build_goes_on(
    sources: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(sources / "a_sheet.xlsx", "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    (sources / "b_photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")  # the name lies
    (sources / "c.bin").write_bytes(bytes(range(256)))
    (sources / ".hidden.pdf").write_bytes(MINIMAL_PDF)  # hidden: not a candidate
    result = cli_build(sources, tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    expected = [
        ("a_sheet.xlsx", "a ZIP archive that is not a Word document: not read"),
        ("b_photo.txt", "an image on its own is not read: put scanned pages in a PDF"),
        ("c.bin", "binary content of an unknown format: not read"),
    ]
    for file, reason in expected:
        assert f"not read: {file}: {reason}" in result.stdout
    assert ".hidden.pdf" not in result.stdout
    assert "5 documents, 159 tasks" in result.stdout
    assert "; 3 files not read, 0 duplicates left out" in result.stdout
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert saved["unread"] == [{"file": f, "reason": r} for f, r in expected]


@pytest.mark.parametrize(
    ("name", "write", "reason"),
    [
        ("empty.pdf", lambda path: path.write_bytes(MINIMAL_PDF), "no text"),
        ("notes.docx", write_docx, "unknown layout"),
        (
            "saved.txt",
            lambda path: path.write_text(
                "\ufeff\n  <!DOCTYPE html>\n<html><body><p>Kế hoạch</p></body></html>\n",
                encoding="utf-8",
            ),
            "unknown layout",
        ),
    ],
)
def test_a_document_of_another_format_that_holds_no_plan_stops_the_build(
    sources: Path, tmp_path: Path, name: str, write: Callable[[Path], object], reason: str
) -> None:
    write(sources / name)
    result = cli_build(sources, tmp_path / "out")
    assert result.exit_code == 2
    assert name in result.stderr and reason in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("plan.txt", "Số: 1/KH-UBND\n<html> in a cell\n".encode(), Format.TEXT),
        ("plan.md", "| STT | Nội dung |\n".encode(), Format.TEXT),  # text is text, any name
        ("page.htm", b"\xef\xbb\xbf\r\n <HTML lang=vi>", Format.HTML),
        ("plan.txt", b"%PDF-1.7\n", Format.PDF),
        ("sheet.xlsx", None, Format.ZIP),  # OOXML, but no word/document.xml
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", Format.IMAGE),
        ("data.bin", bytes(range(256)), Format.BINARY),
        ("utf16.txt", "Số".encode("utf-16"), Format.TEXT),  # a .txt: read_source names the byte
        # the first 1024 bytes end inside "ố": still text
        ("long.md", b"a" * 1022 + "ố".encode(), Format.TEXT),
    ],
)
def test_sniff_goes_by_the_bytes(
    tmp_path: Path, name: str, content: bytes | None, found: Format
) -> None:
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    else:
        path.write_bytes(content)
    assert sniff(path) is found


def test_a_folder_with_nothing_readable_fails_and_names_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = cli_build(folder, tmp_path / "out")
    assert result.exit_code == 2
    assert "scan.png: an image on its own is not read" in result.stderr


def test_a_text_file_that_is_not_utf8_still_stops_the_build(sources: Path, tmp_path: Path) -> None:
    (sources / "latin1.txt").write_bytes(b"S\xf4: 1\nK\xea ho\xe1ch\n")  # "Sô: 1", Latin-1
    result = cli_build(sources, tmp_path / "out")
    assert result.exit_code == 2
    assert "latin1.txt:1: not UTF-8 text (byte 1)" in result.stderr


# ------------------------------------------------------------------ duplicates


def count(store: ox.Store, cls: str) -> int:
    rows = select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a cchc:{cls} }}")
    return int(rows[0]["n"])


@pytest.mark.parametrize(
    ("original", "iri"),
    [
        (PLAN_2014, "plan/khanh-hoa/2014"),  # numbered (3578/QĐ-UBND): a variant IRI before
        ("003_15ca9d007ed5324e.txt", "directive/khanh-hoa/2017/003_15ca9d007ed5324e"),  # no number
    ],
)
def test_a_copy_of_a_source_is_reported_not_merged(
    sources: Path, tmp_path: Path, store: ox.Store, original: str, iri: str
) -> None:
    shutil.copy(sources / original, sources / "zz_copy.txt")
    result = cli_build(sources, tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    assert f"duplicate left out: zz_copy.txt repeats {original} (shares {iri}" in result.stdout
    assert "; 0 files not read, 1 duplicates left out" in result.stdout
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert saved["duplicates"] == [
        {"file": "zz_copy.txt", "duplicate_of": original, "iris": [f"{ID}{iri}"]}
    ]
    assert "zz_copy.txt" not in {d["file"] for d in saved["documents"]}
    copy = ox.Store()
    copy.bulk_load(path=tmp_path / "out" / "cchc.trig", format=ox.RdfFormat.TRIG)
    for cls in ("ActionDocument", "Task", "Deliverable", "Target"):
        assert count(copy, cls) == count(store, cls), cls
    assert count(copy, "Task") == 159
    seen: dict[ox.Triple, str] = {}
    for quad in copy:
        graph = str(quad.graph_name)
        assert seen.setdefault(quad.triple, graph) == graph, (quad.triple, seen[quad.triple])


def test_a_plan_with_the_same_identity_under_other_bytes_is_a_duplicate(
    sources: Path, tmp_path: Path
) -> None:
    # the same plan (province, year, number) saved again with an edit: one row dropped
    text = (sources / PLAN_2014).read_text(encoding="utf-8").split("\n")
    (sources / "zz_edited.txt").write_text("\n".join(text[:155] + text[156:]), encoding="utf-8")
    report = build(Settings(), sources, tmp_path / "out")
    assert [(d.file, d.duplicate_of) for d in report.duplicates] == [("zz_edited.txt", PLAN_2014)]
    assert [d.file for d in report.documents] == sorted(p.name for p in SOURCES.glob("*.txt"))


# ------------------------------------------------------------------ empty graphs


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.nq", ""), ("comments.ttl", "@prefix ex: <http://example.org/> .\n# nothing\n")],
)
def test_validating_an_empty_graph_fails_and_names_the_file(
    tmp_path: Path, name: str, content: str
) -> None:
    data = tmp_path / name
    data.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data)])
    assert result.exit_code == 2
    assert f"{data}: no statements" in result.stderr


def test_validating_without_a_build_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_BUILD_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "no graph yet; run `cchc build` first" in result.stderr
