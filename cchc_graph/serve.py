"""serve: the read-only SPARQL 1.1 Protocol endpoint and the canned-query API (FastAPI).

`/sparql` takes GET ?query=, POST form-encoded and POST application/sparql-query; answers come
in the format the Accept header (or `format=`) asks for, serialised by pyoxigraph in a query
worker (see pool.py) and sent as they are. Every update is refused (403), a malformed query gets
400 with the parser's message, a query past the timeout 503, and an answer past the row cap is cut
and says so in `X-Result-Truncated`. GET without a query returns the service description.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from cchc_graph.canned import Catalogue, ParameterError, load_catalogue
from cchc_graph.errors import CchcError
from cchc_graph.pool import QueryPool, QueryTimeoutError
from cchc_graph.settings import Settings
from cchc_graph.store import (
    GRAPH_FORMATS,
    SELECT_FORMATS,
    Answer,
    Dataset,
    QueryRefusedError,
    QuerySyntaxError,
    StoreError,
    looks_like_update,
)

# `format=` values, as SPARQLWrapper and people write them -> (results format, graph format)
FORMAT_NAMES: dict[str, tuple[str, str]] = {
    "json": ("json", "jsonld"),
    "srj": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", "rdfxml"),
    "csv": ("csv", "turtle"),
    "tsv": ("tsv", "turtle"),
    "turtle": ("json", "turtle"),
    "ttl": ("json", "turtle"),
    "n3": ("json", "turtle"),
    "ntriples": ("json", "ntriples"),
    "nt": ("json", "ntriples"),
    "jsonld": ("json", "jsonld"),
    "json-ld": ("json", "jsonld"),
    "rdfxml": ("xml", "rdfxml"),
    "rdf+xml": ("xml", "rdfxml"),
    "rdf": ("xml", "rdfxml"),
}
# media types a client may ask for -> our format names (aliases included)
SELECT_MEDIA = {f.media_type: name for name, f in SELECT_FORMATS.items()} | {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_MEDIA = {f.media_type: name for name, f in GRAPH_FORMATS.items()} | {
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "text/n3": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/x-json+ld": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
UPDATE_MEDIA = "application/sparql-update"
QUERY_MEDIA = "application/sparql-query"
FORM_MEDIA = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Negotiated:
    select_format: str
    graph_format: str


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers
def negotiate(accept: str | None, format_name: str | None) -> Negotiated:
    """The results and graph formats to answer in: `format=` first, then Accept (with q)."""
    if format_name:
        try:
            select, graph = FORMAT_NAMES[format_name.lower()]
        except KeyError:
            known = ", ".join(FORMAT_NAMES)
            raise QueryRefusedError(f"unknown format {format_name!r}; use one of {known}") from None
        return Negotiated(select, graph)
    ranked = ranked_media(accept or "")
    results = next((SELECT_MEDIA[m] for m in ranked if m in SELECT_MEDIA), "json")
    graph_format = next((GRAPH_MEDIA[m] for m in ranked if m in GRAPH_MEDIA), "turtle")
    return Negotiated(results, graph_format)


@functools.lru_cache(maxsize=256)
def ranked_media(accept: str) -> tuple[str, ...]:
    """Media types of an Accept header, most wanted first (stable for equal q)."""
    entries: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            entries.append((-quality, position, media))
    return tuple(media for _, _, media in sorted(entries))


class AnswerResponse(Response):
    """A query's answer with its headers written as bytes at once: what Response would say
    (Content-Length, Content-Type with charset), through its generic header code, cost a
    fifth of the fast path's Python."""

    def __init__(self, answer: Answer, row_cap: int) -> None:
        self.status_code = 200
        self.background = None
        self.body = answer.body
        headers = [(b"vary", b"Accept")]
        if answer.rows is not None:
            headers.append((b"x-result-rows", b"%d" % answer.rows))
        if answer.truncated:
            headers.append(
                (b"x-result-truncated", b"true; the answer was cut at %d rows" % row_cap)
            )
        headers.append((b"content-length", b"%d" % len(answer.body)))
        headers.append((b"content-type", _content_type(answer.format.media_type)))
        self.raw_headers = headers


@functools.lru_cache(maxsize=32)
def _content_type(media: str) -> bytes:
    if media.startswith("text/") or media.endswith(("json", "xml")):
        media += "; charset=utf-8"
    return media.encode("latin-1")


