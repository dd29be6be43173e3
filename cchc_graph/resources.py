"""resources: ontology/ and data/vocab/ files -> a Lexicon of plain Python values for the parsers.

The vocabularies are data (SKOS Turtle and YAML); this module is the one place that reads them.
Parsers receive the Lexicon and never touch RDF themselves.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import yaml

from cchc_graph.errors import VocabularyError
from cchc_graph.lexicon import (
    AgencyType,
    Change,
    ChangeSource,
    Concept,
    Indicator,
    Lexicon,
    Programme,
    Province,
)
from cchc_graph.namespaces import CCHC, RDF, SKOS
from cchc_graph.settings import Settings
from cchc_graph.text import fold

SCHEME_FILES = (
    "agency-types",
    "reform-areas",
    "instrument-kinds",
    "indicators",
    "deadline-kinds",
    "column-roles",
)


def load_lexicon(settings: Settings | None = None) -> Lexicon:
    """Read every vocabulary file named in SCHEME_FILES plus data/vocab/provinces.yaml."""
    settings = settings or Settings()
    return _load_lexicon(settings.ontology_dir / "schemes", settings.vocab_dir)


def scheme_quads(settings: Settings | None = None) -> tuple[ox.Quad, ...]:
    """Every statement of the SKOS scheme files, parsed once (the lexicon and the vocabulary
    graph both come from them)."""
    settings = settings or Settings()
    return _scheme_quads(settings.ontology_dir / "schemes")


@lru_cache(maxsize=4)
def ontology_quads(ontology_dir: Path) -> tuple[ox.Quad, ...]:
    """Every statement of ontology/cchc.ttl."""
    return _parse(ontology_dir / "cchc.ttl")


@lru_cache(maxsize=4)
def _scheme_quads(schemes_dir: Path) -> tuple[ox.Quad, ...]:
    return tuple(q for name in sorted(SCHEME_FILES) for q in _parse(schemes_dir / f"{name}.ttl"))


def _parse(path: Path) -> tuple[ox.Quad, ...]:
    try:
        return tuple(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    except (OSError, SyntaxError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc


@lru_cache(maxsize=4)
def _load_lexicon(schemes_dir: Path, vocab_dir: Path) -> Lexicon:
    graph = _SchemeGraph(_scheme_quads(schemes_dir))
    agency_types = {
        slug: AgencyType(
            concept=graph.concept(iri),
            is_group=graph.has_type(iri, CCHC + "AgencyGroupType"),
            level=graph.first(iri, CCHC + "level") or "provincial",
            short_names=tuple(graph.values(iri, CCHC + "shortName")),
            number_codes=tuple(graph.values(iri, CCHC + "numberCode")),
            not_followed_by=tuple(fold(v) for v in graph.values(iri, CCHC + "notFollowedBy")),
            also_named_in=tuple(graph.values(iri, CCHC + "alsoNamedIn")),
        )
        for slug, iri in graph.members("agency-type/")
    }
    kinds = {slug: graph.concept(iri) for slug, iri in graph.members("instrument-kind/")}
    kind_codes = {
        code: slug
        for slug, iri in graph.members("instrument-kind/")
        for code in graph.values(iri, CCHC + "numberCode")
    }
    issuer_codes = {code: t.slug for t in agency_types.values() for code in t.number_codes}
    indicators = {
        slug: Indicator(
            graph.concept(iri),
            tuple(
                tuple(fold(term) for term in rule.split(" + "))
                for rule in graph.values(iri, CCHC + "matchRule")
            ),
        )
        for slug, iri in graph.members("indicator/")
    }
    deadline_phrases = {
        slug: tuple(fold(p) for p in graph.values(iri, CCHC + "matchPhrase"))
        for slug, iri in graph.members("deadline-kind/")
    }
    areas = {slug: graph.concept(iri) for slug, iri in graph.members("area/")}
    column_phrases = tuple(
        (fold(phrase), slug)
        for slug, iri in graph.members("column-role/")
        for phrase in graph.values(iri, CCHC + "matchPhrase")
    )
    return Lexicon(
        agency_types,
        areas,
        kinds,
        kind_codes,
        issuer_codes,
        deadline_phrases,
        indicators,
        _load_provinces(vocab_dir / "provinces.yaml"),
        column_phrases,
        *_load_changes(vocab_dir / REORGANISATION),
        _load_programmes(vocab_dir / "programmes.yaml"),
    )


REORGANISATION = "reorganisation-2025.yaml"


def _load_changes(path: Path) -> tuple[tuple[Change, ...], dict[str, ChangeSource]]:
    """The changes of the administration and the instruments they rest on."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sources = {
            slug: ChangeSource(slug, e["kind"], e["number"], e["date"], e["issuer"], e["title"])
            for slug, e in data["instruments"].items()
        }
        changes = [
            Change(
                e["id"],
                "department",
                e["kind"],
                tuple(e["from"]),
                e["into"],
                e["date"],
                e["source"],
                (e.get("part") or {}).get("to"),
                (e.get("part") or {}).get("what") or e.get("what"),
            )
            for e in data["departments"]
        ]
        changes += [
            Change(
                e["into"],
                "province",
                "merger",
                tuple(e["from"]),
                e["into"],
                data["provinces_date"],
                data["provinces_source"],
            )
            for e in data["provinces"]
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc
    unknown = [c.source for c in changes if c.source not in sources]
    if unknown:
        raise VocabularyError(f"{path}: no instrument {unknown[0]!r} among the instruments")
    return tuple(changes), sources


def _load_programmes(path: Path) -> tuple[Programme, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return tuple(
            Programme(e["kind"], e["number"], e["signed"], tuple(e["period"]), e["title"])
            for e in data["programmes"]
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc


def _load_provinces(path: Path) -> dict[str, Province]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc
    return {
        slug: Province(
            slug, entry["label"], tuple(entry.get("aliases", ())), bool(entry.get("city", False))
        )
        for slug, entry in data["provinces"].items()
    }


class _SchemeGraph:
    """The scheme statements as subject -> predicate -> values, for plain lookups."""

    def __init__(self, quads: tuple[ox.Quad, ...]) -> None:
        self.facts: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for quad in quads:
            if isinstance(quad.subject, ox.NamedNode):
                obj = quad.object
                if isinstance(obj, ox.NamedNode | ox.Literal):
                    self.facts[quad.subject.value][quad.predicate.value].append(obj)

    def members(self, kind_path: str) -> list[tuple[str, str]]:
        """(slug, IRI) of every concept whose IRI is under id/<kind_path>."""
        found = []
        marker = "/id/" + kind_path
        for iri, props in self.facts.items():
            # a top concept (a programme, "other headings") groups the members, it is not one
            if (
                marker in iri
                and any(o.value == SKOS + "Concept" for o in props.get(RDF + "type", ()))
                and SKOS + "topConceptOf" not in props
            ):
                found.append((iri.split(marker, 1)[1], iri))
        return sorted(found)

    def values(self, iri: str, predicate: str, lang: str | None = None) -> list[str]:
        out = []
        for obj in self.facts[iri].get(predicate, ()):
            if lang is None or (isinstance(obj, ox.Literal) and obj.language == lang):
                out.append(obj.value)
        return out

    def first(self, iri: str, predicate: str, lang: str | None = None) -> str | None:
        found = self.values(iri, predicate, lang)
        return found[0] if found else None

    def has_type(self, iri: str, type_iri: str) -> bool:
        return any(o.value == type_iri for o in self.facts[iri].get(RDF + "type", ()))

    def concept(self, iri: str) -> Concept:
        label_vi = self.first(iri, SKOS + "prefLabel", "vi")
        label_en = self.first(iri, SKOS + "prefLabel", "en")
        if label_vi is None or label_en is None:
            raise VocabularyError(f"{iri}: a concept needs skos:prefLabel in @vi and @en")
        alts = self.values(iri, SKOS + "altLabel") + self.values(iri, SKOS + "hiddenLabel")
        return Concept(iri.rsplit("/", 1)[1], iri, label_vi, label_en, tuple(alts))
