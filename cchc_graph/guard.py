"""guard: a query's text -> refused (with the reason) or let through, before any engine sees it.

A public endpoint must not be made to reach the network (SERVICE), to change the graph (any
update), or to crash: Oxigraph's parser and evaluator recurse, and a query nested a few thousand
levels deep, or a chain of a few thousand operators, overflows a worker's stack. The guard sets
strings, IRIs, variables and comments aside (a keyword inside a literal does not count), then
measures nesting and size and finds every SERVICE before anything runs.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from cchc_graph.errors import CchcError


class QueryRefusedError(CchcError):
    """The query asks for something this endpoint does not do."""

    exit_code = 2
    http_status = 400


class UpdateRefusedError(QueryRefusedError):
    """An update: the graph is read-only."""

    http_status = 403


@dataclass(frozen=True)
class QueryPolicy:
    """What a query may ask. `services` are the SERVICE endpoints allowed (none by default)."""

    services: frozenset[str] = frozenset()
    max_nesting: int = 64
    max_operators: int = 4000


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    start: int


# SPARQL 1.1 terminals, enough to find SERVICE and what it names. Prefixed names come before
# bare words, so that `service:x` is a name, not the keyword SERVICE.
_TOKENS = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7]+)
  | (?P<name>(?:[^\W\d_][\w.\-\u00b7]*)?:(?:[\w\-:%\u00b7]|\\.|\.(?=[\w\-:%]))*|_:[\w.\-]+)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<number>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<op>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;|/^!=<>+\-*?@])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def tokens(text: str) -> Iterator[_Token]:
    """The significant tokens of `text` (no spaces, no comments)."""
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield _Token(kind, match.group(), match.start())


def check(query: str, policy: QueryPolicy) -> None:
    """Raise QueryRefusedError (UpdateRefusedError for an update) when `query` may not run.

    The common case costs a few passes at C speed: the text reduced to its skeleton (each
    string, IRI, variable and comment one placeholder), VALUES data set aside, then brackets,
    operators and keywords counted. Only a query that names SERVICE is read token by token, to
    resolve the endpoint it names.
    """
    skeleton = query_skeleton(query)
    first = _first_word(skeleton)
    if first is None:
        raise QueryRefusedError("no query: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    if first in UPDATE_WORDS:
        raise UpdateRefusedError("updates are not accepted: this endpoint is read-only")
    _check_nesting(skeleton, policy.max_nesting)
    upper = skeleton.upper()
    if "VALUES" in upper:
        upper = _VALUES_DATA.sub(_PLACEHOLDER, upper)
    operators = sum(map(upper.count, _COUNTED))
    if operators > policy.max_operators:
        raise QueryRefusedError(
            f"the query has {operators} operators, separators and keywords, more than the "
            f"{policy.max_operators} accepted: split it into smaller queries (long lists of "
            "values go in a VALUES block, which does not count)"
        )
    if "SERVICE" in upper and _SERVICE.search(upper):
        reader = _ServiceReader(policy)
        for token in tokens(query):
            reader.feed(token)


def looks_like_update(query: str) -> bool:
    """True when the first operation of the text, past its prologue, is an update."""
    return operation(query) in UPDATE_WORDS


def query_skeleton(query: str) -> str:
    """The query with each string, IRI, comment and variable a placeholder: what the checks,
    the operation and the dataset are read from. A query is read several times on its way (the
    guard, the negotiation, the store): a short one is reduced once."""
    if len(query) > _CACHED_QUERY:
        return _DATA.sub(_PLACEHOLDER, query)
    return _skeleton_cached(query)


_CACHED_QUERY = 4096  # characters: the cache holds at most 1024 of these


@functools.lru_cache(maxsize=1024)
def _skeleton_cached(query: str) -> str:
    return _DATA.sub(_PLACEHOLDER, query)


def names_dataset(query: str) -> bool:
    """True when the query states its own dataset (FROM or FROM NAMED), outside its strings,
    IRIs and comments."""
    return bool(_FROM.search(query_skeleton(query)))


_FROM = re.compile(r"(?<![\w:])FROM(?![\w:])", re.IGNORECASE)


def operation(query: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE, ASK or an update keyword: the query's first operation."""
    return _first_word(query_skeleton(query))


