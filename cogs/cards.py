"""Buttons that live on cards, which outlive any view: their custom ids carry
what they act on (a prompt id), so they work on old messages and after a
restart.  Registered once with ``add_dynamic_items``; discord.py only logs a
dynamic item's exceptions, so callbacks run through :func:`cogs._report.guarded`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.render.message import FULL_PROMPT_TEMPLATE, full_prompt_button, full_prompt_reply
from cogs._report import guarded
from cogs._send import send
from cogs._views import known_prompt

if TYPE_CHECKING:
    from bot.app import PromptBot


class FullPromptButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=FULL_PROMPT_TEMPLATE
):
    """ "Full prompt": the exact prompt, ephemeral, ready to copy."""

    def __init__(self, prompt_id: str) -> None:
        super().__init__(full_prompt_button(prompt_id))
        self.prompt_id = prompt_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, lambda: self.answer(interaction, interaction.client))

    async def answer(self, interaction: discord.Interaction[Any], bot: PromptBot) -> None:
        prompt = known_prompt(bot.catalog.current, self.prompt_id)
        await send(interaction, full_prompt_reply(prompt))


async def setup(bot: PromptBot) -> None:
    bot.add_dynamic_items(FullPromptButton)
