"""serve: the read-only SPARQL 1.1 Protocol endpoint and the canned-query API (FastAPI).

`/sparql` takes GET ?query=, POST form-encoded and POST application/sparql-query; answers come
in the format the Accept header (or `format=`) asks for, serialised by pyoxigraph in a query
worker (see pool.py) and sent as they are. Every update is refused (403), a malformed query gets
400 with the parser's message, SERVICE outside the allow-list and a query too deeply nested 400
(guard.py), a query past the timeout 503, a client past its share 429, and an answer past the
row cap is cut and says so in `X-Result-Truncated`. GET without a query returns the service
description. Errors are raised, and turned into responses in one place (web_errors.py).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from cchc_graph import media
from cchc_graph.admission import PAGES, Asker, Lane
from cchc_graph.answers import GRAPH_FORMATS, Answer, Format
from cchc_graph.canned import Catalogue, load_catalogue
from cchc_graph.errors import BadRequestError, CchcError, NotAcceptableError, NotFoundError
from cchc_graph.guard import QueryRefusedError, UpdateRefusedError, looks_like_update, operation
from cchc_graph.pool import QueryPool
from cchc_graph.settings import Settings
from cchc_graph.store import Dataset

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
UPDATE_MEDIA = "application/sparql-update"
QUERY_MEDIA = "application/sparql-query"
FORM_MEDIA = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Negotiated:
    """The formats to answer in; None where the Accept header takes none of ours (an answer of
    that kind is then 406)."""

    select_format: str | None
    graph_format: str | None
    accept: str = ""

    def formats_for(self, query: str) -> tuple[str, str]:
        """(results format, graph format) for `query`, or NotAcceptableError when the answer it
        gives (solutions or a boolean; triples) cannot be sent in a type the client accepts."""
        graph_query = operation(query) in ("CONSTRUCT", "DESCRIBE")
        wanted = self.graph_format if graph_query else self.select_format
        if wanted is None:
            offered = ", ".join(media.offered("graph" if graph_query else "results"))
            raise NotAcceptableError(
                f"no answer in a type the Accept header takes ({self.accept[:200]!r}); this "
                f"query's answer comes as {offered}"
            )
        return self.select_format or "json", self.graph_format or "turtle"


def negotiate(accept: str | None, format_name: str | None) -> Negotiated:
    """The results and graph formats to answer in: `format=` first, then Accept (with q)."""
    if len(accept or "") + len(format_name or "") > CACHED_TEXT:
        return _negotiate(accept, format_name)
    return _negotiate_cached(accept, format_name)


# Clients send the same few Accept headers and queries: what is worked out from them is kept,
# for short texts only, so that the caches stay within maxsize x CACHED_TEXT bytes.
CACHED_TEXT = 2048


@functools.lru_cache(maxsize=256)
def _negotiate_cached(accept: str | None, format_name: str | None) -> Negotiated:
    return _negotiate(accept, format_name)


def _negotiate(accept: str | None, format_name: str | None) -> Negotiated:
    if format_name:
        try:
            select, graph = FORMAT_NAMES[format_name.lower()]
        except KeyError:
            known = ", ".join(FORMAT_NAMES)
            raise QueryRefusedError(f"unknown format {format_name!r}; use one of {known}") from None
        return Negotiated(select, graph)
    for_results, for_graph = media.choose(accept, ("results",)), media.choose(accept, ("graph",))
    return Negotiated(
        for_results.format if for_results else None,
        for_graph.format if for_graph else None,
        accept or "",
    )


class AnswerResponse(Response):
    """A query's answer with its headers written as bytes at once: what Response would say
    (Content-Length, Content-Type with charset), through its generic header code, cost a
    fifth of the fast path's Python."""

    def __init__(self, answer: Answer) -> None:
        self.status_code = 200
        self.background = None
        self.body = answer.body
        headers = [(b"vary", b"Accept")]
        if answer.rows is not None:
            headers.append((b"x-result-rows", b"%d" % answer.rows))
        if answer.truncated:
            headers.append((b"x-result-truncated", b"true; cut after %d rows" % (answer.rows or 0)))
        headers.append((b"content-length", b"%d" % len(answer.body)))
        headers.append((b"content-type", _content_type(answer.format.media_type)))
        self.raw_headers = headers


