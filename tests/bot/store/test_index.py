"""The SQLite index: real files on disk, a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from bot.store.index import Index
from bot.store.reader import GenerationReader
from bot.store.schema import INDEX_APPLICATION_ID, SCHEMA_VERSION


def doc(title: str, category: str = "portraits", tags: tuple[str, ...] = ("neon",)) -> str:
    tag_lines = "".join(f"  - {t}\n" for t in tags)
    return (
        f"---\ntitle: '{title}'\ncategory: {category}\ntags:\n{tag_lines}---\n\n"
        f"A description of {title}.\n\n## Prompt\n\nA prompt about {title}.\n"
    )


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    write(root, "portraits/rain.md", doc("Neon Rain", tags=("neon", "rain")))
    write(root, "portraits/studio.md", doc("Studio Light", tags=("studio",)))
    write(root, "3d/chibi.md", doc("Chibi Wedding", category="3d", tags=("chibi", "Neon")))
    return root


async def refresh(db: Path, library: Path):
    async with Index(db) as index:
        return await index.refresh(library)


async def test_cold_build_then_no_change_parses_nothing(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "data" / "index.sqlite3"
    first = await refresh(db, library)
    assert (first.added, first.updated, first.removed, first.unchanged) == (3, 0, 0, 0)
    second = await refresh(db, library)
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 3)
    assert "3 unchanged" in second.line()


async def test_a_refresh_that_finds_the_library_as_it_left_it_writes_nothing(
    library: Path, tmp_path: Path
) -> None:
    """The last refresh's fingerprint of the scan is stored with the files rows:
    when the next scan's is the same, nothing is compared, read or written (no
    commit: another connection sees no new data).  Any change to what the rows
    hold (a touched file, a new problem of the scan) is compared and written."""
    db = tmp_path / "index.sqlite3"
    await refresh(db, library)
    with sqlite3.connect(db) as other:

        def commits() -> int:
            return other.execute("PRAGMA data_version").fetchone()[0]

        before = commits()
        summary = await refresh(db, library)
        assert (summary.unchanged, commits()) == (3, before)
        os.utime(library / "portraits" / "rain.md", ns=(5, 5))
        summary = await refresh(db, library)
        assert (summary.updated, summary.unchanged) == (0, 3) and commits() > before
        before = commits()
        (library / "away").symlink_to(tmp_path)  # leads outside: a problem of the scan
        summary = await refresh(db, library)
        assert [p.path for p in summary.problems] == ["away"] and commits() > before
        before = commits()
        again = await refresh(db, library)
        assert (again.unchanged, again.problems, commits()) == (3, summary.problems, before)
        (library / "away").unlink()
        assert (await refresh(db, library)).problems == []


@pytest.mark.parametrize("changed", [False, True])
async def test_the_scanned_files_do_not_outlive_a_refresh(
    library: Path, tmp_path: Path, changed: bool
) -> None:
    """The scan's result is handed over by a future that a reference cycle keeps
    until a garbage collection: at 100,000 files that was ~40 MB more under the
    snapshot the bot loads next.  Without a collection, none is left."""
    import gc

    from bot.library.scan import LibraryFile

    db = tmp_path / "index.sqlite3"
    await refresh(db, library)
    if changed:
        write(library, "icons/new.md", doc("Fresh Icon", category="icons"))
    gc.collect()
    gc.disable()
    try:
        summary = await refresh(db, library)
        assert summary.added == changed
        scanned = [o for o in gc.get_objects() if isinstance(o, LibraryFile)]
        assert not [o for o in scanned if o.abspath.startswith(str(library))]  # (not other tests')
    finally:
        gc.enable()


async def test_edit_add_delete_rename_are_picked_up(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "index.sqlite3"
    await refresh(db, library)
    rain = library / "portraits" / "rain.md"
    rain.write_text(doc("Neon Rain At Night", tags=("neon",)), encoding="utf-8")
    os.utime(rain, ns=(1, 1))
    write(library, "icons/new.md", doc("Fresh Icon", category="icons"))
    (library / "portraits" / "studio.md").unlink()
    (library / "3d" / "chibi.md").rename(library / "3d" / "chibi-wedding.md")
    async with Index(db) as index:
        summary = await index.refresh(library)
        assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (2, 1, 2, 0)
        ids = sorted(p.id for p in await index.prompts())
        assert ids == ["3d/chibi-wedding", "icons/new", "portraits/rain"]
        assert (await index.get("portraits/rain")).title == "Neon Rain At Night"
        assert await index.get("portraits/studio") is None
        assert await index.get("3d/chibi") is None


async def test_touched_but_identical_file_is_not_reparsed(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "index.sqlite3"
    await refresh(db, library)
    os.utime(library / "portraits" / "rain.md", ns=(5, 5))
    summary = await refresh(db, library)
    assert (summary.updated, summary.unchanged) == (0, 3)


async def test_bad_files_are_reported_and_good_ones_still_served(
    library: Path, tmp_path: Path
) -> None:
    write(library, "portraits/broken.md", "---\ntitle: [unclosed\n---\nbody\n")
    async with Index(tmp_path / "i.sqlite3") as index:
        summary = await index.refresh(library)
        assert summary.errors >= 1 and summary.problem_files == 1
        assert {p.path for p in summary.problems} == {"portraits/broken.md"}
        assert await index.count() == 3
        (library / "portraits" / "broken.md").write_text(doc("Fixed"), encoding="utf-8")
        summary = await index.refresh(library)
        assert summary.problems == [] and await index.count() == 4


async def test_our_corrupt_index_is_moved_aside_and_rebuilt(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite3"
    await refresh(db, library)
    data = bytearray(db.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # every page but the header: garbage
    db.write_bytes(bytes(data))
    summary = await refresh(db, library)
    assert summary.added == 3
    assert Path(f"{db}.corrupt").read_bytes() == bytes(data)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == INDEX_APPLICATION_ID
    db.write_bytes(bytes(data))  # again: the first copy aside is kept
    await refresh(db, library)
    assert Path(f"{db}.corrupt-2").read_bytes() == bytes(data)


async def test_our_index_from_a_newer_version_is_rebuilt(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite3"
    await refresh(db, library)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    summary = await refresh(db, library)
    assert summary.added == 3
    assert Path(f"{db}.corrupt").exists()


async def test_text_in_lookups_never_reaches_sql(library: Path, tmp_path: Path) -> None:
    async with Index(tmp_path / "i.sqlite3") as index:
        await index.refresh(library)
        assert await index.get("x' OR '1'='1") is None
        assert await index.get("'; DROP TABLE prompts; --") is None
        assert await index.count() == 3


async def test_the_whole_corpus_is_indexed(corpus_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.sqlite3"
    async with Index(db) as index:
        summary = await index.refresh(corpus_dir)
        assert summary.added == 8921 and summary.errors == 0
        assert await index.count() == 8921
        chibi = await index.get("samuxbuilds-awesome-prompts/3d/3d-chibi-proposal-scene")
        assert chibi.title == "3D Chibi Proposal Scene"
        assert chibi.author == "@balconychy"
        assert chibi.tags == ("3d", "chibi", "cartoon", "realistic", "cute")
        assert chibi.prompt.startswith("Transform the two people in the photo")
        prompts = await index.prompts()
        assert len({p.id for p in prompts}) == 8921
        assert all(len(p.id) <= 100 for p in prompts)
    async with Index(db) as index:
        again = await index.refresh(corpus_dir)
        assert (again.unchanged, again.added, again.updated) == (8921, 0, 0)


async def test_stored_search_terms_build_the_same_engine(library: Path, tmp_path: Path) -> None:
    from bot.search.analysis import body_terms
    from bot.search.engine import SearchEngine
    from bot.search.inverted import derived

    async with Index(tmp_path / "i.sqlite3", derive=derived) as index:
        await index.refresh(library)
        prompts, terms = await index.prompts_and_terms()
    assert terms == [body_terms(p) for p in prompts]  # the body tokens, in order
    stored, computed = SearchEngine.build(prompts, terms), SearchEngine.build(prompts)
    for query in ("neon rain", "prompt about studio", "chibi", "wedding light"):
        assert [(h.prompt.id, h.score) for h in stored.search(query)] == [
            (h.prompt.id, h.score) for h in computed.search(query)
        ]


async def test_an_index_from_before_the_terms_column_is_reparsed(
    library: Path, tmp_path: Path
) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:  # a version-2 database, as an older promptbot left it
        from bot.store.schema import MIGRATIONS

        for script in MIGRATIONS[:2]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 2")
        conn.execute("INSERT INTO meta VALUES ('parser_version', 'whatever')")
    from bot.search.inverted import derived

    async with Index(db, derive=derived) as index:
        summary = await index.refresh(library)
        assert summary.added == 3
        _, terms = await index.prompts_and_terms()
        assert all(terms)
    with sqlite3.connect(db) as conn:  # adopted: it carries the mark from now on
        assert conn.execute("PRAGMA application_id").fetchone()[0] == INDEX_APPLICATION_ID
    assert not Path(f"{db}.corrupt").exists()


async def test_a_new_derive_function_reparses_everything(library: Path, tmp_path: Path) -> None:
    """What the store keeps beside each prompt is the layer above's business: when it
    starts (or stops) deriving, every file is parsed again, and nothing is left stale."""
    from bot.search.inverted import derived

    db = tmp_path / "i.sqlite3"
    async with Index(db) as index:
        await index.refresh(library)
        assert (await index.prompts_and_terms())[1] == ["", "", ""]
    async with Index(db, derive=derived) as index:
        summary = await index.refresh(library)
        assert (summary.updated, summary.unchanged) == (3, 0)
        assert all((await index.prompts_and_terms())[1])
    async with Index(db, derive=derived) as index:
        again = await index.refresh(library)
        assert again.unchanged == 3


async def test_an_index_with_the_old_slot_tables_is_migrated(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "v3.sqlite3"
    from bot.store.schema import MIGRATIONS

    with sqlite3.connect(db) as conn:  # a version-3 index with slots and the tag table
        for script in MIGRATIONS[:3]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 3")
    async with Index(db) as index:
        await index.refresh(library)
        assert await index.count() == 3
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = {r[1] for r in conn.execute("PRAGMA table_info(prompts)")}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "prompt_slots" not in tables and "prompt_tags" not in tables
    assert not {"rnd", "category", "category_key"} & columns


@pytest.mark.parametrize("version", [5, 6])
async def test_an_index_from_before_the_build_columns_is_filled_by_reparsing(
    version: int, library: Path, tmp_path: Path
) -> None:
    """Version 6 stores each prompt's text length (the search numbering starts
    from it), version 7 its derived head (the search build reads it instead of
    the prompt): an older index gets every file parsed again to fill them."""
    from bot.search.inverted import Doc, derived
    from bot.store.schema import MIGRATIONS

    db = tmp_path / f"v{version}.sqlite3"
    async with Index(db, derive=derived) as index:
        await index.refresh(library)
    with sqlite3.connect(db) as conn:  # as that version of promptbot left it
        conn.execute("ALTER TABLE prompts DROP COLUMN head")
        if version < 6:
            conn.execute("ALTER TABLE prompts DROP COLUMN text_chars")
        conn.execute(f"PRAGMA user_version = {version}")
        assert len(MIGRATIONS) == 8
    async with Index(db, derive=derived) as index:
        summary = await index.refresh(library)
        assert (summary.updated, summary.unchanged) == (3, 0)
        prompts = {p.id: p for p in await index.prompts()}
    with GenerationReader(db) as reader:
        heads = list(reader.heads())
    assert {id: (size, head) for _, id, size, head in heads} == {
        i: (len(p.description) + len(p.prompt), Doc.of(p).head()) for i, p in prompts.items()
    }
    assert all(size and head for _, _, size, head in heads)


async def test_an_index_of_prompts_stored_as_objects_is_read_then_rewritten(
    library: Path, tmp_path: Path
) -> None:
    """Version 7 stored each prompt as a JSON object: such an index still reads,
    and its next refresh parses every file again, storing arrays."""
    import json

    from bot.search.inverted import derived

    db = tmp_path / "v7.sqlite3"
    async with Index(db, derive=derived) as index:
        await index.refresh(library)
        prompts = await index.prompts()
    with sqlite3.connect(db) as conn:  # as version 7 left it
        for n, data in conn.execute("SELECT n, data FROM prompts").fetchall():
            fields = ("id", "path", "title", "category", "prompt", "prompt_format", "tags")
            as_object = dict(zip(fields, json.loads(data), strict=False))
            conn.execute("UPDATE prompts SET data = ? WHERE n = ?", (json.dumps(as_object), n))
        conn.execute("PRAGMA user_version = 7")
    with GenerationReader(db) as reader:  # read as they are, before any refresh
        assert [reader.get(p.id).title for p in prompts] == [p.title for p in prompts]
    async with Index(db, derive=derived) as index:
        summary = await index.refresh(library)
        assert (summary.updated, summary.unchanged) == (3, 0)
        assert await index.prompts() == prompts
    with sqlite3.connect(db) as conn:
        stored = [json.loads(d) for (d,) in conn.execute("SELECT data FROM prompts")]
    assert all(isinstance(fields, list) for fields in stored)


async def test_a_reader_never_sees_a_half_written_refresh(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh is written in batches, as the parser delivers, but in one
    transaction: a reader in the middle of it still sees the old generation whole,
    and the new one whole once it commits."""
    import bot.store.index as index_module

    db = tmp_path / "i.sqlite3"
    await refresh(db, library)
    for n in range(5):
        write(library, f"more/extra-{n}.md", doc(f"Extra {n}", category="more"))
    (library / "3d" / "chibi.md").unlink()
    monkeypatch.setattr(index_module, "WRITE_BATCH", 2)
    seen: list[tuple[int, int]] = []
    take = index_module._take

    def take_and_look(pairs, n):  # runs between batches, while the writer's transaction is open
        with sqlite3.connect(db) as reader:
            counts = "SELECT (SELECT count(*) FROM prompts), (SELECT count(*) FROM files)"
            seen.append(reader.execute(counts).fetchone())
        return take(pairs, n)

    monkeypatch.setattr(index_module, "_take", take_and_look)
    summary = await refresh(db, library)
    assert (summary.added, summary.removed) == (5, 1)
    assert len(seen) == 4  # three batches of at most two, and the empty one that ends it
    assert set(seen) == {(3, 3)}  # the old generation, whole, every time
    with sqlite3.connect(db) as reader:
        assert reader.execute("SELECT count(*) FROM prompts").fetchone() == (7,)


