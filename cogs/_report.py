"""The one way an interaction's failure reaches the member: :func:`report`.

The command tree (through ``cogs.errors``), every view (``OwnedView.on_error``)
and every button that lives on old messages (through :func:`guarded`) hand their
exceptions here.  An expected problem (``UserFacingError``, a cooldown, a bad
value) becomes its own short ephemeral answer; anything else is logged with
where it happened and the member gets an ephemeral apology, never a traceback
and never "This interaction failed".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

import discord
from discord import app_commands

from bot.app import PromptBot
from bot.metrics import Outcome
from bot.render.lists import notice
from bot.render.members import STATE_DOWN, favorites_full
from bot.state import FavoritesFull, StateError
from cogs._send import send

log = logging.getLogger(__name__)
APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again."


class UserFacingError(app_commands.AppCommandError):
    """An expected problem (a bad option value, nothing to show): its text is
    the whole answer, shown to the user ephemerally."""


def expected_message(error: BaseException) -> str | None:
    """The member-facing text for an expected error, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserFacingError):
        return str(error)
    if isinstance(error, FavoritesFull):
        return favorites_full(error.limit)
    if isinstance(error, StateError):  # member data cannot be read or written now
        log.warning("state store: %s", error)
        return STATE_DOWN
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"“{str(error.value)[:50]}” is not a valid value for that option."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


def outcome_of(error: BaseException, message: str) -> Outcome:
    """``user_error`` for what the member can fix; ``error`` for a bug or a store
    that is down (answered politely, but the bot's fault, not the member's)."""
    original = getattr(error, "original", error)
    if message is APOLOGY:
        return "error"
    if isinstance(original, StateError) and not isinstance(original, FavoritesFull):
        return "error"
    return "user_error"


def _where(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name} {vars(interaction.namespace)!r}"
    data: Mapping[str, object] = interaction.data or {}
    return f"component {data.get('custom_id', '?')!r}"


# Discord's codes for an interaction that can no longer be answered: its token
# expired (the answer came after 3 s) or it was answered already.
EXPIRED_CODES = frozenset({10062, 10015, 40060})


def _expired(error: BaseException) -> bool:
    original = getattr(error, "original", error)
    return isinstance(original, discord.HTTPException) and original.code in EXPIRED_CODES


async def report(interaction: discord.Interaction, error: BaseException) -> None:
    """Answer ``interaction`` with the error's message, or log it and apologise; the
    outcome (``user_error`` or ``error``) goes to the bot's metrics.  An interaction
    that Discord no longer accepts (too late, or answered already) cannot be told
    anything: one warning line, no traceback, no second failure."""
    if _expired(error):
        log.warning("%s: Discord no longer accepts an answer (%s)", _where(interaction), error)
        if isinstance(interaction.client, PromptBot):
            interaction.client.interaction_failed(interaction, "error")
        return
    message = expected_message(error)
    if message is None:
        original = getattr(error, "original", error)
        log.error("%s failed", _where(interaction), exc_info=original)
        message = APOLOGY
    if isinstance(interaction.client, PromptBot):
        interaction.client.interaction_failed(interaction, outcome_of(error, message))
    if interaction.type is discord.InteractionType.autocomplete:
        return  # autocomplete cannot show a message; discord.py answers nothing
    try:
        await send(interaction, notice(message))
    except discord.HTTPException:
        log.warning("could not tell the member about an error", exc_info=True)


async def guarded(interaction: discord.Interaction, action: Callable[[], Awaitable[None]]) -> None:
    """Run ``action``; any exception is reported.  For callbacks whose errors
    discord.py would only log (dynamic items, modals' own handlers)."""
    try:
        await action()
    except Exception as error:
        await report(interaction, error)
