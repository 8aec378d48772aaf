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
