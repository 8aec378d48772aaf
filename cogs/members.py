"""``/top [period]``: the prompts most shown in this server (in a DM, the
member's own), and ``/forget-me``: delete the member's data after a confirm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.render.lists import notice
from bot.render.members import FORGET_ASK, forgotten_note, top_reply
from cogs._send import edit_kwargs, send
from cogs._views import OwnedView

if TYPE_CHECKING:
    from bot.app import PromptBot

Period = Literal["day", "week", "month", "all"]
SPANS: dict[str, timedelta | None] = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "all": None,
}
TOP = 10


class ForgetView(OwnedView):
    """Confirm or cancel; either way the buttons go."""

    def __init__(self, bot: PromptBot, owner_id: int) -> None:
        super().__init__(owner_id)
        self.bot = bot

    async def finish(self, interaction: discord.Interaction, text: str) -> None:
        self.clear_items()
        self.stop()
        await interaction.response.edit_message(**edit_kwargs(notice(text), None))

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger, row=0)
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        summary = await self.bot.state.forget_user(self.owner_id)
        await self.finish(
            interaction, forgotten_note(summary.favorites_deleted, summary.usage_unlinked)
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, row=0)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        await self.finish(interaction, "Nothing was deleted.")


class MembersCog(commands.Cog):
    def __init__(self, bot: PromptBot) -> None:
        self.bot = bot

    @app_commands.command(name="top", description="The prompts shown most (in a DM: your own)")
    @app_commands.describe(period="Over which period (default: this week)")
    @app_commands.checks.cooldown(8, 20.0, key=lambda i: i.user.id)
    async def top(self, interaction: discord.Interaction, period: Period = "week") -> None:
        span = SPANS[period]
        since = None if span is None else datetime.now(UTC) - span
        guild_id = interaction.guild_id
        user_id = None if guild_id is not None else interaction.user.id
        counts = await self.bot.state.top(
            guild_id=guild_id, user_id=user_id, since=since, limit=TOP
        )
        snapshot = self.bot.catalog.current
        rows = []
        for count in counts:
            prompt = snapshot.get(count.prompt_id)
            title = (
                prompt.title
                if prompt is not None
                else f"{count.prompt_id} (no longer in the library)"
            )
            rows.append((title or count.prompt_id, count.served))
        await send(interaction, top_reply(rows, period, in_server=guild_id is not None))

    @app_commands.command(
        name="forget-me", description="Delete your saved prompts and unlink your usage counts"
    )
    async def forget_me(self, interaction: discord.Interaction) -> None:
        view = ForgetView(self.bot, interaction.user.id)
        await view.show(interaction, notice(FORGET_ASK))


async def setup(bot: PromptBot) -> None:
    await bot.add_cog(MembersCog(bot))
