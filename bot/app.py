"""The Discord application: ``promptbot run`` and ``promptbot sync``.

Shaped after discord.py's ``examples/advanced_startup.py``: resources are opened
with ``async with``, extensions load in ``setup_hook``, and commands are synced
only when their definitions changed since the last sync (a hash kept in the
index's database), because Discord rate-limits command registration.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import signal
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog
from bot.config import ConfigError, Settings
from bot.follow import keep_current
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
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
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
        self._background: set[asyncio.Task[None]] = set()

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self._watch:
            await self.sync_commands(force=False)
            self._watcher = asyncio.create_task(keep_current(self.catalog), name="library")
            self._pruner = asyncio.create_task(self._prune_daily(), name="usage-pruner")

    def count_served(self, prompt_id: str, *, guild_id: int | None, user_id: int) -> None:
        """Count one card shown, in the background: counting never slows or
        fails an answer; a failure is logged.  The task is held until done."""
        task = asyncio.create_task(self._record(prompt_id, guild_id, user_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _record(self, prompt_id: str, guild_id: int | None, user_id: int) -> None:
        try:
            await self.state.record_served(prompt_id, guild_id=guild_id, user_id=user_id)
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
        await super().close()


async def _serve(settings: Settings, token: str) -> None:
    async with (
        Catalog(settings) as catalog,
        open_state(settings) as state,
        PromptBot(settings, catalog, state) as bot,
    ):
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        await bot.start(token)
    log.info("shut down cleanly")


async def _sync(settings: Settings, token: str) -> None:
    async with (
        Catalog(settings) as catalog,
        open_state(settings) as state,
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
