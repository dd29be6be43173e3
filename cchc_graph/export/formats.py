"""formats: a view's networkx graph written for graph tools.

GraphML (yEd, Cytoscape, networkx), GEXF 1.3 (Gephi, with spells so its timeline plays the plan
periods), Cytoscape.js JSON (Cytoscape desktop, the /graph page), Graphviz DOT (and SVG or PNG
drawn by Graphviz when it is installed), and CSV node and edge lists. Every writer returns bytes
and keeps the graph's order, so the same graph gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from cchc_graph import __version__
from cchc_graph.errors import CchcError
from cchc_graph.export.views import Network

GEXF_VERSIONS = {"1.3": "http://gexf.net/1.3", "1.2": "http://www.gexf.net/1.2draft"}
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MAX_DRAWN_NODES = 1500  # Graphviz takes minutes past this; DOT is still written
DRAW_TIMEOUT = 120  # seconds

# one colour per kind of node, shared by DOT and the /graph page
KIND_COLOURS = {
    "Agency": "#1f77b4",
    "AgencyGroup": "#9ecae1",
    "NationalBody": "#393b79",
    "Task": "#ff7f0e",
    "Deliverable": "#fdd0a2",
    "Plan": "#2ca02c",
    "Directive": "#98df8a",
    "LegalInstrument": "#d62728",
    "Target": "#9467bd",
    "Indicator": "#8c564b",
}
# how a role is drawn: who leads is a solid line
EDGE_STYLES = {"lead": "solid", "cooperating": "dashed", "participant": "dotted"}
_TIME_KEYS = ("spells",)  # lists: GEXF writes them as spells, flat formats as start/end/periods


class ExportError(CchcError):
    """A format that cannot be written here (no Graphviz, a graph too large to draw)."""

    exit_code = 2
    http_status = 422


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    write: Callable[[Network], bytes]
    label: str
    programs: tuple[str, ...] = ()  # what it needs installed (Graphviz's dot and sfdp)

    @property
    def available(self) -> bool:
        """Whether this machine can write it (SVG and PNG need Graphviz)."""
        return all(shutil.which(program) for program in self.programs)


def graphml(graph: Network) -> bytes:
    flat = _flat(graph)
    return "\n".join(nx.generate_graphml(flat, encoding="utf-8", prettyprint=True)).encode() + b"\n"


def gexf(graph: Network, version: str = "1.3") -> bytes:
    """GEXF 1.3 (or 1.2draft, which older tools read): static attributes, plus spells (start and
    end years) on nodes and edges and a dynamic per-period weight, so Gephi's timeline shows who
    works with whom in which years."""
    return _Gexf(version).write(graph)


class _Gexf:
    def __init__(self, version: str) -> None:
        self.version = version
        self.namespace = GEXF_VERSIONS[version]

    def tag(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def add(
        self, parent: ET.Element, name: str, attributes: dict[str, str] | None = None
    ) -> ET.Element:
        return ET.SubElement(parent, self.tag(name), attributes or {})

    def write(self, graph: Network) -> bytes:
        ET.register_namespace("", self.namespace)
        ET.register_namespace("xsi", XSI_NS)
        location = f"{self.namespace} {self.namespace}/gexf.xsd"
        root = ET.Element(
            self.tag("gexf"), {f"{{{XSI_NS}}}schemaLocation": location, "version": self.version}
        )
        meta = self.add(root, "meta")
        self.add(meta, "creator").text = f"cchc-graph {__version__}"
        self.add(meta, "description").text = _description(graph)
        dynamic = any("spells" in data for _, data in graph.nodes(data=True))
        attrs = {"defaultedgetype": "directed" if graph.is_directed() else "undirected"}
        if dynamic:
            attrs |= {"mode": "dynamic", "timeformat": "integer"}
            if self.version == "1.3":
                attrs["timerepresentation"] = "interval"
        else:
            attrs["mode"] = "static"
        element = self.add(root, "graph", attrs)
        node_rows: list[tuple[str, dict[str, Any]]] = [
            (node, data) for node, data in graph.nodes(data=True)
        ]
        edge_rows = list(_edges(graph))
        # spells say when; label and weight are GEXF's own attributes
        node_keys = _columns(data for _, data in node_rows) - {"label", "start", "end"}
        edge_keys = _columns(data for *_, data in edge_rows) - {"weight", "start", "end"}
        period_weights = {k for k in edge_keys if k.startswith("weight_")}
        edge_keys -= period_weights
        self.declare(element, "node", node_rows, node_keys)
        self.declare(element, "edge", [(e[2], e[3]) for e in edge_rows], edge_keys)
        if dynamic and period_weights:
            declared = self.add(element, "attributes", self.attributes_of("edge", "dynamic"))
            self.add(
                declared,
                "attribute",
                {"id": "period_weight", "title": "period_weight", "type": "integer"},
            )
        nodes = self.add(element, "nodes")
        for node, data in node_rows:
            item = self.add(nodes, "node", {"id": node, "label": str(data.get("label", node))})
            self.attvalues(item, data, node_keys)
            self.spells(item, data)
        edges = self.add(element, "edges")
        for number, (source, target, _key, data) in enumerate(edge_rows, 1):
            attributes = {"id": f"e{number}", "source": source, "target": target}
            if "weight" in data:
                attributes["weight"] = str(data["weight"])
            item = self.add(edges, "edge", attributes)
            values = self.attvalues(item, data, edge_keys)
            if dynamic and period_weights:
                for start, end in data.get("spells", []):
                    period = str(start) if start == end else f"{start}-{end}"
                    if f"weight_{period}" in data:
                        values = values if values is not None else self.add(item, "attvalues")
                        self.add(
                            values,
                            "attvalue",
                            {
                                "for": "period_weight",
                                "value": str(data[f"weight_{period}"]),
                                "start": str(start),
                                "end": str(end),
                            },
                        )
            self.spells(item, data)
        ET.indent(root)
        written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return written + b"\n"

    def attributes_of(self, kind: str, mode: str) -> dict[str, str]:
        # 1.2 marks a block of attributes static or dynamic; 1.3 dropped the mark (values with
        # start and end are dynamic)
        return {"class": kind} if self.version == "1.3" else {"class": kind, "mode": mode}

    def declare(
        self, graph: ET.Element, kind: str, rows: list[tuple[Any, dict[str, Any]]], keys: set[str]
    ) -> None:
        if not keys:
            return
        declared = self.add(graph, "attributes", self.attributes_of(kind, "static"))
        for key in _key_order(keys):
            values = [data[key] for _, data in rows if key in data]
            self.add(declared, "attribute", {"id": key, "title": key, "type": _gexf_type(values)})

    def attvalues(
        self, item: ET.Element, data: dict[str, Any], keys: set[str]
    ) -> ET.Element | None:
        present = [k for k in _key_order(keys) if k in data]
        if not present:
            return None
        values = self.add(item, "attvalues")
        for key in present:
            self.add(values, "attvalue", {"for": key, "value": str(data[key])})
        return values

    def spells(self, item: ET.Element, data: dict[str, Any]) -> None:
        spells = data.get("spells")
        if spells:
            element = self.add(item, "spells")
            for start, end in spells:
                self.add(element, "spell", {"start": str(start), "end": str(end)})


def cytoscape(graph: Network) -> bytes:
    """Cytoscape.js elements JSON (also read by Cytoscape desktop as .cyjs)."""
    nodes = [
        {"data": {"id": node, **_jsonable(data)}} for node, data in graph.nodes(data=True)
    ]
    edges = [
        {"data": {"id": f"e{n}", "source": s, "target": t, **_jsonable(data)}}
        for n, (s, t, _key, data) in enumerate(_edges(graph), 1)
    ]
    document = {
        "format_version": "1.0",
        "generated_by": f"cchc-graph {__version__}",
        "target_cytoscapejs_version": "~3.34",
        "data": dict(graph.graph),
        "directed": graph.is_directed(),
        "elements": {"nodes": nodes, "edges": edges},
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode() + b"\n"


def dot(graph: Network) -> bytes:
    """Graphviz DOT: every attribute kept; label, colour and URL (the node's IRI) drawn."""
    arrow = "->" if graph.is_directed() else "--"
    lines = [
        f"{'digraph' if graph.is_directed() else 'graph'} {_quoted(graph.graph.get('name'))} {{",
        f"  graph [label={_quoted(_description(graph))}, labelloc=t, fontname=\"DejaVu Sans\","
        ' overlap=false, splines=true, size="24,24", charset="UTF-8"'
        + (", rankdir=LR];" if graph.is_directed() else "];"),
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=8, color="#888888"];',
    ]
    for node, data in graph.nodes(data=True):
        extra = {
            "fillcolor": KIND_COLOURS.get(str(data.get("kind")), "#dddddd"),
            "fontcolor": "#ffffff" if data.get("kind") in ("Agency", "NationalBody") else "#000000",
        }
        if "iri" in data:
            extra["URL"] = data["iri"]
        lines.append(f"  {_quoted(node)} [{_dot_attributes(_flat_data(data) | extra)}];")
    for source, target, key, data in _edges(graph):
        drawn = {"label": key} if key else {}
        if key in EDGE_STYLES:
            drawn["style"] = EDGE_STYLES[key]
        attributes = _dot_attributes(_flat_data(data) | drawn)
        lines.append(f"  {_quoted(source)} {arrow} {_quoted(target)} [{attributes}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


GRAPHVIZ = ("dot", "sfdp")


def drawn(layout_format: str) -> Callable[[Network], bytes]:
    def draw(graph: Network) -> bytes:
        program = "dot" if graph.is_directed() and len(graph) <= 300 else "sfdp"
        binary = shutil.which(program)
        if binary is None:
            raise ExportError(
                f"{layout_format.upper()} needs Graphviz ({program}): apt-get install graphviz, "
                "or export DOT and draw it elsewhere"
            )
        if len(graph) > MAX_DRAWN_NODES:
            raise ExportError(
                f"this view has {len(graph):,} nodes; drawing stops at {MAX_DRAWN_NODES:,}: narrow "
                "it (province, years, role) or export DOT, GEXF or GraphML for a graph tool"
            )
        try:
            done = subprocess.run(  # noqa: S603 (a fixed program, the graph on stdin)
                [binary, f"-T{layout_format}"],
                input=dot(graph),
                capture_output=True,
                timeout=DRAW_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ExportError(f"Graphviz did not finish within {DRAW_TIMEOUT} s") from None
        if done.returncode != 0:
            raise ExportError(f"Graphviz failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    return draw


def csv_nodes(graph: Network) -> bytes:
    rows = [{"id": node, **_flat_data(data)} for node, data in graph.nodes(data=True)]
    return _csv(rows, ["id"])


def csv_edges(graph: Network) -> bytes:
    rows = [
        {"id": f"e{n}", "source": s, "target": t, **_flat_data(data)}
        for n, (s, t, _key, data) in enumerate(_edges(graph), 1)
    ]
    return _csv(rows, ["id", "source", "target"])


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("graphml", "graphml", "application/graphml+xml", graphml, "GraphML (yEd)"),
        Format("gexf", "gexf", "application/gexf+xml", gexf, "GEXF 1.3 (Gephi)"),
        Format(
            "gexf-1.2",
            "1.2.gexf",
            "application/gexf+xml",
            lambda graph: gexf(graph, "1.2"),
            "GEXF 1.2draft",
        ),
        Format("cyjs", "cyjs", "application/json", cytoscape, "Cytoscape.js JSON"),
        Format("dot", "dot", "text/vnd.graphviz; charset=utf-8", dot, "Graphviz DOT"),
        Format("svg", "svg", "image/svg+xml", drawn("svg"), "SVG (Graphviz)", GRAPHVIZ),
        Format("png", "png", "image/png", drawn("png"), "PNG (Graphviz)", GRAPHVIZ),
        Format("csv-nodes", "nodes.csv", "text/csv; charset=utf-8", csv_nodes, "CSV, nodes"),
        Format("csv-edges", "edges.csv", "text/csv; charset=utf-8", csv_edges, "CSV, edges"),
    )
}


def export_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown format {name!r} (one of: {', '.join(FORMATS)})") from None


# ------------------------------------------------------------------------ helpers


def _edges(graph: Network) -> Iterable[tuple[str, str, Any, dict[str, Any]]]:
    if graph.is_multigraph():
        yield from graph.edges(keys=True, data=True)  # type: ignore[call-overload]
    else:
        for source, target, data in graph.edges(data=True):
            yield source, target, None, data


def _flat_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in _TIME_KEYS}


