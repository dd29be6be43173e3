"""canned: the questions people ask again and again, as queries/*.rq files with a metadata header.

A file starts with a YAML header in `#+ ` comment lines (title and description in vi and en,
parameters with type and default, the pages that show it), then the SPARQL text. A parameter is
written `$name` in the query: `$` is SPARQL's other variable sign, so the file runs as it is, and
binding replaces each `$name` by an RDF term. The bound text is plain SPARQL 1.1 that any endpoint
answers; it is also what the user is shown.

Parameter types: agency, province, indicator, plan, instrument (each given as a label with or
without diacritics, a slug or an IRI, resolved against the graph), text (matched against
cchc:searchText, folded the same way), date (YYYY-MM-DD), year, integer, string, iri.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from cchc_graph.errors import CchcError
from cchc_graph.namespaces import XSD, sparql_prefixes
from cchc_graph.store import Selects, Store
from cchc_graph.text import fold, nfc

_HEADER = re.compile(r"^#\+ ?(.*)$")
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_RESOLVED_TYPES = ("agency", "province", "indicator", "plan", "instrument", "area")
PARAMETER_TYPES = (*_RESOLVED_TYPES, "text", "date", "year", "integer", "string", "iri", "boolean")
_TRUE, _FALSE = ("true", "yes", "1", "có", "co"), ("false", "no", "0", "không", "khong")


class CatalogueError(CchcError):
    """A queries/*.rq file whose header or parameters are malformed (names the file and line)."""

    exit_code = 2


class ParameterError(CchcError):
    """A parameter value that cannot be used: unknown name, wrong type, or no match."""

    exit_code = 2
    http_status = 400


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    label: Mapping[str, str]
    description: Mapping[str, str]
    optional: bool = False  # with no value, the parameter is UNDEF (only inside VALUES)
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    title: Mapping[str, str]
    description: Mapping[str, str]
    parameters: tuple[Parameter, ...]
    pages: tuple[str, ...]
    featured: bool
    sparql: str  # the query as written, with $parameters
    header: Mapping[str, Any]  # the whole #+ header, for readers that need more keys

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query {self.name!r} has no parameter {name!r} (it takes: {known})")

    def bind(self, values: Mapping[str, str], resolver: Resolver) -> str:
        """The SPARQL text with every $parameter replaced by the term its value resolves to."""
        for name in values:
            self.parameter(name)
        terms: dict[str, str] = {}
        for parameter in self.parameters:
            value = values.get(parameter.name, parameter.default)
            if value is None or value == "":
                if parameter.optional:
                    terms[parameter.name] = "UNDEF"
                    continue
                raise ParameterError(f"query {self.name!r} needs a value for {parameter.name!r}")
            if parameter.choices and value not in parameter.choices:
                raise ParameterError(
                    f"{parameter.name}={value!r}: not one of {', '.join(parameter.choices)}"
                )
            terms[parameter.name] = resolver.term(parameter, str(value))
        return _PARAMETER.sub(lambda m: terms[m.group(1)], self.sparql)


def load_catalogue(directory: Path) -> dict[str, CannedQuery]:
    """Every *.rq file of `directory` (not of sub-folders), by name (the stem), in name order."""
    if not directory.is_dir():
        raise CatalogueError(f"{directory}: no queries folder")
    return {path.stem: _load(path) for path in sorted(directory.glob("*.rq"))}


def _load(path: Path) -> CannedQuery:
    text = nfc(path.read_text(encoding="utf-8"))
    header_lines: list[str] = []
    body_start = 0
    for number, line in enumerate(text.split("\n")):
        match = _HEADER.match(line)
        if not match:
            body_start = number
            break
        header_lines.append(match.group(1))
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        number = mark.line + 1 if mark is not None else 1
        raise CatalogueError(f"{path}:{number}: the #+ header is not YAML: {error}") from None
    if not isinstance(header, dict):
        raise CatalogueError(f"{path}:1: the #+ header must be a mapping")
    for key in ("title", "description"):
        if not isinstance(header.get(key), dict) or not {"vi", "en"} <= header[key].keys():
            raise CatalogueError(f"{path}:1: the header needs `{key}` with `vi` and `en`")
    sparql = "\n".join(text.split("\n")[body_start:]).strip() + "\n"
    parameters = tuple(
        _parameter(path, name, spec) for name, spec in (header.get("params") or {}).items()
    )
    declared = {p.name for p in parameters}
    used = set(_PARAMETER.findall(sparql))
    if used != declared:
        raise CatalogueError(
            f"{path}:1: parameters declared {sorted(declared)} but used in the query {sorted(used)}"
        )
    return CannedQuery(
        name=path.stem,
        path=path,
        title=header["title"],
        description=header["description"],
        parameters=parameters,
        pages=tuple(header.get("pages") or ()),
        featured=bool(header.get("featured", False)),
        sparql=sparql,
        header=header,
    )


def _parameter(path: Path, name: str, spec: Any) -> Parameter:
    if not isinstance(spec, dict) or spec.get("type") not in PARAMETER_TYPES:
        raise CatalogueError(
            f"{path}:1: parameter {name!r} needs a type, one of {', '.join(PARAMETER_TYPES)}"
        )
    default = spec.get("default")
    label = spec.get("label") or {"vi": name, "en": name}
    return Parameter(
        name=name,
        type=spec["type"],
        default=None if default is None else str(default),
        label=label,
        description=spec.get("description") or label,
        optional=bool(spec.get("optional", False)),
        choices=tuple(str(choice) for choice in spec.get("choices") or ()),
    )


# ------------------------------------------------------------------------ resolving values

# what each resolved type may name, in order of preference (an agency type before one agency)
_CANDIDATES = {
    "agency": (
        "?node a cchc:AgencyType",
        "?node a cchc:AgencyGroupType",
        "?node a cchc:Agency",
        "?node a cchc:AgencyGroup",
        "?node a cchc:NationalBody",
    ),
    "province": ("?node a cchc:Province",),
    "indicator": ("?node skos:inScheme ?scheme FILTER(STRENDS(STR(?scheme), '/indicators'))",),
    "area": ("?node skos:inScheme ?scheme FILTER(STRENDS(STR(?scheme), '/reform-areas'))",),
    "plan": ("?node a cchc:ActionDocument",),
    "instrument": ("?node a cchc:LegalInstrument",),
}


@dataclass(frozen=True)
class Candidate:
    iri: str
    kind: int  # position of its class in _CANDIDATES: lower is preferred (a type over an agency)
    texts: tuple[str, ...]  # folded labels


class Resolver:
    """Turns parameter values into SPARQL terms, looking names up in the store once per type."""

    def __init__(self, store: Selects) -> None:
        self.store = store
        self._candidates: dict[str, list[Candidate]] = {}

    def term(self, parameter: Parameter, value: str) -> str:
        kind = parameter.type
        value = nfc(value.strip())
        try:
            if kind in _RESOLVED_TYPES:
                return f"<{self.resolve(kind, value)}>"
            if kind == "iri":
                return f"<{_checked_iri(value)}>"
            if kind == "text":
                return str(ox.Literal(fold(value)))
            if kind == "date":
                return str(
                    ox.Literal(
                        date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD + "date")
                    )
                )
            if kind == "boolean":
                # a bare true / false, the form FILTER and IF take
                answer = fold(value)
                if answer not in (*_TRUE, *_FALSE):
                    raise ValueError("say true or false")
                return "true" if answer in _TRUE else "false"
            if kind in ("year", "integer"):
                # a bare integer is an xsd:integer, and the only form LIMIT accepts
                return str(int(value))
            return str(ox.Literal(value))
        except ValueError as error:
            raise ParameterError(f"{parameter.name}={value!r}: not a {kind} ({error})") from None

    def resolve(self, kind: str, value: str) -> str:
        """The IRI `value` names: an IRI as given, else the best label or slug match."""
        if value.startswith(("http://", "https://")):
            return _checked_iri(value)
        wanted = fold(value)
        candidates = self.candidates(kind)
        for test in (
            lambda c: wanted in c.texts,
            lambda c: c.iri.rstrip("/").rsplit("/", 1)[-1] == value or c.iri.endswith("/" + value),
            lambda c: any(wanted in text for text in c.texts),
        ):
            found = [c for c in candidates if test(c)]
            if found:
                best = min(c.kind for c in found)
                found = [c for c in found if c.kind == best]
                if len(found) == 1:
                    return found[0].iri
                names = ", ".join(sorted(c.iri.rsplit("/id/", 1)[-1] for c in found)[:8])
                raise ParameterError(f"{kind} {value!r} is ambiguous: {names}")
        raise ParameterError(f"no {kind} matches {value!r}")

    def candidates(self, kind: str) -> list[Candidate]:
        if kind not in self._candidates:
            branches = " UNION ".join(
                f"{{ {pattern} BIND({rank} AS ?rank) }}"
                for rank, pattern in enumerate(_CANDIDATES[kind])
            )
            query = sparql_prefixes() + (
                f"SELECT ?node ?rank ?text WHERE {{ {branches}\n"
                "  OPTIONAL { ?node cchc:searchText ?text } }"
            )
            by_node: dict[str, tuple[int, list[str]]] = {}
            for row in self.store.select(query).values():
                rank, texts = by_node.setdefault(row["node"], (int(row["rank"]), []))
                by_node[row["node"]] = (min(rank, int(row["rank"])), texts)
                texts.extend(t.strip() for t in row.get("text", "").split("|") if t.strip())
            self._candidates[kind] = [
                Candidate(iri, rank, tuple(texts)) for iri, (rank, texts) in sorted(by_node.items())
            ]
        return self._candidates[kind]


def _checked_iri(value: str) -> str:
    if re.search(r"[\s<>\"{}|\\^`]", value):
        raise ValueError('an IRI cannot hold spaces or <>"{}|\\^`')
    return value


@dataclass
class Catalogue:
    """The canned queries, and running them against a store."""

    queries: dict[str, CannedQuery]
    store: Store

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.store)

    def get(self, name: str) -> CannedQuery:
        try:
            return self.queries[name]
        except KeyError:
            raise ParameterError(f"no canned query {name!r}; `cchc queries` lists them") from None

    def bind(self, name: str, values: Mapping[str, str]) -> str:
        return self.get(name).bind(values, self.resolver)
