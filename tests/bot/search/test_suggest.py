""" "Did you mean": ``SearchEngine.suggest``."""

from __future__ import annotations

from bot.models import Prompt
from bot.search.engine import SearchEngine


def P(pid: str, title: str, prompt: str) -> Prompt:
    return Prompt(id=pid, path=f"{pid}.md", title=title, prompt=prompt, category="misc")


LIB = [
    P("light", "Stormy Lighthouse Painting", "oil painting of waves on rocks"),
    P("cat", "Cat in a Hat", "a cat wearing a top hat"),
    P("light2", "Lighthouse at Dawn", "a lighthouse, calm sea"),
    P("night", "Lighthouse at Night", "a lighthouse beam, stars"),
    P("tight", "Tightrope Walker", "a tightrope over a canyon"),
]


def test_a_misspelt_query_that_matches_nothing_gets_the_right_word() -> None:
    engine = SearchEngine.build(LIB)
    assert engine.search("lihgthuose") == []  # two swaps: beyond the search's typo radius
    assert engine.suggest("lihgthuose")[0] == "lighthouse"
    found = engine.suggest("Stromy  LIHGTHUOSE")
    assert found[0] == "stormy lighthouse"
    assert engine.search(found[0])[0].prompt.id == "light"


def test_known_words_stay_and_the_query_itself_is_never_suggested() -> None:
    engine = SearchEngine.build(LIB)
    assert engine.suggest("lighthouse") == []
    assert engine.suggest("cat in a hat") == []
    for query in ("cta in a hta", "lihgthuose", "tihgt", "stromy  paintng"):
        found = engine.suggest(query, 3)
        assert found and len(found) == len(set(found)) <= 3
        assert " ".join(query.split()) not in found
    assert engine.suggest("cat in a hta")[0] == "cat in a hat"  # only the unknown word changes
    assert engine.suggest("lihgthuose", limit=1) == ["lighthouse"]
    assert engine.suggest("lihgthuose", limit=0) == []


def test_nothing_near_and_empty_libraries() -> None:
    engine = SearchEngine.build(LIB)
    assert engine.suggest("qqqqzzzz") == []
    assert engine.suggest("") == [] and engine.suggest("  ,. ") == []
    assert engine.suggest("灯塔 lihgthuose") == ["灯塔 lighthouse"]  # CJK stays as typed
    empty = SearchEngine.build([])
    assert empty.suggest("lihgthuose") == [] and empty.suggest("") == []


def test_nearer_and_commoner_words_come_first() -> None:
    engine = SearchEngine.build(LIB)
    assert engine.suggest("tighthouse") == ["lighthouse", "tightrope"]  # 1 edit, then 2
    hats = SearchEngine.build(
        [P("a", "Red Hat", "a hat"), P("b", "Blue Hat", "x"), P("c", "Cat", "y")]
    )
    assert hats.search("bat") == []
    assert hats.suggest("bat") == ["hat", "cat"]  # both 1 edit away; "hat" in 2 prompts