def _first_word(skeleton: str) -> str | None:
    found = _OPERATION.match(skeleton)
    return found.group(1).upper() if found else None


# what is data, not structure: strings, IRIs, comments and variables (a prefixed name counts
# as words, which only over-counts a little; SERVICE is then resolved token by token)
_DATA = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
      |<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n\r]*|[?$][\w\u00b7]+""",
    re.VERBOSE | re.DOTALL,
)
_PLACEHOLDER = " \x01 "
# VALUES data: rows of terms, flat however many there are (a row may be parenthesised)
_VALUES_DATA = re.compile(r"\bVALUES\s*(?:\x01|\([^()]*\))\s*\{[^{}]*\}")  # on upper case
# what builds deep trees in the engine: brackets, operators and separators (each character
# counts: a chain of a few thousand crashes Oxigraph's parser) and the keywords that join
# patterns (counted as substrings: a name that contains one only over-counts a little)
_COUNTED = (
    *"{}()[].,;|/^!=<>+-*&",
    *("UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "SELECT"),
)
# the first word past the prologue (PREFIX name: <iri> and BASE <iri>; IRIs and comments are
# placeholders by now)
_OPERATION = re.compile(
    r"\s*(?:(?:PREFIX\s*[^\s\x01]*\s*\x01|BASE\s*\x01|\x01)\s*)*([A-Za-z]+)", re.IGNORECASE
)
_SERVICE = re.compile(r"\bSERVICE\b")  # on upper case
_NOT_BRACKETS = re.compile(r"[^(){}\[\]]+")
_INNERMOST = re.compile(r"\(\)|\{\}|\[\]")


def _check_nesting(skeleton: str, limit: int) -> None:
    brackets = _NOT_BRACKETS.sub("", skeleton)
    depth = 0
    while brackets:  # each pass takes away the innermost pairs: passes = nesting depth
        brackets, removed = _INNERMOST.subn("", brackets)
        if not removed:
            return  # unbalanced: the parser will say where
        depth += 1
        if depth > limit:
            raise QueryRefusedError(
                f"the query nests more than {limit} levels deep; write it flatter"
            )


class _ServiceReader:
    """Reads tokens in order, keeping the prologue's prefixes and base, and refuses each
    SERVICE whose endpoint is not allowed (a variable endpoint never is)."""

    def __init__(self, policy: QueryPolicy) -> None:
        self.policy = policy
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self._previous: _Token | None = None
        self._prefix_name: str | None = None
        self._service = False  # the last keyword was SERVICE (or SERVICE SILENT)

    def feed(self, token: _Token) -> None:
        previous, self._previous = self._previous, token
        if self._service:
            self._endpoint(token)
        elif token.kind == "word" and token.text.upper() == "SERVICE":
            self._service = True
        elif previous is not None and previous.kind == "word":
            if previous.text.upper() == "BASE" and token.kind == "iri":
                self.base = token.text[1:-1]
            elif previous.text.upper() == "PREFIX" and token.text.endswith(":"):
                self._prefix_name = token.text[:-1]
        elif token.kind == "iri" and self._prefix_name is not None:
            self.prefixes[self._prefix_name] = token.text[1:-1]
            self._prefix_name = None

    def _endpoint(self, token: _Token) -> None:
        if token.kind == "word" and token.text.upper() == "SILENT":
            return
        self._service = False
        if token.kind == "var":
            raise QueryRefusedError(
                "SERVICE with a variable endpoint is refused: this endpoint makes no outbound "
                "requests except to the endpoints its operator allows"
            )
        endpoint = self._iri(token)
        if endpoint is None or endpoint not in self.policy.services:
            allowed = ", ".join(sorted(self.policy.services)) or "none"
            raise QueryRefusedError(
                f"SERVICE <{endpoint or token.text}> is refused: this endpoint makes no outbound "
                f"requests except to the endpoints its operator allows ({allowed})"
            )

    def _iri(self, token: _Token) -> str | None:
        if token.kind == "iri":
            relative = token.text[1:-1]
            return urllib.parse.urljoin(self.base, relative) if self.base else relative
        if token.kind == "name":
            prefix, _, local = token.text.partition(":")
            namespace = self.prefixes.get(prefix)
            return namespace + local if namespace is not None else None
        return None
