"""site: the HTML browse pages and Linked Data: every IRI under the base dereferences at /id/...

HTML for browsers; Turtle, JSON-LD, N-Triples and RDF/XML by Accept, by suffix (.ttl, .jsonld,
.nt, .rdf) or by ?_format=. Pages are Jinja2 templates under templates/site/ on one layout, in
Vietnamese by default (?lang=en for English, with the Vietnamese label where there is no English
one). Their data comes from queries/pages/*.rq and the canned queries, through the same query
workers as /sparql, so no page runs longer than the endpoint's timeout; lists are paginated.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape

from cchc_graph.canned import Catalogue, load_catalogue
from cchc_graph.iris import Iris
from cchc_graph.namespaces import CCHC, PREFIXES, RDFS, SKOS
from cchc_graph.settings import Settings
from cchc_graph.store import Store
from cchc_graph.text import fold

PAGE_SIZE = 100
# suffix and ?_format= names -> graph format
RDF_SUFFIXES = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml"}
FORMAT_PARAMETER = {
    "ttl": "turtle",
    "turtle": "turtle",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "html": "html",
}
SUFFIX_OF = {name: suffix for suffix, name in RDF_SUFFIXES.items()}
ROLE_LABELS = {
    "lead": {"vi": "Chủ trì", "en": "Lead"},
    "cooperating": {"vi": "Phối hợp", "en": "Cooperating"},
    "participant": {"vi": "Tham gia", "en": "Participant"},
}
COLUMNS = {  # result columns of the queries, as headings
    "year": ("Năm", "Year"),
    "province": ("Tỉnh", "Province"),
    "plan": ("Kế hoạch", "Plan"),
    "document": ("Văn bản", "Document"),
    "task": ("Nhiệm vụ", "Task"),
    "taskId": ("Mã", "Id"),
    "deliverable": ("Sản phẩm", "Deliverable"),
    "product": ("Sản phẩm", "Product"),
    "due": ("Hạn chót", "Due"),
    "deadline": ("Thời hạn", "Deadline"),
    "agency": ("Cơ quan", "Agency"),
    "leads": ("Chủ trì", "Lead"),
    "cooperating": ("Phối hợp", "Cooperating"),
    "cooperates": ("Phối hợp", "Cooperates"),
    "line": ("Dòng", "Line"),
    "role": ("Vai trò", "Role"),
    "tasks": ("Nhiệm vụ", "Tasks"),
    "deliverables": ("Sản phẩm", "Deliverables"),
    "type": ("Loại", "Type"),
    "partner": ("Cơ quan", "Agency"),
    "relation": ("Quan hệ", "Relation"),
    "direct": ("Văn bản dẫn", "Cited"),
    "instrument": ("Văn bản", "Instrument"),
    "date": ("Ngày", "Date"),
    "issuer": ("Cơ quan ban hành", "Issuer"),
    "indicatorLabel": ("Chỉ số", "Indicator"),
    "comparator": ("So sánh", "Comparator"),
    "value": ("Giá trị", "Value"),
    "unit": ("Đơn vị", "Unit"),
    "quote": ("Trích dẫn", "Quote"),
    "direction": ("Chiều", "Direction"),
    "similarity": ("Tương đồng", "Similarity"),
    "start": ("Từ", "From"),
    "end": ("Đến", "To"),
    "other": ("Văn bản", "Document"),
    "item": ("Mục", "Item"),
    "node": ("Nút", "Node"),
    "target": ("Chỉ tiêu", "Target"),
}


def column_label(column: str, lang: str) -> str:
    names = COLUMNS.get(column)
    return names[1 if lang == "en" else 0] if names else column


UI = {  # the words of the interface
    "vi": {
        "search": "Tìm kiếm",
        "queries": "Câu hỏi có sẵn",
        "sparql": "SPARQL",
        "validation": "Kiểm tra dữ liệu",
        "graph": "Đồ thị",
        "exports": "Tải dữ liệu",
        "home": "Trang chủ",
        "facts": "Dữ kiện",
        "incoming": "Liên kết đến nút này",
        "formats": "Định dạng",
        "line": "dòng",
        "source": "Văn bản nguồn",
        "original": "Tệp gốc",
        "read_as": "Đọc từ tệp",
        "next": "Trang sau",
        "previous": "Trang trước",
        "none": "Không có",
        "switch": "English",
        "lang_other": "en",
    },
    "en": {
        "search": "Search",
        "queries": "Canned queries",
        "sparql": "SPARQL",
        "validation": "Validation",
        "graph": "Graph",
        "exports": "Downloads",
        "home": "Home",
        "facts": "Facts",
        "incoming": "Links to this node",
        "formats": "Formats",
        "line": "line",
        "source": "Source document",
        "original": "Original file",
        "read_as": "Read from a file in",
        "next": "Next page",
        "previous": "Previous page",
        "none": "None",
        "switch": "Tiếng Việt",
        "lang_other": "vi",
    },
}


@dataclass(frozen=True)
class Cell:
    """One value of a result row, ready to show: text, and the page it links to if any."""

    text: str
    href: str | None = None
    iri: str | None = None
    datatype: str | None = None
    language: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass
class Page:
    """What a template needs besides its own data."""

    lang: str
    path: str
    title: str
    node: str | None = None
    jsonld: str = ""
    alternates: list[tuple[str, str, str]] = field(default_factory=list)  # (href, type, name)


class SearchIndex:
    """The folded texts by word, for the search page. It answers what the `search` canned query
    answers (CONTAINS on cchc:searchText, ranked by type, then IRI) without scanning every text
    for each search: the words of the phrase pick the candidates, the phrase confirms them."""

    def __init__(self, rows: Iterable[tuple[str, str, int, str]]) -> None:
        self.texts: dict[str, str] = {}
        self.kinds: dict[str, tuple[int, str]] = {}
        self.words: dict[str, set[str]] = {}
        for node, kind, rank, text in rows:
            self.texts[node] = text
            if node not in self.kinds or rank < self.kinds[node][0]:
                self.kinds[node] = (rank, kind)
            for word in text.split():
                self.words.setdefault(word, set()).add(node)

    def find(self, phrase: str, limit: int) -> list[tuple[str, str]]:
        """(node, type) of the first `limit` nodes whose text contains the folded phrase."""
        candidates: set[str] | None = None
        for part in phrase.split():
            found: set[str] = set()
            for word, nodes in self.words.items():
                if part in word:
                    found |= nodes
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return []
        hits = sorted(
            (n for n in candidates or () if phrase in self.texts[n]),
            key=lambda n: (self.kinds[n][0], n),
        )
        return [(n, self.kinds[n][1]) for n in hits[:limit]]


class Site:
    """The pages' data: queries through the endpoint's store, labels, links."""

    def __init__(self, settings: Settings, store: Store, canned: Catalogue) -> None:
        self.settings = settings
        self.store = store
        self.canned = canned
        self.pages = Catalogue(load_catalogue(settings.queries_dir / "pages"), store)
        self.iris = Iris(settings.base_iri)
        self.base = settings.base_iri
        self._vocabulary: dict[str, dict[str, str]] | None = None
        self._once: dict[str, Any] = {}
        self.search_index: SearchIndex | None = None
        threading.Thread(target=self._index, name="cchc-search-index", daemon=True).start()
        self._lock = threading.Lock()
        self.templates = Environment(
            loader=PackageLoader("cchc_graph", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(
            ui=UI, role_labels=ROLE_LABELS, fmt_number=fmt_number, column_label=column_label
        )

    # ---------------------------------------------------------------- data

    def rows(
        self, catalogue: Catalogue, name: str, lang: str, **params: str
    ) -> list[dict[str, Cell]]:
        table = self.store.select(catalogue.bind(name, params))
        return self.cells(table.variables, table.rows, lang)

    def page_rows(self, name: str, lang: str, **params: str) -> list[dict[str, Cell]]:
        return self.rows(self.pages, name, lang, **params)

    def canned_rows(self, name: str, lang: str, **params: str) -> list[dict[str, Cell]]:
        return self.rows(self.canned, name, lang, **params)

    def cells(
        self, variables: list[str], rows: Iterable[tuple[Any, ...]], lang: str
    ) -> list[dict[str, Cell]]:
        """Rows ready to show. An IRI's label comes from the row when the query gives it (a
        column `xLabel` for `x`, or `label` for `node`), else from one lookup for the rest."""
        rows = list(rows)
        given = {
            index: variables.index(name)
            for index, variable in enumerate(variables)
            for name in (f"{variable}Label", "label" if variable == "node" else "")
            if name in variables
        }
        labels: dict[str, str] = {}
        wanted = set()
        for row in rows:
            for index, term in enumerate(row):
                if not isinstance(term, ox.NamedNode):
                    continue
                label = row[given[index]] if index in given else None
                if isinstance(label, ox.Literal) and (lang == "vi" or label.language == lang):
                    labels.setdefault(term.value, label.value)
                else:
                    wanted.add(term.value)
        labels.update(self.labels(wanted - labels.keys(), lang))
        return [
            {
                v: self.cell(t, labels, lang)
                for v, t in zip(variables, row, strict=True)
                if t is not None
            }
            for row in rows
        ]

    def _index(self) -> None:
        table = self.store.select(self.pages.bind("search-index", {}))
        self.search_index = SearchIndex(
            (r[0].value, r[1].value, int(r[2].value), r[3].value)
            for r in table.rows
            if r[0] is not None and r[1] is not None and r[2] is not None and r[3] is not None
        )

    def search(self, words: str, lang: str, limit: int) -> list[dict[str, Cell]]:
        """The search page's results: from the index once it is built, else the canned query."""
        index = self.search_index
        if index is None:
            return self.canned_rows("search", lang, q=words, limit=str(limit))
        found = index.find(fold(words), limit)
        rows = [(ox.NamedNode(node), ox.NamedNode(kind)) for node, kind in found]
        return self.cells(["node", "type"], rows, lang)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed once per server: the graph does not change while it is served."""
        with self._lock:
            if key in self._once:
                return self._once[key]
        value = compute()
        with self._lock:
            return self._once.setdefault(key, value)

    def cell(self, term: Any, labels: Mapping[str, str], lang: str) -> Cell:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            return Cell(labels.get(iri) or self.short(iri), self.href(iri, lang), iri)
        if isinstance(term, ox.Literal):
            return Cell(term.value, datatype=term.datatype.value, language=term.language)
        return Cell(str(term))

    def vocabulary(self) -> dict[str, dict[str, str]]:
        """Labels of ontology terms, concepts and provinces, by language; loaded once."""
        with self._lock:
            if self._vocabulary is None:
                text = self.pages.bind(
                    "vocabulary-labels",
                    {
                        "ontology": self.iris.graph("ontology"),
                        "vocabularies": self.iris.graph("vocabularies"),
                    },
                )
                labels: dict[str, dict[str, str]] = {}
                for node, label in self.store.select(text).rows:
                    if node is None or not isinstance(label, ox.Literal):
                        continue
                    labels.setdefault(node.value, {}).setdefault(
                        label.language or "vi", label.value
                    )
                self._vocabulary = labels
            return self._vocabulary

    def labels(self, iris: Iterable[str], lang: str) -> dict[str, str]:
        """The label of each IRI in `lang`, else in Vietnamese (one query for all of them)."""
        vocabulary = self.vocabulary()
        found: dict[str, str] = {}
        unknown = []
        for iri in iris:
            known = vocabulary.get(iri)
            if known:
                found[iri] = known.get(lang) or known.get("vi") or next(iter(known.values()))
            elif iri.startswith(self.base):
                unknown.append(iri)
        for chunk in _chunks(sorted(unknown), 200):
            values = " ".join(f"<{iri}>" for iri in chunk)
            # internal: labels of the IRIs on one page, built here since their number varies
            query = (
                f"PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}>\n"
                f"SELECT ?node ?vi ?en WHERE {{ VALUES ?node {{ {values} }}\n"
                "  OPTIONAL { ?node rdfs:label ?vi }\n"
                '  OPTIONAL { ?node skos:prefLabel ?en FILTER(LANG(?en) = "en") } }'
            )
            for row in self.store.select(query).values():
                label = (row.get("en") if lang == "en" else None) or row.get("vi")
                if label:
                    found.setdefault(row["node"], label)
        return found

    def title(self, iri: str, facts: list[dict[str, Cell]], lang: str) -> str:
        """A node's label in `lang`, else in Vietnamese, read from its facts (no query)."""
        labels: dict[tuple[str, str | None], str] = {}
        for row in facts:
            value = row["value"]
            if row["property"].iri in (RDFS + "label", SKOS + "prefLabel") and not value.iri:
                labels.setdefault((row["property"].iri or "", value.language), value.text)
        english = labels.get((SKOS + "prefLabel", "en")) if lang == "en" else None
        return (
            english
            or labels.get((SKOS + "prefLabel", "vi"))
            or next((t for (p, _), t in labels.items() if p == RDFS + "label"), None)
            or self.short(iri)
        )

    def short(self, iri: str) -> str:
        if iri.startswith(self.base):
            return iri[len(self.base) :]
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def href(self, iri: str, lang: str) -> str | None:
        if iri.startswith(self.base):
            return with_lang("/id/" + _quote_path(iri[len(self.base) :]), lang)
        return None

    def node_of(self, path: str) -> str:
        return self.base + path


