"""The state store on a PostgreSQL server, through an asyncpg connection pool.

``PROMPTBOT_STATE=postgresql://user:password@host:5432/database``: every bot process of a
cluster shares it.  Tables, versions and the migration lock: ``postgres_schema``.

Availability: connecting and every statement have short time limits, so while the
server is down or restarting each operation fails within seconds with
``StateUnavailable`` (the bot's lookups never touch this store and keep working).  The
pool replaces a dead connection on the next acquire, so service resumes by itself when
the server is back.  Durability: a write returns only after its ``COMMIT`` was
acknowledged (with the server's default ``synchronous_commit=on``, after it is on disk
there); a write that fails raises, so no save is ever reported that was not committed.

Secrets: the DSN's password never appears in a message or a log line (``redacted``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Self

import asyncpg

from bot.config import ConfigError, redacted
from bot.logs import scrub, url_secrets
from bot.state.base import (
    Favorite,
    FavoritesFull,
    ForgetSummary,
    StateError,
    StateStore,
    StateUnavailable,
    UsageCount,
)
from bot.state.postgres_schema import MIGRATIONS, SCHEMA, migrate

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 3.0  # seconds to open a connection (a server that does not answer)
COMMAND_TIMEOUT = 5.0  # seconds for one statement
ACQUIRE_TIMEOUT = 5.0  # seconds to wait for a free connection of the pool
POOL_SIZE = 10
_F, _U = f"{SCHEMA}.favorites", f"{SCHEMA}.usage"

#: the server (or the way to it) is down, restarting, overloaded or closed the connection
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up, cancelled
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
)
#: the server answered that the target itself is wrong: a setting to fix, not an outage
_MISCONFIGURED: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,  # user, password
    asyncpg.exceptions.InvalidCatalogNameError,  # no such database
    asyncpg.exceptions.InsufficientPrivilegeError,
    asyncpg.ClientConfigurationError,
)


def _lost(conn: asyncpg.Connection) -> bool:
    """Whether the connection is gone (the pool detaches a connection that died)."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True


def _count(status: str) -> int:
    """The row count of a command status such as ``DELETE 3``."""
    return int(status.rsplit(" ", 1)[-1])


