"""answers: a query's results -> an Answer (bytes in a standard format), cut at the row cap
while they are written, so that no answer costs more than its cap whatever the query asks.

pyoxigraph's serialisers write to any object with `write`; ours keeps the bytes, counts the
rows as they pass and stops the serialiser (and with it the lazy evaluation of the query) once
the row past the cap has begun, or once the answer reaches its byte limit. The cut is made where
the rows stand, in the asked format; only CSV, and JSON whose rows the bytes cannot tell apart,
go through TSV.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Literal, cast

import pyoxigraph as ox

from cchc_graph.guard import QueryRefusedError
from cchc_graph.namespaces import PREFIXES

QueryForm = Literal["select", "ask", "graph"]
ANSWER_BYTES = 64 << 20  # the default byte limit of one answer


@dataclass(frozen=True)
class Format:
    """One serialisation of query answers: its short name, media type and pyoxigraph format."""

    name: str
    media_type: str
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None


SELECT_FORMATS: dict[str, Format] = {
    "json": Format("json", "application/sparql-results+json", results=ox.QueryResultsFormat.JSON),
    "xml": Format("xml", "application/sparql-results+xml", results=ox.QueryResultsFormat.XML),
    "csv": Format("csv", "text/csv", results=ox.QueryResultsFormat.CSV),
    "tsv": Format("tsv", "text/tab-separated-values", results=ox.QueryResultsFormat.TSV),
}
GRAPH_FORMATS: dict[str, Format] = {
    "turtle": Format("turtle", "text/turtle", rdf=ox.RdfFormat.TURTLE),
    "ntriples": Format("ntriples", "application/n-triples", rdf=ox.RdfFormat.N_TRIPLES),
    "jsonld": Format("jsonld", "application/ld+json", rdf=ox.RdfFormat.JSON_LD),
    "rdfxml": Format("rdfxml", "application/rdf+xml", rdf=ox.RdfFormat.RDF_XML),
}
TSV = SELECT_FORMATS["tsv"]


@dataclass(frozen=True)
class Answer:
    """A query's answer, serialised; `rows` counts solutions or triples (None for ASK)."""

    form: QueryForm
    body: bytes
    format: Format
    rows: int | None = None
    truncated: bool = False


@dataclass
class Table:
    """SELECT solutions as rows of pyoxigraph terms (None where a variable is unbound)."""

    variables: list[str]
    rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]] = field(
        default_factory=list
    )

    def values(self) -> list[dict[str, str]]:
        """Each row as {variable: lexical value}, unbound variables left out."""
        return [
            {v: term.value for v, term in zip(self.variables, row, strict=True) if term is not None}
            for row in self.rows
        ]

    def column(self, variable: str) -> list[str]:
        index = self.variables.index(variable)
        return [row[index].value for row in self.rows if row[index] is not None]  # type: ignore[union-attr]


def tsv_table(tsv: bytes) -> Table:
    """TSV solutions as a Table."""
    return table(ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV))


