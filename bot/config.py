"""Configuration: environment variables and a ``.env`` file; CLI flags override.

This module is the one place that knows every setting, its default and how it
is checked.  A bad value raises ``ConfigError`` whose text is a single line that
names the variable and what is wrong with it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.logs import redact_url


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
    # The library followed from a git repository (bot/gitsource.py).
    Variable("PROMPTBOT_LIBRARY_GIT", "repository URL (https, ssh, git@host:path or file://)"),
    Variable("PROMPTBOT_LIBRARY_GIT_REF", "branch or tag (default: the remote's default branch)"),
    Variable("PROMPTBOT_LIBRARY_GIT_PATH", "folder inside the repository holding the prompts"),
    Variable("PROMPTBOT_MEDIA_GIT_PATH", "folder inside the repository serving as the media root"),
    Variable("PROMPTBOT_GIT_INTERVAL", "seconds between fetches; 0 fetches only at start", "900"),
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
    library_git: str | None = field(default=None, repr=False)  # may hold credentials
    library_git_ref: str | None = None  # None: the remote's default branch
    library_git_path: str = ""  # "" is the repository's root
    media_git_path: str | None = None
    git_interval: int = 900

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
            library=checkout.joinpath(*self.library_git_path.split("/")),
            media_dir=checkout.joinpath(*media.split("/")) if media is not None else self.media_dir,
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


def _shown(value: str) -> str:
    """``value`` fit for a one-line message: control characters as ``?``."""
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in value)


def _git_url(value: str) -> str:
    """An https, ssh, scp-like (``git@host:path``) or file:// repository URL;
    nothing that git could read as an option (a leading ``-`` anywhere)."""
    name = "PROMPTBOT_LIBRARY_GIT"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError(f"{name}: the URL contains spaces or control characters")
    bad = ConfigError(
        f"{name}: '{redact_url(value)}' is not an https://, ssh://, user@host:path "
        "or file:// repository URL"
    )
    if "://" not in value:
        scp = _SCP.fullmatch(value)  # "::" would name one of git's transport helpers
        if scp is None or "::" in value or scp["path"].startswith("-"):
            raise bad
        if scp["host"].lower() in ("file", "http", "https", "ssh", "git"):
            raise bad  # a mistyped URL, not a host
        return value
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise bad from None
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise bad
    elif parts.scheme not in ("https", "ssh") or not parts.hostname or len(parts.path) < 2:
        raise bad
    if any((s or "").startswith("-") for s in (parts.hostname, parts.username, parts.path)):
        raise bad
    return value


_SCP = re.compile(
    r"(?:[A-Za-z0-9._~+][A-Za-z0-9._~+-]*@)?(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*):(?P<path>.+)"
)
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def valid_ref(ref: str) -> bool:
    """``git check-ref-format --allow-onelevel`` rules, plus no leading ``-``
    (so that a ref can never be read as an option)."""
    return not (
        not ref
        or ref == "@"
        or ref.startswith(("-", "/"))
        or ref.endswith(("/", "."))
        or _REF_FORBIDDEN.search(ref)
        or any(c.startswith(".") or c.endswith(".lock") for c in ref.split("/"))
    )


def _repo_path(name: str, value: str) -> str:
    """A folder inside the repository: relative, no ``..``, not ``.git``; "" is the root."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value) or "\\" in value:
        raise ConfigError(f"{name}: the path contains a backslash or control characters")
    parts = [p for p in value.split("/") if p not in ("", ".")]
    if PurePosixPath(value).is_absolute() or any(p == ".." or p.lower() == ".git" for p in parts):
        raise ConfigError(
            f"{name}: '{value}' is not a folder inside the repository (relative, without '..')"
        )
    return "/".join(parts)


def _git_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The ``library_git*`` fields of ``Settings``, checked."""
    url = get("PROMPTBOT_LIBRARY_GIT")
    ref = get("PROMPTBOT_LIBRARY_GIT_REF")
    path = get("PROMPTBOT_LIBRARY_GIT_PATH")
    media = get("PROMPTBOT_MEDIA_GIT_PATH")
    interval = get("PROMPTBOT_GIT_INTERVAL") or "900"
    if url is None:
        for name, value in (
            ("PROMPTBOT_LIBRARY_GIT_REF", ref),
            ("PROMPTBOT_LIBRARY_GIT_PATH", path),
            ("PROMPTBOT_MEDIA_GIT_PATH", media),
        ):
            if value is not None:
                raise ConfigError(f"{name}: set, but PROMPTBOT_LIBRARY_GIT is not")
    if ref is not None and not valid_ref(ref):
        raise ConfigError(
            f"PROMPTBOT_LIBRARY_GIT_REF: '{_shown(ref)}' is not a valid branch or tag name"
        )
    if not (interval.isascii() and interval.isdigit()):
        raise ConfigError(
            f"PROMPTBOT_GIT_INTERVAL: '{_shown(interval)}' is not a whole number of seconds "
            "(0 or more)"
        )
    return {
        "library_git": _git_url(url) if url is not None else None,
        "library_git_ref": ref,
        "library_git_path": _repo_path("PROMPTBOT_LIBRARY_GIT_PATH", path or ""),
        "media_git_path": _repo_path("PROMPTBOT_MEDIA_GIT_PATH", media) if media else None,
        "git_interval": int(interval),
    }


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
        **git,
    ).served()
