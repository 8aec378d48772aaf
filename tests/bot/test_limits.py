"""Discord's limits and the clipping helpers."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot import limits
from bot.limits import ELLIPSIS, clip, clip_lines, code_block, measure, neutralise_fences, safe_cut


def test_documented_limits() -> None:
    assert (limits.EMBED_TITLE, limits.EMBED_DESCRIPTION, limits.EMBED_TOTAL) == (256, 4096, 6000)
    assert (limits.EMBED_FIELD_NAME, limits.EMBED_FIELD_VALUE) == (256, 1024)
    assert limits.EMBED_FIELDS == 25
    assert (limits.EMBED_FOOTER, limits.EMBED_AUTHOR_NAME) == (2048, 256)
    assert (limits.AUTOCOMPLETE_CHOICES, limits.CHOICE_NAME, limits.CHOICE_VALUE) == (25, 100, 100)
    assert (limits.ACTION_ROWS, limits.BUTTONS_PER_ROW, limits.BUTTON_LABEL) == (5, 5, 80)
    assert (limits.SELECT_OPTIONS, limits.SELECT_OPTION_LABEL) == (25, 100)
    assert limits.SELECT_OPTION_DESCRIPTION == 100
    assert (limits.CUSTOM_ID, limits.MESSAGE_CONTENT, limits.INTERACTION_ANSWER_SECONDS) == (
        100,
        2000,
        3.0,
    )


def test_measure_counts_utf16_units() -> None:
    assert measure("abc") == 3
    assert measure("é") == 1
    assert measure("😀") == 2
    assert measure("👩‍💻") == 5  # woman, ZWJ, laptop


def test_clip_keeps_short_text() -> None:
    assert clip("hello world", 11) == "hello world"


def test_clip_cuts_at_word_boundary() -> None:
    out = clip("the quick brown fox jumps", 12)
    assert out == "the quick…"
    assert measure(out) <= 12


def test_clip_without_spaces_cuts_hard() -> None:
    out = clip("x" * 50, 10)
    assert out == "x" * 9 + ELLIPSIS


def test_clip_cjk_prefers_punctuation() -> None:
    text = "これは長い文章です。" * 10
    out = clip(text, 25)
    assert measure(out) <= 25 and out.endswith("。" + ELLIPSIS)


def test_clip_never_splits_emoji_sequences() -> None:
    family = "👨‍👩‍👧"
    text = "a" + family * 10
    for n in range(1, 40):
        out = clip(text, n)
        assert measure(out) <= n
        body = out.removesuffix(ELLIPSIS)
        assert not body.endswith("\u200d")
        assert body == "a" + family * ((len(body) - 1) // len(family)) or body == ""


def test_clip_never_splits_combining_marks_or_flags() -> None:
    text = "e\u0301" * 20
    for n in range(2, 20):
        body = clip(text, n).removesuffix(ELLIPSIS)
        assert not body or not body.endswith("e")  # the accent stays with its letter
    flags = "🇫🇷🇩🇪🇯🇵"
    for i in range(len(flags) + 1):
        assert safe_cut(flags, i) % 2 == 0


@given(st.text(max_size=300), st.integers(min_value=1, max_value=300))
def test_clip_property(text: str, n: int) -> None:
    out = clip(text, n)
    assert measure(out) <= n
    if measure(text) <= n:
        assert out == text
    else:
        assert out.endswith(ELLIPSIS)
        assert text.startswith(out.removesuffix(ELLIPSIS))


@given(st.text(max_size=300), st.integers(min_value=2, max_value=300))
def test_clip_lines_property(text: str, n: int) -> None:
    out = clip_lines(text, n)
    assert measure(out) <= n


def test_clip_lines_prefers_line_end() -> None:
    text = "\n".join(f"line number {i}" for i in range(100))
    out = clip_lines(text, 200)
    assert out.endswith("\n" + ELLIPSIS)
    assert text.startswith(out.removesuffix("\n" + ELLIPSIS))


def test_neutralise_fences() -> None:
    assert neutralise_fences("a ``` b ```` c `` d ` e") == "a ˋˋˋ b ˋˋˋˋ c `` d ` e"


def _is_one_valid_block(block: str, lang: str = "") -> bool:
    """A single fenced block: opens with ```lang, closes with ```, no fence inside."""
    m = re.fullmatch(r"```([a-z]*)\n(.*)\n```", block, re.DOTALL)
    return bool(m) and m.group(1) == lang and "```" not in m.group(2)


def test_code_block_fits_and_stays_valid() -> None:
    block, clipped = code_block("print('hi')", 100, "py")
    assert block == "```py\nprint('hi')\n```" and not clipped
    code = "```\nbreak out\n```\n" + "word " * 500
    block, clipped = code_block(code, 300)
    assert clipped and measure(block) <= 300 and _is_one_valid_block(block)


def test_code_block_trailing_backtick_does_not_merge_with_fence() -> None:
    block, _ = code_block("ends with a backtick`", 100)
    assert block.endswith("`\n```") and _is_one_valid_block(block)


def test_code_block_rejects_odd_language() -> None:
    block, _ = code_block("x", 100, "json\n```")
    assert block.startswith("```\n")


@given(st.text(max_size=500), st.integers(min_value=16, max_value=600))
def test_code_block_property(code: str, n: int) -> None:
    block, clipped = code_block(code, n, "json")
    assert measure(block) <= n
    assert _is_one_valid_block(block, "json")
    if not clipped:
        inner = block[len("```json\n") : -len("\n```")]
        expected = neutralise_fences(code.strip("\n").rstrip()).strip()
        assert inner.strip() == expected or not code.strip()
