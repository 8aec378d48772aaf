"""The search index stored as bytes answers exactly as the one it was dumped from."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.library.scan import load_library
from bot.search import SearchEngine, pack
from bot.search.postings import Index


@pytest.fixture(scope="module")
def corpus_prompts(corpus_dir: Path) -> list:
    prompts, _ = load_library(corpus_dir)
    return prompts


def test_a_loaded_index_answers_as_the_built_one(corpus_prompts: list) -> None:
    built = Index(corpus_prompts)
    parts = pack.dump(built)
    reads: list[str] = []
    by_id = {p.id: p for p in corpus_prompts}

    def get(prompt_id: str):
        reads.append(prompt_id)
        return by_id.get(prompt_id)

    loaded = pack.load(sorted(parts), parts.__getitem__, get)
    assert not reads  # loading reads no prompt
    old, new = SearchEngine(built), SearchEngine(loaded)
    assert not reads  # nor does building the facets
    for query in ("neon rain", "portrait of a woman", "chibi", "ghibli styel", "json", "猫"):
        assert [(h.prompt.id, h.score) for h in new.search(query)] == [
            (h.prompt.id, h.score) for h in old.search(query)
        ]
        prefix = query[:4]
        before = len(reads)
        typed = new.autocomplete(prefix)
        assert [(h.id, h.title) for h in typed] == [
            (h.prompt.id, h.prompt.title) for h in old.autocomplete(prefix)
        ]
        assert len(reads) == before  # choices show titles: no prompt is read
        assert [h.prompt for h in typed[:2]] == [by_id[h.id] for h in typed[:2]]
    assert 0 < len(reads) <= 6 * (10 + 2)  # only the hits whose prompt was used were read
    some = corpus_prompts[123].id
    assert [h.prompt.id for h in new.similar(some)] == [h.prompt.id for h in old.similar(some)]
    assert new.get(some) == old.get(some)
    assert new.facets.categories == old.facets.categories
    assert new.facets.tags == old.facets.tags
    name = old.facets.categories[0][0]
    assert new.facets.tags_in(name) == old.facets.tags_in(name)
    assert [p.id for p in new.facets.prompts_in(name)[:5]] == [
        p.id for p in old.facets.prompts_in(name)[:5]
    ]
    assert len(new) == len(old) == len(corpus_prompts)


def test_an_empty_index_round_trips() -> None:
    parts = pack.dump(Index([]))
    engine = SearchEngine(pack.load(list(parts), parts.__getitem__, lambda _: None))
    assert len(engine) == 0 and engine.search("anything") == []


@given(st.lists(st.text()))
def test_texts_round_trip_or_go_to_json(texts: list[str]) -> None:
    """A list of texts is stored split-able when no text holds the separator,
    and either way comes back as it was."""
    ix = Index([])
    ix.titles = texts
    parts = pack.dump(ix)
    stored = "s:titles" if all(pack.SEP not in t for t in texts) else "j:titles"
    assert stored in parts
    loaded = pack.load(list(parts), parts.__getitem__, lambda _: None)
    assert loaded.titles == texts


def test_a_cut_list_of_texts_is_refused() -> None:
    data = pack._dump_texts(["a", "b", "c"])
    with pytest.raises(ValueError, match="3 texts"):
        pack._load_texts(data.replace(b"\x00c", b""))  # two texts where three were stored


def test_postings_round_trip_through_bytes() -> None:
    """What the build's long-field process sends back (no term at all included)."""
    postings = {"neon": array("I", [1, 5, 9]), "rain": array("I", [2])}
    assert pack.load_postings(pack.dump_postings(postings)) == postings
    assert pack.dump_postings({}) == b"" and pack.load_postings(b"") == {}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet="abc", max_size=3),
    lambda items: (
        st.lists(items, max_size=4)
        | st.dictionaries(st.text(alphabet="abc", max_size=3), items, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON, st.sets(st.text(alphabet="abc", max_size=3)))
def test_sharing_texts_never_changes_a_value(value: object, terms: set[str]) -> None:
    """Whatever the shape (lists of lists, of maps, mixed), the value comes back
    equal, and each text it returns that is a term is the shared object."""
    shared = {term: term for term in terms}
    done = pack._shared(value, shared)
    assert done == value
    if isinstance(done, dict):  # a map's keys are looked up one by one
        assert all(key is shared[key] for key in done if key in shared)
    elif done and isinstance(done, list) and all(isinstance(t, str) for t in done):
        led_by_a_term = done[0] in shared  # then each term is the shared one
        assert not led_by_a_term or all(t is shared[t] for t in done if t in shared)


def test_a_loaded_index_holds_each_term_once(corpus_prompts: list) -> None:
    """The postings of every field, the counts, the vocabularies and the maps by
    stem and by length name a term by one object (not a copy per part)."""
    parts = pack.dump(Index(corpus_prompts))
    loaded = pack.load(list(parts), parts.__getitem__, lambda _: None)
    one = {id(term) for field in loaded.post for term in field}
    seen = [*loaded.tf, *loaded.df, *loaded.vocab, *loaded.short_vocab]
    seen += [t for terms in loaded.by_stem.values() for t in terms]
    seen += [t for terms in loaded.by_len.values() for t in terms]
    copies = [t for t in seen if id(t) not in one]
    assert len(seen) > 100_000 and copies == []
    assert loaded.titles and all(isinstance(t, str) for t in loaded.titles)  # as they were
