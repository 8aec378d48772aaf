"""Building the inverted lists of the search index (:mod:`bot.search.postings`).

Apart from the index itself so that the costly part of a build, the postings
of the long field (description + prompt body: most of the postings), can run
in a process of its own beside the rest (:mod:`bot.stored_snapshot`): it needs
only each document's stored terms, in document order.
"""

from __future__ import annotations

import itertools
import json
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from bot.models import Prompt
from bot.search.analysis import COUNT_MAX, body_terms
from bot.search.duplicates import text_key

if TYPE_CHECKING:  # imported where used: ``promptbot index`` of a small library needs no numpy
    import numpy as np
    import numpy.typing as npt

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


SEGMENT = 1 << 22  # tokens inverted at a time: their pairs are 32 MB
APPENDED_BELOW = 2000  # documents: fewer are inverted without numpy (~0.1 s to import)


def long_part(stored_terms: Iterable[str], first: int = 0) -> LongPart:
    """The long field of documents ``first``, ``first + 1``... from each one's
    stored tokens (:func:`bot.search.analysis.body_terms`), given in document order.

    What an :class:`Inverter` given each document's term counts gives, in a
    fraction of the time: appending each of ~14 million postings to its term's
    array missed the CPU's caches nearly every time.  Here each token becomes
    its term's number (a dict lookup, in C), numpy sorts the (term, document)
    pairs, a segment of documents at a time (the pairs of all would be 160 MB
    beside the result), and a run of equal pairs is a term's count in a document."""
    documents = iter(stored_terms)
    few = list(itertools.islice(documents, APPENDED_BELOW))
    if len(few) < APPENDED_BELOW:
        return _appended(few, first)
    documents = itertools.chain(few, documents)
    whole = _segment(documents, first)
    while (more := _segment(documents, first + len(whole.text_len))).text_len:
        whole = joined(whole, more)
    return whole


def _appended(stored_terms: Iterable[str], first: int) -> LongPart:
    """:func:`long_part`, one posting at a time."""
    text = Inverter()
    lens: array[int] = array("I")
    for doc, stored in enumerate(stored_terms, first):
        terms = stored.split()
        counts = Counter(terms)  # in order of first occurrence
        text.add(doc, counts)
        text.repeat(doc, [(t, min(n, COUNT_MAX)) for t, n in counts.items() if n > 1])
        lens.append(len(terms))
    return LongPart(text.done(), dict(text.counts), lens)


def _segment(stored_terms: Iterator[str], first: int) -> LongPart:
    """:func:`long_part` of the next documents, until SEGMENT tokens.

    A term is numbered by the position of its first token in the segment, so
    one C-level ``map`` numbers a document's tokens, and the numbers' order is
    the terms' order of first occurrence (that of ``vocab``)."""
    import numpy as np

    vocab: dict[str, int] = {}  # term -> its number
    setdefault, positions = vocab.setdefault, itertools.count()
    ids, lens = array("I"), array("I")  # per token, per document
    for stored in stored_terms:
        terms = stored.split()
        ids.extend(map(setdefault, terms, positions))
        lens.append(len(terms))
        if len(ids) >= SEGMENT:
            break
    pairs = _numbers(ids).astype(np.uint64)
    del ids[:]
    pairs <<= np.uint64(32)
    pairs |= np.repeat(np.arange(first, first + len(lens), dtype=np.uint64), _numbers(lens))
    pairs.sort()
    # a run of equal pairs: a term's count in a document
    starts = np.flatnonzero(_changes(pairs))
    counts = np.minimum(np.diff(starts, append=len(pairs)), COUNT_MAX).astype(np.uint32)
    distinct = pairs[starts]
    del pairs, starts
    term_starts = np.flatnonzero(_changes(distinct >> np.uint64(32)))  # one run a term
    docs = distinct.astype(np.uint32)  # the low half
    del distinct
    repeated = counts > 1
    postings = _by_term(docs, np.diff(term_starts, append=len(docs)).tolist(), vocab)
    per_term: list[int] = (
        np.add.reduceat(repeated, term_starts, dtype=np.int64).tolist() if len(docs) else []
    )
    codes = docs[repeated] << np.uint32(8)
    codes |= counts[repeated]
    return LongPart(postings, _by_term(codes, per_term, vocab), lens)


def _numbers(values: array[int]) -> npt.NDArray[np.uint32]:
    import numpy as np

    return np.frombuffer(values, dtype=np.uint32)


def _changes(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """Where each run of equal values starts (the values sorted)."""
    import numpy as np

    starts = np.empty(len(values), dtype=np.bool_)
    starts[:1] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


def _by_term(
    values: npt.NDArray[np.uint32], sizes: Sequence[int], vocab: dict[str, int]
) -> Postings:
    """Each term's run of ``values`` (``sizes[i]`` values for the i-th term of
    ``vocab``, in its order), as arrays; a term without values has none."""
    data = values.data.cast("B")
    out: Postings = {}
    at = 0
    for term, n in zip(vocab, sizes, strict=True):
        if n:
            part = out[term] = array("I")
            part.frombytes(data[at : at + 4 * n])
            at += 4 * n
    return out


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