# ------------------------------------------------------------------------ helpers


def lang_of(params: Mapping[str, str]) -> str:
    """The page's language from its query string: English when asked, Vietnamese otherwise."""
    return "en" if params.get("lang") == "en" else "vi"


def with_lang(path: str, lang: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    if lang != "vi":
        query["lang"] = lang
    return path + ("?" + urlencode(query) if query else "")


def _quote_path(path: str) -> str:
    return quote(path, safe="/:.-_~")


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fmt_number(value: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,.2f}"


def jsonld_script(body: bytes) -> str:
    """JSON-LD safe inside a <script> element: "<" only occurs inside JSON strings, where
    \\u003c means the same, so no source text can close or restart the element."""
    text = body.decode("utf-8")
    json.loads(text)  # it must be JSON
    return text.replace("<", "\\u003c")


def bar_chart(points: list[tuple[str, float]], width: int = 520, height: int = 160) -> str:
    """A small server-side SVG bar chart (no script, no CDN); the values are escaped."""
    if not points:
        return ""
    top = max(v for _, v in points) or 1
    step = width / len(points)
    bars = []
    for index, (name, value) in enumerate(points):
        bar = (height - 30) * value / top
        x = index * step + step * 0.15
        bars.append(
            f'<g><rect x="{x:.1f}" y="{height - 20 - bar:.1f}" width="{step * 0.7:.1f}" '
            f'height="{bar:.1f}" fill="#2f6f9f"><title>{html.escape(name)}: {value:g}</title>'
            f'</rect><text x="{x + step * 0.35:.1f}" y="{height - 5}" font-size="11" '
            f'text-anchor="middle">{html.escape(name)}</text><text x="{x + step * 0.35:.1f}" '
            f'y="{height - 24 - bar:.1f}" font-size="11" text-anchor="middle">{value:g}</text></g>'
        )
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )


