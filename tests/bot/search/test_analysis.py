"""Tokenising: the fast paths give the tokens of the general one."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.search.analysis import (
    SEPARATORS,
    _mixed_tokens,
    _regex_tokens,
    doc_tokens,
    key,
    token_text,
    tokens,
)

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(max_codepoint=127),
        st.sampled_from(SEPARATORS + "éÉ×→中文字カタ한글\u3000\u2028\x85_"),
        st.characters(),
    )
)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
@example("Ünïcode_words—and… 中文字 x×y")
def test_mixed_tokens_are_the_word_regex_tokens(text: str) -> None:
    assert _mixed_tokens(text) == _regex_tokens(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_TEXT, st.text(alphabet=st.characters(max_codepoint=127))))
@example("Neon_Rain--at 3AM!x2")
def test_tokens_are_the_word_regex_tokens(text: str) -> None:
    """ASCII text is cut in C; what it gives is the regex's, upper case included."""
    assert tokens(text) == _regex_tokens(text)


def _reference(text: str) -> list[str]:
    """The tokens of a displayed field the general way: the whole text folded,
    separators made spaces, an ASCII key cut into runs of ``[0-9a-z]``."""
    folded = key(text)
    for sep in SEPARATORS:
        folded = folded.replace(sep, " ")
    return re.findall("[0-9a-z]+", folded) if folded.isascii() else _regex_tokens(folded)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
@example("A “quoted” prompt — with… dashes")
@example('{argument name="x" default="Red Cat"} sat')
def test_doc_tokens_are_the_tokens_of_the_folded_text(text: str) -> None:
    assert doc_tokens(text) == _reference(text)
    assert token_text(text).split() == _reference(text)
