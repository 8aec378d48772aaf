"""The admin's ``/library`` message and the outcome of "Sync now".

Pure: a ``LibraryStatus`` (and a ``SyncOutcome``) in, a ``Reply`` out.  The
source (a folder, or a repository with its ref and commit), when it was last
fetched and reindexed (Discord timestamps, shown in each reader's time zone),
the counts, and the first problems with their paths, all within the embed's
limits; the problems that do not fit are counted.  The repository URL arrives
redacted; everything from the library (paths, messages) is shown as text,
never as Markdown.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.limits import (
    EMBED_DESCRIPTION,
    EMBED_TOTAL,
    LOOKALIKE_BACKTICK,
    MESSAGE_CONTENT,
    clip,
    measure,
)
from bot.models import LibraryStatus, Problem, SyncOutcome
from bot.render.card import CARD_COLOUR
from bot.render.format import clip_display
from bot.render.message import Reply

TITLE = "Library"
REFUSAL = "Only the bot's owners can sync the library."
FOOTER = "Sync now fetches and reindexes at once (the bot's owners only)."
PROBLEMS_HEADING = "**Problems**"
PATH_SHOWN = 120
MESSAGE_SHOWN = 160
SOURCE_SHOWN = 300


def code(text: str, n: int = SOURCE_SHOWN) -> str:
    """``text`` as inline code on one line: backticks cannot end the span early."""
    flat = " ".join(text.split()).replace("`", LOOKALIKE_BACKTICK)
    return f"`{clip(flat, n - 2) or ' '}`"


def when(moment: datetime | None) -> str:
    return discord.utils.format_dt(moment, "R") if moment is not None else "never"


def short(commit: str | None) -> str:
    return code(commit[:12]) if commit else "none yet"


def duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def _source_lines(status: LibraryStatus) -> list[str]:
    if status.repository is None:
        return [f"**Folder** {code(status.folder)}"]
    schedule = f"every {duration(status.interval)}" if status.interval > 0 else "only at start"
    lines = [
        f"**Repository** {code(status.repository)}",
        f"**Ref** {code(status.ref) if status.ref else 'the default branch'}"
        f" · **Commit** {short(status.commit)}",
        f"**Folder** {code(status.folder)} in the repository",
        f"**Last fetch** {when(status.fetched_at)} (fetches {schedule})",
    ]
    if status.fetch_error is not None:
        error = clip_display(status.fetch_error, SOURCE_SHOWN)
        lines.append(f"**Last fetch failed** {when(status.fetch_error_at)}: {error}")
    return lines


def problem_line(problem: Problem) -> str:
    icon = "❌" if problem.severity == "error" else "⚠️"
    message = clip_display(problem.message, MESSAGE_SHOWN)
    return f"{icon} {code(problem.path, PATH_SHOWN)} {message}"


def problem_lines(problems: tuple[Problem, ...], budget: int) -> str:
    """Errors first, then warnings, one line each, within ``budget``; the rest
    counted on a last line."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.path))
    lines: list[str] = []
    used = 0
    for shown, problem in enumerate(ordered):
        line = problem_line(problem)
        after = len(ordered) - shown - 1
        room_for_more = measure(f"\n… and {after} more") if after else 0
        if used + measure(line) + room_for_more > budget:
            lines.append(f"… and {len(ordered) - shown} more")
            break
        lines.append(line)
        used += measure(line) + 1  # and its newline
    return "\n".join(lines)


def library_status_reply(status: LibraryStatus, outcome: SyncOutcome | None = None) -> Reply:
    """The ``/library`` message (ephemeral); after "Sync now", its outcome on top."""
    head = "\n".join([*_source_lines(status), f"**Last reindex** {when(status.reindexed_at)}"])
    embed = discord.Embed(title=TITLE, colour=CARD_COLOUR)
    embed.add_field(name="Prompts", value=f"{status.prompts:,}")
    embed.add_field(name="Categories", value=f"{status.categories:,}")
    embed.add_field(name="Files with problems", value=f"{status.problem_files:,}")
    embed.set_footer(text=FOOTER)
    if status.problems:
        fixed = (
            measure(TITLE)
            + measure(FOOTER)
            + sum(measure(f.name or "") + measure(f.value or "") for f in embed.fields)
        )
        intro = f"{head}\n\n{PROBLEMS_HEADING}\n"
        budget = min(EMBED_DESCRIPTION, EMBED_TOTAL - fixed) - measure(intro)
        head = intro + problem_lines(status.problems, budget)
    embed.description = head
    content = clip(outcome_line(outcome), MESSAGE_CONTENT) if outcome is not None else None
    return Reply(content=content, embed=embed, ephemeral=True)


def outcome_line(outcome: SyncOutcome) -> str:
    if outcome.error is not None:
        still = f"commit {short(outcome.after)}" if outcome.after else "the last index"
        return f"⚠️ Sync failed ({clip_display(outcome.error, 500)}); still serving {still}."
    summary = f" {outcome.summary[0].upper()}{outcome.summary[1:]}." if outcome.summary else ""
    if outcome.after is None:
        return f"✅ Reindexed the folder.{summary}"
    if outcome.before != outcome.after:
        was = f" (was {short(outcome.before)})" if outcome.before else ""
        return f"✅ Synced: now at {short(outcome.after)}{was}.{summary}"
    return f"✅ Synced: still at {short(outcome.after)}, no new commit.{summary}"
