"""assignments: an assignment text -> Assignment (lead, cooperating, participants).

The reading rules (tests/expected/README.md, "Agencies"):
- lead: the agencies right before "chủ trì" or "làm đầu mối", or after "Giao"; when nobody in the
  text leads that way, the subject of the first clause;
- cooperating: the agencies after "phối hợp (với/cùng)", after "chủ trì cùng" or "thống nhất với",
  and an agency that is itself the subject of "phối hợp" once a lead exists;
- participants: other clause subjects and those that "tham gia".
Agencies that are only objects ("trình UBND tỉnh", "gửi Sở Nội vụ") have no role.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from itertools import pairwise

from cchc_graph.parse.gazetteer import (
    UNRESOLVED_TYPES,
    Found,
    Gazetteer,
    bare_kind,
    body_kind,
    listed_kinds,
    squash_phrase,
    unresolved_body,
)
from cchc_graph.records import AgencyMention, Assignment
from cchc_graph.text import fold_keep_length

_CELL_TAG = re.compile(r"<[^>]+>")
_BELONGS_TO = re.compile(r"\S\s+(?:của|thuộc|trực thuộc)\s+$")
# a chain of agencies is only joined by commas, "và", "cùng", colons or "các Sở:" heads
_CHAIN_GAP = re.compile(
    r"^[\s,:;&]*(?:(?:va|cung|cac so|so|chu tich|thu truong|bo truong|giam doc|lanh dao|thuoc tinh|"
    r"don vi|"
    r"tren dia ban tinh|cua tinh|cap tinh)[\s,:;]*)*$"
)
# a clause ends at a sentence end, a semicolon or a line break (cell items are joined by "\n");
# " - " is not a break: "Đài Phát thanh - Truyền hình", "Lao động - Thương binh và Xã hội"
_CLAUSE_END = re.compile(r"(?:[.;!?](?=\s+[-–+•A-ZĐÀ-Ỹ\d(])|[;\n])")
# phrases that open a sentence before its subject: "Căn cứ nội dung Kế hoạch, ..., các sở ..."
_ADVERBIAL_OPENERS = (
    "can cu",
    "tren co so",
    "sau khi",
    "de ",
    "tu ket qua",
    "theo ",
    "doi voi",
    "rieng",
    "trong qua trinh",
    "dong thoi",
    "ngoai ra",
    "thuc hien",
)
_LEAD_CUES = ("chu tri", "lam dau moi")
# "Đề nghị X", "Khuyến khích X": asked of or encouraged in a body the issuer does not command
_REQUEST = re.compile(
    r"^[\s\-–+•*]*(?:\d{1,2}[.)]\s*|[a-z]\)\s*)?(?:de nghi|khuyen khich)(?![a-z])"
)
_COOPERATE_CUES = ("phoi hop", "thong nhat voi")
_LIST_HEAD_END = re.compile(r"(?<![a-z])(?:so|bo|nganh|co quan|don vi|cac|gom|nhu)\s*$")
_SUBJECT_PREFIX = re.compile(
    r"^[\s\-–+•*]*(?:giao|de nghi|khuyen khich|dong thoi|rieng|sau do)?[\s,:]*"
    r"(?:(?:cac\s+)?dong chi\s+)?"
    r"(?:thu truong|bo truong|chu tich|giam doc|lanh dao|tat ca)?\s*"
    r"(?:(?:tat ca\s+)?cac\s+so\s*:?|so)?\s*$"
)


@dataclass(slots=True)
class _Clause:
    start: int
    end: int
    chains: list[list[Found]]


def column_mentions(text: str, gazetteer: Gazetteer) -> tuple[AgencyMention, ...]:
    """Every agency a table column names ("Cơ quan chủ trì"): the column gives the role. What
    the column names besides the agencies the vocabulary knows ("Bộ Tài chính, Tập đoàn Điện
    lực Việt Nam") is kept as written, a body of its own. A cell's paragraphs are lines: a name
    Word wrapped over two ("<p>Ủy ban</p><p>Kinh tế và Tài chính</p>") is one name."""
    text = html.unescape(_CELL_TAG.sub("\n", text)) if "<" in text else text
    found = gazetteer.find(text)
    mentions = []
    last = 0
    rest = []
    for item in found:
        gap = text[last : item.start]
        owner = re.split(r"[,;\n(]|\s+và\s+", gap)[-1] + text[item.start : item.end]
        if _BELONGS_TO.search(gap) and unresolved_body(owner) is not None:
            # "các Ủy ban khác của Quốc hội": a body named by whom it belongs to, one name
            rest.append(gap + text[item.start : item.end])
        else:
            mentions.append(item.mention)
            rest.append(gap)
        last = max(last, item.end)
    rest.append(text[last:])
    remainder = squash_phrase(" ".join(rest))
    listed = listed_kinds(remainder)
    if listed is not None:  # "Các Cục, Vụ": one group of the kinds it lists
        return _unique([*mentions, listed])
    for piece in re.split(r"[,;\n]|\s+và\s+|\(|\)", " , ".join(rest)):
        body = unresolved_body(piece)
        if body is not None:
            mentions.append(body)
    return _unique(mentions)


def opening_agencies(text: str, gazetteer: Gazetteer) -> tuple[AgencyMention, ...]:
    """The agencies that open the first clause of `text` (its subject), if any."""
    folded = fold_keep_length(text)
    clauses = _clauses(text, gazetteer.find(text))
    return tuple(f.mention for f in _subject(clauses[0], folded)) if clauses else ()


def read_assignment(
    text: str, gazetteer: Gazetteer, topic: tuple[AgencyMention, ...] = ()
) -> Assignment:
    """Roles of the agencies in `text`; `topic` is the agency a heading named ("Giao X:")."""
    folded = fold_keep_length(text)
    found = gazetteer.find(text)
    # a subject the vocabulary lacks ("Vụ Pháp chế chủ trì, phối hợp với Văn phòng Bộ …") leads
    unknown_subject = _unresolved_subject(text) if not found else None
    clauses = _clauses(text, found)
    lead: list[AgencyMention] = []
    cooperating: list[AgencyMention] = []
    participants: list[AgencyMention] = []
    subjects: list[list[Found]] = []
    first_subject: _Clause | None = None
    for clause in clauses:
        subject = _subject(clause, folded)
        if subject:
            subjects.append(subject)
            first_subject = first_subject or clause
        # "; chủ trì cùng ..." leads through the last named subject
        current = [f.mention for f in subjects[-1]] if subjects else list(topic)
        lead += _lead_in_clause(clause, folded, current)
    for clause in clauses:
        cooperating += _cooperating_in_clause(clause, text, folded, lead)
        participants += _cue_before(clause, folded, ("tham gia",))
    if not lead and unknown_subject is not None:
        lead = [unknown_subject]
    elif not lead and first_subject is not None:
        # "Các doanh nghiệp nhà nước, Tổng Công ty tiên phong …": the subject goes on past the
        # bodies the vocabulary holds, as a list of partners does
        lead = [f.mention for f in subjects[0]]
        lead += _partners_listed(first_subject, text, folded, subjects[0][-1].end, True)
    elif not lead:
        lead = list(topic)
    for subject in subjects:
        participants += [f.mention for f in subject]
    assignment = _by_strongest_role(lead, cooperating, participants)
    asked = bool(subjects) and folded[: subjects[0][0].start].rstrip().endswith(
        ("de nghi", "khuyen khich")
    )
    if _REQUEST.match(folded) or asked:
        return replace(assignment, requested=True)
    return assignment


# "Các cơ quan quản lý nhà nước, tổ chức, cá nhân liên quan có trách nhiệm …": a subject the
# vocabulary does not hold, before the words that give it the duty
_DUTY = re.compile(
    r"\s+(?:có trách nhiệm|chịu trách nhiệm|chủ trì|chủ động|phải)[\s,]", re.IGNORECASE
)


def unresolved_subject(text: str) -> AgencyMention | None:
    """The body the text opens with when the vocabulary does not hold it ("Các cơ quan được
    phân công chủ trì …" -> "Các cơ quan được phân công"), or None."""
    return _unresolved_subject(text)


def _unresolved_subject(text: str) -> AgencyMention | None:
    duty = _DUTY.search(text[:250])
    if duty is not None and not re.search(r"[.;:]", text[: duty.start()]):
        return unresolved_body(text[: duty.start()])
    # "2. Văn phòng Bộ bảo đảm kinh phí …": a body of a proper name, then the verb of its work
    opening = re.sub(r"^[\s\-–+•*]*(?:\d{1,2}[.)]|[a-zđ]\))?\s*", "", text[:250])
    if not opening[:1].isupper():
        return None
    offset = len(text[:250]) - len(opening)
    end = _list_end(text, fold_keep_length(text), offset, min(len(text), 250))
    if end >= min(len(text), 250) or re.search(r"[.;:,]", text[offset:end]):
        return None
    body = unresolved_body(text[offset:end])
    return body if body is not None and not body.is_group else None


def _clauses(text: str, found: list[Found]) -> list[_Clause]:
    ends = [m for m in _CLAUSE_END.finditer(text) if not _partners_go_on(m, found, text)]
    bounds = [0] + [m.end() for m in ends] + [len(text)]
    clauses = []
    for start, end in pairwise(bounds):
        if end <= start:
            continue
        inside = [f for f in found if start <= f.start < end]
        clauses.append(_Clause(start, end, _chains(inside, text)))
    return clauses


_PARTNERS_CUE = re.compile(r"(?<![a-z])phoi hop(?:\s+voi)?(?![a-z])")


def _partners_go_on(end: re.Match[str], found: list[Found], text: str) -> bool:
    """A semicolon inside the list of partners ("phối hợp với các Sở, ban, ngành của tỉnh; Ủy ban
    nhân dân các xã, phường; các cơ quan …") ends no clause: between the cue and it stand only
    bodies, and a body follows it."""
    if end.group(0) != ";" or not any(
        f.start >= end.end() and not text[end.end() : f.start].strip() for f in found
    ):
        return False
    folded = fold_keep_length(text[: end.start()])
    cues = list(_PARTNERS_CUE.finditer(folded))
    if not cues:
        return False
    position = cues[-1].end()
    for mention in sorted((f for f in found if position <= f.start < end.start()), key=_start):
        if not _CHAIN_GAP.match(folded[position : mention.start]):
            return False
        position = mention.end
    return position > cues[-1].end() and bool(_CHAIN_GAP.match(folded[position:]))


def _start(found: Found) -> int:
    return found.start


def _chains(found: list[Found], text: str) -> list[list[Found]]:
    chains: list[list[Found]] = []
    for item in found:
        gap = fold_keep_length(text[chains[-1][-1].end : item.start]) if chains else None
        if gap is not None and _CHAIN_GAP.match(gap):
            chains[-1].append(item)
        else:
            chains.append([item])
    return chains


def _subject(clause: _Clause, folded: str) -> list[Found]:
    """The chain that opens the clause, after "Giao", a bullet or an adverbial phrase and comma."""
    if not clause.chains:
        return []
    first = clause.chains[0]
    before = folded[clause.start : first[0].start]
    heading, colon, after = before.rpartition(": ")
    sentence = first[0].mention.text[:1].isupper()  # "…: Các bộ khẩn trương", not "…: doanh …"
    if colon and sentence and len(before) < 300 and not _LIST_HEAD_END.search(heading):
        # "Đẩy mạnh rà soát …: Các bộ khẩn trương trình …": the heading, then the sentence
        # (not "của các Sở: Y tế, …", a list)
        before = after
    if _SUBJECT_PREFIX.match(before) or (
        before.rstrip().endswith(("de nghi", "yeu cau")) and len(before) < 200
    ):
        # "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị các bộ, ngành …"
        return first
    opener = before.strip(" -–+•")
    if (
        opener.endswith(",")
        and len(opener) < 200
        and (opener.startswith(_ADVERBIAL_OPENERS) or "," not in opener[:-1])
    ):
        return first  # "Trên cơ sở Đề án nêu trên, Sở Tài chính chủ trì ..."
    return []


def _lead_in_clause(
    clause: _Clause, folded: str, current: list[AgencyMention]
) -> list[AgencyMention]:
    leads: list[AgencyMention] = []
    text = folded[clause.start : clause.end]
    for cue in _LEAD_CUES:
        for match in re.finditer(re.escape(cue), text):
            position = clause.start + match.start()
            chain = _chain_ending_at(clause, folded, position)
            leads += [f.mention for f in chain] if chain else current
    if re.match(r"^[\s\-–+•]*giao\s", text) and clause.chains:
        leads += [f.mention for f in clause.chains[0]]
    return leads


def _cooperating_in_clause(
    clause: _Clause, original: str, folded: str, lead: list[AgencyMention]
) -> list[AgencyMention]:
    result: list[AgencyMention] = []
    text = folded[clause.start : clause.end]
    lead_types = {_identity(m) for m in lead}
    for cue in (*_COOPERATE_CUES, "cung"):
        for match in re.finditer(r"(?<![a-z])" + re.escape(cue) + r"(?![a-z])", text):
            position = clause.start + match.start()
            if cue == "cung" and not re.search(r"(chu tri|phoi hop)\s*,?\s*$", folded[:position]):
                continue
            before = _chain_ending_at(clause, folded, position)
            if before and any(_identity(f.mention) not in lead_types for f in before):
                result += [f.mention for f in before]
            start = clause.start + match.end()
            after = _chain_starting_at(clause, folded, start)
            result += [f.mention for f in after]
            if cue == "phoi hop":
                listed_from = after[-1].end if after else _after_gap(folded, start)
                result += _partners_listed(clause, original, folded, listed_from, bool(after))
    return result


# where a list of partners ends: the verb of what is done together or its purpose ("phối hợp
# với các đơn vị cấp nước … xây dựng phương án", "… để bảo vệ", "… trong việc nghiên cứu"),
# written in lower case (a proper name may hold such a word: "Ngân hàng Phát triển")
_PREDICATE = re.compile(
    r"\s(?:de|nham|trong viec|trong qua trinh|khan truong|xay dung|hoan thanh|trien khai|"
    r"thuc hien|tham muu|ra soat|phat trien|nghien cuu|bao dam|dam bao|tuyen truyen|huong dan|"
    r"kiem tra|theo doi|danh gia|cung cap|thuc day|day manh|hoan thien|ban hanh|trinh|tiep tuc|"
    r"giai quyet|thao go|tham gia|chuan bi|van hanh|khao sat|tong hop|bao cao|xu ly|lam|"
    r"tap trung|uu tien|chu dong|tich cuc|kip thoi|tien phong|dan dat|co trach nhiem)(?![a-z])"
)
_LIST_SEPARATOR = re.compile(r"\s*(?:,|\s(?:va|cung)\s)\s*")
_ACRONYM = re.compile(r"[A-ZĐ][A-ZĐ0-9&\-]+")


def _after_gap(folded: str, position: int) -> int:
    gap = _PARTNER_GAP.match(folded, position)
    return gap.end() if gap else position


def _list_end(original: str, folded: str, position: int, end: int) -> int:
    for verb in _PREDICATE.finditer(folded, position, end):
        if original[verb.start() + 1].islower():
            return verb.start()
    return end


def _partners_listed(
    clause: _Clause, original: str, folded: str, position: int, after_chain: bool
) -> list[AgencyMention]:
    """Bodies the vocabulary lacks in a list of partners, kept as written ("phối hợp với các
    bộ, ngành, Tập đoàn FPT, CMC khẩn trương …", "Phối hợp cùng Nhóm công tác số 3 và các
    doanh nghiệp đồng hành hoàn thành …"), with the vocabulary's bodies listed after them. The
    list ends at the verb of what is done together, or at the first piece that names no body."""
    end = _list_end(original, folded, position, clause.end)
    known = [f for chain in clause.chains for f in chain]
    mentions: list[AgencyMention] = []
    kind = ""  # the kind of body the last piece opened with: "Tập đoàn"
    # after a body the list goes on only past a comma or "và" ("… có liên quan tổ chức, …")
    separated = not after_chain
    while position < end:
        separator = _LIST_SEPARATOR.match(folded, position, end)
        if separator is not None and separator.end() > position:
            position, separated = separator.end(), True
            continue
        if not separated:
            break
        here = next((f for f in known if f.start == position), None)
        if here is not None:
            mentions.append(here.mention)
            position, kind, separated = here.end, "", False
            continue
        stop = end
        if (next_separator := _LIST_SEPARATOR.search(folded, position, end)) is not None:
            stop = next_separator.start()
        if any(position < f.start < stop for f in known):
            break  # a known body inside the piece ("các cơ quan của Quốc hội"): not a list item
        piece = original[position:stop].strip()
        body = unresolved_body(piece) or bare_kind(piece)
        if body is None and kind and _ACRONYM.fullmatch(piece):
            # "Tập đoàn FPT, CMC": the kind of body is said once for both names
            body = unresolved_body(f"{kind} {piece}")
        if body is None:
            break
        mentions.append(body)
        kind = body_kind(piece) or kind
        position, separated = stop, False
    if not any(m.type_slug in UNRESOLVED_TYPES for m in mentions):
        return []  # the vocabulary's bodies alone: their chain said it all
    return mentions


def _cue_before(clause: _Clause, folded: str, cues: tuple[str, ...]) -> list[AgencyMention]:
    result: list[AgencyMention] = []
    for cue in cues:
        for match in re.finditer(re.escape(cue), folded[clause.start : clause.end]):
            chain = _chain_ending_at(clause, folded, clause.start + match.start())
            result += [f.mention for f in chain]
    return result


def _chain_ending_at(clause: _Clause, folded: str, position: int) -> list[Found]:
    for chain in clause.chains:
        gap = folded[chain[-1].end : position]
        if chain[-1].end <= position and re.fullmatch(r"[\s,]*", gap):
            return chain
    return []


# what may stand between "phối hợp" and its partners: "phối hợp chặt chẽ với", and a second verb
# whose object the partners are too ("phối hợp, đôn đốc các địa phương", "phối hợp, cung cấp
# thông tin với các sở")
_PARTNER_GAP = re.compile(
    r"[\s,:]*(?:chat che|thuong xuyen|tich cuc|kip thoi)?[\s,:]*"
    r"(?:,\s*(?:don doc|huong dan|cung cap thong tin|trao doi thong tin|chia se thong tin)\s*)?"
    r"(?:voi|cung)?[\s,:]*(?:(?:tat ca\s+)?cac\s+so\s*:?\s*)?"
)


def _chain_starting_at(clause: _Clause, folded: str, position: int) -> list[Found]:
    for chain in clause.chains:
        gap = folded[position : chain[0].start]
        if chain[0].start >= position and _PARTNER_GAP.fullmatch(gap):
            return chain
    return []


def _identity(mention: AgencyMention) -> tuple[str, str | None]:
    return mention.type_slug, mention.name_slug


def _unique(mentions: object) -> tuple[AgencyMention, ...]:
    seen: dict[tuple[str, str | None], AgencyMention] = {}
    for mention in mentions:  # type: ignore[attr-defined]
        seen.setdefault(_identity(mention), mention)
    return tuple(seen.values())


def _by_strongest_role(
    lead: list[AgencyMention], cooperating: list[AgencyMention], participants: list[AgencyMention]
) -> Assignment:
    leads = _unique(lead)
    taken = {_identity(m) for m in leads}
    coops = _unique(m for m in cooperating if _identity(m) not in taken)
    taken |= {_identity(m) for m in coops}
    others = _unique(m for m in participants if _identity(m) not in taken)
    return Assignment(leads, coops, others)
