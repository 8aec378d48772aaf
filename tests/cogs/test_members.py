"""Save, /favorites, /top and /forget-me against the fake Discord, with the real
SQLite state store."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.cogs.conftest import components, shown

EPHEMERAL = 64


def labelled(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components(message) if c.get("label") == label)


def other_user(bot: Any, n: int = 1) -> dict[str, Any]:
    return {**bot.world.tester, "id": str(510000000000000000 + n), "username": f"member{n}"}


async def card(bot: Any, query: str, **kw: Any) -> tuple[Any, dict[str, Any]]:
    handle = await bot.send_slash_command("prompt", {"query": query}, **kw)
    _, message = await shown(handle)
    return handle, message


async def click(bot: Any, handle: Any, message: dict[str, Any], label: str, **kw: Any) -> Any:
    item = labelled(message, label)
    return await bot.send_component(item["custom_id"], message=handle.original_message, **kw)


async def settle(bot: Any) -> None:
    """Let the background counting tasks finish."""
    for _ in range(50):
        if not bot.app._background:
            return
        await asyncio.sleep(0.02)


async def test_save_toggles_for_whoever_clicks_and_favorites_lists_it(bot: Any) -> None:
    handle, message = await card(bot, "animal portrait 05")
    save = labelled(message, "Save")
    assert save["custom_id"] == "promptbot:save:animals/animal-05"
    saved = await click(bot, handle, message, "Save")
    body = (await saved.response())["data"]
    assert body["flags"] & EPHEMERAL and "Saved" in body["content"]

    stranger = other_user(bot)
    theirs = await click(bot, handle, message, "Save", user=stranger)
    assert "Saved" in (await theirs.response())["data"]["content"]
    again = await click(bot, handle, message, "Save", user=stranger)
    assert "Removed" in (await again.response())["data"]["content"]
    # the public card keeps the generic label
    assert labelled(handle.original_message, "Save")["label"] == "Save"

    state = bot.app.state
    tester = int(bot.world.tester["id"])
    assert await state.is_favorite(tester, "animals/animal-05")
    assert not await state.is_favorite(int(stranger["id"]), "animals/animal-05")

    listed = await bot.send_slash_command("favorites")
    data = (await listed.response())["data"]
    assert data["flags"] & EPHEMERAL
    assert "Animal Portrait 05" in data["embeds"][0]["description"]
    empty = await bot.send_slash_command("favorites", user=stranger)
    assert "no saved prompts" in (await empty.response())["data"]["content"]


async def test_favorites_pages_open_remove_and_gone_prompts(bot: Any) -> None:
    state = bot.app.state
    tester = int(bot.world.tester["id"])
    for n in range(12):
        await state.add_favorite(tester, f"animals/animal-{n:02d}", f"Animal Portrait {n:02d}")
    await state.add_favorite(tester, "gone/prompt", "A Prompt That Left")
    handle = await bot.send_slash_command("favorites")
    data = (await handle.response())["data"]
    lines = data["embeds"][0]["description"].splitlines()
    assert len(lines) == 10 and "A Prompt That Left" in lines[0] and "no longer" in lines[0]
    assert "Animal Portrait 11" in lines[1]  # newest first
    selects = [c for c in components(data) if c["type"] == 3]
    opener, remover = selects
    opened = await bot.send_component(
        opener["custom_id"], message=handle.original_message, values=["1"]
    )
    _, shown_card = await shown(opened)
    assert shown_card["flags"] & EPHEMERAL
    assert labelled(shown_card, "Saved")["custom_id"] == "promptbot:save:animals/animal-11"
    gone = await bot.send_component(
        opener["custom_id"], message=handle.original_message, values=["0"]
    )
    assert "no longer in the library" in (await gone.response())["data"]["content"]

    removed = await bot.send_component(
        remover["custom_id"], message=handle.original_message, values=["0"]
    )
    update = (await removed.response())["data"]
    assert "A Prompt That Left" not in update["embeds"][0]["description"]
    assert not await state.is_favorite(tester, "gone/prompt")
    nxt = labelled(update, "›")
    page2 = await bot.send_component(nxt["custom_id"], message=handle.original_message)
    text = (await page2.response())["data"]["embeds"][0]["description"]
    assert "Animal Portrait 01" in text and "Animal Portrait 00" in text

    stranger = other_user(bot, 2)
    refused = await bot.send_component(
        remover["custom_id"], message=handle.original_message, values=["0"], user=stranger
    )
    assert "Only the person" in (await refused.response())["data"]["content"]
    assert await state.count_favorites(tester) == 12


async def test_top_counts_cards_served_in_this_server_and_own_in_dms(bot: Any) -> None:
    for query, times in (("animal portrait 01", 3), ("animal portrait 02", 1)):
        for _ in range(times):
            await card(bot, query)
    await card(bot, "animal portrait 09", where=bot.dm())
    await settle(bot)
    handle = await bot.send_slash_command("top", {"period": "day"})
    data = (await handle.response())["data"]
    lines = data["embeds"][0]["description"].splitlines()
    assert "Animal Portrait 01" in lines[0] and "**3** times" in lines[0]
    assert "Animal Portrait 02" in lines[1] and "**1** time" in lines[1]
    assert not any("Portrait 09" in line for line in lines)

    mine = await bot.send_slash_command("top", where=bot.dm())
    text = (await mine.response())["data"]["embeds"][0]["description"]
    assert "Animal Portrait 01" in text and "Animal Portrait 09" in text


async def test_forget_me_after_confirming(bot: Any) -> None:
    state = bot.app.state
    tester = int(bot.world.tester["id"])
    await state.add_favorite(tester, "animals/animal-01", "Animal Portrait 01")
    handle = await bot.send_slash_command("forget-me")
    data = (await handle.response())["data"]
    assert data["flags"] & EPHEMERAL
    cancel = await bot.send_component(
        labelled(data, "Cancel")["custom_id"], message=handle.original_message
    )
    assert "Nothing was deleted" in (await cancel.response())["data"]["content"]
    assert await state.count_favorites(tester) == 1
    handle = await bot.send_slash_command("forget-me")
    data = (await handle.response())["data"]
    confirm = await bot.send_component(
        labelled(data, "Delete my data")["custom_id"], message=handle.original_message
    )
    assert "1 saved prompt deleted" in (await confirm.response())["data"]["content"]
    assert await state.count_favorites(tester) == 0


async def test_a_store_that_is_down_answers_ephemerally_and_cards_still_show(bot: Any) -> None:
    await bot.app.state.close()  # every operation now raises bot.state.StateUnavailable
    handle, message = await card(bot, "animal portrait 05", where=bot.dm())
    assert message["embeds"][0]["title"] == "Animal Portrait 05"
    saved = await click(bot, handle, message, "Save")
    body = (await saved.response())["data"]
    assert body["flags"] & EPHEMERAL and "can't be saved right now" in body["content"]
    listed = await bot.send_slash_command("favorites")
    assert "can't be saved right now" in (await listed.response())["data"]["content"]


async def test_card_buttons_in_a_view_answer_anyone_once(bot: Any) -> None:
    handle = await bot.send_slash_command("random", {"category": "animals"})
    _, message = await shown(handle)
    stranger = other_user(bot, 3)
    saved = await click(bot, handle, message, "Save", user=stranger)
    assert "Saved" in (await saved.response())["data"]["content"]
    full = await click(bot, handle, message, "Full prompt")
    assert (await full.response())["data"]["flags"] & EPHEMERAL
    await asyncio.sleep(0.2)
    assert len(saved.callbacks()) == 1 and len(full.callbacks()) == 1
    again = await click(bot, handle, message, "Another one", user=stranger)
    assert "Only the person" in (await again.response())["data"]["content"]
