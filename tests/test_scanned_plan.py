"""A plan that reaches us as a scan: the 2017 Khánh Hòa plan printed to PDF, every page turned
into a 200-dpi image (no text layer left, as a scanner makes it), read through OCR. Its tasks
come out as from the text, and every fact says it was recognised and how sure the engine was."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pypdfium2
import pytest

from cchc_graph.ingest.sources import read_source
from cchc_graph.iris import Iris
from cchc_graph.namespaces import CCHC
from cchc_graph.parse import parse_document
from cchc_graph.rdf import document_quads
from cchc_graph.records import ParsedDocument
from cchc_graph.resolve import resolve_corpus
from cchc_graph.resources import load_lexicon
from cchc_graph.settings import Settings
from cchc_graph.text import fold
from tests.conftest import SOURCES
from tests.formats_writer import read_text_source, write_pdf

PLAN = SOURCES / "002_4c182d265d647846.txt"
SCAN_DPI = 200


def scan(printed: Path, scanned: Path) -> None:
    """Each page of `printed` as an image only, the way a scanner returns a document."""
    pdf = pypdfium2.PdfDocument(str(printed))
    images = [page.render(scale=SCAN_DPI / 72).to_pil().convert("L") for page in pdf]
    pdf.close()
    images[0].save(scanned, save_all=True, append_images=images[1:], resolution=SCAN_DPI)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[ParsedDocument, ParsedDocument]:
    folder = tmp_path_factory.mktemp("scan")
    printed, scanned = folder / "printed.pdf", folder / "ke_hoach_scan.pdf"
    write_pdf(read_text_source(PLAN), printed)
    scan(printed, scanned)
    lexicon = load_lexicon()
    return (
        parse_document(read_source(PLAN), lexicon),
        parse_document(read_source(scanned), lexicon),
    )


def test_the_scan_is_read_through_ocr(documents: tuple[ParsedDocument, ParsedDocument]) -> None:
    _, recognised = documents
    assert recognised.source.format == "pdf-ocr"
    assert "Tesseract" in recognised.source.reader
    scores = [c for c in recognised.source.confidence if c is not None]
    assert scores and all(0 < c <= 1 for c in scores)


def test_its_tasks_are_the_tasks_of_the_text(
    documents: tuple[ParsedDocument, ParsedDocument],
) -> None:
    text, recognised = documents
    assert [t.local_id for t in recognised.tasks] == [t.local_id for t in text.tasks]
    assert recognised.header.period == text.header.period
    assert recognised.header.province == text.header.province
    # OCR may miss a diacritic here and there: the products read the same without them
    same = sum(
        fold(a.product or "") == fold(b.product or "")
        for t, r in zip(text.tasks, recognised.tasks, strict=True)
        for a, b in zip(t.deliverables, r.deliverables, strict=False)
    )
    total = sum(len(t.deliverables) for t in text.tasks)
    assert same >= 0.8 * total


def test_each_fact_carries_the_engines_confidence(
    documents: tuple[ParsedDocument, ParsedDocument],
) -> None:
    _, recognised = documents
    settings = Settings()
    lexicon = load_lexicon()
    corpus = resolve_corpus([recognised], lexicon, Iris(settings.base_iri))
    quads = document_quads(corpus.documents[0], Iris(settings.base_iri))
    store = ox.Store()
    store.extend(quads)
    tasks = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(CCHC + "localId"), None)}
    confident = {
        q.subject
        for q in store.quads_for_pattern(None, ox.NamedNode(CCHC + "recognitionConfidence"), None)
    }
    pages = {
        q.subject for q in store.quads_for_pattern(None, ox.NamedNode(CCHC + "sourcePage"), None)
    }
    assert tasks and tasks <= confident and tasks <= pages
