"""Search over the prompt library: ranked search, autocomplete, clear winners.

Ranking follows what a user sees and remembers: the title first, then tags and
category, the author, the description, then the prompt body.  Query words are
matched exactly, as a prefix (the half-typed last word) or within one or two
edits (typos); word order and missing words do not matter.  See
:mod:`bot.search_index` for the indexes and :mod:`bot.search_keys` for keys.

Scores are 0..100: an exact id or title is 100; otherwise the score mixes how
much of the query a prompt covers (each word weighted by its rarity and by the
field it is found in: title > tags > category > author > description > body,
exact > stem > prefix > typo) and the fuzzy similarity of the title.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.models import Prompt
from bot.search_index import Index
from bot.search_keys import clip, key, tokens
from bot.search_rank import Expansion, expand, quote

# Score mix (sums to 100): query coverage over all fields, BM25, title similarity.
MIX_COVER, MIX_ALL, MIX_TITLE = 60.0, 25.0, 15.0
# What a query word found only in the long fields is worth (title = 1).
W_DESCRIPTION, W_BODY = 0.6, 0.5
LENGTH_FLOOR = 0.8  # long-field match in a very long prompt: 0.8 of one in a short one
LONG_CAP_MIN, LONG_CAP_DIV = 10**9, 1  # off: skipping common words cost 0.03 MRR (dev set)
BIG_POSTINGS = 500  # short-field postings above this (or N/20): looked up per candidate
COMMON_IDF = 1.4  # log(1 + N/df): df above ~N/3
RERANK = 60  # candidates that get the (costlier) fuzzy title comparison
CLEAR_MIN, CLEAR_MARGIN = 60.0, 12.0


@dataclass(frozen=True)
class Hit:
    prompt: Prompt
    score: float  # 0..100, higher is better


class SearchEngine:
    """Immutable search engine over one snapshot of the library."""

    def __init__(self, index: Index) -> None:
        self._ix = index
        self._lock = threading.Lock()  # one sqlite connection, shared

    @classmethod
    def build(cls, prompts: Sequence[Prompt]) -> SearchEngine:
        """Index ``prompts`` (pure CPU, no I/O)."""
        return cls(Index(prompts))

    def __len__(self) -> int:
        return len(self._ix.prompts)

    def get(self, prompt_id: str) -> Prompt | None:
        doc = self._ix.by_id.get(prompt_id)
        return None if doc is None else self._ix.prompts[doc]

    # -- categories and tags -------------------------------------------------
    def categories(self) -> list[tuple[str, int]]:
        """``(category, number of prompts)``, most prompts first."""
        ix = self._ix
        return sorted(
            ((ix.category_names[k], len(v)) for k, v in ix.by_category.items()),
            key=lambda cv: (-cv[1], cv[0]),
        )

    def tags(self) -> list[tuple[str, int]]:
        """``(tag, number of prompts)``, most prompts first."""
        ix = self._ix
        return sorted(
            ((ix.tag_names[k], len(v)) for k, v in ix.by_tag.items()),
            key=lambda tv: (-tv[1], tv[0]),
        )

    def complete_category(self, query: str, *, limit: int = 25) -> list[tuple[str, str]]:
        return _complete_names(self.categories(), query, limit)

    def complete_tag(self, query: str, *, limit: int = 25) -> list[tuple[str, str]]:
        return _complete_names(self.tags(), query, limit)

    # -- search ---------------------------------------------------------------
    def _slice(self, category: str | None, tag: str | None) -> set[int] | None:
        ix = self._ix
        allowed: set[int] | None = None
        if category is not None:
            allowed = set(ix.by_category.get(key(category), ()))
        if tag is not None:
            tagged = set(ix.by_tag.get(key(tag), ()))
            allowed = tagged if allowed is None else allowed & tagged
        return allowed

    def search(
        self,
        query: str,
        *,
        category: str | None = None,
        tag: str | None = None,
        limit: int = 10,
    ) -> list[Hit]:
        allowed = self._slice(category, tag)
        scores = self._score(query, allowed, use_fts=True)
        return self._hits(scores, allowed, limit)

    def autocomplete(self, query: str, *, limit: int = 25) -> list[tuple[str, str]]:
        """Up to ``limit`` (≤ 25) ``(name, prompt id)`` choices, from memory only."""
        limit = max(0, min(limit, 25))
        scores = self._score(query, None, use_fts=False)
        if not scores and query.strip():
            scores = self._score(query, None, use_fts=True)
        return [(clip(h.prompt.title), h.prompt.id) for h in self._hits(scores, None, limit)]

    def clear_winner(self, hits: Sequence[Hit]) -> Hit | None:
        """The hit to answer directly: an exact id/title, or well ahead of the runner-up."""
        if not hits:
            return None
        top = hits[0]
        runner = hits[1].score if len(hits) > 1 else 0.0
        if top.score >= 100.0 and runner < 100.0:
            return top
        if top.score >= CLEAR_MIN and top.score - runner >= CLEAR_MARGIN:
            return top
        return None

    # -- internals --------------------------------------------------------------
    def _hits(self, scores: dict[int, float], allowed: set[int] | None, limit: int) -> list[Hit]:
        ix = self._ix
        if not scores:
            if scores is _EMPTY_QUERY:
                docs: Iterable[int] = (
                    ix.order if allowed is None else sorted(allowed, key=ix.rank_of.__getitem__)
                )
                scores = dict.fromkeys(docs, 0.0)
            else:
                return []
        order = lambda ds: (-ds[1], ix.rank_of[ds[0]])  # noqa: E731
        ranked = heapq.nsmallest(limit * 4 + 16, scores.items(), key=order)
        if len(ranked) < len(scores) and len({ix.group[d] for d, _ in ranked}) < limit:
            ranked = sorted(scores.items(), key=order)  # many duplicates: rank them all
        out: list[Hit] = []
        seen: set[int] = set()
        for doc, score in ranked:
            gid = ix.group[doc]
            if gid in seen:
                continue
            seen.add(gid)
            out.append(Hit(ix.prompts[doc], round(min(100.0, max(0.0, score)), 2)))
            if len(out) >= limit:
                break
        return out

    def _score(self, query: str, allowed: set[int] | None, *, use_fts: bool) -> dict[int, float]:
        ix = self._ix
        raw = query.strip()
        qkey = key(raw)
        qtoks = tokens(qkey)
        if not qtoks:
            exact = ix.by_id.get(raw)
            return {exact: 100.0} if exact is not None else _EMPTY_QUERY
        half_typed = not query.endswith(" ")
        exps = [
            expand(ix, t, last=half_typed and i == len(qtoks) - 1, fuzzy=use_fts)
            for i, t in enumerate(qtoks)
        ]
        # Words in a third of all prompts ("the", "woman") say little and cost
        # much (long doc lists): dropped unless the query has nothing else.
        informative = [g for g in exps if max((e.idf for e in g), default=9.9) >= COMMON_IDF]
        if informative:
            exps = informative
        weights = [max((e.idf for e in g), default=1.0) for g in exps]
        best = _short_bests(ix, exps, allowed)
        if use_fts:
            self._long_best(exps, best, allowed)
        total = sum(weights) or 1.0
        # Field-weighted coverage, plus coverage wherever the words are (squared:
        # a prompt that holds every word beats one that holds most of them).
        scores: dict[int, float] = {}
        share: dict[int, float] = {}
        for w, bst in zip(weights, best, strict=True):
            for doc, v in bst.items():
                scores[doc] = scores.get(doc, 0.0) + MIX_COVER * w * v / total
                share[doc] = share.get(doc, 0.0) + w / total
        for doc, c in share.items():
            scores[doc] += MIX_ALL * c * c
        if not scores:
            return {}
        top = heapq.nlargest(RERANK, scores, key=scores.__getitem__)
        for doc in top:
            sim = fuzz.WRatio(qkey, ix.title_keys[doc]) / 100.0
            scores[doc] += MIX_TITLE * sim * sim
        for doc in ix.by_title.get(" ".join(qtoks), ()):
            if allowed is None or doc in allowed:
                scores[doc] = 100.0
        exact = ix.by_id.get(raw)
        if exact is not None and (allowed is None or exact in allowed):
            scores[exact] = 100.0
        return scores

    def _long_best(
        self, exps: list[list[Expansion]], best: list[dict[int, float]], allowed: set[int] | None
    ) -> None:
        """Raise ``best`` (per query token: doc -> value) in place for the tokens
        found in the description or body.  One FTS5 lookup per column and
        similarity class of a token's expansions; no ranking in SQLite.

        Rarest tokens first; a token found in more than ``N / LONG_CAP_DIV``
        prompts is skipped once rarer tokens have found candidates (its doc
        lists are what costs; its weight is small)."""
        ix = self._ix
        db, norm = ix.db, ix.long_norm
        sizes = [sum(ix.df.get(e.term, 0) for e in g) for g in exps]
        cap = max(LONG_CAP_MIN, len(ix.prompts) // LONG_CAP_DIV)
        for i in sorted(range(len(exps)), key=sizes.__getitem__):
            group, bst = exps[i], best[i]
            if sizes[i] > cap and any(best[j] for j in range(len(exps)) if j != i):
                continue
            classes: dict[float, list[str]] = {}
            for e in group:  # at most three lookups per column: exact, close, loose
                sim = 1.0 if e.sim >= 1.0 else (0.85 if e.sim >= 0.8 else 0.6)
                classes.setdefault(sim, []).append(e.term)
            for sim, terms in sorted(classes.items(), reverse=True):
                expr = " OR ".join(quote(t) for t in terms)
                for column, weight in (("description", W_DESCRIPTION), ("body", W_BODY)):
                    v = weight * sim
                    with self._lock:
                        rows = db.execute(_FTS_SQL, (f"{{{column}}} : ({expr})",)).fetchall()
                    for (doc,) in rows:
                        dv = v * (LENGTH_FLOOR + (1.0 - LENGTH_FLOOR) * norm[doc])
                        if dv > bst.get(doc, 0.0) and (allowed is None or doc in allowed):
                            bst[doc] = dv


_EMPTY_QUERY: dict[int, float] = {}
_FTS_SQL = "SELECT rowid FROM docs WHERE docs MATCH ?"


def _short_bests(
    ix: Index, exps: list[list[Expansion]], allowed: set[int] | None
) -> list[dict[int, float]]:
    """Per query token: doc -> best short-field match (field weight x similarity).

    Tokens with long posting lists ("portrait" in thousands of titles) are only
    looked up for the documents the rarer tokens found, when there are any:
    a prompt that matches nothing but the most common word cannot rank well."""
    sizes = [sum(len(ix.short.get(e.term, ())) for e in g) for g in exps]
    cap = max(BIG_POSTINGS, len(ix.prompts) // 20)
    found: set[int] = set()
    out: list[dict[int, float]] = [{} for _ in exps]
    for i in sorted(range(len(exps)), key=sizes.__getitem__):
        only = found if sizes[i] > cap and found else None
        out[i] = _short_best(ix, exps[i], allowed, only)
        found.update(out[i])
    return out


def _short_best(
    ix: Index, group: list[Expansion], allowed: set[int] | None, only: set[int] | None
) -> dict[int, float]:
    best: dict[int, float] = {}
    for e in group:
        posting = ix.short.get(e.term)
        if not posting:
            continue
        if only is not None:
            for doc in only:
                fw = posting.get(doc)
                if fw is not None and fw * e.sim > best.get(doc, 0.0):
                    best[doc] = fw * e.sim
            continue
        for doc, fw in posting.items():
            v = fw * e.sim
            if v > best.get(doc, 0.0) and (allowed is None or doc in allowed):
                best[doc] = v
    return best


def _complete_names(items: list[tuple[str, int]], query: str, limit: int) -> list[tuple[str, str]]:
    q = key(query.strip())
    out = [
        (clip(f"{name} ({count})"), name)
        for name, count in items
        if not q or q in key(name)
    ]
    return out[: max(0, min(limit, 25))]
