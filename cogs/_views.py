"""Views shared by the cogs: only the invoker drives them, and on timeout
their controls are disabled (RoboDanny's paginator rules)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.render.card import render_card
from bot.render.message import FullPromptButton, Reply

log = logging.getLogger(__name__)
VIEW_TIMEOUT = 300.0


class UserFacingError(app_commands.AppCommandError):
    """An expected problem (a bad option value, nothing to show): its text is
    the whole answer, shown to the user ephemerally by the error handler."""


class OwnedView(discord.ui.View):
    """A view that answers only the user who invoked the command."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.owner_id = owner_id
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran the command can use these controls; run it yourself to "
            "get your own.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return False

    def add_card_items(self, reply: Reply) -> None:
        """The card's own buttons (source link, full prompt) on the first row."""
        for link in reply.links:
            self.add_item(discord.ui.Button(label=link.label, url=link.url, row=0))
        if reply.full_prompt_id is not None:
            button = FullPromptButton(reply.full_prompt_id)
            button.item.row = 0
            self.add_item(button)

    def clear_card_items(self) -> None:
        for item in list(self.children):
            if item.row == 0:
                self.remove_item(item)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.url:
                continue  # links keep working
            if hasattr(item, "disabled"):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.debug("could not disable the controls of an expired view")


def edit_kwargs(reply: Reply, view: discord.ui.View | None) -> dict[str, Any]:
    """Keyword arguments for ``edit_message``: the reply's embed and files
    replace what the message had."""
    kwargs = reply.send_kwargs()
    kwargs.pop("ephemeral", None)
    kwargs["attachments"] = kwargs.pop("files", [])
    kwargs["embed"] = kwargs.get("embed")
    kwargs["view"] = view
    return kwargs


async def send(
    interaction: discord.Interaction, reply: Reply, view: discord.ui.View | None = None
) -> None:
    """Answer ``interaction`` with ``reply`` (its own view unless ``view`` is given),
    by the initial response or, once deferred or answered, a follow-up."""
    kwargs = reply.send_kwargs()
    if view is not None:
        kwargs["view"] = view
    message: discord.InteractionMessage | discord.WebhookMessage | None = None
    if reply.files and not interaction.response.is_done():
        # an upload can outlast Discord's 3 seconds: acknowledge at once, then
        # replace the "thinking…" message with the reply
        await interaction.response.defer(ephemeral=reply.ephemeral, thinking=True)
        kwargs.pop("ephemeral", None)
        kwargs["attachments"] = kwargs.pop("files")
        message = await interaction.edit_original_response(**kwargs)
    elif interaction.response.is_done():
        message = await interaction.followup.send(wait=True, **kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    if isinstance(view, OwnedView):
        view.message = message or await interaction.original_response()


def known_category(snapshot: Any, name: str) -> str:
    """The library's spelling of category ``name``, or a UserFacingError listing them."""
    found = snapshot.category(name)
    if found is None:
        names = ", ".join(category for category, _ in snapshot.categories)
        raise UserFacingError(f"There is no category “{name[:50]}”. Categories: {names}")
    return found


def choices(pairs: list[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices from the engine's ``(name, value)`` pairs."""
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


def card_for(bot: Any, prompt: Any) -> Reply:
    """The prompt's card, with the bot's media settings."""
    settings = bot.settings
    return render_card(prompt, media_dir=settings.media_dir, media_url=settings.media_url)
