"""The search index as bytes, so that a process starts by reading it instead of
building it (11 s and ~1 GB at 100,000 prompts; a read is ~1 s).

``dump`` turns a built :class:`~bot.search.postings.Index` into named parts
(``dict[str, bytes]``); ``load`` turns them back into an ``Index`` whose
``prompts`` are read on demand through a ``get(id)`` function (one generation
of the SQLite index: :class:`bot.store.reader.GenerationReader`): the engine
keeps ids and the keys it ranks by, not the prompt texts.

Generic over the index's attributes, by type, so that a new structure of the
index is persisted without a change here: arrays as their bytes, maps of term
-> array ("postings") as the terms, their lengths and one array of every
posting, lists of texts (titles, terms) as one text split in C, the rest as
JSON (maps with non-string keys as pairs; tuples come back as lists).  What
the index builds only from prompt texts (near-duplicate groups, orders) is
stored, not recomputed.
"""

from __future__ import annotations

import contextlib
import json
from array import array
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, islice, repeat
from typing import Any

from bot.models import Prompt
from bot.search.postings import Index

SKIP = frozenset({"prompts", "ids", "by_id", "_near"})  # not persisted as they are
SEP = "\x00"  # between terms (never in a folded term)


class LazyPrompts(Sequence[Prompt]):
    """Document number -> Prompt, read on demand (``get`` caches)."""

    def __init__(self, ids: list[str], get: Callable[[str], Prompt | None]) -> None:
        self.ids = ids
        self._get = get

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, doc: Any) -> Any:
        if isinstance(doc, slice):
            return [self[d] for d in range(*doc.indices(len(self.ids)))]
        prompt = self._get(self.ids[doc])
        if prompt is None:  # the reader's generation is the pack's: cannot happen
            raise LookupError(f"prompt {self.ids[doc]!r} is not in this generation")
        return prompt

    def __iter__(self) -> Iterator[Prompt]:
        return (self[d] for d in range(len(self.ids)))


def _is_postings(value: object) -> bool:
    return isinstance(value, dict) and bool(value) and isinstance(next(iter(value.values())), array)


def dump_postings(value: dict[str, array[int]]) -> bytearray:
    """Head, terms, lengths, then every posting, copied once into one buffer
    (not joined from pieces: at 100,000 prompts that would hold the postings
    three times); empty for no term."""
    if not value:
        return bytearray()
    terms = SEP.join(value).encode()
    lengths = array("I", map(len, value.values()))
    code = next(iter(value.values())).typecode
    head = json.dumps([len(terms), len(lengths), code]).encode()
    out = bytearray(b"%d\n" % len(head))
    out += head
    out += terms
    out += memoryview(lengths)
    for part in value.values():
        out += memoryview(part)
    return out


def load_postings(
    data: bytes | bytearray, shared: dict[str, str] | None = None
) -> dict[str, array[int]]:
    """Each term's array filled straight from its slice of ``data`` (no array of
    every posting in between: loading stays at twice the postings' size); each
    term the one object ``shared`` holds for its text, if given (and then held)."""
    if not data:
        return {}
    cut = data.index(b"\n")
    start = cut + 1 + int(data[:cut])
    n_terms, n_lists, code = json.loads(data[cut + 1 : start])
    terms = data[start : start + n_terms].decode().split(SEP) if n_lists else []
    if shared is not None:
        terms = list(map(shared.setdefault, terms, terms))
    lengths = array("I")
    lengths.frombytes(data[start + n_terms : start + n_terms + 4 * n_lists])
    view = memoryview(data)
    at, width = start + n_terms + 4 * n_lists, array(code).itemsize
    out: dict[str, array[int]] = {}
    for term, n in zip(terms, lengths, strict=True):
        docs = out[term] = array(code)
        docs.frombytes(view[at : at + n * width])
        at += n * width
    view.release()
    return out


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and SEP not in v for v in value)


def _dump_texts(value: list[str]) -> bytes:
    """Their number, a newline, then the texts joined by SEP: split in C when
    loaded (JSON took 70 ms for the 200,000 titles and title keys of 100,000
    prompts, a split ~10)."""
    return b"%d\n" % len(value) + SEP.join(value).encode("utf-8", "surrogatepass")


def _load_texts(data: bytes) -> list[str]:
    count, _, joined = data.partition(b"\n")
    texts = joined.decode("utf-8", "surrogatepass").split(SEP) if int(count) else []
    if len(texts) != int(count):
        raise ValueError(f"a stored list of {int(count)} texts holds {len(texts)}")
    return texts


