"""Search speed, in-process: build time, search and autocomplete p50/p95, peak
memory; ours and the two baselines from the same run; on the corpus and on a
synthetic 100,000-prompt library (benchmarks/synth.py).

    PROMPTBOT_TEST_CORPUS=../shared/corpus python -m benchmarks.bench_search [--n 100000]

Run it on a quiet machine: the figures are wall-clock.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks._load import LOADER, corpus_root, load_corpus
from benchmarks.baselines import FtsBaseline, TitleFuzzBaseline
from benchmarks.eval_search import HOLDOUT, load_queries
from benchmarks.synth import synth_prompts
from bot.models import Prompt
from bot.search.engine import SearchEngine

ENGINES: tuple[tuple[str, Any], ...] = (
    ("ours", SearchEngine),
    ("FTS5 BM25", FtsBaseline),
    ("WRatio titles", TitleFuzzBaseline),
)


def rss_mb() -> float:
    """Peak resident set size of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def timed(fn: Callable[[str], object], inputs: Sequence[str], rounds: int) -> list[float]:
    out: list[float] = []
    for _ in range(rounds):
        for text in inputs:
            t = time.perf_counter()
            fn(text)
            out.append((time.perf_counter() - t) * 1000)
    return out


def keystrokes(queries: Sequence[str]) -> list[str]:
    """Every prefix of every query, as Discord sends them while the user types."""
    return [q[:i] for q in queries for i in range(1, len(q) + 1)]


def bench(label: str, prompts: list[Prompt], queries: list[str], rounds: int) -> None:
    print(
        f"\n== {label}: {len(prompts):,} prompts, {len(queries)} queries x {rounds}, "
        f"{len(keystrokes(queries))} keystroke prefixes =="
    )
    print(
        f"{'engine':<14}{'build s':>8}{'+RSS MB':>9}{'search p50':>12}{'p95':>8}"
        f"{'max':>8}{'autoc p50':>11}{'p95':>8}"
    )
    for name, cls in ENGINES:
        gc.collect()
        before = current_rss_mb()
        t = time.perf_counter()
        engine = cls.build(prompts)
        build = time.perf_counter() - t
        grown = current_rss_mb() - before
        s = timed(lambda q, e=engine: e.search(q, limit=10), queries, rounds)
        line = (
            f"{name:<14}{build:8.2f}{grown:9.0f}{statistics.median(s):12.2f}"
            f"{pct(s, 0.95):8.2f}{max(s):8.1f}"
        )
        if hasattr(engine, "autocomplete"):
            a = timed(lambda q, e=engine: e.autocomplete(q), keystrokes(queries), 1)
            line += f"{statistics.median(a):11.2f}{pct(a, 0.95):8.2f}"
        print(line, flush=True)
        del engine


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="corpus folder (default: $PROMPTBOT_TEST_CORPUS)")
    ap.add_argument("--n", type=int, default=100_000, help="synthetic library size (0: skip)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    root = corpus_root(args.corpus)
    if not root.is_dir():
        print(f"corpus not found: {root} (set PROMPTBOT_TEST_CORPUS or --corpus)")
        return 2
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; times in ms")
    prompts = load_corpus(root)
    print(f"corpus loaded with {LOADER[0]}")
    queries = [q["query"] for q in load_queries()]
    if HOLDOUT.is_file():  # the long descriptive queries
        queries += [q["query"] for q in load_queries(HOLDOUT)]
    bench("corpus", prompts, queries, args.rounds)
    if args.n:
        big = synth_prompts(prompts, args.n)
        bench("synthetic", big, queries, 1)
    print(f"\npeak RSS of the whole run: {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
