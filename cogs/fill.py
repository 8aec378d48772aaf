""" "Fill in": a card button that opens a form for the prompt's placeholders and
answers, ephemerally, with the prompt filled in, every value exactly as typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.limits import TEXT_INPUT_VALUE
from bot.models import Prompt
from bot.render.actions import FillForm, fill_form, filled_reply
from bot.render.message import FILL_TEMPLATE, fill_button
from cogs._buttons import DynamicButton, PromptButton
from cogs._report import UserFacingError, report
from cogs._send import send
from cogs._views import VIEW_TIMEOUT, known_prompt

if TYPE_CHECKING:
    from bot.app import PromptBot

NOTHING_TO_FILL = "This prompt has nothing to fill in."


class FillModal(discord.ui.Modal):
    """One text input per asked placeholder; custom ids are the inputs' indexes,
    never library or member text.  It keeps the prompt it was opened for."""

    def __init__(self, prompt: Prompt, form: FillForm) -> None:
        super().__init__(title=form.title, custom_id="promptbot:fill-form", timeout=VIEW_TIMEOUT)
        self.prompt, self.form = prompt, form
        self.inputs: list[discord.ui.TextInput[FillModal]] = []
        for index in range(len(form.asked)):
            prefill = form.prefill(index)
            field: discord.ui.TextInput[FillModal] = discord.ui.TextInput(
                label=form.label(index),
                custom_id=str(index),
                default=prefill,
                required=prefill is None,
                max_length=TEXT_INPUT_VALUE,
                style=discord.TextStyle.paragraph,
            )
            self.inputs.append(field)
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        typed = [field.value for field in self.inputs]
        await send(interaction, filled_reply(self.prompt, self.form, typed))

    async def on_error(  # type: ignore[override]  # discord.py: Modal narrows BaseView
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await report(interaction, error)


class FillButton(PromptButton, DynamicButton, template=FILL_TEMPLATE):
    make = staticmethod(fill_button)

    async def answer(self, interaction: discord.Interaction[Any], bot: PromptBot) -> None:
        prompt = known_prompt(bot.catalog.current, self.prompt_id)
        form = fill_form(prompt)
        if form is None:
            raise UserFacingError(NOTHING_TO_FILL)
        await interaction.response.send_modal(FillModal(prompt, form))


async def setup(bot: PromptBot) -> None:
    bot.add_dynamic_items(FillButton)
