"""Graph exports: the five views, every format written and read back, against what the
documents say (tests/expected/*.yaml, read by hand), deterministic to the byte."""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
import xmlschema
import yaml
from click.testing import CliRunner

from cchc_graph.canned import ParameterError
from cchc_graph.cli import cli
from cchc_graph.export import Exporter
from cchc_graph.export.dumps import DUMP_FORMATS, graph_names, write_dump
from cchc_graph.export.formats import FORMATS, MAX_DRAWN_NODES, ExportError
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.settings import Settings
from cchc_graph.store import EmbeddedStore

HERE = Path(__file__).parent
EXPECTED = HERE / "expected"
SCHEMA = HERE / "schemas" / "gexf-1.2draft" / "gexf.xsd"
VIEWS = ("assignments", "changes", "cooperation", "legal-basis", "plan", "targets")
DEFAULTS: dict[str, dict[str, str]] = {"plan": {"plan": "plan/khanh-hoa/2014"}}
# the plan or directive each expectation file describes
DOCUMENTS = {
    "000_fbdcaf704ef480ea": "plan/khanh-hoa/2014",
    "001_e700a40f57bf9176": "plan/cao-bang/2016-2020",
    "002_4c182d265d647846": "plan/khanh-hoa/2017",
    "003_15ca9d007ed5324e": "directive/khanh-hoa/2017/003_15ca9d007ed5324e",
    "004_e5038761a6850e2f": "plan/khanh-hoa/2023",
}


def expected(stem: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXPECTED / f"{stem}.yaml").read_text("utf-8"))
    return loaded


def type_slug(agency: str) -> str:
    """An expectation's agency ("so-tu-phap", "group:ubnd-cap-huyen") as its type's slug."""
    return agency.removeprefix("group:")


@pytest.fixture(scope="module")
def exporter(embedded_store: EmbeddedStore) -> Exporter:
    return Exporter(embedded_store, Settings().queries_dir / "views", DEFAULT_BASE)


def fresh(embedded_store: EmbeddedStore) -> Exporter:
    return Exporter(embedded_store, Settings().queries_dir / "views", DEFAULT_BASE)


def types_of(graph: nx.Graph, node: str) -> str:
    return str(graph.nodes[node]["type"]).removeprefix("agency-type/")


# ------------------------------------------------------------------ views against the documents


@pytest.mark.parametrize("stem", sorted(DOCUMENTS))
def test_plan_view_holds_the_tasks_and_leads_read(exporter: Exporter, stem: str) -> None:
    want = expected(stem)
    plan = DOCUMENTS[stem]
    graph = exporter.graph("plan", {"plan": plan})
    tasks = {d["local_id"] for _, d in graph.nodes(data=True) if d["kind"] == "Task"}
    assert tasks == {t["id"] for t in want["tasks"]}
    deliverables = [n for n, d in graph.nodes(data=True) if d["kind"] == "Deliverable"]
    assert len(deliverables) == sum(len(t["deliverables"]) for t in want["tasks"])
    assert graph.out_degree(plan) == len(tasks)
    key = plan.split("/", 1)[1].replace("/", "-")
    for task in want["tasks"]:
        for number, deliverable in enumerate(task["deliverables"], 1):
            node = next(
                n for n in deliverables if n.endswith(f"/{task['id'].replace('đ', 'dd')}/d{number}")
            )
            assert node.startswith(f"task/{key}") or stem.startswith("003"), node
            for role, field in (("lead", "lead"), ("cooperating", "cooperating")):
                if field not in deliverable:
                    continue
                agencies = {
                    types_of(graph, source)
                    for source, _, relation in graph.in_edges(node, keys=True)
                    if relation == role
                }
                assert agencies == {type_slug(a) for a in deliverable[field] or []}, (
                    stem,
                    task["id"],
                    number,
                    role,
                )


SINGLE_YEAR_PLANS = [("000_fbdcaf704ef480ea", 2014), ("004_e5038761a6850e2f", 2023)]


