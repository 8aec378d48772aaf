"""``/random category: tag:``: a random prompt, with an "Another one" button."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.limits import AUTOCOMPLETE_CHOICES
from cogs._views import (
    OwnedView,
    UserFacingError,
    card_for,
    choices,
    edit_kwargs,
    known_category,
    send,
)


class RerollView(OwnedView):
    def __init__(self, cog: RandomCog, owner_id: int, category: str | None, tag: str | None):
        super().__init__(owner_id)
        self.cog, self.category, self.tag = cog, category, tag

    @discord.ui.button(label="Another one", emoji="🎲", style=discord.ButtonStyle.primary, row=1)
    async def again(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        prompt = await self.cog.pick(self.category, self.tag)
        card = self.cog.card(prompt)
        self.clear_card_items()
        self.add_card_items(card)
        await interaction.response.edit_message(**edit_kwargs(card, self))


class RandomCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    def card(self, prompt):  # noqa: ANN001, ANN201
        return card_for(self.bot, prompt)

    async def pick(self, category: str | None, tag: str | None):  # noqa: ANN201
        prompt = await self.bot.catalog.index.random(category=category, tag=tag)
        if prompt is None:
            raise UserFacingError("No prompt has that category and tag together; try just one.")
        return prompt

    def check_filters(self, category: str | None, tag: str | None) -> tuple[str | None, str | None]:
        snapshot = self.bot.catalog.current
        if category is not None:
            category = known_category(snapshot, category)
        if tag is not None:
            found = snapshot.tag(tag)
            if found is None:
                raise UserFacingError(f"There is no tag “{tag[:50]}”; `/tags` lists them.")
            tag = found
        return category, tag

    @app_commands.command(name="random", description="A random prompt, optionally filtered")
    @app_commands.describe(category="Only this category", tag="Only prompts with this tag")
    @app_commands.checks.cooldown(8, 20.0, key=lambda i: i.user.id)
    async def random(
        self, interaction: discord.Interaction, category: str | None = None, tag: str | None = None
    ) -> None:
        category, tag = self.check_filters(category, tag)
        card = self.card(await self.pick(category, tag))
        view = RerollView(self, interaction.user.id, category, tag)
        view.add_card_items(card)
        await send(interaction, card, view)

    @random.autocomplete("category")
    async def category_autocomplete(self, interaction: discord.Interaction, current: str):
        engine = self.bot.catalog.current.engine
        return choices(engine.complete_category(current, limit=AUTOCOMPLETE_CHOICES))

    @random.autocomplete("tag")
    async def tag_autocomplete(self, interaction: discord.Interaction, current: str):
        engine = self.bot.catalog.current.engine
        return choices(engine.complete_tag(current, limit=AUTOCOMPLETE_CHOICES))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(RandomCog(bot))
