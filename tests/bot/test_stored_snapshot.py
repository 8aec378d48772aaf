"""Snapshots read from the index: built once, stored, read back; one generation each."""

from __future__ import annotations

import os
from pathlib import Path

from bot.store.index import Index
from bot.store.reader import GenerationReader
from bot.stored_snapshot import ensure_stored, load_snapshot, open_stored
from tests.bot.store.test_index import doc, write


async def test_a_snapshot_is_stored_once_and_keeps_its_generation(tmp_path: Path) -> None:
    from bot.search.analysis import body_terms

    library, db = tmp_path / "library", tmp_path / "i.sqlite3"
    write(library, "portraits/rain.md", doc("Neon Rain"))
    write(library, "portraits/studio.md", doc("Studio Light", tags=("studio",)))
    async with Index(db, derive=body_terms) as index:
        await index.refresh(library)
        assert open_stored(db) is None  # nothing stored yet
        first = load_snapshot(db)
        with GenerationReader(db) as reader:
            key = reader.meta("derived_key")
        again = open_stored(db)  # read, not built: the key did not move
        assert again is not None and len(again) == 2
        ensure_stored(db)
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
