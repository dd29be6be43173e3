"""gazetteer: text -> agency mentions (type or group slug, offsets), from the agency vocabulary.

Matching runs on the folded text (no diacritics, lower case, dashes unified), so "Sở Tư Pháp",
"SỞ TƯ PHÁP" and "so tu phap" are the same name. Lists are expanded: "Các Sở: Tư pháp, Tài chính"
and "Sở Nội vụ, Tài chính" are two agencies each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cchc_graph.lexicon import AgencyType, Lexicon
from cchc_graph.records import AgencyMention
from cchc_graph.text import fold_keep_length, slug

# "Các Sở: Kế hoạch và Đầu tư, Tài nguyên ..." , "các Sở Giáo dục"
_LIST_HEAD = re.compile(r"(?<![a-z0-9])(?:cac\s+)?so\s*:?\s*")
# "UBND huyện Khánh Sơn, Khánh Vĩnh": one named district each;
# "Ủy ban nhân dân TP. Hà Nội", "UBND các thành phố: Hà Nội, Cần Thơ": named provinces' committees
# "UBND xã Đức Trọng", "UBND phường Xuân Hương - Đà Lạt", "UBND Phường 3 Bảo Lộc": one named
# commune or ward, the local level from July 2025
_NAMED_DISTRICT = re.compile(
    r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?:các\s+)?"
    r"(huyện|thị xã|thành phố|TP\.?|tỉnh|xã|Xã|phường|Phường|đặc khu|thị trấn)"
    r"\s*:?\s+((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ\d][^\s,;.()]*(?:\s+-\s+|\s)?){1,5})"
)
_COMMUNE_LEVELS = ("xã", "phường", "đặc khu", "thị trấn")
_PROVINCE_LEVELS = ("thành phố", "TP", "TP.", "tỉnh")
_NAME_CONTINUATION = re.compile(
    r"\s*(?:,|và)\s*((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][^\s,;.()]*\s?){1,3})"
)
# on folded text; a bare "đơn vị" inside a list names no group of its own ("các sở, ngành, đơn vị,
# địa phương") and is skipped
_SEPARATOR = re.compile(r"\s*(?:,\s*va\s|,|\sva\s|&)\s*(?:don vi\s*(?:,\s*va\s|,|\sva\s)\s*)?")


# the types of a body the vocabulary does not hold, named as written (agency-types.ttl)
OTHER_BODY = "co-quan-khac"
OTHER_GROUP = "nhom-co-quan-khac"
UNRESOLVED_TYPES = (OTHER_BODY, OTHER_GROUP)
# what opens the name of a body or a group of bodies ("Tập đoàn …", "Các đơn vị cấp nước …")
_BODY_KINDS = (
    "co quan", "don vi", "to chuc", "doanh nghiep", "ho gia dinh", "ban", "hoi", "trung tam",
    "ngan hang", "tap doan", "tong cong ty", "cong ty", "truong", "vien", "benh vien", "co so",
    "hiep hoi", "lien doan", "lien minh", "nhom", "to cong tac", "to giup viec", "cong", "bao",
    "dai", "chi cuc", "cuc", "phong", "so", "bo", "uy ban", "hop tac xa", "vu", "van phong",
    "thanh tra", "tong cuc", "hoc vien", "dai hoc", "quy", "doan", "hoi dong", "nha xuat ban",
    "tap chi", "kho bac", "chi nhanh",
)  # fmt: skip
_BARE_KIND = re.compile("|".join(sorted(_BODY_KINDS, key=len, reverse=True)))
# longest first: "Hội đồng thi đua" opens with "hội đồng", not "hội"
_BODY_WORDS = re.compile(
    r"^(?:(?P<group>cac|nhung|toan bo)\s+)?(?:"
    + "|".join(sorted(_BODY_KINDS, key=len, reverse=True))
    + r")(?![a-z])"
)
# kinds of bodies a list names ("Doanh nghiệp, tổ chức, cơ sở giáo dục"), not "Tổ chức, bộ máy"
_KINDS = re.compile(
    r"(?:doanh nghiep|to chuc|co so|co quan|don vi|hop tac xa|ho gia dinh|truong|vien|"
    r"tong cong ty|tap doan)(?![a-z])"
)
_NUMBERED = re.compile(r"\s(?:số|Số)\s+\d{1,3}$")
_UNRESOLVED_TAIL = re.compile(
    r"\s*(?:co trach nhiem|co lien quan|lien quan|chu tri|phoi hop)\s*[:.]?\s*$"
)


def unresolved_body(phrase: str) -> AgencyMention | None:
    """A body named as written when the vocabulary knows it not ("Tập đoàn FPT", "Các đơn vị cấp
    nước sạch trên địa bàn thành phố"): a phrase that opens with what names bodies, of a few
    words, with no digits; None for anything else."""
    text = squash_phrase(phrase)
    folded = fold_keep_length(text)
    tail = _UNRESOLVED_TAIL.search(folded)
    if tail:
        text, folded = text[: tail.start()].rstrip(" ,;:"), folded[: tail.start()].rstrip(" ,;:")
    opening = _BODY_WORDS.match(folded)
    words = text.split()
    # "Doanh nghiệp, tổ chức, cơ sở giáo dục tự chủ tài chính": kinds of bodies listed are a group
    rest = folded[opening.end() :].lstrip() if opening is not None else ""
    listed = (
        bool(_KINDS.match(folded))
        and rest.startswith((",", "va "))
        and bool(_KINDS.match(rest.lstrip(" ,").removeprefix("va ").lstrip()))
    )
    group = opening is not None and (bool(opening.group("group")) or listed)
    if opening is None or not (3 if group else 2) <= len(words) <= 24:
        return None
    numbered = _NUMBERED.search(text)  # "Tổ công tác số 3": a number that is part of the name
    if any(c.isdigit() for c in (text[: numbered.start()] if numbered else text)):
        return None
    # a single body has a proper name after what it is, "Tập đoàn Điện lực", "Ban Chính sách",
    # or its number, "Nhóm công tác số 3"; "Bảo đảm kinh phí", "Tổ chức thực hiện" are not bodies
    after = text[opening.end() :].split()
    named = bool(after) and (after[0][0].isupper() or numbered is not None)
    if not group and not (words[0][0].isupper() and named):
        return None
    return AgencyMention(
        text, OTHER_GROUP if group else OTHER_BODY, group, name_slug=slug(text), label=text
    )


def bare_kind(phrase: str) -> AgencyMention | None:
    """A kind of body named bare in a list of partners ("phối hợp với doanh nghiệp"): the bodies
    of that kind, a group kept as written; None for anything else."""
    text = squash_phrase(phrase)
    folded = fold_keep_length(text)
    kind = _KINDS.fullmatch(folded)
    if kind is None:
        return None
    return AgencyMention(text, OTHER_GROUP, True, name_slug=slug(text), label=text)


def listed_kinds(phrase: str) -> AgencyMention | None:
    """ "Các Cục, Vụ", "các Vụ, Cục, đơn vị": kinds of bodies listed after "các", each bare,
    one group kept as written; None for anything else."""
    text = squash_phrase(phrase)
    folded = fold_keep_length(text)
    head = re.match(r"(?:cac|toan bo)\s+", folded)
    if head is None or "," not in folded:
        return None
    pieces = re.split(r"\s*,\s*|\s+va\s+", folded[head.end() :])
    if len(pieces) < 2 or not all(_BARE_KIND.fullmatch(piece) for piece in pieces):
        return None
    return AgencyMention(text, OTHER_GROUP, True, name_slug=slug(text), label=text)


def body_kind(phrase: str) -> str:
    """The words that say what kind of body a phrase names ("Tập đoàn" of "Tập đoàn FPT"), as
    written; "" when it opens with none."""
    text = squash_phrase(phrase)
    opening = _BODY_WORDS.match(fold_keep_length(text))
    return text[: opening.end()] if opening is not None and not opening.group("group") else ""


def squash_phrase(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase).strip(" ,;:.-–")


_SEEN_LIMIT = 4096  # texts whose mentions a gazetteer remembers


@dataclass(frozen=True, slots=True)
class Found:
    """A mention and where it stands in the text (offsets into the NFC string)."""

    mention: AgencyMention
    start: int
    end: int


class Gazetteer:
    """All agency names of one province's documents, compiled into two folded-text patterns."""

    def __init__(self, lexicon: Lexicon, province: str | None) -> None:
        self.types = lexicon.agency_types
        province_names = _province_names(lexicon, province)
        city = (
            province is not None
            and province in lexicon.provinces
            and lexicon.provinces[province].city
        )
        self._full: dict[str, str] = {}
        self._short: dict[str, str] = {}
        full_spellings: list[str] = []
        short_spellings: list[str] = []
        for agency_type in lexicon.agency_types.values():
            for alias in _expand(_aliases(agency_type), province_names):
                for spelling in _spellings(alias, city and agency_type.level == "provincial"):
                    self._full.setdefault(_key(spelling), agency_type.slug)
                    full_spellings.append(spelling)
            for short in agency_type.short_names:
                self._short.setdefault(_key(short), agency_type.slug)
                short_spellings.append(short)
        # abbreviations no one listed ("Sở NN&MT", "Sở GD và ĐT"), unless two bodies share one
        generated: dict[str, set[str]] = {}
        for agency_type in lexicon.agency_types.values():
            for spelling in abbreviations(agency_type.concept.label_vi):
                generated.setdefault(spelling, set()).add(agency_type.slug)
        for spelling, slugs in generated.items():
            if len(slugs) == 1 and _key(spelling) not in self._full:
                self._full[_key(spelling)] = next(iter(slugs))
                full_spellings.append(spelling)
            # "NN&MT" after a list head of departments: "các Sở: KH&CN, NN&MT"
            head, short = spelling.split(" ", 1)
            if head == "Sở" and len(slugs) == 1 and "&" in short and _key(short) not in self._short:
                self._short[_key(short)] = next(iter(slugs))
                short_spellings.append(short)
        self._extra: dict[str, list[str]] = {}
        for agency_type in lexicon.agency_types.values():
            for label in agency_type.also_named_in:
                self._extra.setdefault(_key(label), []).append(agency_type.slug)
        self._full_re = _alternation(full_spellings)
        self._short_re = _alternation(short_spellings)
        self.province = province
        self._seen: dict[str, list[Found]] = {}
        self._provinces = {
            fold_keep_length(name): entry.slug
            for entry in lexicon.provinces.values()
            for name in (entry.label, *entry.aliases)
        }

    def find(self, text: str) -> list[Found]:
        """Every agency mention in `text`, in order, lists expanded, overlaps resolved."""
        # the readers ask about the same cell or clause several times (its roles, its opening,
        # its subject): the big alternation runs once per text
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) >= _SEEN_LIMIT:
                self._seen.clear()
            found = self._seen[text] = self._find(text)
        return list(found)

    def _find(self, text: str) -> list[Found]:
        folded = fold_keep_length(text)
        found = self._named_districts(text)
        taken = [(f.start, f.end) for f in found]
        found += self._lists(text, folded, taken)
        for match in self._full_re.finditer(folded):
            if _overlaps(match.start(), match.end(), taken):
                continue
            type_slug = self._full[_key(match.group(0))]
            if self._blocked(type_slug, folded, match.end()):
                continue
            found.append(self._found(text, type_slug, match.start(), match.end()))
            for extra in self._extra.get(_key(match.group(0)), ()):
                found.append(self._found(text, extra, match.start(), match.end()))
        found.sort(key=lambda f: f.start)
        return self._continue_lists(text, folded, found)

    def mention(self, text: str) -> AgencyMention | None:
        """The single agency `text` names (an issuer phrase such as "Chính phủ"), or None."""
        found = self.find(text)
        return found[0].mention if found else None

    def _found(self, text: str, type_slug: str, start: int, end: int) -> Found:
        agency_type = self.types[type_slug]
        return Found(AgencyMention(text[start:end], type_slug, agency_type.is_group), start, end)

    def _blocked(self, type_slug: str, folded: str, end: int) -> bool:
        # "Chính phủ điện tử" names a programme, not the Government
        after = folded[end : end + 12].lstrip()
        return any(after.startswith(word) for word in self.types[type_slug].not_followed_by)

    def _named_districts(self, text: str) -> list[Found]:
        found = []
        for match in _NAMED_DISTRICT.finditer(text):
            level, name = match.group(1), match.group(2).strip()
            first = self._district(level, name, match.start(), match.start(2) + len(name))
            if first is None:
                continue
            found.append(first)
            position = match.start(2) + len(name)
            while more := _NAME_CONTINUATION.match(text, position):
                name = more.group(1).strip()
                named = self._district(level, name, more.start(1), more.start(1) + len(name))
                if named is None:
                    break
                found.append(named)
                position = more.start(1) + len(name)
        return found

    def _district(self, level: str, name: str, start: int, end: int) -> Found | None:
        province = (
            self._provinces.get(fold_keep_length(name)) if level in _PROVINCE_LEVELS else None
        )
        if province is not None:
            # a province's own committee; the document's own is found by its aliases
            if province == self.province:
                return None
            mention = AgencyMention(
                f"UBND {level} {name}", "ubnd-tinh", False, name_slug=province, province=province
            )
            return Found(mention, start, end)
        commune = level.lower() in _COMMUNE_LEVELS
        if level not in ("huyện", "thị xã", "thành phố") and not commune:
            return None
        trimmed = re.sub(r"\s*-\s*$", "", name)
        label = f"UBND {level.lower()} {trimmed}"
        kind = "ubnd-xa" if commune else "ubnd-huyen"
        mention = AgencyMention(label, kind, False, name_slug=slug(label), label=label)
        return Found(mention, start, end - (len(name) - len(trimmed)))

    def _lists(self, text: str, folded: str, taken: list[tuple[int, int]]) -> list[Found]:
        found: list[Found] = []
        for head in _LIST_HEAD.finditer(folded):
            if _overlaps(head.start(), head.end(), taken):
                continue
            first = self._short_at(text, folded, head.end(), provincial_department=True)
            if first is None:
                continue
            if not folded[head.start() : head.end()].startswith("cac"):
                # "Sở Nội vụ" written in full: the mention keeps its "Sở"
                first = self._found(text, first.mention.type_slug, head.start(), first.end)
            found.append(first)
            taken.append((head.start(), first.end))
        return found

    def _short_at(
        self, text: str, folded: str, position: int, provincial_department: bool = False
    ) -> Found | None:
        match = self._short_re.match(folded, position)
        if match is None or not _word_ends(folded, match.end()):
            return None
        type_slug = self._short[_key(match.group(0))]
        is_department = type_slug.startswith("so-")
        if provincial_department and not is_department:
            return None
        if is_department and not text[position : position + 1].isupper():
            return None  # bare department names are capitalised: "Tư pháp", "TN&MT"
        return self._found(text, type_slug, match.start(), match.end())

    def _continue_lists(self, text: str, folded: str, found: list[Found]) -> list[Found]:
        result: list[Found] = []
        for index, item in enumerate(found):
            result.append(item)
            next_start = found[index + 1].start if index + 1 < len(found) else len(text)
            position = item.end
            while (sep := _SEPARATOR.match(folded, position)) and sep.end() < next_start:
                more = self._short_at(text, folded, sep.end())
                if more is None or more.end > next_start:
                    break
                result.append(more)
                position = more.end
        return result


