"""Shared fixtures: where the real corpus, the Discord spec and the seeds are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# discord_spec (session), fake_discord, the test library and PostgreSQL, for every folder
pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.libraries",
    "tests.support.postgres",
]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real 8,921-prompt corpus (``PROMPTBOT_TEST_CORPUS``), or skip."""
    path = _env_path("PROMPTBOT_TEST_CORPUS")
    if path is None:
        pytest.skip("PROMPTBOT_TEST_CORPUS is not set: the real prompt corpus is not available")
    if not path.is_dir():
        pytest.skip(f"PROMPTBOT_TEST_CORPUS={path} is not a folder")
    return path


@pytest.fixture(scope="session")
def discord_spec_path() -> Path:
    """Discord's OpenAPI spec (``PROMPTBOT_TEST_DISCORD_SPEC``), or skip."""
    path = _env_path("PROMPTBOT_TEST_DISCORD_SPEC")
    if path is None:
        pytest.skip(
            "PROMPTBOT_TEST_DISCORD_SPEC is not set: Discord's OpenAPI spec is not available"
        )
    if not path.is_file():
        pytest.skip(f"PROMPTBOT_TEST_DISCORD_SPEC={path} is not a file")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS
