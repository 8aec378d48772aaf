"""What the card buttons "Fill in" and "More like this" answer, as data.

Pure: a prompt (and what the member typed) in, labels and ``Reply`` out.
Member text is only ever shown inside a code block or an attached file, sent
with no allowed mentions, and never passed to a template engine: filling is
:func:`bot.library.placeholders.fill`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.library.placeholders import Placeholder, fill, placeholders
from bot.limits import (
    EMBED_DESCRIPTION,
    FENCE,
    MESSAGE_CONTENT,
    MODAL_TEXT_INPUTS,
    MODAL_TITLE,
    TEXT_INPUT_LABEL,
    TEXT_INPUT_VALUE,
    clip,
    measure,
)
from bot.models import Prompt
from bot.render.card import CARD_COLOUR
from bot.render.format import clip_display, display_title, full_prompt_file, parse_json
from bot.render.message import CardFile, Reply


@dataclass(frozen=True, slots=True)
class FillForm:
    """The "Fill in" modal: its title and one input per asked placeholder
    (the first five distinct names); ``kept`` keep their defaults."""

    title: str
    asked: list[Placeholder]
    kept: list[Placeholder]

    def label(self, index: int) -> str:
        return clip(self.asked[index].name, TEXT_INPUT_LABEL)

    def prefill(self, index: int) -> str | None:
        default = self.asked[index].default
        return None if default is None else clip(default, TEXT_INPUT_VALUE)

    def values(self, typed: Sequence[str]) -> dict[str, str]:
        """Placeholder name -> value: what was typed (an empty answer keeps the
        default), then the defaults of the names past the fifth."""
        out: dict[str, str] = {}
        for asked, text in zip(self.asked, typed, strict=False):
            if text:
                out[asked.name] = text
            elif asked.default is not None:
                out[asked.name] = asked.default
        for kept in self.kept:
            if kept.default is not None:
                out[kept.name] = kept.default
        return out


def fill_form(prompt: Prompt) -> FillForm | None:
    """The form for ``prompt``'s placeholders, or None when it has none."""
    found = placeholders(prompt.prompt)
    if not found:
        return None
    title = clip(f"Fill in: {' '.join(prompt.title.split()) or prompt.id}", MODAL_TITLE)
    return FillForm(title, found[:MODAL_TEXT_INPUTS], found[MODAL_TEXT_INPUTS:])


def filled_reply(prompt: Prompt, form: FillForm, typed: Sequence[str]) -> Reply:
    """The filled prompt, ephemeral and ready to copy: in a code block when it
    fits a message and holds no ``` of its own, else attached as a file, so the
    member always gets exactly what they typed."""
    text = fill(prompt.prompt, form.values(typed)).strip("\n")
    note = ""
    if form.kept:
        names = ", ".join(p.name for p in form.kept)
        note = clip_display(f"Discord forms hold five fields: {names} kept their defaults.", 400)
    lang = "json" if parse_json(text) is not None else ""
    block = f"{FENCE}{lang}\n{text}\n{FENCE}"
    content = f"{block}\n{note}" if note else block
    if FENCE not in text and text.strip() and measure(content) <= MESSAGE_CONTENT:
        return Reply(content=content, ephemeral=True)
    filename, _ = full_prompt_file(prompt)
    head = f"The filled prompt ({len(text):,} characters) is attached as `{filename}`."
    return Reply(
        content=f"{head}\n{note}" if note else head,
        files=[CardFile(filename, data=text.encode("utf-8"))],
        ephemeral=True,
    )


NOTHING_SIMILAR = "Nothing else in the library is much like this one."


def similar_reply(prompt: Prompt, similar: Sequence[Prompt]) -> Reply:
    """ "More like this": the similar prompts listed (a select opens them)."""
    lines = [
        f"`{n}.` **{clip_display(p.title or p.id, 150)}** · {clip_display(p.category, 60)}"
        for n, p in enumerate(similar, 1)
    ]
    embed = discord.Embed(
        title=clip_display(f"More like {prompt.title or prompt.id}", 256, display_title),
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=CARD_COLOUR,
    )
    embed.set_footer(text="Pick one below to open its card")
    return Reply(embed=embed, ephemeral=True)
