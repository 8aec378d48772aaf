"""Corpus search and autocomplete latency, trees side by side, wall clock.

What a member waits for is one pass (the first one here: every query once on a
freshly built engine, cold caches).  On a shared VM that figure moves by ±20 %
between two runs of the same code, so each query's fastest of ``--passes``
passes is printed beside it, each pass on an engine built afresh (cold caches
every time): the code's own cost, most of the noise out.  Trees alternate
round by round, each measured in a child process of its own; the figures of
one run compare, those of different runs less so.

    python -m benchmarks.bench_latency [--tree PATH]... [--queries FILE]... [--rounds 2]

Each ``--tree`` is a checkout of the project (default: this one; ``git worktree
add /tmp/base <commit>``).  The child imports only ``SearchEngine.build``,
``search``, ``autocomplete`` and ``benchmarks._load``, so a tree from before this
script measures the same way.  Default queries: the dev set and the held-out
set, each file reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks._load import corpus_root
from benchmarks.bench_scale import python_speed_ms
from benchmarks.bench_search import pct
from benchmarks.eval_search import HOLDOUT, QUERIES

ROOT = Path(__file__).resolve().parent.parent
# The measured process: per query file, per pass, every query's and every
# keystroke's milliseconds, as JSON on stdout.
CHILD = """
import gc, json, sys, time
from pathlib import Path
from benchmarks._load import load_corpus
from bot.search.engine import SearchEngine
corpus, passes, files = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
prompts = load_corpus(corpus)
def timed(find, inputs):
    out = []
    for text in inputs:
        start = time.perf_counter()
        find(text)
        out.append((time.perf_counter() - start) * 1000)
    return out
result = {}
for name, queries in files.items():
    keys = [q[:i] for q in queries for i in range(1, len(q) + 1)]
    runs = []
    for _ in range(passes):
        gc.collect()
        engine = SearchEngine.build(prompts)
        runs.append([timed(lambda q: engine.search(q, limit=10), queries),
                     timed(engine.autocomplete, keys)])
        del engine
    result[name] = runs
print(json.dumps(result))
"""


def summarise(runs: list[list[list[float]]]) -> dict[str, tuple[float, float]]:
    """(p50, p95) of the first pass and of each query's fastest pass, for the
    searches and the keystrokes."""
    out = {}
    for index, kind in enumerate(("search", "autocomplete")):
        first = runs[0][index]
        fastest = [min(times) for times in zip(*(run[index] for run in runs), strict=True)]
        out[f"{kind}, first pass"] = (pct(first, 0.5), pct(first, 0.95))
        out[f"{kind}, fastest"] = (pct(fastest, 0.5), pct(fastest, 0.95))
    return out


def measure(
    tree: Path, corpus: Path, passes: int, files: dict[str, list[str]]
) -> dict[str, list[list[list[float]]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}
    env["PYTHONPATH"] = str(tree)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(corpus), str(passes), json.dumps(files)],
        cwd=tree,  # (``-c`` puts the working folder first on the path: the tree's)
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise SystemExit(f"{tree}: the run failed: {' / '.join(tail)}")
    result: dict[str, list[list[list[float]]]] = json.loads(done.stdout.splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="corpus folder (default: $PROMPTBOT_TEST_CORPUS)")
    parser.add_argument("--tree", type=Path, action="append", help="a checkout (default: this)")
    parser.add_argument("--queries", type=Path, action="append", help="a query file (JSON)")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    if args.passes < 1 or args.rounds < 1:
        parser.error("--passes and --rounds must be at least 1")
    for tree in args.tree or []:
        if not tree.is_dir():
            parser.error(f"--tree {tree}: no such folder (a checkout of the project)")
    for path in args.queries or []:
        if not path.is_file():
            parser.error(f"--queries {path}: no such file")
    corpus = corpus_root(args.corpus)  # (one line and exit when there is none)
    paths = args.queries or [path for path in (QUERIES, HOLDOUT) if path.is_file()]
    files = {
        path.stem: [q["query"] for q in json.loads(path.read_text(encoding="utf-8"))]
        for path in paths
    }
    print(f"{corpus}: p50 / p95 ms; each tree {args.passes} passes on fresh engines per round")
    for round_ in range(1, args.rounds + 1):
        for tree in (path.resolve() for path in args.tree or [ROOT]):
            speed = f"load {os.getloadavg()[0]:.1f}, Python loop {python_speed_ms():.0f} ms"
            print(f"round {round_}: {tree} ({speed})")
            for name, runs in measure(tree, corpus, args.passes, files).items():
                figures = "  ".join(
                    f"{label} {p50:.2f} / {p95:.2f}"
                    for label, (p50, p95) in summarise(runs).items()
                )
                print(f"  {name} ({len(files[name])}): {figures}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
