"""The PostgreSQL state store's tables, as numbered migrations, in their own schema.

The same versions as the SQLite store (``sqlite_schema``): step ``n`` here makes the
tables that step ``n`` makes there, so one number names one shape of member data on
either backend.  Everything lives in the ``promptbot`` schema, so the database may be
shared with other applications; ``promptbot.schema_version`` (one row) holds how many
steps were applied and marks the schema as promptbot's state store.  Each step runs in
one transaction together with the new version number, under an advisory lock, so that
several processes starting at once apply it exactly once.  Never edit a released step:
append one.

Differences from SQLite, for PostgreSQL's sake: times are ``timestamptz`` (microseconds,
like SQLite's integers), ids ``BIGINT`` (snowflakes fit), and prompt ids are compared
byte for byte (``COLLATE "C"``: code-point order for ``top``'s ties whatever the
database's locale).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

import asyncpg

log = logging.getLogger(__name__)

SCHEMA = "promptbot"
VERSION_TABLE = f"{SCHEMA}.schema_version"
#: ``pg_advisory_lock(MIGRATION_LOCK, 0)`` serialises migrations; the two-key form does
#: not overlap the one-key locks that ``_add_favorite`` takes per member
MIGRATION_LOCK = int.from_bytes(b"PBST", "big")

BOOTSTRAP = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE {VERSION_TABLE} (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    version INTEGER NOT NULL
);
INSERT INTO {VERSION_TABLE} (version) VALUES (0);
"""

MIGRATIONS: tuple[str, ...] = (
    f"""
    CREATE TABLE {SCHEMA}.favorites (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id BIGINT NOT NULL,
        prompt_id TEXT COLLATE "C" NOT NULL,
        title TEXT NOT NULL,
        saved_at TIMESTAMPTZ NOT NULL,
        UNIQUE (user_id, prompt_id)
    );
    CREATE INDEX favorites_user_newest ON {SCHEMA}.favorites (user_id, id);
    CREATE TABLE {SCHEMA}.usage (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        prompt_id TEXT COLLATE "C" NOT NULL,
        guild_id BIGINT,  -- NULL: served in a DM
        user_id BIGINT,   -- NULL: the member was forgotten
        served_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX usage_guild ON {SCHEMA}.usage (guild_id, served_at);
    CREATE INDEX usage_user ON {SCHEMA}.usage (user_id, served_at);
    CREATE INDEX usage_served ON {SCHEMA}.usage (served_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


async def migrate(
    conn: asyncpg.Connection,
    migrations: tuple[str, ...],
    refusal: Callable[[str], Exception],
    target: str,
) -> None:
    """Apply the missing steps, each once, however many processes start together;
    ``refusal(why)`` for a database that is not (or no longer) ours to change."""
    latest = len(migrations)
    await conn.execute("SELECT pg_advisory_lock($1, 0)", MIGRATION_LOCK)
    try:
        version = await _version(conn)
        if version > latest:
            raise refusal(
                f"was written by a newer promptbot (state schema {version};"
                f" this one knows up to {latest})"
            )
        while version < latest:
            async with conn.transaction():
                if version == 0 and not await _bootstrap(conn):
                    raise refusal(f"the schema '{SCHEMA}' belongs to something else")
                await conn.execute(migrations[version])
                await conn.execute(f"UPDATE {VERSION_TABLE} SET version = $1", version + 1)
            version += 1
            log.info("state store %s: upgraded to schema %d", target, version)
    finally:
        with contextlib.suppress(Exception):  # a lost connection releases it anyway
            await conn.execute("SELECT pg_advisory_unlock($1, 0)", MIGRATION_LOCK)


async def _version(conn: asyncpg.Connection) -> int:
    """The schema version; 0 when there is none yet."""
    if await conn.fetchval("SELECT to_regclass($1)", VERSION_TABLE) is None:
        return 0
    return int(await conn.fetchval(f"SELECT version FROM {VERSION_TABLE}"))


async def _bootstrap(conn: asyncpg.Connection) -> bool:
    """Create the version table (in the first step's transaction); False when a
    ``promptbot`` schema with other tables is there already."""
    if await conn.fetchval("SELECT to_regclass($1)", VERSION_TABLE) is not None:
        return True
    others = await conn.fetchval(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1",
        SCHEMA,
    )
    if others:
        return False
    await conn.execute(BOOTSTRAP)
    return True
