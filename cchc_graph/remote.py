"""remote: any SPARQL 1.1 engine as the store (`oxigraph serve`, Virtuoso, ...).

Queries go as the protocol has them (POST, form-encoded) and ask for what they want by content
negotiation only: SPARQL JSON results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE,
read back with pyoxigraph and answered in the client's format like the embedded store. Loads use
the SPARQL 1.1 Graph Store Protocol, one PUT per named graph, with the credentials of the
settings or of a netrc file (never of the command line), Basic or Digest as the server asks.
A request that does not reach the engine is tried again, twice, before it fails.

What engines answer differently, and is read here: Virtuoso 7 answers ASK as a one-row table
(`__ASK_RETVAL` 1 or 0) and writes the literals of SPARQL 1.0 JSON ("typed-literal").
"""

from __future__ import annotations

import netrc
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from cchc_graph.answers import (
    Answer,
    Table,
    as_bytes,
    boolean_answer,
    finish_solutions,
    finish_triples,
    table,
)
from cchc_graph.answers import graph_format as graph_format_named
from cchc_graph.answers import select_format as select_format_named
from cchc_graph.guard import QueryRefusedError, looks_like_update, operation
from cchc_graph.store import (
    Dataset,
    QuerySyntaxError,
    StoreError,
    graph_file,
    graphs_of,
)

RESULTS_JSON = "application/sparql-results+json"
TRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
RETRIES = 2  # a request that does not reach the engine is sent again this many times
Credentials = tuple[str, str]


class RemoteStore:
    """A SPARQL 1.1 endpoint and its Graph Store Protocol URL (for `oxigraph serve`, the query
    URL with "/query" replaced by "/store"; for Virtuoso, /sparql-graph-crud-auth)."""

    def __init__(
        self,
        endpoint: str,
        graph_store: str | None = None,
        timeout: float = 30,
        credentials: Credentials | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.graph_store = graph_store or _default_graph_store(endpoint)
        self.timeout = timeout
        self.credentials = credentials or credentials_from_netrc(self.graph_store)
        self.description = f"remote endpoint {endpoint}"

    # ---- queries ----------------------------------------------------------------------------
    def _request(self, query: str, accept: str, dataset: Dataset) -> tuple[bytes, str]:
        if looks_like_update(query):
            raise QueryRefusedError("updates are not accepted: the graph is read-only")
        # the engine resolves the query's relative IRIs against the base it is given in it
        text = f"BASE <{dataset.base_iri}> {query}" if dataset.base_iri else query
        fields = [("query", text)]
        fields += [("default-graph-uri", graph) for graph in dataset.default_graphs]
        fields += [("named-graph-uri", graph) for graph in dataset.named_graphs]
        request = urllib.request.Request(  # noqa: S310 (the configured http(s) URL)
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            method="POST",
            headers={"Content-Type": FORM, "Accept": accept},
        )
        return self._send(request, urllib.request.urlopen, "query")

    def _send(
        self, request: urllib.request.Request, open_url: Callable[..., object], doing: str
    ) -> tuple[bytes, str]:
        for attempt in range(RETRIES + 1):
            try:
                with open_url(request, timeout=self.timeout) as response:  # type: ignore[attr-defined]
                    return response.read(), response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                said = error.read()[:600].decode("utf-8", "replace").strip()
                if error.code == 400 and doing == "query":
                    raise QuerySyntaxError(f"malformed query: {said}") from None
                if error.code in (502, 503, 504) and attempt < RETRIES:
                    time.sleep(0.5 * 2**attempt)
                    continue
                raise StoreError(
                    f"{request.full_url}: {doing} answered HTTP {error.code}: {said}"
                ) from None
            except (urllib.error.URLError, OSError) as error:
                if attempt < RETRIES:
                    time.sleep(0.5 * 2**attempt)
                    continue
                raise StoreError(f"{request.full_url}: {doing} failed: {error}") from error
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def answer(
        self,
        query: str,
        *,
        select_format: str = "json",
        graph_format: str = "turtle",
        dataset: Dataset = Dataset(),
        row_cap: int | None = None,
    ) -> Answer:
        form = operation(query)
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, content_type = self._request(query, TRIPLES, dataset)
            if _media(content_type) not in (TRIPLES, "text/plain"):
                raise StoreError(f"{self.endpoint} answered {content_type or 'no content type'}")
            return finish_triples(body, graph_format_named(graph_format), row_cap)
        body, content_type = self._request(query, RESULTS_JSON, dataset)
        if _media(content_type) not in (RESULTS_JSON, "application/json"):
            raise StoreError(f"{self.endpoint} answered {content_type or 'no content type'}")
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if form == "ASK":
            return boolean_answer(
                _boolean(result, self.endpoint), select_format_named(select_format)
            )
        if isinstance(result, ox.QueryBoolean):
            raise StoreError(f"{self.endpoint} answered a {form} query with a boolean")
        tsv = as_bytes(result.serialize(format=ox.QueryResultsFormat.TSV))
        return finish_solutions(tsv, select_format_named(select_format), row_cap)

    def select(self, query: str) -> Table:
        body, _ = self._request(query, RESULTS_JSON, Dataset())
        return table(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))

    # ---- loads ------------------------------------------------------------------------------
    def load_build(
        self,
        build_dir: Path,
        graphs: Sequence[str] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> int:
        """PUT each named graph of the build (or only `graphs`): a PUT replaces that graph
        only. `progress(done, total, graph)` hears of each graph loaded."""
        opener = self._opener()
        groups = list(graphs_of(graph_file(build_dir), graphs))
        count = 0
        for done, (name, quads) in enumerate(groups, start=1):
            body = as_bytes(ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES))
            url = f"{self.graph_store}?{urllib.parse.urlencode({'graph': name})}"
            request = urllib.request.Request(  # noqa: S310 (the configured http(s) URL)
                url, data=body, method="PUT", headers={"Content-Type": TRIPLES}
            )
            self._send(request, opener.open, f"loading graph {name}")
            count += len(quads)
            if progress is not None:
                progress(done, len(groups), name)
        return count

    def _opener(self) -> urllib.request.OpenerDirector:
        if self.credentials is None:
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.graph_store, *self.credentials)
        return urllib.request.build_opener(
            urllib.request.HTTPBasicAuthHandler(passwords),
            urllib.request.HTTPDigestAuthHandler(passwords),
        )


