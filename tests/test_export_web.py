"""Exports over HTTP: /export and its downloads, /dump..., and the /graph page's data, on a
real uvicorn server; the browser side of /graph is in test_browser.py."""

from __future__ import annotations

import io
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from cchc_graph.export import Exporter
from cchc_graph.export.formats import FORMATS
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.pool import QueryPool, StoreSpec
from cchc_graph.settings import Settings
from cchc_graph.store import EmbeddedStore
from cchc_graph.web_exports import Uncapped
from tests.conftest import RunningEndpoint
from tests.test_endpoint import http
from tests.test_site import parse

VIEWS = ("assignments", "changes", "cooperation", "legal-basis", "plan", "targets")


@pytest.fixture(scope="module")
def exporter(embedded_store: EmbeddedStore) -> Exporter:
    return Exporter(embedded_store, Settings().queries_dir / "views", DEFAULT_BASE)


def test_the_export_page_links_every_view_format_and_dump(endpoint: RunningEndpoint) -> None:
    reply = http(endpoint.url + "/export?province=cao-bang")
    assert reply.status == 200
    links = parse(reply.text).links
    for view in VIEWS:
        for fmt in FORMATS.values():
            wanted = f"/export/{view}.{fmt.suffix}"
            found = [link for link in links if link.split("?")[0] == wanted]
            assert found, wanted
            if view != "plan":  # the plan view takes no province
                assert "province=cao-bang" in found[0], found[0]
    assert "/dump.trig" in links and "/dump/source/000_fbdcaf704ef480ea.ttl" in links
    assert any(link.startswith("/graph?view=cooperation") for link in links)


