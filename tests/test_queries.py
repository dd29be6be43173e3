"""Every canned query answers what the sources say, on the embedded store and on a real oxigraph
server alike (the `query_store` fixture runs each test on both).

The expected answers come from reading the documents: tests/expected/queries/*.yaml (complete
lists for the questions below, written from the text) and tests/expected/*.yaml (targets, legal
basis), plus a few facts stated here with the source line they were read from.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from cchc_graph.build import BuildReport
from cchc_graph.canned import Catalogue, ParameterError, load_catalogue
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.settings import Settings
from cchc_graph.store import EmbeddedStore, Store

EXPECTED = Path(__file__).parent / "expected"
ID = DEFAULT_BASE

# which node each source document became, and the first year of its period (read from the headers)
DOCUMENTS = {
    "000_fbdcaf704ef480ea": (ID + "plan/khanh-hoa/2014", 2014, "khanh-hoa"),
    "001_e700a40f57bf9176": (ID + "plan/cao-bang/2016-2020", 2016, "cao-bang"),
    "002_4c182d265d647846": (ID + "plan/khanh-hoa/2017", 2017, "khanh-hoa"),
    "003_15ca9d007ed5324e": (
        ID + "directive/khanh-hoa/2017/003_15ca9d007ed5324e",
        2017,
        "khanh-hoa",
    ),
    "004_e5038761a6850e2f": (ID + "plan/khanh-hoa/2023", 2023, "khanh-hoa"),
}
STEM_OF = {iri: stem for stem, (iri, _, _) in DOCUMENTS.items()}


def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


READINGS = {stem: _read(EXPECTED / "queries" / f"{stem}.yaml") for stem in DOCUMENTS}
DOCUMENT_READINGS = {stem: _read(EXPECTED / f"{stem}.yaml") for stem in DOCUMENTS}


@pytest.fixture(scope="module")
def catalogue(query_store: Store) -> Catalogue:
    return Catalogue(load_catalogue(Settings().queries_dir), query_store)


def ask(catalogue: Catalogue, name: str, **params: str) -> list[dict[str, str]]:
    return catalogue.store.select(catalogue.bind(name, params)).values()


def _tasks(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(STEM_OF[row["plan"]], row["taskId"]) for row in rows}


def _read_tasks(key: str) -> set[tuple[str, str]]:
    return {
        (stem, entry["task"] if isinstance(entry, dict) else entry)
        for stem, reading in READINGS.items()
        for entry in reading.get(key) or []
    }


# ------------------------------------------------------------------ who leads, who cooperates


@pytest.mark.parametrize(
    ("agency", "key"),
    [
        ("Sở Tư pháp", "so_tu_phap"),
        ("so tu phap", "so_tu_phap"),
        ("SỞ TƯ PHÁP", "so_tu_phap"),
        ("so-tu-phap", "so_tu_phap"),
        (ID + "agency-type/so-tu-phap", "so_tu_phap"),
        ("Sở Thông tin và Truyền thông", "so_thong_tin_va_truyen_thong"),
        ("so thong tin va truyen thong", "so_thong_tin_va_truyen_thong"),
        ("Sở TT&TT", "so_thong_tin_va_truyen_thong"),
    ],
)
def test_tasks_led_by_an_agency_type_across_years_and_provinces(
    catalogue: Catalogue, agency: str, key: str
) -> None:
    rows = ask(catalogue, "tasks-led-by", agency=agency)
    assert _tasks(rows) == _read_tasks(f"led_by_{key}")
    # every year and province of the sources where it leads something is there
    for row in rows:
        _, year, _ = DOCUMENTS[STEM_OF[row["plan"]]]
        assert int(row["year"]) == year


def test_tasks_led_by_gives_each_deliverables_due_date(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "tasks-led-by", agency="tu phap")
    got: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        got.setdefault((STEM_OF[row["plan"]], row["taskId"]), []).append(row.get("due", ""))
    for stem, reading in READINGS.items():
        for entry in reading["led_by_so_tu_phap"]:
            due = [d.isoformat() if isinstance(d, date) else "" for d in entry["due"]]
            assert sorted(got[(stem, entry["task"])]) == sorted(due), (stem, entry["task"])
            lines = {
                int(r["line"])
                for r in rows
                if STEM_OF[r["plan"]] == stem and r["taskId"] == entry["task"]
            }
            assert min(lines) >= entry["line"]


def test_tasks_led_by_one_provinces_agency_only(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "tasks-led-by", agency=ID + "agency/cao-bang/so-tu-phap")
    expected = {t for t in _read_tasks("led_by_so_tu_phap") if t[0] == "001_e700a40f57bf9176"}
    assert _tasks(rows) == expected


@pytest.mark.parametrize(
    ("agency", "key"),
    [("tư pháp", "so_tu_phap"), ("so thong tin va truyen thong", "so_thong_tin_va_truyen_thong")],
)
def test_tasks_an_agency_cooperates_on(catalogue: Catalogue, agency: str, key: str) -> None:
    rows = ask(catalogue, "tasks-cooperating", agency=agency)
    assert _tasks(rows) == _read_tasks(f"cooperates_{key}")
    assert all(row.get("leads") for row in rows if row["taskId"] != "TCTH.5")


def test_an_agencys_workload_by_year_and_role(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "agency-workload", agency="Sở Tư pháp")
    got = {(int(r["year"]), r["role"]): int(r["tasks"]) for r in rows if r["role"] != "participant"}
    expected: Counter[tuple[int, str]] = Counter()
    for stem, reading in READINGS.items():
        year = DOCUMENTS[stem][1]
        for role, key in (("lead", "led_by_so_tu_phap"), ("cooperating", "cooperates_so_tu_phap")):
            expected[(year, role)] += len(reading[key])
    assert got == {k: v for k, v in expected.items() if v}


def test_agencies_assigned_together(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "co-assigned-agencies", agency="Sở Tư pháp", limit="50")
    partners = {r["partner"].rsplit("/", 1)[1]: int(r["deliverables"]) for r in rows}
    assert "so-tu-phap" not in partners
    # lower bounds from the tasks read by hand (tests/expected/*.yaml lists only some tasks)
    together: Counter[str] = Counter()
    for reading in DOCUMENT_READINGS.values():
        for task in reading.get("tasks") or []:
            for deliverable in task.get("deliverables") or []:
                assigned = {
                    *(deliverable.get("lead") or []),
                    *(deliverable.get("cooperating") or []),
                }
                if "so-tu-phap" in assigned:
                    together.update(
                        a for a in assigned if not a.startswith("group:") and a != "so-tu-phap"
                    )
    assert together["so-noi-vu"] > 0
    for partner, count in together.items():
        assert partners.get(partner, 0) >= count, partner
    counts = [int(r["deliverables"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_busiest_agencies_count_what_each_leads(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "busiest-agencies", limit="100")
    leads = {r["type"].rsplit("/", 1)[1]: int(r["leads"]) for r in rows}
    for slug, key in (
        ("so-tu-phap", "led_by_so_tu_phap"),
        ("so-thong-tin-va-truyen-thong", "led_by_so_thong_tin_va_truyen_thong"),
    ):
        read = sum(len(e["due"]) for reading in READINGS.values() for e in reading[key])
        assert leads[slug] == read, slug


# ------------------------------------------------------------------ deadlines and gaps


def test_deliverables_due_in_q2_2023(catalogue: Catalogue) -> None:
    # 004 line 132 (V.5): "30/06/2023", Sở Tài chính; lines 270 and 276 (VII.9, VII.10):
    # "Quý II/2023", Sở Nội vụ. No other source has a deadline in 2023.
    rows = ask(catalogue, "due-between", **{"from": "2023-04-01", "to": "2023-06-30"})
    got = {(r["taskId"], r["due"], r["leads"]) for r in rows}
    assert got == {
        ("V.5", "2023-06-30", "Sở Tài chính tỉnh Khánh Hòa"),
        ("VII.9", "2023-06-30", "Sở Nội vụ tỉnh Khánh Hòa"),
        ("VII.10", "2023-06-30", "Sở Nội vụ tỉnh Khánh Hòa"),
    }


def test_due_between_takes_both_ends(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "due-between", **{"from": "2023-06-30", "to": "2023-06-30"})
    assert {r["taskId"] for r in rows} == {"V.5", "VII.9", "VII.10"}
    assert ask(catalogue, "due-between", **{"from": "2023-07-01", "to": "2023-06-30"}) == []


def test_deliverables_lacking_a_deadline_or_a_lead(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "incomplete-deliverables")
    for word, key in (("lead", "no_lead"), ("deadline", "no_deadline")):
        got = {
            (STEM_OF[r["plan"]], r["taskId"], int(r["deliverable"].rsplit("/d", 1)[1]))
            for r in rows
            if word in r["missing"]
        }
        read = {
            (stem, e["task"], e["deliverable"])
            for stem, reading in READINGS.items()
            for e in reading[key] or []
        }
        assert got == read, word


# ------------------------------------------------------------------ documents, areas, provinces


def test_documents_with_their_counts(catalogue: Catalogue) -> None:
    rows = {STEM_OF[r["document"]]: r for r in ask(catalogue, "documents")}
    assert set(rows) == set(DOCUMENTS)
    for stem, row in rows.items():
        document = DOCUMENT_READINGS[stem]["document"]
        assert [int(row["start"]), int(row["end"])] == document["period"]
        assert int(row["deliverables"]) == READINGS[stem]["deliverables_total"], stem
        assert int(row["targets"]) == len(DOCUMENT_READINGS[stem].get("targets") or []), stem
        if (document.get("adopted_by") or {}).get("number"):
            assert row["adoptedBy"].endswith(document["adopted_by"]["number"])


def test_tasks_per_reform_area(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "tasks-per-area")
    for stem, reading in READINGS.items():
        got = {
            r["area"].rsplit("/", 1)[1]: int(r["tasks"])
            for r in rows
            if STEM_OF[r["document"]] == stem and "area" in r
        }
        assert got == reading["tasks_per_area"], stem


def test_two_provinces_compared_by_reform_area(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "compare-provinces", first="khanh hoa", second="Cao Bằng")
    got = {
        r["area"].rsplit("/", 1)[1]: (int(r["firstTasks"]), int(r["secondTasks"]))
        for r in rows
        if "area" in r
    }
    expected: dict[str, list[int]] = {}
    for stem, reading in READINGS.items():
        side = 1 if DOCUMENTS[stem][2] == "cao-bang" else 0
        for area, count in reading["tasks_per_area"].items():
            expected.setdefault(area, [0, 0])[side] += count
    assert got == {area: tuple(counts) for area, counts in expected.items()}


def test_a_plans_tasks(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "plan-tasks", plan="khanh-hoa/2023")
    assert len(rows) == READINGS["004_e5038761a6850e2f"]["deliverables_total"]
    v5 = next(r for r in rows if r["taskId"] == "V.5")
    assert (v5["due"], v5["leads"], v5["line"]) == (
        "2023-06-30",
        "Sở Tài chính tỉnh Khánh Hòa",
        "132",
    )


# ------------------------------------------------------------------ instruments


def test_legal_basis_chain_up_to_the_national_programme(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "legal-basis-chain", plan="khanh-hoa/2014")
    direct = {
        r["number"]
        for r in rows
        if r["relation"] == "legal basis" and "number" in r and r["direct"] == r["instrument"]
    }
    read = DOCUMENT_READINGS["000_fbdcaf704ef480ea"]
    assert direct == {i["number"] for i in read["legal_basis"] if i.get("number")}
    adopted = {r["number"] for r in rows if r["relation"] == "adopted by"}
    assert adopted == {read["document"]["adopted_by"]["number"]}
    # 76/NQ-CP of 13/6/2013 amends 30c/NQ-CP: the chain reaches the programme through it too
    via_76 = {r["number"] for r in rows if r["direct"].endswith("/nghi-quyet/2013/76-nq-cp")}
    assert via_76 == {"76/NQ-CP", "30c/NQ-CP"}
    national = {r["number"] for r in rows if r["national"] == "true" and "number" in r}
    assert {"30c/NQ-CP", "76/NQ-CP"} <= national
    assert "3377/QĐ-UBND" not in national


def test_the_2023_plan_rests_on_the_2021_programme(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "legal-basis-chain", plan=ID + "plan/khanh-hoa/2023")
    dated = {(r.get("number"), r.get("date")) for r in rows if r["relation"] == "legal basis"}
    assert ("76/NQ-CP", "2021-07-15") in dated
    assert ("4831/QĐ-UBND", "2021-12-24") in dated
    assert all(r.get("date") != "2013-06-13" for r in rows)


def test_instruments_cited_most(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "instruments-most-cited")
    citing = [
        stem
        for stem, reading in DOCUMENT_READINGS.items()
        if any(
            i.get("number") == "30c/NQ-CP"
            for i in [*reading.get("cites", []), *reading.get("legal_basis", [])]
        )
    ]
    top = rows[0]
    assert top["number"] == "30c/NQ-CP"
    assert int(top["documents"]) == len(citing) == 3
    assert set(top["citedBy"].split("; ")) == {"Khánh Hòa 2014", "Cao Bằng 2016", "Khánh Hòa 2017"}
    counts = [int(r["documents"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_plans_under_30c_versus_the_2021_programme(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "plans-by-programme")
    by_period: dict[str, set[str]] = {}
    for row in rows:
        by_period.setdefault(row["period"], set()).add(STEM_OF[row["document"]])
    assert by_period == {
        "2011-2020": {"000_fbdcaf704ef480ea", "001_e700a40f57bf9176", "002_4c182d265d647846"},
        "2021-2030": {"004_e5038761a6850e2f"},
    }


# ------------------------------------------------------------------ targets


def _read_targets(indicator: str | None = None, stem: str | None = None) -> set[tuple[Any, ...]]:
    return {
        (s, t["comparator"], float(t["value"]), t["year"], t["line"])
        for s, reading in DOCUMENT_READINGS.items()
        if stem in (None, s)
        for t in reading.get("targets") or []
        if indicator in (None, t.get("indicator"))
    }


def test_an_indicators_trajectory(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "indicator-trajectory", indicator="satisfaction-state-agencies")
    got = {
        (STEM_OF[r["plan"]], r["comparator"], float(r["value"]), int(r["year"]), int(r["line"]))
        for r in rows
    }
    assert got == _read_targets("satisfaction-state-agencies")
    years = [int(r["year"]) for r in rows]
    assert years == sorted(years) and len(set(years)) > 1


def test_the_targets_of_a_plan(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "plan-targets", plan="khanh-hoa/2017")
    got = {
        ("002_4c182d265d647846", r["comparator"], float(r["value"]), int(r["year"]), int(r["line"]))
        for r in rows
    }
    assert got == _read_targets(stem="002_4c182d265d647846")


# ------------------------------------------------------------------ recurrence and search


def test_tasks_that_recur_across_years(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "recurring-tasks")
    pairs = {(r["earlier"].split("/task/")[1], r["later"].split("/task/")[1]) for r in rows}
    # 2014 II.1 (line 162) and 2017 II.1 (line 200): "Tiến hành rà soát ... thủ tục hành chính
    # trên các lĩnh vực quản lý (xuyên suốt từ cấp tỉnh đến cấp huyện, cấp xã)"; 2014 TCTH.2
    # (line 109) and 2017 TCTH.2 (line 143): the same "Căn cứ nội dung Kế hoạch ..." duty.
    assert ("khanh-hoa-2014/II.1", "khanh-hoa-2017/II.1") in pairs
    assert ("khanh-hoa-2014/TCTH.2", "khanh-hoa-2017/TCTH.2") in pairs
    assert all(int(r["earlierYear"]) < int(r["laterYear"]) for r in rows)


@pytest.mark.parametrize("words", ["tu phap", "Tư pháp", "TƯ PHÁP", "so tu phap"])
def test_search_with_or_without_diacritics(catalogue: Catalogue, words: str) -> None:
    rows = ask(catalogue, "search", q=words)
    found = {r["node"] for r in rows}
    assert ID + "agency-type/so-tu-phap" in found
    assert ID + "agency/khanh-hoa/so-tu-phap" in found
    assert ID + "agency/cao-bang/so-tu-phap" in found
    assert all(
        "pháp" in r["label"].lower() or "phap" in r["label"].lower()
        for r in rows
        if r["type"].endswith("Type")
    )


def test_search_folds_d_with_stroke(catalogue: Catalogue) -> None:
    rows = ask(catalogue, "search", q="dai phat thanh")
    assert any(r["label"].startswith("Đài Phát thanh") for r in rows)


# ------------------------------------------------------------------ the catalogue itself


def test_the_catalogue_has_the_questions_people_ask() -> None:
    queries = load_catalogue(Settings().queries_dir)
    assert len(queries) >= 15
    for query in queries.values():
        assert query.title["vi"] and query.title["en"]
        assert query.description["vi"] and query.description["en"]
        for parameter in query.parameters:
            assert parameter.default is not None, (query.name, parameter.name)


def test_every_canned_query_runs_with_its_defaults(catalogue: Catalogue) -> None:
    for name in catalogue.queries:
        assert ask(catalogue, name), name


def test_bad_parameters_are_named(catalogue: Catalogue) -> None:
    with pytest.raises(ParameterError, match="no parameter 'agencyy'"):
        catalogue.bind("tasks-led-by", {"agencyy": "x"})
    with pytest.raises(ParameterError, match="no agency matches 'sở không có'"):
        catalogue.bind("tasks-led-by", {"agency": "sở không có"})
    with pytest.raises(ParameterError, match="ambiguous"):
        catalogue.bind("tasks-led-by", {"agency": "khanh hoa"})
    with pytest.raises(ParameterError, match="not a date"):
        catalogue.bind("due-between", {"from": "quý II"})
    with pytest.raises(ParameterError, match="no canned query"):
        catalogue.bind("nothing-here", {})


# ------------------------------------------------------------------ statements stated twice

# Oxigraph reads the union of the named graphs as a bag: a triple stated in two graphs matches
# twice. The build never does that, but a store may (a source loaded twice under two names, a
# remote store holding other data). Every canned query must answer there what it answers on the
# build alone, and stay fast: each pattern matching twice multiplies the rows built on it.

CATALOGUE = load_catalogue(Settings().queries_dir)
# the parameters the tests above use, besides each query's defaults
ASKED: list[tuple[str, dict[str, str]]] = [
    *((name, {}) for name in CATALOGUE),
    ("tasks-led-by", {"agency": "Sở TT&TT"}),
    ("tasks-led-by", {"agency": ID + "agency/cao-bang/so-tu-phap"}),
    ("tasks-cooperating", {"agency": "so thong tin va truyen thong"}),
    ("co-assigned-agencies", {"agency": "Sở Tư pháp", "limit": "50"}),
    ("busiest-agencies", {"limit": "100"}),
    ("due-between", {"from": "2023-06-30", "to": "2023-06-30"}),
    ("due-between", {"from": "2023-07-01", "to": "2023-06-30"}),
    ("due-between", {"from": "2014-01-01", "to": "2017-12-31"}),
    ("compare-provinces", {"first": "khanh hoa", "second": "Cao Bằng"}),
    ("legal-basis-chain", {"plan": ID + "plan/khanh-hoa/2023"}),
    ("search", {"q": "TƯ PHÁP"}),
    ("search", {"q": "so tu phap"}),
    ("search", {"q": "dai phat thanh"}),
]


def _repeated_graph(name: str) -> bool:
    return "/source/" in name or name == ID + "graph/registry"


@pytest.fixture(scope="module")
def repeated_store(built: tuple[BuildReport, Path]) -> EmbeddedStore:
    """The build with every source graph, and the registry graph, stated a second time under
    another graph name."""
    store = EmbeddedStore.in_memory(built[1])
    store.store.extend(
        [
            ox.Quad(
                quad.subject,
                quad.predicate,
                quad.object,
                ox.NamedNode(quad.graph_name.value + "-again"),
            )
            for quad in store.store
            if isinstance(quad.graph_name, ox.NamedNode) and _repeated_graph(quad.graph_name.value)
        ]
    )
    return store


def test_the_repeated_store_repeats_statements(repeated_store: EmbeddedStore) -> None:
    lead = "?d <https://w3id.org/cchc/def#leadAgency> ?a"
    every = repeated_store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {lead} }}")
    once = repeated_store.select(f"SELECT (COUNT(DISTINCT *) AS ?n) WHERE {{ {lead} }}")
    assert int(every.column("n")[0]) == 2 * int(once.column("n")[0]) > 0


def _order_keys(sparql: str) -> list[str]:
    """The variables of the query's last ORDER BY, in order."""
    clause = sparql.rsplit("ORDER BY", 1)[1].split("\n", 1)[0]
    return re.findall(r"\?(\w+)", clause)


