""" "More like this": a card button answering, ephemerally, with up to five other
prompts similar in content (not near-duplicates of it) and a select that opens
one's card."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.catalog import Snapshot
from bot.models import Prompt
from bot.render.actions import NOTHING_SIMILAR, similar_reply
from bot.render.format import list_description, list_line
from bot.render.message import MORE_TEMPLATE, more_button
from cogs._buttons import DynamicButton, PromptButton
from cogs._report import UserFacingError
from cogs._views import OwnedView, known_prompt, show_card

if TYPE_CHECKING:
    from bot.app import PromptBot

SIMILAR = 5


class OpenerView(OwnedView):
    """A select of prompts; choosing one answers with its card (as a new message)."""

    def __init__(self, bot: PromptBot, owner_id: int, snapshot: Snapshot, prompts: list[Prompt]):
        super().__init__(owner_id)
        self.bot, self.snapshot = bot, snapshot
        self.opener: discord.ui.Select[OpenerView] = discord.ui.Select(
            placeholder="Open a prompt card", row=1
        )
        for prompt in prompts:
            self.opener.add_option(
                label=list_line(prompt),
                value=prompt.id,
                description=list_description(prompt) or None,
            )
        self.opener.callback = self.open_card  # type: ignore[method-assign]
        self.add_item(self.opener)

    async def open_card(self, interaction: discord.Interaction) -> None:
        prompt = known_prompt(self.snapshot, self.opener.values[0])
        await show_card(self.bot, interaction, prompt)


class MoreButton(PromptButton, DynamicButton, template=MORE_TEMPLATE):
    make = staticmethod(more_button)

    async def answer(self, interaction: discord.Interaction[Any], bot: PromptBot) -> None:
        snapshot = bot.catalog.current
        prompt = known_prompt(snapshot, self.prompt_id)
        similar = [hit.prompt for hit in snapshot.similar(prompt.id, limit=SIMILAR)]
        if not similar:
            raise UserFacingError(NOTHING_SIMILAR)
        view = OpenerView(bot, interaction.user.id, snapshot, similar)
        await view.show(interaction, similar_reply(prompt, similar))


async def setup(bot: PromptBot) -> None:
    bot.add_dynamic_items(MoreButton)
