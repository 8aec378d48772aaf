"""The bot: extensions, background work, metrics hooks and the command sync."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog
from bot.config import Settings
from bot.follow import keep_current
from bot.metrics import Answers, Metrics, MetricsServer, Outcome, Probe, ShardState, command_label
from bot.render.lists import still_loading_reply
from bot.state import StateError, StateStore

log = logging.getLogger(__name__)
PRUNE_EVERY = 24 * 3600.0  # seconds
LOAD_WAIT = 2.0  # seconds an interaction waits for the first load (Discord allows 3)
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


async def library_ready(interaction: discord.Interaction[PromptBot]) -> bool:
    """Whether the library is loaded, waiting for the first load up to
    ``LOAD_WAIT``; when it is not, ``interaction`` is answered that it is still
    loading (an autocomplete: no choices), never left to fail after Discord's 3 s."""
    catalog = interaction.client.catalog
    if catalog.snapshot is not None:  # (every keystroke's autocomplete comes here)
        return True
    try:
        await asyncio.wait_for(catalog.loaded(), LOAD_WAIT)
    except TimeoutError:  # (the load itself goes on: ``loaded`` shields it)
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            await interaction.response.send_message(**still_loading_reply().send_kwargs())
        return False
    return True


class PromptTree(app_commands.CommandTree["PromptBot"]):
    """The command tree: a command or an autocomplete that comes while the
    library is still loading (the bot connects meanwhile: ``promptbot run``)
    waits for it (:func:`library_ready`)."""

    async def interaction_check(self, interaction: discord.Interaction[PromptBot]) -> bool:
        return await library_ready(interaction)


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
            tree_cls=PromptTree,
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
        from bot.app.sharded import ShardedPromptBot

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
        # discord.py dispatches "ready" once no guild has come for
        # guild_ready_timeout after READY, and its close() leaves that wait
        # running: a bot stopped meanwhile would dispatch on a closed client
        # (its loop gone: a failed task and a traceback in the log).  Cancelled
        # as discord.py's own parse_ready cancels an earlier one.
        waiting = getattr(self._connection, "_ready_task", None)
        if waiting is not None:
            waiting.cancel()
        await super().close()