def _concatenated(sparql: str) -> dict[str, str]:
    """Columns made by GROUP_CONCAT, with their separators: SPARQL leaves the order of the
    concatenated values unspecified, and the store gives them in the order it found them."""
    found = re.findall(r'GROUP_CONCAT\([^;]*; separator="([^"]*)"\) AS \?(\w+)', sparql)
    return {column: separator for separator, column in found}


def _comparable(row: dict[str, str], concatenated: dict[str, str]) -> list[tuple[str, str]]:
    cells = dict(row)
    for column, separator in concatenated.items():
        if column in cells:
            cells[column] = separator.join(sorted(cells[column].split(separator)))
    return sorted(cells.items())


@pytest.mark.parametrize(
    ("name", "params"),
    ASKED,
    ids=[name + "".join(f":{k}={v}" for k, v in p.items()) for name, p in ASKED],
)
def test_repeated_statements_change_no_answer(
    embedded_store: EmbeddedStore, repeated_store: EmbeddedStore, name: str, params: dict[str, str]
) -> None:
    expected = ask(Catalogue(CATALOGUE, embedded_store), name, **params)
    bound = Catalogue(CATALOGUE, repeated_store).bind(name, params)
    got = repeated_store.select(bound).values()  # its speed: bench/queries.py --repeated
    sparql = CATALOGUE[name].sparql
    concatenated = _concatenated(sparql)
    assert sorted(_comparable(row, concatenated) for row in got) == sorted(
        _comparable(row, concatenated) for row in expected
    )
    # in the order asked for: where its keys tell every row apart, the very same list
    keys = _order_keys(sparql)
    assert [[row.get(k) for k in keys] for row in got] == [
        [row.get(k) for k in keys] for row in expected
    ]


