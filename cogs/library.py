"""``/library``: for the server's managers, where the library comes from, its
counts and problems; "Sync now" (the bot's owners only) fetches and reindexes
at once.  Glue: the status is built by ``bot.follow`` and rendered by
``bot.render.library_status``."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.follow import library_status, sync_now
from bot.render.library_status import REFUSAL, library_status_reply
from cogs._report import UserFacingError
from cogs._send import edit_kwargs
from cogs._views import OwnedView

if TYPE_CHECKING:
    from bot.app import PromptBot

SYNC_LABEL = "Sync now"
SYNCING_LABEL = "Syncing…"


class StatusView(OwnedView):
    """The status message's "Sync now" button: the invoker may press it, and it
    acts only for the application's owners (its owner or team members)."""

    def __init__(self, bot: PromptBot, owner_id: int) -> None:
        super().__init__(owner_id)
        self.bot = bot

    @discord.ui.button(label=SYNC_LABEL, emoji="🔄", style=discord.ButtonStyle.primary)
    async def sync(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        if not await self.bot.is_owner(interaction.user):
            raise UserFacingError(REFUSAL)
        button.disabled, button.label = True, SYNCING_LABEL
        await interaction.response.edit_message(view=self)  # answered at once; a fetch is slow
        try:
            outcome = await sync_now(self.bot.catalog)
        except Exception:
            button.disabled, button.label = False, SYNC_LABEL
            with contextlib.suppress(discord.HTTPException):
                await interaction.edit_original_response(view=self)
            raise  # reported by OwnedView.on_error
        button.disabled, button.label = False, SYNC_LABEL
        reply = library_status_reply(library_status(self.bot.catalog), outcome)
        await interaction.edit_original_response(**edit_kwargs(reply, self))


class LibraryCog(commands.Cog):
    def __init__(self, bot: PromptBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="library", description="Where the prompt library comes from, its counts and problems"
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def library(self, interaction: discord.Interaction) -> None:
        view = StatusView(self.bot, interaction.user.id)
        await view.show(interaction, library_status_reply(library_status(self.bot.catalog)))


async def setup(bot: PromptBot) -> None:
    await bot.add_cog(LibraryCog(bot))
