"""cchc build: the graph it writes, its provenance, and what it does with bad input."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from cchc_graph.build import BuildReport, build
from cchc_graph.errors import SourceError
from cchc_graph.settings import Settings
from tests.conftest import SOURCES, select

ID = "https://w3id.org/cchc/id/"


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_trig_and_nquads_load_and_agree(built: tuple[BuildReport, Path], store: ox.Store) -> None:
    report, out = built
    nquads = ox.Store()
    nquads.bulk_load(path=out / "cchc.nq", format=ox.RdfFormat.N_QUADS)
    assert len(store) == len(nquads) == report.triples > 5000
    graphs = {g.value for g in store.named_graphs()}
    assert {f"{ID}source/{p.stem}" for p in SOURCES.glob("*.txt")} <= graphs
    assert {f"{ID}graph/ontology", f"{ID}graph/vocabularies"} <= graphs


def test_report_lists_every_document(built: tuple[BuildReport, Path]) -> None:
    report, out = built
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [d["file"] for d in saved["documents"]] == sorted(p.name for p in SOURCES.glob("*.txt"))
    assert sum(d["tasks"] for d in saved["documents"]) == sum(d.tasks for d in report.documents)
    truncated = {
        d["file"]: [p["line"] for p in d["problems"] if p["kind"] == "annex-truncated"]
        for d in saved["documents"]
    }
    assert truncated["002_4c182d265d647846.txt"] == [207]
    assert truncated["004_e5038761a6850e2f.txt"] == [80]


@pytest.mark.parametrize("cls", ["Task", "Deliverable", "Target", "Citation", "Finding"])
def test_provenance_on_every_fact(store: ox.Store, cls: str) -> None:
    missing = select(
        store,
        f"""SELECT DISTINCT ?x WHERE {{ ?x a cchc:{cls} .
        FILTER NOT EXISTS {{ ?x prov:wasDerivedFrom ?src . ?src a cchc:SourceDocument .
                            ?x cchc:sourceLine ?line }} }}""",
    )
    assert missing == []
    count = select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a cchc:{cls} }}")
    assert int(count[0]["n"]) > 0


def test_source_line_points_at_the_quote(store: ox.Store) -> None:
    """The quote of a task starts with text that is on its source line."""
    rows = select(
        store,
        """SELECT ?file ?line ?id WHERE {
        ?t a cchc:Task ; cchc:localId ?id ; cchc:sourceLine ?line ; prov:wasDerivedFrom ?s .
        ?s <http://purl.org/dc/terms/identifier> ?file }""",
    )
    assert len(rows) >= 150
    for row in rows:
        lines = (SOURCES / row["file"]).read_text(encoding="utf-8").split("\n")
        number = row["id"].split(".")[-1]
        line = lines[int(row["line"]) - 1]
        assert line.strip(), row
        if row["id"][0] in "IV" and number.isdigit() and row["file"].startswith(("000", "002")):
            assert line.startswith(number + "\t"), row


