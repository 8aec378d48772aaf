"""The in-memory structures behind :class:`bot.search.engine.SearchEngine`.

One inverted index per field, built once from the prompts, or from a stream
of :class:`~bot.search.inverted.Doc` and stored terms (pure CPU, no I/O): term
-> sorted ``array('I')`` of document numbers.  The fields are the
ones a user sees and remembers (title, tags, category, author) and the long
one (description and prompt body as one "text" field).

An earlier version kept the long fields in an in-memory SQLite FTS5 table.  It
was dropped after measuring (see benchmarks/README.md): the build cost the same
(FTS5 tokenises in C, but the text has to be folded in Python either way), and
at 100,000 prompts fetching the match lists of common words row by row from
SQLite was most of the search time.  Compact arrays feed the C-level ``dict``
and ``set`` operations the ranking is built on.

All fields index the same folded keys (:mod:`bot.search.analysis`).
"""

from __future__ import annotations

import math
import zlib
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from bot.models import Prompt
from bot.search.analysis import body_terms, is_cjk, key, stem, tokens
from bot.search.duplicates import near_duplicate_groups
from bot.search.inverted import (
    Doc,
    Inverter,
    LongPart,
    Postings,
    grouped,
    long_part,
    size_order,
)

if TYPE_CHECKING:
    from bot.search.typos import NearTerms

# Fields, and what a match in each is worth (the title dominates).  The
# description and the prompt body are one field: giving the description its own
# weight (0.6) cost a fifth more postings and no quality (MRR 0.936 vs 0.938).
TITLE, TAG, CATEGORY, AUTHOR, TEXT = range(5)
FIELD_WEIGHT = (1.0, 0.75, 0.7, 0.6, 0.5)
SHORT_FIELDS = (TITLE, TAG, CATEGORY, AUTHOR)
LONG_FIELDS = (TEXT,)
# Length prior for long-field matches (as BM25's length normalisation): a word
# in a short text says more about it than one in 3,000 characters.  A match in
# a prompt of average length is worth 0.9, in a very long one 0.8.
LENGTH_FLOOR = 0.8
LENGTH_BUCKETS = 8
ALL_FIELDS = (TITLE, TAG, CATEGORY, AUTHOR, TEXT)
_LAST_CHAR = chr(0x10FFFF)