PALETTE = ("#2f6f9f", "#b5543c", "#3c8d5a", "#8a5cb8", "#c08a1e", "#4b8f9c", "#9c4b6e")


def line_chart(
    series: dict[str, list[tuple[float, float]]], width: int = 620, height: int = 260
) -> str:
    """Targets over years, one line per series (province), as server-side SVG."""
    points = [p for values in series.values() for p in values]
    if not points:
        return ""
    years = [x for x, _ in points]
    values = [y for _, y in points]
    x0, x1 = min(years), max(years)
    x1 = x1 if x1 > x0 else x0 + 1
    # the axis starts near the lowest target, so that close values stay apart
    y0 = max(0.0, math.floor((min(values) - 5) / 10) * 10)
    y1 = max(values) if max(values) > y0 else y0 + 1
    left, bottom, right, top = 40, height - 30, width - 30, 24

    def sx(x: float) -> float:
        return left + (right - left) * (x - x0) / (x1 - x0)

    def sy(y: float) -> float:
        return bottom - (bottom - top) * (y - y0) / (y1 - y0)

    parts = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#999"/>',
    ]
    for year in range(int(x0), int(x1) + 1):
        parts.append(
            f'<text x="{sx(year):.1f}" y="{bottom + 16}" font-size="11" '
            f'text-anchor="middle">{year}</text>'
        )
    for tick in (y0, (y0 + y1) / 2, y1):
        parts.append(
            f'<text x="{left - 4}" y="{sy(tick) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{tick:g}</text>'
        )
    for index, (name, values_) in enumerate(sorted(series.items())):
        colour = PALETTE[index % len(PALETTE)]
        ordered = sorted(values_)
        if len(ordered) > 1:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in ordered)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, y in ordered:
            parts.append(
                f'<circle class="point" cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" '
                f'fill="{colour}"><title>{html.escape(name)} {x:g}: {y:g}</title>'
                "</circle>"
            )
        parts.append(  # the legend, in a row above the plot
            f'<text x="{left + 8 + 140 * index}" y="{top - 10}" font-size="12" '
            f'fill="{colour}">{html.escape(name)}</text>'
        )
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


