"""The browse pages and Linked Data, under a real uvicorn server: a crawler over every internal
link, content negotiation round trips, the 404 page, and escaping of hostile source text."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections import deque
from html.parser import HTMLParser

import pytest
import rdflib
import rdflib.compare

from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.settings import Settings
from cchc_graph.store import EmbeddedStore
from tests.conftest import RunningEndpoint
from tests.test_endpoint import http

CRAWL_LIMIT = 20000
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Links(HTMLParser):
    """The links, the title, the first h1 and the JSON-LD of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.title = ""
        self.h1 = ""
        self.jsonld = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag in ("title", "h1") or (
            tag == "script" and values.get("type") == "application/ld+json"
        ):
            self._in = "jsonld" if tag == "script" else tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "h1", "script"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "h1" and not self.h1.endswith("\n"):
            self.h1 += data
        elif self._in == "jsonld":
            self.jsonld += data


def parse(text: str) -> Links:
    links = Links()
    links.feed(text)
    return links


def label_of(store: EmbeddedStore, iri: str) -> str | None:
    rows = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f"SELECT ?l WHERE {{ {{ <{iri}> rdfs:label ?l }} UNION "
        f"{{ <{iri}> skos:prefLabel ?l FILTER(LANG(?l) = 'vi') }} }}"
    ).column("l")
    return rows[0] if rows else None


def test_a_crawler_finds_every_internal_link_alive(
    endpoint: RunningEndpoint, embedded_store: EmbeddedStore
) -> None:
    seen = {"/"}
    queue = deque(["/"])
    visited = 0
    while queue:
        path = queue.popleft()
        reply = http(endpoint.url + path, headers=BROWSER)
        visited += 1
        assert reply.status == 200, path
        if not reply.headers.get("content-type", "").startswith("text/html"):
            continue  # data or a download (RDF, an export, a dump): alive is enough here
        page = parse(reply.text)
        assert page.title.strip(), path
        if path.startswith("/id/") and "?" not in path:
            node = DEFAULT_BASE + urllib.parse.unquote(path[len("/id/") :])
            label = label_of(embedded_store, node)
            if label:
                assert label in page.h1, (path, label, page.h1)
            assert json.loads(page.jsonld)  # the page's own data
        for href in page.links:
            if not href.startswith("/") or href.startswith(("/api/", "/sparql?")):
                continue
            href = href.split("#", 1)[0]
            if href not in seen:
                seen.add(href)
                queue.append(href)
        assert visited < CRAWL_LIMIT
    # the crawl reached every kind of page
    kinds = {p.split("/")[2] for p in seen if p.startswith("/id/") and p.count("/") > 2}
    assert {
        "plan",
        "task",
        "agency",
        "agency-type",
        "instrument",
        "indicator",
        "area",
        "province",
        "source",
        "directive",
    } <= kinds
    assert any(p.startswith("/source/") for p in seen)
    assert visited > 500


@pytest.mark.parametrize(
    "node",
    [
        "plan/khanh-hoa/2014",
        "task/khanh-hoa-2014/II.1",
        "agency/khanh-hoa/so-tu-phap",
        "instrument/nghi-quyet/2013/76-nq-cp",
        "indicator/satisfaction-state-agencies",
        "task/khanh-hoa-2017-ct-003_15ca9d007ed5324e/2.dd.1",
    ],
)
def test_every_format_round_trips_to_the_nodes_description(
    endpoint: RunningEndpoint, embedded_store: EmbeddedStore, node: str
) -> None:
    iri = DEFAULT_BASE + node
    reference = rdflib.Graph().parse(
        data=embedded_store.answer(
            f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} "
            f"UNION {{ ?s ?q <{iri}> }} }}",
            graph_format="ntriples",
        ).body.decode(),
        format="nt",
    )
    assert len(reference) > 3
    path = "/id/" + urllib.parse.quote(node)
    ways = {
        "turtle": [{"headers": {"Accept": "text/turtle"}}, {"suffix": ".ttl"}, {"format": "ttl"}],
        "json-ld": [
            {"headers": {"Accept": "application/ld+json"}},
            {"suffix": ".jsonld"},
            {"format": "jsonld"},
        ],
        "nt": [
            {"headers": {"Accept": "application/n-triples"}},
            {"suffix": ".nt"},
            {"format": "nt"},
        ],
        "xml": [
            {"headers": {"Accept": "application/rdf+xml"}},
            {"suffix": ".rdf"},
            {"format": "rdf"},
        ],
    }
    for parser, requests in ways.items():
        for way in requests:
            url = endpoint.url + path + way.get("suffix", "")
            if "format" in way:
                url += f"?_format={way['format']}"
            reply = http(url, headers=way.get("headers", {}))
            assert reply.status == 200, (url, way)
            graph = rdflib.Graph().parse(data=reply.text, format=parser)
            assert rdflib.compare.isomorphic(graph, reference), (node, way)
            assert "Accept" in reply.headers["vary"]
            assert 'rel="alternate"' in reply.headers["link"]


