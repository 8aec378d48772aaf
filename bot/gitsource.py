"""The library followed from a git repository (``PROMPTBOT_LIBRARY_GIT``).

The bot keeps its own shallow checkout next to the index and, on every
``sync``, fetches the one configured ref (``--depth 1``) and forces the work
tree to exactly that commit (a rewritten history is just another commit).  A
failed fetch changes nothing: the last good checkout stays served.

The repository's content is data, never code: how git is run safely is
``bot.gitrun``'s business.  Everything shown (errors, logs, status) is
redacted: no credential of the URL ever appears.  No Discord here: the
running bot and the CLI call ``sync`` and ``status``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError, Settings, in_checkout
from bot.filelock import file_lock
from bot.gitrun import DEFAULT_TIMEOUT, FETCH_TIMEOUT, Git, GitSyncError

__all__ = ["GitSource", "GitStatus", "GitSyncError", "SyncResult", "next_delay"]

log = logging.getLogger(__name__)

FIRST_RETRY = 15.0  # seconds before the first retry after a failure


@dataclass(frozen=True)
class SyncResult:
    commit: str  # the full sha now checked out
    changed: bool  # False when the fetch brought the commit that was already there
    fetched_at: datetime  # UTC
    previous: str | None = None  # the commit before, None on the first clone


@dataclass(frozen=True)
class GitStatus:
    """What the admin ``/library`` view shows; nothing in it holds a credential."""

    url: str  # redacted
    ref: str | None  # None: the remote's default branch
    commit: str | None  # checked out now, None before the first clone
    last_fetch: datetime | None  # last successful sync by this process (UTC)
    last_error: str | None  # the last failure, if it came after the last success
    last_error_at: datetime | None
    failures: int  # consecutive failed syncs (for ``next_delay``)


def next_delay(failures: int, interval: int, *, first: float = FIRST_RETRY) -> float | None:
    """Seconds to wait before the next sync: ``interval`` after a success,
    an exponential backoff from ``first`` (capped at ``interval``) after
    ``failures`` consecutive failures; None when ``interval`` is 0 (fetch only
    at start)."""
    if interval <= 0:
        return None
    if failures <= 0:
        return float(interval)
    return min(float(interval), first * 2.0 ** min(failures - 1, 30))


class GitSource:
    """A library folder that follows one ref of a git repository.

    ``sync()`` clones when there is no checkout yet, else fetches and resets;
    ``status()`` is cheap (no git call).  One sync at a time per checkout, also
    across processes (a lock file beside it)."""

    def __init__(
        self,
        url: str,
        checkout: Path,
        *,
        ref: str | None = None,
        library: str = "",
        media: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        fetch_timeout: float = FETCH_TIMEOUT,
    ) -> None:
        self.url = url
        self.checkout = checkout
        self.ref = ref
        self.library = library
        self.media = media
        self.timeout = timeout
        self.fetch_timeout = fetch_timeout
        self._git = Git(url, timeout=timeout)
        self._lock = asyncio.Lock()
        self._commit: str | None = None
        self._last_fetch: datetime | None = None
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None
        self._failures = 0

    @classmethod
    def from_settings(cls, settings: Settings, **timeouts: float) -> GitSource | None:
        """The source ``settings`` describe, or None when the library is a plain folder."""
        if not settings.library_git or settings.git_checkout is None:
            return None
        return cls(
            settings.library_git,
            settings.git_checkout,
            ref=settings.library_git_ref,
            library=settings.library_git_path,
            media=settings.media_git_path,
            **timeouts,
        )

    # -- paths ---------------------------------------------------------------------------

    def library_path(self) -> Path:
        return in_checkout(self.checkout, self.library)

    def media_path(self) -> Path | None:
        return in_checkout(self.checkout, self.media) if self.media is not None else None

    def has_checkout(self) -> bool:
        return (self.checkout / ".git").is_dir()

    def redacted_url(self) -> str:
        return self._git.redact(self.url)

    def no_checkout(self, err: GitSyncError) -> ConfigError:
        """The one line (exit 2) when the first fetch failed and there is no
        checkout to fall back on."""
        return ConfigError(f"PROMPTBOT_LIBRARY_GIT: {self.redacted_url()}: {err}")

    # -- status --------------------------------------------------------------------------

    def status(self) -> GitStatus:
        return GitStatus(
            url=self.redacted_url(),
            ref=self.ref,
            commit=self._commit or self._head(),
            last_fetch=self._last_fetch,
            last_error=self._last_error,
            last_error_at=self._last_error_at,
            failures=self._failures,
        )

    def _head(self) -> str | None:
        """The checked-out commit, read from ``.git/HEAD`` (detached: a bare sha)."""
        try:
            head = (self.checkout / ".git" / "HEAD").read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return (
            head if len(head) in (40, 64) and all(c in "0123456789abcdef" for c in head) else None
        )

    # -- sync ----------------------------------------------------------------------------

    async def sync(self) -> SyncResult:
        """Bring the checkout to the ref's current commit (cloning it the first
        time).  Raises ``GitSyncError`` (one redacted line) and leaves the last
        good checkout as it was when the fetch fails."""
        async with self._lock:
            try:
                result = await self._sync()
            except GitSyncError as err:
                self._failures += 1
                self._last_error, self._last_error_at = str(err), datetime.now(UTC)
                raise
            self._failures = 0
            self._commit, self._last_fetch = result.commit, result.fetched_at
            self._last_error = self._last_error_at = None
            return result

    async def _sync(self) -> SyncResult:
        try:
            self.checkout.parent.mkdir(parents=True, exist_ok=True)
            return await self._sync_locked()
        except OSError as err:
            raise GitSyncError(f"cannot write the checkout: {err.strerror}") from None

    async def _sync_locked(self) -> SyncResult:
        lock = self.checkout.with_name(self.checkout.name + ".lock")
        async with file_lock(lock, self.fetch_timeout + self.timeout) as acquired:
            if not acquired:
                raise GitSyncError("another process is updating the checkout; try again later")
            if self.has_checkout():
                _remove_stale_git_locks(self.checkout / ".git")
                return await self._update(self.checkout, self._head())
            staging = self.checkout.with_name(self.checkout.name + ".new")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            try:
                await self._git(staging, "init", "--quiet", "--template=")
                result = await self._update(staging, None)
                if self.checkout.exists():  # not a checkout (no .git): ours to replace
                    shutil.rmtree(self.checkout)
                staging.rename(self.checkout)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            return result

    async def _update(self, work: Path, previous: str | None) -> SyncResult:
        await self._git(
            work,
            "fetch",
            "--quiet",
            "--depth=1",
            "--no-tags",
            "--no-recurse-submodules",
            "--no-write-commit-graph",
            "--",
            "origin",
            self.ref or "HEAD",
            timeout=self.fetch_timeout,
        )
        fetched_at = datetime.now(UTC)
        out = await self._git(
            work, "rev-parse", "--verify", "--end-of-options", "FETCH_HEAD^{commit}"
        )
        commit = out.strip()
        await self._git(
            work, "checkout", "--quiet", "--detach", "--force", "--no-recurse-submodules", commit
        )
        await self._git(work, "clean", "-ffdxq")
        changed = commit != previous
        log.info(
            "library git %s (%s): %s %s",
            self.redacted_url(),
            self.ref or "default branch",
            "now at" if changed else "still at",
            commit[:12],
        )
        return SyncResult(commit=commit, changed=changed, fetched_at=fetched_at, previous=previous)


def _remove_stale_git_locks(git_dir: Path) -> None:
    """git's own lock files left by a git that was killed: under our lock no
    other git works in this checkout, so any that exist are stale."""
    for stale in git_dir.glob("*.lock"):
        stale.unlink(missing_ok=True)
