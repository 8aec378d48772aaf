"""Hooks the command tree's errors into the one :func:`cogs._report.report` path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._report import report

if TYPE_CHECKING:
    from bot.app import PromptBot


class ErrorsCog(commands.Cog):
    def __init__(self, bot: PromptBot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error
        bot.tree.on_error = self.on_tree_error  # type: ignore[method-assign]

    async def on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report(interaction, error)

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]


async def setup(bot: PromptBot) -> None:
    await bot.add_cog(ErrorsCog(bot))
