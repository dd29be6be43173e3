"""html_text: what a reader sees of an HTML element, and the one walk over it in reading order.

`walk_content` reports text, line breaks, blocks, list items (with the marker a browser shows),
headings and tables to a `Listener`; html_front listens for the document's blocks and
html_tables for a cell's lines. Kept apart so that both share one traversal and one notion of
hidden content and clean text without importing each other.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from cchc_graph.text import int_to_roman, nfc, squash

Element = Any  # lxml.html.HtmlElement: lxml ships no type information

_DROPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "meta", "link"}  # code and CSS
    | {"nav", "aside", "menu", "dialog", "iframe", "frame", "frameset"}  # the site around it
    | {"object", "embed", "svg", "math", "canvas", "video", "audio", "map", "img"}  # no text
    | {"input", "button", "select", "option", "optgroup", "textarea", "datalist", "output"}
    | {"progress", "meter"}  # form controls
)
_CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "search", "tablist", "tab", "menu", "menubar"}
    | {"toolbar", "dialog"}
)
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.IGNORECASE
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_LISTS = frozenset(("ul", "ol", "dir"))
_BLOCKS = frozenset(
    {"p", "div", "li", "dl", "dt", "dd", "blockquote", "pre", "address", "center", "hr"}
    | {"section", "article", "main", "header", "footer", "figure", "figcaption", "caption"}
    | {"fieldset", "legend", "details", "summary", "form", "body", "html"}
)
# zero-width space, soft hyphen, a BOM inside the text and control characters: nothing on screen
_INVISIBLE = dict.fromkeys([0x200B, 0xAD, 0xFEFF, *range(0x01, 0x09), *range(0x0E, 0x1C)])


def is_skipped(element: Element) -> bool:
    """True for an element a reader does not see as document text."""
    if not isinstance(element.tag, str) or element.tag in _DROPPED_TAGS:
        return True  # comments and processing instructions have a function as their tag
    if element.get("hidden") is not None or element.get("role") in _CHROME_ROLES:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


# ---------------------------------------------------------------------------------------------
# walking the body: one traversal, two listeners (the document's blocks; a cell's lines)


class Listener(Protocol):
    """What the walk reports, in reading order."""

    def text(self, piece: str) -> None: ...

    def line_break(self) -> None: ...

    def open_block(self, element: Element) -> None: ...

    def close_block(self, element: Element) -> None: ...

    def item(self, element: Element, marker: str, level: int) -> None: ...

    def heading(self, element: Element, level: int) -> None: ...

    def table(self, element: Element) -> None: ...


def walk_content(element: Element, listener: Listener, list_level: int) -> None:
    """Report the content of `element` (its text, children and their tails) to `listener`."""
    if element.text:
        listener.text(element.text)
    for child in element:
        _visit(child, listener, list_level)
        if child.tail:
            listener.text(child.tail)


def _visit(element: Element, listener: Listener, list_level: int) -> None:
    if is_skipped(element):
        return
    tag = element.tag
    if tag == "br":
        listener.line_break()
    elif tag in _HEADINGS:
        listener.heading(element, int(tag[1]))
    elif tag == "table":
        listener.table(element)
    elif tag in _LISTS:
        _visit_list(element, listener, list_level)
    elif tag == "li":  # an item outside any list
        _visit_item(element, "-", listener, list_level)
    elif tag in _BLOCKS:
        listener.open_block(element)
        walk_content(element, listener, list_level)
        listener.close_block(element)
    else:  # inline (span, strong, a, font, sup, Word's o:p): its text joins the paragraph
        walk_content(element, listener, list_level)


def _visit_list(element: Element, listener: Listener, level: int) -> None:
    listener.open_block(element)
    markers = iter(_list_markers(element))
    if element.text:
        listener.text(element.text)
    for child in element:
        if isinstance(child.tag, str) and child.tag == "li" and not is_skipped(child):
            _visit_item(child, next(markers), listener, level)
        else:  # a list written straight inside a list (<ul><li/><ul>…</ul></ul>) nests
            _visit(child, listener, level + 1)
        if child.tail:
            listener.text(child.tail)
    listener.close_block(element)


def _visit_item(element: Element, marker: str, listener: Listener, level: int) -> None:
    listener.item(element, marker, level)
    walk_content(element, listener, level + 1)
    listener.close_block(element)


def clean(text: str) -> str:
    """Text as stored: invisible characters dropped, whitespace and NBSP collapsed, NFC."""
    return nfc(squash(text.translate(_INVISIBLE)))


# ---------------------------------------------------------------------------------------------
# lists

_LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.IGNORECASE)
_TYPE_ATTRIBUTE = {  # <ol type="a">
    "1": "decimal",
    "a": "lower-alpha",
    "A": "upper-alpha",
    "i": "lower-roman",
    "I": "upper-roman",
}


def _list_style(element: Element, default: str) -> str:
    declared = _LIST_STYLE.search(element.get("style") or "")
    if declared:
        return declared.group(1).lower()
    kind = element.get("type")
    return _TYPE_ATTRIBUTE.get(kind, kind.lower()) if kind else default


def _list_markers(element: Element) -> list[str]:
    """The marker of each visible <li> of a list as a browser shows it: "1.", "b.", "IV.", "-"."""
    items = [c for c in element if isinstance(c.tag, str) and c.tag == "li" and not is_skipped(c)]
    style = _list_style(element, "decimal" if element.tag == "ol" else "disc")
    step = -1 if element.get("reversed") is not None else 1
    number = integer(element.get("start"), len(items) if step < 0 else 1)
    markers = []
    for item in items:
        number = integer(item.get("value"), number)
        markers.append(_marker(number, _list_style(item, style)))
        number += step
    return markers


def _marker(number: int, style: str) -> str:
    if style == "none":
        return ""
    if style in ("disc", "circle", "square"):
        return "-"
    if style in ("lower-alpha", "lower-latin", "upper-alpha", "upper-latin") and number > 0:
        letters = _alphabetic(number)
        return (letters.upper() if style.startswith("upper") else letters) + "."
    if style in ("lower-roman", "upper-roman") and 0 < number < 400:
        numeral = int_to_roman(number)
        return (numeral.lower() if style == "lower-roman" else numeral) + "."
    return f"{number}."


def _alphabetic(number: int) -> str:
    """1 -> "a", 26 -> "z", 27 -> "aa", as browsers count."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def integer(value: str | None, default: int) -> int:
    """The whole number an attribute starts with ("2px" -> 2), else `default`."""
    digits = re.match(r"\s*([+-]?\d+)", value or "")
    return int(digits.group(1)) if digits else default
