"""The embedded state store: one SQLite file through aiosqlite.

Durability: WAL with ``synchronous=FULL``, so every commit is fsynced before
the method returns; a save that was acknowledged survives a power cut too
(``NORMAL`` would only survive a crash of the process: the last commits could
roll back on power loss, and the member was told it was saved).  The cost is
one fsync per write (``benchmarks/bench_state.py``).

Concurrency: one connection, and an ``asyncio.Lock`` around every operation,
so that the statements of one transaction are never interleaved with another
coroutine's at an ``await`` (aiosqlite runs them in order on its thread, but
the coroutines would otherwise take turns between statements).  Writes that
are one statement run in autocommit; others in ``BEGIN IMMEDIATE … COMMIT``.
Another process on the same file waits up to 5 s for the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import aiosqlite

from bot.state import sqlite_file
from bot.state.base import (
    Favorite,
    FavoritesFull,
    ForgetSummary,
    StateError,
    StateStore,
    StateUnavailable,
    UsageCount,
)
from bot.state.sqlite_schema import APPLICATION_ID, MIGRATIONS, step_script

log = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit
_BUSY_SECONDS = 5.0
_RESTORE = ": restore it from a backup, or move it away to start with no member data"


def to_micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    return _EPOCH + value * _MICROSECOND


async def _header(db: aiosqlite.Connection) -> tuple[int, int, int]:
    """(application_id, user_version, number of schema objects)."""
    rows = await db.execute_fetchall(
        "SELECT (SELECT application_id FROM pragma_application_id),"
        " (SELECT user_version FROM pragma_user_version),"
        " (SELECT count(*) FROM sqlite_master)"
    )
    ((application_id, version, objects),) = rows
    return int(application_id), int(version), int(objects)


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """sqlite3 errors as the contract's: the file cannot be used right now
    (locked, I/O, disk full) → ``StateUnavailable``; anything else → ``StateError``."""
    try:
        yield
    except sqlite3.OperationalError as err:
        raise StateUnavailable(f"the state store cannot be used right now: {err}") from err
    except sqlite3.Error as err:
        raise StateError(f"the state store failed: {err}") from err


class SQLiteState(StateStore):
    migrations: tuple[str, ...] = MIGRATIONS  # tests extend it to prove upgrades

    def __init__(self, path: Path | str, **options: Any) -> None:
        super().__init__(**options)
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"SQLiteState({str(self.path)!r})"

    # opening

    async def open(self) -> Self:
        if self._db is not None:
            return self
        latest = len(self.migrations)
        existing = await asyncio.to_thread(sqlite_file.inspect, self.path)
        if not existing:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                sqlite_file.refuse(self.path, f"cannot be created ({err.strerror})")
        try:
            db = await aiosqlite.connect(self.path, isolation_level=None, timeout=_BUSY_SECONDS)
        except sqlite3.Error as err:
            sqlite_file.refuse(self.path, f"cannot be opened ({err})")
        try:
            await db.execute("PRAGMA synchronous = FULL")
            await self._migrate(db, await self._check(db, latest), latest)
            cursor = await db.execute("PRAGMA journal_mode = WAL")
            mode = (await cursor.fetchone() or ("?",))[0]
            if str(mode).lower() != "wal":
                log.warning("state store %s: WAL is not available here (%s)", self.path, mode)
        except BaseException as err:
            await db.close()
            if isinstance(err, sqlite3.Error):
                sqlite_file.refuse(self.path, f"cannot be used ({err})")
            raise
        self._db = db
        return self

    async def _check(self, db: aiosqlite.Connection, latest: int) -> int:
        """The file's schema version, once it is known to be ours, not from a newer
        promptbot, and intact; nothing is written before this passes."""
        try:
            application_id, version, objects = await _header(db)
            new = application_id == 0 and version == 0 and objects == 0
            if not new and application_id != APPLICATION_ID:  # changed since inspect()
                sqlite_file.refuse(self.path, "is not a promptbot state store")
            if version > latest:
                sqlite_file.refuse(
                    self.path,
                    f"was written by a newer promptbot (state schema {version};"
                    f" this one knows up to {latest})",
                )
            problems = (
                [] if new else [r[0] for r in await db.execute_fetchall("PRAGMA quick_check(3)")]
            )
        except sqlite3.Error as err:
            name = getattr(err, "sqlite_errorname", "")
            if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                sqlite_file.refuse(self.path, f"is locked by another process ({err})")
            if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
                sqlite_file.refuse(self.path, f"is corrupt ({err}){_RESTORE}")
            sqlite_file.refuse(self.path, f"cannot be read ({err})")
        if problems not in ([], ["ok"]):
            first = " ".join(problems[0].split())[:200]
            sqlite_file.refuse(self.path, f"is corrupt ({first}){_RESTORE}")
        return int(version)

    async def _migrate(self, db: aiosqlite.Connection, version: int, latest: int) -> None:
        """Each step in its own transaction (see ``sqlite_schema``)."""
        while version < latest:
            try:
                await db.executescript(step_script(self.migrations, version))
            except sqlite3.Error as err:
                with contextlib.suppress(sqlite3.Error):
                    await db.execute("ROLLBACK")
                if (await _header(db))[1] <= version:  # not done by another process meanwhile
                    sqlite_file.refuse(
                        self.path,
                        f"could not be upgraded from state schema {version} ({err});"
                        " it is unchanged",
                    )
            else:
                log.info("state store %s: upgraded to schema %d", self.path, version + 1)
            version = (await _header(db))[1]

    async def close(self) -> None:
        async with self._lock:
            if self._db is not None:
                db, self._db = self._db, None
                await db.close()

    # plumbing

    @contextlib.asynccontextmanager
    async def _use(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            if self._db is None:
                raise StateUnavailable("the state store is closed")
            with _translated():
                yield self._db

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._use() as db:
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    await db.execute("ROLLBACK")
                raise
            await db.execute("COMMIT")

    async def _write(self, sql: str, parameters: Sequence[object]) -> int:
        """One statement in autocommit: committed (and fsynced) when this returns."""
        async with self._use() as db:
            return (await db.execute(sql, parameters)).rowcount

    async def _rows(self, sql: str, parameters: Sequence[object]) -> list[Any]:
        async with self._use() as db:
            return list(await db.execute_fetchall(sql, parameters))

    async def ping(self) -> None:
        await self._rows("SELECT 1", ())

    # favourites

    async def _add_favorite(self, user_id: int, prompt_id: str, title: str, now: datetime) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "SELECT 1 FROM favorites WHERE user_id = ? AND prompt_id = ?", (user_id, prompt_id)
            )
            if await cursor.fetchone() is not None:
                return False
            count = "SELECT count(*) FROM favorites WHERE user_id = ?"
            row = await (await db.execute(count, (user_id,))).fetchone()
            if row is not None and row[0] >= self.favorites_cap:
                raise FavoritesFull(self.favorites_cap)
            await db.execute(
                "INSERT INTO favorites (user_id, prompt_id, title, saved_at) VALUES (?, ?, ?, ?)",
                (user_id, prompt_id, title, to_micros(now)),
            )
            return True

    async def _remove_favorite(self, user_id: int, prompt_id: str) -> bool:
        sql = "DELETE FROM favorites WHERE user_id = ? AND prompt_id = ?"
        return await self._write(sql, (user_id, prompt_id)) > 0

    async def _favorite_ids(self, user_id: int, prompt_ids: list[str]) -> frozenset[str]:
        found: set[str] = set()
        async with self._use() as db:
            for start in range(0, len(prompt_ids), _CHUNK):
                chunk = prompt_ids[start : start + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                sql = "SELECT prompt_id FROM favorites WHERE user_id = ? AND prompt_id IN "
                sql += f"({marks})"  # marks: only '?' placeholders
                rows = await db.execute_fetchall(sql, (user_id, *chunk))
                found.update(row[0] for row in rows)
        return frozenset(found)

    async def _list_favorites(self, user_id: int, offset: int, limit: int) -> list[Favorite]:
        rows = await self._rows(
            "SELECT prompt_id, title, saved_at FROM favorites WHERE user_id = ?"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [Favorite(p, t, from_micros(s)) for p, t, s in rows]

    async def _count_favorites(self, user_id: int) -> int:
        rows = await self._rows("SELECT count(*) FROM favorites WHERE user_id = ?", (user_id,))
        return int(rows[0][0])

    # usage

    async def _record_served(
        self, prompt_id: str, guild_id: int | None, user_id: int | None, at: datetime
    ) -> None:
        await self._write(
            "INSERT INTO usage (prompt_id, guild_id, user_id, served_at) VALUES (?, ?, ?, ?)",
            (prompt_id, guild_id, user_id, to_micros(at)),
        )

    async def _top(
        self, guild_id: int | None, user_id: int | None, since: datetime | None, limit: int
    ) -> list[UsageCount]:
        where: list[str] = []  # constant fragments only; every value is a parameter
        parameters: list[object] = []
        for fragment, value in (
            ("guild_id = ?", guild_id),
            ("user_id = ?", user_id),
            ("served_at >= ?", None if since is None else to_micros(since)),
        ):
            if value is not None:
                where.append(fragment)
                parameters.append(value)
        sql = (
            "SELECT prompt_id, count(*) AS n FROM usage"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " GROUP BY prompt_id ORDER BY n DESC, prompt_id LIMIT ?"
        )
        rows = await self._rows(sql, (*parameters, limit))
        return [UsageCount(p, n) for p, n in rows]

    async def _prune_usage(self, older_than: datetime) -> int:
        return await self._write("DELETE FROM usage WHERE served_at < ?", (to_micros(older_than),))

    # members

    async def _forget_user(self, user_id: int) -> ForgetSummary:
        async with self._transaction() as db:
            favorites = await db.execute("DELETE FROM favorites WHERE user_id = ?", (user_id,))
            unlink = "UPDATE usage SET user_id = NULL WHERE user_id = ?"
            usage = await db.execute(unlink, (user_id,))
            return ForgetSummary(favorites.rowcount, usage.rowcount)
