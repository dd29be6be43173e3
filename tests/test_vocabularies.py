"""The ontology and the SKOS vocabularies: labels in both languages, mappings that hold."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from cchc_graph.parse.context import ParseContext
from cchc_graph.resources import load_lexicon

ONTOLOGY = Path(__file__).parent.parent / "ontology"
SCHEMES = sorted((ONTOLOGY / "schemes").glob("*.ttl"))
CCHC = rdflib.Namespace("https://w3id.org/cchc/def#")


def graph(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


@pytest.mark.parametrize("path", SCHEMES, ids=[p.stem for p in SCHEMES])
def test_every_concept_has_vi_and_en_labels(path: Path) -> None:
    g = graph(path)
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts
    for concept in concepts:
        langs = {label.language for label in g.objects(concept, SKOS.prefLabel)}
        assert {"vi", "en"} <= langs, concept
        assert (concept, SKOS.inScheme, None) in g, concept


@pytest.mark.parametrize("path", SCHEMES, ids=[p.stem for p in SCHEMES])
def test_every_concept_is_described_once(path: Path) -> None:
    """A concept written twice is merged by a parser but written twice to the build's N-Quads."""
    opened = re.findall(r"^(\w+:[\w-]+) a skos:Concept", path.read_text("utf-8"), re.MULTILINE)
    assert sorted(c for c in set(opened) if opened.count(c) > 1) == []


def test_ontology_terms_have_labels_and_definitions_in_both_languages() -> None:
    g = graph(ONTOLOGY / "cchc.ttl")
    terms = [
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in g.subjects(RDF.type, kind)
    ]
    assert len(terms) > 60
    for term in terms:
        for predicate in (RDFS.label, SKOS.definition):
            langs = {o.language for o in g.objects(term, predicate)}
            assert {"vi", "en"} <= langs, (term, predicate)


@pytest.mark.parametrize(
    "term",
    [
        "LegalInstrument",
        "Plan",
        "Directive",
        "ActionDocument",
        "Task",
        "Deliverable",
        "Agency",
        "AgencyGroup",
        "Target",
        "SourceDocument",
    ],
)
def test_core_classes_of_design(term: str) -> None:
    assert (CCHC[term], RDF.type, OWL.Class) in graph(ONTOLOGY / "cchc.ttl")


@pytest.mark.parametrize(
    "term",
    [
        "instrumentKind",
        "province",
        "periodStart",
        "periodEnd",
        "adoptedBy",
        "legalBasis",
        "implements",
        "inDocument",
        "localId",
        "reformArea",
        "hasDeliverable",
        "product",
        "dueDate",
        "startDate",
        "deadlineText",
        "deadlineKind",
        "leadAgency",
        "cooperatingAgency",
        "participantAgency",
        "budget",
        "indicator",
        "comparator",
        "targetValue",
        "targetValueMax",
        "unit",
        "targetYear",
        "scope",
        "sourceLine",
        "sourceText",
        "continues",
    ],
)
def test_core_properties_of_design(term: str) -> None:
    g = graph(ONTOLOGY / "cchc.ttl")
    assert any(
        (CCHC[term], RDF.type, kind) in g for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
    )