def test_without_graphviz_the_pages_say_what_svg_and_png_need(
    endpoint: RunningEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no dot, no sfdp
    for path in ("/export?lang=en", "/graph?view=cooperation&lang=en"):
        reply = http(endpoint.url + path)
        assert reply.status == 200, path
        links = parse(reply.text).links
        assert not any(link.split("?")[0].endswith((".svg", ".png")) for link in links), path
        assert any(link.split("?")[0].endswith(".dot") for link in links), path
        assert "SVG and PNG need Graphviz" in reply.text, path


@pytest.mark.parametrize("name", VIEWS)
def test_every_format_downloads(endpoint: RunningEndpoint, exporter: Exporter, name: str) -> None:
    values = {"plan": "plan/khanh-hoa/2017"} if name == "plan" else {"province": "khanh-hoa"}
    query = urllib.parse.urlencode(values)
    for fmt in FORMATS.values():
        reply = http(f"{endpoint.url}/export/{name}.{fmt.suffix}?{query}")
        assert reply.status == 200, (name, fmt.name, reply.text[:200])
        assert reply.headers["content-type"].split(";")[0] == fmt.media_type.split(";")[0]
        # what the server writes is what the library writes from the embedded store
        assert reply.body == exporter.export(name, fmt.name, values), (name, fmt.name)
        disposition = reply.headers["content-disposition"]
        shown = fmt.name in ("svg", "png", "cyjs")
        assert disposition.startswith("inline" if shown else "attachment")
        assert f'.{fmt.suffix}"' in disposition


def test_export_errors_are_named(endpoint: RunningEndpoint) -> None:
    unknown = http(endpoint.url + "/export/everything.gexf")
    assert unknown.status == 404 and "views assignments" in unknown.text
    wrong_suffix = http(endpoint.url + "/export/cooperation.xlsx")
    assert wrong_suffix.status == 404
    bad_filter = http(endpoint.url + "/export/legal-basis.gexf?role=lead")
    assert bad_filter.status == 400 and "takes no role filter" in bad_filter.text
    no_province = http(endpoint.url + "/export/cooperation.gexf?province=atlantis")
    assert no_province.status == 400 and "no province matches" in no_province.text


def test_dumps(endpoint: RunningEndpoint, built: tuple[Any, Path]) -> None:
    quads = set(ox.parse(path=built[1] / "cchc.nq", format=ox.RdfFormat.N_QUADS))
    for suffix, rdf in (("trig", ox.RdfFormat.TRIG), ("nq", ox.RdfFormat.N_QUADS),
                        ("jsonld", ox.RdfFormat.JSON_LD)):
        reply = http(f"{endpoint.url}/dump.{suffix}")
        assert reply.status == 200, suffix
        assert set(ox.parse(reply.body, format=rdf)) == quads, suffix
    turtle = http(endpoint.url + "/dump.ttl")
    assert len(set(ox.parse(turtle.body, format=ox.RdfFormat.TURTLE))) == len(quads)
    one = http(endpoint.url + "/dump/source/004_e5038761a6850e2f.ttl")
    assert one.status == 200
    graph = DEFAULT_BASE + "source/004_e5038761a6850e2f"
    assert len(set(ox.parse(one.body, format=ox.RdfFormat.TURTLE))) == sum(
        1 for q in quads if q.graph_name == ox.NamedNode(graph)
    )
    assert http(endpoint.url + "/dump/source/nope.ttl").status == 404
    assert http(endpoint.url + "/dump.xlsx").status == 404


def test_the_graph_page_counts_what_it_draws(endpoint: RunningEndpoint, exporter: Exporter) -> None:
    for name in VIEWS:
        reply = http(f"{endpoint.url}/graph?view={name}&lang=en")
        assert reply.status == 200, name
        values = {"plan": "khanh-hoa/2014"} if name == "plan" else {}
        graph = exporter.graph(name, values)
        assert f'data-nodes="{len(graph)}"' in reply.text, name
        assert f'data-edges="{graph.size()}"' in reply.text, name
        assert '<script src="/static/vendor/cytoscape/cytoscape.min.js">' in reply.text
    script = http(endpoint.url + "/static/vendor/cytoscape/cytoscape.min.js")
    assert script.status == 200 and b"cytoscape" in script.body[:2000].lower()
    assert http(endpoint.url + "/graph?view=everything").status == 404


def test_agency_pages_show_their_place_in_the_cooperation_network(
    endpoint: RunningEndpoint, exporter: Exporter
) -> None:
    graph = exporter.graph("cooperation", {})
    node = "agency/khanh-hoa/so-tu-phap"
    # the server draws the network in the background at start; the page shows it once drawn
    deadline = time.monotonic() + 30
    reply = http(f"{endpoint.url}/id/{node}?lang=en")
    while 'id="network"' not in reply.text and time.monotonic() < deadline:
        time.sleep(0.2)
        reply = http(f"{endpoint.url}/id/{node}?lang=en")
    assert 'id="network"' in reply.text
    assert f'<strong class="degree">{graph.nodes[node]["degree"]}</strong>' in reply.text
    assert f'<strong class="community">{graph.nodes[node]["community"]}</strong>' in reply.text


def test_exports_are_not_cut_at_the_row_cap(built: tuple[Any, Path]) -> None:
    """The pages' row cap stops long tables, not an export: it holds every row of its view."""
    spec = StoreSpec(kind="memory", build_dir=built[1])
    pool = QueryPool(spec, size=1, timeout=30, row_cap=10)
    try:
        views = Settings().queries_dir / "views"
        capped = Exporter(pool, views, DEFAULT_BASE).graph("legal-basis", {})
        whole = Exporter(Uncapped(pool), views, DEFAULT_BASE).graph("legal-basis", {})
        embedded = Exporter(EmbeddedStore.in_memory(built[1]), views, DEFAULT_BASE)
        assert capped.size() <= 10 < whole.size() == embedded.graph("legal-basis", {}).size()
    finally:
        pool.close()


def test_a_download_reads_back_in_networkx(endpoint: RunningEndpoint) -> None:
    reply = http(endpoint.url + "/export/cooperation.graphml")
    graph = nx.read_graphml(io.BytesIO(reply.body))
    assert len(graph) > 50
    cyjs = json.loads(http(endpoint.url + "/export/cooperation.cyjs").body)
    assert len(cyjs["elements"]["nodes"]) == len(graph)
