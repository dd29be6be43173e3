"""media: every media type the server speaks, in one table, and the choice among them that a
client's Accept header makes (python-mimeparse: q-values, wildcards, the most specific range).

One table for /sparql, /api/queries, /id and the error pages, so that a type means the same
everywhere: `application/json` is SPARQL JSON for a table of results and JSON-LD for a graph
(a page is never JSON). Of the types of one kind the first row is the one answered when a client
takes anything ("*/*") or sends no Accept header.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import mimeparse

from cchc_graph.answers import GRAPH_FORMATS, SELECT_FORMATS
from cchc_graph.errors import BadRequestError

Kind = Literal["results", "graph", "page"]


@dataclass(frozen=True, slots=True)
class Media:
    type: str
    kind: Kind  # results: SELECT and ASK; graph: CONSTRUCT, DESCRIBE, descriptions; page: HTML
    format: str  # our name of the format (answers.py): json, xml, csv, tsv, turtle, ...


# other names clients give the same formats
ALIASES: tuple[Media, ...] = (
    Media("application/json", "results", "json"),
    Media("application/xml", "results", "xml"),
    Media("text/xml", "results", "xml"),
    Media("application/x-turtle", "graph", "turtle"),
    Media("application/turtle", "graph", "turtle"),
    Media("text/n3", "graph", "turtle"),
    Media("text/plain", "graph", "ntriples"),
    Media("application/json", "graph", "jsonld"),
    Media("application/x-json+ld", "graph", "jsonld"),
    Media("application/xml", "graph", "rdfxml"),
    Media("text/xml", "graph", "rdfxml"),
    Media("text/html", "page", "html"),
    Media("application/xhtml+xml", "page", "html"),
)
# the formats' own types first (answers.py, first of each kind the default), then the aliases
TABLE: tuple[Media, ...] = (
    *(Media(f.media_type, "results", name) for name, f in SELECT_FORMATS.items()),
    *(Media(f.media_type, "graph", name) for name, f in GRAPH_FORMATS.items()),
    *ALIASES,
)
CACHED_TEXT = 2048  # Accept headers up to this length are worked out once


def offered(kind: Kind) -> tuple[str, ...]:
    """The main media type of each format of one kind, as an error message names them."""
    seen: dict[str, str] = {}
    for media in TABLE:
        if media.kind == kind:
            seen.setdefault(media.format, media.type)
    return tuple(seen.values())


def choose(accept: str | None, kinds: tuple[Kind, ...]) -> Media | None:
    """The media type the Accept header prefers among ours of `kinds` (earlier kinds win a tie:
    "*/*" takes the first kind's first type); the first of them with no header; None when the
    header accepts none of them. A header that cannot be read is the client's mistake (400)."""
    if accept is None or not accept.strip():
        return next(m for m in TABLE if m.kind == kinds[0])
    if len(accept) > CACHED_TEXT:
        return _choose(accept, kinds)
    return _choose_cached(accept, kinds)


@functools.lru_cache(maxsize=512)
def _choose_cached(accept: str, kinds: tuple[Kind, ...]) -> Media | None:
    return _choose(accept, kinds)


def _choose(accept: str, kinds: tuple[Kind, ...]) -> Media | None:
    candidates: dict[str, Media] = {}
    for kind in kinds:
        for media in TABLE:
            if media.kind == kind:
                candidates.setdefault(media.type, media)
    # mimeparse gives a tie to the later type: our first choice goes last
    supported = list(reversed(candidates))
    try:
        best = mimeparse.best_match(supported, accept)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        raise BadRequestError(f"the Accept header cannot be read: {accept[:200]!r}") from None
    return candidates[best] if best else None