def _buckets(sizes: list[int]) -> list[tuple[int, float]]:
    """``(first document, length factor)`` per length class, for documents
    numbered by increasing ``sizes``."""
    n = len(sizes)
    if not n:
        return [(0, 1.0)]
    avg = (sum(sizes) / n) or 1.0
    out: list[tuple[int, float]] = []
    for k in range(LENGTH_BUCKETS):
        lo, hi = k * n // LENGTH_BUCKETS, (k + 1) * n // LENGTH_BUCKETS
        if hi > lo:
            mid = sizes[(lo + hi) // 2]
            out.append((lo, LENGTH_FLOOR + (1.0 - LENGTH_FLOOR) / (1.0 + mid / avg)))
    return out


def _words_hash(words: list[str]) -> int:
    return zlib.crc32(" ".join(words).encode())


class Index:
    """Everything the engine searches; immutable after construction.

    ``Index(prompts)`` indexes prompts held in memory (``prompts`` then serves
    them by document number); :meth:`from_docs` indexes a library streamed
    from storage without its texts (the stored snapshot serves prompts)."""

    prompts: Sequence[Prompt]

    def __init__(self, prompts: Sequence[Prompt], body: Sequence[str] | None = None) -> None:
        """``body``, when given, holds ``body_terms(p)`` of each prompt, computed
        ahead of time (the SQLite index stores it), which saves most of the build."""
        docs = [Doc.of(p) for p in prompts]
        perm = size_order([d.size for d in docs])
        stored = (body_terms(prompts[i]) if body is None else body[i] for i in perm)
        self._build(docs, perm, lambda: long_part(stored))
        self.prompts = [prompts[i] for i in perm]
        self.index_typos()

    @classmethod
    def from_docs(
        cls,
        docs: list[Doc],
        perm: Sequence[int],
        long: Callable[[], LongPart],
    ) -> Index:
        """The index of ``docs`` (emptied: at 100,000 prompts they are ~100 MB,
        freed before the long field arrives) numbered by ``perm``
        (:func:`size_order`); ``long()``
        gives the long field (:func:`long_part` of the documents in that order: it
        is asked for last, so it can be built meanwhile elsewhere).  To be
        stored (:mod:`bot.search.pack`): its typos are indexed when it is loaded."""
        ix = cls.__new__(cls)
        ix._build(docs, perm, long)
        return ix

    def _build(
        self,
        docs: list[Doc],
        perm: Sequence[int],
        long: Callable[[], LongPart],
    ) -> None:
        ordered = [docs[i] for i in perm]
        docs.clear()
        self.ids: list[str] = [d.id for d in ordered]
        self.titles: list[str] = [d.title for d in ordered]  # as shown (autocomplete)
        self.by_id: dict[str, int] = {}
        for doc in sorted(range(len(perm)), key=perm.__getitem__):  # the first of an id wins
            self.by_id.setdefault(self.ids[doc], doc)
        self.buckets: list[tuple[int, float]] = _buckets([d.size for d in ordered])
        self.title_keys: list[str] = []
        # (crc32 of a title's words << 32 | document), sorted: a title equal to a
        # query is a bisection (a dict of 100,000 titles was 28 MB and 0.1 s to load).
        self.title_hash: array[int] = array("Q")
        self.by_category: dict[str, list[int]] = defaultdict(list)
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.category_names: dict[str, str] = {}
        self.tag_names: dict[str, str] = {}
        short = self._build_short(ordered)
        self.group: array[int] = array("I", near_duplicate_groups(ordered))
        del ordered
        order = zip(self.title_keys, self.ids, range(len(self.ids)), strict=True)
        by_title = sorted(order)  # tuples compared in C: no key function
        self.order: array[int] = array("I", [doc for _, _, doc in by_title])
        del by_title
        self.rank_of: array[int] = array("I", bytes(4 * len(self.ids)))
        for pos, doc in enumerate(self.order):
            self.rank_of[doc] = pos
        for members in (*self.by_category.values(), *self.by_tag.values()):
            members.sort(key=self.rank_of.__getitem__)  # in title order: the facets list them so
        text_postings, self.tf, self.text_len = long()  # tf: repeated terms, see Inverter
        self.post: tuple[Postings, ...] = (*short, text_postings)
        self.avg_len: float = sum(self.text_len) / max(1, len(self.text_len)) or 1.0
        self._vocabulary()

    def _vocabulary(self) -> None:
        # Document frequency over all fields, roughly (the largest field list).
        self.df: dict[str, int] = {t: len(d) for t, d in self.post[TEXT].items()}
        short_terms: set[str] = set()
        for f in SHORT_FIELDS:
            short_terms.update(self.post[f])
            for term, docs in self.post[f].items():
                if len(docs) > self.df.get(term, 0):
                    self.df[term] = len(docs)
        self.short_vocab: list[str] = sorted(short_terms)
        self.vocab: list[str] = sorted(self.df)
        self.by_len: dict[int, list[str]] = defaultdict(list)
        self.by_stem: dict[str, list[str]] = defaultdict(list)
        for term in self.vocab:
            if not is_cjk(term):
                self.by_len[len(term)].append(term)
                if len(term) >= 4:
                    self.by_stem[stem(term)].append(term)

    def index_typos(self) -> None:
        """Index the terms for typo matching (:mod:`bot.search.typos`): ~9 ms
        and 0.4 MB for 25,000 terms, once, when an index is built to be
        searched or loaded, so that no query pays for it.  (Not stored, and not
        made by :meth:`from_docs`: the processes that build the stored index
        import no numpy.)"""
        from bot.search.typos import NearTerms

        self._near: NearTerms = NearTerms(self.by_len)

    # -- building -----------------------------------------------------------
    def _build_short(self, docs: Sequence[Doc]) -> tuple[Postings, ...]:
        """Postings per short field; fills the name lookups.  Categories, tags
        and authors repeat: each distinct one is folded once."""
        titles = Inverter()
        names: dict[str, str] = {}  # name -> its key
        key_tokens: dict[str, list[str]] = {}
        by_author: defaultdict[str, list[int]] = defaultdict(list)

        def name_key(name: str) -> str:
            found = names.get(name)
            if found is None:
                found = names[name] = key(name)
                key_tokens[found] = tokens(found)
            return found

        for doc, p in enumerate(docs):
            tkey = key(p.title)
            self.title_keys.append(tkey)
            ttoks = tokens(tkey)
            self.title_hash.append(_words_hash(ttoks) << 32 | doc)
            titles.add(doc, set(ttoks))
            ckey = name_key(p.category)
            self.by_category[ckey].append(doc)
            self.category_names.setdefault(ckey, p.category)
            for tag in p.tags:
                gkey = name_key(tag)
                if doc not in self.by_tag[gkey][-1:]:
                    self.by_tag[gkey].append(doc)
                self.tag_names.setdefault(gkey, tag)
            if p.author:
                by_author[name_key(p.author)].append(doc)
        self.title_hash = array("Q", sorted(self.title_hash))
        # (the documents of each category, tag and author are still ascending here)
        return (
            titles.done(),
            grouped((key_tokens[k], members) for k, members in self.by_tag.items()),
            grouped((key_tokens[k], members) for k, members in self.by_category.items()),
            grouped((key_tokens[k], members) for k, members in by_author.items()),
        )

    # -- lookups ------------------------------------------------------------
    def same_title(self, words: list[str]) -> list[int]:
        """The documents whose title is these words (``tokens`` of its key)."""
        code, found = _words_hash(words), []
        at = bisect_left(self.title_hash, code << 32)
        while at < len(self.title_hash) and self.title_hash[at] >> 32 == code:
            doc = self.title_hash[at] & 0xFFFFFFFF
            if tokens(self.title_keys[doc]) == words:  # not another title with that crc
                found.append(doc)
            at += 1
        return found

    def idfs(self, terms: Iterable[str]) -> list[float]:
        """Each term's rarity, ``log(1 + N / (1 + df))`` (a query's expansions'
        at once: a call per term was a tenth of a cold expansion)."""
        n, df, log = len(self.ids) or 1, self.df.get, math.log
        return [log(1.0 + n / (1 + df(term, 0))) for term in terms]

    def split(self, docs: array[int], value: float) -> list[tuple[float, array[int]]]:
        """A long-field posting array cut into length classes, each with
        ``value`` times its length factor."""
        out: list[tuple[float, array[int]]] = []
        bounds = self.buckets
        for k, (start, factor) in enumerate(bounds):
            lo = bisect_left(docs, start)
            hi = bisect_left(docs, bounds[k + 1][0]) if k + 1 < len(bounds) else len(docs)
            if hi > lo:
                out.append((value * factor, docs[lo:hi]))
        return out

    def near(self, token: str, edits: int) -> list[str]:
        """The terms that may be within ``edits`` of ``token``: every one that is,
        and few of the others of lengths within reach (see :mod:`bot.search.typos`)."""
        return self._near.near(token, edits)

    def prefixed(self, prefix: str, cap: int = 64, *, short: bool = True) -> list[str]:
        """Terms starting with ``prefix`` (at most ``cap``, shortest first), from the
        short fields or from every field."""
        vocab = self.short_vocab if short else self.vocab
        start = bisect_left(vocab, prefix)
        # the first term past the prefix's, among the next cap * 4 (a slice:
        # a term with the prefix sorts before the prefix and the last character)
        end = bisect_left(vocab, prefix + _LAST_CHAR, start, min(len(vocab), start + cap * 4))
        out = vocab[start:end]
        out.sort(key=len)
        return out[:cap]
