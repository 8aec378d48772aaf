"""``promptbot run`` connects to Discord while the library loads: the first
IDENTIFY does not wait for the index, and what comes meanwhile waits for it."""

from __future__ import annotations

import asyncio
import gc
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import PromptBot
from bot.app.run import _start_while_loading
from bot.catalog import Catalog
from bot.config import ConfigError, Settings
from bot.state import open_state
from tests.cogs.conftest import bot_settings, components, shown

IDENTIFY = 2


@asynccontextmanager
async def loading_bot(
    fake_discord: Any, settings: Settings
) -> AsyncIterator[tuple[Catalog, Callable[[], None]]]:
    """A bot connected while its first load waits for the test: yields the
    catalog and ``finish``, which lets the load run."""
    catalog = Catalog(settings, load_later=True)
    await catalog._lock.acquire()  # the first load waits for it
    held = True

    def finish() -> None:
        nonlocal held
        if held:
            catalog._lock.release()
            held = False

    async with catalog, open_state(settings) as state:
        try:
            app = PromptBot(settings, catalog, state, guild_ready_timeout=0.1)
            async with fake_discord.run_bot(app):
                yield catalog, finish
        finally:
            finish()  # (closing the catalog takes the lock)


async def test_a_command_sent_while_the_library_loads_waits_for_it(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    settings = bot_settings(library, tmp_path)
    async with loading_bot(fake_discord, settings) as (catalog, finish):
        assert fake_discord.recorder.gateway_frames("in", op=IDENTIFY)
        assert catalog.snapshot is None  # connected, library not loaded yet
        handle = await fake_discord.send_slash_command("random")
        with pytest.raises(TimeoutError):  # not answered while the library loads
            await handle.response(timeout=0.5)
        finish()
        _, message = await shown(handle)
        assert message["embeds"][0]["title"]
        assert catalog.snapshot is not None


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


async def test_what_comes_while_a_slow_first_load_runs_is_told_to_come_back(
    fake_discord: Any, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``LOAD_WAIT`` (2 s; Discord allows 3) a command is answered, only to
    its sender, that the library is still loading, and an autocomplete gets no
    choices: never "This interaction failed".  Once loaded, all is served."""
    import bot.app.bot as bot_module

    monkeypatch.setattr(bot_module, "LOAD_WAIT", 0.3)
    settings = bot_settings(library, tmp_path)
    async with loading_bot(fake_discord, settings) as (catalog, finish):
        handle = await fake_discord.send_slash_command("prompt", {"query": "neon"})
        answer = await handle.response(timeout=5)
        assert answer["type"] == 4 and answer["data"]["flags"] & 64  # ephemeral
        assert "loading" in answer["data"]["content"]
        typed = await fake_discord.send_autocomplete("prompt", "query", "neo")
        assert await typed.response(timeout=5) == {"type": 8, "data": {"choices": []}}
        finish()
        await asyncio.wait_for(catalog.loaded(), 30)
        _, message = await shown(await fake_discord.send_slash_command("random"))
        assert message["embeds"][0]["title"]


async def test_a_card_button_clicked_while_a_slow_first_load_runs_is_told_too(
    fake_discord: Any, library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A card from before a restart, its button clicked while the new process
    still loads the library: the same answer as a command's."""
    import bot.app.bot as bot_module

    monkeypatch.setattr(bot_module, "LOAD_WAIT", 0.3)
    settings = bot_settings(library, tmp_path)
    async with (
        Catalog(settings) as before,
        open_state(settings) as state,
        fake_discord.run_bot(PromptBot(settings, before, state)),
    ):
        handle = await fake_discord.send_slash_command("prompt", {"query": "night drive"})
        _, card = await shown(handle)
    full = next(c for c in components(card) if c.get("label") == "Full prompt")["custom_id"]
    card_message = handle.original_message
    async with loading_bot(fake_discord, settings) as (_, finish):  # restarted, loading
        click = await fake_discord.send_component(full, message=card_message)
        answer = await click.response(timeout=5)
        assert answer["type"] == 4 and answer["data"]["flags"] & 64
        assert "loading" in answer["data"]["content"]
        finish()
        again = await fake_discord.send_component(full, message=card_message)
        assert "```" in (await again.response(timeout=30))["data"]["content"]


async def test_a_bot_closed_before_its_ready_event_leaves_no_failed_task(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    """discord.py dispatches ``ready`` once no guild has come for
    ``guild_ready_timeout`` after READY; a bot stopped meanwhile (a SIGTERM
    right after start) must not have that wait dispatch on the closed client
    (whose loop is gone: a failed task and its traceback in the log)."""
    settings = bot_settings(library, tmp_path)
    loop = asyncio.get_running_loop()
    failures: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: failures.append(context))
    try:
        async with Catalog(settings) as catalog, open_state(settings) as state:
            app = PromptBot(settings, catalog, state, guild_ready_timeout=0.5)
            with fake_discord.patched_discord():
                started = asyncio.create_task(app.start(fake_discord.token))
                await fake_discord.wait_until_ready()  # READY and GUILD_CREATE sent
                assert not app.is_ready()  # discord.py still waits for more guilds
                fake_discord.gateway.expect_client_close()
                await app.close()
                await asyncio.wait_for(started, 10)
            await asyncio.sleep(0.8)  # past the ready wait's timeout
            gc.collect()  # (a task's unretrieved exception is reported when it is freed)
            assert not app.is_ready()
    finally:
        loop.set_exception_handler(None)
    assert failures == []