@lru_cache(maxsize=256)
def gazetteer_for(lexicon: Lexicon, province: str | None) -> Gazetteer:
    """The compiled gazetteer of one province, compiled once per lexicon and province."""
    return Gazetteer(lexicon, province)


_DEPARTMENT = re.compile(r"^(Sở|Bộ)\s+(.+)$")
_PARTS = re.compile(r"\s*,\s*|\s+và\s+|\s+[-–]\s+")


def abbreviations(label: str) -> list[str]:
    """How documents shorten a department's or ministry's name of several parts: the initials
    of each part's syllables, the parts joined as writers join them ("Sở Nông nghiệp và Môi
    trường": "Sở NN&MT", "Sở NNMT", "Sở NN và MT", "Sở NN-MT"; "Sở Lao động, Thương binh và Xã
    hội": "Sở LĐ-TB&XH", "Sở LĐTB&XH", "Sở LĐ,TB&XH", "Sở LĐTBXH")."""
    named = _DEPARTMENT.match(label)
    if named is None:
        return []
    parts = [part for part in _PARTS.split(named.group(2)) if part]
    if len(parts) < 2:
        return []
    initials = ["".join(word[0].upper() for word in part.split()) for part in parts]
    *first, last = initials
    joined = {
        "".join(initials),
        "-".join(first) + "&" + last,
        "".join(first) + "&" + last,
        ",".join(first) + "&" + last,
        "-".join(initials),
        " và ".join([", ".join(first), last]),
    }
    return [f"{named.group(1)} {short}" for short in sorted(joined)]


