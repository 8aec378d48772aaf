"""The SQLite backend's own rules: the file it creates, the files it refuses (and
leaves byte for byte as they were), and its migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.state import StateUnavailable, open_state
from bot.state.sqlite import SQLiteState
from bot.state.sqlite_schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from bot.store import Index

FIXTURES = Path(__file__).parent / "fixtures"
ALICE = 111_111_111_111_111_111


def pragma(path: Path, name: str) -> object:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        connection.close()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``, with its bytes (None for folders)."""
    return {
        str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


async def make_store(path: Path, favourites: int = 3) -> None:
    async with SQLiteState(path) as store:
        for n in range(favourites):
            await store.add_favorite(ALICE + n % 3, f"p/{n}", f"Title {n} " + "x" * 300)
        await store.record_served("p/0", guild_id=5, user_id=ALICE)


# the file it creates


async def test_a_new_store_is_marked_versioned_and_in_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state.sqlite3"
    async with open_state(path) as store:
        assert isinstance(store, SQLiteState)
        assert (await store._rows("PRAGMA synchronous", ()))[0][0] == 2  # FULL
        await store.add_favorite(ALICE, "p", "P")
        # the mark is in the main file's header before any checkpoint (the file is in use)
        header = path.read_bytes()[:100]
        assert int.from_bytes(header[68:72], "big") == APPLICATION_ID
    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "user_version") == SCHEMA_VERSION == len(MIGRATIONS)
    assert pragma(path, "journal_mode") == "wal"


async def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.touch()
    async with open_state(path) as store:
        assert await store.add_favorite(ALICE, "p", "P")
    assert pragma(path, "application_id") == APPLICATION_ID


async def test_a_store_in_use_opens_a_second_time(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    async with open_state(path) as first:
        await first.add_favorite(ALICE, "p/1", "One")
        async with open_state(path) as second:
            assert await second.is_favorite(ALICE, "p/1")
            await second.add_favorite(ALICE, "p/2", "Two")
        assert await first.count_favorites(ALICE) == 2


# the files it refuses


def folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("keep me")


def text_file(path: Path) -> None:
    path.write_text("favourites, but as notes\n")


def binary_file(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 16)


def truncated_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00")


def foreign_sqlite(path: Path, application_id: int = 0, tables: bool = True) -> None:
    connection = sqlite3.connect(path)
    if tables:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")
    connection.execute(f"PRAGMA application_id = {application_id:d}")
    connection.execute("PRAGMA user_version = 1")  # as if it were a first version
    connection.commit()
    connection.close()


def foreign_sqlite_marked(path: Path) -> None:
    foreign_sqlite(path, application_id=0x12345678)


def empty_sqlite(path: Path) -> None:
    foreign_sqlite(path, tables=False)


async def library_index(path: Path) -> None:
    seeds = Path(__file__).resolve().parents[3] / "seeds"
    async with Index(path) as index:
        summary = await index.refresh(seeds)
    assert summary.added > 0


async def newer_store(path: Path) -> None:
    await make_store(path)
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5:d}")
    connection.commit()
    connection.close()


async def corrupt_store(path: Path) -> None:
    await make_store(path, favourites=200)
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * 4096
    data[3 * 4096 : 6 * 4096] = b"\xa5" * (3 * 4096)  # pages 4-6: b-tree pages, garbage now
    path.write_bytes(bytes(data))


Maker = Callable[[Path], Awaitable[None] | None]
REFUSED: list[tuple[Maker, str]] = [
    (folder, "folder"),
    (text_file, "not a SQLite database"),
    (binary_file, "not a SQLite database"),
    (truncated_header, "not a SQLite database"),
    (foreign_sqlite, "not a promptbot state store"),
    (foreign_sqlite_marked, "another application"),
    (empty_sqlite, "not a promptbot state store"),
    (library_index, "library index"),
    (newer_store, "newer promptbot"),
    (corrupt_store, "corrupt"),
]


