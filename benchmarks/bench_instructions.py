"""Search cost in instructions (valgrind's callgrind), trees side by side.

Wall-clock figures on a shared VM move by ±20 % between two runs of the same
code, more than most changes to the search; instruction counts do not move.
For each tree: the dev queries, each once, on a snapshot freshly loaded from an
index (cold caches, as the bot after a start); descriptions (three words or
more) and shorter queries apart, and every keystroke of every query as
autocomplete sees it (each prefix once).  Only the searches are counted: the child
runs them inside ``math.fsum`` (which nothing in the search calls) and
callgrind collects inside that function alone, so the load's own variation
(10-20 M instructions between two runs) is not in the figures.  The load is
counted too, in a run of its own.

    python -m benchmarks.bench_instructions --db INDEX [--tree PATH]... [--queries FILE]

``INDEX`` is an index that ``promptbot index`` built (the search index stored);
each ``--tree`` is a checkout of the project (default: this one), for example
``git worktree add /tmp/base main``.  Needs ``valgrind`` (Debian: ``apt-get
install valgrind``); each run takes a minute or two.  A tree whose stored search
index differs from the one in ``INDEX`` (its code is part of the index's key)
builds and stores its own in its load run, which then counts that build too:
for the load's figure, measure such trees on copies of the index each.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.eval_search import QUERIES, load_queries

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("load", "descriptions", "shorter", "keystrokes")
LONG_QUERY = 3  # words: as bot.search.engine.LONG_QUERY (not imported: any tree's)
# The measured process: only the tree's own ``load_snapshot`` is imported, so that
# a tree from before this script measures the same way.  The searches run inside
# math.fsum: the function callgrind collects in (COUNTED).
CHILD = """
import json, math, sys
from pathlib import Path
from bot.stored_snapshot import load_snapshot
part, db, queries = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
snapshot = load_snapshot(db)
find = snapshot.autocomplete if part == "keystrokes" else lambda q: snapshot.search(q, limit=10)
hits = math.fsum(len(find(q)) for q in queries if part != "load")
print(int(hits))
"""
COUNTED = "math_fsum*"  # CPython's C function for math.fsum
COLLECTED = re.compile(r"Collected : (\d+)")


def split_queries(queries: list[str]) -> dict[str, list[str]]:
    """The queries each part runs: none (the load alone), the descriptions, the
    others, and every prefix of every query (autocomplete's)."""
    long = [q for q in queries if len(q.split()) >= LONG_QUERY]
    return {
        "load": [],
        "descriptions": long,
        "shorter": [q for q in queries if len(q.split()) < LONG_QUERY],
        "keystrokes": [q[:i] for q in queries for i in range(1, len(q) + 1)],
    }


def instructions(tree: Path, db: Path, part: str, queries: list[str]) -> int:
    """What callgrind counts for the child process of one part in ``tree``."""
    # (one hash seed: string hashes decide how sets and dicts probe, a few
    # per cent of the load's count from one run to the next otherwise)
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    only_searches = (
        [] if part == "load" else ["--collect-atstart=no", f"--toggle-collect={COUNTED}"]
    )
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            *only_searches,
            sys.executable,
            "-c",
            CHILD,
            part,
            str(db.resolve()),
            json.dumps(queries),
        ],
        cwd=tree,  # (``-c`` puts the working folder first on the path: the tree's)
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = COLLECTED.findall(done.stderr)
    if done.returncode != 0 or not found:
        tail = done.stderr.strip().splitlines()[-3:]
        raise SystemExit(f"{tree}: the {part} run failed: {' / '.join(tail)}")
    if queries and int(found[-1]) < 1000 * len(queries):  # a search is ~10^6
        raise SystemExit(f"{tree}: callgrind found no {COUNTED} to count in (this Python)")
    return int(found[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="an index built by promptbot")
    parser.add_argument("--tree", type=Path, action="append", help="a checkout (default: this)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    if not args.db.is_file():
        print(f"no index at {args.db}: build one with `promptbot index`", file=sys.stderr)
        return 2
    parts = split_queries([q["query"] for q in load_queries(args.queries)])
    print(
        f"{args.db}: {len(parts['descriptions'])} descriptions, "
        f"{len(parts['shorter'])} shorter queries, each once; millions of instructions"
    )
    print(
        f"{'tree':<40}{'load':>10}{'descriptions':>14}{'shorter':>10}{'all':>10}{'keystrokes':>12}"
    )
    for tree in (path.resolve() for path in args.tree or [ROOT]):
        compileall.compile_dir(tree / "bot", quiet=1)  # as installed: no compiling timed
        counts = {part: instructions(tree, args.db, part, parts[part]) for part in PARTS}
        load, long, short = counts["load"], counts["descriptions"], counts["shorter"]
        print(
            f"{tree!s:<40}{load / 1e6:>10.1f}{long / 1e6:>14.1f}"
            f"{short / 1e6:>10.1f}{(long + short) / 1e6:>10.1f}"
            f"{counts['keystrokes'] / 1e6:>12.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
