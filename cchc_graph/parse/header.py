"""header: the top of a document -> DocumentHeader (type, number, date, issuer, province, title,
signer, period), plus the findings a header can reveal (two numbers for the same decision).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cchc_graph.ingest.normalise import FlatText, NormalisedText
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.gazetteer import gazetteer_for
from cchc_graph.parse.instruments import day_month_year
from cchc_graph.records import AgencyMention, Citation, DocumentHeader, Problem, Severity, Span
from cchc_graph.text import fold, fold_keep_length, squash

_KIND_HEADINGS = {
    "quyet dinh": "quyet-dinh",
    "chi thi": "chi-thi",
    "ke hoach": "ke-hoach",
    "chuong trinh": "chuong-trinh",
    "nghi quyet": "nghi-quyet",
    "cong dien": "cong-dien",
    "thong bao": "thong-bao",
    "thong bao ket luan": "thong-bao",
}
# documents that direct work in prose, item by item, rather than through a plan's annex
_DIRECTING_KINDS = {"chi-thi", "cong-dien", "thong-bao"}
_NUMBER = re.compile(r"Số\s*:\s*(\d+[a-zđ]?\s*(?:[-/]\s*[0-9A-Za-zĐđ&]+)+)")
_BLANK_NUMBER = re.compile(r"Số\s*:\s*/\s*[A-ZĐ][0-9A-Za-zĐđ&-]*")
# "Khánh Hòa, ngày 31 tháng 12 năm 2013", also written "Hà Nội, ngày 05/01/2022"
_PLACE_DATE = re.compile(
    r"(?P<place>[^\n,|]{2,40}?),\s*ngày\s+(?P<d>\d{1,2})(?:\s+tháng\s+|\s*/\s*)(?P<m>\d{1,2})"
    r"(?:\s+năm\s+|\s*/\s*)(?P<y>\d{4})"
)
# "(Ban hành kèm theo Quyết định số 1234 /QĐ-UBND ngày 31 /12/2013"
_ATTACHED = re.compile(
    r"\(\s*(?:Ban\s+hành\s+)?[Kk]èm\s+theo\s+(?P<kind>Quyết định|Chỉ thị|Nghị quyết)\s+số\s*"
    r"(?P<number>\d+\s*(?:[-/]\s*[0-9A-Za-zĐđ&]+)+)\s*(?:ngày\s+(?P<date>\d{1,2}\s*/\s*\d{1,2}\s*/\s*"
    r"\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
)
_SIGNATURE_ROLE = re.compile(r"^(?:KT\.\s*)?(?:PHÓ\s+)?CHỦ\s+TỊCH$")
_NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")
_PERIOD_RANGE = re.compile(r"giai đoạn\s+(\d{4})\s*-\s*(\d{4})", re.IGNORECASE)
_PERIOD_YEAR = re.compile(r"năm\s+(\d{4})", re.IGNORECASE)
_HEADER_LINES = 80


@dataclass(frozen=True, slots=True)
class HeaderResult:
    """The header and what it revealed about the document's consistency."""

    header: DocumentHeader
    problems: tuple[Problem, ...]
    attached_line: int | None  # line of "(Kèm theo Quyết định số ...)", not a citation of its own


def parse_header(text: NormalisedText, lexicon: Lexicon) -> HeaderResult:
    """Read the header of `text`; anything it cannot find is None, never guessed."""
    source = text.source.name
    last = min(len(text.lines), _HEADER_LINES)
    flat = FlatText(text, 1, len(text.lines))
    head = FlatText(text, 1, last)
    kind, kind_line = _document_kind(text, last)
    province = detect_province(text, lexicon)
    issuer = _issuer(head.text, lexicon, province)
    if issuer is not None and lexicon.agency_types[issuer.type_slug].level == "national":
        province = None  # a national body's document: the provinces it names are addressees
    number_match = _NUMBER.search(head.text)
    date_match = _PLACE_DATE.search(head.text)
    attached = _ATTACHED.search(flat.text)
    number = re.sub(r"\s+", "", number_match.group(1)) if number_match else None
    when = _date(date_match) if date_match else None
    problems: list[Problem] = []
    blank = None if number_match else _BLANK_NUMBER.search(head.text)
    if blank is not None:  # "Số: /KH-UBND": a draft sent for signature, its number not given yet
        line = head.line_at(blank.start())
        problems.append(
            Problem(
                "number-blank",
                f"the document's number is left blank ({squash(blank.group(0))}): it is read "
                "without one",
                Severity.INFO,
                Span(source, line, line),
                squash(blank.group(0)),
            )
        )
    attached_line = flat.line_at(attached.start()) if attached else None
    if attached:
        attached_number = re.sub(r"\s+", "", attached.group("number"))
        if number and attached_number != number:
            problems.append(
                Problem(
                    "number-mismatch",
                    f"the header says {number} but the plan says it is attached to "
                    f"{attached_number}",
                    Severity.WARNING,
                    Span(source, attached_line or 1, attached_line or 1),
                    squash(attached.group(0)),
                )
            )
        number = number or attached_number
        attached_date = attached.group("date")
        when = when or (day_month_year(attached_date) if attached_date else None)
    title = _title(text, kind_line, lexicon)
    if kind == "ke-hoach" and title and not fold(title).startswith("ke hoach"):
        title = "Kế hoạch " + title[:1].lower() + title[1:]  # "KẾ HOẠCH / Cải cách hành chính ..."
    doc_type = "directive" if kind in _DIRECTING_KINDS else "plan"
    adopted_by = None
    if kind is not None:
        line = (
            flat.line_at(number_match.start())
            if number_match
            else (attached_line or kind_line or 1)
        )
        adopted_by = Citation(
            kind,
            number,
            when,
            when.year if when else None,
            issuer,
            title,
            "adopted-by",
            Span(source, line, line),
            squash(number_match.group(0)) if number_match else "",
        )
    header = DocumentHeader(
        doc_type,
        title,
        province,
        _period(title),
        adopted_by,
        _signer(text),
        issuer,
        Span(source, 1, last),
    )
    return HeaderResult(header, tuple(problems), attached_line)


