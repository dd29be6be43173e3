"""lineage: the 2025 reorganisation (data/vocab/reorganisation-2025.yaml) -> W3C ORG change
events in the graph, so that a question can follow an agency across it.

Each change is written once for the agency types (in the vocabulary's terms) and once for each
province's agencies that the documents name: Khánh Hòa's Sở Kế hoạch và Đầu tư and Sở Tài chính
became its Sở Tài chính on 1 March 2025; Ninh Thuận's agencies became Khánh Hòa's on 1 July
2025. An agency an event needs and no document names (the body a department became) is added to
the registry, so every event links agencies the graph describes. The instruments the changes
rest on are legal resources of the registry, like any instrument a document cites.
"""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox

from cchc_graph.iris import Iris, number_slug
from cchc_graph.lexicon import Change, ChangeSource, Lexicon
from cchc_graph.namespaces import CCHC, ELI, ORG, PROV, RDF, RDFS, XSD
from cchc_graph.records import AgencyMention
from cchc_graph.resolve import ResolvedCorpus
from cchc_graph.resolve.agencies import Agency, AgencyRegistry
from cchc_graph.resolve.instruments import Instrument, number_key

CHANGE_GRAPH = "changes"
AUTHORITY = "ubnd-tinh"  # a province's People's Committee: the province as an organisation


def change_quads(corpus: ResolvedCorpus, lexicon: Lexicon, iris: Iris) -> list[ox.Quad]:
    """The change events (type level and province level) of the corpus's agencies, into the
    "changes" graph; the agencies and instruments they need join the corpus's registry."""
    registry = AgencyRegistry(lexicon, iris)
    registry.agencies = corpus.agencies
    sources = {
        slug: _instrument(source, registry, corpus, lexicon, iris)
        for slug, source in lexicon.change_sources.items()
    }
    graph = ox.NamedNode(iris.graph(CHANGE_GRAPH))
    quads: list[ox.Quad] = []

    def add(subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), obj, graph))

    became: dict[str, set[str]] = {}  # each organisation -> what changes made it

    def event(iri: str, change: Change, originals: list[str], result: str, label: str) -> None:
        for original in originals:
            became.setdefault(original, set()).add(result)
        add(iri, RDF + "type", ox.NamedNode(ORG + "ChangeEvent"))
        add(iri, RDFS + "label", ox.Literal(label, language="vi"))
        for original in originals:
            add(iri, ORG + "originalOrganization", ox.NamedNode(original))
        add(iri, ORG + "resultingOrganization", ox.NamedNode(result))
        add(iri, PROV + "startedAtTime", _time(change))
        add(iri, CCHC + "changeKind", ox.Literal(change.kind))
        add(iri, CCHC + "legalSource", ox.NamedNode(sources[change.source].iri))
        if change.what:
            add(iri, CCHC + "changeNote", ox.Literal(change.what, language="vi"))

    departments = [c for c in lexicon.changes if c.level == "department"]
    for change in departments:
        types = [iris.agency_type(t) for t in change.originals]
        label = _label(change, lexicon)
        event(
            iris.change(change.on.year, change.id),
            change,
            types,
            iris.agency_type(change.result),
            label,
        )
        if change.part_to:
            add(
                iris.change(change.on.year, change.id),
                CCHC + "partTransferredTo",
                ox.NamedNode(iris.agency_type(change.part_to)),
            )
    provinces = sorted({a.province for a in corpus.agencies.values() if a.province})
    for change in departments:
        for province in provinces:
            named = [t for t in change.originals if _has(corpus, iris, province, t)]
            if not named:
                continue
            originals = [_agency(registry, lexicon, province, t).iri for t in change.originals]
            result = _agency(registry, lexicon, province, change.result).iri
            iri = iris.change(change.on.year, f"{change.id}/{province}")
            event(iri, change, originals, result, f"{_label(change, lexicon)} ({province})")
    merged_away = {
        p: c for c in lexicon.changes if c.level == "province" for p in c.originals if p != c.result
    }
    # each merged province's authority, whether the documents name it or not
    for joined in [c for c in lexicon.changes if c.level == "province"]:
        authorities = [_agency(registry, lexicon, p, AUTHORITY).iri for p in joined.originals]
        result = _agency(registry, lexicon, joined.result, AUTHORITY).iri
        names = ", ".join(lexicon.province_label(p) or p for p in joined.originals)
        label = f"{names} → {lexicon.province_label(joined.result)} ({joined.on.isoformat()})"
        event(
            iris.change(joined.on.year, f"tinh/{joined.result}"), joined, authorities, result, label
        )
    for province in provinces:
        merger = merged_away.get(province)
        if merger is None:
            continue
        # each other body of the province by its type (a body kept as written, a named
        # district: not)
        kept = [
            a
            for a in list(corpus.agencies.values())
            if a.province == province
            and a.iri == iris.agency(province, a.type_slug)
            and a.type_slug != AUTHORITY
        ]
        for agency in kept:
            original = [a for p in merger.originals for a in _same_type(corpus, iris, p, agency)]
            result = _agency(registry, lexicon, merger.result, agency.type_slug).iri
            iri = iris.change(merger.on.year, f"tinh/{merger.result}/{agency.type_slug}")
            label = (
                f"{lexicon.province_label(province)} → {lexicon.province_label(merger.result)}"
                f" ({agency.type_slug})"
            )
            event(iri, merger, [a.iri for a in original], result, label)
    # an instrument is described once, in the registry: its time in force too
    quads += _programmes_in_force(corpus, lexicon, iris, ox.NamedNode(iris.graph("registry")))
    # every agency is in its own lineage and in that of each body it became, however many
    # changes apart: one link a question can follow on any engine (no path, no UNION)
    for agency_iri in list(corpus.agencies):
        for later in sorted(_closure(agency_iri, became) | {agency_iri}):
            add(agency_iri, CCHC + "lineageOf", ox.NamedNode(later))
    # and every province in its own and in that of the province it was merged into
    merged_into = {
        p: c.result for c in lexicon.changes if c.level == "province" for p in c.originals
    }
    for slug in sorted(lexicon.provinces):
        for later in sorted({slug, merged_into.get(slug, slug)}):
            add(iris.province(slug), CCHC + "lineageOf", ox.NamedNode(iris.province(later)))
    return quads


