"""The index never harms a file promptbot did not write: real files in temporary
folders, at the ``Index`` level (the command line: tests/bot/test_cli.py)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.store.guard import Claim, claim_database, is_corruption, set_aside, tables_created_by
from bot.store.index import Index
from bot.store.schema import INDEX_APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.support.foreign_files import FOREIGN, read_only, snapshot

ROOT = Path(__file__).parents[3]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    (root / "cats").mkdir(parents=True)
    (root / "cats" / "a.md").write_text("---\ntitle: A\n---\n\n## Prompt\n\nA cat.\n")
    return root


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "_connection_worker_thread" in t.name]


async def _refused(path: Path, library: Path) -> str:
    before = _threads()
    with pytest.raises(ConfigError) as caught:
        async with Index(path) as index:
            await index.refresh(library)
    assert _threads() == before
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"PROMPTBOT_DB: '{path}'"), message
    return message


def _application_id(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA application_id").fetchone()[0])


@pytest.mark.parametrize("make", FOREIGN.values(), ids=list(FOREIGN))
async def test_a_file_promptbot_did_not_write_is_refused_and_untouched(
    tmp_path: Path, library: Path, make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path)
    before = snapshot(path)
    message = await _refused(path, library)
    assert "left untouched" in message
    assert snapshot(path) == before  # same bytes, same mtimes, nothing new beside it


async def test_the_messages_say_why(tmp_path: Path, library: Path) -> None:
    expected = {
        "a folder": "is a folder",
        "a text file": "is not an SQLite database",
        "another application's SQLite file": "promptbot did not write (tables: contacts)",
        "an SQLite file with another application_id": "(application_id 1234)",
        "an unmarked SQLite file with a foreign user_version": "promptbot did not write",
    }
    for number, (name, make) in enumerate(FOREIGN.items()):
        (tmp_path / str(number)).mkdir()
        assert expected[name] in await _refused(make(tmp_path / str(number)), library)


async def test_a_special_file_is_refused_without_reading_it(library: Path) -> None:
    assert "not a regular file" in await _refused(Path("/dev/null"), library)


async def test_an_empty_file_is_initialised_and_marked(tmp_path: Path, library: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    async with Index(path) as index:
        assert (await index.refresh(library)).added == 1
    assert _application_id(path) == INDEX_APPLICATION_ID


async def test_missing_folders_are_created(tmp_path: Path, library: Path) -> None:
    path = tmp_path / "data" / "deeper" / "index.sqlite3"
    async with Index(path) as index:
        await index.refresh(library)
    assert _application_id(path) == INDEX_APPLICATION_ID


async def test_a_folder_on_the_path_that_is_a_file(tmp_path: Path, library: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where a folder would be")
    before = snapshot(blocker)
    assert "a folder on its path is a file" in await _refused(blocker / "i.sqlite3", library)
    assert snapshot(blocker) == before


_OPEN_IN_SUBPROCESS = """
import asyncio, sys
from pathlib import Path
from bot.config import ConfigError
from bot.store.index import Index

async def main():
    async with Index(Path(sys.argv[1])) as index:
        await index.refresh(Path(sys.argv[2]))

try:
    asyncio.run(main())
except ConfigError as err:
    print(err)
    sys.exit(2)
"""


@pytest.mark.parametrize("existing", [False, True], ids=["new index", "our index"])
async def test_a_read_only_location_is_one_line(
    tmp_path: Path, library: Path, existing: bool
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "index.sqlite3"
    if existing:
        async with Index(path) as index:
            await index.refresh(library)
    before = snapshot(path) if existing else None
    with read_only(folder) as wrap:
        command = [sys.executable, "-c", _OPEN_IN_SUBPROCESS, str(path), str(library)]
        out = subprocess.run(
            wrap(command), capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
        )
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stdout.startswith(f"PROMPTBOT_DB: cannot use '{path}'"), out.stdout
    assert len(out.stdout.splitlines()) == 1
    if existing:
        assert snapshot(path) == before
    else:
        assert list(folder.iterdir()) == []


def test_the_tables_of_each_version() -> None:
    first = {"meta", "files", "prompts", "prompt_tags", "problems"}
    assert tables_created_by(MIGRATIONS[:1]) == first
    assert tables_created_by(MIGRATIONS[:3]) == first | {"prompt_slots"}
    assert tables_created_by(MIGRATIONS[:4]) == first - {"prompt_tags"}
    assert tables_created_by(MIGRATIONS[:SCHEMA_VERSION]) == first - {"prompt_tags"} | {"derived"}


async def test_an_unmarked_index_of_every_version_is_adopted(tmp_path: Path) -> None:
    for version in range(1, SCHEMA_VERSION + 1):
        path = tmp_path / f"v{version}.sqlite3"
        with sqlite3.connect(path) as conn:
            for script in MIGRATIONS[:version]:
                conn.executescript(script)
            conn.execute(f"PRAGMA user_version = {version:d}")
        claim = claim_database(
            path, application_id=INDEX_APPLICATION_ID, migrations=MIGRATIONS, setting="X"
        )
        assert claim is Claim.ADOPT
        with sqlite3.connect(path) as conn:  # one table more: not ours
            conn.execute("CREATE TABLE extra (x)")
        with pytest.raises(ConfigError, match=r"tables: (\w+, )*extra"):
            claim_database(
                path, application_id=INDEX_APPLICATION_ID, migrations=MIGRATIONS, setting="X"
            )


def test_only_damage_counts_as_corruption(tmp_path: Path) -> None:
    garbage = tmp_path / "g.sqlite3"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    with pytest.raises(sqlite3.DatabaseError) as caught:
        sqlite3.connect(garbage).execute("SELECT * FROM sqlite_master").fetchall()
    assert is_corruption(caught.value)
    with pytest.raises(sqlite3.OperationalError) as caught:
        sqlite3.connect(tmp_path / "missing" / "x.sqlite3")
    assert not is_corruption(caught.value)


def test_set_aside_moves_the_database_with_its_wal_and_keeps_older_copies(tmp_path: Path) -> None:
    db = tmp_path / "index.sqlite3"
    for round_ in (1, 2):
        db.write_bytes(b"main %d" % round_)
        Path(f"{db}-wal").write_bytes(b"wal %d" % round_)
        set_aside(db)
        assert not db.exists() and not Path(f"{db}-wal").exists()
    assert Path(f"{db}.corrupt").read_bytes() == b"main 1"
    assert Path(f"{db}-wal.corrupt").read_bytes() == b"wal 1"
    assert Path(f"{db}.corrupt-2").read_bytes() == b"main 2"
    assert Path(f"{db}-wal.corrupt-2").read_bytes() == b"wal 2"
    assert not Path(f"{db}-shm.corrupt").exists()
