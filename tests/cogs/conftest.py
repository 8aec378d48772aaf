"""The real PromptBot, in this process, against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import PromptBot
from bot.catalog import Catalog
from bot.config import load_settings
from tests.support.fixtures import fake_discord  # noqa: F401

SEEDS = Path(__file__).parents[2] / "seeds"


def prompt_doc(title: str, category: str, tags: tuple[str, ...], body: str) -> str:
    tag_lines = "".join(f"  - {t}\n" for t in tags)
    post = abs(hash(title)) % 10**12
    return (
        f"---\ntitle: '{title}'\ncategory: {category}\ntags:\n{tag_lines}author: '@someone'\n"
        f"source_url: 'https://x.com/someone/status/{post}'\n---\n\nAbout {title}.\n\n"
        f"## Prompt\n\n{body}\n"
    )


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The seeds (with their media) plus a larger 'animals' category and a long prompt."""
    root = tmp_path / "library"
    shutil.copytree(SEEDS, root)
    animals = root / "animals"
    animals.mkdir()
    for n in range(23):
        (animals / f"animal-{n:02d}.md").write_text(
            prompt_doc(
                f"Animal Portrait {n:02d}",
                "animals",
                ("animal", f"kind{n % 3}"),
                f"A portrait of animal number {n} in soft light.",
            ),
            encoding="utf-8",
        )
    long_body = " ".join(f"word{n}" for n in range(1500))  # ~10,000 characters
    (animals / "very-long.md").write_text(
        prompt_doc("Endless Savanna Epic", "animals", ("animal", "long"), long_body),
        encoding="utf-8",
    )
    return root


@pytest.fixture
async def bot(fake_discord: Any, library: Path, tmp_path: Path) -> AsyncIterator[Any]:  # noqa: F811
    settings = load_settings(
        {
            "PROMPTBOT_LIBRARY": str(library),
            "PROMPTBOT_DB": str(tmp_path / "index.sqlite3"),
            "PROMPTBOT_MEDIA_DIR": str(library),
        },
        dotenv_path=None,
    )
    async with Catalog(settings) as catalog:
        app = PromptBot(settings, catalog, guild_ready_timeout=0.1)
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
