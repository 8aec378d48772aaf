"""``promptbot run`` and ``promptbot sync``: the process around the bot."""

from __future__ import annotations

import asyncio
import logging
import signal

import discord
import yarl

from bot.app.bot import PromptBot
from bot.catalog import Catalog
from bot.config import ConfigError, Settings
from bot.state import StateUnavailable, open_state

log = logging.getLogger(__name__)


def point_at(settings: Settings) -> None:
    """Send REST and the gateway where the settings say (a proxy, or a fake Discord)."""
    discord.http.Route.BASE = settings.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def _serve(settings: Settings, token: str) -> None:
    async with (
        open_state(settings) as state,  # member data first: a bad store fails at once
        Catalog(settings, load_later=True) as catalog,
        PromptBot.create(settings, catalog, state) as bot,
    ):
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        await _start_while_loading(bot, catalog, token)
    log.info("shut down cleanly")


async def _start_while_loading(bot: PromptBot, catalog: Catalog, token: str) -> None:
    """Connect to Discord while the library loads (~2 s at 100,000 prompts):
    the first IDENTIFY does not wait for it; interactions do
    (``Catalog.loaded``).  A first load that fails stops the bot with its error."""
    first = catalog.first_load
    running = asyncio.ensure_future(bot.start(token))
    if first is not None:
        await asyncio.wait({first, running}, return_when=asyncio.FIRST_COMPLETED)
        error = first.exception() if first.done() and not first.cancelled() else None
        if error is not None:
            await bot.close()
            await asyncio.gather(running, return_exceptions=True)
            raise error
    await running


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
