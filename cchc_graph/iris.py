"""iris: deterministic instance IRIs, one minting function per pattern of DESIGN.md.

Slugs are ASCII, lower case, diacritics removed, "đ" -> "d". Local ids keep their dots
("II.1"); the letter "đ" of Vietnamese outlines becomes "dd" there so that "2.d" and "2.đ" stay
two tasks.
"""

from __future__ import annotations

import re

from cchc_graph.text import slug

DEFAULT_BASE = "https://w3id.org/cchc/id/"
NATIONAL_SCOPE = "viet-nam"  # national bodies (Chính phủ, Bộ Nội vụ) belong to no province
UNKNOWN_SCOPE = "unknown"  # a document whose province could not be read, and its agencies


class Iris:
    """Mints every instance IRI from one base ("https://w3id.org/cchc/id/")."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith("/") else base + "/"

    def instrument(self, kind: str, year: int | None, number_key: str) -> str:
        """instrument/{kind}/{year}/{number}: instrument/nghi-quyet/2011/30c-nq-cp."""
        return f"{self.base}instrument/{kind}/{year if year else 'undated'}/{number_key}"

    def plan(self, province: str, period: tuple[int, int], variant: str | None = None) -> str:
        """plan/{province}/{period}: plan/khanh-hoa/2014, plan/cao-bang/2016-2020; a second
        plan of the same province and period adds its number: plan/khanh-hoa/2014/1234-qd-ubnd."""
        iri = f"{self.base}plan/{province}/{period_slug(period)}"
        return f"{iri}/{variant}" if variant else iri

    def directive(self, province: str, year: int, number: str) -> str:
        """directive/{province}/{year}/{n}."""
        return f"{self.base}directive/{province}/{year}/{number}"

    def task(self, plan_key: str, local_id: str) -> str:
        """task/{plan-key}/{local id}: task/khanh-hoa-2014/II.1."""
        return f"{self.base}task/{plan_key}/{local_segment(local_id)}"

    def deliverable(self, task_iri: str, index: int) -> str:
        """task/{plan-key}/{local id}/d{n}."""
        return f"{task_iri}/d{index}"

    def agency(self, scope: str, agency_slug: str) -> str:
        """agency/{province}/{slug}: agency/khanh-hoa/so-tu-phap."""
        return f"{self.base}agency/{scope}/{agency_slug}"

    def agency_type(self, type_slug: str) -> str:
        return f"{self.base}agency-type/{type_slug}"

    def province(self, province_slug: str) -> str:
        return f"{self.base}province/{province_slug}"

    def indicator(self, indicator_slug: str) -> str:
        return f"{self.base}indicator/{indicator_slug}"

    def area(self, area_slug: str) -> str:
        return f"{self.base}area/{area_slug}"

    def instrument_kind(self, kind: str) -> str:
        return f"{self.base}instrument-kind/{kind}"

    def deadline_kind(self, kind: str) -> str:
        return f"{self.base}deadline-kind/{kind}"

    def continuation(self, later_task_iri: str, earlier_plan_key: str) -> str:
        """task/{plan-key}/{local id}/continues/{earlier plan-key}."""
        return f"{later_task_iri}/continues/{earlier_plan_key}"

    def target(self, plan_key: str, index: int) -> str:
        """target/{plan-key}/{n}: target/khanh-hoa-2017/9."""
        return f"{self.base}target/{plan_key}/{index}"

    def source(self, stem: str) -> str:
        """source/{file stem}: source/kh-cchc-2024 (also the name of its graph)."""
        return f"{self.base}source/{stem}"

    def citation(self, stem: str, index: int) -> str:
        return f"{self.base}citation/{stem}/{index}"

    def finding(self, stem: str, index: int) -> str:
        return f"{self.base}finding/{stem}/{index}"

    def change(self, year: int, path: str) -> str:
        """A change of the administration: change/2025/tai-chinh/khanh-hoa."""
        return f"{self.base}change/{year}/{path}"

    def graph(self, name: str) -> str:
        """Named graphs that are not a source document: ontology, vocabularies."""
        return f"{self.base}graph/{name}"


def period_slug(period: tuple[int, int]) -> str:
    return str(period[0]) if period[0] == period[1] else f"{period[0]}-{period[1]}"


def number_slug(number: str) -> str:
    """ "30c/NQ-CP" -> "30c-nq-cp"; "123/KH-BCĐCCCVCC" -> "123-kh-bcdcccvcc"."""
    return slug(number)


def local_segment(local_id: str) -> str:
    """IRI segment of a local id: "II.1" stays, "2.đ" -> "2.dd", "TCTH.2.a" stays."""
    parts = [p.replace("đ", "dd").replace("Đ", "DD") for p in local_id.split(".")]
    return ".".join(re.sub(r"[^A-Za-z0-9-]", "-", p) for p in parts)
