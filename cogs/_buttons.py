"""What every card button that outlives its view shares: its custom id carries
a prompt id (so it works on old messages and after a restart), it is rebuilt
from that id, and whatever its answer raises goes to :func:`cogs._report.report`
(discord.py would only log a dynamic item's exceptions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.app.bot import library_ready
from cogs._report import guarded

if TYPE_CHECKING:
    from bot.app import PromptBot


DynamicButton = discord.ui.DynamicItem[discord.ui.Button[Any]]


class PromptButton:
    """Mix in before ``DynamicButton`` (``discord.ui.DynamicItem``, which takes
    the ``template``); set ``make`` (the rendered button for a prompt id) and
    write ``answer``."""

    prompt_id: str

    @staticmethod
    def make(prompt_id: str) -> discord.ui.Button[Any]:
        raise NotImplementedError

    def __init__(self, prompt_id: str) -> None:
        super().__init__(self.make(prompt_id))  # type: ignore[call-arg]  # DynamicItem's
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
        async def answer() -> None:
            if await library_ready(interaction):  # (a click right after a restart)
                await self.answer(interaction, interaction.client)

        await guarded(interaction, answer)

    async def answer(self, interaction: discord.Interaction[Any], bot: PromptBot) -> None:
        raise NotImplementedError
