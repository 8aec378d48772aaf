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
from bot.render.format import (
    clip_display,
    full_prompt_file,
    list_line,
    parse_json,
    sections_file,
    sections_message,
)

FULL_PROMPT_PREFIX = "promptbot:full:"
FILL_PREFIX = "promptbot:fill:"
MORE_PREFIX = "promptbot:more:"
SAVE_PREFIX = "promptbot:save:"


def id_template(prefix: str) -> str:
    """The ``DynamicItem`` template of a card button: the prefix, then the prompt id."""
    return re.escape(prefix) + r"(?P<id>.+)"


# The buttons every card carries, answered by their dynamic items (cogs), for anyone.
CARD_PREFIXES = (FULL_PROMPT_PREFIX, FILL_PREFIX, MORE_PREFIX, SAVE_PREFIX)
FULL_PROMPT_TEMPLATE = id_template(FULL_PROMPT_PREFIX)
FILL_TEMPLATE = id_template(FILL_PREFIX)
MORE_TEMPLATE = id_template(MORE_PREFIX)
SAVE_TEMPLATE = id_template(SAVE_PREFIX)
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


def full_prompt_button(prompt_id: str) -> discord.ui.Button[discord.ui.View]:
    """The card's "Full prompt" button, as data: its custom id carries the prompt
    id, so it works on old messages and after a restart.  What a click does is
    the cogs' business (``cogs.cards.FullPromptButton`` matches the custom id)."""
    return discord.ui.Button(
        label="Full prompt",
        emoji="📋",
        style=discord.ButtonStyle.secondary,
        custom_id=full_prompt_custom_id(prompt_id),
    )


def full_prompt_custom_id(prompt_id: str) -> str:
    return card_custom_id(FULL_PROMPT_PREFIX, prompt_id)


def card_custom_id(prefix: str, prompt_id: str) -> str:
    custom_id = prefix + prompt_id
    if measure(custom_id) > CUSTOM_ID:
        raise ValueError(f"prompt id too long for a custom id: {prompt_id!r}")
    return custom_id


def fits_custom_id(prefix: str, prompt_id: str) -> bool:
    return measure(prefix + prompt_id) <= CUSTOM_ID


def fill_button(prompt_id: str) -> discord.ui.Button[discord.ui.View]:
    """ "Fill in": a form for the prompt's placeholders (``cogs.cards.FillButton``)."""
    return discord.ui.Button(
        label="Fill in",
        emoji="✏️",
        style=discord.ButtonStyle.secondary,
        custom_id=card_custom_id(FILL_PREFIX, prompt_id),
    )


def more_button(prompt_id: str) -> discord.ui.Button[discord.ui.View]:
    """ "More like this": similar prompts (``cogs.cards.MoreButton``)."""
    return discord.ui.Button(
        label="More like this",
        emoji="🔎",
        style=discord.ButtonStyle.secondary,
        custom_id=card_custom_id(MORE_PREFIX, prompt_id),
    )


SAVE_LABEL, SAVED_LABEL = "Save", "Saved"


def save_button(prompt_id: str, saved: bool = False) -> discord.ui.Button[discord.ui.View]:
    """ "★ Save" / "Saved": toggles the prompt in the clicking member's favourites
    (``cogs.cards.SaveButton``); the custom id carries the prompt, never a member."""
    return discord.ui.Button(
        label=SAVED_LABEL if saved else SAVE_LABEL,
        emoji="★" if not saved else "⭐",
        style=discord.ButtonStyle.success if saved else discord.ButtonStyle.secondary,
        custom_id=card_custom_id(SAVE_PREFIX, prompt_id),
    )


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
    fill_prompt_id: str | None = None  # adds "Fill in"
    more_prompt_id: str | None = None  # adds "More like this"
    save_prompt_id: str | None = None  # adds "Save" ("Saved" when ``saved``)
    saved: bool = False

    def buttons(self) -> list[discord.ui.Button[discord.ui.View]]:
        """The card's buttons, fresh, in their order: links, Full prompt, Save,
        Fill in, More like this."""
        out: list[discord.ui.Button[discord.ui.View]] = [
            discord.ui.Button(label=link.label, url=link.url) for link in self.links
        ]
        if self.full_prompt_id is not None:
            out.append(full_prompt_button(self.full_prompt_id))
        if self.save_prompt_id is not None:
            out.append(save_button(self.save_prompt_id, self.saved))
        if self.fill_prompt_id is not None:
            out.append(fill_button(self.fill_prompt_id))
        if self.more_prompt_id is not None:
            out.append(more_button(self.more_prompt_id))
        return out

    def view(self) -> discord.ui.View | None:
        buttons = self.buttons()
        if not buttons:
            return None
        view = discord.ui.View(timeout=None)
        for button in buttons:
            view.add_item(button)
        # Every card button is answered by its dynamic item (cogs), never by this
        # view: a stopped view is sent but not kept in discord.py's view store
        # (which would grow by one view per card, checked on every store).
        view.stop()
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
            assert params.multipart is not None
            body = json.loads(params.multipart[0]["value"])
    return body["data"]


def full_prompt_reply(prompt: Prompt) -> Reply:
    """The answer to "Full prompt": ephemeral, ready to copy, always exact.

    The prompt in a code block when the verbatim text fits a message (2,000)
    and has no ``` of its own; else as an attached ``prompt.txt``/``prompt.json``.
    Then the file's other sections (Notes, Usage, ...) whole: in the message
    when they fit, else as ``notes.md``.
    """
    lang = "json" if parse_json(prompt.prompt) is not None else ""
    body = prompt.prompt.strip("\n")
    block = f"{FENCE}{lang}\n{body}\n{FENCE}"
    parts: list[str] = []
    files: list[CardFile] = []
    if FENCE not in body and body.strip() and measure(block) <= MESSAGE_CONTENT:
        parts.append(block)
    else:
        filename, data = full_prompt_file(prompt)
        size = len(prompt.prompt)
        parts.append(f"The full prompt ({size:,} characters) is attached as `{filename}`.")
        files.append(CardFile(filename, data=data))
    notes = sections_message(prompt)
    if notes and measure("\n\n".join([*parts, notes])) <= MESSAGE_CONTENT:
        parts.append(notes)
    elif (notes_file := sections_file(prompt)) is not None:
        filename, data = notes_file
        parts.append(f"Notes and other sections are attached as `{filename}`.")
        files.append(CardFile(filename, data=data))
    return Reply(content="\n\n".join(parts), files=files, ephemeral=True)


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
