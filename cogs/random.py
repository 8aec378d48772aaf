"""``/random category: tag:``: a random prompt, with an "Another one" button."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Snapshot
from bot.models import Prompt
from bot.render.lists import named_choices
from cogs._report import UserFacingError
from cogs._send import edit_kwargs
from cogs._views import OwnedView, choices, known_category, known_tag, member_card

if TYPE_CHECKING:
    from bot.app import PromptBot

NONE_WITH_BOTH = "No prompt has that category and tag together; try just one."


class RerollView(OwnedView):
    def __init__(self, cog: RandomCog, owner_id: int, category: str | None, tag: str | None):
        super().__init__(owner_id)
        self.cog, self.category, self.tag = cog, category, tag

    @discord.ui.button(label="Another one", emoji="🎲", style=discord.ButtonStyle.primary, row=1)
    async def again(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        prompt = self.cog.pick(self.cog.snapshot, self.category, self.tag)
        card = await member_card(self.cog.bot, interaction, prompt, ephemeral=False)
        self.clear_card_items()
        self.add_card_items(card)
        await interaction.response.edit_message(**edit_kwargs(card, self))


class RandomCog(commands.Cog):
    def __init__(self, bot: PromptBot) -> None:
        self.bot = bot

    @property
    def snapshot(self) -> Snapshot:
        return self.bot.catalog.current

    @staticmethod
    def pick(snapshot: Snapshot, category: str | None, tag: str | None) -> Prompt:
        prompt = snapshot.random(category, tag)
        if prompt is None:
            raise UserFacingError(NONE_WITH_BOTH if category and tag else "The library is empty.")
        return prompt

    @app_commands.command(name="random", description="A random prompt, optionally filtered")
    @app_commands.describe(category="Only this category", tag="Only prompts with this tag")
    @app_commands.checks.cooldown(8, 20.0, key=lambda i: i.user.id)
    async def random(
        self, interaction: discord.Interaction, category: str | None = None, tag: str | None = None
    ) -> None:
        snapshot = self.snapshot
        category = None if category is None else known_category(snapshot, category)
        tag = None if tag is None else known_tag(snapshot, tag)
        card = await member_card(
            self.bot, interaction, self.pick(snapshot, category, tag), ephemeral=False
        )
        view = RerollView(self, interaction.user.id, category, tag)
        view.add_card_items(card)
        await view.show(interaction, card)

    @random.autocomplete("category")
    async def category_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(named_choices(self.snapshot.facets.complete_category(current)))

    @random.autocomplete("tag")
    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(named_choices(self.snapshot.facets.complete_tag(current)))


async def setup(bot: PromptBot) -> None:
    await bot.add_cog(RandomCog(bot))