def _flat(graph: Network) -> Network:
    """A copy without list attributes; parallel edges get unique keys e1, e2, ..."""
    flat = graph.__class__()
    flat.graph.update(graph.graph)
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **_flat_data(data))
    for n, (source, target, _key, data) in enumerate(_edges(graph), 1):
        if flat.is_multigraph():
            flat.add_edge(source, target, key=f"e{n}", **_flat_data(data))
        else:
            flat.add_edge(source, target, **_flat_data(data))
    return flat


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: [list(s) for s in v] if k in _TIME_KEYS else v for k, v in data.items()}


def _columns(rows: Iterable[dict[str, Any]]) -> set[str]:
    return {k for data in rows for k in data if k not in _TIME_KEYS}


def _gexf_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _key_order(keys: Iterable[str]) -> list[str]:
    first = ("label", "label_en", "kind", "iri")
    return [k for k in first if k in keys] + sorted(k for k in keys if k not in first)


def _description(graph: Network) -> str:
    filters = ", ".join(
        f"{k.removeprefix('filter_')}={v}"
        for k, v in graph.graph.items()
        if k.startswith("filter_")
    )
    title = f"{graph.graph.get('title', '')} / {graph.graph.get('title_en', '')}"
    return f"{title} ({filters})" if filters else title


def _quoted(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _dot_attributes(data: dict[str, Any]) -> str:
    return ", ".join(
        f"{_quoted(k)}={v}"
        if isinstance(v, (int, float)) and not isinstance(v, bool)
        else f"{_quoted(k)}={_quoted(v)}"
        for k, v in data.items()
    )


def _csv(rows: list[dict[str, Any]], first: list[str]) -> bytes:
    columns = first + _key_order({k for row in rows for k in row} - set(first))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()
