"""Search quality: MRR@10, Recall@1 and Recall@5 per query kind and overall,
for our engine and, from the same run, the two baselines.

    PROMPTBOT_TEST_CORPUS=../shared/corpus python -m benchmarks.eval_search
    python -m benchmarks.eval_search --corpus /path/to/corpus [--misses]

Two query sets: the development set (``queries.json``) and a held-out set
(``queries_holdout.json``: written before the ranking was tuned, never tuned on).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._load import LOADER, corpus_root, load_corpus
from benchmarks.baselines import FtsBaseline, TitleFuzzBaseline
from bot.search.engine import Hit, SearchEngine

QUERIES = Path(__file__).with_name("queries.json")
HOLDOUT = Path(__file__).with_name("queries_holdout.json")
Searcher = Callable[..., list[Hit]]


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def rank_of(hits: list[Hit], relevant: set[str]) -> int | None:
    """1-based rank of the first relevant hit, or None."""
    for i, h in enumerate(hits, 1):
        if h.prompt.path in relevant:
            return i
    return None


def evaluate(search: Searcher, queries: list[dict[str, Any]]) -> dict[str, list[int | None]]:
    """Ranks per kind (and ``all``)."""
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for q in queries:
        hits = search(q["query"], category=q.get("category"), tag=q.get("tag"), limit=10)
        r = rank_of(hits, set(q["relevant"]))
        ranks[q["kind"]].append(r)
        ranks["all"].append(r)
    return ranks


def metrics(ranks: list[int | None]) -> tuple[float, float, float]:
    n = len(ranks) or 1
    mrr = sum(1.0 / r for r in ranks if r) / n
    r1 = sum(1 for r in ranks if r == 1) / n
    r5 = sum(1 for r in ranks if r and r <= 5) / n
    return mrr, r1, r5


def table(results: dict[str, dict[str, list[int | None]]]) -> str:
    names = list(results)
    kinds = [k for k in next(iter(results.values())) if k != "all"] + ["all"]
    head = f"{'kind':<11}{'n':>4}  " + "  ".join(f"{n:^22}" for n in names)
    sub = f"{'':<11}{'':>4}  " + "  ".join(f"{'MRR10  R@1   R@5':^22}" for _ in names)
    lines = [head, sub]
    for kind in kinds:
        cells = []
        for name in names:
            mrr, r1, r5 = metrics(results[name][kind])
            cells.append(f"{mrr:5.3f}  {r1:4.2f}  {r5:4.2f}".center(22))
        n = len(results[names[0]][kind])
        lines.append(f"{kind:<11}{n:>4}  " + "  ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="corpus folder (default: $PROMPTBOT_TEST_CORPUS)")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--holdout", type=Path, default=HOLDOUT, help="held-out queries ('' = none)")
    ap.add_argument("--misses", action="store_true", help="list queries ours misses at 1")
    args = ap.parse_args(argv)
    root = corpus_root(args.corpus)
    if not root.is_dir():
        print(f"corpus not found: {root} (set PROMPTBOT_TEST_CORPUS or --corpus)")
        return 2
    prompts = load_corpus(root)
    print(f"corpus loaded with {LOADER[0]}")
    sets = {"dev": load_queries(args.queries)}
    if str(args.holdout) not in ("", ".") and args.holdout.is_file():
        sets["holdout"] = load_queries(args.holdout)
    known = {p.path for p in prompts}
    for q in (q for qs in sets.values() for q in qs):
        missing = [r for r in q["relevant"] if r not in known]
        if missing:
            print(f"warning: {q['query']!r}: not in corpus: {missing}", file=sys.stderr)
    engines: dict[str, Any] = {}
    for name, cls in (
        ("ours", SearchEngine),
        ("FTS5 BM25", FtsBaseline),
        ("WRatio titles", TitleFuzzBaseline),
    ):
        t = time.perf_counter()
        engines[name] = cls.build(prompts)
        print(f"built {name:<14} in {time.perf_counter() - t:6.2f} s")
    for label, queries in sets.items():
        results = {name: evaluate(e.search, queries) for name, e in engines.items()}
        print(f"\n{label}: {len(prompts)} prompts, {len(queries)} queries\n")
        print(table(results))
    if args.misses:
        ours = engines["ours"]
        for label, queries in sets.items():
            print(f"\n{label} queries ours does not answer at rank 1:")
            for q in queries:
                hits = ours.search(q["query"], category=q.get("category"), tag=q.get("tag"))
                r = rank_of(hits, set(q["relevant"]))
                if r != 1:
                    top = hits[0].prompt.path if hits else "-"
                    print(f"  [{q['kind']}] {q['query']!r}: rank {r}; top: {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
