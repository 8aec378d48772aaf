"""The search quality targets of benchmarks/README.md, on the development set:
the ranking is tuned on it, so a change that loses what it gained fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.baselines import FtsBaseline
from benchmarks.eval_search import evaluate, load_queries, metrics
from bot.search.engine import SearchEngine


@pytest.fixture(scope="module")
def ranks(corpus_dir: Path) -> dict[str, dict[str, list[int | None]]]:
    from benchmarks._load import load_corpus

    prompts = load_corpus(corpus_dir)
    queries = load_queries()
    return {
        "ours": evaluate(SearchEngine.build(prompts).search, queries),
        "fts5": evaluate(FtsBaseline.build(prompts).search, queries),
    }


def test_overall_mrr_meets_its_target(ranks: dict[str, dict[str, list[int | None]]]) -> None:
    ours, fts5 = metrics(ranks["ours"]["all"]), metrics(ranks["fts5"]["all"])
    assert ours[0] >= 0.85 and ours[0] >= fts5[0] + 0.05
    assert ours[2] >= 0.88  # Recall@5


def test_descriptions_rank_at_least_as_well_as_bm25(
    ranks: dict[str, dict[str, list[int | None]]],
) -> None:
    """Content and paraphrase MRR at least FTS5's; every kind's Recall@5 too."""
    for kind in ("content", "paraphrase"):
        assert metrics(ranks["ours"][kind])[0] >= metrics(ranks["fts5"][kind])[0], kind
    for kind in ranks["ours"]:
        assert metrics(ranks["ours"][kind])[2] >= metrics(ranks["fts5"][kind])[2], kind


def test_no_kind_falls_below_its_floor(ranks: dict[str, dict[str, list[int | None]]]) -> None:
    """MRR@10 0.6 for every kind but paraphrase, which is held to FTS5's above."""
    low = {k: metrics(r)[0] for k, r in ranks["ours"].items() if metrics(r)[0] < 0.6}
    assert set(low) <= {"paraphrase"}, low