@pytest.mark.parametrize(
    "name,params,columns",
    [
        ("plan-tasks", {"plan": "cao-bang/2016-2020"}, ("leads", "cooperating")),
        ("plan-tasks", {"plan": "khanh-hoa/2014"}, ("leads", "cooperating")),
        ("due-between", {"from": "2014-01-01", "to": "2020-12-31"}, ("leads",)),
        ("instruments-most-cited", {}, ("citedBy",)),
    ],
)
def test_names_gathered_in_one_cell_come_in_order(
    catalogue: Catalogue, name: str, params: dict[str, str], columns: tuple[str, ...]
) -> None:
    """Every engine lists the names a GROUP_CONCAT gathers in the same (alphabetical) order."""
    lists = [
        row[c].split("; ") for row in ask(catalogue, name, **params) for c in columns if c in row
    ]
    assert any(len(names) > 1 for names in lists), "some cell gathers several names"
    assert all(names == sorted(names) for names in lists)


def test_with_lineage_an_agency_brings_what_it_was_formed_from(catalogue: Catalogue) -> None:
    """Sở Tài chính with lineage=true: its own tasks, and Sở Kế hoạch và Đầu tư's of 2014-2023
    (merged into it on 1 March 2025), each of those marked with that body and the change."""
    own = ask(catalogue, "tasks-led-by", agency="Sở Tài chính")
    planning = ask(catalogue, "tasks-led-by", agency="Sở Kế hoạch và Đầu tư")
    both = ask(catalogue, "tasks-led-by", agency="Sở Tài chính", lineage="true")
    assert own and planning
    assert not any("change" in row for row in own)
    mine = [r for r in both if "change" not in r]
    inherited = [r for r in both if "change" in r]
    assert {r["deliverable"] for r in mine} == {r["deliverable"] for r in own}
    assert {r["deliverable"] for r in inherited} == {r["deliverable"] for r in planning}
    for row in inherited:
        assert row["agencyLabel"].startswith("Sở Kế hoạch và Đầu tư"), row
        assert row["change"].startswith(DEFAULT_BASE + "change/2025/tai-chinh/"), row


