"""``promptbot run`` connects to Discord while the library loads: the first
IDENTIFY does not wait for the index, and what comes meanwhile waits for it."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.app import PromptBot
from bot.app.run import _start_while_loading
from bot.catalog import Catalog
from bot.config import ConfigError
from bot.state import open_state
from tests.cogs.conftest import bot_settings, shown

IDENTIFY = 2


async def test_a_command_sent_while_the_library_loads_waits_for_it(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    settings = bot_settings(library, tmp_path)
    catalog = Catalog(settings, load_later=True)
    await catalog._lock.acquire()  # the first load waits for the test
    held = True
    async with catalog, open_state(settings) as state:
        try:
            app = PromptBot(settings, catalog, state, guild_ready_timeout=0.1)
            async with fake_discord.run_bot(app):
                assert fake_discord.recorder.gateway_frames("in", op=IDENTIFY)
                assert catalog.snapshot is None  # connected, library not loaded yet
                handle = await fake_discord.send_slash_command("random")
                with pytest.raises(TimeoutError):  # not answered while the library loads
                    await handle.response(timeout=0.5)
                catalog._lock.release()
                held = False
                _, message = await shown(handle)
                assert message["embeds"][0]["title"]
                assert catalog.snapshot is not None
        finally:
            if held:
                catalog._lock.release()  # (closing the catalog takes the lock)


async def test_a_first_load_that_fails_stops_the_bot_with_its_error(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    settings = bot_settings(library, tmp_path)
    catalog = Catalog(settings, load_later=True)
    await catalog._lock.acquire()
    async with catalog, open_state(settings) as state:
        app = PromptBot(settings, catalog, state, guild_ready_timeout=0.1)
        shutil.rmtree(library)  # gone before the first load reads it
        catalog._lock.release()
        with fake_discord.patched_discord(), pytest.raises(ConfigError, match="PROMPTBOT_LIBRARY"):
            await asyncio.wait_for(_start_while_loading(app, catalog, fake_discord.token), 30)
        assert app.is_closed()
    fake_discord.violations_expected = True  # the gateway saw a client leave early
