"""Every prompt of the real corpus renders to a card Discord accepts, and the
prompt reaches the user as written: on the card, or else exactly in an attached
file the card mentions; "Full prompt" always gives it exactly, with the notes.
Skips without PROMPTBOT_TEST_CORPUS / PROMPTBOT_TEST_DISCORD_SPEC.  About a
minute and a half (spec validation dominates).  Run with ``-s`` to see how many
cards attach the prompt, and why."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.render.card import card_payload, render_card
from bot.render.message import full_prompt_reply, reply_payload
from tests.bot.render.render_checks import (
    embed_total,
    fidelity_errors,
    full_reply_errors,
    limit_errors,
    section_errors,
)
from tests.support.fixtures import discord_spec  # noqa: F401  (fixture)

COMMERCIAL = "samuxbuilds-awesome-prompts/motion/awesome-prompts-commercial"
BACKTICKS = (
    "samuxbuilds-awesome-prompts/3d/3d-render-of-a-brand-christmas-tree",
    "youmind-nano-banana-pro/game-asset/9275-disintegration-effect-function-prompt",
)


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path):
    from bot.library.scan import load_library

    prompts, _ = load_library(corpus_dir)
    return prompts


def test_every_card_is_valid_and_faithful(corpus, discord_spec) -> None:  # noqa: F811
    assert len(corpus) >= 8900
    failures: list[str] = []
    why: Counter[str] = Counter()
    attached: dict[str, tuple[str | None, list[str]]] = {}
    full_files: Counter[str] = Counter()
    max_total = 0
    for prompt in corpus:
        card = render_card(prompt)
        data = card_payload(card)
        errors = limit_errors(data) + fidelity_errors(prompt, card, data)
        errors += section_errors(prompt, data)
        errors += discord_spec.interaction_response_errors({"type": 4, "data": data})
        reply = full_prompt_reply(prompt)
        files = {f.filename: f.data or b"" for f in reply.files}
        full = reply_payload(reply)
        errors += limit_errors(full) + full_reply_errors(prompt, files, full)
        if reply.files or prompt.extra_sections:
            errors += discord_spec.interaction_response_errors({"type": 4, "data": full})
        if errors:
            failures.append(f"{prompt.id}: {errors[:3]}")
        why[card.attached or "exact on the card"] += 1
        attached[prompt.id] = (card.attached, [f.filename for f in card.files])
        full_files.update((reply.files and [f.filename for f in reply.files]) or ["none"])
        max_total = max(max_total, embed_total(data["embeds"][0]))
    print(f"\ncards: {dict(why)}; full prompt attaches: {dict(full_files)}")
    assert failures == [], f"{len(failures)} bad cards, e.g. {failures[:5]}"
    # Long prompts exist (41 over 4,096, 9 over 6,000): they must be the attached ones.
    long_ones = sum(1 for p in corpus if len(p.prompt) > 4096)
    assert why["clipped"] >= long_ones
    assert max_total <= 6000
    # The Video Specification is the prompt (5,853 characters of JSON): attached.
    assert attached[COMMERCIAL] == ("clipped", ["prompt.json"])
    for pid in BACKTICKS:  # ``` in the prompt: shown with look-alikes, exact in the file
        assert attached[pid] == ("altered", ["prompt.txt"])