def test_lineage_in_cooperation_and_workload(catalogue: Catalogue) -> None:
    """The same lineage for the tasks an agency cooperates on and for its workload: Sở Kế hoạch
    và Đầu tư's rows come with Sở Tài chính's, marked (the change; formedFrom)."""
    own = ask(catalogue, "tasks-cooperating", agency="Sở Tài chính")
    planning = ask(catalogue, "tasks-cooperating", agency="Sở Kế hoạch và Đầu tư")
    both = ask(catalogue, "tasks-cooperating", agency="Sở Tài chính", lineage="true")
    assert own and planning
    assert {r["deliverable"] for r in both if "change" not in r} == {r["deliverable"] for r in own}
    assert {r["deliverable"] for r in both if "change" in r} == {r["deliverable"] for r in planning}

    def counts(rows: list[dict[str, str]], label: str | None) -> dict[tuple[str, str], str]:
        return {(r["year"], r["role"]): r["tasks"] for r in rows if r.get("formedFrom") == label}

    workload = ask(catalogue, "agency-workload", agency="Sở Tài chính", lineage="true")
    assert counts(workload, None) == counts(
        ask(catalogue, "agency-workload", agency="Sở Tài chính"), None
    )
    assert counts(workload, "Sở Kế hoạch và Đầu tư") == counts(
        ask(catalogue, "agency-workload", agency="Sở Kế hoạch và Đầu tư"), None
    )


