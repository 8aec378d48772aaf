"""A million prompts, generated straight into the SQLite index (no files):
how long writing the index takes, then building and storing the search index
(``promptbot index`` does it, in a child process), loading the snapshot from
the index (what the bot does at start), its memory, and search / autocomplete
latency, until something breaks.

    python -m benchmarks.bench_million [--n 1000000] [--max-gib 12] [--db PATH]

The process caps its address space at ``--max-gib`` (``RLIMIT_AS``, inherited by
the child that builds) so a build that does not fit fails with ``MemoryError``
and is reported as what broke first, instead of pushing a shared machine into
swap or the OOM killer.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from benchmarks._load import corpus_root, load_corpus
from benchmarks.bench_search import current_rss_mb, keystrokes, pct, rss_mb, timed
from benchmarks.eval_search import QUERIES, load_queries
from benchmarks.synth import iter_synth
from bot.models import Prompt
from bot.search.inverted import derived
from bot.store.parsing import PromptRow, prompt_row

BATCH = 5000


def _row(prompt: Prompt) -> PromptRow:
    return prompt_row(prompt, derived)


async def _create(db: Path) -> None:
    """An empty index, made by the real ``Index`` (schema, marks, parser version)."""
    from bot.store.index import Index

    async with Index(db, derive=derived) as index:
        await index.set_meta("parser_version", index.parser_version)


def generate(db: Path, base: list[Prompt], n: int) -> float:
    """Write ``n`` synthetic prompts into the index at ``db``; seconds taken."""
    asyncio.run(_create(db))
    start = time.perf_counter()
    with sqlite3.connect(db) as conn, Pool(os.cpu_count() or 1) as pool:
        rows: Iterable[PromptRow] = pool.imap(_row, iter_synth(base, n), chunksize=256)
        done = 0
        while batch := list(itertools.islice(rows, BATCH)):
            conn.executemany(
                "INSERT INTO prompts (id, path, data, body_terms, head, text_chars)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                batch,
            )
            done += len(batch)
            if done % 100_000 == 0:
                print(f"  {done:,} rows, {time.perf_counter() - start:.0f} s", flush=True)
    return time.perf_counter() - start


def common_words(snapshot: Any, n: int) -> list[str]:
    """The library's ``n`` commonest title words of four letters or more, each a
    query: what members type alone ("portrait", "style"), the queries that
    match the most prompts."""
    from bot.search.postings import TITLE

    titles = snapshot.engine._ix.post[TITLE]
    words = [w for w in titles if len(w) >= 4 and w.isascii() and w.isalpha()]
    return sorted(words, key=lambda w: (-len(titles[w]), w))[:n]


def serve(db: Path, *, steady: bool = False, queries_file: Path = QUERIES, common: int = 0) -> None:
    """What ``promptbot index`` then the bot do: build and store the search index
    (in a child process), load the snapshot from the index, answer queries."""
    from bot.stored_snapshot import ensure_stored, load_snapshot

    step = "building the search index (child process)"
    start = time.perf_counter()
    try:
        if ensure_stored(db):
            built = time.perf_counter() - start
            # (the largest child waited for: a process that a shell exec'd in its
            # place inherits the shell's, so it is printed only after a build)
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"search index built and stored: {built:.1f} s, child peak RSS {child:.0f} MiB")
        else:
            print("search index already stored for this code")
        step = "loading the snapshot from the index"
        before = current_rss_mb()
        start = time.perf_counter()
        snapshot = load_snapshot(db)
        loaded = time.perf_counter() - start
        print(
            f"snapshot loaded: {loaded:.1f} s, RSS {current_rss_mb():.0f} MiB "
            f"(+{current_rss_mb() - before:.0f}), {len(snapshot):,} prompts"
        )
    except (MemoryError, BrokenProcessPool) as err:
        print(
            f"BROKE: {type(err).__name__} while {step} after "
            f"{time.perf_counter() - start:.1f} s (peak RSS {rss_mb():.0f} MiB)"
        )
        return
    if common:
        queries = common_words(snapshot, common)
        print(f"queries: the {common} commonest title words, {', '.join(queries[:6])}...")
    else:
        queries = [q["query"] for q in load_queries(queries_file)]
    s = timed(lambda q: snapshot.search(q, limit=10), queries, 1)
    a = timed(lambda q: snapshot.autocomplete(q), keystrokes(queries), 1)
    print(
        f"search p50 {statistics.median(s):.1f} ms, p95 {pct(s, 0.95):.1f} ms, "
        f"max {max(s):.0f} ms ({len(s)} queries)"
    )
    print(
        f"autocomplete p50 {statistics.median(a):.1f} ms, p95 {pct(a, 0.95):.1f} ms "
        f"({len(a)} keystrokes)"
    )
    print(f"RSS {current_rss_mb():.0f} MiB, peak {rss_mb():.0f} MiB")
    if steady:
        fastest(db, queries)


def fastest(db: Path, queries: list[str], rounds: int = 5) -> None:
    """Each query's and keystroke's fastest of ``rounds`` passes, each pass on a
    snapshot loaded afresh (so every pass starts with cold caches, as the one
    above): what the code costs, with the machine's noise mostly taken out."""
    from bot.stored_snapshot import load_snapshot

    typed = keystrokes(queries)
    best_s, best_a = [float("inf")] * len(queries), [float("inf")] * len(typed)
    for _ in range(rounds):
        fresh = load_snapshot(db)
        for i, ms in enumerate(timed(lambda q, s=fresh: s.search(q, limit=10), queries, 1)):
            best_s[i] = min(best_s[i], ms)
        for i, ms in enumerate(timed(lambda q, s=fresh: s.autocomplete(q), typed, 1)):
            best_a[i] = min(best_a[i], ms)
    for name, values in (("search", best_s), ("autocomplete", best_a)):
        print(
            f"{name}, fastest of {rounds} fresh passes: p50 {statistics.median(values):.2f} ms, "
            f"p95 {pct(values, 0.95):.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--max-gib", type=float, default=12.0)
    parser.add_argument("--db", type=Path, help="keep (or reuse) the index here")
    parser.add_argument("--corpus")
    parser.add_argument("--queries", type=Path, default=QUERIES, help="query set (default: dev)")
    parser.add_argument(
        "--common", type=int, default=0, help="queries: the N commonest title words instead"
    )
    parser.add_argument(
        "--steady", action="store_true", help="also the fastest of 5 passes per query"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="promptbot-million-") as tmp:
        db = args.db or Path(tmp) / "index.sqlite3"
        print(f"{args.n:,} prompts, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        if not db.exists():
            seconds = generate(db, load_corpus(corpus_root(args.corpus)), args.n)
            size = db.stat().st_size / 2**20
            print(f"index written: {seconds:.1f} s, {size:.0f} MiB on disk", flush=True)
        limit = int(args.max_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        serve(db, steady=args.steady, queries_file=args.queries, common=args.common)


if __name__ == "__main__":
    main()