def _error(status: int, message: str) -> Response:
    return Response(
        message.rstrip() + "\n", status_code=status, media_type="text/plain; charset=utf-8"
    )


def _error_for(error: CchcError) -> Response:
    if isinstance(error, QuerySyntaxError):
        return _error(400, f"malformed query: {error}")
    if isinstance(error, QueryRefusedError):
        status = 403 if "read-only" in str(error) else 400
        return _error(status, str(error))
    if isinstance(error, QueryTimeoutError):
        return _error(503, str(error))
    if isinstance(error, ParameterError):
        return _error(400, str(error))
    if isinstance(error, StoreError):
        return _error(502, str(error))
    return _error(500, str(error))


class Endpoint:
    """The app's state: settings, the query pool and the canned-query catalogue."""

    def __init__(self, settings: Settings, pool: QueryPool) -> None:
        self.settings = settings
        self.pool = pool
        self.catalogue = Catalogue(load_catalogue(settings.queries_dir), pool)

    async def run(self, query: str, negotiated: Negotiated, dataset: Dataset) -> Response:
        if looks_like_update(query):
            return _error(403, "updates are not accepted: this endpoint is read-only")
        try:
            answer = await self.pool.answer_async(
                query,
                select_format=negotiated.select_format,
                graph_format=negotiated.graph_format,
                dataset=dataset,
                row_cap=self.settings.row_cap,
            )
        except CchcError as error:
            return _error_for(error)
        return AnswerResponse(answer, self.settings.row_cap)

    async def respond(
        self, query: str, params: Mapping[str, list[str]], accept: str | None
    ) -> Response:
        """Answer `query` in the format `format=` or the Accept header asks for."""
        try:
            negotiated = negotiate(accept, _first(params, "format", "output"))
        except CchcError as error:
            return _error_for(error)
        return await self.run(query, negotiated, _dataset(params))

    def service_description(self, endpoint_url: str) -> bytes:
        results = ", ".join(
            f"<http://www.w3.org/ns/formats/{n}>"
            for n in (
                "SPARQL_Results_JSON",
                "SPARQL_Results_XML",
                "SPARQL_Results_CSV",
                "SPARQL_Results_TSV",
                "Turtle",
                "N-Triples",
                "JSON-LD",
                "RDF_XML",
            )
        )
        timeout, cap = self.settings.query_timeout, self.settings.row_cap
        text = f"""
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{endpoint_url}> a sd:Service ;
    sd:endpoint <{endpoint_url}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph, sd:BasicFederatedQuery ;
    sd:resultFormat {results} ;
    dcterms:title "cchc-graph: kế hoạch cải cách hành chính"@vi,
        "cchc-graph: Vietnamese administrative-reform plans"@en ;
    dcterms:description "Read-only. A query may run {timeout:g} s; answers stop at {cap} rows."@en .
"""
        graph = ox.parse(text, format=ox.RdfFormat.TURTLE)
        body = ox.serialize(
            graph,
            format=ox.RdfFormat.TURTLE,
            prefixes={
                "sd": "http://www.w3.org/ns/sparql-service-description#",
                "dcterms": "http://purl.org/dc/terms/",
            },
        )
        if body is None:
            raise ValueError("body is missing")
        return body


def _dataset(params: Mapping[str, list[str]]) -> Dataset:
    return Dataset(
        tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", []))
    )


def _multi(items: Any) -> dict[str, list[str]]:
    collected: dict[str, list[str]] = {}
    for key, value in items:
        collected.setdefault(key, []).append(value)
    return collected


