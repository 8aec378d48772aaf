"""The real ``promptbot run`` process: anywhere (a DM, a user install), Fill in
with hostile values, More like this, favourites across restarts, /top, concurrent saves."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.state import open_state
from tests.cogs.conftest import components, shown
from tests.e2e.conftest import BotProcess, bot_env, start_bot, wait_ready
from tests.support.libraries import prompt_doc

EPHEMERAL = 64
HOSTILE = '{0} {{x}} {argument name="b" default="y"} @everyone <@123> **b**'


@pytest.fixture
def library(library: Path) -> Path:
    body = 'A {argument name="pet" default="tabby cat"} on {{surface}}, the {{ pet }} asleep.'
    (library / "animals" / "template.md").write_text(
        prompt_doc("Sleeping Pet Template", "animals", ("animal", "template"), body),
        encoding="utf-8",
    )
    return library


def labelled(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components(message) if c.get("label") == label)


async def test_a_dm_and_a_user_install_answer_like_a_server(running: Any) -> None:
    fake, _ = running
    for where in (
        fake.dm(),
        fake.group_dm(),
        fake.in_guild(guild_install=False, user_install=True),
    ):
        handle = await fake.send_slash_command("prompt", {"query": "neon rain bench"}, where=where)
        _, card = await shown(handle)
        assert card["embeds"][0]["title"] == "Neon Dreams on a Rainy Dusk"
        auto = await fake.send_autocomplete("prompt", focused="query", value="anim", where=where)
        assert (await auto.response())["data"]["choices"]
        rolled = await fake.send_slash_command("random", {"category": "animals"}, where=where)
        _, card = await shown(rolled)
        again = labelled(card, "Another one")
        click = await fake.send_component(again["custom_id"], message=rolled.original_message)
        assert (await click.response())["type"] == 7
    assert fake.violations == []


async def test_fill_in_with_hostile_values_and_more_like_this(running: Any) -> None:
    fake, _ = running
    handle = await fake.send_slash_command("prompt", {"query": "sleeping pet template"})
    _, card = await shown(handle)
    click = await fake.send_component(
        labelled(card, "Fill in")["custom_id"], message=handle.original_message
    )
    modal = await click.modal()
    assert list(modal.labels.values()) == ["pet", "surface"]
    submitted = await fake.submit_modal(modal, {"0": HOSTILE, "1": "<@&1> `rug`"})
    data = (await submitted.response())["data"]
    assert data["flags"] & EPHEMERAL and data["allowed_mentions"] == {"parse": []}
    assert f"A {HOSTILE} on <@&1> `rug`, the {HOSTILE} asleep." in data["content"]

    portrait = await fake.send_slash_command("prompt", {"query": "animal portrait 07"})
    _, card = await shown(portrait)
    more = await fake.send_component(
        labelled(card, "More like this")["custom_id"], message=portrait.original_message
    )
    listed = (await more.response())["data"]
    select = next(c for c in components(listed) if c["type"] == 3)
    ids = [o["value"] for o in select["options"]]
    assert 1 <= len(ids) <= 5 and "animals/animal-07" not in ids
    opened = await fake.send_component(
        select["custom_id"], message=more.original_message, values=[ids[0]]
    )
    _, card = await shown(opened)
    assert card["embeds"][0]["footer"]["text"].startswith(ids[0])
    assert fake.violations == []


def member(fake: Any, n: int) -> dict[str, Any]:
    return {**fake.world.tester, "id": str(520000000000000000 + n), "username": f"m{n}"}


async def favorites_text(fake: Any, user: dict[str, Any] | None = None) -> str:
    handle = await fake.send_slash_command("favorites", user=user)
    data = (await handle.response())["data"]
    if not data.get("embeds"):
        return str(data["content"])
    # the view fetches its message (to disable it later): let it, before any restart
    await handle.wait_for_request("GET", "/messages/@original")
    return str(data["embeds"][0]["description"])


async def restart(fake: Any, bot: BotProcess, env: dict[str, str], work: Path) -> BotProcess:
    fake.gateway.expect_client_close()
    assert await bot.stop() == 0, bot.output()
    assert "Traceback" not in bot.output(), bot.output()
    fake.gateway.client_close_expected = False
    again = await start_bot(env, work)
    await wait_ready(fake, again)
    return again


async def test_favorites_survive_restarts_and_a_deleted_index(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    work = tmp_path / "work"
    work.mkdir()
    env = bot_env(fake, library, tmp_path)
    bot = await start_bot(env, work)
    await wait_ready(fake, bot)
    handle = await fake.send_slash_command("prompt", {"query": "animal portrait 04"})
    _, card = await shown(handle)
    save = labelled(card, "Save")
    saved = await fake.send_component(save["custom_id"], message=handle.original_message)
    assert "Saved" in (await saved.response())["data"]["content"]
    assert "Animal Portrait 04" in await favorites_text(fake)
    # another member sees none of it and cannot remove it
    assert "no saved prompts" in await favorites_text(fake, member(fake, 1))

    bot = await restart(fake, bot, env, work)
    assert "Animal Portrait 04" in await favorites_text(fake)

    Path(env["PROMPTBOT_DB"]).unlink()  # the index is derived; member data is not
    bot = await restart(fake, bot, env, work)
    assert "Animal Portrait 04" in await favorites_text(fake)
    fake.gateway.expect_client_close()
    assert await bot.stop() == 0
    assert fake.violations == []


async def test_top_after_a_known_pattern_and_fifty_members_saving_at_once(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    work = tmp_path / "work"
    work.mkdir()
    env = bot_env(fake, library, tmp_path)
    bot = await start_bot(env, work)
    await wait_ready(fake, bot)
    for n, times in ((1, 4), (2, 2), (3, 1)):
        for _ in range(times):
            await shown(await fake.send_slash_command("prompt", {"query": f"animal portrait 0{n}"}))
    handle = await fake.send_slash_command("prompt", {"query": "animal portrait 08"})
    _, card = await shown(handle)
    save = labelled(card, "Save")
    clicks = await asyncio.gather(
        *(
            fake.send_component(
                save["custom_id"], message=handle.original_message, user=member(fake, n)
            )
            for n in range(50)
        )
    )
    answers = await asyncio.gather(*(c.response() for c in clicks))
    assert all("Saved" in a["data"]["content"] for a in answers)

    top = await fake.send_slash_command("top", {"period": "week"})
    lines = (await top.response())["data"]["embeds"][0]["description"].splitlines()
    assert ["Portrait 01" in lines[0], "Portrait 02" in lines[1], "Portrait 03" in lines[2]] == [
        True
    ] * 3
    assert "**4** times" in lines[0] and "**2** times" in lines[1]

    fake.gateway.expect_client_close()
    assert await bot.stop() == 0, bot.output()
    async with open_state(env["PROMPTBOT_STATE"]) as state:
        for n in range(50):
            assert await state.favorite_ids(int(member(fake, n)["id"]), ["animals/animal-08"])
        assert not await state.favorite_ids(int(fake.world.tester["id"]), ["animals/animal-08"])
    assert fake.violations == []