def _shared(value: Any, shared: dict[str, str]) -> Any:
    """``value`` (JSON, or a list of texts) with each text that ``shared`` holds
    replaced by the object it holds.  A split or a JSON decode makes a new
    ``str`` per occurrence: of the corpus's 14 MiB of texts in an index, 9 were
    copies of a term (in five fields' postings, the counts, the vocabularies, the
    maps by stem and by length).  Texts are looked up in C, lists of lists as one
    flat list.  The index's lists hold one kind of item, so the first tells: a
    list of numbers, or of texts whose first is not a term (titles), is left as
    it is (looking up 100,000 titles cost 30 ms of a 0.6 s load, for nothing)."""
    if isinstance(value, dict):
        values = _shared(list(value.values()), shared)
        return dict(zip(map(shared.get, value, value), values, strict=True))
    if not isinstance(value, list) or not value:
        return value
    if all(map(isinstance, value, repeat(list))):
        flat = list(chain.from_iterable(value))
        done = _shared(flat, shared)
        if done is flat:
            return value
        items = iter(done)
        return [list(islice(items, len(item))) for item in value]
    first = value[0]
    if isinstance(first, str) and first in shared:
        with contextlib.suppress(TypeError):  # (unless a list or map is among them)
            return list(map(shared.get, value, value))
    elif not isinstance(first, (list, dict)):
        return value
    return [_shared(item, shared) for item in value]


def _json(value: Any) -> tuple[str, bytes]:
    """JSON (decoded in C, no Python pass over it): a map with keys that are not
    strings (``by_len``) as its pairs, kind "k"; anything else as it is, kind "j"."""
    if isinstance(value, dict) and not all(isinstance(k, str) for k in value):
        return "k", json.dumps(list(value.items()), ensure_ascii=False).encode()
    return "j", json.dumps(value, ensure_ascii=False).encode()


def dump(ix: Index) -> dict[str, bytes | bytearray]:
    """The parts of ``ix``: name -> bytes, the name saying how to read them back."""
    parts: dict[str, bytes | bytearray] = {"ids": SEP.join(ix.ids).encode()}
    for name, value in vars(ix).items():
        if name in SKIP:
            continue
        if isinstance(value, tuple) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                parts[f"p:{name}:{i}"] = dump_postings(item)
        elif _is_postings(value):
            parts[f"p:{name}"] = dump_postings(value)
        elif isinstance(value, array):
            parts[f"a:{name}"] = value.typecode.encode() + value.tobytes()
        elif _is_texts(value):
            parts[f"s:{name}"] = _dump_texts(value)
        else:
            kind, data = _json(value)
            parts[f"{kind}:{name}"] = data
    return parts


def load(
    names: Sequence[str], part: Callable[[str], bytes], get: Callable[[str], Prompt | None]
) -> Index:
    """An ``Index`` from ``dump``'s parts (their ``names``, each read by ``part``:
    one at a time, so that loading holds one part's bytes at once), its prompts
    read through ``get``."""
    ix = Index.__new__(Index)
    attrs: dict[str, Any] = {}
    ids = [i for i in part("ids").decode().split(SEP) if i] if "ids" in names else []
    attrs["ids"], attrs["prompts"] = ids, LazyPrompts(ids, get)
    # The index's ids are unique (its primary key): no need to store the map.
    attrs["by_id"] = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
    fields: dict[str, dict[int, dict[str, array[int]]]] = {}
    shared: dict[str, str] = {}  # a term's text -> its one object: from the postings
    for key in sorted(names, key=lambda key: not key.startswith("p:")):
        kind, _, name = key.partition(":")
        if kind == "p":
            name, _, number = name.partition(":")
            data = part(key)
            postings = load_postings(data, shared)
            if number:
                fields.setdefault(name, {})[int(number)] = postings
            else:
                attrs[name] = postings
        elif kind == "a":
            data = part(key)
            values = array(data[:1].decode())
            values.frombytes(data[1:])
            attrs[name] = values
        elif kind == "s":
            attrs[name] = _shared(_load_texts(part(key)), shared)
        elif kind == "j":
            attrs[name] = _shared(json.loads(part(key)), shared)
        elif kind == "k":
            attrs[name] = _shared(dict(json.loads(part(key))), shared)
    for name, items in fields.items():
        attrs[name] = tuple(items[i] for i in range(len(items)))
    vars(ix).update(attrs)
    ix.index_typos()
    return ix
