"""Query expansion: each query token becomes the index terms it may mean.

A token matches a term exactly (similarity 1), as the prefix of a longer term
when it is the half-typed last word, or within one edit (two for long words)
when the user made a typo.  Expansions feed both the short-field index and the
FTS5 ``MATCH`` expression.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from bot.search_index import Index
from bot.search_keys import is_cjk

SIM_PREFIX = 0.9
SIM_EDIT1 = 0.8
SIM_EDIT2 = 0.6
MAX_FUZZY = 8


@dataclass(frozen=True, slots=True)
class Expansion:
    term: str
    sim: float
    idf: float
    prefix: bool = False  # the FTS side matches ``term*``


def _max_edits(n: int) -> int:
    if n >= 8:
        return 2
    if n >= 4:
        return 1
    return 0


def expand(ix: Index, token: str, *, last: bool) -> list[Expansion]:
    """The terms ``token`` may stand for, best first."""
    out: dict[str, Expansion] = {}
    if token in ix.df or token in ix.short:
        out[token] = Expansion(token, 1.0, ix.idf(token))
    if is_cjk(token):
        if last and len(token) == 1:
            for term in ix.short_prefixed(token):
                out.setdefault(term, Expansion(term, SIM_PREFIX, ix.idf(term)))
            out.setdefault(token, Expansion(token, SIM_PREFIX, ix.idf(token), prefix=True))
        return list(out.values())
    if last:
        for term in ix.short_prefixed(token):
            if term != token:
                # Short prefixes are weak evidence: "c" matches half the titles.
                sim = SIM_PREFIX * min(1.0, (len(token) + 1) / len(term))
                out.setdefault(term, Expansion(term, sim, ix.idf(term)))
        out[token + "*"] = Expansion(
            token, out[token].sim if token in out else SIM_PREFIX, ix.idf(token), prefix=True
        )
    edits = _max_edits(len(token))
    if edits and (token not in out or ix.df.get(token, 0) < 3):
        n = len(token)
        pool = [t for k in range(n - edits, n + edits + 1) for t in ix.by_len.get(k, ())]
        found = extract(
            token, pool, scorer=Levenshtein.distance, score_cutoff=edits, limit=MAX_FUZZY * 4
        )
        found.sort(key=lambda f: (f[1], -ix.df.get(f[0], 0)))
        for term, dist, _ in found[:MAX_FUZZY]:
            if dist == 0:
                continue
            sim = SIM_EDIT1 if dist == 1 else SIM_EDIT2
            out.setdefault(term, Expansion(term, sim, ix.idf(term)))
    return sorted(out.values(), key=lambda e: -e.sim)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts_match(exps: list[list[Expansion]]) -> str:
    """An FTS5 ``MATCH`` expression: every expansion of every token, OR'ed
    (BM25 then rewards documents that match more and rarer terms)."""
    parts: list[str] = []
    seen: set[str] = set()
    for group in exps:
        for e in group:
            text = _quote(e.term) + (" *" if e.prefix else "")
            if text not in seen:
                seen.add(text)
                parts.append(text)
    return " OR ".join(parts)
