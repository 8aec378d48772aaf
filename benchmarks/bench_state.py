"""State-store benchmark: the latency a save adds, on the embedded SQLite store.

    python -m benchmarks.bench_state [--n 500] [--dir FOLDER]

Every figure is per call, awaited one at a time (what one member waits for),
p50/p95/max in milliseconds, on a fresh store file in ``--dir`` (default: a
temporary folder under the current one, so on the disk the bot would use:
a tmpfs would hide the fsync that ``synchronous=FULL`` pays).  The baseline is
``ping()``, a ``SELECT 1`` round trip through the same connection, lock and
aiosqlite thread: the cost of asking the store anything at all.  The row with
``synchronous=NORMAL`` is for comparison only (not what ships: see
``bot/state/sqlite.py``).
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


async def _scenario(folder: Path, name: str, n: int, synchronous: str = "FULL") -> list[float]:
    path = folder / f"{name}.sqlite3"
    async with SQLiteState(path) as store:
        if synchronous != "FULL":  # for the comparison row only
            await store._rows(f"PRAGMA synchronous = {synchronous}", ())

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


def _row(label: str, samples: list[float], baseline: float | None) -> str:
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18]
    added = "" if baseline is None else f"{p50 - baseline:+.3f}"
    return f"| {label} | {len(samples)} | {p50:.3f} | {p95:.3f} | {max(samples):.3f} | {added} |"


async def run(n: int, folder: Path) -> list[str]:
    rows = [
        "| operation | n | p50 ms | p95 ms | max ms | p50 over baseline |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    baseline = await _scenario(folder, "ping", n)
    base = statistics.median(baseline)
    rows.append(_row("baseline: ping (SELECT 1 round trip)", baseline, None))
    for name, label, synchronous in (
        ("add", "add_favorite (synchronous=FULL, shipped)", "FULL"),
        ("add-normal", "  add_favorite, synchronous=NORMAL (comparison)", "NORMAL"),
        ("served", "record_served (FULL)", "FULL"),
        ("marks", "favorite_ids, 25 cards", "FULL"),
        ("list", "list_favorites, a page of 25", "FULL"),
    ):
        rows.append(_row(label, await _scenario(folder, name, n, synchronous), base))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="timed calls per operation")
    parser.add_argument("--dir", type=Path, default=Path("."), help="where the files go")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="promptbot-bench-state-", dir=args.dir) as tmp:
        folder = Path(tmp)
        print(f"load average {os.getloadavg()[0]:.2f}; files on {_filesystem(folder)} ({folder})")
        print("\n".join(asyncio.run(run(args.n, folder))))


if __name__ == "__main__":
    main()