def shared_deliverables(stem: str, roles: tuple[str, ...]) -> Counter[frozenset[str]]:
    """How many deliverables each pair of agency types shares in the roles given, by hand."""
    shared: Counter[frozenset[str]] = Counter()
    for task in expected(stem)["tasks"]:
        for deliverable in task["deliverables"]:
            named = {type_slug(a) for role in roles for a in deliverable.get(role) or []}
            shared.update(frozenset(pair) for pair in itertools.combinations(sorted(named), 2))
    return shared


def pairs_in(graph: nx.Graph, year: int) -> Counter[frozenset[str]]:
    seen: Counter[frozenset[str]] = Counter()
    for a, b, data in graph.edges(data=True):
        assert data["periods"] == str(year)
        assert data[f"weight_{year}"] == data["weight"]
        pair = frozenset((types_of(graph, a), types_of(graph, b)))
        if len(pair) == 2:
            seen[pair] += data["weight"]
    return seen


@pytest.mark.parametrize(("stem", "year"), SINGLE_YEAR_PLANS)
@pytest.mark.parametrize("role", ["lead", "cooperating"])
def test_cooperation_in_one_role_is_what_the_documents_assign(
    exporter: Exporter, stem: str, year: int, role: str
) -> None:
    """Agencies that lead (or cooperate on) the same deliverable are joined, weighted by how
    many they share: exactly the pairs of the hand-read lists of that role."""
    filters = {"province": "khanh-hoa", "from": str(year), "to": str(year), "role": role}
    graph = exporter.graph("cooperation", filters)
    per_type = Counter(types_of(graph, n) for n in graph)
    seen, shared = pairs_in(graph, year), shared_deliverables(stem, (role,))
    assert set(seen) == set(shared)
    for pair, count in shared.items():
        if all(per_type[t] == 1 for t in pair):  # one agency per type: weights compare
            assert seen[pair] == count, sorted(pair)


@pytest.mark.parametrize(("stem", "year"), SINGLE_YEAR_PLANS)
def test_cooperation_in_any_role_holds_every_pair_read(
    exporter: Exporter, stem: str, year: int
) -> None:
    # participants are not in every expectation file, so the graph may hold more pairs
    filters = {"province": "khanh-hoa", "from": str(year), "to": str(year)}
    graph = exporter.graph("cooperation", filters)
    seen = pairs_in(graph, year)
    for pair, count in shared_deliverables(stem, ("lead", "cooperating")).items():
        assert seen[pair] >= count, sorted(pair)


def test_assignments_of_so_tu_phap_khanh_hoa_2014(exporter: Exporter) -> None:
    # tests/expected/queries/000_*.yaml: leads II.1, II.3, II.4; cooperates on I.1, I.2
    graph = exporter.graph("assignments", {"province": "khanh hoa", "from": "2014", "to": "2014"})
    agency = "agency/khanh-hoa/so-tu-phap"
    by_role: dict[str, set[str]] = {}
    for _, task, role in graph.out_edges(agency, keys=True):
        by_role.setdefault(role, set()).add(graph.nodes[task]["local_id"])
    assert by_role["lead"] == {"II.1", "II.3", "II.4"}
    assert {"I.1", "I.2"} <= by_role["cooperating"]
    assert graph.nodes[agency]["label"] == "Sở Tư pháp tỉnh Khánh Hòa"
    assert graph.nodes[agency]["label_en"] == "Department of Justice, Khánh Hòa province"
    # II.1 has two deliverables led by Sở Tư pháp (d1 and d3, lines 162 and 166)
    assert graph.edges[agency, "task/khanh-hoa-2014/II.1", "lead"]["weight"] == 2


