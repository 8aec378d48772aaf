"""The member-state store's contract: favourites and usage, whatever the backend.

Member data lives apart from the library index (``bot.store``): the index is
derived and may be rebuilt at any time, member data never is.  ``StateStore``
checks every argument here, once, and hands backends clean values (ids in
range, text that encodes, aware UTC datetimes); a backend implements the
``_``-prefixed primitives and must make each write durable before returning.

Semantics every backend keeps (``tests/bot/state/test_contract.py``):

* favourites are per member; saving is idempotent and stores the title as it
  was then, so a favourite whose prompt has left the library still lists by
  name; newest first; at most ``favorites_cap`` per member (``FavoritesFull``).
* usage is one row per card served, with the guild (None in DMs) and the
  member; ``top`` counts rows, each filter that is not None narrowing it, ties
  by prompt id in code-point order.  Rows older than ``USAGE_RETENTION`` are
  deleted by ``prune_usage()``, which the bot runs at start and daily.
* ``forget_user`` deletes a member's favourites and unlinks their usage rows
  (the member becomes NULL; server counts stay).
* a store that cannot be reached raises ``StateUnavailable``; every other
  failure of the store raises ``StateError``.  Bad arguments (a naive datetime,
  an id out of range) are programming errors: ``ValueError``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Self

FAVORITES_CAP = 1000  # favourites one member may keep
USAGE_RETENTION = timedelta(days=90)  # usage rows older than this are pruned
MAX_PROMPT_ID = 255  # characters; library ids are at most ~100
MAX_TITLE = 500  # characters kept of a title (longer ones are clipped)
MAX_PAGE = 1000  # the most rows one list_favorites/top call returns
_MAX_ID = 2**63  # Discord snowflakes fit a signed 64-bit integer (SQLite, PostgreSQL BIGINT)


class StateError(Exception):
    """The state store failed; callers answer "cannot be saved right now"."""


class StateUnavailable(StateError):
    """The store cannot be reached (server down, file locked, disk error, closed)."""


class FavoritesFull(StateError):
    """The member already keeps ``limit`` favourites."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a member may keep at most {limit} favourites")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Favorite:
    prompt_id: str
    title: str  # as it was when saved
    saved_at: datetime  # aware, UTC


class UsageCount(NamedTuple):
    prompt_id: str
    served: int  # times shown


@dataclass(frozen=True, slots=True)
class ForgetSummary:
    favorites_deleted: int
    usage_unlinked: int


def utcnow() -> datetime:
    return datetime.now(UTC)


def _snowflake(name: str, value: object) -> int:
    if type(value) is not int or not 0 < value < _MAX_ID:
        raise ValueError(f"{name} must be a positive 64-bit integer, not {value!r}")
    return value


def _optional_snowflake(name: str, value: object) -> int | None:
    return None if value is None else _snowflake(name, value)


def _text(name: str, value: object, longest: int, *, clip: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be non-empty text")
    if len(value) > longest:
        if not clip:
            raise ValueError(f"{name} is longer than {longest} characters")
        value = value[:longest]
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} is not valid Unicode (a lone surrogate)") from None
    return value


def _moment(name: str, value: object) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone)")
    return value.astimezone(UTC)


def _count(name: str, value: object, lowest: int, highest: int) -> int:
    if type(value) is not int or not lowest <= value <= highest:
        raise ValueError(f"{name} must be an integer from {lowest} to {highest}")
    return value


