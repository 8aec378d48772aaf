"""The PostgreSQL state store beyond the contract: a server that stops and comes back,
migrations under concurrency, what it refuses, and secrets kept out of every message.
Against a real throwaway server (``tests/support/postgres.py``)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.config import ConfigError
from bot.state import FavoritesFull, StateUnavailable, open_state, sqlite_schema
from bot.state.postgres import PostgresState
from bot.state.postgres_schema import SCHEMA_VERSION
from tests.support.postgres import PostgresServer

ALICE = 111_111_111_111_111_111
ROOT = Path(__file__).parents[3]


def with_password(dsn: str, password: str) -> str:
    parts = urlsplit(dsn)
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


async def test_nul_is_refused_on_every_backend_and_a_full_list_is_no_failure(
    reopen: Any,
) -> None:
    async with reopen(favorites_cap=1) as store:
        for prompt_id, title in (("p\x00", "T"), ("p", "a\x00b")):
            with pytest.raises(ValueError, match="NUL"):
                await store.add_favorite(ALICE, prompt_id, title)
        await store.add_favorite(ALICE, "p/1", "One")
        with pytest.raises(FavoritesFull):
            await store.add_favorite(ALICE, "p/2", "Two")
        assert store.failures == {"unavailable": 0, "error": 0}
    with pytest.raises(StateUnavailable):
        await store.count_favorites(ALICE)  # closed
    assert store.failures == {"unavailable": 1, "error": 0}


def test_both_backends_are_at_the_same_schema_version() -> None:
    assert SCHEMA_VERSION == sqlite_schema.SCHEMA_VERSION


async def test_a_stopped_server_is_unavailable_promptly_and_comes_back_by_itself(
    postgres_server: PostgresServer, postgres_dsn: str, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    async with open_state(postgres_dsn) as store:
        acknowledged: list[str] = []
        stopping = False

        async def saver() -> None:  # saves until a while after the server is gone
            n = 0
            while True:
                n += 1
                try:
                    if await store.add_favorite(ALICE, f"p/{n}", f"Prompt {n}"):
                        acknowledged.append(f"p/{n}")
                except StateUnavailable:
                    if stopping:
                        return
                await asyncio.sleep(0.002)

        task = asyncio.create_task(saver())
        await asyncio.sleep(0.5)
        stopping = True
        await asyncio.to_thread(postgres_server.stop)
        await asyncio.wait_for(task, 15)
        assert len(acknowledged) > 10

        for call in (
            store.ping(),
            store.list_favorites(ALICE),
            store.add_favorite(ALICE, "x", "X"),
        ):
            started = time.monotonic()
            with pytest.raises(StateUnavailable) as err:
                await call
            assert time.monotonic() - started < 4.0, "an outage must fail fast"
            assert "\n" not in str(err.value)

        assert store.failures["unavailable"] >= 3  # for the bot's metrics (ping is not counted)
        failures = dict(store.failures)
        await asyncio.to_thread(postgres_server.start)
        await store.ping()  # the same store, not reopened: the pool reconnected
        listed = {f.prompt_id for f in await store.list_favorites(ALICE, limit=1000)}
        assert set(acknowledged) <= listed, "an acknowledged save was lost"
        assert await store.add_favorite(ALICE, "after/restart", "After")
        assert store.failures == failures
    password = postgres_server.password
    assert all(password not in r.getMessage() for r in caplog.records)
    assert all(password not in str(r.exc_info) for r in caplog.records if r.exc_info)


async def test_opening_while_the_server_is_down_is_unavailable_without_the_password(
    postgres_server: PostgresServer, postgres_dsn: str
) -> None:
    await asyncio.to_thread(postgres_server.stop)
    try:
        with pytest.raises(StateUnavailable) as err:
            await open_state(postgres_dsn).open()
    finally:
        await asyncio.to_thread(postgres_server.start)
    assert postgres_server.password not in str(err.value)
    assert ":***@" in str(err.value)


@pytest.mark.parametrize("problem", ["password", "database"])
async def test_a_wrong_password_or_database_is_one_config_line_without_secrets(
    postgres_dsn: str, problem: str
) -> None:
    if problem == "password":
        dsn = with_password(postgres_dsn, "not-the-password-%2F-x")
    else:
        dsn = postgres_dsn.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(ConfigError) as err:
        await open_state(dsn).open()
    message = str(err.value)
    assert message.startswith("PROMPTBOT_STATE: postgresql://promptbot:***@127.0.0.1:")
    assert "\n" not in message
    assert "not-the-password" not in message
    assert urlsplit(postgres_dsn).password not in message


class CountingSteps(PostgresState):
    """One more step that records each time it runs."""

    migrations = (
        *PostgresState.migrations,
        "CREATE TABLE promptbot.step_runs (at TIMESTAMPTZ DEFAULT now());"
        " INSERT INTO promptbot.step_runs DEFAULT VALUES;",
    )


async def test_many_stores_starting_together_migrate_once(postgres_dsn: str) -> None:
    stores = [CountingSteps(postgres_dsn) for _ in range(6)]
    await asyncio.gather(*(s.open() for s in stores))
    await asyncio.gather(*(s.close() for s in stores))
    conn = await asyncpg.connect(postgres_dsn)
    try:
        assert await conn.fetchval("SELECT version FROM promptbot.schema_version") == 2
        assert await conn.fetchval("SELECT count(*) FROM promptbot.step_runs") == 1
    finally:
        await conn.close()


def test_several_processes_starting_together_migrate_once(postgres_dsn: str) -> None:
    script = (
        "import asyncio, sys\n"
        "from bot.state import open_state\n"
        "async def main():\n"
        "    async with open_state(sys.argv[1]) as store:\n"
        "        await store.add_favorite(10**17 + int(sys.argv[2]), 'p', 'P')\n"
        "asyncio.run(main())\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, postgres_dsn, str(n)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(4)
    ]
    outputs = [p.communicate(timeout=60)[0] for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, outputs

    async def check() -> tuple[int, int]:
        conn = await asyncpg.connect(postgres_dsn)
        try:
            version = await conn.fetchval("SELECT version FROM promptbot.schema_version")
            return version, await conn.fetchval("SELECT count(*) FROM promptbot.favorites")
        finally:
            await conn.close()

    assert asyncio.run(check()) == (SCHEMA_VERSION, 4)


async def test_a_newer_schema_or_someone_elses_is_refused_and_left_alone(
    postgres_dsn: str, postgres_server: PostgresServer
) -> None:
    async with open_state(postgres_dsn) as store:
        await store.add_favorite(ALICE, "p/kept", "Kept")
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute("UPDATE promptbot.schema_version SET version = 99")
        with pytest.raises(ConfigError, match="newer promptbot \\(state schema 99"):
            await open_state(postgres_dsn).open()
        assert await conn.fetchval("SELECT count(*) FROM promptbot.favorites") == 1

        other = postgres_server.new_database()
        foreign = await asyncpg.connect(other)
        try:
            await foreign.execute("CREATE SCHEMA promptbot; CREATE TABLE promptbot.mine (x int)")
            with pytest.raises(ConfigError, match="belongs to something else"):
                await open_state(other).open()
            assert await foreign.fetchval("SELECT to_regclass('promptbot.favorites')") is None
        finally:
            await foreign.close()
    finally:
        await conn.close()


async def test_a_shared_database_and_code_point_order_under_any_collation(
    postgres_dsn: str,
) -> None:
    """Other applications' tables stay untouched, and ``top``'s ties are in code-point order
    even in a database whose collation sorts 'a' before 'B' (ICU, when available)."""
    admin = await asyncpg.connect(postgres_dsn)
    name = f"icu_{int(time.time() * 1000) % 10**9}"
    try:
        await admin.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu"
            " ICU_LOCALE 'en-US' LOCALE 'C'"
        )
    except asyncpg.PostgresError as err:
        pytest.skip(f"no ICU collation on this server: {err}")
    finally:
        await admin.close()
    dsn = postgres_dsn.rsplit("/", 1)[0] + f"/{name}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE public.favorites (theirs TEXT)")
        assert await conn.fetch("SELECT 'a' < 'B' AS icu") == [(True,)]
        async with open_state(dsn) as store:
            for prompt_id in ("b/x", "a/x", "B/x", "é/x"):
                await store.record_served(prompt_id, guild_id=None, user_id=ALICE)
            top = await store.top(guild_id=None, user_id=ALICE)
            assert [c.prompt_id for c in top] == ["B/x", "a/x", "b/x", "é/x"]
        assert await conn.fetchval("SELECT count(*) FROM public.favorites") == 0
    finally:
        await conn.close()
