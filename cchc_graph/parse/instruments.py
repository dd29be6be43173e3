"""instruments: text -> Citation records for every numbered instrument (and dated law) it names.

"Nghị quyết số 30c/NQ-CP ngày 08/11/2011 của Chính phủ ban hành ..." gives kind, number, date,
issuer and title. Issuers the text does not name are read from the number's code ("NQ-CP" ->
Chính phủ) through the agency-type vocabulary.
"""

from __future__ import annotations

import re
from datetime import date

from cchc_graph.ingest.normalise import FlatText
from cchc_graph.lexicon import Lexicon
from cchc_graph.parse.gazetteer import Gazetteer
from cchc_graph.records import AgencyMention, Citation, Span
from cchc_graph.text import VI_UPPER, fold, squash

_KIND_WORDS = {
    "chương trình hành động": "chuong-trinh-hanh-dong",
    "kế hoạch hành động": "ke-hoach",
    "nghị quyết": "nghi-quyet",
    "nghị định": "nghi-dinh",
    "quyết định": "quyet-dinh",
    "chỉ thị": "chi-thi",
    "kế hoạch": "ke-hoach",
    "công văn": "cong-van",
    "kết luận": "ket-luan",
    "thông tư": "thong-tu",
    "tờ trình": "to-trinh",
    "hướng dẫn": "huong-dan",
}
_KINDS = "|".join(sorted((re.escape(k) for k in _KIND_WORDS), key=len, reverse=True))
# "số 30c/NQ-CP", "số 1234 /QĐ-UBND", "số 12-CTr/TU", "số 19-2017/NQ-CP", "số 123/KH-BCĐCCCVCC"
# "66.2/2025/NQ-CP": a number may carry a dotted part
_NUMBER = r"\d{1,5}(?:\.\d{1,2})?[a-zđ]?(?:\s?[-/]\s?[0-9A-Za-zĐđ&]+)+"
_CITATION = re.compile(
    r"(?<!\w)(?P<kind>" + _KINDS + r")(?P<between>\s+(?:của\s+[^;.\n]{2,80}?\s+)?)"
    r"(?:số\s*:?\s*)?(?P<number>" + _NUMBER + r")",
    re.IGNORECASE,
)
# "Luật Tiếp cận thông tin số 104/2016/QH13 ngày 06 tháng 4 năm 2016", "Luật … ngày 18/02/2025",
# "Luật Đầu tư năm 2020", "Luật … số 72/2025/QH15"
_LAW = re.compile(
    r"(?<!\w)Luật\s+(?P<title>[^;:.()]{3,200}?)\s+(?:(?:số\s*:?\s*(?P<number>\d{1,5}/\d{4}/[A-Z]+\d*)"
    r"\s*(?:,\s*)?)?(?:ngày\s+(?P<date>[\d\s/]+\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})|"
    r"năm\s+(?P<year>\d{4}))|số\s*:?\s*(?P<numbered>\d{1,5}/\d{4}/[A-Z]+\d*))"
)
_DATE = re.compile(
    r"^\s*,?\s*(?:ban hành\s+)?ngày\s+(?:(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})|"
    r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}))",
    re.IGNORECASE,
)
_YEAR_ONLY = re.compile(r"^\s*năm\s+(\d{4})", re.IGNORECASE)
_ISSUER_LEAD = re.compile(r"^\s*,?\s*(?:của|do)\s+", re.IGNORECASE)
# a title stops at a sentence end, a blank line, another instrument or a table cell border
_TITLE_END = re.compile(r"[;|]|\.\s|\.$|\n\s*\n|,\s*(?:" + _KINDS + r")\s", re.IGNORECASE)
# a heading line in capitals ends a title too; case matters here, so it is its own pattern
_CAPS_LINE = re.compile(rf"\n(?=[{VI_UPPER} ]{{6,}}\n)")


def find_citations(
    flat: FlatText, source: str, gazetteer: Gazetteer, lexicon: Lexicon, role: str = "cites"
) -> list[Citation]:
    """Every instrument cited in `flat`, in text order, with its own line and a short quote."""
    text = flat.text
    found: list[tuple[int, Citation]] = []
    taken: list[tuple[int, int]] = []  # every numbered match, a code or not, hides a law inside it
    for match in _CITATION.finditer(text):
        taken.append((match.start(), match.end()))
        number = re.sub(r"\s+", "", match.group("number"))
        if not _has_code(number):
            continue
        found.append(
            (match.start(), _citation(match, number, flat, source, gazetteer, lexicon, role))
        )
    for match in _LAW.finditer(text):
        if any(match.start() < e and s < match.end() for s, e in taken):
            continue
        found.append((match.start(), _law(match, flat, source, role)))
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