def test_the_two_76_nq_cp_are_two_instruments(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?i ?date WHERE {
        ?i eli:number "76/NQ-CP" ; eli:date_document ?date }""",
    )
    assert sorted((r["i"], r["date"]) for r in rows) == [
        (f"{ID}instrument/nghi-quyet/2013/76-nq-cp", "2013-06-13"),
        (f"{ID}instrument/nghi-quyet/2021/76-nq-cp", "2021-07-15"),
    ]
    amends = select(
        store,
        "SELECT DISTINCT ?a WHERE { id:instrument\\/nghi-quyet\\/2013\\/76-nq-cp eli:amends ?a }",
    )
    assert [r["a"] for r in amends] == [f"{ID}instrument/nghi-quyet/2011/30c-nq-cp"]


@pytest.mark.parametrize(
    "plan,expected",
    [
        (
            "plan/khanh-hoa/2014",
            {
                "luat/2003/to-chuc-hoi-dong-nhan-dan-va-uy-ban-nhan-dan",
                "nghi-quyet/2011/30c-nq-cp",
                "nghi-quyet/2013/76-nq-cp",
                "quyet-dinh/2011/3377-qd-ubnd-khanh-hoa",
            },
        ),
        (
            "plan/khanh-hoa/2017",
            {
                "luat/2015/to-chuc-chinh-quyen-dia-phuong",
                "nghi-quyet/2011/30c-nq-cp",
                "nghi-quyet/2013/76-nq-cp",
                "quyet-dinh/2011/3377-qd-ubnd-khanh-hoa",
                "quyet-dinh/2015/3777-qd-ubnd-khanh-hoa",
            },
        ),
        (
            "plan/khanh-hoa/2023",
            {
                "luat/2015/to-chuc-chinh-quyen-dia-phuong",
                "luat/2019/sua-doi-bo-sung-mot-so-dieu-cua-luat-to-chuc-chinh-phu-va-"
                "luat-to-chuc-chinh-quyen-dia-phuong",
                "nghi-quyet/2021/76-nq-cp",
                "quyet-dinh/2021/4831-qd-ubnd-khanh-hoa",
            },
        ),
        (
            "plan/cao-bang/2016-2020",
            {
                "luat/2003/to-chuc-hoi-dong-nhan-dan-va-uy-ban-nhan-dan",
                "nghi-quyet/2011/30c-nq-cp",
                "chi-thi/2014/57-ct-tu-cao-bang",
            },
        ),
    ],
)
def test_legal_basis_of_each_plan(store: ox.Store, plan: str, expected: set[str]) -> None:
    rows = select(store, f"SELECT DISTINCT ?i WHERE {{ <{ID}{plan}> cchc:legalBasis ?i }}")
    assert {r["i"].removeprefix(ID + "instrument/") for r in rows} == expected


def test_agency_has_one_type_and_labels(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?a (COUNT(DISTINCT ?t) AS ?types) WHERE {
        ?a a org:Organization ; org:classification ?t } GROUP BY ?a""",
    )
    assert rows and all(r["types"] == "1" for r in rows)
    label = select(
        store,
        """SELECT DISTINCT ?vi ?en WHERE { id:agency\\/khanh-hoa\\/so-tu-phap
        skos:prefLabel ?vi, ?en . FILTER(lang(?vi) = "vi" && lang(?en) = "en") }""",
    )
    assert label == [
        {"vi": "Sở Tư pháp tỉnh Khánh Hòa", "en": "Department of Justice, Khánh Hòa province"}
    ]


def test_build_is_deterministic(built: tuple[BuildReport, Path], tmp_path: Path) -> None:
    build(Settings(), SOURCES, tmp_path)
    assert (tmp_path / "cchc.trig").read_bytes() == (built[1] / "cchc.trig").read_bytes()


@pytest.fixture()
def sources_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES, folder)
    return folder


@pytest.mark.parametrize(
    "name,content,line,words",
    [
        ("garbage.txt", "lorem ipsum\n\ndolor sit amet\n", 1, "unknown layout"),
        ("nul.txt", "Số: 1/QĐ-UBND\nabc\x00def\n", 2, "binary"),
    ],
)
def test_bad_document_names_file_and_line_and_keeps_previous_build(
    sources_copy: Path, tmp_path: Path, name: str, content: str, line: int, words: str
) -> None:
    out = tmp_path / "build"
    build(Settings(), sources_copy, out)
    before = digest(out)
    (sources_copy / name).write_text(content, encoding="utf-8")
    with pytest.raises(SourceError) as error:
        build(Settings(), sources_copy, out)
    assert error.value.path.name == name
    assert error.value.line == line
    assert words in error.value.message
    assert f"{name}:{line}" in str(error.value)
    assert digest(out) == before


def test_not_utf8_is_a_source_error(sources_copy: Path, tmp_path: Path) -> None:
    (sources_copy / "latin1.txt").write_bytes("Số: 1\nKế hoạch\n".encode("utf-16"))
    with pytest.raises(SourceError) as error:
        build(Settings(), sources_copy, tmp_path / "out")
    assert error.value.path.name == "latin1.txt"


def test_a_new_document_is_picked_up(sources_copy: Path, tmp_path: Path) -> None:
    variant = Path(__file__).parent / "data" / "variants" / "binh_dinh_2020_columns.txt"
    shutil.copy(variant, sources_copy / "binh_dinh.txt")
    report = build(Settings(), sources_copy, tmp_path / "out")
    assert len(report.documents) == 6
    assert any(d.iri == f"{ID}plan/binh-dinh/2020" for d in report.documents)


