"""web: the app `cchc serve` runs: the SPARQL endpoint and canned-query API (serve.py) and the
browse pages: /, /id/... (Linked Data), /source/..., /search, /queries, /sparql-editor (and
/sparql for browsers) and /validation. Page data comes from site.Site; what is served, and the
switch to a new build, from served.py; every error leaves through web_errors.py."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import anyio.to_thread
import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, Response

from cchc_graph import media
from cchc_graph.admission import Asker, Lane
from cchc_graph.answers import GRAPH_FORMATS, tsv_table
from cchc_graph.builds import READINGS
from cchc_graph.canned import ParameterError
from cchc_graph.errors import BadRequestError, CchcError, NotAcceptableError, NotFoundError
from cchc_graph.export import Exporter
from cchc_graph.namespaces import DCTERMS, PROV, RDF, SKOS
from cchc_graph.pool import QueryPool
from cchc_graph.serve import FastSparql, client_of, register_endpoint
from cchc_graph.served import SERVED, Generation, Pinning, Server, Validation
from cchc_graph.settings import Settings
from cchc_graph.site import (
    FORMAT_PARAMETER,
    PAGE_SIZE,
    RDF_SUFFIXES,
    SUFFIX_OF,
    UI,
    Cell,
    Page,
    Site,
    bar_chart,
    grouped,
    jsonld_script,
    lang_of,
    line_chart,
    page_kind,
    search_words,
    with_lang,
)
from cchc_graph.text import fold, nfc
from cchc_graph.web_errors import BodyLimit, error_page_data, install
from cchc_graph.web_exports import Warming, register_exports

LINK_SAFE = "/?=&:;@.,-_~%+!$'()*"  # what stays as it is in a Link header's URL
EXAMPLE_QUERY = """PREFIX cchc: <https://w3id.org/cchc/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?plan ?title WHERE { ?plan a cchc:Plan ; rdfs:label ?title } ORDER BY ?plan
"""


def wants(request: Request, path: str) -> tuple[str, str]:
    """(node path, format): a suffix first, then ?_format=, then Accept; HTML by default."""
    for suffix, name in RDF_SUFFIXES.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], name
    asked = request.query_params.get("_format")
    if asked:
        return path, FORMAT_PARAMETER.get(asked.lower(), "unknown")
    # a page first ("*/*", no header), else the RDF the client names (application/json is
    # JSON-LD here, as for a CONSTRUCT on /sparql); none of ours: 406
    chosen = media.choose(request.headers.get("accept"), ("page", "graph"))
    if chosen is None:
        raise NotAcceptableError(
            "no representation in a type the Accept header takes; this IRI is described as "
            + ", ".join(media.offered("page") + media.offered("graph"))
        )
    return path, chosen.format


def create_app(settings: Settings | None = None, pool: QueryPool | None = None) -> FastAPI:
    """The app; its query pool starts with it unless one is given, and so does the validation
    of the served graph (in the background, for the pages that show it). SIGHUP reloads it
    with the current build, where the app runs in the main thread (`cchc serve`)."""
    server = Server(settings or Settings(), pool)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(server.start)
        loop = asyncio.get_running_loop()
        # no signal handlers off the main thread (a test's server) or on loops without them
        # (NotImplementedError: Windows, some embedded loops): reload is then by restart only
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
            loop.add_signal_handler(
                signal.SIGHUP, lambda: loop.run_in_executor(None, server.reload)
            )
        try:
            yield
        finally:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.remove_signal_handler(signal.SIGHUP)
            server.stop()

    app = FastAPI(title="cchc-graph", lifespan=lifespan, docs_url="/api/docs", redoc_url=None)
    app.state.server = server

    def error_page(status: int, message: str, retry: int | None, request: Request) -> str | None:
        served = SERVED.get(None) or server.generation
        if served is None:
            return None
        page, data = error_page_data(status, message, request)
        return render_page(served.site, "error", page, retry_after=retry, **data)

    respond = install(app, error_page)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        # a browser client (YASGUI, Comunica) POSTs application/sparql-query: its preflight
        # asks for POST and Content-Type
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Content-Type", "Accept"],
        expose_headers=["X-Result-Truncated", "X-Result-Rows"],
    )
    sparql_page = register(app, server.current)
    register_endpoint(app, lambda: server.current().endpoint, sparql_page)

    async def on_error(request: Request, error: Exception) -> Response:
        return respond(request, error)

    limit = server.settings.body_limit << 10
    app.add_middleware(Pinning, server=server)
    app.add_middleware(BodyLimit, limit=limit, respond=respond)
    # outermost: the hot path pays for no other middleware
    app.add_middleware(
        FastSparql, endpoint_in_use=server.endpoint_in_use, on_error=on_error, longest=limit
    )
    app.add_middleware(HeadAsGet)
    return app


class HeadAsGet:
    """HEAD wherever GET works: the request is answered as a GET, its headers sent as they are
    (Content-Length included) and its body left out."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Any) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def render_page(site: Site, template: str, page: Page, **data: Any) -> str:
    """A page of the site in its language, on the common layout."""
    return site.templates.get_template(f"site/{template}.html").render(
        page=page,
        ui=UI[page.lang],
        lang=page.lang,
        url=lambda path, **params: with_lang(path, page.lang, **params),
        other_lang_url=with_lang(page.path, "en" if page.lang == "vi" else "vi"),
        **data,
    )


