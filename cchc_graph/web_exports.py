"""web_exports: the export pages and downloads of `cchc serve`.

/export lists what can be downloaded; /export/{view}.{suffix} writes a view in one format with
the filters of the query string; /dump.{suffix} and /dump/{graph}.{suffix} give the built graph
as RDF; /graph draws a view in the browser with Cytoscape.js (vendored, no CDN).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from cchc_graph.admission import ASKING, Asker, Lane
from cchc_graph.answers import Table, tsv_table
from cchc_graph.canned import ParameterError
from cchc_graph.errors import CchcError, NotFoundError
from cchc_graph.export import Exporter
from cchc_graph.export.dumps import DUMP_FORMATS, DumpError, cached_dump, graph_names
from cchc_graph.export.formats import FORMATS, KIND_COLOURS
from cchc_graph.export.views import FILTERS
from cchc_graph.serve import client_of
from cchc_graph.site import Page, Site, lang_of, with_lang
from cchc_graph.store import Store

STATIC = Path(__file__).parent / "static"
DRAWN_NODES = 2000  # the page draws up to this many nodes; past it, it offers the files
INLINE = {"svg", "png", "cyjs"}  # shown by the browser; the others are downloaded

Render = Callable[..., str]
HtmlResponse = Callable[[Callable[[], tuple[str, int]]], Awaitable[Response]]


class Warming:
    """Draws the whole cooperation network once, in the background at start: agency pages show
    an agency's place in it once it is there, instead of waiting seconds on a large graph."""

    def __init__(self, exporter: Exporter) -> None:
        self.exporter = exporter
        self._done = threading.Event()
        threading.Thread(target=self._run, name="cchc-cooperation", daemon=True).start()

    def _run(self) -> None:
        try:
            self.exporter.graph("cooperation", {})
        except CchcError:
            pass  # the pages go without it; /graph and /export report the error themselves
        finally:
            self._done.set()

    def standing(self, node_id: str) -> dict[str, Any] | None:
        if not self._done.is_set():
            return None
        try:
            return self.exporter.standing(node_id)
        except CchcError:
            return None


