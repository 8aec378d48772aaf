"""More like this: similar in content, never the prompt itself nor its near-duplicates."""

from __future__ import annotations

from pathlib import Path

from bot.models import Prompt
from bot.search.engine import SearchEngine


def P(pid: str, title: str, prompt: str, **kw: object) -> Prompt:
    kw.setdefault("category", "misc")
    return Prompt(id=pid, path=f"{pid}.md", title=title, prompt=prompt, **kw)  # type: ignore[arg-type]


LIB = [
    P("owl", "Snowy Owl", "a snowy owl perched on a mossy branch, moonlight, feathers"),
    P(
        "owl-copy",
        "Snowy Owl (copy)",
        "a snowy owl  perched on a mossy branch, moonlight, feathers",
    ),
    P("owl2", "Barn Owl at Night", "a barn owl on a mossy branch under moonlight, soft feathers"),
    P("eagle", "Eagle", "a bald eagle perched on a branch, feathers ruffled by wind"),
    P("car", "Red Sports Car", "a red sports car on a racetrack, motion blur"),
    P("car2", "Vintage Car", "a vintage car on a dusty road, motion blur, sunset"),
    P("city", "City", "a city skyline at dusk"),
]


def test_similar_prompts_rank_by_shared_distinctive_words() -> None:
    engine = SearchEngine.build(LIB)
    ids = [h.prompt.id for h in engine.similar("owl", limit=5)]
    assert ids[0] == "owl2"
    assert "eagle" in ids
    assert "owl" not in ids and "owl-copy" not in ids  # itself and its near-duplicate
    assert "city" not in ids  # shares nothing distinctive
    assert [h.prompt.id for h in engine.similar("car", limit=1)] == ["car2"]


def test_limits_and_unknown_ids() -> None:
    engine = SearchEngine.build(LIB)
    assert engine.similar("nope") == []
    assert engine.similar("owl", limit=0) == []
    hits = engine.similar("owl", limit=2)
    assert len(hits) == 2 and all(0 < h.score <= 100 for h in hits)
    assert hits[0].score >= hits[1].score


def test_on_the_corpus_a_prompts_near_duplicates_are_never_similar(corpus_dir: Path) -> None:
    from benchmarks._load import load_corpus

    engine = SearchEngine.build(load_corpus(corpus_dir))
    ix = engine._ix
    groups: dict[int, list[int]] = {}
    for doc, group in enumerate(ix.group):
        groups.setdefault(group, []).append(doc)
    shared = [docs for docs in groups.values() if len(docs) > 1][:30]
    assert shared
    for docs in shared:
        prompt = ix.prompts[docs[0]]
        hits = engine.similar(prompt.id, limit=5)
        assert len(hits) <= 5
        ids = {h.prompt.id for h in hits}
        assert not ids & {ix.prompts[d].id for d in docs}
        assert len({ix.group[ix.by_id[i]] for i in ids}) == len(ids)  # one per group