async def test_a_new_index_is_written_without_the_wal_then_stays_in_it(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody reads an index with no prompt yet: its first refresh writes them
    once, without the WAL.  From that commit on it is in WAL mode for good, so a
    reader holding a generation open never blocks a refresh (and the mode is
    the file's: every connection sees it)."""
    import bot.store.index as index_module

    db, wal = tmp_path / "i.sqlite3", tmp_path / "i.sqlite3-wal"
    monkeypatch.setattr(index_module, "WRITE_BATCH", 1)
    seen: list[bool] = []
    take = index_module._take

    def take_and_look(pairs, n):  # between batches of the refresh
        seen.append(wal.exists())
        return take(pairs, n)

    monkeypatch.setattr(index_module, "_take", take_and_look)
    async with Index(db) as index:
        await index.refresh(library)
        assert seen and not any(seen)  # the first refresh: no WAL
        with sqlite3.connect(db) as other:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with GenerationReader(db) as reader:  # holds its generation while a refresh writes
            write(library, "more/extra.md", doc("Extra", category="more"))
            seen.clear()
            summary = await index.refresh(library)
            assert summary.added == 1 and reader.count == 3
        assert seen and all(seen)
    async with Index(db) as index:  # reopened with prompts: WAL from the start
        assert await index.count() == 4
    with sqlite3.connect(db) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_meta_written_during_a_refresh_waits_for_it(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot stores its commands' digest while the first refresh may be under
    way on the same connection: that write waits, instead of landing inside the
    refresh's transaction and committing half of it."""
    import asyncio

    import bot.store.index as index_module

    inside, go_on = asyncio.Event(), asyncio.Event()
    write_batch = index_module.write_batch

    async def held(*args: object) -> None:
        inside.set()
        await go_on.wait()
        await write_batch(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module, "write_batch", held)
    async with Index(tmp_path / "index.sqlite3") as index:
        refreshing = asyncio.create_task(index.refresh(library))
        await inside.wait()
        storing = asyncio.create_task(index.set_meta("commands_hash:global", "abc"))
        reading = asyncio.create_task(index.get_meta("commands_hash:global"))
        await asyncio.sleep(0.1)
        assert not storing.done() and not reading.done()
        with sqlite3.connect(tmp_path / "index.sqlite3") as other:  # nothing half-committed
            assert other.execute("SELECT count(*) FROM files").fetchone() == (0,)
        go_on.set()
        assert (await refreshing).added == 3
        await storing
        assert await reading in (None, "abc")
        assert await index.get_meta("commands_hash:global") == "abc"
        assert await index.count() == 3
