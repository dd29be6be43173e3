"""lexicon: the domain vocabulary as plain values (concepts, agency types, indicators, provinces).

Built by resources.py from the vocabulary files; the parsers only ever see these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Concept:
    """A SKOS concept of one of our schemes, reduced to what matching and labelling need."""

    slug: str
    iri: str
    label_vi: str
    label_en: str
    alt_labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgencyType:
    """An agency type or collective group with every way the sources write it."""

    concept: Concept
    is_group: bool
    level: str
    short_names: tuple[str, ...]
    number_codes: tuple[str, ...]
    not_followed_by: tuple[str, ...]
    also_named_in: tuple[str, ...] = ()  # labels of other types that name this one as well

    @property
    def slug(self) -> str:
        return self.concept.slug


@dataclass(frozen=True, slots=True)
class Indicator:
    """An indicator concept and its match rules (tuples of folded terms, the last one decisive)."""

    concept: Concept
    rules: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Province:
    """A province: slug, label, and other spellings."""

    slug: str
    label: str
    aliases: tuple[str, ...]
    city: bool = False  # a centrally-run city: its provincial level is called "thành phố"


@dataclass(frozen=True, slots=True)
class ChangeSource:
    """The instrument a change of the administration rests on (data/vocab/reorganisation-2025)."""

    slug: str
    kind: str  # an instrument-kind slug
    number: str
    date: date
    issuer: str  # an agency-type slug
    title: str


@dataclass(frozen=True, slots=True)
class Change:
    """One change: `originals` (agency types, or provinces) became `result` on `on`."""

    id: str
    level: str  # "department" (agency types, in every province) or "province"
    kind: str  # merger, transfer, dissolution
    originals: tuple[str, ...]
    result: str
    on: date
    source: str  # a ChangeSource slug
    part_to: str | None = None  # where a part of an original went ("báo chí" to VH-TT&DL)
    what: str | None = None  # what moved, in words, when not everything did


@dataclass(frozen=True, slots=True)
class Programme:
    """A national programme and the years it governs (data/vocab/programmes.yaml)."""

    kind: str
    number: str
    signed: date
    period: tuple[int, int]
    title: str


# eq=False: a lexicon is hashed by identity, so what is compiled from it can be cached on it
@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Everything the parsers and resolvers know about the domain, loaded from vocabulary files."""

    agency_types: dict[str, AgencyType]
    areas: dict[str, Concept]
    instrument_kinds: dict[str, Concept]
    kind_codes: dict[str, str]  # "QĐ" -> "quyet-dinh"
    issuer_codes: dict[str, str]  # "CP" -> "chinh-phu"
    deadline_phrases: dict[str, tuple[str, ...]]  # kind -> folded phrases
    indicators: dict[str, Indicator]
    provinces: dict[str, Province]
    # (folded header phrase, column role slug), from ontology/schemes/column-roles.ttl
    column_phrases: tuple[tuple[str, str], ...] = ()
    # the 2025 reorganisation (data/vocab/reorganisation-2025.yaml)
    changes: tuple[Change, ...] = ()
    change_sources: dict[str, ChangeSource] = field(default_factory=dict)
    programmes: tuple[Programme, ...] = ()

    def ended(self, type_slug: str) -> Change | None:
        """The change after which no body of this agency type exists, if any."""
        return next(
            (
                c
                for c in self.changes
                if c.level == "department"
                and type_slug in c.originals
                and c.result != type_slug
                and c.kind != "transfer"
            ),
            None,
        )

    def province_label(self, slug: str | None) -> str | None:
        """Label of a province slug, or None."""
        return self.provinces[slug].label if slug in self.provinces else None