def _programmes_in_force(
    corpus: ResolvedCorpus, lexicon: Lexicon, iris: Iris, graph: ox.NamedNode
) -> list[ox.Quad]:
    """When each national programme the documents cite came into force and, once the years it
    governs are over, that it no longer is: ELI's in-force terms, with what says so."""
    out = []
    today = date.today()
    for programme in lexicon.programmes:
        year = programme.signed.year
        key = number_slug(number_key(programme.number, year))
        iri = iris.instrument(programme.kind, year, key)
        if iri not in corpus.instruments:
            continue
        ended = programme.period[1] < today.year
        status = ELI + ("InForce-notInForce" if ended else "InForce-inForce")
        facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (ELI + "first_date_entry_in_force", _day(programme.signed.isoformat())),
            (ELI + "in_force", ox.NamedNode(status)),
            (CCHC + "inForceSource", ox.Literal(programme.title, language="vi")),
        ]
        if ended:
            facts.append((ELI + "date_no_longer_in_force", _day(f"{programme.period[1]}-12-31")))
        out += [ox.Quad(ox.NamedNode(iri), ox.NamedNode(p), o, graph) for p, o in facts]
    return out


def _day(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))


def _closure(start: str, became: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    todo = [start]
    while todo:
        for later in became.get(todo.pop(), ()):
            if later not in found:
                found.add(later)
                todo.append(later)
    return found


def _time(change: Change) -> ox.Literal:
    return ox.Literal(f"{change.on.isoformat()}T00:00:00", datatype=ox.NamedNode(XSD + "dateTime"))


def _label(change: Change, lexicon: Lexicon) -> str:
    names = [lexicon.agency_types[t].concept.label_vi for t in change.originals]
    result = lexicon.agency_types[change.result].concept.label_vi
    return f"{', '.join(names)} → {result} ({change.on.isoformat()})"


def _has(corpus: ResolvedCorpus, iris: Iris, province: str, type_slug: str) -> bool:
    return iris.agency(province, type_slug) in corpus.agencies


def _same_type(corpus: ResolvedCorpus, iris: Iris, province: str, agency: Agency) -> list[Agency]:
    found = corpus.agencies.get(iris.agency(province, agency.type_slug))
    return [found] if found is not None else []


def _agency(
    registry: AgencyRegistry, lexicon: Lexicon, province: str | None, type_slug: str
) -> Agency:
    agency_type = lexicon.agency_types[type_slug]
    mention = AgencyMention(agency_type.concept.label_vi, type_slug, agency_type.is_group)
    return registry.resolve(mention, province)


def _instrument(
    source: ChangeSource,
    registry: AgencyRegistry,
    corpus: ResolvedCorpus,
    lexicon: Lexicon,
    iris: Iris,
) -> Instrument:
    """The instrument a change rests on, as the instrument registry would name it."""
    year = source.date.year
    iri = iris.instrument(source.kind, year, number_slug(number_key(source.number, year)))
    instrument = corpus.instruments.get(iri)
    if instrument is None:
        kind = lexicon.instrument_kinds.get(source.kind)
        instrument = Instrument(
            iri,
            source.kind,
            source.number,
            source.date,
            year,
            source.issuer,
            None,
            source.title,
            kind.label_vi if kind else source.kind,
        )
        corpus.instruments[iri] = instrument
    if instrument.issuer_iri is None:
        instrument.issuer_iri = _agency(registry, lexicon, None, source.issuer).iri
    return instrument
