"""Fixtures for the fake's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_discord.app import FakeDiscord
from tests.support.discord_spec import DiscordSpec
from tests.support.fixtures import discord_spec  # noqa: F401


@pytest.fixture
async def fake(discord_spec: DiscordSpec) -> AsyncIterator[FakeDiscord]:  # noqa: F811
    """A running fake Discord; the test must leave ``fake.violations`` empty itself."""
    async with FakeDiscord(discord_spec) as server:
        yield server
