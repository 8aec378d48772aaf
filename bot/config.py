"""Configuration: environment variables and a ``.env`` file; CLI flags override.

This module is the one place that knows every setting, its default and how it
is checked.  A bad value raises ``ConfigError`` whose text is a single line that
names the variable and what is wrong with it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values


class ConfigError(Exception):
    """A setting is missing or malformed; ``str(err)`` is one line for the user."""


STATE_DEFAULT = "data/state.sqlite3"
STATE_URL_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str
    default: str | None = None
    flag: str | None = None


VARIABLES: tuple[Variable, ...] = (
    Variable("DISCORD_TOKEN", "bot token, needed by `run` and `sync` only"),
    Variable("PROMPTBOT_LIBRARY", "the prompt library folder", "seeds", "--library"),
    Variable("PROMPTBOT_DB", "the SQLite file", "data/promptbot.sqlite3", "--db"),
    Variable("PROMPTBOT_STATE", "member data: a SQLite file or a postgresql:// URL", STATE_DEFAULT),
    Variable("PROMPTBOT_MEDIA_DIR", "the site's document root for site-relative previews"),
    Variable("PROMPTBOT_MEDIA_URL", "base URL that site-relative previews are joined to"),
    Variable("DISCORD_API_BASE", "REST base URL", "https://discord.com/api/v10"),
    Variable("DISCORD_GATEWAY_URL", "gateway websocket URL", "wss://gateway.discord.gg/"),
    Variable("PROMPTBOT_DEV_GUILD", "guild that commands are synced to during development"),
    Variable("LOG_LEVEL", "logging level (DEBUG, INFO, WARNING, ERROR)", "INFO"),
)
NAMES = frozenset(v.name for v in VARIABLES)
_DEFAULTS = {v.name: v.default for v in VARIABLES}


@dataclass(frozen=True)
class Settings:
    library: Path
    db: Path
    token: str | None = field(default=None, repr=False)  # never printed
    media_dir: Path | None = None
    media_url: str | None = None
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    dev_guild: int | None = None
    log_level: str = "INFO"
    state: str = field(default=STATE_DEFAULT, repr=False)  # a URL may hold a password

    def require_token(self) -> str:
        if not self.token or not self.token.strip():
            raise ConfigError(
                "DISCORD_TOKEN: not set; put the bot token in the environment or in .env"
            )
        return self.token.strip()

    def require_library(self) -> Path:
        if not self.library.is_dir():
            raise ConfigError(
                f"PROMPTBOT_LIBRARY: folder '{self.library}' does not exist"
                if not self.library.exists()
                else f"PROMPTBOT_LIBRARY: '{self.library}' is not a folder"
            )
        return self.library


def read_environment(
    environ: Mapping[str, str] | None = None, dotenv_path: Path | None = Path(".env")
) -> dict[str, str]:
    """The process environment over the ``.env`` file (the environment wins)."""
    values: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return {k: v for k, v in values.items() if k in NAMES}


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc or any(c.isspace() for c in value):
        raise ConfigError(f"{name}: '{value}' is not a {' or '.join(schemes)} URL")
    return value.rstrip("/") if name != "DISCORD_GATEWAY_URL" else value


def is_state_url(value: str) -> bool:
    """A ``PROMPTBOT_STATE`` value is a URL (a server) rather than a file path."""
    return "://" in value


def redacted(value: str) -> str:
    """``value`` safe to print: a URL's password (``user:secret@``, ``?password=``)
    becomes ``***``; anything else is returned as it is."""
    if not is_state_url(value):
        return value
    scheme, _, rest = value.partition("://")
    # The last '@' before the query ends the user info even when an unescaped '/' in
    # the password would make it a path: better too much hidden than a secret shown.
    cut = min((i for i in map(rest.find, "?#") if i >= 0), default=len(rest))
    head, tail = rest[:cut], rest[cut:]
    userinfo, at, host = head.rpartition("@")
    if at and ":" in userinfo:
        head = f"{userinfo.partition(':')[0]}:***@{host}"
    tail = re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", tail)
    return f"{scheme}://{head}{tail}"


def check_state(value: str) -> str:
    """A file path (checked when opened) or a parseable postgresql:// URL."""
    if not is_state_url(value):
        return value
    shown = redacted(value)
    if value.partition("://")[0].lower() not in STATE_URL_SCHEMES:
        raise ConfigError(f"PROMPTBOT_STATE: '{shown}' is neither a file nor a postgresql:// URL")
    try:
        urlsplit(value).port  # noqa: B018 (parses the netloc and the port)
    except ValueError:  # its text may quote part of the password
        raise ConfigError(f"PROMPTBOT_STATE: '{shown}' has a malformed host or port") from None
    if any(c.isspace() for c in value):
        raise ConfigError(f"PROMPTBOT_STATE: '{shown}' contains spaces")
    return value


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    overrides: Mapping[str, str | None] | None = None,
    dotenv_path: Path | None = Path(".env"),
) -> Settings:
    """Settings from the environment and ``.env``; ``overrides`` (CLI flags, keyed
    by variable name) win when not None."""
    env = read_environment(environ, dotenv_path)
    env.update({k: v for k, v in (overrides or {}).items() if v is not None})

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or _DEFAULTS[name]

    guild = get("PROMPTBOT_DEV_GUILD")
    if guild is not None and not (guild.isascii() and guild.isdigit() and 0 < int(guild) < 2**64):
        raise ConfigError(f"PROMPTBOT_DEV_GUILD: '{guild}' is not a guild id (a number)")
    media_dir = get("PROMPTBOT_MEDIA_DIR")
    if media_dir is not None and not Path(media_dir).is_dir():
        raise ConfigError(f"PROMPTBOT_MEDIA_DIR: folder '{media_dir}' does not exist")
    media_url = get("PROMPTBOT_MEDIA_URL")
    level = (get("LOG_LEVEL") or "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigError(f"LOG_LEVEL: '{level}' is not one of DEBUG, INFO, WARNING, ERROR")
    db = Path(get("PROMPTBOT_DB") or "data/promptbot.sqlite3")
    state = check_state(get("PROMPTBOT_STATE") or STATE_DEFAULT)
    if not is_state_url(state) and Path(state).resolve() == db.resolve():
        raise ConfigError(f"PROMPTBOT_STATE: '{state}' is the index file (PROMPTBOT_DB)")
    return Settings(
        library=Path(get("PROMPTBOT_LIBRARY") or "seeds"),
        db=db,
        token=env.get("DISCORD_TOKEN") or None,
        media_dir=Path(media_dir) if media_dir else None,
        media_url=_url("PROMPTBOT_MEDIA_URL", media_url, ("http", "https")) if media_url else None,
        api_base=_url("DISCORD_API_BASE", get("DISCORD_API_BASE") or "", ("http", "https")),
        gateway_url=_url("DISCORD_GATEWAY_URL", get("DISCORD_GATEWAY_URL") or "", ("ws", "wss")),
        dev_guild=int(guild) if guild else None,
        log_level=level,
        state=state,
    )
