"""Snapshots read from the index: built once, stored, read back; one generation each."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot import stored_snapshot
from bot.search.typos import NearTerms
from bot.store.index import Index
from bot.store.reader import GenerationReader
from bot.stored_snapshot import builder, ensure_stored, load_snapshot, open_stored
from tests.bot.store.test_index import doc, write


async def test_a_snapshot_is_stored_once_and_keeps_its_generation(tmp_path: Path) -> None:
    from bot.search.inverted import derived

    library, db = tmp_path / "library", tmp_path / "i.sqlite3"
    write(library, "portraits/rain.md", doc("Neon Rain"))
    write(library, "portraits/studio.md", doc("Studio Light", tags=("studio",)))
    async with Index(db, derive=derived) as index:
        await index.refresh(library)
        assert open_stored(db) is None  # nothing stored yet
        assert gc.isenabled()
        first = load_snapshot(db)
        assert gc.isenabled()  # paused while it was built and read (bot.gcpause), no longer
        with GenerationReader(db) as reader:
            key = reader.meta("derived_key")
        again = open_stored(db)  # read, not built: the key did not move
        assert again is not None and len(again) == 2
        assert not ensure_stored(db)  # nothing to build
        with GenerationReader(db) as reader:
            assert reader.meta("derived_key") == key
        rain = library / "portraits" / "rain.md"
        rain.write_text(doc("Neon Rain At Dawn"), encoding="utf-8")
        os.utime(rain, ns=(7, 7))
        write(library, "more/new.md", doc("Fresh Snow", category="more"))
        await index.refresh(library)
        assert open_stored(db) is None  # a new generation: the stored parts are stale
        second = load_snapshot(db)
    # The first snapshot still answers from its own generation, prompts included.
    assert len(first) == 2 and first.get("more/new") is None
    assert first.search("neon rain")[0].prompt.title == "Neon Rain"
    assert first.get("portraits/rain").title == "Neon Rain"
    assert len(second) == 3
    assert second.search("neon rain dawn")[0].prompt.title == "Neon Rain At Dawn"
    assert second.search("fresh snow")[0].prompt.id == "more/new"
    assert [n for n, _ in second.facets.categories] == ["portraits", "more"]


def _plain(value: object) -> object:
    """Tuples as lists (the stored parts are JSON), arrays as lists, to compare
    what they hold."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, NearTerms):  # (rebuilt at load, from the terms by length)
        return [value.terms.tolist(), value.starts.tolist(), value.masks.tolist()]
    return value


def _body_doc(title: str, body: str, *, source: str = "", tags: tuple[str, ...] = ()) -> str:
    tag_lines = "".join(f"  - {t}\n" for t in tags)
    source_line = f"source_url: {source}\n" if source else ""
    return (
        f"---\ntitle: '{title}'\ncategory: c{len(title) % 3}\ntags:\n{tag_lines}{source_line}"
        f"---\n\nAbout {title}.\n\n## Prompt\n\n{body}\n"
    )


@pytest.mark.parametrize("heads", ["stored", "missing"])
async def test_the_streamed_two_process_build_equals_the_in_memory_one(
    heads: str, tmp_path: Path
) -> None:
    """The build a big library gets (the heads derived while parsing streamed
    one at a time, or the prompts read where a head is missing, the long field
    in a second process) stores exactly the index the in-memory build makes."""
    from bot.search.inverted import derived
    from bot.search.postings import Index as SearchIndex
    from bot.stored_snapshot import build_and_store

    library, db = tmp_path / "library", tmp_path / "i.sqlite3"
    words = [
        "neon",
        "rain",
        "studio",
        "light",
        "dawn",
        "fog",
        "chibi",
        "wedding",
        "ink",
        "wash",
        "koi",
        "lantern",
    ]
    for i in range(120):
        body = " ".join(words[(i * k) % len(words)] for k in range(1, 4 + i % 30))
        if i % 10 == 3:  # the same text but for whitespace as prompt i - 1
            prev = i - 1
            body = "  \n".join(words[(prev * k) % len(words)] for k in range(1, 4 + prev % 30))
        source = f"https://{'x' if i % 2 else 'twitter'}.com/a/status/{i // 2}" if i < 20 else ""
        tags = tuple(words[(i + k) % len(words)] for k in range(i % 4))
        write(
            library,
            f"f{i % 7}/p{i:03}.md",
            _body_doc(f"T{i} {words[i % 12]}", body, source=source, tags=tags),
        )
    async with Index(db, derive=derived) as index:
        await index.refresh(library)
        prompts, terms = await index.prompts_and_terms()
    if heads == "missing":  # as an index written without the Derive function has them
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE prompts SET head = ''")
    assert build_and_store(db, in_process_below=0) == 120
    stored = open_stored(db)
    assert stored is not None
    loaded = stored.engine._ix
    built = SearchIndex(prompts, terms)
    assert len(set(built.group)) < 110  # the duplicates above were grouped
    for name, value in vars(built).items():
        if name != "prompts":
            assert _plain(getattr(loaded, name)) == _plain(value), name
    assert [p.id for p in loaded.prompts] == [p.id for p in built.prompts]


def test_the_index_builders_import_neither_the_engine_nor_numpy() -> None:
    """The processes that build the search index (spawned: they import this
    module afresh) need the index structures only; the engine costs each of
    them ~0.1 s, and numpy (~0.1 s, ~12 MB) is imported only by a big build."""
    code = (
        "import sys, bot.stored_snapshot, bot.store.parsing, bot.search.inverted;"
        "print('numpy' in sys.modules, 'bot.search.engine' in sys.modules)"
    )
    root = Path(__file__).parents[2]
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert run.stdout.split() == ["False", "False"]


async def test_a_build_uses_the_long_field_process_started_ahead(tmp_path: Path) -> None:
    """The builder's process starts the long field's at once (``_ready``); the
    build then uses that one, and shuts it down."""
    from bot.search.inverted import derived

    library, db = tmp_path / "library", tmp_path / "i.sqlite3"
    for i in range(3):
        write(library, f"portraits/p{i}.md", doc(f"Neon Rain {i}"))
    async with Index(db, derive=derived) as index:
        await index.refresh(library)
    stored_snapshot._ready()
    (started,) = stored_snapshot._STARTED
    there = started.submit(os.getpid).result()
    assert there != os.getpid()
    assert stored_snapshot.build_and_store(db, in_process_below=0) == 3
    assert stored_snapshot._STARTED == []
    with pytest.raises(RuntimeError):  # used, then shut down
        started.submit(os.getpid)
    snapshot = open_stored(db)
    assert snapshot is not None and snapshot.search("neon rain 2")[0].prompt.id == "portraits/p2"


async def test_a_builder_started_ahead_is_where_a_big_library_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.search.inverted import derived

    library, db = tmp_path / "library", tmp_path / "i.sqlite3"
    write(library, "portraits/rain.md", doc("Neon Rain"))
    with builder() as pool:  # started before the refresh, as ``promptbot index`` does
        async with Index(db, derive=derived) as index:
            await index.refresh(library)
        monkeypatch.setattr(stored_snapshot, "IN_PROCESS_BELOW", 1)  # "big": not built here
        assert ensure_stored(db, pool)
        there = pool.submit(os.getpid).result()
    assert there != os.getpid()
    snapshot = open_stored(db)
    assert snapshot is not None and snapshot.search("neon rain")[0].prompt.id == "portraits/rain"