def detect_province(text: NormalisedText, lexicon: Lexicon) -> str | None:
    """The province the document names most ("tỉnh Khánh Hòa", "Báo Khánh Hòa")."""
    folded = fold("\n".join(text.lines))
    names, pattern = _province_names(lexicon)
    counts: dict[str, int] = {}
    for match in pattern.finditer(folded):
        slug = names[match.group(1)]
        counts[slug] = counts.get(slug, 0) + 1
    return max(sorted(counts), key=lambda s: counts[s]) if counts else None


@lru_cache(maxsize=8)
def _province_names(lexicon: Lexicon) -> tuple[dict[str, str], re.Pattern[str]]:
    """Folded province names and aliases -> slug, and one pattern for all (longest first)."""
    names = {fold(n): slug for slug, p in lexicon.provinces.items() for n in (p.label, *p.aliases)}
    pattern = re.compile(
        r"(?<![a-z])("
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![a-z])"
    )
    return names, pattern


def _document_kind(text: NormalisedText, last: int) -> tuple[str | None, int | None]:
    for number in range(1, last + 1):
        line = squash(text.line(number))
        key = fold(line).rstrip(":")
        if line and line == line.upper() and key in _KIND_HEADINGS:
            return _KIND_HEADINGS[key], number
    return None, None


def _issuer(head: str, lexicon: Lexicon, province: str | None) -> AgencyMention | None:
    """The issuer heads the letterhead's left cell ("ỦY BAN NHÂN DÂN TỈNH SƠN LA", "THỦ TƯỚNG
    CHÍNH PHỦ"); failing that, a provincial People's Committee named near the top."""
    first = next((line for line in head.splitlines() if line.strip()), "")
    letterhead = re.split(r"\s\|\s|\t|CỘNG HÒA|CỘNG HOÀ", first)[0]
    for text in (letterhead, head):
        folded = fold_keep_length(text)
        match = re.search(r"uy ban nhan dan\s+tinh|ubnd\s+tinh", folded)
        if match is not None:
            agency_type = lexicon.agency_types["ubnd-tinh"]
            return AgencyMention(squash(text[match.start() : match.end()]), agency_type.slug, False)
        if text is letterhead and (found := gazetteer_for(lexicon, province).mention(letterhead)):
            return found
    return None


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:
        return None


def _title(text: NormalisedText, kind_line: int | None, lexicon: Lexicon) -> str | None:
    """The line(s) after the kind heading, without "Ban hành": "Kế hoạch cải cách ..."."""
    if kind_line is None:
        return None
    pieces: list[str] = []
    # a document read from another format has a blank line between any two paragraphs: there
    # a blank line does not end the title, a title typed as several paragraphs goes on
    rendered = bool(text.source.locations)
    reach = 12 if rendered else 6
    for number in range(kind_line + 1, min(len(text.lines), kind_line + reach) + 1):
        line = squash(text.line(number))
        if not line:
            if pieces and not rendered:
                break
            continue
        # the title ends where the issuing authority names itself ("THỦ TƯỚNG CHÍNH PHỦ") or
        # the preamble starts
        if fold(line).startswith(
            ("uy ban nhan dan", "can cu", "thu tuong", "chu tich")
        ) or re.match(r"^\d{1,2}/\d{1,2}/\d{2}$", line):
            break
        if line != line.upper():
            if pieces and not rendered:
                break  # the title is in capitals; the sentence after it opens the body
            pieces.append(line)
            break
        pieces.append(line)
    if not pieces:
        return None
    title = squash(" ".join(pieces))
    title = re.sub(r"^ban\s+hành\s+", "", title, flags=re.IGNORECASE)
    if title == title.upper():
        title = _sentence_case(title, lexicon)
    return title[:1].upper() + title[1:]


def _sentence_case(title: str, lexicon: Lexicon) -> str:
    # "CÔNG NGHỆ," is a word with its comma; "06", "57-NQ/TW" are numbers and codes
    words = [w if any(c.isdigit() for c in w) else w.lower() for w in title.split()]
    result = " ".join(words)
    for province in lexicon.provinces.values():
        result = re.sub(re.escape(province.label.lower()), province.label, result)
    return result


def _period(title: str | None) -> tuple[int, int] | None:
    if not title:
        return None
    if match := _PERIOD_RANGE.search(title):
        return int(match.group(1)), int(match.group(2))
    if match := _PERIOD_YEAR.search(title):
        return int(match.group(1)), int(match.group(1))
    return None


def _signer(text: NormalisedText) -> str | None:
    """The name under "CHỦ TỊCH" in the first signature block."""
    for number, line in enumerate(text.lines, start=1):
        if _SIGNATURE_ROLE.match(squash(line)):
            for following in text.lines[number : number + 8]:
                candidate = squash(following)
                if not candidate or candidate.startswith("[") or _SIGNATURE_ROLE.match(candidate):
                    continue  # "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / "[Handwritten signature]"
                return candidate if _NAME.match(candidate) else None
    return None