class PostgresState(StateStore):
    migrations: tuple[str, ...] = MIGRATIONS  # tests extend it to prove upgrades

    def __init__(self, dsn: str, *, pool_size: int = POOL_SIZE, **options: Any) -> None:
        super().__init__(**options)
        self._dsn = dsn
        self.target = redacted(dsn)  # what messages show
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._secrets = url_secrets(dsn, user_is_secret=False)  # the user is a role name

    def __repr__(self) -> str:
        return f"PostgresState({self.target!r})"

    def _scrub(self, text: str) -> str:
        return scrub(text, self._secrets, "***")  # as ``redacted`` shows the DSN

    def _unavailable(self, err: BaseException) -> StateUnavailable:
        reason = self._scrub(str(err)) or type(err).__name__
        return StateUnavailable(f"the state store {self.target} cannot be reached: {reason}")

    # opening

    async def open(self) -> Self:
        if self._pool is not None:
            return self
        try:
            pool = await asyncpg.create_pool(
                self._dsn,
                min_size=0,  # no background reconnecting (and logging) during an outage
                max_size=self._pool_size,
                timeout=CONNECT_TIMEOUT,
                command_timeout=COMMAND_TIMEOUT,
                max_inactive_connection_lifetime=300.0,
            )
        except _MISCONFIGURED as err:
            raise self._refusal(self._scrub(str(err))) from None
        except _UNAVAILABLE as err:
            raise self._unavailable(err) from None
        try:
            async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn:
                await migrate(conn, self.migrations, self._refusal, self.target)
        except BaseException as err:
            pool.terminate()
            if isinstance(err, _MISCONFIGURED):
                raise self._refusal(self._scrub(str(err))) from None
            if isinstance(err, _UNAVAILABLE):
                raise self._unavailable(err) from None
            if isinstance(err, asyncpg.PostgresError):
                raise self._refusal(f"cannot be used ({self._scrub(str(err))})") from None
            raise
        self._pool = pool
        return self

    def _refusal(self, why: str) -> ConfigError:
        return ConfigError(f"PROMPTBOT_STATE: {self.target}: {' '.join(why.split())}")

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), COMMAND_TIMEOUT)
            except _UNAVAILABLE:
                pool.terminate()

    # plumbing

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; driver errors as the contract's exceptions: the server
        unreachable, or the connection lost or broken during the call, is
        ``StateUnavailable``; any other failure ``StateError``."""
        pool = self._pool
        if pool is None:
            raise StateUnavailable("the state store is closed")
        try:
            async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn:
                try:
                    yield conn
                except (asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                    if _lost(conn) and not isinstance(err, _UNAVAILABLE):
                        raise self._unavailable(err) from err
                    raise
        except (StateError, ValueError):
            raise
        except (*_UNAVAILABLE, asyncpg.InternalClientError) as err:  # a broken connection
            raise self._unavailable(err) from err
        except asyncpg.InterfaceError as err:
            if self._pool is None:  # closed meanwhile
                raise self._unavailable(err) from err
            raise StateError(f"the state store failed: {self._scrub(str(err))}") from err
        except asyncpg.PostgresError as err:
            raise StateError(f"the state store failed: {self._scrub(str(err))}") from err

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """Committed when the block ends; the block's caller returns only after COMMIT."""
        async with self._connection() as conn, conn.transaction():
            yield conn

    async def _write(self, sql: str, *parameters: object) -> int:
        """One statement in its own transaction: committed when this returns."""
        async with self._connection() as conn:
            return _count(await conn.execute(sql, *parameters))

    async def _rows(self, sql: str, *parameters: object) -> list[asyncpg.Record]:
        async with self._connection() as conn:
            return list(await conn.fetch(sql, *parameters))

    async def ping(self) -> None:
        await self._rows("SELECT 1")

    # favourites

    async def _add_favorite(self, user_id: int, prompt_id: str, title: str, now: datetime) -> bool:
        async with self._transaction() as conn:
            # one member's saves in turn (across processes), so the cap holds; the
            # lock is released by the COMMIT or ROLLBACK
            await conn.execute("SELECT pg_advisory_xact_lock($1)", user_id)
            present, saved = await conn.fetchrow(
                f"SELECT EXISTS (SELECT 1 FROM {_F} WHERE user_id = $1 AND prompt_id = $2),"
                f" (SELECT count(*) FROM {_F} WHERE user_id = $1)",
                user_id,
                prompt_id,
            )
            if present:
                return False
            if saved >= self.favorites_cap:
                raise FavoritesFull(self.favorites_cap)
            await conn.execute(
                f"INSERT INTO {_F} (user_id, prompt_id, title, saved_at) VALUES ($1, $2, $3, $4)",
                user_id,
                prompt_id,
                title,
                now,
            )
            return True

    async def _remove_favorite(self, user_id: int, prompt_id: str) -> bool:
        sql = f"DELETE FROM {_F} WHERE user_id = $1 AND prompt_id = $2"
        return await self._write(sql, user_id, prompt_id) > 0

    async def _favorite_ids(self, user_id: int, prompt_ids: list[str]) -> frozenset[str]:
        rows = await self._rows(
            f"SELECT prompt_id FROM {_F} WHERE user_id = $1 AND prompt_id = ANY($2::text[])",
            user_id,
            prompt_ids,
        )
        return frozenset(row[0] for row in rows)

    async def _list_favorites(self, user_id: int, offset: int, limit: int) -> list[Favorite]:
        rows = await self._rows(
            f"SELECT prompt_id, title, saved_at FROM {_F} WHERE user_id = $1"
            " ORDER BY id DESC LIMIT $2 OFFSET $3",
            user_id,
            limit,
            offset,
        )
        return [Favorite(p, t, s) for p, t, s in rows]

    async def _count_favorites(self, user_id: int) -> int:
        rows = await self._rows(f"SELECT count(*) FROM {_F} WHERE user_id = $1", user_id)
        return int(rows[0][0])

    # usage

    async def _record_served(
        self, prompt_id: str, guild_id: int | None, user_id: int | None, at: datetime
    ) -> None:
        await self._write(
            f"INSERT INTO {_U} (prompt_id, guild_id, user_id, served_at) VALUES ($1, $2, $3, $4)",
            prompt_id,
            guild_id,
            user_id,
            at,
        )

    async def _top(
        self, guild_id: int | None, user_id: int | None, since: datetime | None, limit: int
    ) -> list[UsageCount]:
        where: list[str] = []  # constant fragments only; every value is a parameter
        parameters: list[object] = []
        for column, operator, value in (
            ("guild_id", "=", guild_id),
            ("user_id", "=", user_id),
            ("served_at", ">=", since),
        ):
            if value is not None:
                parameters.append(value)
                where.append(f"{column} {operator} ${len(parameters)}")
        parameters.append(limit)
        sql = (
            f"SELECT prompt_id, count(*) AS n FROM {_U}"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" GROUP BY prompt_id ORDER BY n DESC, prompt_id LIMIT ${len(parameters)}"
        )
        return [UsageCount(p, int(n)) for p, n in await self._rows(sql, *parameters)]

    async def _prune_usage(self, older_than: datetime) -> int:
        return await self._write(f"DELETE FROM {_U} WHERE served_at < $1", older_than)

    # members

    async def _forget_user(self, user_id: int) -> ForgetSummary:
        async with self._transaction() as conn:
            favorites = await conn.execute(f"DELETE FROM {_F} WHERE user_id = $1", user_id)
            usage = await conn.execute(
                f"UPDATE {_U} SET user_id = NULL WHERE user_id = $1", user_id
            )
            return ForgetSummary(_count(favorites), _count(usage))
