"""The in-memory structures behind :class:`bot.search.SearchEngine`.

Two indexes, built once from a list of prompts (pure CPU, no I/O):

* a Python inverted index over the *short* fields a user sees and remembers
  (title, tags, category, author): term -> {doc: field weight};
* an in-memory SQLite FTS5 table over the *long* fields (description, prompt
  body): which documents hold a term, per column.  FTS5 tokenises in C, which
  keeps the build over ~12 MB of prompt text fast.

Both index the same folded keys (:mod:`bot.search_keys`).
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence

from bot.models import Prompt
from bot.search_keys import fts_text, is_cjk, key, post_key, stem, tokens

# How much a match in each short field is worth (the title dominates).
W_TITLE = 1.0
W_TAG = 0.75
W_CATEGORY = 0.7
W_AUTHOR = 0.6



class Index:
    """Everything the engine searches; immutable after construction."""

    def __init__(self, prompts: Sequence[Prompt]) -> None:
        self.prompts: list[Prompt] = list(prompts)
        self.by_id: dict[str, int] = {}
        self.title_keys: list[str] = []
        self.by_title: dict[str, list[int]] = defaultdict(list)
        self.by_category: dict[str, list[int]] = defaultdict(list)
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.category_names: dict[str, str] = {}
        self.tag_names: dict[str, str] = {}
        self.short: dict[str, dict[int, float]] = defaultdict(dict)
        self.group: list[int] = []
        self._build_short()
        self.short = dict(self.short)
        self.short_vocab: list[str] = sorted(self.short)
        self.order: list[int] = sorted(
            range(len(self.prompts)), key=lambda i: (self.title_keys[i], self.prompts[i].id)
        )
        self.rank_of: list[int] = [0] * len(self.prompts)
        for pos, doc in enumerate(self.order):
            self.rank_of[doc] = pos
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self._build_fts()
        self.df: dict[str, int] = dict(
            self.db.execute("SELECT term, doc FROM vocab")  # type: ignore[arg-type]
        )
        for term, posting in self.short.items():  # df over all fields, roughly
            if len(posting) > self.df.get(term, 0):
                self.df[term] = len(posting)
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
    def _add(self, text_key: str, doc: int, weight: float) -> None:
        for tok in tokens(text_key):
            post = self.short[tok]
            if post.get(doc, 0.0) < weight:
                post[doc] = weight

    def _build_short(self) -> None:
        groups: dict[str, int] = {}
        for doc, p in enumerate(self.prompts):
            self.by_id.setdefault(p.id, doc)
            tkey = key(p.title)
            self.title_keys.append(tkey)
            self.by_title[" ".join(tokens(tkey))].append(doc)
            self._add(tkey, doc, W_TITLE)
            ckey = key(p.category)
            self.by_category[ckey].append(doc)
            self.category_names.setdefault(ckey, p.category)
            self._add(ckey, doc, W_CATEGORY)
            for tag in p.tags:
                gkey = key(tag)
                if doc not in self.by_tag[gkey][-1:]:
                    self.by_tag[gkey].append(doc)
                self.tag_names.setdefault(gkey, tag)
                self._add(gkey, doc, W_TAG)
            if p.author:
                self._add(key(p.author), doc, W_AUTHOR)
            # Near-duplicates: the same post, or the same prompt text.
            text_hash = "text:" + hashlib.blake2b(
                " ".join(p.prompt.split()).encode(), digest_size=12
            ).hexdigest()
            post = post_key(p)
            mine = [k for k in (post, text_hash) if k is not None]
            gid = next((groups[k] for k in mine if k in groups), doc)
            for k in mine:
                groups.setdefault(k, gid)
            self.group.append(gid)

    def _build_fts(self) -> None:
        db = self.db
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(description, body, "
            "tokenize='unicode61 remove_diacritics 0', detail=column)"
        )
        db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row')")
        rows = (
            (
                doc,
                fts_text(key(p.description)),
                fts_text(key(p.prompt)),
            )
            for doc, p in enumerate(self.prompts)
        )
        db.executemany("INSERT INTO docs(rowid, description, body) VALUES (?, ?, ?)", rows)
        # Length prior for long-field matches (as BM25's length normalisation):
        # a word in a short text says more about it than one in 3,000 characters.
        sizes = [len(p.description) + len(p.prompt) for p in self.prompts]
        avg = (sum(sizes) / len(sizes)) if sizes else 1.0
        self.long_norm: list[float] = [1.0 / (1.0 + n / avg) for n in sizes]

    # -- lookups ------------------------------------------------------------
    def idf(self, term: str) -> float:
        n = len(self.prompts) or 1
        return math.log(1.0 + n / (1 + self.df.get(term, 0)))

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
