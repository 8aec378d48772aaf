"""Buttons that live on cards, which outlive any view: their custom ids carry
what they act on (a prompt id), so they work on old messages and after a
restart.  Registered once with ``add_dynamic_items``; discord.py only logs a
dynamic item's exceptions, so callbacks run through :func:`cogs._report.guarded`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.render.message import FULL_PROMPT_TEMPLATE, full_prompt_button, full_prompt_reply
from cogs._buttons import DynamicButton, PromptButton
from cogs._send import send
from cogs._views import known_prompt

if TYPE_CHECKING:
    from bot.app import PromptBot


class FullPromptButton(PromptButton, DynamicButton, template=FULL_PROMPT_TEMPLATE):
    """ "Full prompt": the exact prompt, ephemeral, ready to copy."""

    make = staticmethod(full_prompt_button)

    async def answer(self, interaction: discord.Interaction[Any], bot: PromptBot) -> None:
        prompt = known_prompt(bot.catalog.current, self.prompt_id)
        await send(interaction, full_prompt_reply(prompt))


async def setup(bot: PromptBot) -> None:
    bot.add_dynamic_items(FullPromptButton)
