"""Views shared by the cogs: only the invoker drives them, on timeout their
controls are disabled (RoboDanny's paginator rules), and their failures go
through the one :func:`cogs._report.report` path."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.catalog import Snapshot
from bot.limits import BUTTONS_PER_ROW
from bot.models import Prompt
from bot.render.card import render_card
from bot.render.message import CARD_PREFIXES, Reply
from bot.state import StateError
from cogs._report import UserFacingError, report
from cogs._send import Sent, send

if TYPE_CHECKING:
    from bot.app import PromptBot

log = logging.getLogger(__name__)
VIEW_TIMEOUT = 300.0
GONE = "That prompt is no longer in the library."
CARD_ROWS = (0, 2)  # rows of a card's buttons in a view; row 1 is the view's own


class OwnedView(discord.ui.View):
    """A view that answers only the user who invoked the command."""

    def __init__(self, owner_id: int) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.owner_id = owner_id
        self.message: Sent | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if custom_id.startswith(CARD_PREFIXES):
            return False  # a card button: its dynamic item answers, whoever clicks
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran the command can use these controls; run it yourself to "
            "get your own.",
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report(interaction, error)

    def add_card_items(self, reply: Reply) -> None:
        """The card's own buttons (links, Full prompt, Save, Fill in, More like
        this) on the first row, the ones that do not fit on the third; a view's
        own controls use the second."""
        for n, button in enumerate(reply.buttons()):
            button.row = CARD_ROWS[0] if n < BUTTONS_PER_ROW else CARD_ROWS[1]
            self.add_item(button)

    def clear_card_items(self) -> None:
        for item in list(self.children):
            if item.row in CARD_ROWS:
                self.remove_item(item)

    async def show(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Send ``reply`` with this view and remember the message, to disable it on timeout."""
        self.message = await send(interaction, reply, self) or await interaction.original_response()

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.url:
                continue  # links keep working
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.debug("could not disable the controls of an expired view")


Turn = Callable[[discord.Interaction, int], Awaitable[None]]


class PageControls:
    """The paginators' first row, one source for ``/tags`` and ``/favorites``:
    ‹ Page x of y › (with ``ends``, also ≪ and ≫).  A click calls ``turn``
    with the page wanted; ``update`` sets the label and what can be clicked."""

    def __init__(self, turn: Turn, *, ends: bool) -> None:
        self.page, self.pages = 0, 1

        def button(label: str, target: Callable[[], int]) -> discord.ui.Button[Any]:
            made: discord.ui.Button[Any] = discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, row=0
            )

            async def clicked(interaction: discord.Interaction) -> None:
                await turn(interaction, target())

            made.callback = clicked  # type: ignore[method-assign]
            return made

        self.first = button("≪", lambda: 0) if ends else None
        self.previous = button("‹", lambda: self.page - 1)
        self.position = button("Page 1 of 1", lambda: self.page)
        self.position.disabled = True  # a label, never enabled
        self.next = button("›", lambda: self.page + 1)
        self.last = button("≫", lambda: self.pages - 1) if ends else None

    @property
    def buttons(self) -> list[discord.ui.Button[Any]]:
        row = (self.first, self.previous, self.position, self.next, self.last)
        return [b for b in row if b is not None]

    def update(self, page: int, pages: int) -> None:
        self.page, self.pages = page, pages
        for back in (self.first, self.previous):
            if back is not None:
                back.disabled = page == 0
        for forward in (self.next, self.last):
            if forward is not None:
                forward.disabled = page >= pages - 1
        self.position.label = f"Page {page + 1} of {pages}"


def known_category(snapshot: Snapshot, name: str) -> str:
    """The library's spelling of category ``name``, or a UserFacingError listing them."""
    found = snapshot.facets.category(name)
    if found is None:
        names = ", ".join(category for category, _ in snapshot.facets.categories)
        raise UserFacingError(f"There is no category “{name[:50]}”. Categories: {names}")
    return found


def known_tag(snapshot: Snapshot, name: str) -> str:
    found = snapshot.facets.tag(name)
    if found is None:
        raise UserFacingError(f"There is no tag “{name[:50]}”; `/tags` lists them.")
    return found


def known_prompt(snapshot: Snapshot, prompt_id: str) -> Prompt:
    prompt = snapshot.get(prompt_id)
    if prompt is None:
        raise UserFacingError(GONE)
    return prompt


def choices(pairs: list[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices from rendered ``(label, value)`` pairs."""
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


def card_for(
    bot: PromptBot, prompt: Prompt, *, ephemeral: bool = False, saved: bool = False
) -> Reply:
    """The prompt's card, with the bot's media settings.  ``saved`` marks its
    Save button "Saved": only for a card only its member sees (a public card
    keeps the generic label, whoever looks at it)."""
    settings = bot.settings
    card = render_card(
        prompt, media_dir=settings.media_dir, media_url=settings.media_url, saveable=True
    )
    card.ephemeral, card.saved = ephemeral, saved and ephemeral
    return card


async def member_card(
    bot: PromptBot, interaction: discord.Interaction, prompt: Prompt, *, ephemeral: bool
) -> Reply:
    """The card as ``interaction``'s member should see it, counted as served.
    An ephemeral card knows whether they saved it (a store that is down only
    costs the label, never the answer)."""
    saved = False
    if ephemeral:
        try:
            saved = await bot.state.is_favorite(interaction.user.id, prompt.id)
        except StateError:
            log.warning("could not tell whether %r is saved", prompt.id, exc_info=True)
    served(bot, interaction, prompt)
    return card_for(bot, prompt, ephemeral=ephemeral, saved=saved)


def served(bot: PromptBot, interaction: discord.Interaction, prompt: Prompt) -> None:
    """Count ``prompt`` as shown to ``interaction``'s member (in the background)."""
    bot.count_served(prompt.id, guild_id=interaction.guild_id, user_id=interaction.user.id)


async def show_card(
    bot: PromptBot, interaction: discord.Interaction, prompt: Prompt, *, ephemeral: bool = False
) -> None:
    """Answer with ``prompt``'s card as a message of its own (a select's pick)."""
    await send(interaction, await member_card(bot, interaction, prompt, ephemeral=ephemeral))
