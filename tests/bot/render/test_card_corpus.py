"""Every prompt of the real corpus renders to a card Discord accepts, and the
prompt reaches the user as written.  Skips without PROMPTBOT_TEST_CORPUS /
PROMPTBOT_TEST_DISCORD_SPEC.  About a minute (spec validation dominates)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render.card import card_payload, render_card
from tests.bot.render.render_checks import embed_total, fidelity_errors, limit_errors
from tests.support.fixtures import discord_spec  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path):
    from bot.library.scan import load_library

    prompts, _ = load_library(corpus_dir)
    return prompts


def test_every_card_is_valid_and_faithful(corpus, discord_spec) -> None:  # noqa: F811
    assert len(corpus) >= 8900
    failures: list[str] = []
    clipped = max_total = 0
    for prompt in corpus:
        card = render_card(prompt)
        data = card_payload(card)
        errors = limit_errors(data) + fidelity_errors(prompt, card, data)
        errors += discord_spec.interaction_response_errors({"type": 4, "data": data})
        if errors:
            failures.append(f"{prompt.id}: {errors[:3]}")
        clipped += card.clipped
        max_total = max(max_total, embed_total(data["embeds"][0]))
    assert failures == [], f"{len(failures)} bad cards, e.g. {failures[:5]}"
    # Long prompts exist (41 over 4,096, 9 over 6,000): they must be the attached ones.
    long_ones = sum(1 for p in corpus if len(p.prompt) > 4096)
    assert clipped >= long_ones
    assert max_total <= 6000