def test_browsers_get_html_with_alternates(endpoint: RunningEndpoint) -> None:
    reply = http(
        endpoint.url + "/id/plan/khanh-hoa/2023",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "Accept" in reply.headers["vary"]
    links = reply.headers["link"]
    for media in (
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
    ):
        assert f'type="{media}"' in links
    page = parse(reply.text)
    assert page.h1.startswith("Kế hoạch cải cách hành chính tỉnh Khánh Hòa năm 2023")
    data = json.loads(page.jsonld)
    assert any(item.get("@id") == DEFAULT_BASE + "plan/khanh-hoa/2023" for item in data)


def test_an_unknown_iri_gets_a_404_page_with_suggestions(endpoint: RunningEndpoint) -> None:
    reply = http(endpoint.url + "/id/agency/khanh-hoa/so-tu-phapp")
    assert reply.status == 404
    assert "/id/agency/khanh-hoa/so-tu-phap" in reply.text  # suggested
    assert parse(reply.text).title.strip()
    data = http(endpoint.url + "/id/agency/khanh-hoa/so-tu-phapp.ttl")
    assert data.status == 404


def test_english_labels_with_vietnamese_fallback(endpoint: RunningEndpoint) -> None:
    english = http(endpoint.url + "/id/agency-type/so-tu-phap?lang=en").text
    assert "<h1>Department of Justice</h1>" in english
    assert "Tasks it leads" in english
    vietnamese = http(endpoint.url + "/id/agency-type/so-tu-phap").text
    assert "<h1>Sở Tư pháp</h1>" in vietnamese
    # a plan has no English title: its Vietnamese one stands in
    plan = http(endpoint.url + "/id/plan/khanh-hoa/2014?lang=en").text
    assert "Kế hoạch cải cách hành chính năm 2014 tỉnh Khánh Hòa" in plan


def test_the_source_view_links_each_line_to_its_items(endpoint: RunningEndpoint) -> None:
    page = http(endpoint.url + "/source/000_fbdcaf704ef480ea").text
    row = re.search(r'<tr id="L162"[^>]*>.*?</tr>', page, flags=re.S)
    assert row is not None and "extracted" in row.group(0)
    assert 'href="/id/task/khanh-hoa-2014/II.1"' in row.group(0)
    assert page.count('<tr id="L') == 216


def test_search_groups_results_by_type(endpoint: RunningEndpoint) -> None:
    page = http(endpoint.url + "/search?q=so+tu+phap").text
    assert 'href="/id/agency-type/so-tu-phap"' in page
    assert 'href="/id/agency/cao-bang/so-tu-phap"' in page
    assert http(endpoint.url + "/search?q=" + urllib.parse.quote("Sở Tư pháp")).text.count(
        'href="/id/agency/'
    ) == page.count('href="/id/agency/')


def test_a_canned_query_page_has_a_form_results_and_downloads(endpoint: RunningEndpoint) -> None:
    page = http(endpoint.url + "/queries/tasks-led-by?agency=so+tu+phap").text
    assert '<input name="agency" value="so tu phap">' in page
    assert page.count("<tr>") >= 19  # the header and 18 deliverables
    assert "/api/queries/tasks-led-by?agency=so+tu+phap" in page
    assert "org:classification &lt;https://w3id.org/cchc/id/agency-type/so-tu-phap&gt;" in page


# ------------------------------------------------------------------ hostile source text


@pytest.mark.parametrize(
    "path",
    [
        "/id/task/khanh-hoa-2023/V.5",
        "/source/004_e5038761a6850e2f",
        "/search?q=thoai+von",
        "/id/task/khanh-hoa-2023/V.5/d1",
    ],
)
def test_hostile_source_text_shows_as_text(hostile_site: str, path: str) -> None:
    page = http(hostile_site + path).text
    assert "alert(&#39;x&#39;)" in page or "alert(\\u0027x\\u0027)" in page or "alert('x')" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    for script in scripts:  # only the page's own JSON-LD, still whole
        json.loads(script)


def test_hostile_text_is_kept_verbatim_in_the_data(hostile_site: str) -> None:
    data = http(hostile_site + "/id/task/khanh-hoa-2023/V.5.nt").text
    assert "<script>alert('x')</script>" in data


def test_no_page_reads_past_the_row_cap(endpoint: RunningEndpoint) -> None:
    query = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o }")
    page = http(endpoint.url + f"/sparql-editor?query={query}").text
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == endpoint.settings.row_cap


