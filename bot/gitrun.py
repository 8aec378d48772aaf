"""Running git on a repository whose content is data, never code.

Every call gets no system or global configuration, no hooks, no submodules, no
filter drivers, only the URL's own protocol, and never a prompt for
credentials; it has a timeout, and is killed with its helpers (ssh,
git-remote-https) when it runs over or is cancelled.  Arguments are a list,
never a shell line.  The URL reaches git through the environment
(``GIT_CONFIG_*``), so a token in it is neither on a command line nor written
to ``.git/config``; git's messages are redacted before they are logged or
raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path
from urllib.parse import urlsplit

from bot.logs import redact_url, scrub, url_secrets

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0  # seconds, for each git call but fetch
FETCH_TIMEOUT = 600.0  # seconds for a fetch: the first one downloads a whole gallery's images

# Configuration given on every git command line: nothing from the repository
# or the machine may run a program or reach another repository.
SAFE_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.attributesFile=/dev/null",
    "core.fsmonitor=false",
    "core.logAllRefUpdates=false",
    "submodule.recurse=false",
    "fetch.recurseSubmodules=false",
    "filter.lfs.smudge=",
    "filter.lfs.process=",
    "filter.lfs.required=false",
    "credential.helper=",
    "gc.autoDetach=false",
    "advice.detachedHead=false",
    "init.defaultBranch=unused",
    "protocol.allow=never",
)


class GitSyncError(Exception):
    """Fetching or checking out failed; ``str(err)`` is one redacted line."""


def _protocol(url: str) -> str:
    scheme = urlsplit(url).scheme if "://" in url else "ssh"  # user@host:path is ssh
    return scheme if scheme in ("https", "ssh", "file") else "never"


class Git:
    """git for one remote (``origin`` is ``url``), with one timeout per call."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout
        self._scrub = url_secrets(url, user_is_secret=True)  # a token may be the user

    def redact(self, text: str) -> str:
        """``text`` without the URL's credentials, wherever they appear."""
        return scrub(redact_url(text), self._scrub)

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "SSH_ASKPASS"))}
        env.update(
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_TERMINAL_PROMPT="0",
            GIT_ASKPASS="true",
            SSH_ASKPASS="true",
            SSH_ASKPASS_REQUIRE="never",
            GIT_SSH_COMMAND="ssh -o BatchMode=yes",
            GIT_LFS_SKIP_SMUDGE="1",
            LC_ALL="C",
            # The remote, through the environment: not in argv, not in .git/config.
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="remote.origin.url",
            GIT_CONFIG_VALUE_0=self.url,
        )
        return env

    async def __call__(self, cwd: Path, *args: str, timeout: float | None = None) -> str:
        """Run ``git <args>`` in ``cwd`` (killed after ``timeout``, by default
        ``self.timeout``); its stdout, or ``GitSyncError``."""
        timeout = self.timeout if timeout is None else timeout
        options = [f"protocol.{_protocol(self.url)}.allow=always", *SAFE_CONFIG]
        argv = ["git", *(word for option in options for word in ("-c", option)), *args]
        log.debug("git %s (in %s)", " ".join(args), cwd)
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                cwd=cwd,
                env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # its own process group: killed as a whole
            )
        except OSError as err:
            raise GitSyncError(f"cannot run git: {err.strerror}") from None
        try:
            out, stderr = await asyncio.wait_for(process.communicate(), timeout)
        except BaseException as exc:  # the timeout, or the task cancelled
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            if isinstance(exc, TimeoutError):
                raise GitSyncError(f"git {args[0]} timed out after {timeout:g} s") from None
            raise
        if process.returncode != 0:
            reason = self._reason(stderr)
            log.debug("git %s failed (%s): %s", args[0], process.returncode, reason)
            raise GitSyncError(f"git {args[0]} failed: {reason}")
        return out.decode("utf-8", "replace")

    def _reason(self, stderr: bytes) -> str:
        """git's message on one line: its first paragraph (the advice after a
        blank line is dropped), ``fatal:``/``error:`` prefixes removed."""
        text = self.redact(stderr.decode("utf-8", "replace")).strip()
        pieces = []
        for line in text.split("\n\n", 1)[0].splitlines():
            line = line.strip().removeprefix("fatal:").removeprefix("error:").strip()
            if line and not line.startswith("hint:"):
                pieces.append(line)
        return " ".join("; ".join(pieces).split())[:300] or "no message from git"
