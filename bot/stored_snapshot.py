"""Snapshots read from the index instead of built at every start.

The search index of a generation of prompts is built once (in child processes
for a big library, streaming what was derived from each prompt while parsing:
~7–8 s and ~440 MB at 100,000 prompts,
which the children give back when they exit), stored in the SQLite index as
bytes (:mod:`bot.search.pack`, :func:`bot.store.reader.save_derived`), and every
process then starts by reading it (~0.5 s at 100,000).  A snapshot reads the
prompts themselves on demand through a
:class:`~bot.store.reader.GenerationReader`: one read transaction, opened
before the parts are read, so the parts, the ids and every prompt the snapshot
ever reads come from one generation, whatever refreshes commit meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from bot.gcpause import gc_paused
from bot.search import pack
from bot.search.inverted import Doc, LongPart, derived, joined, long_part, size_order
from bot.search.postings import Index as SearchIndex
from bot.store.parsing import parser_version
from bot.store.reader import GenerationReader, save_derived

if TYPE_CHECKING:
    from bot.catalog import Snapshot

IN_PROCESS_BELOW = 5000  # prompts: smaller indexes are built in this process
_SPAWN = multiprocessing.get_context("spawn")  # no fork of a threaded process


def _key(generation: str) -> str:
    """Which generation the stored parts are of, and which code made them (a new
    promptbot's search index is built again)."""
    return f"{generation}:{parser_version(pack.__name__)}"


PackedLong = tuple[bytearray, bytearray, "array[int]"]  # LongPart: postings, tf as pack bytes


def _long_part(db: Path, rows: array[int]) -> PackedLong:
    """The long field of the prompts of these rows, in this order (run in a
    process of its own beside the rest of the build), as the bytes the stored
    index keeps: a dict of ~45,000 arrays took 0.7 s to unpickle at 100,000
    prompts, the same postings read from bytes 0.1 s.  Its reader may see a
    later generation than the builder's: a row gone meanwhile reads as empty,
    and the builder's ``save_derived`` refuses the result (the generation moved)."""
    with GenerationReader(db) as reader:
        part = long_part(reader.body_terms(rows))
    return pack.dump_postings(part.postings), pack.dump_postings(part.tf), part.text_len


def _unpacked(packed: Future[PackedLong]) -> LongPart:
    postings, tf, text_len = packed.result()
    return LongPart(pack.load_postings(postings), pack.load_postings(tf), text_len)


LONG_SHARE = 0.65  # of the long field's text inverted by its own process, the rest here


def _cut(chars: Sequence[int], perm: Sequence[int]) -> int:
    """Where the documents (numbered by ``perm``) split so that the first hold
    LONG_SHARE of the text.  The builder is done with the short fields first
    (3.1-4.4 s at 100,000 prompts), so it inverts the last documents itself
    meanwhile.  Since the stored body is its tokens (counted here, not in the
    parse workers), at 0.7 the builder then waited 0.4-2.0 s for the other
    process, at 0.65 0.1-0.6 s (and the build took 6.1-7.9 s either way, in
    alternating rounds); at 0.6 the builder's peak rose to 470 MB."""
    goal, total = LONG_SHARE * sum(chars), 0
    for doc, i in enumerate(perm):
        total += chars[i]
        if total >= goal:
            return doc + 1
    return len(perm)


def _shared(
    theirs: Future[PackedLong], reader: GenerationReader, rows: array[int], cut: int
) -> LongPart:
    """The long field: the documents after ``cut`` inverted here, joined after
    those the long field's process inverted."""
    mine = long_part(reader.body_terms(rows[cut:]), cut)
    return joined(_unpacked(theirs), mine)


def _docs(reader: GenerationReader) -> list[Doc]:
    """A :class:`Doc` of every prompt, from the heads stored beside them (a
    prompt stored without one is read and analysed)."""
    return [
        Doc.from_head(id, size, head) if head else Doc.of(reader.prompt_at(n))
        for n, id, size, head in reader.heads()
    ]


def build_and_store(db: Path, *, in_process_below: int = IN_PROCESS_BELOW) -> int:
    """Build the search index of the index's current generation and store it;
    the number of prompts.  Run in a child process for big libraries.

    Prompts are numbered by the stored length of their text, so the long field
    (most of the postings) starts at once in a second child, reading only the
    stored terms; meanwhile this process streams the heads derived while
    parsing, a :class:`Doc` of each prompt (no texts: ~400 MB at 100,000
    prompts), reads no prompt, and then inverts the long field of the last
    documents itself (:func:`_cut`)."""
    with gc_paused():  # ~1M containers made and kept, no cycle among them
        return _build_and_store(db, in_process_below)


def _build_and_store(db: Path, in_process_below: int) -> int:
    with GenerationReader(db) as reader:
        generation = reader.meta("generation") or "0"
        rows, chars = zip(*reader.sizes(), strict=True) if reader.count else ((), ())
        perm = size_order(chars)
        in_order = array("q", (rows[i] for i in perm))
        long: Callable[[], LongPart]
        with contextlib.ExitStack() as stack:
            if len(rows) < in_process_below:
                long = functools.partial(long_part, reader.body_terms(in_order))
            else:
                pool = stack.enter_context(_STARTED.pop() if _STARTED else _long_pool())
                cut = _cut(chars, perm)
                theirs = pool.submit(_long_part, db, in_order[:cut])  # held by ``long`` only
                long = functools.partial(_shared, theirs, reader, in_order, cut)
                del theirs
            index = SearchIndex.from_docs(_docs(reader), perm, long)
            del long  # and the other process's result: ~50 MB of bytes, read
    parts = pack.dump(index)
    del index
    save_derived(db, _key(generation), generation, parts)
    return len(rows)


def open_stored(db: Path) -> Snapshot | None:
    """The snapshot of the index's current generation, when its parts are stored."""
    # (here, not at the top: the builders, which import this module, do not
    # need the engine, ~0.1 s a process)
    from bot.catalog import Snapshot
    from bot.search.engine import SearchEngine

    reader = GenerationReader(db)  # lives as long as the snapshot's prompts need it
    try:
        if reader.meta("derived_key") != _key(reader.meta("generation") or "0"):
            reader.close()
            return None
        with gc_paused():
            index = pack.load(reader.derived_names(), reader.derived, reader.get)
        return Snapshot(engine=SearchEngine(index))
    except BaseException:
        reader.close()
        raise


def builder() -> ProcessPoolExecutor:
    """The process :func:`ensure_stored` builds in, started now: its interpreter
    and imports (~0.3 s) overlap whatever comes first (``promptbot index`` starts
    it before the refresh of a new index).  Shut it down when done."""
    return _spawned(_ready)


_STARTED: list[ProcessPoolExecutor] = []  # the long field's process, started by _ready


def _long_pool() -> ProcessPoolExecutor:
    return _spawned(_warm)


def _spawned(first: Callable[[], None]) -> ProcessPoolExecutor:
    """A process of its own, already starting: ``first`` is called there at once
    (the call imports this module there)."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_SPAWN)
    pool.submit(first)
    return pool


def _ready() -> None:
    """Called in the builder's new process: the long field's process is started
    at once too (its interpreter and numpy, ~0.5 s that were the start of every
    build), and numpy imported here."""
    _warm()
    if not _STARTED:
        _STARTED.append(_long_pool())


def _warm() -> None:
    """Import what inverting the long field needs (the modules of this one are)."""
    import numpy  # noqa: F401


def ensure_stored(db: Path, pool: ProcessPoolExecutor | None = None) -> bool:
    """Build and store the current generation's parts when they are missing or
    stale (``promptbot index`` does, so that the next start only reads); a big
    library's in ``pool``'s process when given (:func:`builder`), else in a new one.
    Whether it built them."""
    with GenerationReader(db) as reader:
        if reader.meta("derived_key") == _key(reader.meta("generation") or "0"):
            return False
        count = reader.count
    if count < IN_PROCESS_BELOW:
        build_and_store(db)
        return True
    with contextlib.nullcontext(pool) if pool else builder() as run:
        run.submit(build_and_store, db).result()
    return True


def load_snapshot(db: Path) -> Snapshot:
    """The current generation's snapshot, building and storing its parts first
    when they are missing or stale.  Blocking: call it in a thread."""
    snapshot = open_stored(db)
    if snapshot is None:
        ensure_stored(db)
        snapshot = open_stored(db)
    while snapshot is None:  # a refresh committed meanwhile: that generation, then
        build_and_store(db)
        snapshot = open_stored(db)
    return snapshot


def _refresh(db: Path, library: Path) -> bool:
    """Refresh the index from the library (in a forked child); whether a prompt changed."""
    from bot.store.index import Index

    async def refresh() -> bool:
        async with Index(db, derive=derived) as index:
            return (await index.refresh(library)).changed

    return asyncio.run(refresh())


async def fresh_snapshot(db: Path, library: Path) -> Snapshot:
    """The library as it is on disk, for a one-off command (``promptbot search``):
    the index is refreshed in a forked child while this process reads the
    search index stored last (~0.7 s each at 100,000 prompts, the refresh's
    mostly its scan when nothing changed: on two cores they overlap), which is
    kept when the refresh changed no prompt.

    The index is opened (claimed, migrated) first, here: the early read never
    meets a file that is not the index's, nor a new one (nothing is stored in
    it, and its first refresh holds it locked: it is written without the WAL)."""
    from bot.store.index import Index

    async with Index(db, derive=derived) as index:
        new = await index.empty()
    if new or "fork" not in multiprocessing.get_all_start_methods():
        await asyncio.to_thread(_refresh, db, library)
        return load_snapshot(db)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        refreshing = asyncio.wrap_future(pool.submit(_refresh, db, library))
        try:
            early = open_stored(db)
        finally:
            changed = await refreshing
    if early is not None and not changed:
        return early
    return load_snapshot(db)
