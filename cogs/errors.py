"""The one app-command error handler.

Expected errors become a short ephemeral answer; unexpected ones are logged
with the command and its options, and the user still gets an ephemeral apology
(never a traceback, never "The application did not respond").
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.render.lists import notice
from cogs._views import UserFacingError, send

log = logging.getLogger(__name__)
APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again."


def expected_message(error: app_commands.AppCommandError) -> str | None:
    """The user-facing text for an expected error, or None for a bug."""
    if isinstance(error, UserFacingError):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"“{str(error.value)[:50]}” is not a valid value for that option."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    message = expected_message(error)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else "?"
        options = vars(interaction.namespace)
        log.error(
            "command /%s failed with options %r",
            command,
            options,
            exc_info=getattr(error, "original", error),
        )
        message = APOLOGY
    try:
        await send(interaction, notice(message))
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


async def on_view_error(
    view: discord.ui.View, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
) -> None:
    message = str(error) if isinstance(error, UserFacingError) else None
    if message is None:
        log.error("component %r failed", getattr(item, "custom_id", item), exc_info=error)
        message = APOLOGY
    try:
        await send(interaction, notice(message))
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


class ErrorsCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error
        bot.tree.on_error = on_app_command_error
        discord.ui.View.on_error = on_view_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ErrorsCog(bot))
