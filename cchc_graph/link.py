"""link: ResolvedCorpus -> Continuation links (cchc:continues) between a task and the most
similar task of each earlier document of the same province, with a similarity score.

Similarity is the Jaccard index of the two descriptions' word pairs (folded, so "Sở Tư pháp" and
"SỞ TƯ PHÁP" agree); a pair counts when the score reaches THRESHOLD. The 2017 Khánh Hòa task
II.4 "Cập nhật kịp thời các quy định thủ tục hành chính của Trung ương ..." continues 2014 task
II.3 (0.72); 2017 I.3 continues 2014 III.6 (0.28: both renew how public service units work and
are financed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from cchc_graph.records import Task
from cchc_graph.resolve import ResolvedCorpus, ResolvedDocument
from cchc_graph.text import fold

THRESHOLD = 0.2  # measured on the sources: above it, pairs share a real subject
_MIN_PAIRS = 4  # a three-word task ("Báo cáo đánh giá") matches too much to mean anything


@dataclass(frozen=True, slots=True)
class Continuation:
    """`later` (a task of a later document) continues `earlier`, with the similarity score."""

    later: tuple[ResolvedDocument, Task]
    earlier: tuple[ResolvedDocument, Task]
    score: float


def word_pairs(text: str) -> frozenset[str]:
    """The adjacent word pairs of a folded text: Vietnamese words are mostly two syllables."""
    words = [w for w in fold(text).replace(",", " ").replace(";", " ").split() if w.isalnum()]
    return frozenset(f"{a} {b}" for a, b in pairwise(words))


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard index of two sets of word pairs."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def link_tasks(corpus: ResolvedCorpus) -> list[Continuation]:
    """Every continuation link of the corpus, in document and task order."""
    by_province: dict[str | None, list[ResolvedDocument]] = defaultdict(list)
    for document in corpus.documents:
        if document.parsed.header.period is not None:
            by_province[document.parsed.header.province].append(document)
    links: list[Continuation] = []
    for documents in by_province.values():
        pairs = {id(d): [(t, word_pairs(t.description)) for t in d.parsed.tasks] for d in documents}
        for later in documents:
            for earlier in documents:
                if _period(earlier)[1] < _period(later)[0]:
                    links += _best_matches(later, earlier, pairs)
    return links


def _period(document: ResolvedDocument) -> tuple[int, int]:
    period = document.parsed.header.period
    return period if period else (0, 0)


def _best_matches(
    later: ResolvedDocument,
    earlier: ResolvedDocument,
    pairs: dict[int, list[tuple[Task, frozenset[str]]]],
) -> list[Continuation]:
    found = []
    for task, words in pairs[id(later)]:
        if len(words) < _MIN_PAIRS:
            continue
        best: tuple[float, Task] | None = None
        for candidate, candidate_words in pairs[id(earlier)]:
            score = similarity(words, candidate_words)
            if score >= THRESHOLD and (best is None or score > best[0]):
                best = (score, candidate)
        if best is not None:
            found.append(Continuation((later, task), (earlier, best[1]), round(best[0], 3)))
    return found
