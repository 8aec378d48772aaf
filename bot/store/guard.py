"""Which SQLite files promptbot may write to, and which it may move aside.

A path from a setting (``PROMPTBOT_DB``) may name anything: a folder, a text
file, another application's database.  promptbot marks the databases it
creates with SQLite's ``PRAGMA application_id`` (one constant per kind of
database, in its schema module), and :func:`claim_database` decides, before
anything is opened for writing:

- missing (its folder is created), a 0-byte file, or an SQLite database with
  no tables and no mark: ``Claim.NEW``, initialise and mark it;
- marked with our id: ``Claim.OURS``; only such a file (or an adopted one) may
  ever be moved aside and rebuilt when it is corrupt or from a newer version;
- unmarked (a promptbot from before the mark) but holding exactly the tables
  that the first ``user_version`` migrations create: ``Claim.ADOPT``, mark it;
- anything else: ``ConfigError``, one line naming the setting, the path and
  why; the file is not opened for writing, so it stays byte-identical.

Reading is done on the 100-byte header first (no SQLite involved) and, for an
unmarked SQLite file only, through a read-only connection.  A file whose own
header is destroyed cannot be told apart from someone else's, so it is refused.
"""

from __future__ import annotations

import enum
import re
import sqlite3
import stat
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from bot.config import ConfigError

SQLITE_MAGIC = b"SQLite format 3\x00"
_CORRUPTION = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # and their extended codes
_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)
_DROP_TABLE = re.compile(r"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


class Claim(enum.Enum):
    NEW = "new"  # missing or empty: initialise, then mark
    OURS = "ours"  # carries our application_id
    ADOPT = "adopt"  # an unmarked database of ours from before the mark: mark it


def tables_created_by(migrations: Sequence[str]) -> frozenset[str]:
    """The tables that these migration scripts leave (created and not dropped)."""
    tables: set[str] = set()
    for script in migrations:
        tables.update(_CREATE_TABLE.findall(script))
        tables.difference_update(_DROP_TABLE.findall(script))
    return frozenset(tables)


def is_corruption(err: sqlite3.Error) -> bool:
    """A damaged file (not an unreadable, read-only, locked or full one)."""
    name = getattr(err, "sqlite_errorname", None)
    if isinstance(name, str):
        return name.startswith(_CORRUPTION)
    text = str(err).lower()
    return "malformed" in text or "not a database" in text


def claim_database(
    path: Path, *, application_id: int, migrations: Sequence[str], setting: str
) -> Claim:
    """What promptbot may do with the database at ``path`` (see the module
    docstring); raises ConfigError (naming ``setting``) for a file it did not
    write.  Creates the missing folders of a path that does not exist."""
    where = f"{setting}: '{path}'"
    try:
        info = path.stat()
    except FileNotFoundError:
        _make_folder(path, setting)
        return Claim.NEW
    except NotADirectoryError:
        raise ConfigError(f"{where} cannot be used: a folder on its path is a file") from None
    except OSError as err:
        raise ConfigError(f"{where} cannot be read ({err.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{where} is a folder, not an SQLite file; left untouched")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{where} is not a regular file; left untouched")
    if info.st_size == 0:
        return Claim.NEW
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as err:
        raise ConfigError(f"{where} cannot be read ({err.strerror})") from None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise ConfigError(f"{where} is not an SQLite database (not an index); left untouched")
    marked = int.from_bytes(header[68:72], "big", signed=True)
    if marked == application_id:
        return Claim.OURS
    if marked != 0:
        raise ConfigError(
            f"{where} is another application's SQLite database "
            f"(application_id {marked}); left untouched"
        )
    return _unmarked(path, where, application_id, migrations)


def _unmarked(path: Path, where: str, application_id: int, migrations: Sequence[str]) -> Claim:
    """An SQLite file whose header carries no mark: read (only) its tables."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            marked = conn.execute("PRAGMA application_id").fetchone()[0]  # the WAL may have it
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not row[0].startswith("sqlite_")
            }
        finally:
            conn.close()
    except sqlite3.Error as err:
        raise ConfigError(
            f"{where} is an SQLite file that cannot be read ({err}); left untouched"
        ) from None
    if marked == application_id:
        return Claim.OURS
    ours_at_version = 0 <= version <= len(migrations) and (
        tables == tables_created_by(migrations[:version])
    )
    if marked == 0 and ours_at_version:
        return Claim.NEW if not tables else Claim.ADOPT
    listed = ", ".join(sorted(tables)[:5]) or "none"
    raise ConfigError(
        f"{where} is an SQLite database promptbot did not write (tables: {listed}); left untouched"
    )


def _make_folder(path: Path, setting: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(
            f"{setting}: cannot create the folder of '{path}' ({err.strerror or err})"
        ) from None


def set_aside(path: Path) -> None:
    """Move our index at ``path`` (only ever called for a file that is ours)
    and its WAL files aside, as ``<name>.corrupt`` (``.corrupt-2``... when
    that is taken): it is rebuilt, and the old one kept for a post-mortem."""
    suffix = ".corrupt"
    for n in range(2, 1000):
        if not any(Path(f"{path}{x}{suffix}").exists() for x in ("", "-wal", "-shm")):
            break
        suffix = f".corrupt-{n}"
    for extra in ("", "-wal", "-shm"):
        candidate = Path(f"{path}{extra}")
        if candidate.exists():
            candidate.replace(Path(f"{path}{extra}{suffix}"))
