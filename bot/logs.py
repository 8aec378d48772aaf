"""The one logging setup: level from ``LOG_LEVEL``, secrets never printed."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# The user-info part of a URL (``https://user:token@host``): everything between
# ``scheme://`` and the last ``@`` before the host's end.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#'\"]*@")


def redact_url(text: str) -> str:
    """``text`` (a URL, or a message with URLs in it) with every URL's user
    name and password replaced by ``[redacted]``: credentials never leave the
    process in logs, errors or status."""
    return _USERINFO.sub(r"\1[redacted]@", text)


class Redact(logging.Filter):
    """Replaces every occurrence of a secret (the bot token) in a log line, and
    the credentials of any URL in it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_url(message) if "@" in message else message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "[redacted]")
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