def _has_code(number: str) -> bool:
    # "2016-2020" is a period, not a document number: a number carries a letter code (QĐ, NQ-CP)
    return any(re.search(r"[A-Za-zĐđ]{2,}", part) for part in re.split(r"[-/]", number)[1:])


def _citation(
    match: re.Match[str],
    number: str,
    flat: FlatText,
    source: str,
    gazetteer: Gazetteer,
    lexicon: Lexicon,
    role: str,
) -> Citation:
    text = flat.text
    kind = _KIND_WORDS[match.group("kind").lower()]
    rest = text[match.end() : match.end() + 400]
    when, year, consumed = _date_after(rest)
    issuer = _issuer_between(match.group("between"), gazetteer)
    after_date = rest[consumed:]
    title_start = consumed
    if issuer is None and (lead := _ISSUER_LEAD.match(after_date)):
        candidates = gazetteer.find(after_date[lead.end() : lead.end() + 120])
        if candidates and candidates[0].start == 0:
            issuer = candidates[0].mention
            title_start = consumed + lead.end() + candidates[0].end
    if issuer is None:
        issuer = _issuer_from_code(number, lexicon)
    title = _title(rest[title_start:])
    line_start, line_end = flat.lines_of(match.start(), match.end() + consumed)
    quote = squash(text[match.start() : match.end() + consumed])
    amends = tuple(_amended_numbers(title)) if title else ()
    return Citation(
        kind,
        number,
        when,
        year or (when.year if when else _year_in(number)),
        issuer,
        title,
        role,
        Span(source, line_start, line_end),
        quote,
        amends,
    )


def _law(match: re.Match[str], flat: FlatText, source: str, role: str) -> Citation:
    when = day_month_year(match.group("date")) if match.group("date") else None
    number = match.group("number") or match.group("numbered")
    year = int(match.group("year")) if match.group("year") else (when.year if when else None)
    if year is None and number:
        year = _year_in(number + "/")  # "104/2016/QH13" is of 2016
    line_start, line_end = flat.lines_of(match.start(), match.end())
    return Citation(
        "luat",
        number,
        when,
        year,
        None,
        squash(match.group("title")),
        role,
        Span(source, line_start, line_end),
        squash(match.group(0)),
    )


def _date_after(rest: str) -> tuple[date | None, int | None, int]:
    match = _DATE.match(rest)
    if match:
        groups = match.groups()
        day, month, year = (groups[0], groups[1], groups[2]) if groups[0] else groups[3:6]
        try:
            return date(int(year), int(month), int(day)), int(year), match.end()
        except ValueError:
            return None, int(year), match.end()
    year_match = _YEAR_ONLY.match(rest)
    if year_match:
        return None, int(year_match.group(1)), year_match.end()
    return None, None, 0


def day_month_year(raw: str) -> date | None:
    """ "19/6/2015" or "19 tháng 6 năm 2015" -> 2015-06-19 (None when it is not a date)."""
    numbers = [int(n) for n in re.findall(r"\d+", raw)]
    if len(numbers) != 3:
        return None
    try:
        return date(numbers[2], numbers[1], numbers[0])
    except ValueError:
        return None


def _issuer_between(between: str, gazetteer: Gazetteer) -> AgencyMention | None:
    if "của" not in between:
        return None
    return gazetteer.mention(between)


def _issuer_from_code(number: str, lexicon: Lexicon) -> AgencyMention | None:
    """ "30c/NQ-CP" -> chinh-phu; "12-CTr/TU" -> tinh-uy; "4046/SNV-CCHC" -> so-noi-vu."""
    parts = [p for p in re.split(r"[-/]", number)[1:] if not p.isdigit()]
    for part in reversed(parts):
        slug = lexicon.issuer_codes.get(part)
        if slug:  # an empty text: the name was read from a code, not written in the document
            return AgencyMention("", slug, lexicon.agency_types[slug].is_group)
    return None


def _title(rest: str) -> str | None:
    ends = [m.start() for m in (_TITLE_END.search(rest), _CAPS_LINE.search(rest)) if m]
    title = squash(rest[: min(ends)] if ends else rest[:200])
    title = re.sub(r"^(?:,\s*)", "", title)
    return title if len(title) > 3 else None


def _amended_numbers(title: str) -> list[str]:
    """ "sửa đổi, bổ sung một số điều của Nghị quyết số 30c/NQ-CP" -> ["30c/NQ-CP"]."""
    if not fold(title).startswith("sua doi"):
        return []
    return [re.sub(r"\s+", "", m.group("number")) for m in _CITATION.finditer(title)]


def _year_in(number: str) -> int | None:
    match = re.search(r"[-/]((?:19|20)\d{2})[-/]", number)
    return int(match.group(1)) if match else None