@pytest.mark.parametrize(("make", "why"), REFUSED, ids=[m.__name__ for m, _ in REFUSED])
async def test_a_file_that_is_not_a_usable_store_is_refused_and_untouched(
    tmp_path: Path, make: Maker, why: str
) -> None:
    home = tmp_path / "data"
    home.mkdir()
    path = home / "state.sqlite3"
    made = make(path)
    if made is not None:
        await made
    before = snapshot(home)
    with pytest.raises(ConfigError) as err:
        await open_state(path).open()
    message = str(err.value)
    assert message.startswith(f"PROMPTBOT_STATE: '{path}' ") and "\n" not in message
    assert why in message
    assert snapshot(home) == before  # same bytes, and no -wal, -shm or -journal left beside


async def test_a_broken_symlink_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.symlink_to(tmp_path / "nowhere" / "state.sqlite3")
    with pytest.raises(ConfigError, match="symbolic link"):
        await open_state(path).open()
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
async def test_a_read_only_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    await make_store(path)
    path.chmod(0o444)
    with pytest.raises(ConfigError, match="not writable"):
        await open_state(path).open()


async def test_a_folder_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot be created"):
        await open_state(tmp_path / "file" / "state.sqlite3").open()


# migrations


@pytest.mark.parametrize("dump", sorted(FIXTURES.glob("state_v*.sql")), ids=lambda p: p.stem)
async def test_every_earlier_version_is_upgraded_with_its_data(tmp_path: Path, dump: Path) -> None:
    version = int(dump.stem.removeprefix("state_v"))
    path = tmp_path / "state.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(dump.read_text(encoding="utf-8"))
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    connection.execute(f"PRAGMA user_version = {version:d}")
    connection.commit()
    connection.close()
    async with open_state(path) as store:
        listed = await store.list_favorites(ALICE)
        assert [(f.prompt_id, f.title) for f in listed] == [
            ("gone/removed-prompt", "Café 'Noir' 🌙"),
            ("portraits/neon-rain", "Neon Rain"),
        ]
        assert listed[0].saved_at.isoformat() == "2025-03-01T12:01:00+00:00"
        assert await store.top(guild_id=999_999_999_999_999_999, user_id=None) == [
            ("portraits/neon-rain", 2),
            ("3d/chibi", 1),
        ]
        assert await store.top(guild_id=None, user_id=ALICE) == [
            ("3d/chibi", 1),
            ("portraits/neon-rain", 1),
        ]
        assert await store.add_favorite(ALICE, "new/one", "New")
    assert pragma(path, "user_version") == SCHEMA_VERSION


class NextVersion(SQLiteState):
    migrations = (*MIGRATIONS, "ALTER TABLE favorites ADD COLUMN note TEXT;")


class BrokenNextVersion(SQLiteState):
    migrations = (*MIGRATIONS, "CREATE TABLE extra (x); INSERT INTO no_such_table VALUES (1);")


async def test_the_runner_applies_a_later_step_once(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    await make_store(path)
    async with NextVersion(path) as store:
        assert await store.count_favorites(ALICE) == 1
        assert await store.add_favorite(ALICE, "p/new", "New")
    assert pragma(path, "user_version") == SCHEMA_VERSION + 1
    async with NextVersion(path) as store:  # nothing left to apply: no error
        assert await store.count_favorites(ALICE) == 2
    connection = sqlite3.connect(path)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(favorites)")]
    connection.close()
    assert "note" in columns
    before = snapshot(tmp_path)
    with pytest.raises(ConfigError, match="newer promptbot"):  # this build is now the old one
        await open_state(path).open()
    assert snapshot(tmp_path) == before


async def test_a_failing_step_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    await make_store(path)
    before = snapshot(tmp_path)
    with pytest.raises(ConfigError, match="could not be upgraded from state schema 1") as err:
        await BrokenNextVersion(path).open()
    assert "\n" not in str(err.value)
    assert snapshot(tmp_path) == before
    assert pragma(path, "user_version") == SCHEMA_VERSION
    async with open_state(path) as store:
        assert await store.count_favorites(ALICE) == 1


async def test_a_store_locked_by_another_process_is_unavailable_then_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.state.sqlite._BUSY_SECONDS", 0.2)
    path = tmp_path / "state.sqlite3"
    async with open_state(path) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            with pytest.raises(StateUnavailable):
                await store.add_favorite(ALICE, "p/1", "One")
            assert await store.count_favorites(ALICE) == 0  # reads go on meanwhile
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert await store.add_favorite(ALICE, "p/1", "One")
