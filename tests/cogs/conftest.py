"""The real PromptBot, in this process, against the fake Discord on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import PromptBot
from bot.catalog import Catalog
from bot.config import Settings, load_settings
from bot.state import open_state


def bot_settings(library: Path, tmp_path: Path, **extra: str) -> Settings:
    """The settings of an in-process bot on ``library``; ``extra``: more variables."""
    return load_settings(
        {
            "PROMPTBOT_LIBRARY": str(library),
            "PROMPTBOT_DB": str(tmp_path / "index.sqlite3"),
            "PROMPTBOT_MEDIA_DIR": str(library),
            "PROMPTBOT_STATE": str(tmp_path / "state.sqlite3"),
            **extra,
        },
        dotenv_path=None,
    )


@pytest.fixture
async def bot(fake_discord: Any, library: Path, tmp_path: Path) -> AsyncIterator[Any]:
    settings = bot_settings(library, tmp_path)
    async with Catalog(settings) as catalog, open_state(settings) as state:
        app = PromptBot(settings, catalog, state, guild_ready_timeout=0.1)
        async with fake_discord.run_bot(app):
            fake_discord.app = app  # the running PromptBot, for tests that poke at it
            yield fake_discord


async def shown(handle: Any) -> tuple[int, dict[str, Any]]:
    """(callback type, the message the user sees): for a deferred answer, the edit
    that replaces "thinking…"."""
    body = await handle.response()
    if body["type"] == 5:
        return 5, (await sent_request(handle)).json
    return body["type"], body.get("data", {})


async def sent_request(handle: Any) -> Any:
    """The request that carried the answer (its ``files`` are the uploads)."""
    body = await handle.response()
    if body["type"] == 5:
        return await handle.wait_for_request("PATCH", "/messages/@original")
    return await handle.response_request()


def components(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components", []) for c in row["components"]]