HEADINGS = [
    # every annex section heading of the sources, with the area it maps to
    ("CẢI CÁCH THỂ CHẾ", "the-che"),
    ("CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "thu-tuc-hanh-chinh"),
    ("CẢI CÁCH TỔ CHỨC BỘ MÁY", "to-chuc-bo-may"),
    ("CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH", "to-chuc-bo-may"),
    ("XÂY DỰNG VÀ NÂNG CAO CHẤT LƯỢNG ĐỘI NGŨ CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC", "can-bo-cong-chuc"),
    ("CẢI CÁCH TÀI CHÍNH CÔNG", "tai-chinh-cong"),
    ("HIỆN ĐẠI HÓA HÀNH CHÍNH", "hien-dai-hoa-hanh-chinh"),
    ("CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO THỰC HIỆN CCHC", "chi-dao-dieu-hanh"),
    ("XÂY DỰNG VĂN BẢN QUY PHẠM PHÁP LUẬT", "van-ban-qppl"),
    ("THỰC HIỆN CƠ CHẾ MỘT CỬA, CƠ CHẾ MỘT CỬA LIÊN THÔNG", "mot-cua"),
    ("XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", "chinh-phu-dien-tu"),
    ("CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "chi-dao-dieu-hanh"),
    ("CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", "che-do-cong-vu"),
]


@pytest.mark.parametrize("heading,area", HEADINGS, ids=[h for h, _ in HEADINGS])
def test_section_headings_map_onto_areas(heading: str, area: str) -> None:
    context = ParseContext(load_lexicon(), "x.txt", None, "plan", None, None)
    assert context.area_of(heading) == area


def test_other_headings_map_onto_programme_areas() -> None:
    g = graph(ONTOLOGY / "schemes" / "reform-areas.ttl")
    area = rdflib.Namespace("https://w3id.org/cchc/id/area/")
    assert (area["mot-cua"], SKOS.broadMatch, area["thu-tuc-hanh-chinh"]) in g
    assert (area["van-ban-qppl"], SKOS.broadMatch, area["the-che"]) in g
    programme_2021 = set(g.subjects(SKOS.broader, area["programme-2021-2030"]))
    assert programme_2021 == {
        area[s]
        for s in (
            "the-che",
            "thu-tuc-hanh-chinh",
            "to-chuc-bo-may",
            "che-do-cong-vu",
            "tai-chinh-cong",
            "chinh-phu-dien-tu",
        )
    }


REQUIRED_INDICATORS = [
    "satisfaction-state-agencies",
    "satisfaction-public-services",
    "online-services-level-3",
    "online-services-level-4",
    "online-dossiers",
    "online-payment",
    "e-documents",
    "one-stop-shops",
    "iso-9001",
    "simplified-procedures",
    "late-dossiers",
    "civil-servant-standards",
    "par-index",
    "pci",
    "papi",
]


def test_indicators_the_issue_names() -> None:
    assert set(REQUIRED_INDICATORS) <= set(load_lexicon().indicators)


@pytest.mark.parametrize(
    "spelling",
    [
        "TN&MT",
        "VH-TT&DL",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "Lao động – Thương binh và Xã hội",
        "Lao động - Thương binh và Xã hội",
    ],
)
def test_source_spellings_are_in_the_agency_vocabulary(spelling: str) -> None:
    g = graph(ONTOLOGY / "schemes" / "agency-types.ttl")
    names = {
        str(o) for p in (SKOS.prefLabel, SKOS.altLabel, CCHC.shortName) for o in g.objects(None, p)
    }
    assert any(spelling in name for name in names)


VOCABULARY_FILES = (
    *sorted(ONTOLOGY.rglob("*.ttl")),
    *sorted((ONTOLOGY.parent / "shapes").glob("*.ttl")),
    *sorted((ONTOLOGY.parent / "queries").rglob("*.rq")),
)
ELI = "http://data.europa.eu/eli/ontology#"
ELI_TERMS = frozenset(
    line.strip()
    for line in (Path(__file__).parent / "data" / "vocabularies" / "eli-terms.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
)
# rdflib's closed namespaces: an attribute that is no term of the vocabulary raises
CLOSED = {
    str(ns): ns
    for ns in (
        rdflib.namespace.ORG,
        rdflib.namespace.SKOS,
        rdflib.namespace.PROV,
        rdflib.namespace.DCTERMS,
        rdflib.namespace.TIME,
        OWL,
    )
}


def _terms_used(store: ox.Store) -> set[str]:
    """Every IRI the graph, the ontology, the shapes and the queries use from the vocabularies
    we borrow from."""
    used: set[str] = set()
    for quad in store:
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode):
                used.add(term.value)
    for path in VOCABULARY_FILES:
        text = path.read_text(encoding="utf-8")
        prefixes = dict(re.findall(r"(?im)^\s*@?prefix\s+(\w+):\s*<([^>]+)>", text))
        for prefix, name in re.findall(r"(?<![\w/#])(\w+):([A-Za-z_][\w-]*)", text):
            if prefix in prefixes:
                used.add(prefixes[prefix] + name)
    # the vocabularies' own IRIs (owl:imports <http://www.w3.org/ns/org#>) name no term
    return {t for t in used if t.startswith((ELI, *CLOSED)) and t not in (ELI, *CLOSED)}


def test_every_borrowed_term_exists_in_its_vocabulary(store: ox.Store) -> None:
    unknown = []
    for term in sorted(_terms_used(store)):
        if term.startswith(ELI):
            if term[len(ELI) :] not in ELI_TERMS:
                unknown.append(term)
            continue
        base = next(b for b in CLOSED if term.startswith(b))
        try:
            getattr(CLOSED[base], term[len(base) :])
        except AttributeError:
            unknown.append(term)
    assert unknown == []
