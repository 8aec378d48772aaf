"""Fixtures for the fake's own tests."""

from __future__ import annotations

import pytest

from tests.fake_discord.app import FakeDiscord


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:
    """Short name for ``fake_discord``."""
    return fake_discord
