"""What a ``PROMPTBOT_STATE`` file is, found out by reading it only.

Member data is never rebuilt, so a file that is not ours, or that we cannot
use, is refused with one line and left exactly as it is: not deleted,
truncated, moved, or written (not even a ``-wal``/``-shm`` beside it).  A
foreign file is never opened read-write: its header is read as bytes, and its
tables (for the message) through an ``immutable`` connection, which writes
nothing.  A file with our mark is then checked by ``SQLiteState`` (version,
``PRAGMA quick_check``) on its own connection before anything writes to it:
a read-only connection would leave ``-wal``/``-shm`` files behind, the
read-write one removes them when it closes.
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


def _connect_immutable(path: Path) -> sqlite3.Connection:
    """Reads the main file as it is: no locks, no ``-wal``/``-shm``, no writes."""
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)


def _foreign(path: Path, application_id: int) -> str:
    """Why a SQLite file without our mark is refused (for the message only)."""
    tables: set[str] = set()
    try:
        connection = _connect_immutable(path)
        try:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {name for (name,) in rows}
        finally:
            connection.close()
    except sqlite3.Error:
        pass
    if tables >= INDEX_TABLES:
        return "is the library index (PROMPTBOT_DB): member data needs a file of its own"
    if application_id:
        return f"is another application's SQLite database (application_id {application_id:#x})"
    return "is a SQLite database that is not a promptbot state store"


def inspect(path: Path) -> bool:
    """True: ``path`` carries our mark (its version and integrity are checked
    next, by ``SQLiteState``, before anything is written).  False: there is
    nothing there yet (no file, or an empty one: SQLite creates the tables).
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
    return True
