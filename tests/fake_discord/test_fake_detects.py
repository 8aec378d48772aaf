"""The fake must notice what Discord would reject, and its own objects must match the spec."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord
from tests.support.discord_spec import DiscordSpec


def bad_embed_bot(guild_id: int) -> commands.Bot:
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1
    )
    guild = discord.Object(guild_id)

    @app_commands.command(name="broken", description="Sends an embed Discord rejects")
    async def broken(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="t" * 300).add_field(name="", value="v")
        await interaction.response.send_message(embed=embed)

    bot.tree.add_command(broken, guild=guild)

    async def setup_hook() -> None:
        await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_invalid_callback_is_a_violation(fake: FakeDiscord) -> None:
    fake.violations_expected = True
    async with fake.run_bot(bad_embed_bot(fake.guild_id)):
        handle = await fake.send_slash_command("broken")
        await handle.response()
    joined = "\n".join(fake.violations)
    assert "$.data.embeds[0].title" in joined
    assert "$.data.embeds[0].fields[0].name: must not be empty" in joined


async def test_unparseable_event_kills_the_bot_and_is_reported(fake: FakeDiscord) -> None:
    """discord.py indexes ``attachment_size_limit`` directly: without it the bot dies."""
    fake.violations_expected = True
    async with fake.run_bot(bad_embed_bot(fake.guild_id)):
        _, _, payload = fake.world.interaction_payload(2, {"id": "1", "name": "x", "type": 1})
        del payload["attachment_size_limit"]
        await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.recorder.wait_for(lambda: fake.violations, 10, "the disconnect")
    assert any("bot task ended while running: KeyError" in v for v in fake.violations)


async def _post(fake: FakeDiscord, path: str, body: Any) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.api_base + path, json=body) as response,
    ):
        return response.status


async def test_rest_misuse_is_a_violation(discord_spec: DiscordSpec) -> None:
    async with FakeDiscord(discord_spec, interaction_deadline=0.05) as fake:
        _, _, payload = fake.world.interaction_payload(2, {"id": "1", "name": "x", "type": 1})
        from tests.fake_discord.world import InteractionState

        loop = asyncio.get_running_loop()
        state = InteractionState(payload["id"], payload["token"], 2, payload, loop.time())
        fake.world.interactions[state.id] = state
        app, token = fake.world.application_id, state.token
        callback = f"/interactions/{state.id}/{token}/callback?with_response=1"

        assert await _post(fake, f"/webhooks/{app}/{token}", {"content": "x"}) == 404
        assert "before the initial interaction response" in fake.violations[-1]
        await asyncio.sleep(0.1)
        assert await _post(fake, callback, {"type": 4, "data": {"content": "late"}}) == 404
        assert "initial response after" in fake.violations[-1]
        fake.routes.deadline = None
        assert await _post(fake, callback, {"type": 4, "data": {"content": "ok"}}) == 200
        assert await _post(fake, callback, {"type": 4, "data": {"content": "again"}}) == 400
        assert "already acknowledged" in fake.violations[-1]
        assert await _post(fake, "/channels/1/nothing", {}) == 404
        assert any("no such path" in v for v in fake.violations)
        assert any("Authorization" in v for v in fake.violations)  # a bot route, no token


async def test_fake_objects_match_the_spec(fake: FakeDiscord, discord_spec: DiscordSpec) -> None:
    world = fake.world
    checks: list[tuple[str, Any]] = [
        ("UserResponse", world.bot_user),
        ("UserResponse", world.tester),
        ("GuildResponse", world.guild),
        ("GuildChannelResponse", world.channel),
        *[("GuildMemberResponse", m) for m in world.members],
    ]
    for name, instance in checks:
        assert discord_spec.component_errors(name, instance) == [], name
    _, _, payload = world.interaction_payload(2, {"id": "1", "name": "x", "type": 1})
    member = {k: v for k, v in payload["member"].items() if k != "permissions"}
    assert discord_spec.component_errors("GuildMemberResponse", member) == []
    # and a deliberately broken one is caught, so the checks above can fail
    assert discord_spec.component_errors("GuildResponse", {**world.guild, "roles": "x"}) != []


async def test_unanswered_interaction_is_reported_at_exit(discord_spec: DiscordSpec) -> None:
    async with FakeDiscord(discord_spec) as fake:
        fake.world.store_commands(None, [{"name": "ping", "description": "p", "type": 1}])
        await fake.send_slash_command("ping", guild=False)  # no bot: nobody answers
        assert fake.violations == []
    assert len(fake.violations) == 1
    assert "was never answered" in fake.violations[0]
