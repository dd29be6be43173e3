"""text: Vietnamese string helpers shared by every stage (NFC, folding, slugs, Roman numerals)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DASHES = "–—‐‑−"  # en and em dash, hyphens and minus all fold to "-"
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
ROMAN_NUMERAL = re.compile(r"^(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")

# every upper-case letter of Vietnamese: "À-Ỹ" as a range also takes lower-case ones (ế, ư, đ)
VI_UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the only form stored anywhere in the graph."""
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """Collapse every run of whitespace (tabs, newlines, NBSP) into one space and trim."""
    # str.split() splits on exactly what re's \s matches, NBSP included, and is much faster
    return " ".join(text.split())


def fold(text: str) -> str:
    """Diacritic-free, lower-case, space-squashed form used for matching and search.

    "Sở Tư pháp" -> "so tu phap"; "Đài" -> "dai". The length changes only through squashing, so
    callers that need offsets use `fold_keep_length` instead.
    """
    return squash(fold_keep_length(text))


def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    if char in _DASHES:
        return "-"
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


# Latin-1, Latin Extended A/B and Latin Extended Additional hold every Vietnamese letter
_FOLD_TABLE = {
    code: _fold_char(chr(code))
    for ranges in ((0x41, 0x24F), (0x1E00, 0x1EFF))
    for code in range(ranges[0], ranges[1] + 1)
}
_FOLD_TABLE.update({ord(d): "-" for d in _DASHES})


@lru_cache(maxsize=16384)
def fold_keep_length(text: str) -> str:
    """Fold character by character so that offsets in the result match offsets in `text`."""
    # cached: the readers fold the same lines and cells many times over
    return text.translate(_FOLD_TABLE)


def slug(text: str) -> str:
    """ASCII slug for IRIs: diacritics removed, "đ" -> "d", lower case, words joined by "-"."""
    folded = fold(text)
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def roman_to_int(numeral: str) -> int:
    """Value of a Roman numeral ("IV" -> 4); raises ValueError for anything else."""
    numeral = numeral.upper()
    if not ROMAN_NUMERAL.match(numeral):
        raise ValueError(f"not a Roman numeral: {numeral!r}")
    total = 0
    for char, nxt in zip(numeral, numeral[1:] + " ", strict=True):
        value = _ROMAN[char]
        total += -value if nxt != " " and _ROMAN[nxt] > value else value
    return total


def int_to_roman(value: int) -> str:
    """Roman numeral for 1..399 (annex sections never go further)."""
    parts = []
    for number, numeral in (
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while value >= number:
            parts.append(numeral)
            value -= number
    return "".join(parts)


def is_roman(token: str) -> bool:
    """True for a non-empty upper-case Roman numeral such as "VII"."""
    return bool(token) and bool(ROMAN_NUMERAL.match(token))


def starts_lowercase(text: str) -> bool:
    """True when the first letter of `text` is lower case (a fragment cut mid-sentence)."""
    for char in text:
        if char.isalpha():
            return char.islower()
        if char.isdigit():
            return False
    return False
