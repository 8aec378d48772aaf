"""Session-scoped fixtures for the Discord spec validator (import them in a conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.discord_spec import DiscordSpec


@pytest.fixture(scope="session")
def discord_spec(discord_spec_path: Path) -> DiscordSpec:
    """Discord's OpenAPI spec, parsed once per session; skips like ``discord_spec_path``."""
    return DiscordSpec(discord_spec_path)
