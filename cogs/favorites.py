"""★ Save on every card, and ``/favorites``: the member's saved prompts.

The acting member is always ``interaction.user.id``; a custom id carries only
the prompt (``promptbot:save:<id>``), so nobody can act on another's list.
A store that is down answers through :func:`cogs._report.report` ("can't be
saved right now")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.render.lists import notice
from bot.render.members import (
    FAVORITES_PAGE,
    GONE_NOTE,
    Listed,
    favorites_pages,
    favorites_reply,
    option_label,
    saved_note,
)
from bot.render.message import SAVE_TEMPLATE, save_button
from bot.state import Favorite
from cogs._buttons import DynamicButton, PromptButton
from cogs._report import UserFacingError
from cogs._send import edit_kwargs, send
from cogs._views import GONE, OwnedView, PageControls, show_card

if TYPE_CHECKING:
    from bot.app import PromptBot


class SaveButton(PromptButton, DynamicButton, template=SAVE_TEMPLATE):
    """Toggles the prompt in the clicking member's favourites and tells them,
    ephemerally; the card itself is not edited (a public one is everyone's)."""

    make = staticmethod(save_button)

    async def answer(self, interaction: discord.Interaction[Any], bot: PromptBot) -> None:
        member = interaction.user.id
        prompt = bot.catalog.current.get(self.prompt_id)
        if prompt is None:  # gone from the library: it can still be removed
            if await bot.state.remove_favorite(member, self.prompt_id):
                await send(interaction, notice(saved_note(self.prompt_id, False)))
                return
            raise UserFacingError(GONE)
        title = prompt.title.strip() or prompt.id
        saved = await bot.state.toggle_favorite(member, prompt.id, title)
        await send(interaction, notice(saved_note(title, saved)))


class FavoritesView(OwnedView):
    """Pages of the member's favourites: ‹ Page x of y ›, a select that opens a
    card, a select that removes one.  Every read goes to the store afresh."""

    def __init__(self, bot: PromptBot, owner_id: int) -> None:
        super().__init__(owner_id)
        self.bot, self.page, self.total = bot, 0, 0
        self.items: list[Listed] = []
        self.opener: discord.ui.Select[FavoritesView] = discord.ui.Select(
            placeholder="Open a saved prompt", row=1
        )
        self.remover: discord.ui.Select[FavoritesView] = discord.ui.Select(
            placeholder="Remove one from your favourites", row=2
        )
        self.opener.callback = self.open_card  # type: ignore[method-assign]
        self.remover.callback = self.remove  # type: ignore[method-assign]
        self.controls = PageControls(self.turn, ends=False)

    def listed(self, favorite: Favorite) -> Listed:
        prompt = self.bot.catalog.current.get(favorite.prompt_id)
        return Listed(favorite.prompt_id, favorite.title, prompt is not None)

    async def load(self) -> None:
        """Read the current page (clamped to the pages there are now)."""
        state, member = self.bot.state, self.owner_id
        self.total = await state.count_favorites(member)
        self.page = min(max(self.page, 0), favorites_pages(self.total) - 1)
        favorites = await state.list_favorites(
            member, offset=self.page * FAVORITES_PAGE, limit=FAVORITES_PAGE
        )
        self.items = [self.listed(f) for f in favorites]
        self.clear_items()
        if not self.items:
            return
        options = [
            discord.SelectOption(
                label=option_label(item),
                value=str(n),
                description=None if item.present else GONE_NOTE,
            )
            for n, item in enumerate(self.items)
        ]
        self.opener.options, self.remover.options = (
            options,
            [
                discord.SelectOption(label=o.label, value=o.value, description=o.description)
                for o in options
            ],
        )
        self.controls.update(self.page, favorites_pages(self.total))
        for item in (*self.controls.buttons, self.opener, self.remover):
            self.add_item(item)

    def reply(self) -> Any:
        return favorites_reply(self.items, self.page, self.total)

    async def turn(self, interaction: discord.Interaction, page: int) -> None:
        self.page = page
        await self.load()
        await interaction.response.edit_message(**edit_kwargs(self.reply(), self))

    def chosen(self, select: discord.ui.Select[FavoritesView]) -> Listed:
        index = int(select.values[0])
        if not 0 <= index < len(self.items):
            raise UserFacingError("That list has changed; run `/favorites` again.")
        return self.items[index]

    async def open_card(self, interaction: discord.Interaction) -> None:
        item = self.chosen(self.opener)
        prompt = self.bot.catalog.current.get(item.prompt_id)
        if prompt is None:
            raise UserFacingError(f"That prompt is {GONE_NOTE}; you can remove it from the list.")
        await show_card(self.bot, interaction, prompt, ephemeral=True)

    async def remove(self, interaction: discord.Interaction) -> None:
        item = self.chosen(self.remover)
        await self.bot.state.remove_favorite(self.owner_id, item.prompt_id)
        await self.turn(interaction, self.page)


class FavoritesCog(commands.Cog):
    def __init__(self, bot: PromptBot) -> None:
        self.bot = bot

    @app_commands.command(name="favorites", description="Your saved prompts")
    @app_commands.checks.cooldown(8, 20.0, key=lambda i: i.user.id)
    async def favorites(self, interaction: discord.Interaction) -> None:
        view = FavoritesView(self.bot, interaction.user.id)
        await view.load()
        if not view.items:
            await send(interaction, view.reply())
            return
        await view.show(interaction, view.reply())


async def setup(bot: PromptBot) -> None:
    bot.add_dynamic_items(SaveButton)
    await bot.add_cog(FavoritesCog(bot))
