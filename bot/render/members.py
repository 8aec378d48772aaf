"""What the member commands answer, as data: Save's notes, a page of
``/favorites``, ``/top``, ``/forget-me``.  Pure: data in, ``Reply`` out.
Titles come from the library (or as saved) and are shown escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.limits import EMBED_DESCRIPTION, clip
from bot.render.card import CARD_COLOUR
from bot.render.format import clip_display
from bot.render.lists import page_count
from bot.render.message import Reply
from bot.wording import noun

FAVORITES_PAGE = 10
GONE_NOTE = "no longer in the library"
STATE_DOWN = "Your favourites and counts can't be saved right now; please try again in a moment."
NO_FAVORITES = "You have no saved prompts yet: press ★ Save on a card."
FORGET_ASK = (
    "This deletes all your saved prompts and removes your name from the usage counts "
    "(the counts stay, linked to no one). It cannot be undone."
)
PERIODS = {"day": "today", "week": "this week", "month": "this month", "all": "all time"}


@dataclass(frozen=True, slots=True)
class Listed:
    """One favourite as listed: its id, the title to show, whether it is still in the library."""

    prompt_id: str
    title: str
    present: bool


def saved_note(title: str, saved: bool) -> str:
    shown = clip_display(title, 150)
    if saved:
        return f"★ Saved **{shown}**. `/favorites` lists your saved prompts."
    return f"Removed **{shown}** from your favourites."


def favorites_full(limit: int) -> str:
    return f"You already keep {limit:,} favourites; remove some with `/favorites` first."


def favorites_pages(total: int) -> int:
    return page_count(total, FAVORITES_PAGE)


def option_label(item: Listed) -> str:
    return clip(" ".join(item.title.split()) or item.prompt_id, 100)


def favorites_reply(items: Sequence[Listed], page: int, total: int) -> Reply:
    """A page (0-based) of the member's favourites, newest first, ephemeral."""
    if not items:
        return Reply(content=NO_FAVORITES, ephemeral=True)
    start = page * FAVORITES_PAGE
    lines = []
    for n, item in enumerate(items, start + 1):
        line = f"`{n}.` {clip_display(item.title or item.prompt_id, 180)}"
        lines.append(line if item.present else f"{line} · *{GONE_NOTE}*")
    embed = discord.Embed(
        title=f"Your favourites · {total:,}",
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=CARD_COLOUR,
    )
    embed.set_footer(
        text=f"Page {page + 1} of {favorites_pages(total)} · open one, or remove one, below"
    )
    return Reply(embed=embed, ephemeral=True)


def top_reply(rows: Sequence[tuple[str, int]], period: str, *, in_server: bool) -> Reply:
    """``/top``: (title, times served) most first, for a server or (in DMs) the member."""
    whose = "Most shown in this server" if in_server else "Your most shown prompts"
    when = PERIODS.get(period, period)
    if not rows:
        text = f"No prompt has been shown {when} yet." if in_server else f"Nothing {when} yet."
        return Reply(content=f"{whose}: {text}", ephemeral=True)
    lines = [
        f"`{n}.` {clip_display(title, 180)} · **{count:,}** {noun(count, 'time')}"
        for n, (title, count) in enumerate(rows, 1)
    ]
    embed = discord.Embed(
        title=f"{whose} · {when}",
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=CARD_COLOUR,
    )
    return Reply(embed=embed)


def forgotten_note(favorites: int, usage: int) -> str:
    return (
        f"Done: {favorites:,} saved {noun(favorites, 'prompt')} deleted and "
        f"{usage:,} usage {noun(usage, 'record')} no longer linked to you."
    )
