"""``/prompt query:``: find a prompt; the best match as a card."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import Snapshot
from bot.limits import SELECT_OPTIONS
from bot.models import Prompt
from bot.render.format import list_description, list_line
from bot.render.lists import prompt_choices
from bot.render.message import Reply, no_match_reply
from bot.search import Hit
from cogs._send import edit_kwargs, send
from cogs._views import OwnedView, choices, known_prompt, member_card

if TYPE_CHECKING:
    from bot.app import PromptBot

QUERY_MAX = 200
PICK_MAX = min(SELECT_OPTIONS, 10)


class PickView(OwnedView):
    """The best card plus a select of the other top matches (invoker only)."""

    def __init__(
        self, cog: PromptCog, owner_id: int, hits: list[Hit], shown_id: str, hide: bool
    ) -> None:
        super().__init__(owner_id)
        self.cog, self.hide = cog, hide
        self.select: discord.ui.Select[PickView] = discord.ui.Select(
            placeholder="Not this one? Pick another match", row=1
        )
        for hit in hits[:PICK_MAX]:
            self.select.add_option(
                label=list_line(hit.prompt),
                value=hit.prompt.id,
                description=list_description(hit.prompt) or None,
                default=hit.prompt.id == shown_id,
            )
        self.select.callback = self.picked  # type: ignore[method-assign]
        self.add_item(self.select)

    async def picked(self, interaction: discord.Interaction) -> None:
        prompt_id = self.select.values[0]
        prompt = known_prompt(self.cog.snapshot, prompt_id)
        for option in self.select.options:
            option.default = option.value == prompt_id
        card = await self.cog.card(interaction, prompt, self.hide)
        self.clear_card_items()
        self.add_card_items(card)
        await interaction.response.edit_message(**edit_kwargs(card, self))


class PromptCog(commands.Cog):
    def __init__(self, bot: PromptBot) -> None:
        self.bot = bot

    @property
    def snapshot(self) -> Snapshot:
        return self.bot.catalog.current

    async def card(
        self, interaction: discord.Interaction, prompt: Prompt, hide: bool = False
    ) -> Reply:
        return await member_card(self.bot, interaction, prompt, ephemeral=hide)

    @app_commands.command(name="prompt", description="Find a prompt by its title, tags or content")
    @app_commands.describe(
        query="What you remember of it: title words, tags, what it shows",
        hide="Only you see the answer",
    )
    @app_commands.checks.cooldown(8, 20.0, key=lambda i: i.user.id)
    async def prompt(
        self, interaction: discord.Interaction, query: str, hide: bool = False
    ) -> None:
        snapshot = self.snapshot  # one snapshot for the whole answer
        query = query.strip()[:QUERY_MAX]
        exact = snapshot.get(query)  # an autocomplete choice's value is the id
        if exact is not None:
            await send(interaction, await self.card(interaction, exact, hide))
            return
        hits = snapshot.search(query, limit=PICK_MAX)
        if not hits:
            names = [hit.title for hit in snapshot.autocomplete(query, limit=5)]
            names = names or [f"/tags category:{name}" for name, _ in snapshot.facets.categories]
            tries = snapshot.engine.suggest(query)  # "did you mean", from the vocabulary
            await send(interaction, no_match_reply(query, names, queries=tries))
            return
        winner = snapshot.engine.clear_winner(hits)
        if winner is not None or len(hits) == 1:
            await send(interaction, await self.card(interaction, (winner or hits[0]).prompt, hide))
            return
        card = await self.card(interaction, hits[0].prompt, hide)
        view = PickView(self, interaction.user.id, hits, hits[0].prompt.id, hide)
        view.add_card_items(card)
        await view.show(interaction, card)

    @prompt.autocomplete("query")
    async def prompt_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        hits = self.snapshot.autocomplete(current[:QUERY_MAX])
        return choices(prompt_choices(hits))  # titles and ids: no prompt is read


async def setup(bot: PromptBot) -> None:
    await bot.add_cog(PromptCog(bot))
