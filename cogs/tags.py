"""``/tags category:``: the categories, or one category's tags and prompts, paginated."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render.format import list_description, list_line
from bot.render.lists import PAGE_SIZE, categories_reply, category_page, named_choices, page_count
from bot.render.message import Reply
from cogs._send import edit_kwargs, send
from cogs._views import OwnedView, PageControls, choices, known_category, known_prompt, show_card

if TYPE_CHECKING:
    from bot.app import PromptBot


class Pager(OwnedView):
    """First / previous / page x of y / next / last, and a select that opens a card."""

    def __init__(self, cog: TagsCog, owner_id: int, category: str) -> None:
        super().__init__(owner_id)
        self.cog, self.category, self.page = cog, category, 0
        self.snapshot = cog.bot.catalog.current  # pages stay consistent with each other
        self.prompts = self.snapshot.facets.prompts_in(category)
        self.tags = self.snapshot.facets.tags_in(category)
        self.pages = page_count(len(self.prompts))
        self.opener: discord.ui.Select[Pager] = discord.ui.Select(
            placeholder="Open a prompt card", row=1
        )
        self.opener.callback = self.open_card  # type: ignore[method-assign]
        self.controls = PageControls(self.turn, ends=True)
        for item in (*self.controls.buttons, self.opener):
            self.add_item(item)
        self.refresh()

    def reply(self) -> Reply:
        return category_page(self.category, self.tags, self.prompts, self.page)

    def refresh(self) -> None:
        first = self.page * PAGE_SIZE
        self.opener.options = [
            discord.SelectOption(
                label=list_line(p), value=p.id, description=list_description(p) or None
            )
            for p in self.prompts[first : first + PAGE_SIZE]
        ]
        self.controls.update(self.page, self.pages)

    async def turn(self, interaction: discord.Interaction, page: int) -> None:
        self.page = min(max(page, 0), self.pages - 1)
        self.refresh()
        await interaction.response.edit_message(**edit_kwargs(self.reply(), self))

    async def open_card(self, interaction: discord.Interaction) -> None:
        prompt = known_prompt(self.snapshot, self.opener.values[0])
        await show_card(self.cog.bot, interaction, prompt)


class TagsCog(commands.Cog):
    def __init__(self, bot: PromptBot) -> None:
        self.bot = bot

    @app_commands.command(name="tags", description="Browse the categories, or one category")
    @app_commands.describe(category="A category to list its tags and prompts")
    @app_commands.checks.cooldown(8, 20.0, key=lambda i: i.user.id)
    async def tags(self, interaction: discord.Interaction, category: str | None = None) -> None:
        snapshot = self.bot.catalog.current
        if category is None:
            await send(interaction, categories_reply(snapshot.facets.categories, len(snapshot)))
            return
        view = Pager(self, interaction.user.id, known_category(snapshot, category))
        await view.show(interaction, view.reply())

    @tags.autocomplete("category")
    async def category_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        facets = self.bot.catalog.current.facets
        return choices(named_choices(facets.complete_category(current)))


async def setup(bot: PromptBot) -> None:
    await bot.add_cog(TagsCog(bot))
