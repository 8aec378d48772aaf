"""A cluster: two real ``promptbot run`` processes, shards 0 and 1 of 2, against one fake
Discord.  Each answers its own guilds (DMs: shard 0), commands are synced exactly once, each
serves its own ``/metrics`` and ``/healthz``, and killing one leaves the other answering."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.cogs.conftest import shown
from tests.e2e.conftest import BotProcess, bot_env, start_bot
from tests.fake_discord import FakeDiscord
from tests.support.discord_spec import DiscordSpec
from tests.support.scrape import LISTENING, health, scrape

PUT_COMMANDS = "/applications/{application_id}/commands"
INTERACTIONS = "promptbot_interactions_total"


@pytest.fixture
async def sharded_fake(discord_spec: DiscordSpec) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(discord_spec, shard_count=2, max_concurrency=2)
    async with fake:
        await fake.add_guild(shard_id=0, name="Shard Zero")
        await fake.add_guild(shard_id=1, name="Shard One")
        yield fake
    if fake.violations and not fake.violations_expected:
        pytest.fail("fake Discord recorded violations:\n" + "\n".join(fake.violations))


async def start_shard(
    fake: FakeDiscord, library: Path, tmp_path: Path, shards: str, **extra: str
) -> BotProcess:
    """``promptbot run`` for ``shards`` (``PROMPTBOT_SHARD_IDS``) of 2, with its own folder
    and index."""
    work = tmp_path / f"shards-{shards}"
    work.mkdir(exist_ok=True)
    env = bot_env(
        fake,
        library,
        work,
        PROMPTBOT_SHARD_COUNT="2",
        PROMPTBOT_SHARD_IDS=shards,
        PROMPTBOT_METRICS_PORT="0",
        **extra,
    )
    return await start_bot(env, work)


async def metrics_base(bot: BotProcess, timeout: float = 30.0) -> str:
    """The process's metrics URL, from the line it logs when listening."""
    for _ in range(int(timeout / 0.1)):
        if match := LISTENING.search(bot.output()):
            return match[1]
        if bot.process.returncode is not None:
            raise AssertionError(f"the bot exited:\n{bot.output()}")
        await asyncio.sleep(0.1)
    raise AssertionError(f"no metrics server after {timeout}s:\n{bot.output()}")


async def wait_connected(fake: FakeDiscord, shards: list[int], timeout: float = 30.0) -> None:
    await fake.recorder.wait_for(
        lambda: fake.ready_shards() == shards, timeout, f"shards {shards} ready"
    )


def guild_on(fake: FakeDiscord, shard_id: int) -> str:
    return next(g for g in fake.world.guilds if fake.shard_for(g) == shard_id)


async def ask(fake: FakeDiscord, guild_id: str | None) -> int | None:
    """/prompt in ``guild_id`` (None: a DM), answered with the card; the delivering shard."""
    where = fake.dm() if guild_id is None else fake.in_guild(guild_id)
    handle = await fake.send_slash_command("prompt", {"query": "neon rain bench"}, where=where)
    _, card = await shown(handle)
    assert card["embeds"][0]["title"] == "Neon Dreams on a Rainy Dusk"
    return handle.shard_id


async def wait_health(base: str, status: int, timeout: float = 20.0) -> dict[str, Any]:
    """Poll ``/healthz`` until it answers ``status``; its body."""
    for _ in range(int(timeout / 0.1)):
        got, body = await health(base)
        if got == status:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"/healthz never answered {status}: {got} {body}")


async def answered(base: str) -> float:
    """How many interactions this process answered (its own metrics), once they settle."""
    await asyncio.sleep(0.2)
    return (await scrape(base)).total(INTERACTIONS, outcome="ok")


async def stop(fake: FakeDiscord, bot: BotProcess, shard: int) -> None:
    fake.gateway.expect_client_close([shard])
    assert await bot.stop() == 0, bot.output()
    assert "Traceback" not in bot.output(), bot.output()
    assert fake.token not in bot.output()


async def test_two_processes_one_shard_each(
    sharded_fake: FakeDiscord, library: Path, tmp_path: Path
) -> None:
    fake = sharded_fake
    zero, one = await asyncio.gather(
        start_shard(fake, library, tmp_path, "0"), start_shard(fake, library, tmp_path, "1")
    )
    try:
        base0, base1 = await metrics_base(zero), await metrics_base(one)
        await wait_connected(fake, [0, 1])
        await fake.recorder.wait_for(lambda: fake.world.commands, 30, "commands synced")
        assert (await wait_health(base0, 200))["shards_up"] == [0]
        assert (await wait_health(base1, 200))["shards_up"] == [1]

        # each guild on its shard's process, DMs on shard 0's
        assert await ask(fake, guild_on(fake, 1)) == 1
        assert (await answered(base1), await answered(base0)) == (1, 0)
        assert await ask(fake, guild_on(fake, 0)) == 0
        assert await ask(fake, None) == 0
        assert (await answered(base1), await answered(base0)) == (1, 2)
        assert len(fake.recorder.find_requests("PUT", PUT_COMMANDS)) == 1
        assert "not syncing commands" in one.output()

        # kill shard 1's process: shard 0's keeps answering
        fake.gateway.expect_client_close([1])
        one.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(one.process.wait(), 20)
        await fake.recorder.wait_for(lambda: fake.connected_shards() == [0], 15, "shard 1 gone")
        assert await ask(fake, guild_on(fake, 0)) == 0
        assert await ask(fake, None) == 0
        assert (await health(base0))[0] == 200

        # a new process takes shard 1 again (a fresh session); still one sync
        fake.gateway.client_close_expected = False
        one = await start_shard(fake, library, tmp_path, "1")
        await wait_connected(fake, [0, 1])
        assert await ask(fake, guild_on(fake, 1)) == 1
        assert len(fake.recorder.find_requests("PUT", PUT_COMMANDS)) == 1
        assert fake.gateway.identifies == 3
    finally:
        for bot, shard in ((one, 1), (zero, 0)):
            await stop(fake, bot, shard)
    assert fake.violations == []


async def test_health_follows_a_dropped_shard_of_the_process(
    sharded_fake: FakeDiscord, library: Path, tmp_path: Path
) -> None:
    fake = sharded_fake
    bot = await start_shard(fake, library, tmp_path, "0,1")
    try:
        base = await metrics_base(bot)
        await wait_connected(fake, [0, 1])
        await fake.recorder.wait_for(lambda: fake.world.commands, 30, "commands synced")
        ok = {"status": "ok", "shards_up": [0, 1], "shards_down": [], "library": True}
        assert await wait_health(base, 200) == ok
        async with fake.hold_gateway():
            await fake.drop_shard(1, wait_resumed=False)
            body = await wait_health(base, 503)
            assert (body["shards_up"], body["shards_down"]) == ([0], [1])
            assert await ask(fake, guild_on(fake, 0)) == 0
        await fake.recorder.wait_for(lambda: fake.gateway.sessions[1].resumes == 1, 20, "RESUME")
        assert await wait_health(base, 200) == ok
        assert await ask(fake, guild_on(fake, 1)) == 1
    finally:
        fake.gateway.expect_client_close()
        assert await bot.stop() == 0, bot.output()
    assert "Traceback" not in bot.output()
    assert fake.violations == []
