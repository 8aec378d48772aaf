"""Shared fixtures for Discord-facing tests.

Plug them in with ``pytest_plugins = ["tests.support.fixtures"]`` in the root conftest, or
import them into a folder's conftest (as tests/support and tests/fake_discord do).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.discord_spec import DiscordSpec


@pytest.fixture(scope="session")
def discord_spec(discord_spec_path: Path) -> DiscordSpec:
    """Discord's OpenAPI spec, parsed once per session; skips like ``discord_spec_path``."""
    return DiscordSpec(discord_spec_path)


@pytest.fixture
async def fake_discord(discord_spec: DiscordSpec) -> AsyncIterator[object]:
    """A running :class:`~tests.fake_discord.FakeDiscord`.

    Teardown fails the test if the fake recorded violations (including ones only known at
    shutdown, such as interactions never answered) unless the test set
    ``fake.violations_expected = True``.
    """
    from tests.fake_discord import FakeDiscord  # imports discord.py only when used

    fake = FakeDiscord(discord_spec)
    async with fake:
        yield fake
    fail_on_violations(fake)


def fail_on_violations(fake: Any) -> None:
    """Fail the test if the fake recorded violations, unless it expected them."""
    if fake.violations and not fake.violations_expected:
        pytest.fail("fake Discord recorded violations:\n" + "\n".join(fake.violations))


@asynccontextmanager
async def sharded_fake(spec: DiscordSpec, max_concurrency: int = 2) -> AsyncIterator[Any]:
    """A fake Discord that routes with 2 shards (by default both may IDENTIFY at once),
    the guild "Shard Zero" on shard 0 and "Shard One" on shard 1; checked like ``fake_discord``."""
    from tests.fake_discord import FakeDiscord

    fake = FakeDiscord(spec, shard_count=2, max_concurrency=max_concurrency)
    async with fake:
        await fake.add_guild(shard_id=0, name="Shard Zero")
        await fake.add_guild(shard_id=1, name="Shard One")
        yield fake
    fail_on_violations(fake)