TYPE_PAGES = (  # the first rdf:type found picks the page
    (CCHC + "Plan", "plan"),
    (CCHC + "Directive", "plan"),
    (CCHC + "Task", "task"),
    (CCHC + "AgencyType", "agency-type"),
    (CCHC + "AgencyGroupType", "agency-type"),
    (CCHC + "Agency", "agency"),
    (CCHC + "AgencyGroup", "agency"),
    (CCHC + "NationalBody", "agency"),
    (CCHC + "LegalInstrument", "instrument"),
    (CCHC + "Province", "province"),
    (CCHC + "SourceDocument", "source-node"),
)


def page_kind(types: set[str], schemes: set[str]) -> str:
    for cls, kind in TYPE_PAGES:
        if cls in types:
            return kind
    if any(s.endswith("/indicators") for s in schemes):
        return "indicator"
    if any(s.endswith("/reform-areas") for s in schemes):
        return "area"
    return "node"


def grouped(rows: list[dict[str, Cell]], key: str) -> list[tuple[str, list[dict[str, Cell]]]]:
    groups: dict[str, list[dict[str, Cell]]] = {}
    for row in rows:
        groups.setdefault(row[key].text if key in row else "", []).append(row)
    return list(groups.items())


_SPACE = re.compile(r"\s+")


def search_words(path: str) -> str:
    """Words to suggest pages for an unknown IRI: its last path segments, folded."""
    tail = "/".join(path.strip("/").split("/")[-2:])
    return _SPACE.sub(" ", re.sub(r"[-_/.]+", " ", fold(tail))).strip()