def _boolean(
    result: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples, endpoint: str
) -> ox.QueryBoolean:
    """An ASK answer: a boolean, or the table of one variable Virtuoso 7 sends instead (a row
    holding 1 for true, no row for false)."""
    if isinstance(result, ox.QueryBoolean):
        return result
    if not isinstance(result, ox.QuerySolutions) or len(result.variables) != 1:
        raise StoreError(f"{endpoint} answered an ASK query with solutions, not a boolean")
    rows = list(result)
    values = [row[0] for row in rows]
    if len(values) > 1 or any(
        not isinstance(v, ox.Literal) or v.value not in ("0", "1", "true", "false") for v in values
    ):
        raise StoreError(f"{endpoint} answered an ASK query with solutions, not a boolean")
    truth = "true" if values and values[0].value in ("1", "true") else "false"
    answer = f'{{"head":{{}},"boolean":{truth}}}'.encode()
    parsed = ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
    if not isinstance(parsed, ox.QueryBoolean):
        raise StoreError("a boolean answer did not read back as one")  # pragma: no cover
    return parsed


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def credentials_from_netrc(url: str, path: Path | None = None) -> Credentials | None:
    """The login and password a netrc file (`path`, $NETRC, else ~/.netrc) gives the URL's
    host."""
    host = urllib.parse.urlsplit(url).hostname
    where = path or (Path(os.environ["NETRC"]) if os.environ.get("NETRC") else None)
    try:
        entry = netrc.netrc(str(where) if where else None).authenticators(host or "")
    except (FileNotFoundError, netrc.NetrcParseError):
        return None
    if entry is None or not entry[0]:
        return None
    return entry[0], entry[2] or ""


def _default_graph_store(endpoint: str) -> str:
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rsplit("/", 1)[0] + "/store"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
