from pathlib import Path

import pytest

from bot.config import NAMES, ConfigError, load_settings, redacted


def settings(env: dict[str, str], tmp_path: Path, **overrides: str):
    return load_settings(env, overrides=overrides, dotenv_path=tmp_path / ".env")


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    s = settings({}, tmp_path)
    assert s.library == Path("seeds")
    assert s.db == Path("data/promptbot.sqlite3")
    assert s.token is None and s.dev_guild is None and s.media_dir is None
    assert s.api_base == "https://discord.com/api/v10"
    assert s.log_level == "INFO"


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-file\nPROMPTBOT_DB=file.db\nOTHER=x\n")
    s = settings({"PROMPTBOT_DB": "env.db"}, tmp_path)
    assert s.token == "from-file"
    assert s.db == Path("env.db")


def test_cli_flags_override_the_environment(tmp_path: Path) -> None:
    s = settings({"PROMPTBOT_LIBRARY": "env-lib"}, tmp_path, PROMPTBOT_LIBRARY="flag-lib")
    assert s.library == Path("flag-lib")


def test_token_is_not_in_the_repr(tmp_path: Path) -> None:
    s = settings({"DISCORD_TOKEN": "secret-token-value"}, tmp_path)
    assert "secret-token-value" not in repr(s)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PROMPTBOT_DEV_GUILD": "my-guild"}, "PROMPTBOT_DEV_GUILD: 'my-guild' is not a guild id"),
        ({"PROMPTBOT_DEV_GUILD": "-5"}, "PROMPTBOT_DEV_GUILD"),
        ({"PROMPTBOT_MEDIA_DIR": "/no/such/dir"}, "PROMPTBOT_MEDIA_DIR: folder '/no/such/dir'"),
        ({"PROMPTBOT_MEDIA_URL": "ftp://x"}, "PROMPTBOT_MEDIA_URL: 'ftp://x' is not a http"),
        ({"DISCORD_API_BASE": "localhost:8080"}, "DISCORD_API_BASE"),
        ({"DISCORD_GATEWAY_URL": "http://x/gw"}, "DISCORD_GATEWAY_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL: 'LOUD'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as err:
        settings(env, tmp_path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_library_and_token_are_reported_when_needed(tmp_path: Path) -> None:
    s = settings({"PROMPTBOT_LIBRARY": str(tmp_path / "nope")}, tmp_path)
    with pytest.raises(ConfigError, match=r"PROMPTBOT_LIBRARY: folder .* does not exist"):
        s.require_library()
    with pytest.raises(ConfigError, match="DISCORD_TOKEN: not set"):
        s.require_token()


def test_valid_values_are_taken(tmp_path: Path) -> None:
    s = settings(
        {
            "PROMPTBOT_DEV_GUILD": "123456789012345678",
            "PROMPTBOT_MEDIA_DIR": str(tmp_path),
            "PROMPTBOT_MEDIA_URL": "https://example.org/site/",
            "DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:8080/gateway",
            "LOG_LEVEL": "debug",
        },
        tmp_path,
    )
    assert s.dev_guild == 123456789012345678
    assert s.media_dir == tmp_path
    assert s.media_url == "https://example.org/site"
    assert s.api_base == "http://127.0.0.1:8080/api/v10"
    assert s.gateway_url == "ws://127.0.0.1:8080/gateway"
    assert s.log_level == "DEBUG"


def test_every_variable_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [name for name in NAMES if f"`{name}`" not in readme]
    assert not missing


def test_no_shard_settings_is_one_unsharded_connection_that_syncs(tmp_path: Path) -> None:
    s = settings({}, tmp_path)
    assert (s.shard_count, s.shard_ids, s.sync, s.syncs_commands) == (None, None, True, True)
    assert (s.metrics_port, s.metrics_host) == (None, "127.0.0.1")


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [
        ("2", None, (0, 1)),
        ("2", "0,1", (0, 1)),
        ("4", "0-3", (0, 1, 2, 3)),
        ("8", " 6, 0-1 ,3", (0, 1, 3, 6)),
        ("2", "1", (1,)),
        ("1", "0", (0,)),
    ],
)
def test_shard_ids_are_a_list_or_ranges_inside_the_count(
    count: str, ids: str | None, expected: tuple[int, ...], tmp_path: Path
) -> None:
    env = {"PROMPTBOT_SHARD_COUNT": count} | ({} if ids is None else {"PROMPTBOT_SHARD_IDS": ids})
    s = settings(env, tmp_path)
    assert s.shard_count == int(count)
    assert s.shard_ids == expected


@pytest.mark.parametrize(
    ("ids", "sync", "syncs"),
    [
        ("0", "1", True),
        ("1", "1", False),
        ("0-1", "1", True),
        ("0", "0", False),
        ("0", "off", False),
    ],
)
def test_only_the_process_running_shard_0_syncs(
    ids: str, sync: str, syncs: bool, tmp_path: Path
) -> None:
    env = {"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": ids, "PROMPTBOT_SYNC": sync}
    assert settings(env, tmp_path).syncs_commands is syncs
    assert settings({"PROMPTBOT_SYNC": "0"}, tmp_path).syncs_commands is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PROMPTBOT_SHARD_IDS": "0"}, "PROMPTBOT_SHARD_IDS: set without PROMPTBOT_SHARD_COUNT"),
        ({"PROMPTBOT_SHARD_COUNT": "0"}, "PROMPTBOT_SHARD_COUNT: '0' is not a number of shards"),
        ({"PROMPTBOT_SHARD_COUNT": "two"}, "PROMPTBOT_SHARD_COUNT: 'two'"),
        ({"PROMPTBOT_SHARD_COUNT": "-1"}, "PROMPTBOT_SHARD_COUNT: '-1'"),
        ({"PROMPTBOT_SHARD_COUNT": "99999999"}, "PROMPTBOT_SHARD_COUNT: '99999999'"),
        (
            {"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": "2"},
            "PROMPTBOT_SHARD_IDS: shard 2 is outside 0..1 (PROMPTBOT_SHARD_COUNT=2)",
        ),
        ({"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": "0-5"}, "shard 5 is outside"),
        ({"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": "a"}, "PROMPTBOT_SHARD_IDS: 'a'"),
        ({"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": ","}, "PROMPTBOT_SHARD_IDS: ','"),
        ({"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": "0,,1"}, "PROMPTBOT_SHARD_IDS"),
        ({"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": "-1"}, "PROMPTBOT_SHARD_IDS"),
        ({"PROMPTBOT_SHARD_COUNT": "2", "PROMPTBOT_SHARD_IDS": "0-"}, "PROMPTBOT_SHARD_IDS"),
        ({"PROMPTBOT_SHARD_COUNT": "4", "PROMPTBOT_SHARD_IDS": "3-1"}, "range '3-1' is empty"),
        ({"PROMPTBOT_SHARD_COUNT": "4", "PROMPTBOT_SHARD_IDS": "0-2,2"}, "shard 2 is listed twice"),
        ({"PROMPTBOT_SHARD_COUNT": "4", "PROMPTBOT_SHARD_IDS": "١"}, "PROMPTBOT_SHARD_IDS"),
        ({"PROMPTBOT_SYNC": "maybe"}, "PROMPTBOT_SYNC: 'maybe' is not 1 or 0"),
        ({"PROMPTBOT_METRICS_PORT": "http"}, "PROMPTBOT_METRICS_PORT: 'http' is not a port"),
        ({"PROMPTBOT_METRICS_PORT": "70000"}, "PROMPTBOT_METRICS_PORT: '70000'"),
        ({"PROMPTBOT_METRICS_HOST": "a b"}, "PROMPTBOT_METRICS_HOST: 'a b'"),
        ({"PROMPTBOT_METRICS_HOST": "http://x/"}, "PROMPTBOT_METRICS_HOST"),
    ],
)
def test_a_bad_cluster_setting_is_one_line_naming_the_variable(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as err:
        settings(env, tmp_path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_metrics_settings_are_taken(tmp_path: Path) -> None:
    s = settings({"PROMPTBOT_METRICS_PORT": "9108", "PROMPTBOT_METRICS_HOST": "0.0.0.0"}, tmp_path)
    assert (s.metrics_port, s.metrics_host) == (9108, "0.0.0.0")
    assert settings({"PROMPTBOT_METRICS_HOST": "[::1]"}, tmp_path).metrics_host == "::1"


def test_state_defaults_to_its_own_file_and_takes_a_postgres_url(tmp_path: Path) -> None:
    assert settings({}, tmp_path).state == "data/state.sqlite3"
    url = "postgresql://bot:hunter2@db.internal:5432/promptbot?sslmode=require"
    s = settings({"PROMPTBOT_STATE": url}, tmp_path)
    assert s.state == url
    assert "hunter2" not in repr(s)
    assert settings({"PROMPTBOT_STATE": "postgres:///promptbot"}, tmp_path).state


@pytest.mark.parametrize(
    "value",
    [
        "mysql://bot:hunter2@db/promptbot",
        "postgresql://bot:hunter2@db:99999/promptbot",
        "postgresql://bot:hunter2@[::1/promptbot",
        "postgresql://bot:hun/ter2@db/promptbot",
        "postgresql://bot:hunter2@db/prompt bot",
    ],
)
def test_a_bad_state_url_is_one_line_without_the_password(value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        settings({"PROMPTBOT_STATE": value}, tmp_path)
    message = str(err.value)
    assert message.startswith("PROMPTBOT_STATE: ") and "\n" not in message
    assert "hunter2" not in message and "hun/ter2" not in message and "ter2" not in message


def test_state_must_not_be_the_index_file(tmp_path: Path) -> None:
    db = tmp_path / "one.sqlite3"
    with pytest.raises(ConfigError, match=r"PROMPTBOT_STATE: .*the index file.*PROMPTBOT_DB"):
        settings(
            {"PROMPTBOT_DB": str(db), "PROMPTBOT_STATE": str(tmp_path / "." / db.name)}, tmp_path
        )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("postgresql://bot:s3cr@t@db:5432/x", "postgresql://bot:***@db:5432/x"),
        (
            "postgresql://bot@db/x?password=s3cret&sslmode=require",
            "postgresql://bot@db/x?password=***&sslmode=require",
        ),
        ("postgres:///x?host=/run/pg&PassWord=s3cret", "postgres:///x?host=/run/pg&PassWord=***"),
        ("postgresql://db/x", "postgresql://db/x"),
        ("data/state.sqlite3", "data/state.sqlite3"),
    ],
)
def test_redacted_hides_only_the_password(value: str, shown: str) -> None:
    assert redacted(value) == shown
