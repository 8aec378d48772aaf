"""The one logging setup: level from ``LOG_LEVEL``, secrets never printed."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, unquote, urlsplit

# The user-info part of a URL (``https://user:token@host``): everything between
# ``scheme://`` and the last ``@`` before the host's end.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#'\"]*@")


def redact_url(text: str) -> str:
    """``text`` (a URL, or a message with URLs in it) with every URL's user
    name and password replaced by ``[redacted]``: credentials never leave the
    process in logs, errors or status."""
    return _USERINFO.sub(r"\1[redacted]@", text)


MIN_SECRET = 3  # characters: a shorter credential is not scrubbed from running text


def url_secrets(url: str, *, user_is_secret: bool) -> list[str]:
    """The credentials written in ``url``, to scrub from messages that quote them
    outside any URL (git's and database drivers' errors): its password, a
    ``password`` query parameter, and with ``user_is_secret`` the user name too
    (a git host takes a token as one: ``https://TOKEN@github.com``), each as
    written and percent-decoded; longest first, so that a secret holding another
    is scrubbed whole.  Nothing for text that is not a URL."""
    if "://" not in url:
        return []
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    user, _, password = userinfo.partition(":")
    found = {password}
    found.update(v for k, v in parse_qsl(parts.query) if k.lower() == "password")
    if user_is_secret:
        found |= {userinfo, user}
    found |= {unquote(s) for s in found}
    return sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True)


def scrub(text: str, secrets: Sequence[str], mark: str = "[redacted]") -> str:
    """``text`` with every occurrence of each secret (longest first) replaced by ``mark``."""
    for secret in secrets:
        text = text.replace(secret, mark)
    return text


class Redact(logging.Filter):
    """Replaces every occurrence of a secret (the bot token) in a log line, and
    the credentials of any URL in it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = scrub(redact_url(message) if "@" in message else message, self.secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("discord.http").setLevel(max(logging.INFO, root.level))
