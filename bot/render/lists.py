"""Rendering of the browsing messages: the category overview, a page of a
category, and short notices.  Pure: data in, ``Reply`` out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import discord

from bot.limits import (
    AUTOCOMPLETE_CHOICES,
    CHOICE_NAME,
    CHOICE_VALUE,
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    clip,
    measure,
)
from bot.models import Prompt
from bot.render.card import CARD_COLOUR
from bot.render.format import clip_display, display_title
from bot.render.message import Reply

PAGE_SIZE = 10


def _joined(items: Sequence[tuple[str, int]], limit: int, sep: str = " · ") -> str:
    """``name (count)`` items joined until ``limit`` characters, then "and N more"."""
    out: list[str] = []
    used = 0
    for shown, (name, count) in enumerate(items):
        piece = f"{display_title(name)} ({count})"
        rest = f"{sep}… and {len(items) - shown} more"
        if used + measure(sep) + measure(piece) + measure(rest) > limit and shown < len(items) - 1:
            out.append(f"… and {len(items) - shown} more")
            break
        out.append(piece)
        used += measure(piece) + measure(sep)
    return sep.join(out) if out else "none"


def categories_reply(categories: Sequence[tuple[str, int]], total: int) -> Reply:
    lines = [f"**{display_title(name)}** · {count}" for name, count in categories]
    body = clip("\n".join(lines), EMBED_DESCRIPTION) if lines else "The library is empty."
    embed = discord.Embed(
        title=f"Categories · {total} prompts", description=body, colour=CARD_COLOUR
    )
    embed.set_footer(text="/tags category:<name> lists a category · /random category:<name>")
    return Reply(embed=embed)


def page_count(total: int, per_page: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / per_page))


def category_page(
    category: str,
    tags: Sequence[tuple[str, int]],
    prompts: Sequence[Prompt],
    page: int,
    per_page: int = PAGE_SIZE,
) -> Reply:
    """Page ``page`` (0-based) of a category: its tags with counts, then its prompts."""
    pages = page_count(len(prompts), per_page)
    page = min(max(page, 0), pages - 1)
    start = page * per_page
    lines = [
        f"`{start + n + 1}.` {clip_display(p.title, 180)}"
        for n, p in enumerate(prompts[start : start + per_page])
    ]
    title = clip_display(f"{category} · {len(prompts)} prompts", EMBED_TITLE)
    embed = discord.Embed(
        title=title, description="\n".join(lines) or "No prompts.", colour=CARD_COLOUR
    )
    embed.add_field(name="Tags", value=_joined(tags, EMBED_FIELD_VALUE), inline=False)
    embed.set_footer(text=f"Page {page + 1} of {pages}")
    return Reply(embed=embed)


def notice(text: str) -> Reply:
    """A short ephemeral answer (bad option, cooldown, apology)."""
    return Reply(content=clip(text, 2000), ephemeral=True)


def still_loading_reply() -> Reply:
    """The answer to an interaction that came while the library still loads."""
    return notice("The prompt library is still loading: try again in a few seconds.")


Choice = tuple[str, str]  # (label shown, value sent back)


class Titled(Protocol):
    """A prompt, or a search hit: what a choice shows."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...


def prompt_choices(prompts: Sequence[Titled]) -> list[Choice]:
    """Autocomplete choices for prompts: the title on one line, the id as the value."""
    return [
        (clip(" ".join(p.title.split()) or p.id, CHOICE_NAME), p.id)
        for p in prompts[:AUTOCOMPLETE_CHOICES]
        if measure(p.id) <= CHOICE_VALUE
    ]


def named_choices(items: Sequence[tuple[str, int]]) -> list[Choice]:
    """Autocomplete choices for categories or tags: ``name (count)``, the name as the value."""
    return [
        (clip(f"{' '.join(name.split())} ({count})", CHOICE_NAME), name)
        for name, count in items[:AUTOCOMPLETE_CHOICES]
        if measure(name) <= CHOICE_VALUE
    ]
