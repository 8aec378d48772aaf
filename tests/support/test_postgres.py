"""The throwaway PostgreSQL server, exercised with asyncpg against the real thing."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from tests.support.postgres import (
    MISSING_BINARIES,
    PostgresError,
    PostgresServer,
    PostgresUnavailable,
    _make_root,
    _reachable_by,
    pid_alive,
)


def _commands_mentioning(text: str) -> list[str]:
    """Command lines of running processes that contain ``text`` (Linux /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


async def test_the_dsn_connects_over_tcp_with_the_password(postgres_server: PostgresServer) -> None:
    parts = urlsplit(postgres_server.dsn)
    assert (parts.scheme, parts.hostname, parts.port) == (
        "postgresql",
        "127.0.0.1",
        postgres_server.port,
    )
    assert (parts.username, parts.password) == ("promptbot", postgres_server.password)
    conn = await asyncpg.connect(postgres_server.dsn)
    try:
        row = await conn.fetchrow(
            "SELECT current_user AS who, current_database() AS db,"
            " host(inet_server_addr()) AS addr, inet_server_port() AS port, 6 * 7 AS answer"
        )
    finally:
        await conn.close()
    assert dict(row) == {
        "who": "promptbot",
        "db": "promptbot",
        "addr": "127.0.0.1",
        "port": postgres_server.port,
        "answer": 42,
    }


def test_the_server_runs_as_the_postgres_user_when_we_are_root(
    postgres_server: PostgresServer,
) -> None:
    pid = postgres_server.pid
    assert pid is not None and pid_alive(pid)
    expected = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
    assert os.stat(f"/proc/{pid}").st_uid == expected
    assert "password" not in repr(postgres_server) and postgres_server.password not in repr(
        postgres_server
    )


async def test_a_wrong_or_missing_password_is_refused(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    where = {
        "host": postgres_server.host,
        "port": postgres_server.port,
        "user": "promptbot",
        "database": "promptbot",
    }
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(**where, password="not-" + postgres_server.password)
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(**where, passfile=str(tmp_path / "no-passfile"))
    conn = await asyncpg.connect(**where, password=postgres_server.password)
    await conn.close()


async def test_stop_refuses_connections_and_start_brings_the_data_back(
    postgres_server: PostgresServer,
) -> None:
    dsn = postgres_server.new_database()
    conn = await asyncpg.connect(dsn)
    await conn.execute("CREATE TABLE members (id bigint PRIMARY KEY, name text NOT NULL)")
    await conn.execute("INSERT INTO members VALUES (1, 'ada'), (2, 'bob')")
    port, pid = postgres_server.port, postgres_server.pid
    assert pid is not None
    postgres_server.stop()
    try:
        assert not postgres_server.is_running()
        assert postgres_server.pid is None and not pid_alive(pid)
        # the open session was ended, and new connections are refused
        with pytest.raises((asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError)):
            await conn.fetchval("SELECT 1")
        with pytest.raises(ConnectionRefusedError):
            await asyncpg.connect(dsn, timeout=5)
    finally:
        postgres_server.start()
    assert postgres_server.is_running() and postgres_server.port == port
    assert postgres_server.pid not in (None, pid)
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT id, name FROM members ORDER BY id")
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [(1, "ada"), (2, "bob")]


async def test_new_databases_are_isolated(postgres_server: PostgresServer) -> None:
    first, second = postgres_server.new_database(), postgres_server.new_database()
    assert first != second
    for dsn, name in ((first, "ada"), (second, "bob")):
        conn = await asyncpg.connect(dsn)
        await conn.execute("CREATE TABLE members (name text)")
        await conn.execute("INSERT INTO members VALUES ($1)", name)
        await conn.close()
    for dsn, name in ((first, "ada"), (second, "bob")):
        conn = await asyncpg.connect(dsn)
        assert await conn.fetchval("SELECT array_agg(name) FROM members") == [name]
        await conn.close()
    taken = urlsplit(first).path.lstrip("/")
    with pytest.raises(PostgresError, match="already exists"):
        postgres_server.new_database(taken)
    with pytest.raises(ValueError, match="database name"):
        postgres_server.new_database('x"; DROP DATABASE promptbot; --')


async def test_postgres_dsn_is_a_fresh_empty_database(postgres_dsn: str) -> None:
    conn = await asyncpg.connect(postgres_dsn)
    try:
        name = await conn.fetchval("SELECT current_database()")
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    assert name.startswith("t_test_postgres_dsn_is_a_fresh") and tables == 0


def test_close_stops_the_server_and_removes_its_folder() -> None:
    try:
        server = PostgresServer()  # the helper, as benchmarks and e2e runs use it
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    with server:
        root, pid, port = server.root, server.pid, server.port
        assert root is not None and pid is not None
        assert server.is_running() and pid_alive(pid) and (root / "data" / "PG_VERSION").is_file()
        assert _commands_mentioning(str(root))  # the postmaster's -D argument
    assert not pid_alive(pid)
    assert not root.exists()
    assert _commands_mentioning(str(root)) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_missing_binaries_are_reported_with_the_reason_the_fixture_skips_with(
    tmp_path: Path,
) -> None:
    with pytest.raises(PostgresUnavailable, match=re.escape(MISSING_BINARIES)):
        PostgresServer(bindir=tmp_path)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the folder to the postgres user")
def test_the_folder_is_reachable_by_the_postgres_user_even_with_a_private_tmpdir(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = pwd.getpwnam("postgres")
    private = Path(tempfile.mkdtemp(prefix="pg-private-"))  # short, root's, mode 0o700
    monkeypatch.setattr(tempfile, "tempdir", str(private))  # as TMPDIR=private would
    root = private
    try:
        assert not _reachable_by(private, account)
        root = _make_root(account)
        assert not root.is_relative_to(private)
        assert root.stat().st_uid == account.pw_uid and _reachable_by(root, account)
        probe = ["runuser", "-u", "postgres", "--", "test", "-w", str(root)]
        assert subprocess.run(probe, check=False).returncode == 0
    finally:
        shutil.rmtree(root)
        shutil.rmtree(private, ignore_errors=True)


async def test_a_durable_server_keeps_postgresqls_defaults(
    postgres_server: PostgresServer,
) -> None:
    async def settings(dsn: str) -> tuple[str, str]:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetchval("SHOW fsync"), await conn.fetchval("SHOW synchronous_commit")
        finally:
            await conn.close()

    assert await settings(postgres_server.dsn) == ("off", "off")  # throwaway: fast tests
    with PostgresServer(durable=True) as durable:
        assert await settings(durable.dsn) == ("on", "on")
