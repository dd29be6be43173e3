"""who_headings: headings that say who does the work and nothing of the work itself ("d) Giao Sở
Tư pháp:", "a) Chủ trì, phối hợp với các sở, ban, ngành", "3. Sở Tài chính", "8. Đề nghị …")."""

from __future__ import annotations

import re

from cchc_graph.parse.context import ParseContext
from cchc_graph.parse.gazetteer import Found
from cchc_graph.parse.prose_fields import find_deadline
from cchc_graph.text import fold_keep_length

# the words of an assignment header besides its agencies: "Giao …", "… chủ trì, phối hợp với …"
_HEADER_WORDS = re.compile(
    r"(?<![a-z])(?:giao|chu tri|phoi hop|voi|cung|thuc hien|cac nhiem vu sau|nhiem vu|sau|"
    r"nhu sau|cu the|gom|co trach nhiem|trach nhiem|trien khai)(?![a-z])"
)


def assignment_header(heading: str, context: ParseContext) -> bool:
    """ "Giao Sở Tư pháp:", "Chủ trì, phối hợp với các sở, ban, ngành …", "Sở Tài chính": a
    heading that says who, and how they share the work, and nothing of the work itself."""
    found = context.gazetteer.find(heading)
    folded = fold_keep_length(heading)
    if not found and not _HEADER_WORDS.search(folded):
        return False
    deadline = find_deadline(heading, context)
    if deadline is not None:  # "Giao Sở Nội vụ, hoàn thành trong quý II/2025:"
        phrase = fold_keep_length(deadline.text)
        folded = folded.replace(phrase, " " * len(phrase))
    words = _NAME_GLUE.sub(" ", _HEADER_WORDS.sub(" ", _besides(folded, found)))
    return len(words.split()) <= 2


REQUEST_WORDS = re.compile(r"^\s*Đề\s+nghị\s*:?\s*", re.IGNORECASE)


# what may stand between the agencies of a heading that only names them
_NAME_GLUE = re.compile(
    r"(?<![a-z])(?:de nghi|khuyen khich|doi voi|trach nhiem cua|trach nhiem|cua|va|cac|tinh|"
    r"thanh pho|tren dia ban|co lien quan|lien quan|co quan chu tri|chu tri|don vi|"
    r"dong tren dia ban|khac)(?![a-z])|[\s,;:.()&/-]+"
)


def names_only(heading: str, context: ParseContext) -> bool:
    """ "Sở Tài chính (cơ quan chủ trì):", "Đề nghị: Hiệp hội Doanh nghiệp tỉnh, Hội Nông dân
    tỉnh": a heading that names agencies and says nothing else."""
    found = context.gazetteer.find(heading)
    if not found:
        return False
    return not _NAME_GLUE.sub("", _besides(fold_keep_length(heading), found)).strip()


def _besides(folded: str, found: list[Found]) -> str:
    """The words of a heading outside the agencies it names."""
    rest, last = [], 0
    for mention in found:
        rest.append(folded[last : mention.start])
        last = max(last, mention.end)
    rest.append(folded[last:])
    return " ".join(rest)