def test_legal_basis_view_links_plans_to_what_they_rest_on(exporter: Exporter) -> None:
    graph = exporter.graph("legal-basis", {})
    plan = "plan/khanh-hoa/2014"
    legal_basis = {
        graph.nodes[t]["number"]
        for _, t, relation in graph.out_edges(plan, keys=True)
        if relation == "legal-basis" and "number" in graph.nodes[t]
    }
    # tests/expected/000_*.yaml legal_basis (the law has no number printed)
    assert legal_basis == {"30c/NQ-CP", "76/NQ-CP", "3377/QĐ-UBND"}
    amends = [(s, t) for s, t, relation in graph.edges(keys=True) if relation == "amends"]
    assert ("instrument/nghi-quyet/2013/76-nq-cp", "instrument/nghi-quyet/2011/30c-nq-cp") in amends
    assert "start" not in graph.edges[amends[0][0], amends[0][1], "amends"]  # no period


def test_targets_view_gives_the_sipas_trajectory(exporter: Exporter) -> None:
    graph = exporter.graph("targets", {"province": "Khánh Hòa"})
    sipas = "indicator/satisfaction-state-agencies"
    values = sorted(
        (graph.nodes[target]["year"], graph.nodes[target]["value"])
        for target, _ in graph.in_edges(sipas)
    )
    # Khánh Hòa's SIPAS targets, as in tests/expected/queries (75 -> 77 -> 84)
    assert [v for _, v in values] == [75.0, 77.0, 84.0]
    assert graph.nodes[sipas]["kind"] == "Indicator"


# ------------------------------------------------------------------ counts agree with the SELECT


@pytest.mark.parametrize("name", VIEWS)
def test_node_and_edge_counts_follow_the_select_rows(
    exporter: Exporter, embedded_store: EmbeddedStore, name: str
) -> None:
    view = exporter.view(name)
    table = embedded_store.select(view.query.bind(DEFAULTS.get(name, {}), exporter.resolver))
    rows = [dict(zip(table.variables, row, strict=True)) for row in table.rows]
    ends = {row[end].value for row in rows for end in ("source", "target")}  # type: ignore[union-attr]
    keys = {
        (row["source"].value, row["target"].value, row[view.key].value if view.key else "")  # type: ignore[union-attr]
        for row in rows
    }
    graph = exporter.graph(name, DEFAULTS.get(name, {}))
    assert graph.number_of_nodes() == len(ends)
    assert graph.number_of_edges() == len(keys)
    if name != "cooperation":  # the one view whose rows are per period
        assert graph.number_of_edges() == len(rows)


@pytest.mark.parametrize("name", VIEWS)
def test_every_node_is_labelled_and_typed_without_none(exporter: Exporter, name: str) -> None:
    graph = exporter.graph(name, DEFAULTS.get(name, {}))
    assert len(graph) > 10
    for node, data in graph.nodes(data=True):
        assert "/" in node and not node.startswith("http"), node
        assert data["label"] and data["kind"], node
        assert None not in data.values(), node
    for *_, data in graph.edges(data=True):
        assert None not in data.values()
    assert list(graph.nodes) == sorted(graph.nodes)


def test_filters(exporter: Exporter) -> None:
    cao_bang = exporter.graph("assignments", {"province": "cao bang", "role": "lead"})
    assert {d["province"] for n, d in cao_bang.nodes(data=True) if d["kind"] == "Task"} == {
        "Cao Bằng"
    }
    assert {role for *_, role in cao_bang.edges(keys=True)} == {"lead"}
    years = exporter.graph("assignments", {"from": "2021", "to": "2030"})
    assert {d["start"] for _, d in years.nodes(data=True)} == {2023}
    with pytest.raises(ParameterError, match="takes no role"):
        exporter.graph("legal-basis", {"role": "lead"})
    with pytest.raises(ParameterError, match="not one of"):
        exporter.graph("assignments", {"role": "chair"})
    with pytest.raises(ParameterError, match="no province"):
        exporter.graph("cooperation", {"province": "Atlantis"})
    with pytest.raises(ParameterError, match="no view"):
        exporter.graph("everything", {})