def register_endpoint(
    app: FastAPI,
    endpoint_of: Callable[[], Endpoint],
    html_page: Callable[[Request], Awaitable[Response]] | None = None,
) -> None:
    """Add /sparql (the SPARQL 1.1 Protocol) and /api/queries to `app`. A browser asking for
    /sparql gets `html_page` when there is one."""

    @app.get("/sparql")
    async def sparql_get(request: Request) -> Response:
        endpoint = endpoint_of()
        params = _multi(request.query_params.multi_items())
        if "update" in params:
            return _error(403, "updates are not accepted: this endpoint is read-only")
        if html_page is not None and _prefers_html(request):
            return await html_page(request)
        if "query" not in params:
            body = endpoint.service_description(str(request.url.remove_query_params(["query"])))
            return Response(body, media_type="text/turtle; charset=utf-8")
        return await endpoint.respond(params["query"][0], params, request.headers.get("accept"))

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        endpoint = endpoint_of()
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        params = _multi(request.query_params.multi_items())
        if media == UPDATE_MEDIA:
            return _error(403, "updates are not accepted: this endpoint is read-only")
        if media == QUERY_MEDIA:
            query = (await request.body()).decode("utf-8")
        elif media == FORM_MEDIA:
            form = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
            for key, value in form:
                params.setdefault(key, []).append(value)
            if "update" in params:
                return _error(403, "updates are not accepted: this endpoint is read-only")
            if "query" not in params:
                return _error(400, "a form-encoded POST needs a `query` field")
            query = params["query"][0]
        else:
            return _error(415, f"POST {QUERY_MEDIA} or {FORM_MEDIA}; {UPDATE_MEDIA} is refused")
        return await endpoint.respond(query, params, request.headers.get("accept"))

    @app.get("/api/queries")
    async def list_queries(request: Request) -> JSONResponse:
        catalogue = endpoint_of().catalogue
        return JSONResponse([_describe(q, request) for q in catalogue.queries.values()])

    @app.get("/api/queries/{name}.rq")
    async def query_text(name: str) -> Response:
        catalogue = endpoint_of().catalogue
        if name not in catalogue.queries:
            return _error(404, f"no canned query {name!r}")
        return Response(catalogue.queries[name].sparql, media_type="application/sparql-query")

    @app.get("/api/queries/{name}")
    async def run_query(name: str, request: Request) -> Response:
        endpoint = endpoint_of()
        params = _multi(request.query_params.multi_items())
        fmt = _first(params, "format", "output")
        values = {k: v[0] for k, v in params.items() if k not in ("format", "output")}
        if name not in endpoint.catalogue.queries:
            return _error(404, f"no canned query {name!r}; GET /api/queries lists them")
        try:
            negotiated = negotiate(request.headers.get("accept"), fmt)
            query = await anyio.to_thread.run_sync(lambda: endpoint.catalogue.bind(name, values))
        except CchcError as error:
            return _error_for(error)
        return await endpoint.run(query, negotiated, Dataset())


class FastSparql:
    """ASGI middleware for the hot path, GET /sparql?query=: straight to the endpoint, past the
    routing and the middleware stack (they cost as much as a small query). Anything else, and
    a browser asking for the editor, goes on to the app."""

    def __init__(self, app: Any, endpoint_of: Callable[[], Endpoint]) -> None:
        self.app = app
        self.endpoint_of = endpoint_of

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/sparql":
            request = Request(scope)
            params = _query_parameters(scope["query_string"])
            if "query" in params and "update" not in params and not _prefers_html(request):
                response = await self.endpoint_of().respond(
                    params["query"][0], params, request.headers.get("accept")
                )
                if "origin" in request.headers:  # what the CORS middleware says to a GET
                    response.headers["access-control-allow-origin"] = "*"
                    response.headers["access-control-expose-headers"] = (
                        "X-Result-Truncated, X-Result-Rows"
                    )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


@functools.lru_cache(maxsize=1024)
def _query_parameters(raw: bytes) -> dict[str, list[str]]:
    """The parameters of a query string, decoded once per distinct string: decoding a long
    query costs more than running a small one, and clients repeat their queries."""
    return _multi(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def _prefers_html(request: Request) -> bool:
    """A browser asking for /sparql gets the editor page, a SPARQL client the protocol."""
    ranked = ranked_media(request.headers.get("accept", ""))
    return bool(ranked) and ranked[0] in ("text/html", "application/xhtml+xml")


def _first(params: Mapping[str, list[str]], *names: str) -> str | None:
    for name in names:
        if params.get(name):
            return params[name][0]
    return None


def _describe(query: Any, request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    return {
        "name": query.name,
        "title": dict(query.title),
        "description": dict(query.description),
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "label": dict(p.label)}
            for p in query.parameters
        ],
        "pages": list(query.pages),
        "featured": query.featured,
        "url": f"{base}/api/queries/{query.name}",
        "sparql": f"{base}/api/queries/{query.name}.rq",
    }
