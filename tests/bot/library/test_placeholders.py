"""Placeholders: parsing both spellings, and filling that never interprets a value."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.library.placeholders import PATTERN, Placeholder, fill, placeholders

TEXT = (
    'A {argument name="subject" default="a tabby cat"} on a {{ surface }}, '
    'the {argument name="subject" default="ignored"} again, {{surface}} twice; '
    'and {argument name=\\"mood\\" default=\\"calm\\"}.'
)


def test_distinct_names_in_order_with_their_first_default() -> None:
    assert placeholders(TEXT) == [
        Placeholder("subject", "a tabby cat"),
        Placeholder("surface", None),
        Placeholder("mood", "calm"),
    ]
    assert placeholders("no placeholders {here} or {{}} or {argument}") == []


def test_every_occurrence_is_replaced_and_unnamed_ones_stay() -> None:
    out = fill(TEXT, {"subject": "a dog", "surface": "rug"})
    assert out == (
        "A a dog on a rug, the a dog again, rug twice; "
        'and {argument name=\\"mood\\" default=\\"calm\\"}.'
    )


def test_a_default_holding_braces_is_one_placeholder() -> None:
    text = 'Show {argument name="product" default="{{PRODUCT}}"} now'
    assert placeholders(text) == [Placeholder("product", "{{PRODUCT}}")]
    assert fill(text, {"product": "tea"}) == "Show tea now"


HOSTILE = st.sampled_from(
    [
        "{0}",
        "{}",
        "{subject}",
        "{{surface}}",
        '{argument name="mood" default="x"}',
        "\\1",
        "\\g<0>",
        "%s",
        "@everyone",
        "<@123>",
        "**bold**",
        "`",
    ]
)


@given(st.lists(HOSTILE | st.text(max_size=20), max_size=6).map("".join), st.text(max_size=20))
def test_fill_inserts_values_literally(value: str, other: str) -> None:
    out = fill(TEXT, {"subject": value, "surface": other, "mood": "m"})
    expected = f"A {value} on a {other}, the {value} again, {other} twice; and m."
    assert out == expected


def test_every_corpus_argument_placeholder_is_found(corpus_dir: Path) -> None:
    seen = written = 0
    for path in corpus_dir.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "{argument name=" not in text:
            continue
        found = [m for m in PATTERN.finditer(text) if m["aname"] is not None]
        assert len(found) <= text.count("{argument name="), path
        written += text.count("{argument name=")
        for p in placeholders(text):
            assert p.name and "\n" not in p.name and "name=" not in p.name, path
        seen += len(found)
    assert seen > 0.99 * written  # a handful are malformed (a stray } inside the default)
