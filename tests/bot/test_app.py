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


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"PROMPTBOT_SHARD_IDS": "0,1"},
            "PROMPTBOT_SHARD_IDS: set without PROMPTBOT_SHARD_COUNT (the total number of "
            "shards of the cluster)",
        ),
        (
            {"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": "1-2"},
            "PROMPTBOT_SHARD_IDS: shard 2 is outside 0..1 (PROMPTBOT_SHARD_COUNT=2)",
        ),
        ({"PROMPTBOT_METRICS_PORT": "x"}, "PROMPTBOT_METRICS_PORT: 'x' is not a port (0 to 65535)"),
    ],
)
def test_a_bad_cluster_setting_stops_run_with_one_line(
    tmp_path: Path, env: dict[str, str], line: str
) -> None:
    result = _run_cli("run", env={"DISCORD_TOKEN": "x" * 60, **env}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"promptbot: {line}"


async def test_the_settings_pick_the_sharded_bot_or_the_single_connection(tmp_path: Path) -> None:
    from bot.app import ShardedPromptBot

    base = {
        "PROMPTBOT_LIBRARY": str(ROOT / "seeds"),
        "PROMPTBOT_DB": str(tmp_path / "i.db"),
        "PROMPTBOT_STATE": str(tmp_path / "state.db"),
    }
    single = load_settings(base, dotenv_path=None)
    sharded = load_settings(
        {**base, "PROMPTBOT_SHARD_COUNT": "4", "PROMPTBOT_SHARD_IDS": "2-3"}, dotenv_path=None
    )
    async with Catalog(single) as catalog, open_state(single) as state:
        one = PromptBot.create(single, catalog, state, watch=False)
        many = PromptBot.create(sharded, catalog, state, watch=False)
        assert type(one) is PromptBot and one.shard_count is None
        assert isinstance(many, ShardedPromptBot) and isinstance(many, PromptBot)
        assert (many.shard_count, many.shard_ids) == (4, [2, 3])
        assert sorted(many.sessions) == [2, 3] and sorted(one.sessions) == [0]
        await one.close()  # (an AutoShardedClient can only be closed after login)
