"""State-store benchmark: the latency a save adds, on SQLite and on PostgreSQL.

    python -m benchmarks.bench_state [--n 500] [--dir FOLDER] [--postgres DSN | --no-postgres]

Every figure is per call, awaited one at a time (what one member waits for),
p50/p95/max in milliseconds, on a fresh store in ``--dir`` (default: a
temporary folder under the current one, so on the disk the bot would use:
a tmpfs would hide the fsync that ``synchronous=FULL`` pays).  The baseline of
each backend is its ``ping()``, a ``SELECT 1`` round trip through the same
connection (SQLite: lock and aiosqlite thread; PostgreSQL: the pool and TCP):
the cost of asking the store anything at all.  The row with
``synchronous=NORMAL`` is for comparison only (not what ships: see
``bot/state/sqlite.py``).

PostgreSQL: ``--postgres DSN`` measures that server (give it an empty database;
the scenarios share it); without it, a throwaway local server is started with
``tests/support/postgres.py`` in durable mode (``fsync`` and
``synchronous_commit`` on, PostgreSQL's defaults; its data in the temporary
folder, whose file system is printed), one fresh database per scenario, so both
backends pay for durability alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.state import StateStore
from bot.state.postgres import PostgresState
from bot.state.sqlite import SQLiteState

USERS = 50
Call = Callable[[int], Awaitable[object]]


def _filesystem(folder: Path) -> str:
    """The type of the filesystem holding ``folder`` (from /proc/mounts), or '?'."""
    best, kind = "", "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                point = parts[1]
                if str(folder.resolve()).startswith(point) and len(point) > len(best):
                    best, kind = point, parts[2]
    except OSError:
        pass
    return kind


async def _time(call: Call, n: int, warmup: int = 10) -> list[float]:
    for i in range(warmup):
        await call(-1 - i)
    samples = []
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def _scenario(store: StateStore, name: str, n: int) -> list[float]:
    def user(i: int) -> int:
        return 10**17 + i % USERS

    for i in range(200):  # something to read
        await store.add_favorite(user(i), f"seed/{i}", f"Seed {i}")
    calls: dict[str, Call] = {
        "ping": lambda i: store.ping(),
        "add": lambda i: store.add_favorite(user(i), f"p/{i}", f"Prompt {i}"),
        "served": lambda i: store.record_served(f"p/{i % 300}", guild_id=7, user_id=user(i)),
        "marks": lambda i: store.favorite_ids(user(i), [f"seed/{k}" for k in range(i, i + 25)]),
        "list": lambda i: store.list_favorites(user(i), limit=25),
    }
    return await _time(calls[name.split("-")[0]], n)


async def _sqlite(folder: Path, name: str, n: int, synchronous: str = "FULL") -> list[float]:
    async with SQLiteState(folder / f"{name}.sqlite3") as store:
        if synchronous != "FULL":  # for the comparison row only
            await store._rows(f"PRAGMA synchronous = {synchronous}", ())
        return await _scenario(store, name, n)


async def _postgres(dsn: str, name: str, n: int) -> list[float]:
    async with PostgresState(dsn) as store:
        return await _scenario(store, name, n)


def _row(label: str, samples: list[float], baseline: float | None) -> str:
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18]
    added = "" if baseline is None else f"{p50 - baseline:+.3f}"
    return f"| {label} | {len(samples)} | {p50:.3f} | {p95:.3f} | {max(samples):.3f} | {added} |"


SCENARIOS = (
    ("add", "add_favorite"),
    ("served", "record_served"),
    ("marks", "favorite_ids, 25 cards"),
    ("list", "list_favorites, a page of 25"),
)
HEADER = [
    "| operation | n | p50 ms | p95 ms | max ms | p50 over baseline |",
    "| --- | --- | --- | --- | --- | --- |",
]


async def run(n: int, folder: Path) -> list[str]:
    rows = ["SQLite (bot/state/sqlite.py)", "", *HEADER]
    baseline = await _sqlite(folder, "ping", n)
    base = statistics.median(baseline)
    rows.append(_row("baseline: ping (SELECT 1 round trip)", baseline, None))
    rows.append(
        _row("add_favorite (synchronous=FULL, shipped)", await _sqlite(folder, "add", n), base)
    )
    normal = await _sqlite(folder, "add-normal", n, "NORMAL")
    rows.append(_row("  add_favorite, synchronous=NORMAL (comparison)", normal, base))
    for name, label in SCENARIOS[1:]:
        rows.append(
            _row(
                f"{label} (FULL)" if name == "served" else label,
                await _sqlite(folder, name, n),
                base,
            )
        )
    return rows


async def run_postgres(n: int, databases: Callable[[], str]) -> list[str]:
    rows = ["PostgreSQL (bot/state/postgres.py)", "", *HEADER]
    baseline = await _postgres(databases(), "ping", n)
    base = statistics.median(baseline)
    rows.append(_row("baseline: ping (SELECT 1 round trip)", baseline, None))
    for name, label in SCENARIOS:
        rows.append(_row(label, await _postgres(databases(), name, n), base))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="timed calls per operation")
    parser.add_argument("--dir", type=Path, default=Path("."), help="where the files go")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--postgres", metavar="DSN", help="an empty database to measure")
    which.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="promptbot-bench-state-", dir=args.dir) as tmp:
        folder = Path(tmp)
        print(f"load average {os.getloadavg()[0]:.2f}; files on {_filesystem(folder)} ({folder})")
        print("\n".join(asyncio.run(run(args.n, folder))))
        if args.no_postgres:
            return
        print()
        if args.postgres:
            print("\n".join(asyncio.run(run_postgres(args.n, lambda: args.postgres))))
            return
        from tests.support.postgres import PostgresServer, PostgresUnavailable

        try:
            server = PostgresServer(durable=True)
        except PostgresUnavailable as err:
            print(f"PostgreSQL skipped: {err}")
            return
        with server:
            where = f"{_filesystem(server.data_dir)} ({server.data_dir})"
            print(f"a throwaway local PostgreSQL server, durable, over TCP; data on {where}")
            print("\n".join(asyncio.run(run_postgres(args.n, server.new_database))))


if __name__ == "__main__":
    main()