def test_cooperation_analysis(exporter: Exporter) -> None:
    graph = exporter.graph("cooperation", {})
    communities = {d["community"] for _, d in graph.nodes(data=True)}
    assert communities == set(range(1, len(communities) + 1))
    for node, data in graph.nodes(data=True):
        assert data["degree"] == len(list(graph.neighbors(node)))
        assert data["weighted_degree"] == sum(d["weight"] for *_, d in graph.edges(node, data=True))
        assert 0.0 <= data["betweenness"] <= 1.0
    expected_betweenness = nx.betweenness_centrality(nx.Graph(graph))
    for node, data in graph.nodes(data=True):
        assert data["betweenness"] == round(expected_betweenness[node], 6), node
    # Khánh Hòa and Cao Bằng share no deliverable: no community holds both
    for community in communities:
        provinces = {
            d["province"] for _, d in graph.nodes(data=True) if d["community"] == community
        }
        assert len(provinces) == 1, provinces


# ------------------------------------------------------------------ formats, read back


@pytest.mark.parametrize("name", VIEWS)
def test_graphml_reads_back(exporter: Exporter, name: str, tmp_path: Path) -> None:
    graph = exporter.graph(name, DEFAULTS.get(name, {}))
    path = tmp_path / "g.graphml"
    path.write_bytes(exporter.export(name, "graphml", DEFAULTS.get(name, {})))
    back = nx.read_graphml(path)
    assert (back.number_of_nodes(), back.number_of_edges()) == (len(graph), graph.size())
    node = next(iter(graph))
    assert back.nodes[node]["label"] == graph.nodes[node]["label"]
    assert back.is_directed() == graph.is_directed()


@pytest.mark.parametrize("name", VIEWS)
def test_gexf_reads_back_and_validates(exporter: Exporter, name: str, tmp_path: Path) -> None:
    values = DEFAULTS.get(name, {})
    graph = exporter.graph(name, values)
    body = exporter.export(name, "gexf", values)
    path = tmp_path / "g.gexf"
    path.write_bytes(body)
    back = nx.read_gexf(path, version="1.3")
    assert (back.number_of_nodes(), back.number_of_edges()) == (len(graph), graph.size())
    # the official 1.3 schema is not installable here: the same writer's 1.2draft output is
    # validated against Debian's copy of the 1.2draft schema, and the 1.3 file differs from it
    # only where the versions differ (namespace, version, time representation, and the static
    # or dynamic mark that 1.3 dropped from <attributes>)
    older = exporter.export(name, "gexf-1.2", values)
    xmlschema.XMLSchema(SCHEMA).validate(older.decode())
    as_older = (
        body.replace(b"http://gexf.net/1.3", b"http://www.gexf.net/1.2draft")
        .replace(b'version="1.3"', b'version="1.2"')
        .replace(b' timerepresentation="interval"', b"")
        .replace(b'<attributes class="node" />', b'<attributes class="node" mode="static" />')
        .replace(b'<attributes class="node">', b'<attributes class="node" mode="static">')
        .replace(b'<attributes class="edge">', b'<attributes class="edge" mode="static">', 1)
        .replace(b'<attributes class="edge">', b'<attributes class="edge" mode="dynamic">', 1)
    )
    assert as_older == older
    root = ET.fromstring(body)
    for declared in root.iterfind(".//{http://gexf.net/1.3}attributes"):
        assert set(declared.attrib) == {"class"}  # 1.3 declares no mode there


def test_gexf_timeline_plays_the_plan_periods(exporter: Exporter) -> None:
    root = ET.fromstring(exporter.export("cooperation", "gexf", {}))
    ns = {"g": "http://gexf.net/1.3"}
    graph = root.find("g:graph", ns)
    assert graph is not None
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "integer"
    spells = {
        (s.get("start"), s.get("end")) for s in root.iterfind(".//g:edge/g:spells/g:spell", ns)
    }
    periods = {("2014", "2014"), ("2016", "2020"), ("2017", "2017"), ("2017", "2020")}
    assert spells == periods | {("2023", "2023")}
    weights = root.findall(".//g:edge/g:attvalues/g:attvalue[@for='period_weight']", ns)
    assert weights and all(w.get("start") and w.get("end") for w in weights)


