"""The in-memory structures behind :class:`bot.search.engine.SearchEngine`.

One inverted index per field, built once from a list of prompts (pure CPU, no
I/O): term -> sorted ``array('I')`` of document numbers.  The fields are the
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
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from bot.models import Prompt
from bot.search.analysis import (
    body_text,
    decode_counts,
    doc_counts,
    is_cjk,
    key,
    post_key,
    repeated,
    stem,
    tokens,
)

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

Postings = dict[str, "array[int]"]


class _Inverter:
    """term -> sorted document numbers, filled one document at a time (in
    increasing document order) straight into ``array('I')``: no per-document
    term sets are kept (at 100,000 prompts they would take gigabytes).

    With term counts: a term's documents where it occurs more than once go into
    ``counts``, one ``array('I')`` of ``doc << 8 | count`` per term, sorted (a
    bisection finds a document's count; any other posting counts 1)."""

    def __init__(self) -> None:
        self.lists: defaultdict[str, array[int]] = defaultdict(_new_array)
        self.counts: defaultdict[str, array[int]] = defaultdict(_new_array)

    def add(self, doc: int, terms: Iterable[str]) -> None:
        lists = self.lists
        for term in terms:
            lists[term].append(doc)

    def repeat(self, doc: int, counts: Iterable[tuple[str, int]]) -> None:
        """``(term, count)`` for the terms of ``doc`` (just added) that occur more
        than once; counts at most COUNT_MAX."""
        repeats, base = self.counts, doc << 8
        for term, n in counts:
            repeats[term].append(base | n)

    def done(self) -> Postings:
        return dict(self.lists)


def _new_array() -> array[int]:
    return array("I")


def _host(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    for prefix in ("www.", "mobile."):
        host = host.removeprefix(prefix)
    return host


_ASCII_SPACES = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.split() splits ASCII on


def _text_bucket(text: str) -> tuple[int, list[str]]:
    """A cheap key that two texts equal but for whitespace share: the number of
    characters that are not whitespace, and the first words."""
    if text.isascii():
        solid = len(text.encode().translate(None, _ASCII_SPACES))
    else:
        solid = sum(map(len, text.split()))
    return solid, text.split(None, 8)[:8]


def near_duplicate_groups(prompts: Sequence[Prompt]) -> list[int]:
    """Group number per prompt: prompts with the same text (whitespace aside)
    share one; so do the copies of one post found under different hosts
    (twitter.com and x.com), when each host has exactly one.  Several different
    prompts published in one post (same URL, same host) stay apart."""
    parent = list(range(len(prompts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Same text: only prompts in the same cheap bucket are compared
    # (normalising all 12 MB of the corpus cost 0.2 s).
    by_size: defaultdict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    by_post: defaultdict[str, list[int]] = defaultdict(list)
    for doc, p in enumerate(prompts):
        solid, words = _text_bucket(p.prompt)
        by_size[solid, tuple(words)].append(doc)
        post = post_key(p)
        if post is not None:
            by_post[post].append(doc)
    for (solid, _), docs in by_size.items():
        if len(docs) < 2 or not solid:
            continue
        by_text: dict[str, int] = {}
        for doc in docs:
            union(by_text.setdefault(" ".join(prompts[doc].prompt.split()), doc), doc)
    for docs in by_post.values():
        if len(docs) < 2:
            continue
        hosts = [_host(prompts[d].source_url or "") for d in docs]
        if len(set(hosts)) == len(hosts):  # one copy per host: the same post
            for d in docs[1:]:
                union(docs[0], d)
    return [find(i) for i in range(len(prompts))]


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


class Index:
    """Everything the engine searches; immutable after construction."""

    def __init__(self, prompts: Sequence[Prompt], body_terms: Sequence[str] | None = None) -> None:
        # Documents are numbered by length (description + body), so that a
        # posting array splits into length classes by bisection (``buckets``).
        sizes = [len(p.description) + len(p.prompt) for p in prompts]
        perm = sorted(range(len(prompts)), key=sizes.__getitem__)
        self.prompts: list[Prompt] = [prompts[i] for i in perm]
        self._body_terms = None if body_terms is None else [body_terms[i] for i in perm]
        self.by_id: dict[str, int] = {}
        new_of = [0] * len(perm)
        for new, old in enumerate(perm):
            new_of[old] = new
        for old, p in enumerate(prompts):  # the first of duplicate ids wins
            self.by_id.setdefault(p.id, new_of[old])
        self.buckets: list[tuple[int, float]] = _buckets(sorted(sizes))
        self.text_len: array[int] = array("I")  # tokens of description + body
        self.tf: dict[str, array[int]] = {}  # repeated terms, see _Inverter
        self.title_keys: list[str] = []
        self.by_title: dict[str, list[int]] = defaultdict(list)
        self.by_category: dict[str, list[int]] = defaultdict(list)
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.category_names: dict[str, str] = {}
        self.tag_names: dict[str, str] = {}
        self.post: tuple[Postings, ...] = (*self._build_short(), self._build_long())
        self.avg_len: float = sum(self.text_len) / max(1, len(self.text_len)) or 1.0
        self.group: list[int] = near_duplicate_groups(self.prompts)
        self.order: list[int] = sorted(
            range(len(self.prompts)), key=lambda i: (self.title_keys[i], self.prompts[i].id)
        )
        self.rank_of: list[int] = [0] * len(self.prompts)
        for pos, doc in enumerate(self.order):
            self.rank_of[doc] = pos
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
        self._pools: dict[tuple[int, int], list[str]] = {}
        self.by_len: dict[int, list[str]] = defaultdict(list)
        self.by_stem: dict[str, list[str]] = defaultdict(list)
        for term in self.vocab:
            if not is_cjk(term):
                self.by_len[len(term)].append(term)
                if len(term) >= 4:
                    self.by_stem[stem(term)].append(term)

    # -- building -----------------------------------------------------------
    def _build_long(self) -> Postings:
        """Postings of description + body; fills ``tf`` and ``text_len``."""
        text = _Inverter()
        lens = self.text_len
        if self._body_terms is not None:
            for doc, stored in enumerate(self._body_terms):
                terms, counts = decode_counts(stored)
                text.add(doc, terms)
                if counts:  # those of the first terms
                    text.repeat(doc, zip(terms, counts, strict=False))
                lens.append(len(terms) + sum(counts) - len(counts))
        else:
            for doc, p in enumerate(self.prompts):
                found = doc_counts(body_text(p))
                text.add(doc, found)
                text.repeat(doc, repeated(found))
                lens.append(sum(found.values()))
        self._body_terms = None
        self.tf = dict(text.counts)
        return text.done()

    def _build_short(self) -> tuple[Postings, ...]:
        """Postings per short field; fills the name lookups.  Categories, tags
        and authors repeat: each distinct one is folded once."""
        titles, tags, categories, authors = (_Inverter() for _ in SHORT_FIELDS)
        names: dict[str, tuple[str, list[str]]] = {}

        def name_key(name: str) -> tuple[str, list[str]]:
            found = names.get(name)
            if found is None:
                k = key(name)
                found = names[name] = (k, tokens(k))
            return found

        for doc, p in enumerate(self.prompts):
            tkey = key(p.title)
            self.title_keys.append(tkey)
            ttoks = tokens(tkey)
            self.by_title[" ".join(ttoks)].append(doc)
            titles.add(doc, set(ttoks))
            ckey, ctoks = name_key(p.category)
            self.by_category[ckey].append(doc)
            self.category_names.setdefault(ckey, p.category)
            categories.add(doc, set(ctoks))
            mine: set[str] = set()
            for tag in p.tags:
                gkey, gtoks = name_key(tag)
                if doc not in self.by_tag[gkey][-1:]:
                    self.by_tag[gkey].append(doc)
                self.tag_names.setdefault(gkey, tag)
                mine.update(gtoks)
            tags.add(doc, mine)
            if p.author:
                authors.add(doc, set(name_key(p.author)[1]))
        return titles.done(), tags.done(), categories.done(), authors.done()

    # -- lookups ------------------------------------------------------------
    def idf(self, term: str) -> float:
        n = len(self.prompts) or 1
        return math.log(1.0 + n / (1 + self.df.get(term, 0)))

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

    def pool(self, n: int, edits: int) -> list[str]:
        """Terms whose length is within ``edits`` of ``n`` (typo candidates), cached."""
        pool = self._pools.get((n, edits))
        if pool is None:
            pool = [t for k in range(n - edits, n + edits + 1) for t in self.by_len.get(k, ())]
            self._pools[(n, edits)] = pool
        return pool

    def prefixed(self, prefix: str, cap: int = 64, *, short: bool = True) -> list[str]:
        """Terms starting with ``prefix`` (at most ``cap``, shortest first), from the
        short fields or from every field."""
        vocab = self.short_vocab if short else self.vocab
        i = bisect_left(vocab, prefix)
        out: list[str] = []
        while i < len(vocab) and vocab[i].startswith(prefix):
            out.append(vocab[i])
            i += 1
            if len(out) >= cap * 4:
                break
        out.sort(key=len)
        return out[:cap]
