"""A plan dropped in as a Word file, built with the text sources and served: its facts carry their
place in the file, the source view shows the document as read (table rows as tables, each line
with its place) and links to the original file, which is served as it was published."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cchc_graph.build import build
from cchc_graph.settings import Settings
from tests.conftest import SOURCES, ServerProcess, serving

PLAN = Path(__file__).parent / "data" / "formats" / "docx" / "lamdong_kh_cchc_2026_2030.docx"
STEM = PLAN.stem


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("formats-site")
    sources = root / "sources"
    shutil.copytree(SOURCES, sources)
    shutil.copy(PLAN, sources / PLAN.name)
    build(Settings(), sources, root / "build")
    with serving(root / "build", sources) as server:
        yield server


def get(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), dict(response.headers)


def ask(site: ServerProcess, query: str) -> list[dict[str, dict[str, str]]]:
    prefixed = "PREFIX cchc: <https://w3id.org/cchc/def#>\n" + query
    url = site.url + "/sparql?" + urllib.parse.urlencode({"query": prefixed})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        rows: list[dict[str, dict[str, str]]] = json.load(response)["results"]["bindings"]
    return rows


def test_a_task_read_from_a_word_table_is_located_in_it(site: ServerProcess) -> None:
    # task I.1 is the third row of the plan's third table (read from the file's XML by hand)
    rows = ask(
        site,
        """SELECT ?place ?format WHERE {
             ?task a cchc:Task ; cchc:localId "I.1" ; prov:wasDerivedFrom ?source ;
                   cchc:sourceLocation ?place .
             ?source cchc:sourceFormat ?format .
             FILTER(lang(?place) = "en")
           }""".replace("SELECT", "PREFIX prov: <http://www.w3.org/ns/prov#>\nSELECT", 1),
    )
    assert {(r["place"]["value"], r["format"]["value"]) for r in rows} == {
        ("table 3, row 3", "docx")
    }


def test_the_source_view_shows_the_document_as_read(site: ServerProcess) -> None:
    page = get(site.url + f"/source/{STEM}")[0].decode("utf-8")
    assert f'href="/source/{STEM}/original"' in page
    assert "docx" in page and "bảng 3, hàng 3" in page
    # a task row is shown as a row of cells: its product cell as a cell of its own
    assert '<table class="row">' in page
    assert "<td><p>Ứng dụng AI trong công tác phổ biến, giáo dục pháp luật</p></td>" in page
    english = get(site.url + f"/source/{STEM}?lang=en")[0].decode("utf-8")
    assert "table 3, row 3" in english


def test_the_original_file_is_served_as_published(site: ServerProcess) -> None:
    body, headers = get(site.url + f"/source/{STEM}/original")
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(PLAN.read_bytes()).hexdigest()
    assert headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert headers["x-content-type-options"] == "nosniff"
    # a text source is served as text; an unknown one is a 404
    text, headers = get(site.url + "/source/000_fbdcaf704ef480ea/original")
    assert headers["content-type"].startswith("text/plain") and text.startswith(b"\n")
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(site.url + "/source/no_such_file/original")
    assert missing.value.code == 404
    missing.value.close()
