"""instruments: Citation records of the whole corpus -> Instrument identities (kind + number +
date + issuer), one IRI each.

76/NQ-CP of 13/6/2013 and 76/NQ-CP of 15/7/2021 are two instruments: the date is part of the
identity. A citation that gives no date is tied to the dated instrument of the same kind and
number cited in the same document, else to the only one known in the corpus; when several are
known and the document does not say which, it stays an undated instrument of its own and the
build reports it. Provincial numbers ("3377/QĐ-UBND") are only unique within a province, so their
IRIs carry the province.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from cchc_graph.iris import Iris, number_slug
from cchc_graph.lexicon import Lexicon
from cchc_graph.records import Citation, ParsedDocument, Problem, Severity
from cchc_graph.text import slug

_IDENTITY_YEAR = re.compile(r"/((?:19|20)\d{2})/")


@dataclass(slots=True)
class Instrument:
    """A legal instrument: what all the citations of it say together."""

    iri: str
    kind: str
    number: str | None
    date: date | None
    year: int | None
    issuer_slug: str | None
    scope: str | None  # the province a provincial instrument belongs to
    title: str | None
    kind_label: str  # "Nghị định", from the instrument-kinds vocabulary
    issuer_iri: str | None = None  # the agency that issued it, as the agency registry names it


def number_key(number: str, year: int | None) -> str:
    """ "108/2014/NĐ-CP" of 2014 and "108/NĐ-CP" of 2014 name one decree: drop the year part."""
    if year is not None:
        return number.replace(f"/{year}/", "/")
    return _IDENTITY_YEAR.sub("/", number)


class InstrumentRegistry:
    """Resolves every citation of a corpus to an Instrument."""

    def __init__(self, lexicon: Lexicon, iris: Iris) -> None:
        self.lexicon = lexicon
        self.iris = iris
        self.instruments: dict[str, Instrument] = {}
        self._dated: dict[tuple[str, str, str | None], list[Instrument]] = defaultdict(list)
        self.problems: list[Problem] = []

    def register_dated(self, documents: list[ParsedDocument]) -> None:
        """First pass: every citation that carries a date or a year defines an instrument."""
        for document in documents:
            for citation in _all_citations(document):
                if citation.date is not None or citation.year is not None:
                    self.resolve(citation, document)

    def resolve(self, citation: Citation, document: ParsedDocument) -> Instrument:
        """The instrument a citation names (creating it on first sight)."""
        scope = self._scope(citation, document)
        year = citation.year or (citation.date.year if citation.date else None)
        if year is None and citation.number:
            year = self._year_from_context(citation, document, scope)
        key = self._key(citation, year)
        iri = self.iris.instrument(citation.kind, year, key + (f"-{scope}" if scope else ""))
        instrument = self.instruments.get(iri)
        if instrument is None:
            instrument = Instrument(
                iri,
                citation.kind,
                citation.number,
                citation.date,
                year,
                citation.issuer.type_slug if citation.issuer else None,
                scope,
                citation.title,
                self._kind_label(citation.kind),
            )
            self.instruments[iri] = instrument
            if year is not None and citation.number:
                self._dated[(citation.kind, number_key(citation.number, year), scope)].append(
                    instrument
                )
        else:
            _merge(instrument, citation)
        return instrument

    def _kind_label(self, kind: str) -> str:
        concept = self.lexicon.instrument_kinds.get(kind)
        return concept.label_vi if concept else kind

    def _key(self, citation: Citation, year: int | None) -> str:
        if citation.number:
            return number_slug(number_key(citation.number, year))
        title_slug = slug(citation.title or "untitled")
        return title_slug if len(title_slug) <= 120 else title_slug[:120].rsplit("-", 1)[0]

    def _scope(self, citation: Citation, document: ParsedDocument) -> str | None:
        issuer = citation.issuer
        if issuer is None or self.lexicon.agency_types[issuer.type_slug].level == "national":
            return None
        return document.header.province

    def _year_from_context(
        self, citation: Citation, document: ParsedDocument, scope: str | None
    ) -> int | None:
        if citation.number is None:
            return None
        candidates = [
            i
            for (kind, num, sc), found in self._dated.items()
            if kind == citation.kind and sc == scope and num == number_key(citation.number, None)
            for i in found
        ]
        same_document = {
            c.year or (c.date.year if c.date else None)
            for c in _all_citations(document)
            if c.kind == citation.kind
            and c.number
            and number_key(c.number, c.year) == number_key(citation.number, None)
            and (c.year or c.date)
        }
        same_document.discard(None)
        if len(same_document) == 1:
            return same_document.pop()
        years = {i.year for i in candidates}
        if len(years) == 1:
            return years.pop()
        if len(years) > 1:
            self.problems.append(
                Problem(
                    "ambiguous-instrument",
                    f"{citation.number} is cited without a date and the corpus "
                    f"knows it from {sorted(y for y in years if y)}: left undated",
                    Severity.WARNING,
                    citation.span,
                    citation.quote,
                )
            )
        return None


def _merge(instrument: Instrument, citation: Citation) -> None:
    if instrument.date is None and citation.date is not None:
        instrument.date = citation.date
    if instrument.title is None and citation.title:
        instrument.title = citation.title
    if instrument.issuer_slug is None and citation.issuer is not None:
        instrument.issuer_slug = citation.issuer.type_slug


def _all_citations(document: ParsedDocument) -> list[Citation]:
    adopted = [document.header.adopted_by] if document.header.adopted_by else []
    return [*adopted, *document.citations]
