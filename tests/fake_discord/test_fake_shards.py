"""Shards with real discord.py clients: one AutoShardedBot, or one process per shard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord
from tests.fake_discord.interactions import InteractionHandle
from tests.support.discord_spec import DiscordSpec
from tests.support.fixtures import sharded_fake


class QuickShards(commands.AutoShardedBot):
    """discord.py waits 5 s before each further IDENTIFY; the fake allows max_concurrency
    shards at once, so the tests skip the wait (the documented hook for this)."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


def sharded_bot(shard_ids: list[int] | None, shard_count: int | None = 2) -> QuickShards:
    bot = QuickShards(
        command_prefix="!",
        intents=discord.Intents.default(),
        shard_count=shard_count,
        shard_ids=shard_ids,
        guild_ready_timeout=0.1,
    )

    @app_commands.command(name="shard", description="Which bot answers")
    async def shard(interaction: discord.Interaction) -> None:
        guild = interaction.guild
        seen = guild.shard_id if guild is not None else "dm"
        await interaction.response.send_message(f"bot {bot.shard_ids} guild shard {seen}")

    bot.tree.add_command(shard)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


@pytest.fixture
async def sharded(discord_spec: DiscordSpec) -> AsyncIterator[FakeDiscord]:
    """A fake that requires 2 shards, both may IDENTIFY at once, one guild added per shard."""
    async with sharded_fake(discord_spec) as fake:
        yield fake


def guilds_on(fake: FakeDiscord, shard_id: int) -> list[str]:
    return sorted(g for g in fake.world.guilds if fake.shard_for(g) == shard_id)


async def ask(fake: FakeDiscord, guild_id: str | None) -> InteractionHandle:
    where = fake.dm() if guild_id is None else fake.in_guild(guild_id)
    return await fake.send_slash_command("shard", where=where)


async def test_one_auto_sharded_bot_gets_each_guild_on_its_shard(sharded: FakeDiscord) -> None:
    fake = sharded
    bot = sharded_bot([0, 1])
    async with fake.run_bot(bot):
        await fake.wait_until_ready()
        assert fake.connected_shards() == [0, 1]
        for shard_id in (0, 1):
            [ready] = fake.recorder.gateway_frames("out", t="READY", shard=shard_id)
            assert ready.d["shard"] == [shard_id, 2]
            assert sorted(g["id"] for g in ready.d["guilds"]) == guilds_on(fake, shard_id)
            creates = fake.recorder.gateway_frames("out", t="GUILD_CREATE", shard=shard_id)
            assert sorted(f.d["id"] for f in creates) == guilds_on(fake, shard_id)
            sent = fake.recorder.gateway_frames("out", op=0, shard=shard_id)
            assert [f.s for f in sent] == list(range(1, len(sent) + 1))  # numbered per shard
        assert len({s.session_id for s in fake.gateway.sessions.values()}) == 2
        assert {g.id: g.shard_id for g in bot.guilds} == {
            int(g): fake.shard_for(g) for g in fake.world.guilds
        }

        for guild_id in [*fake.world.guilds, None]:
            handle = await ask(fake, guild_id)
            shard_id = fake.shard_for(guild_id)
            assert handle.shard_id == shard_id
            connection = fake.gateway.sessions[shard_id].connections[-1]
            assert handle.deliveries() == [(shard_id, connection)]
            expected = "dm" if guild_id is None else shard_id
            body = await handle.response()
            assert body["data"]["content"] == f"bot [0, 1] guild shard {expected}"
    assert fake.violations == []


async def test_the_shard_count_comes_from_gateway_bot(sharded: FakeDiscord) -> None:
    fake = sharded
    bot = sharded_bot(None, shard_count=None)
    async with fake.run_bot(bot):
        assert bot.shard_count == 2
        assert fake.connected_shards() == [0, 1]
        limits = await bot.fetch_session_start_limits()
        assert limits.max_concurrency == 2
        assert limits.remaining == 998
    [request] = fake.recorder.find_requests("GET", "/gateway/bot")[:1]
    assert request.response["shards"] == 2
    assert fake.violations == []


