"""Scores of descriptions: queries of three words or more ("a woman sitting
in the window of a black sedan").

Their candidates are the best ``RERANK`` by coverage, summed over arrays
(:mod:`bot.search.dense`).  The candidates' BM25F (term counts, lengths;
:mod:`bot.search.bm25`) then makes ``MIX_BM25`` of the score, coverage and
title similarity being scaled down to the rest (``KEEP``); the query's word
pairs found in their titles (:mod:`bot.search.phrases`) add up to
``MIX_PHRASE`` on top, below an exact title's 100 (``NEAR_EXACT``): a bonus,
so that a description whose title holds no pair keeps its score, and the
clear winners theirs (weights from the dev set: benchmarks/README.md).

The title's fuzzy similarity (``WRatio``, a fifth of a description's time)
adds at most ``KEEP * MIX_TITLE``: a candidate that ranks below a page's
worth of near-duplicate groups even with that much more cannot be on the
page, and its title is not compared (its score stays without it).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.search.bm25 import bm25f
from bot.search.coverage import MatchValues
from bot.search.dense import CandidateScores, covered
from bot.search.expansion import Expansion, rarest
from bot.search.phrases import title_phrases
from bot.search.postings import Index
from bot.search.titles import MIX_TITLE, RERANK, title_similarity
from bot.search.topk import contenders

MIX_BM25, MIX_PHRASE, NEAR_EXACT = 80.0, 16.0, 99.9
KEEP = 1.0 - MIX_BM25 / 100.0
COMMON_IDF = 1.4  # log(1 + N/df): df above ~N/3 (a word that says little)


def described_scores(
    ix: Index,
    qkey: str,
    words: Sequence[str],
    expansions: Sequence[Sequence[Expansion]],
    values: Sequence[MatchValues],
    weights: Sequence[float],
    allowed: set[int] | None,
    page: int | None,
) -> CandidateScores:
    """The scores of a description's candidates: ``words`` (its tokens, the
    query key ``qkey``'s), each word's expansions and its match values and
    weight in the coverage (the informative words').  ``page``: how many
    near-duplicate groups the caller shows (None: every candidate's score
    exact, every title compared)."""
    found = covered(ix, values, weights, allowed)
    best = found.best(RERANK)
    docs = [doc for doc, _ in best]
    bm25 = bm25f(ix, expansions, docs)
    rarity = [rarest(g, 0.0) for g in expansions]
    phrases = title_phrases(ix, words, rarity, docs, COMMON_IDF)

    def final(cover: float, title: float, doc: int) -> float:
        """A candidate's score given its coverage and its title's share (the
        bounds' as the scores' formula)."""
        score = (cover + title) * KEEP + MIX_BM25 * bm25[doc]
        v = phrases.get(doc)
        return score if v is None else min(NEAR_EXACT, score + MIX_PHRASE * v)

    scores = [final(c, 0.0, d) for d, c in best]  # a title not compared adds nothing
    compare = list(range(len(docs)))
    if page is not None:
        highs = [final(c, MIX_TITLE, d) for d, c in best]
        compare = contenders(scores, highs, [ix.group[d] for d in docs], page)
    for i, t in zip(compare, title_similarity(ix, qkey, [docs[i] for i in compare]), strict=True):
        scores[i] = final(best[i][1], t, docs[i])
    return CandidateScores(found, zip(docs, scores, strict=True), KEEP)  # (and the rest)
