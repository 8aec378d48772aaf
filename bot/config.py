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
    Variable("PROMPTBOT_MEDIA_DIR", "the site's document root for site-relative previews"),
    Variable("PROMPTBOT_MEDIA_URL", "base URL that site-relative previews are joined to"),
    Variable("DISCORD_API_BASE", "REST base URL", "https://discord.com/api/v10"),
    Variable("DISCORD_GATEWAY_URL", "gateway websocket URL", "wss://gateway.discord.gg/"),
    Variable("PROMPTBOT_DEV_GUILD", "guild that commands are synced to during development"),
    Variable("LOG_LEVEL", "logging level (DEBUG, INFO, WARNING, ERROR)", "INFO"),
    Variable("PROMPTBOT_SHARD_COUNT", "total number of shards of the cluster"),
    Variable("PROMPTBOT_SHARD_IDS", "the shards this process runs (`0,1`, `0-3`)"),
    Variable("PROMPTBOT_SYNC", "`0`: never sync commands at start (`run`)", "1"),
    Variable("PROMPTBOT_METRICS_PORT", "port of `/metrics` and `/healthz` (unset: none)"),
    Variable("PROMPTBOT_METRICS_HOST", "address the metrics server listens on", "127.0.0.1"),
)
MAX_SHARDS = 65536
_SWITCH = {"1": True, "true": True, "yes": True, "on": True}
_SWITCH |= {"0": False, "false": False, "no": False, "off": False}
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
    #: None: one unsharded gateway connection (as a bot with no sharding settings)
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    sync: bool = True
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"

    @property
    def syncs_commands(self) -> bool:
        """Whether ``run`` syncs commands at start: only one process of a cluster does,
        the one that runs shard 0 (and none with ``PROMPTBOT_SYNC=0``)."""
        return self.sync and (self.shard_ids is None or 0 in self.shard_ids)

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


def _shard_ids(text: str, count: int) -> tuple[int, ...]:
    """``0,1`` / ``0-3`` / ``0-1,4``: sorted, each once, all inside ``0..count-1``."""
    name = "PROMPTBOT_SHARD_IDS"
    ids: list[int] = []
    for item in text.split(","):
        low, dash, high = item.strip().partition("-")
        if not all(p.isascii() and p.isdigit() for p in ((low, high) if dash else (low,))):
            raise ConfigError(f"{name}: '{text}' is not a list of shard ids like 0,1 or 0-3")
        first, last = int(low), int(high if dash else low)
        if last >= count or first >= count:
            raise ConfigError(
                f"{name}: shard {max(first, last)} is outside 0..{count - 1} "
                f"(PROMPTBOT_SHARD_COUNT={count})"
            )
        if first > last:
            raise ConfigError(f"{name}: the range '{item.strip()}' is empty")
        ids.extend(range(first, last + 1))
    seen: set[int] = set()
    for shard in ids:
        if shard in seen:
            raise ConfigError(f"{name}: shard {shard} is listed twice")
        seen.add(shard)
    return tuple(sorted(seen))


def _shards(
    count_text: str | None, ids_text: str | None
) -> tuple[int | None, tuple[int, ...] | None]:
    """(shard count, this process's shard ids), or (None, None) for no sharding."""
    if count_text is None:
        if ids_text is not None:
            raise ConfigError(
                "PROMPTBOT_SHARD_IDS: set without PROMPTBOT_SHARD_COUNT (the total number of "
                "shards of the cluster)"
            )
        return None, None
    if not (count_text.isascii() and count_text.isdigit() and 1 <= int(count_text) <= MAX_SHARDS):
        raise ConfigError(
            f"PROMPTBOT_SHARD_COUNT: '{count_text}' is not a number of shards (1 to {MAX_SHARDS})"
        )
    count = int(count_text)
    return count, tuple(range(count)) if ids_text is None else _shard_ids(ids_text, count)


def _switch(name: str, value: str) -> bool:
    if value.lower() not in _SWITCH:
        raise ConfigError(f"{name}: '{value}' is not 1 or 0 (on or off)")
    return _SWITCH[value.lower()]


def _metrics(port: str | None, host: str) -> tuple[int | None, str]:
    if port is not None and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        raise ConfigError(f"PROMPTBOT_METRICS_PORT: '{port}' is not a port (0 to 65535)")
    if not re.fullmatch(r"[A-Za-z0-9._:\-]+|\[[0-9A-Fa-f:.]+\]", host):
        raise ConfigError(f"PROMPTBOT_METRICS_HOST: '{host}' is not a host name or address")
    return (None if port is None else int(port)), host.strip("[]")


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
    shard_count, shard_ids = _shards(get("PROMPTBOT_SHARD_COUNT"), get("PROMPTBOT_SHARD_IDS"))
    port, host = _metrics(get("PROMPTBOT_METRICS_PORT"), get("PROMPTBOT_METRICS_HOST") or "")
    return Settings(
        library=Path(get("PROMPTBOT_LIBRARY") or "seeds"),
        db=Path(get("PROMPTBOT_DB") or "data/promptbot.sqlite3"),
        token=env.get("DISCORD_TOKEN") or None,
        media_dir=Path(media_dir) if media_dir else None,
        media_url=_url("PROMPTBOT_MEDIA_URL", media_url, ("http", "https")) if media_url else None,
        api_base=_url("DISCORD_API_BASE", get("DISCORD_API_BASE") or "", ("http", "https")),
        gateway_url=_url("DISCORD_GATEWAY_URL", get("DISCORD_GATEWAY_URL") or "", ("ws", "wss")),
        dev_guild=int(guild) if guild else None,
        log_level=level,
        shard_count=shard_count,
        shard_ids=shard_ids,
        sync=_switch("PROMPTBOT_SYNC", get("PROMPTBOT_SYNC") or "1"),
        metrics_port=port,
        metrics_host=host,
    )
