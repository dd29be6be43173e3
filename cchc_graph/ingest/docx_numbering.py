"""docx_numbering: Word's automatic numbering (numbering.xml) -> the marker Word shows.

A numbered paragraph holds no number in its text: Word counts as it lays the document out, from
the numbering definitions, their overrides and the paragraphs before. `Numbering.marker` repeats
that count in body order and writes the marker out ("II.", "1.", "a)", "-"). Kept apart from
docx_front because it is its own small model (levels, instances, counters) with its own rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol
from xml.etree import ElementTree as ET

from cchc_graph.ingest.docx_xml import W, integer, switch, val
from cchc_graph.text import int_to_roman

_MAX_LETTERS = 26 * 10  # "jjjjjjjjjj": past this a letter number is a damaged start value


class _StyleLookup(Protocol):
    """What numbering needs of the styles part (docx_front's styles): a property looked up
    through a style's basedOn chain, for list styles that hold their definition elsewhere."""

    def find(self, style_id: str | None, path: str) -> ET.Element | None: ...


@dataclass(frozen=True, slots=True)
class _Level:
    """One level of a numbering definition (w:lvl)."""

    number_format: str  # numFmt: decimal, upperRoman, lowerLetter, bullet, none ...
    text: str  # lvlText: "%1.", "%1.%2.", "%3)", "-"
    start: int
    restart_below: int  # lvlRestart: restarts when a level shallower than this one advances
    legal: bool  # isLgl: every number of the marker in Arabic digits
    style: str | None  # the paragraph style tied to this level (w:pStyle), if any


@dataclass(frozen=True, slots=True)
class _Instance:
    """A numbering instance (w:num): an abstract definition and its overrides."""

    abstract: str
    starts: dict[int, int]  # lvlOverride/startOverride: level -> first number
    levels: dict[int, _Level]  # lvlOverride/lvl: a level redefined for this instance


class Numbering:
    """The numbering part and the counters Word keeps while it lays the document out.

    Counters belong to the abstract definition, so instances sharing it continue one list; an
    instance with start overrides restarts its levels the first time a paragraph uses it. A level
    advancing resets every deeper level (unless its lvlRestart says otherwise).
    """

    def __init__(self, root: ET.Element | None, styles: _StyleLookup) -> None:
        self._abstracts: dict[str, dict[int, _Level]] = {}
        self._instances: dict[str, _Instance] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        if root is None:
            return
        links: dict[str, str] = {}
        for abstract in root.iter(f"{W}abstractNum"):
            abstract_id = abstract.get(f"{W}abstractNumId", "")
            self._abstracts[abstract_id] = _levels(abstract)
            link = val(abstract.find(f"{W}numStyleLink"))
            if link:
                links[abstract_id] = link
        for instance in root.iter(f"{W}num"):
            self._instances[instance.get(f"{W}numId", "")] = _instance(instance)
        for abstract_id, link in links.items():
            # a list style's definition stands in another abstractNum, through the style's w:num
            target = self._instances.get(val(styles.find(link, f"{W}pPr/{W}numPr/{W}numId")) or "")
            if target is not None and target.abstract in self._abstracts:
                self._abstracts[abstract_id] = self._abstracts[target.abstract]

    def level_of_style(self, num_id: str, style_id: str | None) -> int | None:
        """The level a paragraph style is tied to in a numbering definition (w:lvl/w:pStyle)."""
        instance = self._instances.get(num_id)
        levels = self._abstracts.get(instance.abstract, {}) if instance else {}
        return next(
            (n for n, level in levels.items() if style_id and level.style == style_id), None
        )

    def marker(self, num_id: str, level: int) -> str | None:
        """Advance the counters for a paragraph numbered (num_id, level) and return its marker;
        None when the numbering is not defined."""
        instance = self._instances.get(num_id)
        if instance is None or instance.abstract not in self._abstracts:
            return None
        levels = {**self._abstracts[instance.abstract], **instance.levels}
        if level not in levels:
            return None
        counters = self._counters.setdefault(instance.abstract, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for overridden, start in instance.starts.items():
                counters[overridden] = start - 1
        counters[level] = counters.get(level, levels[level].start - 1) + 1
        for deeper in [n for n in counters if n > level]:
            below = levels[deeper].restart_below if deeper in levels else deeper
            if level < below:
                del counters[deeper]
        return _marker_text(levels, level, counters)


def _levels(parent: ET.Element) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for lvl in parent.findall(f"{W}lvl"):
        number = integer(lvl, f"{W}ilvl") or 0
        restart = integer(lvl.find(f"{W}lvlRestart"))
        levels[number] = _Level(
            number_format=val(lvl.find(f"{W}numFmt")) or "decimal",
            text=val(lvl.find(f"{W}lvlText")) or "",
            start=integer(lvl.find(f"{W}start")) or 0,  # ECMA-376: an omitted start is 0
            restart_below=number if restart is None else restart,
            legal=bool(switch(lvl.find(f"{W}isLgl"))),
            style=val(lvl.find(f"{W}pStyle")),
        )
    return levels


def _instance(num: ET.Element) -> _Instance:
    starts: dict[int, int] = {}
    levels: dict[int, _Level] = {}
    for override in num.findall(f"{W}lvlOverride"):
        number = integer(override, f"{W}ilvl") or 0
        start = integer(override.find(f"{W}startOverride"))
        if start is not None:
            starts[number] = start
        levels.update({n: level for n, level in _levels(override).items() if n == number})
    return _Instance(val(num.find(f"{W}abstractNumId")) or "", starts, levels)


def _marker_text(levels: dict[int, _Level], level: int, counters: dict[int, int]) -> str:
    shown = levels[level]
    if shown.number_format == "bullet":
        return _bullet(shown.text)

    def number(match: re.Match[str]) -> str:
        referred = int(match.group(1)) - 1
        definition = levels.get(referred, shown)
        value = counters.get(referred, definition.start)
        return _number(value, "decimal" if shown.legal else definition.number_format)

    return re.sub(r"%([1-9])", number, shown.text).strip()


def _bullet(text: str) -> str:
    # symbol-font bullets (Symbol, Wingdings) sit in the private use area: show them as "•"
    text = text.strip()
    if not text or any("\ue000" <= char <= "\uf8ff" for char in text):
        return "•"
    return text


def _number(value: int, number_format: str) -> str:
    if number_format == "none":
        return ""
    if number_format in ("upperRoman", "lowerRoman") and 0 < value < 400:
        roman = int_to_roman(value)
        return roman if number_format == "upperRoman" else roman.lower()
    if number_format in ("upperLetter", "lowerLetter") and 0 < value <= _MAX_LETTERS:
        # Word's letters: a..z, then aa..zz, aaa..
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter if number_format == "lowerLetter" else letter.upper()
    if number_format == "decimalZero":
        return f"{value:02d}"
    # decimal, and formats a plan does not use (ordinal, cardinalText, …) in digits
    return str(value)
