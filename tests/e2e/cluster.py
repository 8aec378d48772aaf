"""Helpers for cluster end-to-end tests: ``promptbot run`` processes on some of the
fake's shards, their metrics and health (the ``sharded_fake`` fixture is in conftest)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.cogs.conftest import shown
from tests.e2e.conftest import BotProcess, bot_env, start_bot
from tests.fake_discord import FakeDiscord
from tests.support.scrape import LISTENING, health, scrape

PUT_COMMANDS = "/applications/{application_id}/commands"
INTERACTIONS = "promptbot_interactions_total"


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