def test_the_changes_view_carries_each_change_at_its_year(exporter: Exporter) -> None:
    """Khánh Hòa's Sở Kế hoạch và Đầu tư became its Sở Tài chính in 2025 (Nghị định
    45/2025/NĐ-CP): an edge whose spell starts and ends at the change."""
    root = ET.fromstring(exporter.export("changes", "gexf", {"province": "khanh-hoa"}))
    ns = {"g": "http://gexf.net/1.3"}
    edges = {(e.get("source"), e.get("target")): e for e in root.iterfind(".//g:edge", ns)}
    edge = edges[("agency/khanh-hoa/so-ke-hoach-va-dau-tu", "agency/khanh-hoa/so-tai-chinh")]
    spells = [(s.get("start"), s.get("end")) for s in edge.iterfind("g:spells/g:spell", ns)]
    assert spells == [("2025", "2025")]
    values = {a.get("for"): a.get("value") for a in edge.iterfind("g:attvalues/g:attvalue", ns)}
    assert values["instrument"] == "45/2025/NĐ-CP"
    assert all(source.startswith("agency/khanh-hoa/") for source, _ in edges)


def test_gexf_schema_rejects_a_broken_file(exporter: Exporter) -> None:
    # the validation above can fail: a spell without its years is refused
    older = exporter.export("cooperation", "gexf-1.2", {}).decode()
    broken = older.replace("<spell ", '<spell colour="red" ', 1)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        xmlschema.XMLSchema(SCHEMA).validate(broken)


@pytest.mark.parametrize("name", VIEWS)
def test_cytoscape_json_has_the_elements_cytoscape_expects(exporter: Exporter, name: str) -> None:
    values = DEFAULTS.get(name, {})
    graph = exporter.graph(name, values)
    document = json.loads(exporter.export(name, "cyjs", values))
    nodes, edges = document["elements"]["nodes"], document["elements"]["edges"]
    ids = [n["data"]["id"] for n in nodes]
    assert ids == list(graph.nodes) and len(set(ids)) == len(ids)
    edge_ids = [e["data"]["id"] for e in edges]
    assert len(edges) == graph.size() and len(set(edge_ids)) == len(edge_ids)
    assert not set(edge_ids) & set(ids)
    for edge in edges:
        assert edge["data"]["source"] in ids and edge["data"]["target"] in ids
    assert document["directed"] == graph.is_directed()


@pytest.mark.parametrize("name", VIEWS)
def test_csv_lists(exporter: Exporter, name: str) -> None:
    values = DEFAULTS.get(name, {})
    graph = exporter.graph(name, values)
    nodes = list(csv.DictReader(io.StringIO(exporter.export(name, "csv-nodes", values).decode())))
    edges = list(csv.DictReader(io.StringIO(exporter.export(name, "csv-edges", values).decode())))
    assert [row["id"] for row in nodes] == list(graph.nodes)
    assert len(edges) == graph.size()
    assert {(row["source"], row["target"]) for row in edges} == {(s, t) for s, t in graph.edges()}


