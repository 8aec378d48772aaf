"""Messages as plain data (``Reply``) and their exact Discord payloads.

A ``Reply`` holds what ``InteractionResponse.send_message`` takes; it builds
fresh discord.py objects on demand, and :func:`reply_payload` runs them through
discord.py's own ``interaction_message_response_params`` so tests see the very
``data`` object the bot sends.  Also the small replies the cogs need: the full
prompt, and "no match".
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord.utils import MISSING
from discord.webhook.async_ import interaction_message_response_params

from bot.limits import CUSTOM_ID, FENCE, MESSAGE_CONTENT, clip, measure
from bot.models import Prompt
from bot.render.format import clip_display, full_prompt_file, list_line, parse_json

FULL_PROMPT_PREFIX = "promptbot:full:"
FULL_PROMPT_TEMPLATE = re.escape(FULL_PROMPT_PREFIX) + r"(?P<id>.+)"
INTERACTION_RESPONSE_CHANNEL_MESSAGE = discord.InteractionResponseType.channel_message.value


@dataclass(frozen=True, slots=True)
class CardFile:
    """A file sent with a message: read from ``path`` or taken from ``data``."""

    filename: str
    path: Path | None = None
    data: bytes | None = None

    def to_discord(self) -> discord.File:
        """A fresh ``discord.File`` (they are single-use)."""
        if self.data is not None:
            return discord.File(io.BytesIO(self.data), filename=self.filename)
        if self.path is None:
            raise ValueError(f"{self.filename}: neither path nor data")
        return discord.File(self.path, filename=self.filename)


@dataclass(frozen=True, slots=True)
class LinkButton:
    label: str
    url: str


class FullPromptButton(discord.ui.DynamicItem[discord.ui.Button], template=FULL_PROMPT_TEMPLATE):
    """The card's "Full prompt" button.  Its custom id carries the prompt id, so
    it works on old messages and after a restart (register it once with
    ``client.add_dynamic_items(FullPromptButton)``).  A click dispatches the
    ``promptbot_full_prompt`` event ``(interaction, prompt_id)``; the cog that
    owns the library answers it (with :func:`full_prompt_reply`)."""

    def __init__(self, prompt_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Full prompt",
                emoji="📋",
                style=discord.ButtonStyle.secondary,
                custom_id=full_prompt_custom_id(prompt_id),
            )
        )
        self.prompt_id = prompt_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FullPromptButton:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch("promptbot_full_prompt", interaction, self.prompt_id)


def full_prompt_custom_id(prompt_id: str) -> str:
    custom_id = FULL_PROMPT_PREFIX + prompt_id
    if measure(custom_id) > CUSTOM_ID:
        raise ValueError(f"prompt id too long for a custom id: {prompt_id!r}")
    return custom_id


@dataclass
class Reply:
    """A message to send: everything ``send_message`` takes, as plain data.

    ``send_kwargs()`` makes fresh discord.py objects each time (files and views
    are single-use), so one Reply can be sent, previewed and tested.
    """

    content: str | None = None
    embed: discord.Embed | None = None
    files: list[CardFile] = field(default_factory=list)
    links: list[LinkButton] = field(default_factory=list)
    full_prompt_id: str | None = None  # adds the "Full prompt" button
    ephemeral: bool = False

    def view(self) -> discord.ui.View | None:
        if not self.links and self.full_prompt_id is None:
            return None
        view = discord.ui.View(timeout=None)
        for link in self.links:
            view.add_item(discord.ui.Button(label=link.label, url=link.url))
        if self.full_prompt_id is not None:
            view.add_item(FullPromptButton(self.full_prompt_id))
        return view

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``InteractionResponse.send_message`` (and,
        without ``ephemeral``, for ``Messageable.send``/followups)."""
        kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        if self.content is not None:
            kwargs["content"] = self.content
        if self.embed is not None:
            kwargs["embed"] = self.embed
        if self.files:
            kwargs["files"] = [f.to_discord() for f in self.files]
        view = self.view()
        if view is not None:
            kwargs["view"] = view
        if self.ephemeral:
            kwargs["ephemeral"] = True
        return kwargs


def reply_payload(reply: Reply) -> dict[str, Any]:
    """The interaction-response ``data`` object discord.py sends for ``reply``
    (``InteractionResponse.send_message`` with no client-wide allowed mentions)."""
    kwargs = reply.send_kwargs()
    ephemeral = kwargs.pop("ephemeral", False)
    flags = discord.MessageFlags(ephemeral=True) if ephemeral else MISSING
    params = interaction_message_response_params(
        type=INTERACTION_RESPONSE_CHANNEL_MESSAGE,
        content=kwargs.get("content"),
        embed=kwargs.get("embed", MISSING),
        files=kwargs.get("files", MISSING),
        view=kwargs.get("view", MISSING),
        allowed_mentions=kwargs["allowed_mentions"],
        flags=flags,
    )
    with params:
        if params.payload is not None:
            body = params.payload
        else:  # multipart: the JSON part is the first one
            body = json.loads(params.multipart[0]["value"])
    return body["data"]


def full_prompt_reply(prompt: Prompt) -> Reply:
    """The answer to "Full prompt": ephemeral, ready to copy.

    In a code block when the verbatim prompt fits a message (2,000) and has no
    ``` of its own; else as an attached ``prompt.txt``/``prompt.json``, so the
    user always gets the exact text.
    """
    lang = "json" if parse_json(prompt.prompt) is not None else ""
    body = prompt.prompt.strip("\n")
    content = f"{FENCE}{lang}\n{body}\n{FENCE}"
    if FENCE not in body and body.strip() and measure(content) <= MESSAGE_CONTENT:
        return Reply(content=content, ephemeral=True)
    filename, data = full_prompt_file(prompt)
    note = f"The full prompt ({len(prompt.prompt):,} characters) is attached as `{filename}`."
    return Reply(content=note, files=[CardFile(filename, data=data)], ephemeral=True)


def no_match_reply(
    query: str, suggestions: Sequence[str | Prompt] = (), *, queries: Sequence[str] = ()
) -> Reply:
    """ "Nothing matches" with up to 3 other ``queries`` to try (spelling, from
    ``SearchEngine.suggest``) and up to 10 suggestions (titles, or strings such
    as tags or categories), ephemeral, within the 2,000-character limit."""
    shown = clip_display(query.strip() or "(empty)", 100)
    lines = [f"No prompt matches **{shown}**."]
    tries = [f"**{clip_display(q, 100)}**" for q in queries[:3] if q.strip()]
    if tries:
        lines.append(f"Search instead for {' or '.join(tries)}?")
    names = [list_line(s) if isinstance(s, Prompt) else s for s in suggestions][:10]
    if names:
        lines.append("Did you mean:")
        lines.extend(f"• {clip_display(name, 100)}" for name in names if name.strip())
    else:
        lines.append("Try fewer or other words, or browse with `/tags`.")
    return Reply(content=clip("\n".join(lines), MESSAGE_CONTENT), ephemeral=True)