def _aliases(agency_type: AgencyType) -> list[str]:
    concept = agency_type.concept
    return [concept.label_vi, *concept.alt_labels]


def _expand(aliases: list[str], province_names: list[str]) -> list[str]:
    out = []
    for alias in aliases:
        if "{province}" in alias:
            out += [alias.replace("{province}", name) for name in province_names]
        else:
            out.append(alias)
    return out


_COMMITTEE = re.compile(r"\b(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\b")
_PROVINCE_WORD = re.compile(r"(?<!\w)tỉnh(?!\w)", re.IGNORECASE)


def _spellings(alias: str, in_city: bool) -> list[str]:
    """An alias as documents write it: "UBND" and "Ủy ban nhân dân" are one word; in a
    centrally-run city the provincial level is the city's ("Công an thành phố", "Sở Nội vụ Thành
    phố")."""
    spellings = [alias]
    if _COMMITTEE.search(alias):
        spellings += [_COMMITTEE.sub(word, alias) for word in ("UBND", "Ủy ban nhân dân")]
    if in_city:
        spellings += [
            _PROVINCE_WORD.sub("thành phố", s) for s in spellings if _PROVINCE_WORD.search(s)
        ]
    return list(dict.fromkeys(spellings))


def _province_names(lexicon: Lexicon, province: str | None) -> list[str]:
    if province is None or province not in lexicon.provinces:
        return []
    entry = lexicon.provinces[province]
    return [entry.label, *entry.aliases]


