"""The application's commands (real discord.py objects) and its start-up errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import PromptBot
from bot.catalog import Catalog
from bot.config import load_settings
from bot.state import open_state

ROOT = Path(__file__).parents[2]


@pytest.fixture
async def bot(tmp_path: Path):
    settings = load_settings(
        {
            "PROMPTBOT_LIBRARY": str(ROOT / "seeds"),
            "PROMPTBOT_DB": str(tmp_path / "i.sqlite3"),
            "PROMPTBOT_STATE": str(tmp_path / "state.sqlite3"),
        },
        dotenv_path=None,
    )
    async with Catalog(settings) as catalog, open_state(settings) as state:
        app = PromptBot(settings, catalog, state, watch=False)
        async with app:
            await app.setup_hook()
            yield app


async def test_commands_and_options_are_the_published_ones(bot: PromptBot) -> None:
    defs = {d["name"]: d for d in bot.command_definitions()}
    assert set(defs) == {"prompt", "random", "tags", "library", "favorites", "top", "forget-me"}
    options = {
        name: [
            (o["name"], o.get("required", False), o.get("autocomplete", False))
            for o in d.get("options", [])
        ]
        for name, d in defs.items()
    }
    assert options == {
        "prompt": [("query", True, True), ("hide", False, False)],
        "random": [("category", False, True), ("tag", False, True)],
        "tags": [("category", False, True)],
        "library": [],
        "favorites": [],
        "top": [("period", False, False)],
        "forget-me": [],
    }
    periods = [c["value"] for c in defs["top"]["options"][0]["choices"]]
    assert periods == ["day", "week", "month", "all"]
    # /library: for members who can manage the server, in servers only
    assert int(defs["library"]["default_member_permissions"]) == 1 << 5  # Manage Server
    assert defs["library"]["contexts"] == [0]
    assert all(
        defs[name].get("default_member_permissions") is None
        for name in options.keys() - {"library"}
    )


async def test_command_registration_is_valid_against_discords_spec(
    bot: PromptBot, discord_spec
) -> None:
    body = bot.command_definitions()
    assert discord_spec.request_errors("PUT", "/applications/1/commands", body) == []
    assert discord_spec.request_errors("PUT", "/applications/1/guilds/2/commands", body) == []


def _run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**clean, **env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        timeout=60,
    )


def test_run_without_a_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _run_cli("run", env={"PROMPTBOT_LIBRARY": str(ROOT / "seeds")}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "promptbot: DISCORD_TOKEN: not set; put the bot token in the environment or in .env"
    )
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_one_line_naming_it(tmp_path: Path) -> None:
    result = _run_cli(
        "run", env={"DISCORD_TOKEN": "x" * 60, "PROMPTBOT_DEV_GUILD": "abc"}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "promptbot: PROMPTBOT_DEV_GUILD: 'abc' is not a guild id (a number)"
    )


def test_a_state_store_that_cannot_be_opened_stops_run_with_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("my notes, not a database\n", encoding="utf-8")
    result = _run_cli(
        "run",
        env={
            "DISCORD_TOKEN": "x" * 60,
            "PROMPTBOT_LIBRARY": str(ROOT / "seeds"),
            "PROMPTBOT_DB": str(tmp_path / "index.sqlite3"),
            "PROMPTBOT_STATE": str(notes),
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("promptbot: PROMPTBOT_STATE") and "Traceback" not in result.stderr
    assert notes.read_text(encoding="utf-8") == "my notes, not a database\n"


def _aiosqlite_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if "_connection_worker_thread" in t.name]


async def test_a_catalog_that_cannot_start_leaves_nothing_open(tmp_path: Path) -> None:
    from bot.config import ConfigError

    before = _aiosqlite_threads()
    db = tmp_path / "data" / "i.sqlite3"
    settings = load_settings(
        {"PROMPTBOT_LIBRARY": str(tmp_path / "nowhere"), "PROMPTBOT_DB": str(db)},
        dotenv_path=None,
    )
    with pytest.raises(ConfigError, match="PROMPTBOT_LIBRARY"):
        async with Catalog(settings):
            pass
    assert _aiosqlite_threads() == before and not db.exists()