async def test_dropping_one_shard_leaves_the_other_running(sharded: FakeDiscord) -> None:
    fake = sharded
    zero, one = guilds_on(fake, 0)[0], guilds_on(fake, 1)[0]
    async with fake.run_bot(sharded_bot([0, 1])):
        await fake.wait_until_ready()
        sessions = fake.gateway.sessions
        before = {s: (sessions[s].session_id, sessions[s].connections[:]) for s in (0, 1)}

        await fake.drop_shard(1, wait_resumed=False)
        assert fake.connected_shards() == [0]
        answered_by_zero = await ask(fake, zero)
        waiting_on_one = await ask(fake, one)  # kept for shard 1's RESUME, or sent after it
        assert (await answered_by_zero.response())["type"] == 4
        await fake.recorder.wait_for(lambda: sessions[1].resumes == 1, 15, "shard 1 to RESUME")
        assert (await waiting_on_one.response())["type"] == 4

        assert fake.connected_shards() == [0, 1]
        assert (sessions[0].session_id, sessions[0].connections) == before[0]
        assert sessions[0].resumes == 0
        assert sessions[1].session_id == before[1][0]
        assert len(sessions[1].connections) == 2
        [(shard, connection)] = waiting_on_one.deliveries()
        assert (shard, connection) == (1, sessions[1].connections[-1])
        assert fake.gateway.identifies == 2
    assert fake.violations == []


async def test_two_processes_one_shard_each(sharded: FakeDiscord) -> None:
    fake = sharded
    zero, one = guilds_on(fake, 0)[0], guilds_on(fake, 1)[0]
    async with fake.run_bot(sharded_bot([0])) as first:
        async with fake.run_bot(sharded_bot([1])):
            assert fake.connected_shards() == [0, 1]
            for guild_id, shard_id in ((zero, 0), (one, 1), (None, 0)):
                handle = await ask(fake, guild_id)
                content = (await handle.response())["data"]["content"]
                assert content.startswith(f"bot [{shard_id}] ")
        # the second process stopped on purpose: shard 0's process keeps answering
        assert fake.connected_shards() == [0]
        assert not first.is_closed()
        handle = await ask(fake, zero)
        assert (await handle.response())["data"]["content"] == "bot [0] guild shard 0"
    assert fake.violations == []


async def test_bad_shard_identifies_are_violations(sharded: FakeDiscord) -> None:
    fake = sharded
    fake.violations_expected = True
    with pytest.raises(RuntimeError, match="stopped before ready"):
        async with fake.run_bot(sharded_bot([2])):
            pass
    assert any("shard_id out of range" in v for v in fake.violations)
    with pytest.raises(RuntimeError, match="stopped before ready"):
        async with fake.run_bot(sharded_bot([0], shard_count=3)):
            pass
    assert any("the fake routes with 2 shards" in v for v in fake.violations)
    unsharded = commands.Bot(command_prefix="!", intents=discord.Intents.default())
    with pytest.raises(RuntimeError, match="stopped before ready"):
        async with fake.run_bot(unsharded):
            pass
    assert any("IDENTIFY without shard" in v for v in fake.violations)

    async with fake.run_bot(sharded_bot([0])):
        with pytest.raises(RuntimeError, match="stopped before ready"):
            async with fake.run_bot(sharded_bot([0])):
                pass
        assert any("IDENTIFY for shard 0, already connected" in v for v in fake.violations)
        assert fake.connected_shards() == [0]


async def test_shards_identifying_at_once_need_max_concurrency(discord_spec: DiscordSpec) -> None:
    fake = FakeDiscord(discord_spec, shard_count=2)  # max_concurrency 1
    async with fake, fake.run_bot(sharded_bot([0, 1])):
        assert fake.connected_shards() == [0, 1]
    assert any("in one bucket (max_concurrency 1)" in v for v in fake.violations)


async def test_a_held_gateway_keeps_a_dropped_shard_down_until_released(
    sharded: FakeDiscord,
) -> None:
    fake = sharded
    async with fake.run_bot(sharded_bot([0, 1])):
        await fake.wait_until_ready()
        async with fake.hold_gateway():
            await fake.drop_shard(1, wait_resumed=False)
            await asyncio.sleep(2.5)  # discord.py retries within 0-2 s of a drop
            assert fake.connected_shards() == [0]
        await fake.recorder.wait_for(lambda: fake.gateway.sessions[1].resumes == 1, 15, "RESUME")
        assert fake.connected_shards() == [0, 1]
    assert fake.violations == []