def test_what_a_merged_body_inherited(catalogue: Catalogue) -> None:
    """Sở Tài chính took in Sở Kế hoạch và Đầu tư on 1 March 2025 (Nghị định 45/2025/NĐ-CP):
    the tasks that body led in each province's last document before then."""
    rows = ask(catalogue, "inherited-tasks", agency="Sở Tài chính")
    planning = ask(catalogue, "tasks-led-by", agency="Sở Kế hoạch và Đầu tư")
    last = {}
    for document in ask(catalogue, "documents"):
        if int(document["start"]) < 2025:
            key = document["province"]
            last[key] = max(last.get(key, 0), int(document["start"]))
    expected = {r["deliverable"] for r in planning if int(r["year"]) == last[r["province"]]}
    assert expected, "the last plans name Sở Kế hoạch và Đầu tư"
    assert {r["deliverable"] for r in rows} == expected
    assert {r["source"] for r in rows} == {"45/2025/NĐ-CP"}
    assert all(r["formerlyLabel"].startswith("Sở Kế hoạch và Đầu tư") for r in rows)


@pytest.mark.parametrize("folder", ["", "pages", "views"])
def test_every_query_file_reads(folder: str) -> None:
    """A header that does not read stops the server at start: each folder's files read, and
    each folder holds what is there."""
    directory = Settings().queries_dir / folder
    loaded = load_catalogue(directory)
    assert sorted(loaded) == sorted(p.stem for p in directory.glob("*.rq"))


def test_compared_with_lineage_the_sources_provinces_stay_as_they_are(
    catalogue: Catalogue,
) -> None:
    """Neither Khánh Hòa nor Cao Bằng took in another province's plans in the sources: with
    lineage the comparison is the same on every engine (tests/test_lineage.py has one that does)."""
    plain = ask(catalogue, "compare-provinces")
    assert plain
    assert ask(catalogue, "compare-provinces", lineage="true") == plain