def test_tasks_continue_across_years(store: ox.Store) -> None:
    """2017 II.4 repeats 2014 II.3 ("Cập nhật kịp thời các quy định thủ tục hành chính ...")."""
    rows = select(
        store,
        """SELECT DISTINCT ?earlier ?score WHERE {
        ?c a cchc:Continuation ; cchc:laterTask id:task\\/khanh-hoa-2017\\/II.4 ;
           cchc:earlierTask ?earlier ; cchc:similarity ?score .
        id:task\\/khanh-hoa-2017\\/II.4 cchc:continues ?earlier }""",
    )
    assert [r["earlier"] for r in rows] == [f"{ID}task/khanh-hoa-2014/II.3"]
    assert float(rows[0]["score"]) > 0.6
    backwards = select(
        store,
        """SELECT ?later ?earlier WHERE { ?later cchc:continues ?earlier .
        ?later cchc:inDocument/cchc:periodStart ?y1 . ?earlier cchc:inDocument/cchc:periodEnd ?y0 .
        FILTER (?y1 <= ?y0) }""",
    )
    assert backwards == []


def test_every_cchc_term_in_the_graph_is_declared(store: ox.Store) -> None:
    declared = {
        r["t"]
        for r in select(
            store,
            """SELECT DISTINCT ?t WHERE { GRAPH ?g {
        ?t a ?kind . FILTER (?kind IN (<http://www.w3.org/2002/07/owl#Class>,
        <http://www.w3.org/2002/07/owl#ObjectProperty>,
        <http://www.w3.org/2002/07/owl#DatatypeProperty>)) } }""",
        )
    }
    used = {
        r["t"]
        for r in select(
            store,
            """SELECT DISTINCT ?t WHERE {
        { ?s ?t ?o } UNION { ?s a ?t } FILTER (STRSTARTS(STR(?t), STR(cchc:))) }""",
        )
    }
    assert used - declared == set()


def test_every_literal_is_nfc(built: tuple[BuildReport, Path]) -> None:
    import unicodedata

    text = (built[1] / "cchc.nq").read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert "Sở Tư pháp tỉnh Khánh Hòa" in text  # diacritics kept in labels


@pytest.mark.parametrize(
    ("instrument", "title"),
    [
        # 001_e700a40f57bf9176.txt:28-31, the title wraps over three lines
        (
            "cong-van/2012/207-bnv-cchc",
            "hướng dẫn triển khai Chương trình tổng thể cải cách hành chính nhà nước giai đoạn "
            "2011-2020",
        ),
        # 001:192-194, wrapped, ends with the sentence
        (
            "nghi-quyet/2014/43-nq-cp",
            "về một số nhiệm vụ trọng tâm cải cách thủ tục hành chính trong hình thành và thực "
            "hiện dự án đầu tư có sử dụng đất để cải thiện môi trường kinh doanh",
        ),
    ],
)
def test_instrument_titles_run_over_wrapped_lines(
    store: ox.Store, instrument: str, title: str
) -> None:
    rows = select(store, f"SELECT ?t WHERE {{ <{ID}instrument/{instrument}> dcterms:title ?t }}")
    assert [r["t"] for r in rows] == [title]


def test_a_table_cell_border_ends_a_title(store: ox.Store) -> None:
    # 001:976 cites Nghị định 108/2014/NĐ-CP at the end of a "|"-separated cell: no title there
    query = f"SELECT ?t WHERE {{ <{ID}instrument/nghi-dinh/2014/108-nd-cp> dcterms:title ?t }}"
    rows = select(store, query)
    assert all("|" not in r["t"] for r in rows)


def test_no_statement_is_repeated_in_two_graphs(store: ox.Store) -> None:
    # Oxigraph queries the union of the named graphs as a bag: a triple stated in two graphs
    # comes back twice, so shared agencies and instruments are described once, in the registry
    seen: dict[ox.Triple, str] = {}
    for quad in store:
        graph = str(quad.graph_name)
        assert seen.setdefault(quad.triple, graph) == graph, (quad.triple, seen[quad.triple], graph)
    registry = ox.NamedNode("https://w3id.org/cchc/id/graph/registry")
    thirty_c = ox.NamedNode("https://w3id.org/cchc/id/instrument/nghi-quyet/2011/30c-nq-cp")
    graphs = {q.graph_name for q in store.quads_for_pattern(thirty_c, None, None)}
    assert graphs == {registry}
    assert len(list(store.quads_for_pattern(None, None, thirty_c))) > 3  # cited from the plans


def test_the_graph_names_every_node(store: ox.Store) -> None:
    """No blank node: two stores loading the same build hold the same terms (a blank node is
    named anew by every load, and answers would differ byte for byte)."""
    blank = [
        q
        for q in store
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
    ]
    assert blank == []
