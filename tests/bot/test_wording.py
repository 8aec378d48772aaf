"""Words that agree with a count."""

from __future__ import annotations

from bot.wording import noun


def test_a_noun_is_plural_unless_its_count_is_one() -> None:
    assert [noun(n, "file") for n in (0, 1, 2, 1000)] == ["files", "file", "files", "files"]
