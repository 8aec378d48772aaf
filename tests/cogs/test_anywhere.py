"""Every command answers the same in a server, the bot's DM, a group DM and a user
install in a server the bot is not in (no guild, ``user`` instead of ``member``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cogs.conftest import components, shown

EPHEMERAL = 64
PLACES = ("guild", "dm", "group_dm", "user_install")


def place(bot: Any, name: str) -> Any:
    if name == "guild":
        return bot.in_guild()
    if name == "dm":
        return bot.dm()
    if name == "group_dm":
        return bot.group_dm()
    elsewhere = bot.guild_id_on_shard(0)
    return bot.in_guild(elsewhere, guild_install=False, user_install=True)


async def test_every_command_is_installable_anywhere(bot: Any) -> None:
    definitions = bot.app.command_definitions()
    assert {d["name"] for d in definitions} >= {"prompt", "random", "tags"}
    for definition in definitions:
        if definition["name"] == "library":  # for server admins: in servers only
            assert definition["integration_types"] == [0] and definition["contexts"] == [0]
            continue
        assert sorted(definition["integration_types"]) == [0, 1], definition["name"]
        assert sorted(definition["contexts"]) == [0, 1, 2], definition["name"]


@pytest.mark.parametrize("where", PLACES)
async def test_prompt_random_tags_a_button_and_autocomplete_answer_the_same(
    bot: Any, where: str
) -> None:
    at = place(bot, where)
    handle = await bot.send_slash_command("prompt", {"query": "cinematc night drive"}, where=at)
    if where != "guild":
        assert "member" not in handle.payload or where == "user_install"
        assert handle.payload.get("guild_id") is None or where == "user_install"
    _, message = await shown(handle)
    assert message["embeds"][0]["title"].startswith("Cinematic Night Drive")

    full = next(c for c in components(message) if c.get("label") == "Full prompt")
    click = await bot.send_component(full["custom_id"], message=handle.original_message)
    body = await click.response()
    assert body["data"]["flags"] & EPHEMERAL and "```" in body["data"]["content"]

    rolled = await bot.send_slash_command("random", {"category": "animals"}, where=at)
    _, card = await shown(rolled)
    assert card["embeds"][0]["title"].startswith(("Animal Portrait", "Endless Savanna"))
    again = next(c for c in components(card) if c.get("label") == "Another one")
    reroll = await bot.send_component(again["custom_id"], message=rolled.original_message)
    assert (await reroll.response())["type"] == 7

    tags = await bot.send_slash_command("tags", where=at)
    _, overview = await shown(tags)
    assert overview["embeds"][0]["title"].startswith("Categories")

    auto = await bot.send_autocomplete("prompt", focused="query", value="animal portr", where=at)
    choices = (await auto.response())["data"]["choices"]
    assert choices and choices[0]["value"].startswith("animals/animal-")
    assert bot.violations == []


async def test_hide_answers_with_an_ephemeral_card(bot: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "cinematc night drive", "hide": True})
    _, message = await shown(handle)
    assert message["embeds"][0]["title"].startswith("Cinematic Night Drive")
    body = await handle.response()
    assert body["data"]["flags"] & EPHEMERAL
    public = await bot.send_slash_command("prompt", {"query": "cinematc night drive"})
    assert not (await public.response()).get("data", {}).get("flags", 0) & EPHEMERAL
