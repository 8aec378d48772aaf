"""How each setting's value is checked: one function per kind of value, each
raising ``ConfigError`` with one line that names the variable (and never shows a
password or a token).  ``bot.config`` declares the settings and calls these."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from bot.logs import redact_url


class ConfigError(Exception):
    """A setting is missing or malformed; ``str(err)`` is one line for the user."""


STATE_DEFAULT = "data/state.sqlite3"
STATE_URL_SCHEMES = ("postgresql", "postgres")
MAX_SHARDS = 65536
_SWITCH = {"1": True, "true": True, "yes": True, "on": True}
_SWITCH |= {"0": False, "false": False, "no": False, "off": False}


def _control(c: str) -> bool:
    """A control character (C0 or DEL): never shown, never part of a setting."""
    return ord(c) < 32 or ord(c) == 127


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
    return "".join("?" if _control(c) else c for c in value)


def _git_url(value: str) -> str:
    """An https, ssh, scp-like (``git@host:path``) or file:// repository URL;
    nothing that git could read as an option (a leading ``-`` anywhere)."""
    name = "PROMPTBOT_LIBRARY_GIT"
    if any(c.isspace() or _control(c) for c in value):
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
    if any(_control(c) for c in value) or "\\" in value:
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
