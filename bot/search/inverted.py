"""Building the inverted lists of the search index (:mod:`bot.search.postings`).

Apart from the index itself so that the costly part of a build, the postings
of the long field (description + prompt body: most of the postings), can run
in a process of its own beside the rest (:mod:`bot.stored_snapshot`): it needs
only each document's stored terms, in document order.
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from bot.models import Prompt
from bot.search.analysis import body_terms, decode_counts
from bot.search.duplicates import text_key

Postings = dict[str, "array[int]"]


class Inverter:
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


def grouped(groups: Iterable[tuple[Sequence[str], Sequence[int]]]) -> Postings:
    """The postings of a field whose values repeat (categories, tags, authors),
    from each distinct value's tokens and documents (ascending): those of an
    :class:`Inverter` given every document's tokens, in a step per value, not
    per document.  A token of several values gets the union of their documents."""
    lists: defaultdict[str, list[Sequence[int]]] = defaultdict(list)
    for tokens, docs in groups:
        for token in dict.fromkeys(tokens):
            lists[token].append(docs)
    return {
        token: array("I", parts[0] if len(parts) == 1 else sorted(set().union(*parts)))
        for token, parts in lists.items()
    }


def _new_array() -> array[int]:
    return array("I")


class LongPart(NamedTuple):
    """The long field's postings, its repeated-term counts (see ``Inverter``)
    and each document's length in tokens."""

    postings: Postings
    tf: Postings
    text_len: array[int]


def long_part(stored_terms: Iterable[str], first: int = 0) -> LongPart:
    """The long field of documents ``first``, ``first + 1``... from each one's
    stored terms (:func:`bot.search.analysis.body_terms`), given in document order."""
    text = Inverter()
    lens: array[int] = array("I")
    for doc, stored in enumerate(stored_terms, first):
        terms, counts = decode_counts(stored)
        text.add(doc, terms)
        if counts:  # those of the first terms
            text.repeat(doc, zip(terms, counts, strict=False))
        lens.append(len(terms) + sum(counts) - len(counts))
    return LongPart(text.done(), dict(text.counts), lens)


def joined(before: LongPart, after: LongPart) -> LongPart:
    """The long field of two runs of documents, ``after``'s following
    ``before``'s (so each term's documents stay in increasing order); built
    into ``before``'s arrays."""
    for mine, theirs in ((before.postings, after.postings), (before.tf, after.tf)):
        for term, docs in theirs.items():
            found = mine.get(term)
            if found is None:
                mine[term] = docs
            else:
                found.extend(docs)
    before.text_len.extend(after.text_len)
    return before


def size_order(sizes: Sequence[int]) -> list[int]:
    """The document numbering: by length of the long field (``sizes``, each
    document's :attr:`Doc.size`; so that a posting array splits into length
    classes by bisection), as positions in ``sizes``."""
    return sorted(range(len(sizes)), key=sizes.__getitem__)


class Doc(NamedTuple):
    """What building the index needs of a prompt: its short fields, the length
    of its long one, and what groups near-duplicates; not its texts."""

    id: str
    title: str
    category: str
    tags: Sequence[str]
    author: str | None
    source_url: str | None
    size: int  # Prompt.text_chars
    same: str  # :func:`bot.search.duplicates.text_key` of the prompt text

    @classmethod
    def of(cls, prompt: Prompt) -> Doc:
        return cls(
            prompt.id,
            prompt.title,
            prompt.category,
            prompt.tags,
            prompt.author,
            prompt.source_url,
            prompt.text_chars,
            text_key(prompt.prompt),
        )

    def head(self) -> str:
        """The fields besides the id and the size, as the index stores them: after
        a unit separator, joined by unit separators (the tags by record
        separators), which reads back with C-level splits (every build reads
        every head: JSON took 0.5 s at 100,000); as JSON when a text holds a
        separator, or is an empty author, URL or tag (which the split form would
        read back as none)."""
        tags, author, url = self.tags, self.author, self.source_url
        every = "".join((self.title, self.category, *tags, author or "", url or "", self.same))
        if _FIELD in every or _ITEM in every or "" in tags or author == "" or url == "":
            fields = (self.title, self.category, tags, author, url, self.same)
            return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        return _FIELD.join(
            ("", self.title, self.category, _ITEM.join(tags), author or "", url or "", self.same)
        )

    @classmethod
    def from_head(cls, id: str, size: int, head: str) -> Doc:
        if not head.startswith(_FIELD):
            title, category, tags, author, source_url, same = json.loads(head)
            return cls(id, title, category, tags, author, source_url, size, same)
        _, title, category, joined_tags, author, url, same = head.split(_FIELD)
        tags = joined_tags.split(_ITEM) if joined_tags else []
        return cls(id, title, category, tags, author or None, url or None, size, same)


_FIELD, _ITEM = "\x1f", "\x1e"  # between a head's fields, between its tags


def derived(prompt: Prompt) -> tuple[str, str]:
    """What the SQLite index stores beside each prompt (the ``Derive`` function
    of :mod:`bot.store.parsing`, run in the parse workers): its long field's
    terms (:func:`body_terms`) and its :meth:`Doc.head`, so that building the
    search index reads no prompt and processes no text of one."""
    return body_terms(prompt), Doc.of(prompt).head()
