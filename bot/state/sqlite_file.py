"""What a ``PROMPTBOT_STATE`` file is, found out by reading it only.

Member data is never rebuilt, so a file that is not ours, or that we cannot
use, is refused with one line and left exactly as it is: not deleted,
truncated, moved, or written (not even a ``-wal``/``-shm`` beside it).  A
foreign file is never opened read-write: its header is read as bytes, and its
tables (for the message) through an ``immutable`` connection, which writes
nothing.  Our own file is checked through a read-only connection (version,
``PRAGMA quick_check``) before anything writes to it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import NoReturn

from bot.config import ConfigError
from bot.state.sqlite_schema import APPLICATION_ID

SQLITE_MAGIC = b"SQLite format 3\x00"
INDEX_TABLES = frozenset({"prompts", "files"})  # how the library index looks (bot.store.schema)


def refuse(path: Path, why: str) -> NoReturn:
    line = f"PROMPTBOT_STATE: '{path}' {why}"
    raise ConfigError(line.replace("\r", "\\r").replace("\n", "\\n"))


def _connect_read_only(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    query = "?mode=ro&immutable=1" if immutable else "?mode=ro"
    return sqlite3.connect(path.resolve().as_uri() + query, uri=True, timeout=5.0)


def _foreign(path: Path, application_id: int) -> str:
    """Why a SQLite file without our mark is refused (for the message only)."""
    tables: set[str] = set()
    try:
        connection = _connect_read_only(path, immutable=True)
        try:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {name for (name,) in rows}
        finally:
            connection.close()
    except sqlite3.Error:
        pass
    if tables >= INDEX_TABLES:
        return "is the library index (PROMPTBOT_DB), not the state store"
    if application_id:
        return f"is another application's SQLite database (application_id {application_id:#x})"
    return "is a SQLite database that is not a promptbot state store"


def _check_ours(path: Path, latest: int) -> None:
    try:
        connection = _connect_read_only(path)
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            if version > latest:
                refuse(
                    path,
                    f"was written by a newer promptbot (state schema {version};"
                    f" this one knows up to {latest})",
                )
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
        finally:
            connection.close()
    except sqlite3.Error as err:
        refuse(path, f"is corrupt or unreadable ({err})")
    if problems != ["ok"]:
        refuse(path, f"is corrupt ({'; '.join(problems)})")


def inspect(path: Path, latest: int) -> bool:
    """True: ``path`` is our state store, usable by this version.  False: there
    is nothing there yet (no file, or an empty one: SQLite creates the tables).
    ``ConfigError`` otherwise; blocking (run it in a thread)."""
    if not os.path.lexists(path):
        return False
    if not path.exists():
        refuse(path, "is a broken symbolic link")
    if path.is_dir():
        refuse(path, "is a folder, not a state file")
    if not path.is_file():
        refuse(path, "is not a regular file")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as err:
        refuse(path, f"cannot be read ({err.strerror})")
    if not header:
        return False  # SQLite writes the header itself (a crash at creation leaves this)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        refuse(path, "is not a SQLite database (nor a promptbot state store)")
    application_id = int.from_bytes(header[68:72], "big", signed=True)
    if application_id != APPLICATION_ID:
        refuse(path, _foreign(path, application_id))
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        refuse(path, "is not writable (the file and its folder must be)")
    _check_ours(path, latest)
    return True