@functools.lru_cache(maxsize=32)
def _content_type(media: str) -> bytes:
    if media.startswith("text/") or media.endswith(("json", "xml")):
        media += "; charset=utf-8"
    return media.encode("latin-1")


class Endpoint:
    """The app's state: settings, the query pool and the canned-query catalogue."""

    def __init__(self, settings: Settings, pool: QueryPool) -> None:
        self.settings = settings
        self.pool = pool
        self.catalogue = Catalogue(load_catalogue(settings.queries_dir), pool)
        self._named_graphs: tuple[str, ...] | None = None

    async def run(
        self, query: str, negotiated: Negotiated, dataset: Dataset, asker: Asker
    ) -> Response:
        select_format, graph_format = negotiated.formats_for(query)
        answer = await self.pool.answer_async(
            query,
            select_format=select_format,
            graph_format=graph_format,
            dataset=dataset,
            row_cap=self.settings.row_cap,
            asker=asker,
        )
        return AnswerResponse(answer)

    async def respond(
        self,
        query: str,
        params: Mapping[str, list[str]],
        accept: str | None,
        client: str,
        base_iri: str | None = None,
    ) -> Response:
        """Answer `query` in the format `format=` or the Accept header asks for; its relative
        IRIs resolve against `base_iri` (the endpoint's address)."""
        negotiated = negotiate(accept, _first(params, "format", "output"))
        asker = Asker(Lane.QUERIES, client)
        return await self.run(query, negotiated, _dataset(params, base_iri), asker)

    async def named_graphs(self) -> tuple[str, ...]:
        """The graphs of the store served (asked once: a served build does not change)."""
        if self._named_graphs is None:
            answer = await self.pool.answer_async(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g",
                select_format="json",
                row_cap=None,
                asker=PAGES,
            )
            rows = json.loads(answer.body)["results"]["bindings"]
            self._named_graphs = tuple(row["g"]["value"] for row in rows)
        return self._named_graphs

    async def describe_service(self, endpoint_url: str, accept: str | None) -> Response:
        """The service description in the RDF format the Accept header asks for (Turtle when
        it names none of ours), with the default dataset and every named graph."""
        negotiated = negotiate(accept, None)
        graph_format = GRAPH_FORMATS[negotiated.graph_format or "turtle"]
        body = self.service_description(endpoint_url, await self.named_graphs(), graph_format)
        return Response(body, media_type=graph_format.media_type, headers={"Vary": "Accept"})

    def service_description(
        self,
        endpoint_url: str,
        graphs: tuple[str, ...] = (),
        graph_format: Format = GRAPH_FORMATS["turtle"],
    ) -> bytes:
        """What the endpoint is and does, and nothing it does not (no federation unless the
        operator allows SERVICE endpoints); its default dataset: the union of `graphs`, each
        also a named graph."""
        sd = "http://www.w3.org/ns/sparql-service-description#"
        formats = "http://www.w3.org/ns/formats/"
        dcterms = "http://purl.org/dc/terms/"
        try:
            service: ox.NamedNode | ox.BlankNode = ox.NamedNode(endpoint_url)
        except ValueError:  # a Host header no IRI can hold: describe it without its address
            service = ox.BlankNode()
        features = ["UnionDefaultGraph"]
        if self.settings.query_policy().services:
            features.append("BasicFederatedQuery")
        timeout, cap = self.settings.query_timeout, self.settings.row_cap
        statements = [
            (ox.NamedNode(RDF_TYPE), ox.NamedNode(sd + "Service")),
            (ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
            *((ox.NamedNode(sd + "feature"), ox.NamedNode(sd + name)) for name in features),
            *(
                (ox.NamedNode(sd + "resultFormat"), ox.NamedNode(formats + name))
                for name in RESULT_FORMAT_NAMES
            ),
            (
                ox.NamedNode(dcterms + "title"),
                ox.Literal("cchc-graph: kế hoạch cải cách hành chính", language="vi"),
            ),
            (
                ox.NamedNode(dcterms + "title"),
                ox.Literal("cchc-graph: Vietnamese administrative-reform plans", language="en"),
            ),
            (
                ox.NamedNode(dcterms + "description"),
                ox.Literal(
                    f"Read-only. A query may run {timeout:g} s; answers stop at {cap} rows.",
                    language="en",
                ),
            ),
        ]
        if isinstance(service, ox.NamedNode):
            statements.append((ox.NamedNode(sd + "endpoint"), service))
        dataset, default = ox.BlankNode(), ox.BlankNode()
        statements.append((ox.NamedNode(sd + "defaultDataset"), dataset))
        triples = [ox.Triple(service, p, o) for p, o in statements]  # type: ignore[arg-type]
        triples += [
            ox.Triple(dataset, ox.NamedNode(RDF_TYPE), ox.NamedNode(sd + "Dataset")),
            ox.Triple(dataset, ox.NamedNode(sd + "defaultGraph"), default),
            ox.Triple(default, ox.NamedNode(RDF_TYPE), ox.NamedNode(sd + "Graph")),
            ox.Triple(
                default,
                ox.NamedNode(dcterms + "description"),
                ox.Literal("the union of every named graph", language="en"),
            ),
        ]
        for name in graphs:
            named = ox.BlankNode()
            triples += [
                ox.Triple(dataset, ox.NamedNode(sd + "namedGraph"), named),
                ox.Triple(named, ox.NamedNode(RDF_TYPE), ox.NamedNode(sd + "NamedGraph")),
                ox.Triple(named, ox.NamedNode(sd + "name"), ox.NamedNode(name)),
            ]
        body = ox.serialize(
            triples,
            format=graph_format.rdf,
            prefixes={"sd": sd, "dcterms": dcterms, "formats": formats},
        )
        if body is None:
            raise ValueError("body is missing")
        return body


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RESULT_FORMAT_NAMES = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def _dataset(params: Mapping[str, list[str]], base_iri: str | None = None) -> Dataset:
    """The protocol's dataset, each graph name checked: a client's malformed IRI is a 400, and
    so is a request with more than one query."""
    if len(params.get("query", ())) > 1:
        raise BadRequestError("one query per request: the request names `query` more than once")
    default = tuple(params.get("default-graph-uri", []))
    named = tuple(params.get("named-graph-uri", []))
    for graph in (*default, *named):
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise BadRequestError(f"not an IRI, so not a graph name: {graph!r}") from None
    return Dataset(default, named, base_iri)


def base_of(request: Request) -> str | None:
    """The endpoint's own address, the base of a query's relative IRIs (None when the Host
    header makes no IRI)."""
    base = str(request.url.replace(query="", fragment=""))
    try:
        ox.NamedNode(base)
    except ValueError:
        return None
    return base


def _multi(items: Any) -> dict[str, list[str]]:
    collected: dict[str, list[str]] = {}
    for key, value in items:
        collected.setdefault(key, []).append(value)
    return collected


def client_of(request: Request) -> str:
    """The client a request counts against: its address (as the proxy headers uvicorn trusts
    give it, when it runs behind one)."""
    return request.client.host if request.client else "unknown"


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequestError(
            f"the request body is not UTF-8 (byte {error.start + 1}); SPARQL is sent as UTF-8"
        ) from None


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
            raise UpdateRefusedError("updates are not accepted: this endpoint is read-only")
        if html_page is not None and _prefers_html(request):
            return await html_page(request)
        if "query" not in params:
            return await endpoint.describe_service(
                str(request.url.remove_query_params(["query"])), request.headers.get("accept")
            )
        return await endpoint.respond(
            params["query"][0],
            params,
            request.headers.get("accept"),
            client_of(request),
            base_of(request),
        )

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        endpoint = endpoint_of()
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        params = _multi(request.query_params.multi_items())
        if media == UPDATE_MEDIA:
            raise UpdateRefusedError("updates are not accepted: this endpoint is read-only")
        if media == QUERY_MEDIA:
            query = _text(await request.body())
        elif media == FORM_MEDIA:
            form = parse_qsl(_text(await request.body()), keep_blank_values=True)
            for key, value in form:
                params.setdefault(key, []).append(value)
            if "update" in params:
                raise UpdateRefusedError("updates are not accepted: this endpoint is read-only")
            if "query" not in params:
                raise BadRequestError("a form-encoded POST needs a `query` field")
            query = params["query"][0]
        else:
            if _is_update_attempt(await request.body()):
                raise UpdateRefusedError("updates are not accepted: this endpoint is read-only")
            raise UnsupportedMediaError(
                f"POST {QUERY_MEDIA} or {FORM_MEDIA}; {UPDATE_MEDIA} is refused"
            )
        return await endpoint.respond(
            query, params, request.headers.get("accept"), client_of(request), base_of(request)
        )

    @app.get("/api/queries")
    async def list_queries(request: Request) -> JSONResponse:
        catalogue = endpoint_of().catalogue
        return JSONResponse([_describe(q, request) for q in catalogue.queries.values()])

    @app.get("/api/queries/{name}.rq")
    async def query_text(name: str) -> Response:
        catalogue = endpoint_of().catalogue
        if name not in catalogue.queries:
            raise NotFoundError(f"no canned query {name!r}; GET /api/queries lists them")
        return Response(catalogue.queries[name].sparql, media_type="application/sparql-query")

    @app.get("/api/queries/{name}")
    async def run_query(name: str, request: Request) -> Response:
        endpoint = endpoint_of()
        params = _multi(request.query_params.multi_items())
        fmt = _first(params, "format", "output")
        values = {k: v[0] for k, v in params.items() if k not in ("format", "output")}
        if name not in endpoint.catalogue.queries:
            raise NotFoundError(f"no canned query {name!r}; GET /api/queries lists them")
        negotiated = negotiate(request.headers.get("accept"), fmt)
        query = await anyio.to_thread.run_sync(lambda: endpoint.catalogue.bind(name, values))
        return await endpoint.run(query, negotiated, Dataset(), PAGES)


def _is_update_attempt(body: bytes) -> bool:
    """A body in no media type the protocol takes that is still an update ("update=CLEAR+ALL"
    without its form type, "CLEAR NAMED" as text/plain): refused as an update, like any other."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    form = dict(parse_qsl(text, keep_blank_values=True)) if "=" in text else {}
    return "update" in form or looks_like_update(text)


class UnsupportedMediaError(CchcError):
    """A POST whose content type the protocol does not take."""

    exit_code = 2
    http_status = 415


ErrorResponder = Callable[[Request, Exception], Awaitable[Response]]


class FastSparql:
    """ASGI middleware for the hot path, GET /sparql?query=, outermost: straight to the
    endpoint, past the routing and the middleware stack (they cost as much as a small query).
    Anything else, a query string past `longest` bytes (the app refuses it) and a browser asking
    for the editor go on to the app. `endpoint_in_use` gives the endpoint served now and counts
    the request against it while it runs; errors take the app's one way out."""

    def __init__(
        self,
        app: Any,
        endpoint_in_use: Callable[[], AbstractContextManager[Endpoint]],
        on_error: ErrorResponder,
        longest: int,
    ) -> None:
        self.app = app
        self.endpoint_in_use = endpoint_in_use
        self.on_error = on_error
        self.longest = longest

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"] == "/sparql"
            and len(scope["query_string"]) <= self.longest
        ):
            request = Request(scope)
            params = _query_parameters(scope["query_string"])
            if "query" in params and "update" not in params and not _prefers_html(request):
                try:
                    with self.endpoint_in_use() as endpoint:
                        response = await endpoint.respond(
                            params["query"][0],
                            params,
                            request.headers.get("accept"),
                            client_of(request),
                            base_of(request),
                        )
                except CchcError as error:
                    response = await self.on_error(request, error)
                if "origin" in request.headers:  # what the CORS middleware says to a GET
                    response.headers["access-control-allow-origin"] = "*"
                    response.headers["access-control-expose-headers"] = (
                        "X-Result-Truncated, X-Result-Rows"
                    )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _query_parameters(raw: bytes) -> dict[str, list[str]]:
    """The parameters of a query string, decoded once per distinct short string: decoding a
    long query costs more than running a small one, and clients repeat their queries."""
    if len(raw) > CACHED_TEXT:
        return _parse_query_string(raw)
    return _parse_query_string_cached(raw)


@functools.lru_cache(maxsize=1024)
def _parse_query_string_cached(raw: bytes) -> dict[str, list[str]]:
    return _parse_query_string(raw)


def _parse_query_string(raw: bytes) -> dict[str, list[str]]:
    return _multi(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def _prefers_html(request: Request) -> bool:
    """A browser asking for /sparql gets the editor page, a SPARQL client the protocol."""
    return prefers_page(request.headers.get("accept"))


def prefers_page(accept: str | None) -> bool:
    """Whether the Accept header wants a page more than an answer ("*/*" takes an answer; an
    unreadable header is refused when the answer is negotiated)."""
    if not accept:
        return False
    try:
        chosen = media.choose(accept, ("results", "graph", "page"))
    except BadRequestError:
        return False
    return chosen is not None and chosen.kind == "page"


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
