"""While the library is rewritten and reloaded again and again, every /random (with and
without filters) is a card and every Full prompt click on one is the prompt: the request
path reads only the immutable snapshot, never the index that a reload is writing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.cogs.conftest import components, shown
from tests.support.libraries import prompt_doc

EPHEMERAL = 64
FILES = 300
ROUNDS = 5


def write_race_files(library: Path, generation: int) -> None:
    folder = library / "race"
    folder.mkdir(exist_ok=True)
    for n in range(FILES):
        (folder / f"race-{n:03d}.md").write_text(
            prompt_doc(
                f"Race Prompt {n:03d}",
                "race",
                ("racing", f"lane{n % 4}"),
                f"Generation {generation}: a racing scene number {n}. " * 3,
            ),
            encoding="utf-8",
        )


async def test_random_and_full_prompt_during_reloads(bot: Any, library: Path) -> None:
    catalog = bot.app.catalog
    write_race_files(library, 0)
    await catalog.reload()
    done = asyncio.Event()

    async def rewrite() -> None:
        try:
            for generation in range(1, ROUNDS + 1):
                await asyncio.to_thread(write_race_files, library, generation)
                await catalog.reload()
        finally:
            done.set()

    filters: list[dict[str, str]] = [
        {},
        {"category": "race"},
        {"tag": "lane1"},
        {"category": "race", "tag": "lane2"},
        {"category": "animals", "tag": "kind1"},
    ]
    cards = clicks = 0
    writer = asyncio.create_task(rewrite())
    while not done.is_set() or cards < 20:
        options = filters[cards % len(filters)]
        member = {  # a new member each time: the per-member cooldown stays out of the way
            **bot.world.tester,
            "id": str(700000000000000000 + cards),
            "username": f"member{cards}",
        }
        handle = await bot.send_slash_command("random", options, user=member)
        _, message = await shown(handle)
        assert not message.get("flags", 0) & EPHEMERAL, message.get("content")
        assert message["embeds"], message
        cards += 1
        full = next(
            c for c in components(message) if c.get("custom_id", "").startswith("promptbot:full:")
        )
        click = await bot.send_component(
            full["custom_id"], message=handle.original_message, user=member
        )
        _, answer = await shown(click)
        assert "no longer in the library" not in (answer.get("content") or ""), answer
        clicks += 1
    await writer
    assert cards >= 20 and clicks == cards