class StateStore(ABC):
    """``async with open_state(target) as state:``, or ``await store.open()`` …
    ``await store.close()`` for a store that lives as long as the bot."""

    def __init__(self, *, favorites_cap: int = FAVORITES_CAP) -> None:
        self.favorites_cap = _count("favorites_cap", favorites_cap, 1, 10**6)

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @abstractmethod
    async def open(self) -> Self:
        """Connect, check and migrate; returns the store.  ``bot.config.ConfigError``
        (one line, password redacted) when the target is not a usable state store;
        ``StateUnavailable`` when a server cannot be reached."""

    @abstractmethod
    async def close(self) -> None:
        """Idempotent; after it, every operation raises ``StateUnavailable``."""

    @abstractmethod
    async def ping(self) -> None:
        """One round trip (``SELECT 1``); ``StateUnavailable`` when unreachable."""

    # favourites

    async def add_favorite(self, user_id: int, prompt_id: str, title: str) -> bool:
        """Save; True if it was new, False if already saved (nothing changes).
        ``FavoritesFull`` when the member is at the cap and it is new."""
        return await self._add_favorite(
            _snowflake("user_id", user_id),
            _text("prompt_id", prompt_id, MAX_PROMPT_ID),
            _text("title", title, MAX_TITLE, clip=True),
            utcnow(),
        )

    async def remove_favorite(self, user_id: int, prompt_id: str) -> bool:
        """True if it was saved and is now removed; False if it was not saved."""
        return await self._remove_favorite(
            _snowflake("user_id", user_id), _text("prompt_id", prompt_id, MAX_PROMPT_ID)
        )

    async def toggle_favorite(self, user_id: int, prompt_id: str, title: str) -> bool:
        """Remove if saved, else save; returns whether it is saved now."""
        if await self.remove_favorite(user_id, prompt_id):
            return False
        await self.add_favorite(user_id, prompt_id, title)
        return True

    async def is_favorite(self, user_id: int, prompt_id: str) -> bool:
        return bool(await self.favorite_ids(user_id, [prompt_id]))

    async def favorite_ids(self, user_id: int, prompt_ids: Iterable[str]) -> frozenset[str]:
        """Which of ``prompt_ids`` the member has saved (to mark several cards)."""
        ids = {_text("prompt_id", p, MAX_PROMPT_ID) for p in prompt_ids}
        if not ids:
            return frozenset()
        return await self._favorite_ids(_snowflake("user_id", user_id), sorted(ids))

    async def list_favorites(
        self, user_id: int, *, offset: int = 0, limit: int = 25
    ) -> list[Favorite]:
        """The member's favourites, most recently saved first."""
        return await self._list_favorites(
            _snowflake("user_id", user_id),
            _count("offset", offset, 0, 10**9),
            _count("limit", limit, 1, MAX_PAGE),
        )

    async def count_favorites(self, user_id: int) -> int:
        return await self._count_favorites(_snowflake("user_id", user_id))

    # usage

    async def record_served(
        self,
        prompt_id: str,
        *,
        guild_id: int | None,
        user_id: int | None,
        at: datetime | None = None,
    ) -> None:
        """Count one card shown (``guild_id`` None in DMs; ``at`` defaults to now)."""
        await self._record_served(
            _text("prompt_id", prompt_id, MAX_PROMPT_ID),
            _optional_snowflake("guild_id", guild_id),
            _optional_snowflake("user_id", user_id),
            utcnow() if at is None else _moment("at", at),
        )

    async def top(
        self,
        *,
        guild_id: int | None,
        user_id: int | None,
        since: datetime | None = None,
        limit: int = 10,
    ) -> list[UsageCount]:
        """Most served prompts, most first.  ``guild_id`` given: that server's
        counts; ``user_id`` given: that member's (in DMs, pass ``guild_id=None``:
        the member's own, everywhere); both: that member in that server; neither:
        everything.  ``since``: only rows served at or after it."""
        return await self._top(
            _optional_snowflake("guild_id", guild_id),
            _optional_snowflake("user_id", user_id),
            None if since is None else _moment("since", since),
            _count("limit", limit, 1, MAX_PAGE),
        )

    async def prune_usage(self, older_than: datetime | None = None) -> int:
        """Delete usage served before ``older_than`` (default: now minus
        ``USAGE_RETENTION``); returns how many rows went."""
        cutoff = utcnow() - USAGE_RETENTION if older_than is None else older_than
        return await self._prune_usage(_moment("older_than", cutoff))

    # members

    async def forget_user(self, user_id: int) -> ForgetSummary:
        """Delete the member's favourites and unlink their usage, atomically."""
        return await self._forget_user(_snowflake("user_id", user_id))

    # backend primitives: arguments already checked, datetimes aware UTC

    @abstractmethod
    async def _add_favorite(self, user_id: int, prompt_id: str, title: str, now: datetime) -> bool:
        """Atomically: False if present; ``FavoritesFull(self.favorites_cap)`` if
        the member is at the cap; else insert and return True."""

    @abstractmethod
    async def _remove_favorite(self, user_id: int, prompt_id: str) -> bool: ...

    @abstractmethod
    async def _favorite_ids(self, user_id: int, prompt_ids: list[str]) -> frozenset[str]: ...

    @abstractmethod
    async def _list_favorites(self, user_id: int, offset: int, limit: int) -> list[Favorite]: ...

    @abstractmethod
    async def _count_favorites(self, user_id: int) -> int: ...

    @abstractmethod
    async def _record_served(
        self, prompt_id: str, guild_id: int | None, user_id: int | None, at: datetime
    ) -> None: ...

    @abstractmethod
    async def _top(
        self, guild_id: int | None, user_id: int | None, since: datetime | None, limit: int
    ) -> list[UsageCount]: ...

    @abstractmethod
    async def _prune_usage(self, older_than: datetime) -> int: ...

    @abstractmethod
    async def _forget_user(self, user_id: int) -> ForgetSummary: ...
