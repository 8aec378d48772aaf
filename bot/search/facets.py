"""Categories and tags: the library's one vocabulary of names, with counts.

Built once per snapshot from the engine's postings, and the only place that
knows which prompts a category or tag holds, how names match (case- and
accent-blind, through :func:`bot.search.analysis.key`) and how listings are
ordered (most prompts first, then by name).  Everything that lists, checks or
filters by category or tag (the cogs, the CLI, random picks, search filters)
asks this object.
"""

from __future__ import annotations

import random as _random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from bot.models import Prompt
from bot.search.analysis import key
from bot.search.postings import Index

Named = tuple[str, int]  # (name as the library spells it, number of prompts)


def _ranked(counts: dict[str, int], names: dict[str, str]) -> tuple[Named, ...]:
    return tuple(
        sorted(((names[k], n) for k, n in counts.items()), key=lambda nc: (-nc[1], key(nc[0])))
    )


@dataclass(frozen=True)
class Facets:
    """Names, counts and members of every category and tag of one snapshot."""

    categories: tuple[Named, ...]
    tags: tuple[Named, ...]
    _prompts: Sequence[Prompt]
    _category_docs: dict[str, tuple[int, ...]]  # folded name -> docs in title order
    _tag_docs: dict[str, tuple[int, ...]]
    _category_names: dict[str, str]
    _tag_names: dict[str, str]
    _tags_by_category: dict[str, tuple[Named, ...]]

    @classmethod
    def build(cls, ix: Index) -> Facets:
        category_docs = {k: tuple(v) for k, v in ix.by_category.items()}  # in title order
        tag_docs = {k: tuple(v) for k, v in ix.by_tag.items()}
        # From the tag lists (a document is in a tag's list once), not from the
        # prompts: a snapshot loaded from the index reads prompts only on demand.
        category_of: dict[int, str] = {}
        for ckey, docs in ix.by_category.items():
            category_of.update(dict.fromkeys(docs, ckey))
        counts: dict[str, dict[str, int]] = {ckey: {} for ckey in category_docs}
        for gkey, docs in ix.by_tag.items():  # each tag's categories counted in C
            for ckey, n in Counter(map(category_of.__getitem__, docs)).items():
                counts[ckey][gkey] = n
        tags_by_category = {ckey: _ranked(found, ix.tag_names) for ckey, found in counts.items()}
        return cls(
            categories=_ranked({k: len(v) for k, v in category_docs.items()}, ix.category_names),
            tags=_ranked({k: len(v) for k, v in tag_docs.items()}, ix.tag_names),
            _prompts=ix.prompts,
            _category_docs=category_docs,
            _tag_docs=tag_docs,
            _category_names=dict(ix.category_names),
            _tag_names=dict(ix.tag_names),
            _tags_by_category=tags_by_category,
        )

    # -- names ------------------------------------------------------------
    def category(self, name: str) -> str | None:
        """The library's spelling of a category, matched case- and accent-blind."""
        return self._category_names.get(key(name))

    def tag(self, name: str) -> str | None:
        return self._tag_names.get(key(name))

    def complete_category(self, query: str, *, limit: int = 25) -> list[Named]:
        """Categories whose folded name contains the folded ``query``, most prompts first."""
        return _containing(self.categories, query, limit)

    def complete_tag(self, query: str, *, limit: int = 25) -> list[Named]:
        return _containing(self.tags, query, limit)

    # -- members ----------------------------------------------------------
    def prompts_in(self, category: str) -> Sequence[Prompt]:
        """The category's prompts in title order (read as they are indexed: a
        pager reads one page of a category of thousands)."""
        return _Members(self._category_docs.get(key(category), ()), self._prompts)

    def tags_in(self, category: str) -> tuple[Named, ...]:
        """The tags used in ``category``, with their counts there."""
        return self._tags_by_category.get(key(category), ())

    def docs(self, category: str | None, tag: str | None) -> Sequence[int] | None:
        """The documents under both filters (None: no filter, every document)."""
        if category is None and tag is None:
            return None
        by_category = self._category_docs.get(key(category), ()) if category is not None else None
        by_tag = self._tag_docs.get(key(tag), ()) if tag is not None else None
        if by_category is None:
            return by_tag
        if by_tag is None:
            return by_category
        small, large = sorted((by_category, by_tag), key=len)
        members = set(large)
        return [d for d in small if d in members]

    def random(
        self, category: str | None = None, tag: str | None = None, rng: _random.Random | None = None
    ) -> Prompt | None:
        """A prompt drawn uniformly among those under the filters (None if there is none)."""
        pick = (rng or _random).randrange
        docs = self.docs(category, tag)
        if docs is None:
            return self._prompts[pick(len(self._prompts))] if self._prompts else None
        return self._prompts[docs[pick(len(docs))]] if docs else None


class _Members(Sequence[Prompt]):
    def __init__(self, docs: tuple[int, ...], prompts: Sequence[Prompt]) -> None:
        self._docs, self._prompts = docs, prompts

    def __len__(self) -> int:
        return len(self._docs)

    @overload
    def __getitem__(self, i: int) -> Prompt: ...
    @overload
    def __getitem__(self, i: slice) -> list[Prompt]: ...
    def __getitem__(self, i: int | slice) -> Prompt | list[Prompt]:
        if isinstance(i, slice):
            return [self._prompts[d] for d in self._docs[i]]
        return self._prompts[self._docs[i]]


def _containing(items: Sequence[Named], query: str, limit: int) -> list[Named]:
    wanted = key(query.strip())
    found = [(name, n) for name, n in items if not wanted or wanted in key(name)]
    return found[: max(0, limit)]
