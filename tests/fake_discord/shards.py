"""Shards: which session gets which dispatch, and what a valid IDENTIFY ``shard`` looks like.

Discord routes a guild's events to shard ``(guild_id >> 22) % shard_count`` and everything
without a guild (DMs) to shard 0.  Each shard has its own session: its own id, sequence numbers
and history for RESUME.  Docs: .../events/gateway#sharding, #session-start-limit-object.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fake_discord.objects import DISCORD_EPOCH_MS

if TYPE_CHECKING:
    from tests.fake_discord.gateway import Connection

#: Gateway close codes: invalid shard, sharding required.
INVALID_SHARD, SHARDING_REQUIRED = 4010, 4011
#: Events whose guild id is ``d.id`` rather than ``d.guild_id``.
GUILD_EVENTS = {"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"}
_increment = itertools.count(1)


def shard_of(guild_id: int | str, shard_count: int) -> int:
    """The shard that receives ``guild_id``'s events."""
    return (int(guild_id) >> 22) % shard_count


def guild_id_on_shard(shard_id: int, shard_count: int) -> str:
    """A fresh guild snowflake that lands on ``shard_id`` (its timestamp part picks the shard)."""
    if not 0 <= shard_id < shard_count:
        raise ValueError(f"shard {shard_id} is not in 0..{shard_count - 1}")
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    ms += (shard_id - ms) % shard_count
    return str((ms << 22) | (next(_increment) & 0x3FFFFF))


def event_guild_id(event: str, data: Any) -> str | None:
    """The guild a dispatch belongs to, or ``None`` (DMs and global events: shard 0)."""
    if not isinstance(data, dict):
        return None
    value = data.get("id") if event in GUILD_EVENTS else data.get("guild_id")
    return None if value is None else str(value)


def identify_problem(shard: Any, shard_count: int) -> tuple[int, str] | None:
    """(close code, reason) when an IDENTIFY's ``shard`` is wrong for ``shard_count`` shards."""
    if shard is None:
        if shard_count == 1:
            return None
        return SHARDING_REQUIRED, f"IDENTIFY without shard, but {shard_count} shards are required"
    valid = (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
    )
    if not valid:
        return INVALID_SHARD, f"IDENTIFY shard {shard!r} is not [shard_id, num_shards]"
    shard_id, count = shard
    if not 0 <= shard_id < count:
        return INVALID_SHARD, f"IDENTIFY shard {shard!r}: shard_id out of range 0..{count - 1}"
    if count != shard_count:
        code = SHARDING_REQUIRED if count < shard_count else INVALID_SHARD
        return code, f"IDENTIFY shard {shard!r}, but the fake routes with {shard_count} shards"
    return None


@dataclass
class Session:
    """One shard's gateway session."""

    shard_id: int
    shard_count: int
    session_id: str
    guild_ids: list[str]  # the guilds READY listed
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    current: Connection | None = None
    ready: bool = False  # READY and every GUILD_CREATE sent
    resumes: int = 0
    connections: list[int] = field(default_factory=list)  # ids of every connection it used

    @property
    def connected(self) -> bool:
        return self.current is not None and self.current.authenticated


class SessionBook:
    """The sessions by shard, routing, and which disconnects the test expects."""

    def __init__(self, shard_count: int) -> None:
        self.shard_count = shard_count
        self.sessions: dict[int, Session] = {}  # shard id -> its newest session
        self._all_closes_expected = False
        self._closes_expected: set[int] = set()

    # -- shard 0, for single-session tests ----------------------------------------------
    @property
    def current(self) -> Connection | None:
        session = self.sessions.get(0)
        return session.current if session else None

    @property
    def session_id(self) -> str | None:
        session = self.sessions.get(0)
        return session.session_id if session else None

    @property
    def seq(self) -> int:
        session = self.sessions.get(0)
        return session.seq if session else 0

    @property
    def history(self) -> list[dict[str, Any]]:
        session = self.sessions.get(0)
        return session.history if session else []

    # -- expected disconnects -----------------------------------------------------------
    @property
    def client_close_expected(self) -> bool:
        return self._all_closes_expected

    @client_close_expected.setter
    def client_close_expected(self, value: bool) -> None:
        self._all_closes_expected = value
        if not value:
            self._closes_expected.clear()

    def expect_client_close(self, shard_ids: Iterable[int] | None = None) -> None:
        """The bot (``None``: every shard) is about to disconnect on purpose (``bot.close()``)."""
        if shard_ids is None:
            self._all_closes_expected = True
        else:
            self._closes_expected.update(shard_ids)

    def close_expected(self, shard_ids: Iterable[int] | None) -> bool:
        if self._all_closes_expected:
            return True
        wanted = set(self.sessions) if shard_ids is None else set(shard_ids)
        return bool(wanted) and wanted <= self._closes_expected

    # -- driver side --------------------------------------------------------------------
    def route(self, event: str, data: Any) -> int:
        """The shard a dispatch goes to: its guild's shard, or 0."""
        guild_id = event_guild_id(event, data)
        return 0 if guild_id is None else shard_of(guild_id, self.shard_count)

    def connected_shards(self) -> list[int]:
        return sorted(s for s, session in self.sessions.items() if session.connected)