def test_the_editor_shows_errors_and_refuses_updates(endpoint: RunningEndpoint) -> None:
    broken = http(endpoint.url + "/sparql-editor?query=" + urllib.parse.quote("SELECT ?x {")).text
    assert 'class="error"' in broken and "error at 1:" in broken
    update = urllib.parse.quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    refused = http(endpoint.url + f"/sparql-editor?query={update}").text
    assert "read-only" in refused


@pytest.mark.parametrize(
    "phrase",
    [
        "tu phap",
        "so tu phap",
        "dai phat thanh",
        "cong chuc",
        "mot cua",
        "d",
        "ph",
        "2014",
        "30c/nq-cp",
        "nhiem vu khong co",
        "| so",
    ],
)
def test_the_search_index_answers_as_the_canned_query(
    embedded_store: EmbeddedStore, phrase: str
) -> None:
    from cchc_graph.canned import Catalogue, load_catalogue
    from cchc_graph.site import SearchIndex
    from cchc_graph.text import fold

    settings = Settings()
    pages = Catalogue(load_catalogue(settings.queries_dir / "pages"), embedded_store)
    canned = Catalogue(load_catalogue(settings.queries_dir), embedded_store)
    rows = embedded_store.select(pages.bind("search-index", {})).rows
    index = SearchIndex((r[0].value, r[1].value, int(r[2].value), r[3].value) for r in rows)
    expected = embedded_store.select(canned.bind("search", {"q": phrase, "limit": "5000"}))
    assert index.find(fold(phrase), 5000) == [
        (row["node"], row["type"]) for row in expected.values()
    ]


def test_one_meaning_of_each_media_type_on_sparql_and_id(endpoint: RunningEndpoint) -> None:
    """application/json is JSON-LD for a graph wherever it is asked for, SPARQL JSON for a
    table; an IRI's description says which document it is; what no type meets is 406, an
    Accept header that cannot be read 400, never a server error."""
    iri = DEFAULT_BASE + "plan/khanh-hoa/2014"
    described = http(
        f"{endpoint.url}/id/plan/khanh-hoa/2014", headers={"Accept": "application/json"}
    )
    assert described.status == 200
    assert described.headers["content-type"].startswith("application/ld+json")
    assert described.headers["content-location"] == "/id/plan/khanh-hoa/2014.jsonld"
    construct = f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
    query = urllib.parse.urlencode({"query": construct})
    answered = http(f"{endpoint.url}/sparql?{query}", headers={"Accept": "application/json"})
    assert answered.headers["content-type"].startswith("application/ld+json")
    table = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    rows = http(f"{endpoint.url}/sparql?{table}", headers={"Accept": "application/json"})
    assert rows.headers["content-type"].startswith("application/sparql-results+json")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = http(f"{endpoint.url}/id/plan/khanh-hoa/2014", headers={"Accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    refused = http(
        f"{endpoint.url}/id/plan/khanh-hoa/2014",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert refused.status == 406
    unreadable = http(f"{endpoint.url}/sparql?{table}", headers={"Accept": "garbage"})
    assert unreadable.status == 400


def test_agency_pages_show_what_they_were_formed_from_and_became(
    endpoint: RunningEndpoint,
) -> None:
    before = http(f"{endpoint.url}/id/agency/khanh-hoa/so-ke-hoach-va-dau-tu?lang=en")
    assert before.status == 200
    assert "became" in before.text and "/id/agency/khanh-hoa/so-tai-chinh" in before.text
    assert "2025-03-01" in before.text and "45/2025/NĐ-CP" in before.text
    after = http(f"{endpoint.url}/id/agency/khanh-hoa/so-tai-chinh?lang=en")
    assert "formed from" in after.text
    assert "/id/agency/khanh-hoa/so-ke-hoach-va-dau-tu" in after.text
    change = http(f"{endpoint.url}/id/change/2025/tai-chinh/khanh-hoa?lang=en")
    assert change.status == 200


def test_a_province_page_has_the_timeline_of_its_agencies(endpoint: RunningEndpoint) -> None:
    reply = http(f"{endpoint.url}/id/province/khanh-hoa?lang=en")
    assert reply.status == 200
    assert "Its agencies through the 2025 changes" in reply.text
    timeline = reply.text.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert "2025-03-01" in timeline and "45/2025/NĐ-CP" in timeline
    assert "/id/agency/khanh-hoa/so-ke-hoach-va-dau-tu" in timeline


def test_an_instrument_page_says_when_it_was_in_force(endpoint: RunningEndpoint) -> None:
    reply = http(f"{endpoint.url}/id/instrument/nghi-quyet/2011/30c-nq-cp?lang=en")
    assert reply.status == 200
    assert "2011-11-08" in reply.text and "2020-12-31" in reply.text
