"""Words that agree with a count ("1 error", "2 errors"), in one place for the
CLI, the index's summary line and the bot's replies."""

from __future__ import annotations


def noun(count: int, singular: str) -> str:
    """``singular``, or its plural (an ``s`` added) unless ``count`` is 1."""
    return singular if count == 1 else f"{singular}s"