def table(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Table:
    if not isinstance(result, ox.QuerySolutions):
        raise QueryRefusedError("a SELECT query was expected")
    variables = [v.value for v in result.variables]
    # a solution iterates its values in the variables' order (None where unbound): three times
    # faster than looking each variable up by name, on 45,000 rows of 17 columns
    return Table(variables, [tuple(solution) for solution in result])


def select_format(name: str) -> Format:
    try:
        return SELECT_FORMATS[name]
    except KeyError:
        raise QueryRefusedError(
            f"unknown results format {name!r} ({', '.join(SELECT_FORMATS)})"
        ) from None


def graph_format(name: str) -> Format:
    try:
        return GRAPH_FORMATS[name]
    except KeyError:
        raise QueryRefusedError(
            f"unknown graph format {name!r} ({', '.join(GRAPH_FORMATS)})"
        ) from None


# ------------------------------------------------------------------------ written with a cap


class _StopWritingError(Exception):
    """Raised from inside a serialiser: what is written is all the answer needs."""


@dataclass
class _Written:
    """The bytes a serialiser wrote, and whether it finished or was stopped (and why)."""

    body: bytes
    complete: bool
    over_bytes: bool = False  # stopped at the byte limit, not at the row cap


class _Capture:
    """A write target for pyoxigraph that counts row starts with `marker` (plus `tail` bytes of
    the chunk before, for a marker cut in two) and stops at `enough` of them or past `limit`
    bytes."""

    def __init__(self, marker: re.Pattern[bytes], tail: int, enough: int, limit: int) -> None:
        self.marker, self.tail, self.enough, self.limit = marker, tail, enough, limit
        self.chunks: list[bytes] = []
        self.size = 0
        self.count = 0
        self.over_bytes = False

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        before = self.chunks[-1][-self.tail :] if self.tail and self.chunks else b""
        self.chunks.append(chunk)
        self.size += len(chunk)
        self.count += len(self.marker.findall(before + chunk)) if self.enough else 0
        if self.enough and self.count >= self.enough:
            raise _StopWritingError
        if self.size > self.limit:
            self.over_bytes = True
            raise _StopWritingError
        return len(chunk)

    def flush(self) -> None:
        pass


def _written(serialise: Callable[[_Capture], object], capture: _Capture) -> _Written:
    try:
        serialise(capture)
        complete = True
    except _StopWritingError:
        complete = False
    return _Written(b"".join(capture.chunks), complete, capture.over_bytes)


# Where rows start, as each format writes them. pyoxigraph writes JSON results without spaces,
# and a quote inside a string as \". A solution after the first starts with `,{"` and its first
# variable's name; inside a string `,{"` can only end the string, and after a closing quote
# comes `}`, `,`, `:` or `]`, never a name.
_JSON_NEXT_ROW = re.compile(rb',\{"(?=[^},:\]])')
_JSON_EMPTY = re.compile(rb"\{\}")  # searched with re: twice as fast as `in` for two bytes
_JSON_BINDINGS = b'"bindings":['
_JSON_FIRST_ROW = re.compile(rb'"bindings":\[\{')
_XML_ROW = re.compile(rb"<result>")  # in XML text and attributes "<" is written &lt;
_TSV_LINE = re.compile(rb"\n")  # TSV writes \n inside a term as the two characters \ and n
# (marker, bytes of the chunk before to search again, markers that show row cap + 1 has begun)
_ROW_STARTS: dict[str, tuple[re.Pattern[bytes], int, int]] = {
    "tsv": (_TSV_LINE, 0, 2),  # the header's line, then one line per row
    "xml": (_XML_ROW, 7, 1),
    "json": (_JSON_NEXT_ROW, 3, 0),  # the first row has no comma before it
}


def solutions_answer(
    run: Callable[[], ox.QuerySolutions], fmt: Format, row_cap: int | None, limit: int
) -> Answer:
    """The solutions `run` gives, serialised in `fmt` and cut at `row_cap` rows (or at the last
    whole row within `limit` bytes) as they are written. `run` is called again, once, in the
    rare case where the rows of the JSON cannot be told apart by its bytes."""
    if fmt.results is None:
        raise ValueError(f"{fmt.name} is not a results format")
    if fmt.name != "csv":
        answer = _cut(_serialise(run(), fmt, row_cap, limit), fmt, row_cap)
        if answer is not None:
            return answer
    tsv = _cut(_serialise(run(), TSV, row_cap, limit), TSV, row_cap)
    if tsv is None:
        raise ValueError("TSV rows are always countable")
    return _reserialised(tsv, fmt)


def _serialise(
    result: ox.QuerySolutions, fmt: Format, row_cap: int | None, limit: int
) -> _Written:
    marker, tail, extra = _ROW_STARTS[fmt.name]
    enough = 0 if row_cap is None else row_cap + extra
    if row_cap == 0 and fmt.name == "json":
        marker, tail, enough = _JSON_FIRST_ROW, len(_JSON_BINDINGS), 1
    capture = _Capture(marker, tail, enough, limit)
    return _written(lambda out: result.serialize(cast(IO[bytes], out), format=fmt.results), capture)


def _cut(written: _Written, fmt: Format, row_cap: int | None) -> Answer | None:
    """The answer from what the serialiser wrote; None for JSON whose rows cannot be counted."""
    body = written.body
    if fmt.name == "json" and _JSON_EMPTY.search(body):
        return None
    if written.complete:
        rows = _row_count(body, fmt.name)
        if rows is None:
            return None
        if row_cap is None or rows <= row_cap:
            return Answer("select", body, fmt, rows)
        return Answer("select", _first_rows(body, fmt.name, row_cap), fmt, row_cap, True)
    if not written.over_bytes and row_cap is not None:
        return Answer("select", _first_rows(body, fmt.name, row_cap), fmt, row_cap, True)
    whole = _whole_rows(body, fmt.name)
    if row_cap is not None:
        whole = min(whole, row_cap)
    return Answer("select", _first_rows(body, fmt.name, whole), fmt, whole, True)


def capped_solutions(body: bytes, fmt: Format, row_cap: int) -> Answer | None:
    """Solutions as pyoxigraph serialised them in `fmt`, whole, counted and cut at `row_cap`
    rows where they stand; None when the bytes alone cannot tell where each row starts (CSV,
    whose quoted values may hold line breaks; JSON with "{}" in it)."""
    if fmt.name not in _ROW_STARTS:
        return None
    return _cut(_Written(body, True), fmt, row_cap)


def _row_count(body: bytes, name: str) -> int | None:
    if name == "tsv":
        return body.count(b"\n") - 1  # the header's line
    if name == "xml":
        return body.count(b"<result>")
    start = body.find(_JSON_BINDINGS) + len(_JSON_BINDINGS)
    if body.startswith(b"]}}", start):
        return 0
    if not body.startswith(b'{"', start):
        return None
    return 1 + len(_JSON_NEXT_ROW.findall(body, start))


def _whole_rows(body: bytes, name: str) -> int:
    """The rows wholly written in `body`, the start of an answer cut anywhere."""
    if name == "tsv":
        return max(0, body.count(b"\n") - 1)
    if name == "xml":
        return max(0, body.count(b"<result>") - 1)
    return len(_JSON_NEXT_ROW.findall(body))  # the last row begun may be unfinished


def _first_rows(body: bytes, name: str, keep: int) -> bytes:
    """The first `keep` rows of `body` (which has begun at least one more), closed as the
    format wants."""
    if name == "tsv":
        return body[: _nth(_TSV_LINE, body, keep + 1) + 1]
    if name == "xml":
        if keep == 0:
            opened = body.find(b"<results>")
            return body[: opened + len(b"<results>")] + b"</results></sparql>"
        return body[: _nth(_XML_ROW, body, keep + 1)] + b"</results></sparql>"
    if keep == 0:
        return body[: body.find(_JSON_BINDINGS) + len(_JSON_BINDINGS)] + b"]}}"
    return body[: _nth(_JSON_NEXT_ROW, body, keep)] + b"]}}"


def _nth(pattern: re.Pattern[bytes], body: bytes, n: int) -> int:
    """Where the `n`th match of `pattern` starts (1-based; there are at least n)."""
    match = next(itertools.islice(pattern.finditer(body), n - 1, None))
    return match.start()


def _reserialised(tsv: Answer, fmt: Format) -> Answer:
    if fmt.name == "tsv":
        return tsv
    if fmt.results is None:
        raise ValueError("fmt.results is missing")
    solutions = ox.parse_query_results(tsv.body, format=ox.QueryResultsFormat.TSV)
    body = as_bytes(solutions.serialize(format=fmt.results))
    return Answer("select", body, fmt, tsv.rows, tsv.truncated)


def finish_solutions(tsv: bytes, fmt: Format, row_cap: int | None) -> Answer:
    """Whole TSV solutions cut at `row_cap` rows and serialised again in `fmt`: for answers that
    come as TSV from elsewhere (a remote endpoint), and the reference the direct cut is tested
    against."""
    header, _, body = tsv.partition(b"\n")
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    truncated = row_cap is not None and len(lines) > row_cap
    if truncated:
        lines = lines[:row_cap]
        tsv = header + b"\n" + b"".join(line + b"\n" for line in lines)
    return _reserialised(Answer("select", tsv, TSV, len(lines), truncated), fmt)


def boolean_answer(result: ox.QueryBoolean, fmt: Format) -> Answer:
    """An ASK answer in `fmt` (CSV and TSV write a bare true or false)."""
    if fmt.results is None:
        raise ValueError(f"{fmt.name} is not a results format")
    return Answer("ask", as_bytes(result.serialize(format=fmt.results)), fmt)


def triples_answer(result: ox.QueryTriples, fmt: Format, row_cap: int | None, limit: int) -> Answer:
    """CONSTRUCT or DESCRIBE triples, written as N-Triples up to `row_cap` triples (one per
    line) or `limit` bytes, then serialised in `fmt` with our prefixes."""
    enough = 0 if row_cap is None else row_cap + 1
    capture = _Capture(_TSV_LINE, 0, enough, limit)
    written = _written(
        lambda out: result.serialize(cast(IO[bytes], out), format=ox.RdfFormat.N_TRIPLES), capture
    )
    body = written.body
    if not written.complete:
        body = body[: body.rfind(b"\n") + 1]  # whole lines only
    return finish_triples(body, fmt, row_cap, cut=not written.complete)


def finish_triples(
    ntriples: bytes, fmt: Format, row_cap: int | None, cut: bool = False
) -> Answer:
    """N-Triples cut at `row_cap` triples and serialised in `fmt` with our prefixes; `cut` says
    the triples given are already only the start of the answer."""
    lines = [line for line in ntriples.split(b"\n") if line.strip()]
    truncated = cut or (row_cap is not None and len(lines) > row_cap)
    if row_cap is not None:
        lines = lines[:row_cap]
    text = b"".join(line + b"\n" for line in lines)
    if fmt.name == "ntriples":
        return Answer("graph", text, fmt, len(lines), truncated)
    triples = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    if fmt.rdf is None:
        raise ValueError("fmt.rdf is missing")
    prefixes = PREFIXES if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    body = as_bytes(ox.serialize(triples, format=fmt.rdf, prefixes=prefixes))
    return Answer("graph", body, fmt, len(lines), truncated)


def as_bytes(serialised: bytes | None) -> bytes:
    # pyoxigraph returns bytes when no output file is given
    if serialised is None:
        raise ValueError("serialised is missing")
    return serialised
