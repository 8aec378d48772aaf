"""``/prompt query:``: find a prompt; the full-prompt button's answer."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.limits import AUTOCOMPLETE_CHOICES, SELECT_OPTIONS
from bot.render.format import list_description, list_line
from bot.render.lists import notice
from bot.render.message import FullPromptButton, full_prompt_reply, no_match_reply
from cogs._views import OwnedView, card_for, choices, edit_kwargs, send

QUERY_MAX = 200
PICK_MAX = min(SELECT_OPTIONS, 10)


class PickView(OwnedView):
    """The best card plus a select of the other top matches (invoker only)."""

    def __init__(self, cog: PromptCog, owner_id: int, hits: list, shown_id: str) -> None:
        super().__init__(owner_id)
        self.cog, self.hits = cog, hits
        self.select = discord.ui.Select(placeholder="Not this one? Pick another match", row=1)
        for hit in hits[:PICK_MAX]:
            self.select.add_option(
                label=list_line(hit.prompt),
                value=hit.prompt.id,
                description=list_description(hit.prompt) or None,
                default=hit.prompt.id == shown_id,
            )
        self.select.callback = self.picked
        self.add_item(self.select)

    async def picked(self, interaction: discord.Interaction) -> None:
        prompt_id = self.select.values[0]
        prompt = self.cog.snapshot.engine.get(prompt_id)
        if prompt is None:
            await send(interaction, notice("That prompt is no longer in the library."))
            return
        for option in self.select.options:
            option.default = option.value == prompt_id
        card = self.cog.card(prompt)
        self.clear_card_items()
        self.add_card_items(card)
        await interaction.response.edit_message(**edit_kwargs(card, self))


class PromptCog(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @property
    def snapshot(self):  # noqa: ANN201 - bot.catalog.Snapshot
        return self.bot.catalog.current

    def card(self, prompt):  # noqa: ANN001, ANN201
        return card_for(self.bot, prompt)

    @app_commands.command(name="prompt", description="Find a prompt by its title, tags or content")
    @app_commands.describe(query="What you remember of it: title words, tags, what it shows")
    @app_commands.checks.cooldown(8, 20.0, key=lambda i: i.user.id)
    async def prompt(self, interaction: discord.Interaction, query: str) -> None:
        engine = self.snapshot.engine
        query = query.strip()[:QUERY_MAX]
        exact = engine.get(query)  # an autocomplete choice's value is the id
        if exact is not None:
            await send(interaction, self.card(exact))
            return
        hits = engine.search(query, limit=PICK_MAX)
        if not hits:
            names = [name for name, _ in engine.autocomplete(query, limit=5)]
            names = names or [f"/tags category:{name}" for name, _ in self.snapshot.categories]
            await send(interaction, no_match_reply(query, names))
            return
        winner = engine.clear_winner(hits)
        if winner is not None or len(hits) == 1:
            await send(interaction, self.card((winner or hits[0]).prompt))
            return
        card = self.card(hits[0].prompt)
        view = PickView(self, interaction.user.id, hits, hits[0].prompt.id)
        view.add_card_items(card)
        await send(interaction, card, view)

    @prompt.autocomplete("query")
    async def prompt_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return choices(
            self.snapshot.engine.autocomplete(current[:QUERY_MAX], limit=AUTOCOMPLETE_CHOICES)
        )

    @commands.Cog.listener()
    async def on_promptbot_full_prompt(self, interaction: discord.Interaction, prompt_id: str):
        prompt = self.snapshot.engine.get(prompt_id)
        if prompt is None:
            await send(interaction, notice("That prompt is no longer in the library."))
            return
        await send(interaction, full_prompt_reply(prompt))


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(FullPromptButton)
    await bot.add_cog(PromptCog(bot))
