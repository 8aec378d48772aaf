"""The corpus files the held-out queries (``queries_holdout.json``) were written
from: picked at random with a fixed seed, before the ranking was tuned.

    PROMPTBOT_TEST_CORPUS=../shared/corpus python -m benchmarks.pick_holdout [--seed 12]

Files that are (near duplicates of) a target of the development set, and the
samuxbuilds ``example-*`` placeholders, are left out; of near duplicates only the
first drawn counts.  Drawn in order, a file with less than 250 characters of
description and body can only get a paraphrase query; the others alternate,
content first, until each kind has 16.  The queries themselves were then written
by hand from reading each file (content: what the description or body shows,
not the title; paraphrase: the gist in other words).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from benchmarks._load import corpus_root, load_corpus
from benchmarks.eval_search import HOLDOUT, load_queries
from bot.search.duplicates import near_duplicate_groups
from bot.search.inverted import Doc

PER_KIND, SHORT, DRAWN = 16, 250, 60


def pick(
    root: Path, seed: int, fresh: bool = False, per_kind: int = PER_KIND
) -> dict[str, list[str]]:
    """``fresh``: also leave out the held-out queries' files (a new draw for the
    development set, from files nobody tuned on)."""
    prompts = sorted(load_corpus(root), key=lambda p: p.path)
    group = near_duplicate_groups([Doc.of(p) for p in prompts])
    queries = load_queries() + (load_queries(HOLDOUT) if fresh else [])
    used = {path for q in queries for path in q["relevant"]}
    used_groups = {group[i] for i, p in enumerate(prompts) if p.path in used}
    pool = [
        i
        for i, p in enumerate(prompts)
        if group[i] not in used_groups and not Path(p.path).name.startswith("example-")
    ]
    picked: list[int] = []
    seen: set[int] = set()
    for i in random.Random(seed).sample(pool, DRAWN):
        if group[i] not in seen:
            seen.add(group[i])
            picked.append(i)
    content: list[str] = []
    paraphrase: list[str] = []
    for i in picked:
        p = prompts[i]
        if len(content) >= per_kind and len(paraphrase) >= per_kind:
            break
        short = len(p.description) + len(p.prompt) < SHORT
        if short or len(content) > len(paraphrase):
            (paraphrase if len(paraphrase) < per_kind else content).append(p.path)
        else:
            content.append(p.path)
    return {"content": content, "paraphrase": paraphrase}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="corpus folder (default: $PROMPTBOT_TEST_CORPUS)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--fresh", action="store_true", help="also leave out the held-out files")
    ap.add_argument("--per-kind", type=int, default=PER_KIND)
    args = ap.parse_args(argv)
    picked = pick(corpus_root(args.corpus), args.seed, args.fresh, args.per_kind)
    print(json.dumps(picked, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