class Uncapped:
    """The served store's SELECT without its row cap: an export holds every row of its view."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def select(self, query: str) -> Table:
        return tsv_table(self.store.answer(query, select_format="tsv", row_cap=sys.maxsize).body)


def register_exports(
    app: FastAPI,
    site_of: Callable[[], Site],
    exporter_of: Callable[[], Exporter],
    render: Render,
    html_response: HtmlResponse,
) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def filters(request: Request) -> dict[str, str]:
        return {k: v for k in FILTERS if (v := request.query_params.get(k, "").strip())}

    def choices(site: Site) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            rows = site.page_rows("plan-choices", "vi")
            provinces = {
                site.short(r["province"].iri or "").rsplit("/", 1)[-1]: r["province"].text
                for r in rows
            }
            years = sorted({int(r[end].text) for r in rows for end in ("start", "end")})
            plans = [(site.short(r["document"].iri or ""), r["document"].text) for r in rows]
            return {"provinces": provinces, "years": years, "plans": plans}

        chosen: dict[str, Any] = site.once("export-choices", compute)
        return chosen

    @app.get("/export", response_class=HTMLResponse)
    async def export_index(request: Request) -> Response:
        lang = lang_of(request.query_params)

        def build() -> tuple[str, int]:
            site, exporter = site_of(), exporter_of()
            page = Page(lang, "/export", EXPORT_UI[lang]["exports"])
            try:
                graphs = graph_names(site.settings.build_dir, site.settings.base_iri)
            except DumpError:
                graphs = []
            chosen = filters(request)
            rows = []
            for view in exporter.views.values():
                values = {k: v for k, v in chosen.items() if k in view.accepts()}
                query = urlencode(values)
                rows.append((view, with_lang("/graph", lang, view=view.name, **values), query))
            return render(
                "exports",
                page,
                views=rows,
                formats=list(FORMATS.values()),
                dumps=list(DUMP_FORMATS.values()),
                graphs=graphs,
                chosen=chosen,
                choices=choices(site),
                words=EXPORT_UI[lang],
            ), 200

        return await html_response(build)

    @app.get("/export/{filename}")
    async def export_file(filename: str, request: Request) -> Response:
        view, _, suffix = filename.partition(".")
        fmt = next((f for f in FORMATS.values() if f.suffix == suffix), None)
        exporter = exporter_of()
        if fmt is None or view not in exporter.views:
            known = ", ".join(f.suffix for f in FORMATS.values())
            raise NotFoundError(
                f"no export {filename!r}: views {', '.join(exporter.views)}; suffixes {known}"
            )
        values = filters(request)

        def write() -> bytes:
            return exporter.export(view, fmt.name, values)

        asking = ASKING.set(Asker(Lane.EXPORTS, client_of(request)))
        try:
            body = await anyio.to_thread.run_sync(write)
        finally:
            ASKING.reset(asking)
        name = "-".join(["cchc", view, *(v.replace("/", "-") for v in values.values())])
        disposition = "inline" if fmt.name in INLINE else "attachment"
        return Response(
            body,
            media_type=fmt.media_type,
            headers={"Content-Disposition": f'{disposition}; filename="{name}.{fmt.suffix}"'},
        )

    @app.get("/dump.{suffix}")
    async def dump_whole(suffix: str) -> Response:
        return await dump_response(None, suffix)

    @app.get("/dump/{path:path}")
    async def dump_graph(path: str) -> Response:
        graph, _, suffix = path.rpartition(".")
        return await dump_response(graph, suffix)

    async def dump_response(graph: str | None, suffix: str) -> Response:
        fmt = next((f for f in DUMP_FORMATS.values() if f.suffix == suffix), None)
        if fmt is None or graph == "":
            known = ", ".join(f.suffix for f in DUMP_FORMATS.values())
            raise NotFoundError(f"no dump format {suffix!r} (one of: {known})")
        settings = site_of().settings

        def write() -> Path:
            # an unknown graph is refused from the (kept) list of names, before the build is read
            if graph is not None and graph not in graph_names(
                settings.build_dir, settings.base_iri
            ):
                raise NotFoundError(f"the build holds no graph {graph!r}; /export lists them")
            return cached_dump(settings.build_dir, fmt, settings.base_iri, graph)

        try:
            target = await anyio.to_thread.run_sync(write)
        except DumpError as error:
            raise NotFoundError(str(error)) from None
        name = "cchc" if graph is None else graph.replace("/", "-")
        return FileResponse(
            target,
            media_type=fmt.media_type,
            filename=f"{name}.{fmt.suffix}",
            content_disposition_type="attachment",
        )

    @app.get("/graph", response_class=HTMLResponse)
    async def graph_page(request: Request) -> Response:
        lang = lang_of(request.query_params)

        def build() -> tuple[str, int]:
            site, exporter = site_of(), exporter_of()
            name = request.query_params.get("view", "cooperation")
            page = Page(lang, "/graph", EXPORT_UI[lang]["graph"])
            if name not in exporter.views:
                page.title = "404"
                return render("not_found", page, node=name, suggestions=[], words=""), 404
            view = exporter.views[name]
            values = {k: v for k, v in filters(request).items() if k in view.accepts()}
            if name == "plan" and "plan" not in values:
                values["plan"] = view.query.parameter("plan").default or ""
            error = None
            counts = (0, 0)
            try:
                graph = exporter.graph(name, values)
                counts = (graph.number_of_nodes(), graph.number_of_edges())
            except ParameterError as failure:
                error = str(failure)
            query = urlencode(values)
            page.title = f"{view.query.title[lang]} · {EXPORT_UI[lang]['graph']}"
            return render(
                "graph",
                page,
                view=view,
                views=list(exporter.views.values()),
                chosen=values,
                choices=choices(site),
                counts=counts,
                error=error,
                drawn=counts[0] <= DRAWN_NODES,
                data_url=f"/export/{name}.cyjs" + (f"?{query}" if query else ""),
                downloads=[
                    (f.label, f"/export/{name}.{f.suffix}" + (f"?{query}" if query else ""))
                    for f in FORMATS.values()
                    if f.available  # SVG and PNG only where Graphviz is (the page says so)
                ],
                needs_graphviz=not all(f.available for f in FORMATS.values()),
                colours=json.dumps(KIND_COLOURS),
                kinds=json.dumps(KIND_NAMES[lang], ensure_ascii=False),
                limit=DRAWN_NODES,
                words=EXPORT_UI[lang],
            ), (200 if error is None else 400)

        return await html_response(build)



EXPORT_UI = {
    "vi": {
        "exports": "Tải dữ liệu",
        "graph": "Đồ thị",
        "views": "Các góc nhìn mạng lưới",
        "dumps": "Toàn bộ đồ thị RDF",
        "per_graph": "Từng đồ thị con",
        "draw": "Vẽ",
        "needs_graphviz": "SVG và PNG cần Graphviz trên máy chủ (apt-get install graphviz); "
        "có thể tải DOT và vẽ ở nơi khác.",
        "filters": "Bộ lọc",
        "province": "Tỉnh",
        "from": "Từ năm",
        "to": "Đến năm",
        "role": "Vai trò",
        "plan": "Kế hoạch",
        "view": "Góc nhìn",
        "all": "Tất cả",
        "apply": "Áp dụng",
        "nodes": "nút",
        "edges": "cạnh",
        "too_many": (
            "Đồ thị có quá nhiều nút để vẽ trên trang (giới hạn {limit}); "
            "hãy lọc theo tỉnh, năm hoặc vai trò, hoặc tải tệp về."
        ),
        "downloads": "Tải về",
        "click": "Bấm vào một nút để mở trang của nó.",
        "lead": "chủ trì",
        "cooperating": "phối hợp",
        "participant": "tham gia",
        "filters_apply": "Bộ lọc áp dụng cho các liên kết tải về bên dưới.",
    },
    "en": {
        "exports": "Downloads",
        "graph": "Graph",
        "views": "Network views",
        "dumps": "The whole RDF graph",
        "per_graph": "Each named graph",
        "draw": "Draw",
        "needs_graphviz": "SVG and PNG need Graphviz on the server (apt-get install graphviz); "
        "download DOT and draw it elsewhere.",
        "filters": "Filters",
        "province": "Province",
        "from": "From year",
        "to": "To year",
        "role": "Role",
        "plan": "Plan",
        "view": "View",
        "all": "All",
        "apply": "Apply",
        "nodes": "nodes",
        "edges": "edges",
        "too_many": (
            "This graph has too many nodes to draw on the page (limit {limit}); "
            "filter it by province, years or role, or download a file."
        ),
        "downloads": "Downloads",
        "click": "Click a node to open its page.",
        "lead": "lead",
        "cooperating": "cooperating",
        "participant": "participant",
        "filters_apply": "The filters apply to the download links below.",
    },
}

KIND_NAMES = {  # the legend of /graph
    "vi": {
        "Agency": "Cơ quan",
        "AgencyGroup": "Nhóm cơ quan",
        "NationalBody": "Cơ quan trung ương",
        "Task": "Nhiệm vụ",
        "Deliverable": "Sản phẩm",
        "Plan": "Kế hoạch",
        "Directive": "Chỉ thị",
        "LegalInstrument": "Văn bản",
        "Target": "Chỉ tiêu",
        "Indicator": "Chỉ số",
    },
    "en": {
        "Agency": "Agency",
        "AgencyGroup": "Group of agencies",
        "NationalBody": "National body",
        "Task": "Task",
        "Deliverable": "Deliverable",
        "Plan": "Plan",
        "Directive": "Directive",
        "LegalInstrument": "Legal instrument",
        "Target": "Target",
        "Indicator": "Indicator",
    },
}
