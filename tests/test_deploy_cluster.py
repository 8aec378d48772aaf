"""docker-compose.yml's two shapes, read as Compose would (no Docker engine here: the file is
interpolated and its profiles applied in Python, and every bot's environment is read by
``bot.config`` itself): the default ``up`` is one process on SQLite; the ``cluster`` profile
is PostgreSQL plus two processes whose shards split the count, with health checks that work
against the real ``/healthz``."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.config import Settings, load_settings
from bot.metrics import Metrics, MetricsServer, Probe, ShardState
from tests.test_deploy import COMPOSE_FILE, environment, load_compose, mounts, schema_errors

ENV = {"POSTGRES_PASSWORD": "s3cretpw", "PROMPTBOT_LIBRARY_HOST": "./seeds"}
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``, everywhere."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, kind, word = match[1], match[2], match[3]
        if env.get(name):
            return env[name]
        if kind == "?":
            raise ValueError(f"{name}: {word}")
        return word if kind == "-" else ""

    return _VARIABLE.sub(one, value)


def enabled(compose: dict[str, Any], *profiles: str) -> dict[str, dict[str, Any]]:
    """The services ``docker compose [--profile P] up`` starts (without naming services)."""
    return {
        name: service
        for name, service in compose["services"].items()
        if not service.get("profiles") or set(service["profiles"]) & set(profiles)
    }


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return interpolate(load_compose(), ENV)


def settings_of(service: dict[str, Any], tmp_path: Path) -> Settings:
    """The settings the bot in ``service`` would run with (its environment over none)."""
    env = {k: v for k, v in environment(service).items() if v is not None}
    env["PROMPTBOT_LIBRARY"] = str(Path(__file__).parents[1] / "seeds")  # exists here
    env.pop("PROMPTBOT_MEDIA_DIR", None)
    return load_settings(env, dotenv_path=tmp_path / "none.env")


def test_the_interpolated_file_is_valid_in_both_shapes() -> None:
    assert schema_errors(interpolate(load_compose(), ENV)) == []
    assert schema_errors(interpolate(load_compose(), {})) == []  # nothing required by default


def test_a_plain_up_is_one_process_on_sqlite(compose: dict[str, Any], tmp_path: Path) -> None:
    services = enabled(compose)
    assert sorted(services) == ["bot"]
    settings = settings_of(services["bot"], tmp_path)
    assert settings.shard_count is None and settings.shard_ids is None
    assert not settings.state.startswith("postgresql://")
    assert settings.syncs_commands
    assert "depends_on" not in services["bot"]


def test_the_cluster_profile_adds_postgres_and_two_bots(compose: dict[str, Any]) -> None:
    added = sorted(set(enabled(compose, "cluster")) - set(enabled(compose)))
    assert added == ["bot-0", "bot-1", "postgres"]
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "--profile cluster up -d --build postgres bot-0 bot-1" in text  # named: no `bot`


def test_postgres_is_the_official_image_with_a_health_check_and_a_named_volume(
    compose: dict[str, Any],
) -> None:
    postgres = compose["services"]["postgres"]
    assert re.fullmatch(r"postgres:\d+(\.\d+)?(-\w+)?", postgres["image"])
    test = postgres["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "pg_isready"
    env = environment(postgres)
    assert env["POSTGRES_PASSWORD"] == ENV["POSTGRES_PASSWORD"]
    data = [m for m in mounts(postgres, set(compose["volumes"])) if m["type"] == "volume"]
    assert [(m["source"], m["target"]) for m in data] == [
        ("promptbot-postgres", "/var/lib/postgresql/data")
    ]
    assert "promptbot-postgres" in compose["volumes"]


def cluster_bots(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        n: s for n, s in enabled(compose, "cluster").items() if s.get("profiles") and "build" in s
    }


def test_the_cluster_bots_split_the_shards_and_share_postgres(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    bots = cluster_bots(compose)
    assert sorted(bots) == ["bot-0", "bot-1"]
    settings = {name: settings_of(service, tmp_path) for name, service in bots.items()}
    counts = {s.shard_count for s in settings.values()}
    assert counts == {2}
    ids = [set(s.shard_ids or ()) for s in settings.values()]
    assert not ids[0] & ids[1], "two processes may not run the same shard"
    assert ids[0] | ids[1] == set(range(2)), "every shard has a process"
    assert [n for n, s in settings.items() if s.syncs_commands] == ["bot-0"]
    for name, service in bots.items():
        state = urlsplit(settings[name].state)
        assert (state.scheme, state.hostname, state.port) == ("postgresql", "postgres", 5432)
        assert state.password == ENV["POSTGRES_PASSWORD"]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert settings[name].metrics_port == 9108
        assert settings[name].metrics_host == "0.0.0.0"
        assert service["restart"] == "unless-stopped"
    indexes = [
        next(m["source"] for m in mounts(s, set(compose["volumes"])) if m["target"] == "/data")
        for s in bots.values()
    ]
    assert len(set(indexes)) == 2 and set(indexes) <= set(compose["volumes"])


def healthcheck_command(service: dict[str, Any], port: int) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD", "exec form: the slim image has no shell tools to rely on"
    assert not {"curl", "wget"} & set(test), "the image has neither curl nor wget"
    assert test[1] == "python"
    return [sys.executable, *[a.replace(":9108/", f":{port}/") for a in test[2:]]]


@pytest.mark.parametrize("name", ["bot-0", "bot-1"])
async def test_the_bot_health_check_passes_only_when_healthz_says_ok(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    assert ":9108/healthz" in " ".join(service["healthcheck"]["test"])
    shards = {0: ShardState(True)}
    server = MetricsServer(Metrics(Probe(lambda: shards, lambda: 3)), "127.0.0.1", 0)
    port = await server.start()
    try:
        command = healthcheck_command(service, port)

        async def exit_code() -> int:
            done = await asyncio.to_thread(subprocess.run, command, capture_output=True, timeout=30)
            return done.returncode

        assert await exit_code() == 0
        shards[0] = ShardState(False)
        assert await exit_code() != 0
    finally:
        await server.close()