def is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def offset_of(request: Request) -> int:
    """The `offset` parameter of a paginated page: a whole number from 0."""
    raw = request.query_params.get("offset", "") or "0"
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequestError(f"offset must be a whole number from 0, not {raw[:40]!r}")
    return int(raw)


def register(
    app: FastAPI, current: Callable[[], Generation]
) -> Callable[[Request], Awaitable[Response]]:
    """Add the pages to `app`; `current` gives the generation a request is answered by.
    Returns the SPARQL editor page, which /sparql shows to browsers."""

    def site_of() -> Site:
        return current().site

    def validation_of() -> Validation:
        return current().validation

    def exporter_of() -> Exporter:
        return current().exporter

    def network_of() -> Warming:
        return current().network

    def pool_of() -> QueryPool:
        return current().pool

    def render(template: str, page: Page, **data: Any) -> str:
        return render_page(site_of(), template, page, **data)

    async def html_response(build: Callable[[], tuple[str, int]]) -> Response:
        # an error raised while building goes to the app's one handler (web_errors.py)
        body, status = await anyio.to_thread.run_sync(build)
        return HTMLResponse(body, status)

    @app.get("/", response_class=HTMLResponse)
    async def landing(request: Request) -> Response:
        lang = lang_of(request.query_params)

        def build() -> tuple[str, int]:
            site = site_of()
            offset = offset_of(request)
            with ThreadPoolExecutor(max_workers=3) as pool:
                counted = pool.submit(site.once, "counts", lambda: site.page_rows("counts", lang))
                plans = pool.submit(
                    site.page_rows, "plans", lang, limit=str(PAGE_SIZE), offset=str(offset)
                )
                leaders = pool.submit(
                    site.once,
                    f"busiest-{lang}",
                    lambda: site.canned_rows("busiest-agencies", lang, limit="40"),
                )
                counts = {row["kind"].iri or "": int(row["count"].text) for row in counted.result()}
                documents = plans.result()
                busiest = leaders.result()
            featured = [q for q in site.canned.queries.values() if q.featured]
            page = Page(lang, "/", "cchc-graph")
            return render(
                "landing",
                page,
                counts={k.rsplit("#", 1)[1]: v for k, v in counts.items()},
                documents=documents,
                featured=featured,
                busiest=busiest,
                offset=offset,
                page_size=PAGE_SIZE,
            ), 200

        return await html_response(build)

    @app.get("/id/{path:path}")
    async def dereference(path: str, request: Request) -> Response:
        site = site_of()
        node_path, fmt = wants(request, path)
        node = site.node_of(node_path)
        lang = lang_of(request.query_params)
        alternates = [
            (
                with_lang(f"/id/{node_path}{SUFFIX_OF[name]}", "vi"),
                GRAPH_FORMATS[name].media_type,
                name,
            )
            for name in ("turtle", "jsonld", "ntriples", "rdfxml")
        ]
        # a header holds ASCII only: the path as it would travel in a request
        link = ", ".join(
            f'<{quote(href, safe=LINK_SAFE)}>; rel="alternate"; type="{media}"'
            for href, media, _ in alternates
        )
        headers = {"Vary": "Accept", "Link": link}
        if fmt == "unknown":
            raise BadRequestError("unknown _format; use ttl, jsonld, nt, rdf or html")
        known = is_iri(node)
        if fmt != "html":
            if not known:
                raise NotFoundError(f"no description of {node}")

            def describe() -> bytes | None:
                answer = site.store.answer(
                    site.pages.bind("describe", {"node": node}), graph_format=fmt
                )
                return answer.body if answer.rows else None

            body = await anyio.to_thread.run_sync(describe)
            if body is None:
                raise NotFoundError(f"no description of {node}")
            media_type = GRAPH_FORMATS[fmt].media_type
            # the IRI names a thing, the response is one document about it: that document's
            # own address (200 with Content-Location, rather than a 303 and a second request)
            location = f"/id/{node_path}{SUFFIX_OF[fmt]}"
            headers["Content-Location"] = quote(location, safe=LINK_SAFE)
            return Response(body, media_type=media_type, headers=headers)

        def build() -> tuple[str, int]:
            if not known:
                return not_found(site, Page(lang, f"/id/{node_path}", "404"), node, node_path)
            return node_page(site, node, node_path, lang, request, alternates)

        response = await html_response(build)
        response.headers.update(headers)
        return response

    def not_found(site: Site, page: Page, node: str, path: str) -> tuple[str, int]:
        """The 404 page of an IRI the graph does not hold, with pages whose words are near."""
        words = search_words(path)
        suggestions = site.canned_rows("search", page.lang, q=words, limit="20") if words else []
        page.title = "404"
        return render("not_found", page, node=node, suggestions=suggestions, words=words), 404

    def node_page(
        site: Site,
        node: str,
        path: str,
        lang: str,
        request: Request,
        alternates: list[tuple[str, str, str]],
    ) -> tuple[str, int]:
        with ThreadPoolExecutor(max_workers=3) as pool:
            asked_facts = pool.submit(site.page_rows, "facts", lang, node=node)
            asked_incoming = pool.submit(site.page_rows, "incoming", lang, node=node, limit="200")
            described = pool.submit(
                site.store.answer,
                site.pages.bind("describe", {"node": node}),
                graph_format="jsonld",
            )
            facts, incoming = asked_facts.result(), asked_incoming.result()
            describe = described.result()
        page = Page(lang, f"/id/{path}", site.title(node, facts, lang), node, alternates=alternates)
        if not facts and not incoming:
            return not_found(site, page, node, path)
        page.jsonld = jsonld_script(describe.body)

        def objects(prop: str) -> set[str]:
            return {r["value"].iri or "" for r in facts if r["property"].iri == prop}

        kind = page_kind(objects(RDF + "type"), objects(SKOS + "inScheme"))
        value = {r["property"].iri: r["value"] for r in facts}
        data: dict[str, Any] = {"facts": facts, "incoming": incoming, "kind": kind, "value": value}
        offset = offset_of(request)
        data["offset"] = offset
        data["page_size"] = PAGE_SIZE
        if kind == "plan":
            data["legal_basis"] = site.canned_rows("legal-basis-chain", lang, plan=node)
            data["targets"] = site.canned_rows("plan-targets", lang, plan=node)
            data["areas"] = grouped(site.canned_rows("plan-tasks", lang, plan=node), "areaLabel")
            report = validation_of().wait(0)
            source = value.get(PROV + "wasDerivedFrom")
            file = source_file(site, source.iri) if source and source.iri else None
            data["findings"] = (
                [f for f in report.findings if f.document == file] if report else None
            )
            data["source_stem"] = file.rsplit(".", 1)[0] if file else None
        elif kind == "task":
            deliverables = site.page_rows("task", lang, node=node)
            data["deliverables"] = grouped(deliverables, "deliverable")
            data["similar"] = site.page_rows("similar-tasks", lang, node=node)
            source = value.get(PROV + "wasDerivedFrom")
            data["source_stem"] = source.iri.rsplit("/", 1)[1] if source and source.iri else None
        elif kind in ("agency", "agency-type"):
            params = {"agency": node, "limit": str(PAGE_SIZE), "offset": str(offset)}
            # four independent questions: asked at once, the query workers answer in parallel
            with ThreadPoolExecutor(max_workers=4) as pool:
                led = pool.submit(site.canned_rows, "tasks-led-by", lang, **params)
                cooperating = pool.submit(site.canned_rows, "tasks-cooperating", lang, **params)
                asked = pool.submit(site.canned_rows, "agency-workload", lang, agency=node)
                partners = pool.submit(
                    site.canned_rows, "co-assigned-agencies", lang, agency=node, limit="10"
                )
                data["led"] = led.result()
                data["cooperating"] = cooperating.result()
                workload = asked.result()
                data["partners"] = partners.result()
            per_year: dict[str, float] = {}
            for row in workload:
                if row["role"].text == "lead":
                    per_year[row["year"].text] = float(row["tasks"].text)
            data["workload"] = workload
            data["chart"] = bar_chart(sorted(per_year.items()))
            data["lineage"] = site.page_rows("lineage", lang, node=node)
            if kind == "agency":
                data["network"] = network_of().standing(site.short(node))
        elif kind == "instrument":
            data["relations"] = grouped(site.page_rows("instrument", lang, node=node), "relation")
        elif kind == "indicator":
            rows = site.canned_rows("indicator-trajectory", lang, indicator=node)
            series: dict[str, list[tuple[float, float]]] = {}
            for row in rows:
                if "year" in row:
                    series.setdefault(row["province"].text, []).append(
                        (float(row["year"].text), float(row["value"].text))
                    )
            data["trajectory"] = rows
            data["chart"] = line_chart(series)
        elif kind == "area":
            data["documents"] = site.page_rows(
                "area", lang, node=node, limit=str(PAGE_SIZE), offset=str(offset)
            )
        elif kind == "province":
            data["items"] = grouped(site.page_rows("province", lang, node=node), "kind")
            data["timeline"] = site.page_rows("province-changes", lang, node=node)
        elif kind == "source-node":
            data["source_stem"] = path.rsplit("/", 1)[1]
        return render(kind if kind != "agency-type" else "agency", page, **data), 200

    def read_as(site: Site, file: str) -> dict[str, Any] | None:
        path = site.settings.build_dir / READINGS / f"{file}.json"
        if not path.is_file():
            return None
        reading: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return reading

    def source_of(site: Site, stem: str) -> tuple[str, str | None, Path]:
        """A source document's IRI, its file name (None when the graph has none) and where
        that file would stand in the sources folder."""
        source = site.iris.source(stem)
        file = source_file(site, source) if is_iri(source) else None
        return source, file, site.settings.sources_dir / (file or "")

    def source_file(site: Site, source: str) -> str | None:
        rows = site.page_rows("facts", "vi", node=source)
        for row in rows:
            if row["property"].iri == DCTERMS + "identifier":
                return row["value"].text
        return None

    @app.get("/source/{stem}", response_class=HTMLResponse)
    async def source_view(stem: str, request: Request) -> Response:
        lang = lang_of(request.query_params)

        def build() -> tuple[str, int]:
            site = site_of()
            source, file, path = source_of(site, stem)
            page = Page(lang, f"/source/{stem}", file or stem, source)
            reading = read_as(site, file) if file else None
            if not file or (reading is None and not path.is_file()):
                page.title = "404"
                return render("not_found", page, node=source, suggestions=[], words=""), 404
            if reading is not None:
                # a file of another format: the text as read from it, each line with its place
                lines = reading["lines"]
                places = reading["locations"][lang]
            else:
                # the text as published, composed (NFC) so that its diacritics render as letters
                lines = nfc(path.read_text(encoding="utf-8")).split("\n")
                places = []
            items: dict[int, list[Cell]] = {}
            spans: dict[int, str] = {}
            for row in site.page_rows("source-items", lang, source=source):
                start = int(row["line"].text)
                end = int(row["lineEnd"].text) if "lineEnd" in row else start
                items.setdefault(start, []).append(row["item"])
                for number in range(start, end + 1):
                    spans.setdefault(number, row["type"].text)
            rows = [(table_cells(line) if reading else None, line) for line in lines]
            return render(
                "source",
                page,
                rows=rows,
                places=places,
                items=items,
                spans=spans,
                file=file,
                reading=reading,
                original=path.is_file(),
            ), 200

        return await html_response(build)

    @app.get("/source/{stem}/original")
    async def original_file(stem: str) -> Response:
        """The source file as it was published, for a reader to check the graph against."""
        _, file, path = source_of(site_of(), stem)
        if not file or not path.is_file():
            raise NotFoundError(f"no source file {stem}")
        data = await anyio.to_thread.run_sync(path.read_bytes)
        kind = ORIGINAL_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return Response(
            data,
            media_type=kind,
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(file)}",
                "X-Content-Type-Options": "nosniff",
                # a saved web page is shown as data, never run: no script, no request out
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "img-src data:; sandbox",
            },
        )

    @app.get("/search", response_class=HTMLResponse)
    async def search(request: Request) -> Response:
        lang = lang_of(request.query_params)
        words = request.query_params.get("q", "").strip()

        def build() -> tuple[str, int]:
            site = site_of()
            rows = site.search(words, lang, PAGE_SIZE) if fold(words) else []
            page = Page(lang, "/search", f"{UI[lang]['search']}: {words}")
            return render("search", page, words=words, groups=grouped(rows, "type")), 200

        return await html_response(build)

    @app.get("/queries", response_class=HTMLResponse)
    async def queries(request: Request) -> Response:
        lang = lang_of(request.query_params)

        def build() -> tuple[str, int]:
            site = site_of()
            page = Page(lang, "/queries", UI[lang]["queries"])
            return render("queries", page, queries=list(site.canned.queries.values())), 200

        return await html_response(build)

    @app.get("/queries/{name}", response_class=HTMLResponse)
    async def query_page(name: str, request: Request) -> Response:
        lang = lang_of(request.query_params)
        values = {k: v for k, v in request.query_params.items() if k != "lang"}
        # a page shows a page of rows: a list query asked without a limit gets PAGE_SIZE

        def build() -> tuple[str, int]:
            site = site_of()
            query = site.canned.queries.get(name)
            page = Page(lang, f"/queries/{name}", name)
            if query is None:
                page.title = "404"
                return render("not_found", page, node=name, suggestions=[], words=""), 404
            page.title = query.title[lang]
            error = None
            rows: list[dict[str, Cell]] = []
            variables: list[str] = []
            text = query.sparql
            if "limit" not in values and any(p.name == "limit" for p in query.parameters):
                values["limit"] = str(min(PAGE_SIZE, int(query.parameter("limit").default or 0)))
            try:
                text = site.canned.bind(name, values)
                table = site.store.select(text)
                variables = table.variables
                rows = site.cells(table.variables, table.rows, lang)
            except (ParameterError, CchcError) as failure:
                error = str(failure)
            shown = {p.name: values.get(p.name, p.default or "") for p in query.parameters}
            downloads = {
                fmt: f"/api/queries/{quote(name)}?" + urlencode({**shown, "format": fmt})
                for fmt in ("csv", "json")
            }
            return render(
                "query",
                page,
                query=query,
                rows=rows,
                variables=variables,
                text=text,
                error=error,
                shown=shown,
                downloads=downloads,
            ), 200

        return await html_response(build)

    @app.get("/validation", response_class=HTMLResponse)
    async def validation_page(request: Request) -> Response:
        lang = lang_of(request.query_params)

        def build() -> tuple[str, int]:
            from cchc_graph.reports import counts, group

            report = validation_of().wait(120)
            page = Page(lang, "/validation", UI[lang]["validation"])
            if report is None:
                return render(
                    "validation",
                    page,
                    report=None,
                    groups=[],
                    counts="",
                    error=validation_of().error,
                ), 503
            return render(
                "validation",
                page,
                report=report,
                groups=group(report.findings, report.documents),
                counts=counts(report.findings),
                error=None,
            ), 200

        return await html_response(build)

    @app.get("/sparql-editor", response_class=HTMLResponse)
    async def sparql_editor(request: Request) -> Response:
        return await sparql_page(request)

    async def sparql_page(request: Request) -> Response:
        lang = lang_of(request.query_params)
        text = request.query_params.get("query")
        example = request.query_params.get("example")

        def build() -> tuple[str, int]:
            site = site_of()
            query_text = text
            if example and example in site.canned.queries:
                query_text = site.canned.bind(example, {})
            page = Page(lang, "/sparql", "SPARQL")
            rows: list[dict[str, Cell]] = []
            variables: list[str] = []
            error = None
            raw = None
            if text:
                try:
                    answer = pool_of().answer(
                        text,
                        select_format="tsv",
                        graph_format="turtle",
                        asker=Asker(Lane.QUERIES, client_of(request)),
                    )
                    if answer.form == "select":
                        table = tsv_table(answer.body)
                        variables = table.variables
                        rows = site.cells(variables, table.rows, lang)
                    else:
                        raw = answer.body.decode("utf-8")
                except CchcError as failure:
                    error = str(failure)
            return render(
                "sparql",
                page,
                text=query_text or EXAMPLE_QUERY,
                rows=rows,
                variables=variables,
                error=error,
                raw=raw,
                examples=list(site.canned.queries.values()),
            ), 200

        return await html_response(build)

    register_exports(app, site_of, exporter_of, render, html_response)

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)

    return sparql_page


def table_cells(line: str) -> list[list[str]] | None:
    """The cells of a table row as the reader renders it (tab-separated, items in <p>), each
    as its list of items; None for a line that is not a table row."""
    if "\t" not in line:
        return None
    cells = []
    for cell in line.split("\t"):
        items = re.findall(r"<p>(.*?)</p>", cell) or ([cell] if cell else [])
        cells.append([html.unescape(item) for item in items])
    return cells


# what the original files are served as; the text formats as plain text, whatever they hold
ORIGINAL_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".html": "text/plain; charset=utf-8",
    ".htm": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
