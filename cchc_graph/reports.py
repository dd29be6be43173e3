"""reports: ValidationReport and CheckReport -> text, Markdown, HTML (Jinja2 templates under
cchc_graph/templates/) or Turtle (the SHACL report itself, for other tools).

Findings are grouped by document, then by severity, and ordered by source line; each shows the
task id, the line, the check, the Vietnamese and English message and the quoted source text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

import jinja2
import rdflib
from rdflib.namespace import RDF, SH

from cchc_graph.check import CheckReport, Repeat
from cchc_graph.records import Problem
from cchc_graph.validate import Finding, Level, ValidationReport

FORMATS = ("text", "markdown", "html", "turtle")
GRAPH_WIDE = "(graph-wide)"
QUOTE_WIDTH = 110


@dataclass(frozen=True, slots=True)
class DocumentGroup:
    """The findings of one document at one threshold, by severity."""

    file: str
    title: str
    levels: list[tuple[Level, list[Finding]]]


def group(findings: list[Finding], titles: dict[str, str]) -> list[DocumentGroup]:
    """Findings by document (graph-wide ones last), then by severity (violations first); the
    findings come in that order from `validate`."""
    groups = []
    for file, in_document in groupby(findings, key=lambda f: f.document):
        by_level = [
            (level, list(items)) for level, items in groupby(in_document, lambda f: f.level)
        ]
        groups.append(DocumentGroup(file or GRAPH_WIDE, titles.get(file or "", ""), by_level))
    return groups


def counts(findings: list[Finding]) -> str:
    """ "0 violations, 44 warnings, 73 infos" """
    parts = []
    for level in sorted(Level, reverse=True):
        n = sum(1 for f in findings if f.level is level)
        parts.append(f"{n} {level.label}{'' if n == 1 else 's'}")
    return ", ".join(parts)


# ------------------------------------------------------------------------------------- validate
def render_validation(report: ValidationReport, fmt: str, threshold: Level) -> str:
    """The report in one of FORMATS, showing findings at `threshold` and above."""
    shown = report.at_least(threshold)
    if fmt == "turtle":
        return _turtle(report.results, threshold)
    if fmt == "html":
        return _template("validation.html").render(
            report=report,
            groups=group(shown, report.documents),
            counts=counts(report.findings),
            threshold=threshold,
            Level=Level,
        )
    if fmt == "markdown":
        head = [
            "# Validation report",
            "",
            f"{_summary(report)}  ",
            f"Shown: {threshold.label} and above.",
            "",
        ]
        return "\n".join([*head, *_markdown_findings(shown, report.documents)])
    if fmt == "text":
        lines = [_summary(report), f"shown: {threshold.label} and above", ""]
        return "\n".join([*lines, *_text_findings(shown, report.documents)]).rstrip() + "\n"
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def _summary(report: ValidationReport) -> str:
    verdict = "conforms" if report.conforms else "DOES NOT CONFORM"
    return (
        f"{verdict}: {counts(report.findings)} in {len(report.documents)} documents "
        f"({report.triples:,} triples, {report.engine}, {report.seconds:.2f} s)"
    )


def _text_findings(findings: list[Finding], titles: dict[str, str]) -> Iterator[str]:
    for document in group(findings, titles):
        yield f"{document.file}  {document.title}".rstrip()
        for level, items in document.levels:
            yield f"  {level.label} ({len(items)})"
            for f in items:
                where = f"line {f.line}" if f.line else ""
                yield f"    {where:9} {f.item or _short(f.focus):12}  {f.shape_label_en}"
                if f.place:
                    yield f"        ({f.place})"
                yield f"        {f.message_vi}"
                yield f"        {f.message_en}"
                if f.value and f.path and f.value_is_literal:
                    yield f"        value: {f.value}"
                if f.quote:
                    yield f"        « {_clip(f.quote)} »"
        yield ""


def _markdown_findings(findings: list[Finding], titles: dict[str, str]) -> Iterator[str]:
    if not findings:
        yield "No findings."
        return
    for document in group(findings, titles):
        yield f"## {document.file}" + (f": {_cell(document.title)}" if document.title else "")
        yield ""
        for level, items in document.levels:
            yield f"### {level.label} ({len(items)})"
            yield ""
            yield "| line | item | check | message | source text |"
            yield "|---:|---|---|---|---|"
            for f in items:
                message = f"{_cell(f.message_vi)}<br>*{_cell(f.message_en)}*"
                yield (
                    f"| {f.line or ''} | {_cell(f.item or _short(f.focus))} | "
                    f"{_cell(f.shape_label_en)} | {message} | {_cell(_clip(f.quote or ''))} |"
                )
            yield ""


def _turtle(results: rdflib.Graph, threshold: Level) -> str:
    """The SHACL validation report as the engine made it, with only the results kept."""
    kept = rdflib.Graph()
    for prefix, namespace in results.namespaces():
        kept.bind(prefix, namespace)
    for report in results.subjects(RDF.type, SH.ValidationReport):
        for triple in results.triples((report, None, None)):
            if triple[1] != SH.result:
                kept.add(triple)
        for result in results.objects(report, SH.result):
            severity = results.value(result, SH.resultSeverity)
            if Level.of(str(severity)) >= threshold:
                kept.add((report, SH.result, result))
                _copy_description(results, result, kept)
    return kept.serialize(format="turtle")


def _copy_description(source: rdflib.Graph, node: rdflib.term.Node, target: rdflib.Graph) -> None:
    """The triples of `node` and of the blank nodes it leads to (paths, details)."""
    pending, seen = [node], set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for triple in source.triples((subject, None, None)):
            target.add(triple)
            if isinstance(triple[2], rdflib.BNode):
                pending.append(triple[2])


# ---------------------------------------------------------------------------------------- check
def render_check(report: CheckReport, fmt: str, threshold: Level) -> str:
    """What `cchc check` found in a draft, in text, Markdown or HTML."""
    shown = [f for f in report.findings if f.level >= threshold]
    titles = {report.file: report.title or ""}
    if fmt == "html":
        return _template("check.html").render(
            report=report,
            groups=group(shown, titles),
            counts=counts(report.findings),
            threshold=threshold,
        )
    if fmt == "markdown":
        return "\n".join(_markdown_check(report, shown, titles)) + "\n"
    if fmt == "text":
        return "\n".join(_text_check(report, shown, titles)).rstrip() + "\n"
    raise ValueError(f"unknown format {fmt!r} for check: use text, markdown or html")


def _check_head(report: CheckReport) -> list[str]:
    verdict = "conforms" if report.conforms else "DOES NOT CONFORM"
    lines = [
        f"{report.file}: {report.title or '(no title found)'}",
        f"read as {report.layout}: {report.tasks} tasks, {report.deliverables} deliverables, "
        f"{report.targets} targets -> {report.iri}",
        f"{verdict}: {counts(report.findings)} ({report.engine}, {report.seconds:.2f} s)",
    ]
    if report.replaced:
        lines.append(f"checked in place of {', '.join(report.replaced)} (same document)")
    lines += [f"checked without (not read): {unread}" for unread in report.unread]
    return lines


def _text_check(report: CheckReport, shown: list[Finding], titles: dict[str, str]) -> Iterator[str]:
    yield from _check_head(report)
    yield ""
    yield "Completeness and integrity"
    yield from (f"  {line}" if line else "" for line in _text_findings(shown, titles))
    if not shown:
        yield "  nothing to report"
        yield ""
    yield f"What the reader could not understand ({len(report.problems)})"
    for problem in report.problems:
        yield f"  line {problem.span.line_start}  {problem.severity.value}  {problem.kind}"
        yield f"      {problem.message}"
    yield ""
    yield f"Tasks that repeat earlier plans ({len(report.repeats)})"
    for repeat in report.repeats:
        yield f"  line {repeat.line}  {_repeat(repeat)}"
    yield ""
    yield f"Agencies no other document names ({len(report.new_agencies)})"
    for agency in report.new_agencies:
        yield f"  line {agency.line}  {agency.label}"
    yield ""
    yield (
        f"Instruments cited: {report.known_instruments} already in the graph, "
        f"{len(report.new_instruments)} new"
    )
    for instrument in report.new_instruments:
        yield f"  line {instrument.line}  {instrument.label}"


def _markdown_check(
    report: CheckReport, shown: list[Finding], titles: dict[str, str]
) -> Iterator[str]:
    head = _check_head(report)
    yield f"# Check: {head[0]}"
    yield ""
    yield from (f"{line}  " for line in head[1:])
    yield ""
    yield from _markdown_findings(shown, titles)
    yield ""
    yield f"## What the reader could not understand ({len(report.problems)})"
    yield ""
    yield from (_problem_bullet(p) for p in report.problems)
    yield ""
    yield f"## Tasks that repeat earlier plans ({len(report.repeats)})"
    yield ""
    for repeat in report.repeats:
        yield f"- line {repeat.line}: {_repeat(repeat)}"
    yield ""
    yield f"## Agencies no other document names ({len(report.new_agencies)})"
    yield ""
    yield from (f"- line {a.line}: {a.label}" for a in report.new_agencies)
    yield ""
    yield f"## New instruments ({len(report.new_instruments)})"
    yield ""
    yield from (f"- line {i.line}: {i.label}" for i in report.new_instruments)


def _repeat(repeat: Repeat) -> str:
    return (
        f"{repeat.task} repeats {repeat.earlier_task} of {repeat.earlier_file} "
        f"(line {repeat.earlier_line}, similarity {repeat.similarity:.2f})"
    )


def _problem_bullet(problem: Problem) -> str:
    return (
        f"- line {problem.span.line_start}: {problem.severity.value}, {problem.kind}: "
        f"{_cell(problem.message)}"
    )


# ---------------------------------------------------------------------------------------- shared
@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("cchc_graph", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(short=_short, clip=_clip)
    return environment


def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


def _short(iri: str) -> str:
    """The tail of an IRI after the base: "agency/khanh-hoa/so-tu-phap"."""
    marker = "/id/"
    return iri.split(marker, 1)[1] if marker in iri else iri.rsplit("#", 1)[-1]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_WIDTH else text[: QUOTE_WIDTH - 1] + "…"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
