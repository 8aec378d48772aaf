"""How the index stores a prompt: every field round-trips, whatever its text."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Prompt
from bot.store.schema import prompt_from_json, prompt_to_json

TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
OPTIONAL = st.none() | TEXT

PROMPTS = st.builds(
    Prompt,
    id=TEXT,
    path=TEXT,
    title=TEXT,
    category=TEXT,
    prompt=TEXT,
    prompt_format=st.sampled_from(["text", "json"]),
    tags=st.lists(TEXT, max_size=4).map(tuple),
    author=OPTIONAL,
    author_url=OPTIONAL,
    source_url=OPTIONAL,
    preview=OPTIONAL,
    preview_video=OPTIONAL,
    description=TEXT,
    extra_sections=st.lists(st.tuples(TEXT, TEXT), max_size=3).map(tuple),
)


@given(PROMPTS)
def test_a_stored_prompt_reads_back_equal(prompt: Prompt) -> None:
    stored = prompt_to_json(prompt)
    assert prompt_from_json(stored) == prompt
    # what the last promptbot wrote (the standard library's ASCII array) reads the same
    assert prompt_from_json(_stdlib_array(prompt)) == prompt


def _stdlib_array(prompt: Prompt) -> str:
    fields = [getattr(prompt, f.name) for f in dataclasses.fields(Prompt)]
    return json.dumps(fields, separators=(",", ":"))


def test_a_lone_surrogate_that_orjson_refuses_is_stored_the_other_way() -> None:
    prompt = Prompt("a", "a.md", "T \ud800", "c", "p \udfff")
    stored = prompt_to_json(prompt)
    assert "\\ud800" in stored  # escaped by the standard library's encoder
    assert prompt_from_json(stored) == prompt


def test_a_prompt_stored_by_name_by_an_older_promptbot_still_reads() -> None:
    older = {
        "id": "a/b",
        "path": "a/b.md",
        "title": "Neon « rain »",
        "category": "c",
        "prompt": "p",
        "tags": ["x", "y"],
        "extra_sections": [["Notes", "n"]],
    }
    prompt = prompt_from_json(json.dumps(older, ensure_ascii=False))
    assert prompt == Prompt(
        "a/b",
        "a/b.md",
        "Neon « rain »",
        "c",
        "p",
        tags=("x", "y"),
        extra_sections=(("Notes", "n"),),
    )


def test_a_stored_prompt_of_another_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="fields"):
        prompt_from_json('["a/b", "a/b.md"]')
