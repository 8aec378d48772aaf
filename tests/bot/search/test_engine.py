"""Behaviour of the search engine on small hand-made libraries, plus a few
queries of the development set against the real corpus (skipped without it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.models import Prompt
from bot.render.lists import prompt_choices
from bot.search.engine import Hit, SearchEngine


def P(pid: str, title: str, prompt: str = "a picture", **kw: object) -> Prompt:
    kw.setdefault("category", "misc")
    return Prompt(id=pid, path=f"{pid}.md", title=title, prompt=prompt, **kw)  # type: ignore[arg-type]


LIB = [
    P("neon", "Neon Dreams in Tokyo", "rain-slicked streets at night, neon signs", tags=("neon",)),
    P(
        "chibi",
        "3D Chibi Proposal Scene",
        "two people as chibi characters, floral arch",
        category="3d",
        tags=("chibi", "cute"),
    ),
    P(
        "cafe",
        "Café Vibes: Parisian Mornings",
        "a woman with a croissant in Paris",
        category="portraits",
    ),
    P(
        "lighthouse",
        "Stormy Lighthouse Painting",
        "oil painting of waves crashing on rocks",
        category="art",
        tags=("painting",),
    ),
    P(
        "taxi",
        "Taxi in Kabukicho on a rainy night",
        "雨の夜の歌舞伎町1番街の前に止まっているタクシーを映画的な角度で撮影。",
    ),
    P("beijing", "Mythical characters on Beijing subway", "拥挤的北京地铁车厢，乘客全是神话人物"),
    P(
        "swim",
        "Poolside Portrait",
        'a woman wearing a {argument name="swimsuit color" '
        'default="light blue"} swimsuit by the pool',
        category="portraits",
    ),
    P("robot", "Retro Robot Toy", "tin robot toy on a shelf", category="3d", tags=("retro",)),
    P("robot2", "Vintage Tin Robot", "tin robot toy on a shelf", category="3d"),
    P(
        "post-x",
        "Golden Hour Selfie",
        "selfie in a wheat field",
        source_url="https://x.com/someone/status/123456789",
    ),
    P(
        "post-tw",
        "Golden Hour Selfie in a Field",
        "a selfie in a wheat field at golden hour",
        source_url="https://twitter.com/someone/status/123456789",
    ),
]


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    return SearchEngine.build(LIB)


def top(engine: SearchEngine, query: str, **kw: object) -> str | None:
    hits = engine.search(query, **kw)  # type: ignore[arg-type]
    return hits[0].prompt.id if hits else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("neon dreams tokyo", "neon"),
        ("tokyo neon dreams", "neon"),  # word order
        ("neon tokyo", "neon"),  # missing words
        ("chibi propsal", "chibi"),  # one typo
        ("stromy lihgthouse", "lighthouse"),  # two typos over two words
        ("chibi prop", "chibi"),  # half-typed last word
        ("lightho", "lighthouse"),
        ("CAFE VIBES", "cafe"),  # case and accents
        ("ｃａｆｅ ｖｉｂｅｓ", "cafe"),  # full-width forms
        ("croissant paris", "cafe"),  # body words
        ("歌舞伎町 タクシー", "taxi"),  # Japanese inside a longer run
        ("北京地铁", "beijing"),  # Chinese
        ("light blue swimsuit", "swim"),  # placeholder default is searchable
    ],
)
def test_finds(engine: SearchEngine, query: str, expected: str) -> None:
    assert top(engine, query) == expected


def test_placeholder_syntax_is_not_searchable(engine: SearchEngine) -> None:
    assert all(h.prompt.id != "swim" for h in engine.search("argument name default"))
    assert "{argument" in engine.get("swim").prompt  # displayed text untouched


def test_filters(engine: SearchEngine) -> None:
    assert top(engine, "robot", category="3d") in {"robot", "robot2"}
    assert engine.search("neon", category="3d") == []
    assert [h.prompt.id for h in engine.search("robot", tag="retro")] == ["robot"]
    assert [h.prompt.id for h in engine.search("robot", category="3D", tag="RETRO")] == ["robot"]


def test_empty_query_with_filter_lists_slice_by_title(engine: SearchEngine) -> None:
    ids = [h.prompt.id for h in engine.search("", category="3d")]
    assert ids == ["chibi", "robot"]  # by title; "robot2" is a duplicate of "robot"
    assert [h.prompt.id for h in engine.search("  ", tag="painting")] == ["lighthouse"]


def test_near_duplicates_do_not_crowd(engine: SearchEngine) -> None:
    ids = [h.prompt.id for h in engine.search("tin robot toy")]
    assert len({"robot", "robot2"} & set(ids)) == 1  # same prompt text
    ids = [h.prompt.id for h in engine.search("golden hour selfie")]
    assert len({"post-x", "post-tw"} & set(ids)) == 1  # same post, x.com vs twitter.com
    # … but each stays reachable
    assert top(engine, "vintage tin robot") == "robot2"
    assert top(engine, "robot2") == "robot2"
    assert top(engine, "golden hour selfie in a field") == "post-tw"


def test_exact_id_and_title_win(engine: SearchEngine) -> None:
    hits = engine.search("lighthouse")
    assert hits[0].prompt.id == "lighthouse" and hits[0].score == 100.0
    hits = engine.search("retro robot toy")
    assert hits[0].prompt.id == "robot" and hits[0].score == 100.0
    assert engine.clear_winner(hits) is hits[0]


def test_clear_winner(engine: SearchEngine) -> None:
    hits = engine.search("stormy lighthouse")
    assert engine.clear_winner(hits) is hits[0]
    assert engine.clear_winner([]) is None
    p1, p2 = LIB[0], LIB[1]
    assert engine.clear_winner([Hit(p1, 70.0), Hit(p2, 65.0)]) is None
    assert engine.clear_winner([Hit(p1, 90.0), Hit(p2, 40.0)]).prompt is p1
    assert engine.clear_winner([Hit(p1, 30.0)]) is None


def test_scores_are_bounded_and_sorted(engine: SearchEngine) -> None:
    for q in ("robot", "rain night", "selfie", "x"):
        scores = [h.score for h in engine.search(q)]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 100.0 for s in scores)


def test_get(engine: SearchEngine) -> None:
    assert engine.get("cafe").title.startswith("Café")
    assert engine.get("nope") is None


def test_autocomplete_limits() -> None:
    long_title = "A very long title " + " ".join(f"word{i}" for i in range(40))
    lib = [P(f"p{i:02d}", f"{long_title} {i}", f"picture number {i}") for i in range(40)]
    eng = SearchEngine.build(lib)
    for query in ("", "word", "a very lo"):
        choices = prompt_choices([hit.prompt for hit in eng.autocomplete(query)])
        assert 0 < len(choices) <= 25
        for name, value in choices:
            assert len(name) <= 100 and name.endswith("…")
            assert not name[:-1].endswith(" ")
            assert eng.get(value) is not None
    assert len(eng.autocomplete("word", limit=5)) == 5


def test_a_query_of_punctuation_only_matches_nothing(engine: SearchEngine) -> None:
    """An empty query browses (in title order, under the filters); "!!!" is a
    query with nothing to look for, answered as a miss, not with the library.
    While typing it, autocomplete still offers the titles, as for an empty box."""
    assert engine.search("!!!") == [] and engine.search(" -- ") == []
    assert engine.search("", category="3d")
    assert [h.prompt.id for h in engine.autocomplete("!")] == [
        h.prompt.id for h in engine.autocomplete("")
    ]


def test_autocomplete_prefix_and_empty(engine: SearchEngine) -> None:
    assert engine.autocomplete("stormy li")[0].prompt.id == "lighthouse"
    assert engine.autocomplete("")[0].prompt.id == "chibi"  # sorted by title
    assert engine.autocomplete("qqqqzzzz") == []


def test_categories_and_tags(engine: SearchEngine) -> None:
    facets = engine.facets
    assert dict(facets.categories)["3d"] == 3
    assert dict(facets.tags)["retro"] == 1
    assert facets.complete_category("port")[0][0] == "portraits"
    assert facets.category("PORTRAITS") == "portraits" and facets.category("nope") is None


def test_empty_library() -> None:
    eng = SearchEngine.build([])
    assert eng.search("x") == [] and eng.autocomplete("") == []


QUERIES = Path(__file__).resolve().parents[3] / "benchmarks" / "queries.json"


def test_corpus_queries_in_top5(corpus_dir: Path) -> None:
    from benchmarks._load import load_corpus

    eng = SearchEngine.build(load_corpus(corpus_dir))
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    picked = {}
    for q in queries:  # the first two of each kind
        picked.setdefault(q["kind"], []).append(q)
    missed = []
    for q in (q for qs in picked.values() for q in qs[:2]):
        hits = eng.search(q["query"], category=q.get("category"), tag=q.get("tag"), limit=5)
        if not {h.prompt.path for h in hits} & set(q["relevant"]):
            missed.append(q["query"])
    assert missed == []


def test_one_post_with_many_prompts_is_not_collapsed() -> None:
    """Several different prompts published in one post share its URL: all show."""
    url = "https://x.com/someone/status/987654321"
    lib = [
        P(
            f"card{i:02d}",
            f"Trading card {i:02d}",
            f"trading card design number {i}",
            source_url=url,
        )
        for i in range(23)
    ]
    lib.append(P("copy", "Trading card copy", "trading card design number 0", source_url=url))
    eng = SearchEngine.build(lib)
    ids = {h.prompt.id for h in eng.search("trading card", limit=25)}
    assert len(ids) == 23  # "copy" has card00's text: one of the two shows
    assert len({"card00", "copy"} & ids) == 1
    assert top(eng, "trading card copy") == "copy"  # … and stays reachable


def test_same_post_on_two_hosts_collapses_only_when_unambiguous() -> None:
    tw, x = "https://twitter.com/a/status/42", "https://x.com/a/status/42"
    lib = [
        P("tw", "Red fox in snow", "a red fox", source_url=tw),
        P("x", "Red fox in the snow", "a red fox in snow", source_url=x),
        P("x2", "Red fox portrait", "a red fox portrait", source_url=x),
    ]
    eng = SearchEngine.build(lib)  # x.com has two prompts of post 42: no pairing
    assert {h.prompt.id for h in eng.search("red fox")} == {"tw", "x", "x2"}
    eng = SearchEngine.build(lib[:2])
    assert len(eng.search("red fox")) == 1


def test_doc_terms_fast_paths_match_the_tokenizer() -> None:
    from bot.search.analysis import _WORD, SEPARATORS, doc_terms, key, tokens

    assert not any(_WORD.match(sep) for sep in SEPARATORS)
    for text in (
        "A “quoted” word—and more… Café_au_lait x2, 4K • ok",
        "雨の夜の歌舞伎町。タクシー、“neon” ﬁne ＡＢＣ",
        'wear a {argument name="c" default="Light Blue"} suit',
        "",
    ):
        assert doc_terms(text) == set(tokens(key(text)))


def test_stem() -> None:
    from bot.search.analysis import stem

    assert [stem(w) for w in ("hats", "arrested", "satirical", "cities", "fly", "kiss")] == [
        "hat",
        "arrest",
        "satir",
        "cit",
        "fly",
        "kis",
    ]


def test_a_word_found_nowhere_does_not_drop_the_common_words() -> None:
    """Common words are dropped when the query has rarer ones; a word that
    matches nothing at all is not one of those: "woman xyzzy" finds women."""
    lib = [
        P(f"w{i}", f"Woman {name}", f"a woman, {name}")
        for i, name in enumerate(("Red", "Sea", "Owl"))
    ]
    engine = SearchEngine.build([*lib, P("cat", "Cat", "a cat")])
    assert {h.prompt.id for h in engine.search("woman xyzzy")} == {"w0", "w1", "w2"}
    assert {h.prompt.id for h in engine.search("woman")} == {"w0", "w1", "w2"}
    assert engine.search("xyzzy") == []


@pytest.mark.parametrize("n_copies", [70, 300])  # past the candidates; past 4 times as many
def test_a_description_whose_candidates_are_copies_still_fills_the_page(n_copies: int) -> None:
    """A description's BM25F candidates (the best 60 by coverage) can all be
    copies of one prompt: the page is then filled from the prompts ranked
    after them, as ranking every match would."""
    copies = [
        P(f"dup{i:03d}", f"Fox copy {i}", "red fox jumping over a frozen lake")
        for i in range(n_copies)
    ]
    others = [P(f"fox{i:02d}", f"Fox {i}", f"a red fox, study number {i}") for i in range(12)]
    eng = SearchEngine.build(copies + others)
    ids = [h.prompt.id for h in eng.search("red fox jumping over a frozen lake", limit=10)]
    assert len(ids) == 10
    assert ids[0].startswith("dup") and all(i.startswith("fox") for i in ids[1:])


def _described_library() -> SearchEngine:
    """Descriptions' candidates with titles alike (their fuzzy similarity
    decides between them) and near-duplicate copies (one group each)."""
    import random

    rng = random.Random(12)
    words = [
        *("red", "fox", "snowy", "forest", "lake", "dawn", "neon", "city", "rain", "cat"),
        *("moon", "girl", "robot", "sea", "castle", "knight", "dragon", "garden", "tea"),
        *("cup", "violin", "street", "market", "lantern", "tiger", "desert", "train"),
        *("bridge", "storm", "island", "tower", "owl", "clock", "mirror", "candle", "river"),
        *("boat", "ghost"),
    ]
    prompts = []
    for i in range(160):
        title = " ".join(rng.sample(words, rng.randint(2, 4)))
        body = " ".join(rng.choices(words[: rng.randint(8, len(words))], k=rng.randint(4, 30)))
        prompts.append(P(f"d{i:03d}", title.title(), body, tags=tuple(rng.sample(words, 1))))
        if i % 9 == 0:  # a copy: same text, another title
            prompts.append(P(f"d{i:03d}c", f"{title.title()} Copy", body))
    return SearchEngine.build(prompts)


DESCRIBED = _described_library()


@pytest.mark.parametrize("limit", [1, 3, 10, 25])
@pytest.mark.parametrize(
    "query",
    [
        "red fox in a snowy forest at dawn",
        "a girl and her robot by the sea in the rain",
        "neon city rain cat moon",
        "moon over the lake with a red fox",
        "robot cat",  # not a description: every title compared anyway
    ],
)
def test_a_description_compares_only_the_titles_that_can_reach_the_page(
    query: str, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A description compares the titles of only the candidates that its
    title similarity could bring onto the page: the page is the one that
    comparing every candidate's title gives, scores and all."""
    from bot.search import described as described_module

    pruned = [(h.prompt.id, h.score) for h in DESCRIBED.search(query, limit=limit)]
    monkeypatch.setattr(
        described_module, "contenders", lambda lows, highs, groups, page: list(range(len(lows)))
    )
    everything = [(h.prompt.id, h.score) for h in DESCRIBED.search(query, limit=limit)]
    assert pruned == everything
    assert len(pruned) == limit


def test_titles_that_cannot_reach_the_page_are_not_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fewer groups on the page, the fewer candidates can reach it."""
    from bot.search import described as described_module
    from bot.search.titles import RERANK

    compared: list[int] = []
    real = described_module.title_similarity

    def titled(ix: object, qkey: str, docs: list[int]) -> list[float]:
        compared.append(len(docs))
        return real(ix, qkey, docs)  # type: ignore[arg-type]

    monkeypatch.setattr(described_module, "title_similarity", titled)
    DESCRIBED.search("red fox in a snowy forest at dawn", limit=3)
    DESCRIBED.search("red fox in a snowy forest at dawn", limit=25)
    assert compared[0] < compared[1] <= RERANK
