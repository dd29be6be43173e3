"""context: what every reader of one document shares (vocabulary, gazetteer, the source, the plan's
period) — built once per document after its header is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.gazetteer import Gazetteer, gazetteer_for
from cchc_graph.records import Span
from cchc_graph.text import fold


@dataclass(frozen=True, slots=True)
class ParseContext:
    """Shared, read-only state of one document's parse."""

    lexicon: Lexicon
    source: str
    province: str | None
    doc_type: str
    period_start: int | None
    period_end: int | None

    @property
    def gazetteer(self) -> Gazetteer:
        return gazetteer_for(self.lexicon, self.province)

    @property
    def single_year(self) -> int | None:
        """The year of a plan of one year, which a date written without its year is in."""
        if self.period_start is not None and self.period_start == self.period_end:
            return self.period_start
        return None

    def span(self, start: int, end: int | None = None) -> Span:
        """A Span over 1-based lines of this document."""
        return Span(self.source, start, end if end is not None else start)

    def area_of(self, heading: str) -> str | None:
        """Reform-area slug whose label the heading contains (longest label wins), or None."""
        key = fold(heading)
        for folded, slug in _area_labels(self.lexicon):
            if folded in key:
                return slug
        return None


@lru_cache(maxsize=8)
def _area_labels(lexicon: Lexicon) -> list[tuple[str, str]]:
    """(folded label, area slug) of every area label, longest first; folded once per lexicon."""
    labels = [
        (fold(label), slug)
        for slug, concept in lexicon.areas.items()
        for label in (concept.label_vi, *concept.alt_labels)
        if fold(label)
    ]
    return sorted(labels, key=lambda pair: -len(pair[0]))
