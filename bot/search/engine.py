"""Search over the prompt library: ranked search, autocomplete, clear winners.

Ranking follows what a user sees and remembers: the title first, then tags and
category, the author, the description, then the prompt body.  Query words are
matched exactly, as a prefix (the half-typed last word) or within one or two
edits (typos); word order and missing words do not matter.  See
:mod:`bot.search.postings` for the indexes and :mod:`bot.search.analysis` for keys.

Scores are 0..100: an exact id or title is 100; otherwise the score mixes how
much of the query a prompt covers (each word weighted by its rarity and by the
field it is found in: title > tags > category > author > description > body,
exact > stem > prefix > typo) and the fuzzy similarity of the title.  Queries
of three words or more are descriptions: each of their longer words also
matches as a prefix, and :mod:`bot.search.described` scores them (coverage
summed over arrays, then the best candidates mostly ranked by BM25F and by the
query's word pairs found in their titles).  A shorter query is summed
in dicts when it matches few prompts (most keystrokes), over arrays when it
matches many ("portrait" in a large library).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.models import Prompt
from bot.search.analysis import key, tokens
from bot.search.coverage import MatchValues, bests, coverage, match_values
from bot.search.dense import CandidateScores, covered
from bot.search.described import COMMON_IDF, described_scores
from bot.search.expansion import Expansion, expand, rarest
from bot.search.facets import Facets
from bot.search.hits import Hit
from bot.search.postings import ALL_FIELDS, SHORT_FIELDS, Index
from bot.search.similar import similar_docs
from bot.search.suggest import suggest
from bot.search.titles import RERANK, title_similarity
from bot.search.topk import distinct_best, largest

# Score mix (sums to 100): query coverage (MIX_COVER and MIX_ALL, see
# bot.search.coverage), title similarity (MIX_TITLE, bot.search.titles).
# A query whose words' match lists hold this many postings in all (or a
# hundredth of the library, whichever is more) is scored over arrays
# (bot.search.dense), whose cost is the library's size: past it, the dicts of
# one entry per posting cost more (benchmarks/README.md, seventh pass).
WIDE_MIN, WIDE_DIV = 1000, 100
# Queries of this many words or more are descriptions ("a woman sitting in the
# window of a black sedan"), scored by bot.search.described.  Each of their
# words of PREFIX_FROM characters or more also matches as a prefix, as in a
# full-text prefix query: members write "goth" for "gothic", "predator" for
# "predatory".
LONG_QUERY, PREFIX_FROM = 3, 4
CLEAR_MIN, CLEAR_MARGIN = 60.0, 12.0
EXPANSION_CACHE = 4096  # query words remembered between keystrokes


class SearchEngine:
    """Search engine over one snapshot of the library.

    Immutable but for a cache of query-word expansions (plain ``dict`` writes,
    safe under the GIL); nothing is shared between engines, so a new one can
    be built in a worker thread while the old one serves."""

    def __init__(self, index: Index) -> None:
        self._ix = index
        self.facets = Facets.build(index)
        # Prompts per near-duplicate group: how many best items a page needs.
        self._copies = len(index.group) / max(1, len(set(index.group)))
        self._expansions: dict[tuple[str, bool, bool], list[Expansion]] = {}

    @classmethod
    def build(
        cls, prompts: Sequence[Prompt], body_terms: Sequence[str] | None = None
    ) -> SearchEngine:
        """Index ``prompts`` (pure CPU, no I/O).  ``body_terms``, when given, holds
        ``body_terms(p)`` for each prompt, computed ahead of time (the SQLite index
        stores them), which saves most of the build."""
        return cls(Index(prompts, body_terms))

    def __len__(self) -> int:
        return len(self._ix.ids)

    def get(self, prompt_id: str) -> Prompt | None:
        doc = self._ix.by_id.get(prompt_id)
        return None if doc is None else self._ix.prompts[doc]

    def similar(self, prompt_id: str, *, limit: int = 5) -> list[Hit]:
        """Prompts similar in content to ``prompt_id``, never itself nor its
        near-duplicates (see :mod:`bot.search.similar`)."""
        doc = self._ix.by_id.get(prompt_id)
        if doc is None:
            return []
        return [self._hit(d, s) for d, s in similar_docs(self._ix, doc, limit)]

    # -- search ---------------------------------------------------------------
    def _slice(self, category: str | None, tag: str | None) -> set[int] | None:
        docs = self.facets.docs(category, tag)
        return None if docs is None else set(docs)

    def search(
        self,
        query: str,
        *,
        category: str | None = None,
        tag: str | None = None,
        limit: int = 10,
    ) -> list[Hit]:
        allowed = self._slice(category, tag)
        scores = self._score(query, allowed, ALL_FIELDS, limit)
        if scores is _EMPTY_QUERY and query.strip():  # punctuation only: nothing to look for
            return []
        return self._hits(scores, allowed, limit)

    def autocomplete(self, query: str, *, limit: int = 25) -> list[Hit]:
        """Up to ``limit`` hits for a half-typed query, titles and tags first, from memory."""
        limit = max(0, limit)
        scores = self._score(query, None, SHORT_FIELDS)
        if not scores and query.strip():
            scores = self._score(query, None, ALL_FIELDS, limit)
        return self._hits(scores, None, limit)

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """ "Did you mean" queries for one that matched nothing: each word not in the
        library replaced by the nearest ones (:mod:`bot.search.suggest`)."""
        return suggest(self._ix, query, limit)

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
    def _hit(self, doc: int, score: float) -> Hit:
        ix = self._ix
        return Hit.of(ix.prompts, doc, ix.ids[doc], ix.titles[doc], score)

    def _hits(self, scores: dict[int, float], allowed: set[int] | None, limit: int) -> list[Hit]:
        ix = self._ix
        items: Iterable[tuple[int, float]]
        if not scores:
            if scores is not _EMPTY_QUERY:
                return []
            docs = ix.order if allowed is None else sorted(allowed, key=ix.rank_of.__getitem__)
            items = ((d, 0.0) for d in docs)  # in title order already
        else:
            items = distinct_best(ix, scores, limit, self._copies)
        out: list[Hit] = []
        seen: set[int] = set()
        for doc, score in items:
            gid = ix.group[doc]
            if gid in seen:
                continue
            seen.add(gid)
            out.append(self._hit(doc, round(min(100.0, max(0.0, score)), 2)))
            if len(out) >= limit:
                break
        if len(out) < limit and isinstance(scores, CandidateScores):
            wider = scores.widened()
            if wider is not None:
                return self._hits(wider, allowed, limit)
        return out

    def _expand(self, token: str, last: bool, fuzzy: bool) -> list[Expansion]:
        """``expand``, remembered: while a user types, every keystroke repeats
        the words before the last one."""
        k = (token, last, fuzzy)
        found = self._expansions.get(k)
        if found is None:
            if len(self._expansions) >= EXPANSION_CACHE:
                self._expansions.clear()
            found = self._expansions[k] = expand(self._ix, token, last=last, fuzzy=fuzzy)
        return found

    def _candidates(
        self,
        qkey: str,
        values: list[MatchValues],
        weights: list[float],
        allowed: set[int] | None,
    ) -> CandidateScores:
        """Coverage over arrays (:mod:`bot.search.dense`), its best candidates
        (the keys, best first) scored with their title similarity."""
        ix = self._ix
        found = covered(ix, values, weights, allowed)
        best = found.best(RERANK)
        titles = title_similarity(ix, qkey, [d for d, _ in best])
        return CandidateScores(
            found, [(d, c + t) for (d, c), t in zip(best, titles, strict=True)], 1.0
        )

    def _score(
        self,
        query: str,
        allowed: set[int] | None,
        fields: tuple[int, ...],
        page: int | None = None,
    ) -> dict[int, float]:
        """doc -> score for ``query``; ``page``: how many near-duplicate groups
        the caller shows (None: every candidate's score is exact; see
        :mod:`bot.search.described`)."""
        ix = self._ix
        raw = query.strip()
        qkey = key(raw)
        qtoks = tokens(qkey)
        if not qtoks:
            exact = ix.by_id.get(raw)
            return {exact: 100.0} if exact is not None else _EMPTY_QUERY
        half_typed = not query.endswith(" ")
        fuzzy = fields is ALL_FIELDS
        long_query = fuzzy and len(qtoks) >= LONG_QUERY
        last = len(qtoks) - 1
        exps = [
            self._expand(
                t, (half_typed and i == last) or (long_query and len(t) >= PREFIX_FROM), fuzzy
            )
            for i, t in enumerate(qtoks)
        ]
        described = exps if long_query else None
        # Words in a third of all prompts ("the", "woman") say little and cost
        # much (long doc lists): dropped unless the query has nothing else that
        # matches (a word found nowhere stays, for its weight, but is no reason
        # to drop them: "woman xyzzy" still finds women).
        informative = [g for g in exps if rarest(g, 9.9) >= COMMON_IDF]
        if any(informative):
            exps = informative
        weights = [rarest(g, 1.0) for g in exps]
        scores: dict[int, float]
        if described is None:
            values = [match_values(ix, g, fields, length_prior=True) for g in exps]
            wide = max(WIDE_MIN, len(ix.ids) // WIDE_DIV)
            if sum(len(docs) for word in values for _, docs in word) >= wide:
                scores = self._candidates(qkey, values, weights, allowed)
                candidates = list(scores)
            else:
                scores = coverage(bests(values, allowed, len(ix.ids)), weights)
                candidates = largest(scores, RERANK)
                titles = title_similarity(ix, qkey, candidates)
                for doc, title in zip(candidates, titles, strict=True):
                    scores[doc] += title
        else:  # a description: no length prior (BM25F has it)
            values = [match_values(ix, g, fields, length_prior=False) for g in exps]
            scores = described_scores(ix, qkey, qtoks, described, values, weights, allowed, page)
            candidates = list(scores)
        if not candidates:
            return {}
        for doc in ix.same_title(qtoks):
            if allowed is None or doc in allowed:
                scores[doc] = 100.0
        exact = ix.by_id.get(raw)
        if exact is not None and (allowed is None or exact in allowed):
            scores[exact] = 100.0
        return scores


_EMPTY_QUERY: dict[int, float] = {}
