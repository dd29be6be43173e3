"""agencies: AgencyMention + the document's province -> Agency (one per province and type).

"Sở Tư pháp" in a Khánh Hòa plan is agency/khanh-hoa/so-tu-phap whatever its spelling; national
bodies (Chính phủ, Bộ Nội vụ) are agency/viet-nam/...; a named district ("UBND huyện Khánh Sơn")
is its own agency of type ubnd-huyen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cchc_graph.iris import NATIONAL_SCOPE, UNKNOWN_SCOPE, Iris
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.gazetteer import UNRESOLVED_TYPES
from cchc_graph.records import AgencyMention


@dataclass(slots=True)
class Agency:
    """One agency (or collective group) of one province, with every spelling seen for it."""

    iri: str
    type_slug: str
    province: str | None
    label_vi: str
    label_en: str
    is_group: bool
    spellings: set[str] = field(default_factory=set)

    @property
    def national(self) -> bool:
        """A central body (Chính phủ, Bộ Nội vụ): no province of its own."""
        return self.iri.rsplit("/", 2)[-2] == NATIONAL_SCOPE


class AgencyRegistry:
    """Every agency of the corpus, created on first mention and shared across documents."""

    def __init__(self, lexicon: Lexicon, iris: Iris) -> None:
        self.lexicon = lexicon
        self.iris = iris
        self.agencies: dict[str, Agency] = {}

    def resolve(
        self, mention: AgencyMention, province: str | None, national_document: bool = False
    ) -> Agency:
        """The agency a mention names, in the document's province (national bodies excepted);
        in a national body's document every agency it names is one of the country's ("các cơ
        quan liên quan" of a Prime Minister's decision are not one province's)."""
        agency_type = self.lexicon.agency_types[mention.type_slug]
        national = agency_type.level == "national" or national_document
        # a document whose province could not be read keeps its agencies apart, without a
        # province: validation then reports them
        scope = NATIONAL_SCOPE if national else (province or UNKNOWN_SCOPE)
        agency_slug = mention.name_slug or mention.type_slug
        if mention.province is not None:  # "UBND thành phố Hà Nội": Hà Nội's, named
            national, province, scope = False, mention.province, mention.province
            agency_slug = mention.type_slug
        iri = self.iris.agency(scope, agency_slug)
        agency = self.agencies.get(iri)
        if agency is None:
            place = None if national else province
            label_vi, label_en = self._labels(mention, place)
            agency = Agency(iri, mention.type_slug, place, label_vi, label_en, agency_type.is_group)
            self.agencies[iri] = agency
        if mention.text:
            agency.spellings.add(mention.text)
        return agency

    def _labels(self, mention: AgencyMention, province: str | None) -> tuple[str, str]:
        concept = self.lexicon.agency_types[mention.type_slug].concept
        if mention.type_slug in UNRESOLVED_TYPES and mention.label:
            return mention.label, mention.label  # named as written, no province added to it
        base_vi = mention.label or concept.label_vi
        base_en = mention.label or concept.label_en
        province_name = self.lexicon.province_label(province)
        if province_name is None:
            return base_vi, base_en
        suffix_vi = (
            f" tỉnh {province_name}" if not base_vi.endswith(" tỉnh") else f" {province_name}"
        )
        entry = self.lexicon.provinces.get(province or "")
        if entry is not None and entry.city:  # "Ủy ban nhân dân thành phố Hà Nội"
            label_vi = re.sub(r"(?<!\w)tỉnh(?!\w)", "thành phố", base_vi + suffix_vi)
            return label_vi, f"{base_en}, {province_name} city"
        return base_vi + suffix_vi, f"{base_en}, {province_name} province"
