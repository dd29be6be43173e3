"""Every SHACL constraint fires on a fixture made to break it, and stays quiet on a complete plan.

The cases are in tests/shapes/cases.yaml (read that file's header). Both engines are run on the
same broken graph and must agree finding for finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from rdflib.namespace import RDF, SH

from cchc_graph.build import assemble
from cchc_graph.ingest.sources import read_source
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.namespaces import PREFIXES, sparql_prefixes
from cchc_graph.parse import parse_document
from cchc_graph.resources import load_lexicon
from cchc_graph.settings import Settings
from cchc_graph.validate import Finding, Level, load_shapes, union_store, validate
from tests.conftest import ROOT

BASE = DEFAULT_BASE
SHAPES_NS = "https://w3id.org/cchc/shapes#"
COMPLETE_PLAN = ROOT / "tests" / "data" / "variants" / "binh_dinh_2020_columns.txt"
CASES_FILE = Path(__file__).parent / "shapes" / "cases.yaml"
PROLOGUE = f"BASE <{BASE}>\n" + sparql_prefixes()


@dataclass(frozen=True)
class Case:
    shape: str
    why: str
    focus: str
    update: str
    level: str | None = None
    path: str | None = None
    message: str | None = None
    expect: str = "finding"

    @property
    def focus_iri(self) -> str:
        return BASE + self.focus

    @property
    def path_iri(self) -> str | None:
        if self.path is None:
            return None
        inverse = self.path.startswith("^")
        prefix, local = self.path.lstrip("^").split(":")
        return ("^" if inverse else "") + PREFIXES[prefix] + local


CASES = [Case(**entry) for entry in yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))]
FAILING = [c for c in CASES if c.expect == "finding"]
PASSING = [c for c in CASES if c.expect == "none"]


def case_id(case: Case) -> str:
    return f"{case.shape}:{case.why}"


@pytest.fixture(scope="module")
def complete_plan() -> list[ox.Quad]:
    """The graph of a plan that lacks nothing: the base every case breaks."""
    settings = Settings()
    document = parse_document(read_source(COMPLETE_PLAN), load_lexicon(settings))
    return assemble([document], settings).quads


def broken(quads: list[ox.Quad], *cases: Case) -> ox.Store:
    store = union_store(quads)
    for case in cases:
        store.update(PROLOGUE + case.update)
    return store


def fired(findings: list[Finding], case: Case) -> list[Finding]:
    return [
        f
        for f in findings
        if f.shape == SHAPES_NS + case.shape
        and f.focus == case.focus_iri
        and (case.path is None or f.path == case.path_iri)
    ]


def test_a_complete_plan_has_no_finding(complete_plan: list[ox.Quad], shapes: rdflib.Graph) -> None:
    report = validate(union_store(complete_plan), shapes)
    assert [(f.shape_name, f.focus, f.message_en) for f in report.findings] == []


@pytest.mark.parametrize("case", FAILING, ids=case_id)
def test_each_shape_fires_on_its_broken_fixture(
    case: Case, complete_plan: list[ox.Quad], shapes: rdflib.Graph
) -> None:
    report = validate(broken(complete_plan, case), shapes)
    found = fired(report.findings, case)
    assert found, f"{case.shape} did not fire on {case.focus}: {case.why}"
    assert {f.level.label for f in found} == {case.level}
    assert case.message in {f.message_en for f in found}
    assert all(f.message_vi and f.message_vi != f.message_en for f in found)
    # a completeness case never makes the graph fail, an integrity case always does
    assert report.conforms is (case.level != "violation")


@pytest.mark.parametrize("case", PASSING, ids=case_id)
def test_each_exception_stays_quiet(
    case: Case, complete_plan: list[ox.Quad], shapes: rdflib.Graph
) -> None:
    report = validate(broken(complete_plan, case), shapes)
    assert fired(report.findings, case) == []


def constraint_messages(shapes: rdflib.Graph) -> set[tuple[str, str]]:
    """(node shape, English message) of every constraint that has a message of its own."""
    found = set()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        name = str(shape).removeprefix(SHAPES_NS)
        owners = [shape, *shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)]
        for owner in owners:
            for message in shapes.objects(owner, SH.message):
                if isinstance(message, rdflib.Literal) and message.language == "en":
                    found.add((name, str(message)))
    return found


def test_every_constraint_has_a_failing_case(shapes: rdflib.Graph) -> None:
    required = constraint_messages(shapes)
    covered = {(c.shape, c.message) for c in FAILING}
    assert required - covered == set()
    assert covered - required == set()  # a case naming a message no shape has


def test_every_constraint_speaks_vietnamese_and_english(shapes: rdflib.Graph) -> None:
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert {lit.language for lit in shapes.objects(shape, rdflib.RDFS.label)} == {"vi", "en"}
        owners = [*shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)]
        if any((shape, p, None) in shapes for p in (SH.pattern, SH.nodeKind, SH["or"])):
            owners.append(shape)  # constraints on the node itself share the shape's message
        assert owners, shape
        for owner in owners:
            languages = sorted(m.language for m in shapes.objects(owner, SH.message))
            assert languages == ["en", "vi"], (shape, owner)


def test_severities_by_file() -> None:
    directory = Settings().shapes_dir
    integrity = load_shapes([directory / "integrity.ttl"])
    completeness = load_shapes([directory / "completeness.ttl"])
    for shape in integrity.subjects(RDF.type, SH.NodeShape):
        assert integrity.value(shape, SH.severity) == SH.Violation
        for constraint in integrity.objects(shape, SH.property):
            assert integrity.value(constraint, SH.severity) in (None, SH.Violation)
    for shape in completeness.subjects(RDF.type, SH.NodeShape):
        severity = completeness.value(shape, SH.severity)
        assert severity in (SH.Warning, SH.Info)
        # a property shape does not inherit its node shape's severity: it must say it again
        for constraint in completeness.objects(shape, SH.property):
            assert completeness.value(constraint, SH.severity) == severity


def test_both_engines_agree_on_every_broken_fixture(
    complete_plan: list[ox.Quad], shapes: rdflib.Graph
) -> None:
    store = broken(complete_plan, *FAILING)
    turbo = validate(store, shapes, "turbo")
    reference = validate(store, shapes, "pyshacl")
    assert len(turbo.findings) > len(FAILING)
    assert key_set(turbo.findings) == key_set(reference.findings)
    assert turbo.count(Level.VIOLATION) == reference.count(Level.VIOLATION)


def key_set(findings: list[Finding]) -> set[tuple[object, ...]]:
    return {(f.level, f.focus, f.shape, f.path, f.message_en, f.line) for f in findings}
