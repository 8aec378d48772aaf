"""The Discord application: ``promptbot run`` and ``promptbot sync``.

Shaped after discord.py's ``examples/advanced_startup.py``: resources are opened
with ``async with``, extensions load in ``setup_hook``, and commands are synced
only when their definitions changed since the last sync (a hash kept in the
index's database), because Discord rate-limits command registration.

With ``PROMPTBOT_SHARD_COUNT`` the bot is a :class:`ShardedPromptBot`
(discord.py's ``AutoShardedBot``) running the shards ``PROMPTBOT_SHARD_IDS``
names; several processes with disjoint ids form a cluster, and only the one
running shard 0 syncs commands.  Unset, it is today's single connection (an
``AutoShardedBot`` without a count would ask ``/gateway/bot`` for one and use
the gateway URL Discord returns instead of ``DISCORD_GATEWAY_URL``).

``bot``: the bot itself; ``sharded``: the sharded one; ``run``: the process around them.
"""

from bot.app.bot import EXTENSIONS, PromptBot
from bot.app.run import point_at, run_command
from bot.app.sharded import ShardedPromptBot

__all__ = ["EXTENSIONS", "PromptBot", "ShardedPromptBot", "point_at", "run_command"]
