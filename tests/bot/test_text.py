"""``clean`` (display text) and ``fold`` (search keys)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.text import _fold_fixed, clean, fold, fold_with


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50mmâ€“85mm", "50mm–85mm"),  # UTF-8 read as cp1252
        ("CafÃ© crÃ¨me", "Café crème"),
        ("donâ€™t", "don’t"),
        ("“curly” ‘quotes’ — em – en … ", "“curly” ‘quotes’ — em – en … "),
        ("a\u00a0b\u202fc\u2007d", "a b c d"),  # no-break spaces made plain
        ("zero\u200bwidth\u200c\u200d\u2060joiners", "zerowidthjoiners"),
        ("\ufeffBOM", "BOM"),
        ("obj\ufffcect", "object"),
        ("soft\u00adhyphen", "softhyphen"),
        ("e\u0301", "é"),  # NFC
        ("ＡＢＣ１２３", "ＡＢＣ１２３"),  # full width is kept for display
        ("一只猫 🐱 고양이", "一只猫 🐱 고양이"),
        ("plain ASCII, kept as is.\n", "plain ASCII, kept as is.\n"),
        ("café ’x’ naïve", "café ’x’ naïve"),  # real accents next to quotes: no false repair
        ("Ünïcödé — “ok”", "Ünïcödé — “ok”"),
        ("", ""),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Café", "cafe"),
        ("NAÏVE Résumé", "naive resume"),
        ("ＡＢＣ１２３", "abc123"),  # full width folded
        ("Straße", "strasse"),
        ("ℌello ﬁne Ⅻ", "hello fine xii"),
        ("50mmâ€“85mm", "50mm–85mm"),
        ("a\u00a0b\u200b", "a b"),
        ("がぎぐ", "がぎぐ"),  # dakuten carry meaning: kept
        ("ガ", "ガ"),  # half-width katakana with dakuten, NFKC-composed
        ("हिन्दी", "हिन्दी"),  # virama kept
        ("Ελληνικά", "ελληνικα"),
        ("🐱 NEON", "🐱 neon"),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@settings(max_examples=500, deadline=None)
@given(st.text())
@example("ℌ")
@example("ǅ\u0345")
@example("ΐ")
@example("ﬃ\u0301")
@example("Ã©")
@example("ÂÆ\x80\x80")  # folding it makes mojibake of 怀
def test_clean_and_fold_are_idempotent(text: str) -> None:
    cleaned = clean(text)
    assert clean(cleaned) == cleaned
    folded = fold(text)
    assert fold(folded) == folded
    assert fold(cleaned) == folded


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_drops_invisibles_and_fold_is_lower_case(text: str) -> None:
    cleaned = clean(text)
    assert not set(cleaned) & set("\u200b\u200c\u200d\u2060\ufeff\ufffc\u00ad\u00a0")
    assert fold(text) == fold(text.upper()) or not text.isascii()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_is_untouched_by_clean(text: str) -> None:
    assert clean(text) == text
    assert fold(text) == text.lower()


_MIXED = st.text(
    alphabet=st.one_of(
        st.characters(max_codepoint=127),
        st.sampled_from("éÉßİﬁℌΩÅǅΐ\u0301\u0338\u0345\u3099ｶﾞ가각\u1100\u1161\u11a8中…—"),
        st.characters(),
    )
)


@settings(max_examples=500, deadline=None)
@given(_MIXED)
@example("=\u0338 e\u0301 ℌ ﬃ\u0301")
@example("Æ¡\x86")  # folded, it reads as mojibake of 框: clean repairs it again
def test_fold_by_pieces_is_fold_of_the_whole(text: str) -> None:
    assert fold(text) == fold_with(text, _fold_fixed)
