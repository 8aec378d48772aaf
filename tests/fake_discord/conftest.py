"""Fixtures for the fake's own tests."""

from __future__ import annotations

import pytest

from tests.fake_discord.app import FakeDiscord
from tests.support.fixtures import discord_spec, fake_discord  # noqa: F401


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:  # noqa: F811
    """Short name for ``fake_discord``."""
    return fake_discord
