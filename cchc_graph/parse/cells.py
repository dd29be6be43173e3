"""cells: a table cell as written (HTML fragments, bullets, wrapped lines) -> its list of items."""

from __future__ import annotations

import html
import re

from cchc_graph.text import fold, squash, starts_lowercase

_BLOCK = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_LINE_BULLET = re.compile(r"(?:^|\n)\s*[-–+•]\s+")
_INLINE_BULLET = re.compile(r"\s[-–+•]\s+(?=[A-ZĐÀ-Ỹ])")
# a dash inside a name or a fixed phrase is not a bullet: "Lao động - Thương binh và Xã hội"
_PROTECTED_DASH = re.compile(
    r"(?:lao dong|phat thanh|giao thong|kinh te|chinh tri|dan so|doc lap|tu do|tai lieu"
    r"|hanh chinh)$"
)
_BOLD_HEADING = re.compile(r"^\s*<p>\s*<b>(.*?)</b>\s*</p>", re.IGNORECASE | re.DOTALL)


def untagged(fragment: str) -> str:
    """The text of an HTML fragment with its tags dropped and whitespace squashed (entities
    kept as written)."""
    return squash(_TAG.sub(" ", fragment))


def strip_tags(fragment: str) -> str:
    """Plain text of an HTML fragment, entities decoded, whitespace squashed."""
    return squash(html.unescape(_TAG.sub(" ", fragment)))


def split_items(cell: str) -> list[str]:
    """The items of a cell: <p>/<li> blocks, else bullet lines, else "- " inline bullets."""
    blocks = [strip_tags(b.group(2)) for b in _BLOCK.finditer(cell)]
    blocks = [b for b in blocks if b]
    if len(blocks) > 1:
        return (
            [item for block in blocks for item in _bullets(block)]
            if all(b.startswith("-") for b in blocks)
            else blocks
        )
    text = blocks[0] if blocks else cell
    if "\n" in text and _LINE_BULLET.search(text):
        parts = [squash(_TAG.sub(" ", p)) for p in _LINE_BULLET.split(text)]
        return [p for p in parts if p]
    plain = strip_tags(text)
    return _bullets(plain) if plain else []


def _bullets(text: str) -> list[str]:
    """Split "- A - B" into ["A", "B"] when the text is written as bullets; else [text]."""
    if not re.match(r"^[-–+•]\s", text):
        return [text]
    parts: list[str] = []
    last = 0
    for match in _INLINE_BULLET.finditer(text):
        if _PROTECTED_DASH.search(fold(text[: match.start()])):
            continue
        parts.append(text[last : match.start()])
        last = match.end()
    parts.append(text[last:])
    return [squash(re.sub(r"^[-–+•]\s*", "", p)) for p in parts if squash(p.strip("-–+• "))]


def bold_heading(cell: str) -> tuple[str | None, str]:
    """A leading "<p><b>CẢI CÁCH THỂ CHẾ</b></p>" inside a task cell.

    Returns the heading text (or None) and the cell without it.
    """
    match = _BOLD_HEADING.match(cell)
    if match is None:
        return None, cell
    heading = strip_tags(match.group(1))
    if heading and heading == heading.upper():
        return heading, cell[match.end() :]
    return None, cell


def is_fragment(text: str) -> bool:
    """True when `text` continues a sentence cut by a page break ("mẽ công nghệ", "II/2014")."""
    plain = strip_tags(text)
    if not plain:
        return False
    if starts_lowercase(plain):
        return True
    first = plain.split()[0]
    return bool(re.match(r"^(?:[IVX]+|\d+)/\d{4}", first))