@pytest.mark.parametrize("name", VIEWS)
def test_dot_and_drawings(exporter: Exporter, name: str, tmp_path: Path) -> None:
    values = DEFAULTS.get(name, {})
    graph = exporter.graph(name, values)
    path = tmp_path / "g.dot"
    path.write_bytes(exporter.export(name, "dot", values))
    # Graphviz's own parser counts what the file holds
    counted = subprocess.run(
        [shutil.which("gc") or "gc", "-n", "-e", str(path)], capture_output=True, check=True
    ).stdout.split()
    assert [int(counted[0]), int(counted[1])] == [len(graph), graph.size()]
    svg = ET.fromstring(exporter.export(name, "svg", values))
    groups = svg.iterfind(".//{http://www.w3.org/2000/svg}g")
    drawn_nodes = [g for g in groups if g.get("class") == "node"]
    assert len(drawn_nodes) == len(graph)
    assert exporter.export(name, "png", values).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_graph_too_large_to_draw_is_refused_by_name(exporter: Exporter) -> None:
    from cchc_graph.export.formats import drawn

    big = nx.path_graph(MAX_DRAWN_NODES + 1)
    with pytest.raises(ExportError, match="narrow it"):
        drawn("svg")(big)


def test_exports_are_byte_identical_across_runs(embedded_store: EmbeddedStore) -> None:
    first, second = fresh(embedded_store), fresh(embedded_store)
    for name, fmt in itertools.product(VIEWS, FORMATS):
        values = DEFAULTS.get(name, {})
        assert first.export(name, fmt, values) == second.export(name, fmt, values), (name, fmt)


# ------------------------------------------------------------------ RDF dumps


def test_dumps_hold_the_whole_graph(built: tuple[Any, Path], tmp_path: Path) -> None:
    _, build_dir = built
    quads = set(ox.parse(path=build_dir / "cchc.nq", format=ox.RdfFormat.N_QUADS))
    for fmt in DUMP_FORMATS.values():
        target = tmp_path / f"cchc.{fmt.suffix}"
        write_dump(build_dir, fmt, target, DEFAULT_BASE)
        back = set(ox.parse(path=target, format=fmt.rdf))
        if fmt.datasets:
            assert back == quads, fmt.name
        else:
            assert back == {ox.Quad(q.subject, q.predicate, q.object) for q in quads}, fmt.name
    names = graph_names(build_dir, DEFAULT_BASE)
    assert "graph/registry" in names and "source/000_fbdcaf704ef480ea" in names
    parts: set[ox.Quad] = set()
    for name in names:
        target = tmp_path / "graphs" / f"{name.replace('/', '--')}.trig"
        write_dump(build_dir, DUMP_FORMATS["trig"], target, DEFAULT_BASE, name)
        parts |= set(ox.parse(path=target, format=ox.RdfFormat.TRIG))
    assert parts == quads


# ------------------------------------------------------------------ the command line


def test_cli_export_gexf_opens_as_a_timeline(
    built: tuple[Any, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, build_dir = built
    monkeypatch.setenv("CCHC_BUILD_DIR", str(build_dir))
    target = tmp_path / "coop.gexf"
    result = CliRunner().invoke(
        cli, ["export", "--view", "cooperation", "--format", "gexf", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    back = nx.read_gexf(target, version="1.3")
    assert back.graph["mode"] == "dynamic" and len(back) > 50
    listed = CliRunner().invoke(cli, ["export", "--list"])
    assert all(name in listed.output for name in VIEWS)
    bad = CliRunner().invoke(cli, ["export", "--view", "legal-basis", "--role", "lead"])
    assert bad.exit_code == 2 and "takes no role filter" in bad.output
    dumped = CliRunner().invoke(cli, ["dump", "--all", "-o", str(tmp_path / "dumps")])
    assert dumped.exit_code == 0, dumped.output
    assert (tmp_path / "dumps" / "cchc.jsonld").stat().st_size > 0
    assert (tmp_path / "dumps" / "graphs" / "source--000_fbdcaf704ef480ea.ttl").exists()


def test_exports_are_byte_identical_across_processes(built: tuple[Any, Path]) -> None:
    """Another process hashes strings differently: no set order may leak into a file."""
    import os
    import sys

    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "CCHC_BUILD_DIR": str(built[1])}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "cchc_graph",
                "export",
                "--view",
                "cooperation",
                "--format",
                "gexf",
            ],
            capture_output=True,
            env=env,
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and len(outputs[0]) > 10_000