def _key(alias: str) -> str:
    """The folded name without its commas: the lookup key of a spelling and of a match."""
    folded = re.sub(r"\s*,\s*", " ", fold_keep_length(alias).strip())
    return re.sub(r"\s*-\s*", "-", re.sub(r"\s+", " ", folded))


def _alternation(spellings: list[str]) -> re.Pattern[str]:
    """One pattern for all spellings, longest first; a comma of a name's list may be left out
    ("UBND các phường xã" for "UBND các phường, xã") or written without its space ("Bộ VH,TT&DL"),
    while words apart stay apart ("tỉnh, Ủy ban" is no "tỉnh ủy")."""
    parts = []
    folded = {re.sub(r"\s+", " ", fold_keep_length(s).strip()) for s in spellings}
    for spelling in sorted(folded, key=len, reverse=True):
        pieces = [re.escape(piece.strip()) for piece in spelling.split(",")]
        pattern = r"(?:\s*,\s*|\s+)".join(
            piece.replace(r"\ ", r"\s+").replace(r"\-", r"\s*-\s*") for piece in pieces
        )
        parts.append(pattern)
    return re.compile(r"(?<![a-z0-9&])(?:" + "|".join(parts) + r")(?![a-z0-9&])")


def _word_ends(folded: str, end: int) -> bool:
    return end >= len(folded) or not folded[end].isalnum()


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)
