"""Configuration: environment variables and a ``.env`` file; CLI flags override.

This module is the one place that knows every setting, its default and how it
is checked.  A bad value raises ``ConfigError`` whose text is a single line that
names the variable and what is wrong with it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

from bot.config_checks import (
    STATE_DEFAULT,
    ConfigError,
    _git_settings,
    _metrics,
    _shards,
    _switch,
    _url,
    check_state,
    is_state_url,
    redacted,
    valid_ref,
)

__all__ = [
    "STATE_DEFAULT",
    "VARIABLES",
    "ConfigError",
    "Settings",
    "Variable",
    "check_state",
    "is_state_url",
    "load_settings",
    "read_environment",
    "redacted",
    "valid_ref",
]


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
    Variable("PROMPTBOT_SHARD_COUNT", "total number of shards of the cluster"),
    Variable("PROMPTBOT_SHARD_IDS", "the shards this process runs (`0,1`, `0-3`)"),
    Variable("PROMPTBOT_SYNC", "`0`: never sync commands at start (`run`)", "1"),
    Variable("PROMPTBOT_METRICS_PORT", "port of `/metrics` and `/healthz` (unset: none)"),
    Variable("PROMPTBOT_METRICS_HOST", "address the metrics server listens on", "127.0.0.1"),
    # The library followed from a git repository (bot/gitsource.py).
    Variable("PROMPTBOT_LIBRARY_GIT", "repository URL (https, ssh, git@host:path or file://)"),
    Variable("PROMPTBOT_LIBRARY_GIT_REF", "branch or tag (default: the remote's default branch)"),
    Variable("PROMPTBOT_LIBRARY_GIT_PATH", "folder inside the repository holding the prompts"),
    Variable("PROMPTBOT_MEDIA_GIT_PATH", "folder inside the repository serving as the media root"),
    Variable("PROMPTBOT_GIT_INTERVAL", "seconds between fetches; 0 fetches only at start", "900"),
)
NAMES = frozenset(v.name for v in VARIABLES)
_DEFAULTS = {v.name: v.default for v in VARIABLES}


def in_checkout(checkout: Path, subpath: str) -> Path:
    """A repository-relative folder (``/``-separated, validated with the
    settings: never absolute, never ``..`` nor ``.git``; ``""`` is the root) in
    ``checkout``: the settings and a GitSource agree on where the library is."""
    return checkout.joinpath(*subpath.split("/"))


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
    state: str = field(default=STATE_DEFAULT, repr=False)  # a URL may hold a password
    library_git: str | None = field(default=None, repr=False)  # may hold credentials
    library_git_ref: str | None = None  # None: the remote's default branch
    library_git_path: str = ""  # "" is the repository's root
    media_git_path: str | None = None
    git_interval: int = 900

    @property
    def syncs_commands(self) -> bool:
        """Whether ``run`` syncs commands at start: only one process of a cluster does,
        the one that runs shard 0 (and none with ``PROMPTBOT_SYNC=0``)."""
        return self.sync and (self.shard_ids is None or 0 in self.shard_ids)

    @property
    def git_checkout(self) -> Path | None:
        """The bot's own clone of ``PROMPTBOT_LIBRARY_GIT``, next to the index."""
        return self.db.parent / "library.git-checkout" if self.library_git else None

    def served(self) -> Settings:
        """These settings with ``library`` and ``media_dir`` where they are served
        from: inside the checkout when the library follows a git repository
        (the git variables win over ``PROMPTBOT_LIBRARY``/``PROMPTBOT_MEDIA_DIR``).
        ``load_settings`` applies it, so the CLI, the catalog and the bot agree."""
        checkout = self.git_checkout
        if checkout is None:
            return self
        media = self.media_git_path
        return replace(
            self,
            library=in_checkout(checkout, self.library_git_path),
            media_dir=in_checkout(checkout, media) if media is not None else self.media_dir,
        )

    def require_token(self) -> str:
        if not self.token or not self.token.strip():
            raise ConfigError(
                "DISCORD_TOKEN: not set; put the bot token in the environment or in .env"
            )
        return self.token.strip()

    def require_library(self) -> Path:
        if self.library_git and not self.library.is_dir():
            raise ConfigError(
                f"PROMPTBOT_LIBRARY_GIT_PATH: the repository has no folder "
                f"'{self.library_git_path or '.'}'"
            )
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
    git = _git_settings(get)
    media_dir = get("PROMPTBOT_MEDIA_DIR")
    if git["media_git_path"] is not None:
        media_dir = None  # PROMPTBOT_MEDIA_GIT_PATH wins
    if media_dir is not None and not Path(media_dir).is_dir():
        raise ConfigError(f"PROMPTBOT_MEDIA_DIR: folder '{media_dir}' does not exist")
    media_url = get("PROMPTBOT_MEDIA_URL")
    level = (get("LOG_LEVEL") or "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigError(f"LOG_LEVEL: '{level}' is not one of DEBUG, INFO, WARNING, ERROR")
    shard_count, shard_ids = _shards(get("PROMPTBOT_SHARD_COUNT"), get("PROMPTBOT_SHARD_IDS"))
    port, host = _metrics(get("PROMPTBOT_METRICS_PORT"), get("PROMPTBOT_METRICS_HOST") or "")
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
        shard_count=shard_count,
        shard_ids=shard_ids,
        sync=_switch("PROMPTBOT_SYNC", get("PROMPTBOT_SYNC") or "1"),
        metrics_port=port,
        metrics_host=host,
        **git,
    ).served()
