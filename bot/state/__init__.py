"""Member state: favourites and usage counts, apart from the library index.

The index (``bot.store``) is derived from the library and rebuilt at will;
member data is not derived from anything and is never discarded.  Usage::

    async with open_state(settings) as state:
        await state.add_favorite(user_id, prompt.id, prompt.title)

``open_state`` is the one place that picks a backend from ``PROMPTBOT_STATE``:
a file path is the embedded SQLite store; a ``postgresql://`` URL a server.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings, check_state, is_state_url
from bot.state.base import (
    FAVORITES_CAP,
    USAGE_RETENTION,
    Favorite,
    FavoritesFull,
    ForgetSummary,
    StateError,
    StateStore,
    StateUnavailable,
    UsageCount,
)

__all__ = [
    "FAVORITES_CAP",
    "USAGE_RETENTION",
    "Favorite",
    "FavoritesFull",
    "ForgetSummary",
    "StateError",
    "StateStore",
    "StateUnavailable",
    "UsageCount",
    "open_state",
]


def open_state(target: Settings | str | os.PathLike[str], **options: Any) -> StateStore:
    """The store ``target`` names (``Settings.state``, a path, or a URL), not yet
    open: use ``async with open_state(...) as state`` or ``await ….open()``.
    ``options``: ``favorites_cap``.  ``ConfigError`` for an unusable target."""
    if isinstance(target, Settings):
        target = target.state
    target = os.fspath(target) if isinstance(target, os.PathLike) else check_state(target)
    if is_state_url(target):  # postgresql:// (check_state accepts no other kind)
        raise ConfigError("PROMPTBOT_STATE: PostgreSQL state store is not available in this build")
    from bot.state.sqlite import SQLiteState

    return SQLiteState(Path(target), **options)
