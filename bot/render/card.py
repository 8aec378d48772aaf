"""The prompt card: a Prompt becomes a Discord message (embed, buttons, files).

Pure apart from reading a preview file and, when ``cache_dir`` is given,
writing the full-prompt file there.  ``card_payload`` goes through discord.py's
own ``interaction_message_response_params``, so it is the very ``data`` object
the bot sends, not a parallel description of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from bot.library.placeholders import placeholders
from bot.limits import (
    BUTTON_URL,
    EMBED_AUTHOR_NAME,
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_FIELDS,
    EMBED_FOOTER,
    EMBED_TITLE,
    EMBED_TOTAL,
    clip,
    code_block,
    measure,
    neutralise_fences,
)
from bot.models import Prompt
from bot.render.format import (
    clip_display,
    display_plain,
    full_prompt_file,
    list_description,
    list_line,
    reindent_json,
    shown_sections,
)
from bot.render.media import PreviewRef, resolve_preview, valid_url
from bot.render.message import (
    FILL_PREFIX,
    FULL_PROMPT_PREFIX,
    FULL_PROMPT_TEMPLATE,
    MORE_PREFIX,
    SAVE_PREFIX,
    CardFile,
    LinkButton,
    Reply,
    fits_custom_id,
    full_prompt_reply,
    no_match_reply,
    reply_payload,
)

__all__ = [
    "FULL_PROMPT_PREFIX",
    "FULL_PROMPT_TEMPLATE",
    "Card",
    "CardFile",
    "LinkButton",
    "Reply",
    "card_payload",
    "full_prompt_file",
    "full_prompt_reply",
    "list_description",
    "list_line",
    "no_match_reply",
    "render_card",
    "reply_payload",
    "show_payload",
]

CARD_COLOUR = 0x5865F2
DESCRIPTION_MAX = 900  # the author's description; the rest of the 4096 is for the prompt
SECTION_NAME_MAX = 100
SECTION_MIN = 40  # a section field with less room than this is left to "Full prompt"
# The one short line under the prompt when the card cannot show it exactly.
_NOTES = {
    "clipped": "*Clipped: the full prompt ({n:,} characters) is attached as `{f}`.*",
    "altered": "*Backticks are shown as look-alikes: the exact prompt is attached as `{f}`.*",
}


@dataclass
class Card(Reply):
    """A rendered prompt card (a Reply with what tests and the CLI want to know)."""

    prompt_id: str = ""
    clipped: bool = False  # the prompt did not fit; the full text is attached
    attached: str | None = None  # why the exact prompt is attached: "clipped" or "altered"
    preview: PreviewRef | None = None


def _cached(cache_dir: Path, filename: str, data: bytes) -> Path:
    """Write ``data`` once under ``cache_dir``, content-addressed; its path."""
    digest = hashlib.sha256(data).hexdigest()[:32]
    path = cache_dir / "full-prompts" / digest / filename
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{filename}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def _prompt_display(prompt: Prompt) -> tuple[str, str]:
    """(text to show, code-block language) for the prompt."""
    pretty = reindent_json(prompt.prompt)
    if pretty is not None:
        return pretty, "json"
    return prompt.prompt, "json" if prompt.prompt_format == "json" else ""


def _add_sections(embed: discord.Embed, prompt: Prompt, room: int) -> None:
    """The file's Notes, Usage, ... as fields, cut with "…" to fit ``room``
    (what the prompt left of the embed's total); whole under "Full prompt"."""
    for heading, body in shown_sections(prompt):
        if len(embed.fields) >= EMBED_FIELDS:
            return
        name = clip_display(heading, SECTION_NAME_MAX)
        value_room = min(EMBED_FIELD_VALUE, room - measure(name))
        if value_room < SECTION_MIN:
            return
        value = clip_display(body, value_room, discord.utils.escape_mentions)
        embed.add_field(name=name, value=value, inline=False)
        room -= measure(name) + measure(value)


def render_card(
    prompt: Prompt,
    *,
    media_dir: Path | None = None,
    media_url: str | None = None,
    cache_dir: Path | None = None,
    saveable: bool = False,
) -> Card:
    """The card for ``prompt``, within every Discord limit.

    Layout: title (links to the source), author (links to the author), the
    description, the prompt in a code block, Category/Tags fields, the file's
    other sections (Notes, Usage, ...) as fields, preview image, footer with
    the prompt id.  Buttons: "Source" (link) and "Full prompt".  When the card
    cannot show the prompt character for character (clipped for length, or
    backtick runs replaced by look-alikes), the exact text is attached and one
    line under the block says so.
    """
    embed = discord.Embed(colour=CARD_COLOUR)
    embed.title = clip_display(prompt.title or prompt.id, EMBED_TITLE)
    source = valid_url(prompt.source_url)
    if source:
        embed.url = source
    if prompt.author and prompt.author.strip():
        author_url = valid_url(prompt.author_url)
        embed.set_author(
            name=clip_display(prompt.author, EMBED_AUTHOR_NAME, display_plain), url=author_url
        )
    embed.add_field(
        name="Category", value=clip_display(prompt.category or "—", EMBED_FIELD_VALUE), inline=True
    )
    tags = [t for t in prompt.tags if t.strip()]
    if tags:
        value = clip_display(", ".join(tags), EMBED_FIELD_VALUE)
        embed.add_field(name="Tags", value=value, inline=True)

    preview = resolve_preview(prompt.preview, media_dir, media_url)
    files: list[CardFile] = []
    if preview is not None:
        embed.set_image(url=preview.url)
        if preview.path is not None and preview.filename:
            files.append(CardFile(preview.filename, path=preview.path))

    intro = clip(prompt.description.strip(), DESCRIPTION_MAX) if prompt.description else ""
    intro = discord.utils.escape_mentions(intro)
    head = intro + "\n\n" if intro else ""
    text, lang = _prompt_display(prompt)
    filename, data = full_prompt_file(prompt)

    def others(footer: str) -> int:
        return (
            measure(embed.title or "")
            + measure(footer)
            + sum(measure(f.name or "") + measure(f.value or "") for f in embed.fields)
            + (measure(embed.author.name or "") if embed.author else 0)
        )

    def layout(reason: str | None, cap: int = EMBED_DESCRIPTION) -> tuple[str, str, int, bool]:
        """(description, footer, room, clipped) with the note for ``reason``,
        the prompt block in at most ``cap`` units."""
        footer = display_plain(prompt.id)
        note = ""
        if reason is not None:
            note = "\n" + _NOTES[reason].format(n=len(prompt.prompt), f=filename)
            what = "full" if reason == "clipped" else "exact"
            footer = clip(f"{footer} · {what} prompt in {filename}", EMBED_FOOTER)
        room = min(EMBED_DESCRIPTION, EMBED_TOTAL - others(footer)) - measure(head + note)
        block, clipped = code_block(text, min(room, cap), lang)
        return head + block + note, footer, min(room, cap), clipped

    # The card shows the prompt character for character, or says where it is.
    description, footer, room, clipped = layout(None)
    reason = "clipped" if clipped else "altered" if neutralise_fences(text) != text else None
    if reason == "altered":
        description, footer, room, clipped = layout(reason)
        reason = "clipped" if clipped else reason
    if reason == "clipped":
        # No more room than where it did not fit: the "clipped" note stays true.
        description, footer, _, _ = layout(reason, room)
    if reason is not None:
        path = _cached(cache_dir, filename, data) if cache_dir is not None else None
        files.append(CardFile(filename, path=path, data=data))
    embed.description = description
    embed.set_footer(text=footer)
    _add_sections(embed, prompt, EMBED_TOTAL - others(footer) - measure(description))

    links: list[LinkButton] = []
    if source and len(source) <= BUTTON_URL:
        links.append(LinkButton("Source", source))
    video = valid_url(prompt.preview_video, max_len=BUTTON_URL)
    if video:
        links.append(LinkButton("Preview video", video))
    # every card button carries the prompt id; a prompt whose id is too long for
    # a custom id (100) has none of them
    ok = all(fits_custom_id(p, prompt.id) for p in (FULL_PROMPT_PREFIX, FILL_PREFIX, SAVE_PREFIX))
    ok = ok and fits_custom_id(MORE_PREFIX, prompt.id)
    full_id = prompt.id if ok else None
    return Card(
        embed=embed,
        files=files,
        links=links,
        full_prompt_id=full_id,
        fill_prompt_id=full_id if full_id and placeholders(prompt.prompt) else None,
        more_prompt_id=full_id,
        save_prompt_id=full_id if saveable else None,
        prompt_id=prompt.id,
        clipped=reason == "clipped",
        attached=reason,
        preview=preview,
    )


def card_payload(card: Reply) -> dict[str, Any]:
    """Exactly the ``data`` of the interaction response that sends ``card``."""
    return reply_payload(card)


def show_payload(
    prompt: Prompt, media_dir: Path | None, media_url: str | None, cache_dir: Path
) -> dict[str, Any]:
    """For ``promptbot show ID --json``: the card's payload plus ``files``,
    each ``{"filename", "path"}`` with ``path`` an existing file."""
    card = render_card(prompt, media_dir=media_dir, media_url=media_url, cache_dir=cache_dir)
    payload = card_payload(card)
    files = []
    for f in card.files:
        path = f.path if f.path is not None else _cached(cache_dir, f.filename, f.data or b"")
        files.append({"filename": f.filename, "path": str(path)})
    payload["files"] = files
    return payload
