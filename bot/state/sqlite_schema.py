"""The SQLite state store's tables, as numbered migrations, and its file mark.

``PRAGMA user_version`` holds how many migrations a file has had; each step runs
in one transaction together with the new version number, so a file is always
at a whole version.  Never edit a released step: append a new one (and keep a
dump of the old version in ``tests/bot/state/fixtures/`` so the upgrade from it
stays tested).

``PRAGMA application_id`` marks the file as promptbot's state store (the bytes
"PBST"), set by the first step, in the same transaction as the tables.  The
first step runs before the file is switched to WAL, so the mark is in the main
file itself and can be read from its header before SQLite ever opens it.
"""

from __future__ import annotations

APPLICATION_ID = int.from_bytes(b"PBST", "big")  # 0x50425354

MIGRATIONS: tuple[str, ...] = (
    # Times are microseconds since 1970-01-01 UTC.  Newest favourite first is
    # id DESC (ids only grow), so a clock that steps back cannot reorder them.
    """
    CREATE TABLE favorites (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        prompt_id TEXT NOT NULL,
        title TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        UNIQUE (user_id, prompt_id)
    );
    CREATE INDEX favorites_user_newest ON favorites (user_id, id);
    CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        prompt_id TEXT NOT NULL,
        guild_id INTEGER,  -- NULL: served in a DM
        user_id INTEGER,   -- NULL: the member was forgotten
        served_at INTEGER NOT NULL
    );
    CREATE INDEX usage_guild ON usage (guild_id, served_at);
    CREATE INDEX usage_user ON usage (user_id, served_at);
    CREATE INDEX usage_served ON usage (served_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def step_script(migrations: tuple[str, ...], done: int) -> str:
    """The script taking a file from version ``done`` to ``done + 1``, atomically."""
    mark = f"PRAGMA application_id = {APPLICATION_ID:d};\n" if done == 0 else ""
    return (
        f"BEGIN IMMEDIATE;\n{migrations[done]}\n{mark}"
        f"PRAGMA user_version = {done + 1:d};\nCOMMIT;\n"
    )
