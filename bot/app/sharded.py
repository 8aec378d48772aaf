"""The bot on some of the shards of a cluster."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord.ext import commands

from bot.app.bot import PromptBot
from bot.metrics import ShardState

IDENTIFY_INTERVAL = 5.0  # seconds between two IDENTIFYs in one rate-limit bucket
# An IDENTIFY goes out a little after the hook returns (later still while the event
# loop is busy, as when the library loads beside the connection): the next one in the
# bucket waits this much more, so that the two never come closer than the interval.
IDENTIFY_SLACK = 0.5


class ShardedPromptBot(PromptBot, commands.AutoShardedBot):
    """The bot on the shards ``PROMPTBOT_SHARD_IDS`` names, out of ``PROMPTBOT_SHARD_COUNT``.
    Each shard has its own session and reconnects and resumes on its own."""

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._buckets: int | None = None
        self._identified: dict[int, float] = {}  # bucket -> when its last IDENTIFY may go

    def shard_states(self) -> dict[int, ShardState]:
        latencies = dict(self.latencies)
        return {s: ShardState(up, latencies.get(s)) for s, up in self.sessions.items()}

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord allows one IDENTIFY per 5 s in each bucket (``shard_id % max_concurrency``);
        discord.py waits 5 s before every IDENTIFY but the first, whatever the buckets."""
        if self._buckets is None:
            try:
                self._buckets = (await self.fetch_session_start_limits()).max_concurrency
            except discord.DiscordException:
                self._buckets = 1
        loop = asyncio.get_running_loop()
        bucket = (shard_id or 0) % max(self._buckets, 1)
        start = max(loop.time(), self._identified.get(bucket, 0.0))
        self._identified[bucket] = start + IDENTIFY_INTERVAL + IDENTIFY_SLACK
        await asyncio.sleep(start - loop.time())
