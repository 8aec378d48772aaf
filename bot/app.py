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

log = logging.getLogger(__name__)
EXTENSIONS = (
    "cogs.errors",
    "cogs.cards",
    "cogs.fill",
    "cogs.more",
    "cogs.prompt",
    "cogs.random",
    "cogs.tags",
)


def point_at(settings: Settings) -> None:
    """Send REST and the gateway where the settings say (a proxy, or a fake Discord)."""
    discord.http.Route.BASE = settings.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class PromptBot(commands.Bot):
    def __init__(
        self, settings: Settings, catalog: Catalog, *, watch: bool = True, **options: Any
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
        self._watch = watch
        self._watcher: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self._watch:
            await self.sync_commands(force=False)
            self._watcher = asyncio.create_task(self.catalog.watch(), name="library-watcher")

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
        if self._watcher is not None:
            self._watcher.cancel()
        await super().close()


async def _serve(settings: Settings, token: str) -> None:
    async with Catalog(settings) as catalog, PromptBot(settings, catalog) as bot:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        await bot.start(token)
    log.info("shut down cleanly")


async def _sync(settings: Settings, token: str) -> None:
    async with Catalog(settings) as catalog, PromptBot(settings, catalog, watch=False) as bot:
        await bot.login(token)
        await bot.sync_commands(force=True)


def run_command(command: str, settings: Settings) -> int:
    """``run`` or ``sync``; a missing or rejected token is one line and exit 2."""
    token = settings.require_token()
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
    except discord.PrivilegedIntentsRequired:
        raise ConfigError("the bot asked for a privileged intent it does not need") from None
    return 0
