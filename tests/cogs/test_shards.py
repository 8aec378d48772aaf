"""One PromptBot process running shards 0 and 1 of 2 against the sharded fake Discord: each
guild is answered on its own shard, DMs on shard 0, a dropped shard resumes alone while the
other keeps answering, and commands are synced by the process that runs shard 0 only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.app import PromptBot, ShardedPromptBot
from bot.catalog import Catalog
from bot.state import open_state
from tests.cogs.conftest import bot_settings, shown
from tests.fake_discord import FakeDiscord
from tests.support.discord_spec import DiscordSpec
from tests.support.fixtures import sharded_fake
from tests.support.scrape import health, scrape

PUT_COMMANDS = "/applications/{application_id}/commands"


@asynccontextmanager
async def running(
    fake: FakeDiscord, library: Path, tmp_path: Path, **env: str
) -> AsyncIterator[PromptBot]:
    settings = bot_settings(library, tmp_path, PROMPTBOT_SHARD_COUNT="2", **env)
    async with Catalog(settings) as catalog, open_state(settings) as state:
        app = PromptBot.create(settings, catalog, state, guild_ready_timeout=0.1)
        async with fake.run_bot(app):
            if app.shard_ids == [0, 1]:
                await fake.wait_until_ready()
            yield app


def guild_on(fake: FakeDiscord, shard_id: int) -> str:
    return next(g for g in fake.world.guilds if fake.shard_for(g) == shard_id)


async def answered_on(fake: FakeDiscord, guild_id: str | None) -> int | None:
    """Ask /prompt in ``guild_id`` (None: a DM); the shard that delivered it, once answered."""
    where = fake.dm() if guild_id is None else fake.in_guild(guild_id)
    handle = await fake.send_slash_command("prompt", {"query": "neon rain bench"}, where=where)
    _, card = await shown(handle)
    assert card["embeds"][0]["title"] == "Neon Dreams on a Rainy Dusk"
    return handle.shard_id


async def test_one_process_runs_both_shards_and_answers_each_on_its_own(
    discord_spec: DiscordSpec, library: Path, tmp_path: Path
) -> None:
    async with (
        sharded_fake(discord_spec) as fake,
        running(fake, library, tmp_path, PROMPTBOT_METRICS_PORT="0") as app,
    ):
        assert isinstance(app, ShardedPromptBot)
        assert (app.shard_count, app.shard_ids) == (2, [0, 1])
        assert fake.connected_shards() == [0, 1]
        first, second = (f.at for f in fake.recorder.gateway_frames("in", op=2))
        assert second - first < 2.5, "max_concurrency 2: no 5 s wait between the IDENTIFYs"
        assert len(fake.recorder.find_requests("PUT", PUT_COMMANDS)) == 1

        zero, one = guild_on(fake, 0), guild_on(fake, 1)
        assert await answered_on(fake, one) == 1
        assert await answered_on(fake, zero) == 0
        assert await answered_on(fake, None) == 0  # DMs come on shard 0

        assert app.metrics_server is not None
        base = f"http://127.0.0.1:{app.metrics_server.port}"
        assert await health(base) == (
            200,
            {"status": "ok", "shards_up": [0, 1], "shards_down": [], "library": True},
        )
        async with fake.hold_gateway():
            await fake.drop_shard(1, wait_resumed=False)
            await fake.recorder.wait_for(lambda: not app.sessions[1], 10, "shard 1 down")
            status, body = await health(base)
            assert (status, body["shards_up"], body["shards_down"]) == (503, [0], [1])
            assert (await scrape(base)).get_value("promptbot_shard_connected", shard="1") == 0
            assert await answered_on(fake, zero) == 0  # shard 0 keeps answering
            waiting = asyncio.ensure_future(answered_on(fake, one))  # kept for the RESUME
        assert await asyncio.wait_for(waiting, 20) == 1
        assert fake.gateway.sessions[1].resumes == 1
        assert fake.gateway.sessions[0].resumes == 0
        await fake.recorder.wait_for(lambda: app.sessions[1], 10, "shard 1 up")
        assert (await health(base))[0] == 200
        samples = await scrape(base)
        assert samples.get_value("promptbot_shard_connected", shard="1") == 1
        assert samples.total("promptbot_interactions_total", command="prompt", outcome="ok") == 5
    assert len(fake.recorder.find_requests("PUT", PUT_COMMANDS)) == 1
    assert fake.violations == []


async def test_shards_sharing_an_identify_bucket_identify_5_s_apart(
    discord_spec: DiscordSpec, library: Path, tmp_path: Path
) -> None:
    async with sharded_fake(discord_spec, max_concurrency=1) as fake:
        async with running(fake, library, tmp_path):
            assert fake.connected_shards() == [0, 1]
            first, second = (f.at for f in fake.recorder.gateway_frames("in", op=2))
            assert 5.0 <= second - first < 7.0
        assert fake.violations == []  # the fake flags two IDENTIFYs in one bucket within 5 s


@pytest.mark.parametrize(
    ("env", "syncs"),
    [({"PROMPTBOT_SHARD_IDS": "1"}, False), ({"PROMPTBOT_SYNC": "0"}, False), ({}, True)],
)
async def test_only_the_process_running_shard_0_syncs(
    discord_spec: DiscordSpec, library: Path, tmp_path: Path, env: dict[str, str], syncs: bool
) -> None:
    async with sharded_fake(discord_spec) as fake:
        async with running(fake, library, tmp_path, **env) as app:
            assert app.settings.syncs_commands is syncs
        puts = fake.recorder.find_requests("PUT", PUT_COMMANDS)
        assert len(puts) == (1 if syncs else 0)
