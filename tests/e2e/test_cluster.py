"""A cluster: two real ``promptbot run`` processes, shards 0 and 1 of 2, against one fake
Discord.  Each answers its own guilds (DMs: shard 0), commands are synced exactly once, each
serves its own ``/metrics`` and ``/healthz``, and killing one leaves the other answering."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.e2e.cluster import (
    PUT_COMMANDS,
    answered,
    ask,
    guild_on,
    metrics_base,
    start_shard,
    stop,
    wait_connected,
    wait_health,
)
from tests.fake_discord import FakeDiscord
from tests.support.scrape import health


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
