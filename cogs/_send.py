"""Sending a rendered ``Reply`` as an interaction's answer."""

from __future__ import annotations

from typing import Any

import discord

from bot.render.message import Reply

Sent = discord.InteractionMessage | discord.WebhookMessage


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
) -> Sent | None:
    """Answer ``interaction`` with ``reply`` (its own view unless ``view`` is given),
    by the initial response or, once deferred or answered, a follow-up.  Returns
    the message when discord.py hands it back without another request."""
    kwargs = reply.send_kwargs()
    if view is not None:
        kwargs["view"] = view
    if reply.files and not interaction.response.is_done():
        # an upload can outlast Discord's 3 seconds: acknowledge at once, then
        # replace the "thinking…" message with the reply
        await interaction.response.defer(ephemeral=reply.ephemeral, thinking=True)
        kwargs.pop("ephemeral", None)
        kwargs["attachments"] = kwargs.pop("files")
        return await interaction.edit_original_response(**kwargs)
    if interaction.response.is_done():
        return await interaction.followup.send(wait=True, **kwargs)
    await interaction.response.send_message(**kwargs)
    return None
