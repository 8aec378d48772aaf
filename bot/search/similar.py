""" "More like this": prompts similar in content to one prompt.

Kept apart from the query ranking (:mod:`bot.search.engine`), which it does
not touch: the prompt's most distinctive words (its rarest title, tag and body
terms that some other prompt shares) are looked up in the postings and every
prompt scores the rarity of the words it shares, weighted by field (common
words weigh little; a prompt must share a tenth of the weight).  The prompt
itself and its near-duplicates (its group, :func:`near_duplicate_groups`) are
left out, and one prompt per group is kept.
"""

from __future__ import annotations

import heapq

from bot.search.analysis import body_text, doc_terms, key, tokens
from bot.search.postings import ALL_FIELDS, FIELD_WEIGHT, Index

TERMS = 24  # distinctive words looked up
MIN_SHARE = 0.1  # of the distinctive words' weight, for a prompt to count as similar


def distinctive_terms(ix: Index, doc: int, n: int = TERMS) -> list[str]:
    """The ``n`` rarest words of prompt ``doc`` that at least one other prompt has."""
    prompt = ix.prompts[doc]
    terms = set(tokens(key(prompt.title))) | doc_terms(body_text(prompt))
    for tag in prompt.tags:
        terms.update(tokens(key(tag)))
    shared = [t for t in terms if ix.df.get(t, 0) >= 2]
    return heapq.nsmallest(n, shared, key=lambda t: (ix.df[t], t))


def similar_docs(ix: Index, doc: int, limit: int) -> list[tuple[int, float]]:
    """Up to ``limit`` (document, score 0..100) most like ``doc``, best first,
    one per near-duplicate group, never ``doc``'s own group."""
    terms = distinctive_terms(ix, doc)
    if not terms or limit <= 0:
        return []
    weights = dict(zip(terms, ix.idfs(terms), strict=True))
    total = sum(weights.values()) or 1.0
    scores: dict[int, float] = {}
    for term, weight in weights.items():
        best: dict[int, float] = {}
        for field in ALL_FIELDS:
            for other in ix.post[field].get(term, ()):
                if FIELD_WEIGHT[field] > best.get(other, 0.0):
                    best[other] = FIELD_WEIGHT[field]
        for other, value in best.items():
            scores[other] = scores.get(other, 0.0) + weight * value
    own, floor = ix.group[doc], MIN_SHARE * total
    ranked = sorted(
        (item for item in scores.items() if ix.group[item[0]] != own and item[1] >= floor),
        key=lambda item: (-item[1], ix.rank_of[item[0]]),
    )
    out: list[tuple[int, float]] = []
    groups: set[int] = set()
    for other, score in ranked:
        if ix.group[other] in groups:
            continue
        groups.add(ix.group[other])
        out.append((other, round(min(100.0, 100.0 * score / total), 2)))
        if len(out) >= limit:
            break
    return out
