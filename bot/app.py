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
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import signal
from collections.abc import Coroutine
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog
from bot.config import ConfigError, Settings
from bot.follow import keep_current
from bot.metrics import Answers, Metrics, MetricsServer, Outcome, Probe, ShardState, command_label
from bot.state import StateError, StateStore, StateUnavailable, open_state

log = logging.getLogger(__name__)
PRUNE_EVERY = 24 * 3600.0  # seconds
EXTENSIONS = (
    "cogs.errors",
    "cogs.cards",
    "cogs.fill",
    "cogs.more",
    "cogs.prompt",
    "cogs.random",
    "cogs.tags",
    "cogs.favorites",
    "cogs.members",
    "cogs.library",
)
IDENTIFY_INTERVAL = 5.0  # seconds between two IDENTIFYs in one rate-limit bucket


def point_at(settings: Settings) -> None:
    """Send REST and the gateway where the settings say (a proxy, or a fake Discord)."""
    discord.http.Route.BASE = settings.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class PromptBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        state: StateStore,
        *,
        watch: bool = True,
        **options: Any,
    ) -> None:
        probe = Probe(self.shard_states, self._library_size, self._reloads, self._state_failures)
        self.metrics = Metrics(probe)
        self.answers = Answers(self.metrics)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            http_trace=self.answers.trace_config(),
            # every command everywhere: installed to a server or to a user account,
            # in servers, the bot's DM and group DMs
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=True, private_channel=True
            ),
            **options,
        )
        self.settings = settings
        self.catalog = catalog
        self.state = state  # member data: favourites and usage
        self._watch = watch
        self._watcher: asyncio.Task[None] | None = None
        self._pruner: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[object]] = set()
        #: shard id -> whether its session is up (0: the one unsharded connection)
        self.sessions: dict[int, bool] = dict.fromkeys(settings.shard_ids or (0,), False)
        self.metrics_server: MetricsServer | None = None

    @classmethod
    def create(
        cls, settings: Settings, catalog: Catalog, state: StateStore, **options: Any
    ) -> PromptBot:
        """The bot the settings ask for: sharded or not."""
        if settings.shard_count is None:
            return cls(settings, catalog, state, **options)
        return ShardedPromptBot(
            settings,
            catalog,
            state,
            shard_count=settings.shard_count,
            shard_ids=list(settings.shard_ids or ()),
            **options,
        )

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self._watch:
            if self.settings.syncs_commands:
                # Beside the gateway connection, not before it: registering is one
                # round trip to Discord that the first IDENTIFY need not wait for.
                self._in_background(self._sync_quietly(), "command sync")
            else:
                log.info("not syncing commands (PROMPTBOT_SYNC=0, or shard 0 runs elsewhere)")
            self._watcher = asyncio.create_task(keep_current(self.catalog), name="library")
            self._pruner = asyncio.create_task(self._prune_daily(), name="usage-pruner")
        if self.settings.metrics_port is not None:
            server = MetricsServer(
                self.metrics, self.settings.metrics_host, self.settings.metrics_port
            )
            await server.start()
            self.metrics_server = server

    def count_served(self, prompt_id: str, *, guild_id: int | None, user_id: int) -> None:
        """Count one card shown, in the background: counting never slows or
        fails an answer; a failure is logged."""
        self._in_background(self._record(prompt_id, guild_id, user_id), "usage count")

    def _in_background(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` as a task held until done (``close`` waits for them)."""
        task = asyncio.create_task(work, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _sync_quietly(self) -> None:
        try:
            await self.sync_commands(force=False)
        except Exception as err:  # the bot still serves the commands registered before
            log.error("syncing the slash commands failed: %s", err)

    async def _record(self, prompt_id: str, guild_id: int | None, user_id: int) -> None:
        try:
            await self.state.record_served(prompt_id, guild_id=guild_id, user_id=user_id)
        except StateError as err:  # the store is down (a PostgreSQL restart): one line
            log.warning("could not count %r as served: %s", prompt_id, err)
        except Exception:
            log.warning("could not count %r as served", prompt_id, exc_info=True)

    async def _prune_daily(self) -> None:
        """Delete usage older than the retention (``bot.state.USAGE_RETENTION``)
        at start and then once a day."""
        while True:
            try:
                pruned = await self.state.prune_usage()
                log.info("pruned %d usage rows past the retention", pruned)
            except StateError:
                log.warning("pruning usage failed; trying again tomorrow", exc_info=True)
            await asyncio.sleep(PRUNE_EVERY)

    # -- observation: the one place that feeds bot.metrics --------------------------------
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        label = command_label(interaction.type.value, interaction.data)
        self.answers.received(interaction.id, label)

    def interaction_failed(self, interaction: discord.Interaction[Any], outcome: Outcome) -> None:
        """Called by the report path (``cogs._report.report``) for every failure."""
        label = command_label(interaction.type.value, interaction.data)
        self.answers.failed(interaction.id, label, outcome)

    def shard_states(self) -> dict[int, ShardState]:
        return {0: ShardState(self.sessions[0], self.latency)}

    def _library_size(self) -> int | None:
        snapshot = self.catalog.snapshot
        return None if snapshot is None else len(snapshot)

    def _reloads(self) -> tuple[int, int]:
        return self.catalog.reloads, self.catalog.reload_failures

    def _state_failures(self) -> dict[str, int]:
        return dict(self.state.failures)

    def _session(self, shard_id: int | None, up: bool) -> None:
        """A session went up (READY, RESUMED) or down.  A sharded client also sends the
        unsharded events, without the shard: ``shard_id`` None, ignored then."""
        key = 0 if shard_id is None and self.settings.shard_ids is None else shard_id
        if key in self.sessions:
            self.sessions[key] = up

    async def on_connect(self) -> None:
        self._session(None, True)

    async def on_resumed(self) -> None:
        self._session(None, True)

    async def on_disconnect(self) -> None:
        self._session(None, False)

    async def on_shard_connect(self, shard_id: int) -> None:
        self._session(shard_id, True)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self._session(shard_id, True)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self._session(shard_id, False)

    def command_definitions(self, guild: discord.abc.Snowflake | None = None) -> list[dict]:
        return [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]

    async def sync_commands(self, *, guild_id: int | None = None, force: bool = True) -> bool:
        """Register the commands (in ``guild_id``, the dev guild, or globally)
        unless ``force`` is off and they are the ones registered last time."""
        guild_id = guild_id or self.settings.dev_guild
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        definitions = json.dumps(self.command_definitions(guild), sort_keys=True)
        digest = hashlib.sha256(definitions.encode()).hexdigest()
        key = f"commands_hash:{guild_id or 'global'}"
        if not force and await self.catalog.index.get_meta(key) == digest:
            log.info("slash commands unchanged since the last sync; not syncing")
            return False
        synced = await self.tree.sync(guild=guild)
        await self.catalog.index.set_meta(key, digest)
        log.info(
            "synced %d slash commands %s",
            len(synced),
            f"to guild {guild_id}" if guild_id else "globally",
        )
        return True

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) to %d guilds",
            self.user,
            getattr(self.user, "id", "?"),
            len(self.guilds),
        )

    async def close(self) -> None:
        for task in (self._watcher, self._pruner):
            if task is not None:
                task.cancel()
        if self._background:  # counts being written finish before the store closes
            await asyncio.wait(set(self._background), timeout=5.0)
        if self.metrics_server is not None:
            await self.metrics_server.close()
        await super().close()


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
        self._identified[bucket] = start + IDENTIFY_INTERVAL
        await asyncio.sleep(start - loop.time())


async def _serve(settings: Settings, token: str) -> None:
    async with (
        open_state(settings) as state,  # member data first: a bad store fails at once
        Catalog(settings) as catalog,
        PromptBot.create(settings, catalog, state) as bot,
    ):
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        await bot.start(token)
    log.info("shut down cleanly")


async def _sync(settings: Settings, token: str) -> None:
    async with (
        open_state(settings) as state,  # member data first: a bad store fails at once
        Catalog(settings) as catalog,
        PromptBot(settings, catalog, state, watch=False) as bot,
    ):
        await bot.login(token)
        await bot.sync_commands(force=True)


def run_command(command: str, settings: Settings) -> int:
    """``run`` or ``sync``; a missing or rejected token is one line and exit 2."""
    token = settings.require_token()
    if not settings.library_git:  # else the catalog checks it after fetching
        settings.require_library()
    point_at(settings)
    try:
        asyncio.run((_serve if command == "run" else _sync)(settings, token))
    except discord.LoginFailure:
        raise ConfigError(
            "DISCORD_TOKEN: rejected by Discord (401 Unauthorized); "
            "copy the token again from the Developer Portal"
        ) from None
    except discord.ConnectionClosed as err:
        if err.code != 4004:  # 4004: authentication failed, on the gateway
            raise
        raise ConfigError("DISCORD_TOKEN: rejected by Discord's gateway (4004)") from None
    except StateUnavailable as err:  # open_state raised before the bot started
        raise ConfigError(f"PROMPTBOT_STATE: the state store cannot be opened ({err})") from None
    except discord.PrivilegedIntentsRequired:
        raise ConfigError("the bot asked for a privileged intent it does not need") from None
    return 0
