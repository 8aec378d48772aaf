"""Every failure of an interaction gets the ephemeral apology and is logged: the command
tree, a view's button, a view's select, and a card's dynamic button alike."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from bot.catalog import Snapshot
from tests.cogs.conftest import components, shown

EPHEMERAL = 64


class Boom(RuntimeError):
    pass


def explode(*args: object, **kwargs: object) -> Any:
    raise Boom("the handler raised")


def assert_apology(message: dict[str, Any], caplog: Any, where: str) -> None:
    assert message["flags"] & EPHEMERAL
    assert message["content"].startswith("Sorry, something went wrong")
    failures = [r for r in caplog.records if r.levelname == "ERROR" and where in r.getMessage()]
    assert failures and failures[-1].exc_info[0] is Boom


async def test_a_command_that_raises(bot: Any, caplog: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(Snapshot, "random", explode)
    handle = await bot.send_slash_command("random")
    kind, message = await shown(handle)
    assert kind == 4
    assert_apology(message, caplog, "/random")


async def test_a_view_button_that_raises(bot: Any, caplog: Any, monkeypatch: Any) -> None:
    handle = await bot.send_slash_command("random", {"category": "animals"})
    _, message = await shown(handle)
    again = next(c for c in components(message) if c.get("label") == "Another one")
    monkeypatch.setattr(Snapshot, "random", explode)
    click = await bot.send_component(again["custom_id"], message=handle.original_message)
    _, reply = await shown(click)
    assert_apology(reply, caplog, again["custom_id"])


async def test_a_view_select_that_raises(bot: Any, caplog: Any, monkeypatch: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "animal portrait"})
    _, message = await shown(handle)
    select = next(c for c in components(message) if c["type"] == 3)
    monkeypatch.setattr(Snapshot, "get", explode)
    picked = await bot.send_component(
        select["custom_id"], message=handle.original_message, values=[select["options"][1]["value"]]
    )
    _, reply = await shown(picked)
    assert_apology(reply, caplog, select["custom_id"])


@pytest.mark.parametrize("query", ["Animal Portrait 07", "endless savanna epic"])
async def test_the_full_prompt_button_that_raises(
    bot: Any, caplog: Any, monkeypatch: Any, query: str
) -> None:
    cards = sys.modules["cogs.cards"]  # the module the bot loaded as an extension

    handle = await bot.send_slash_command("prompt", {"query": query})
    _, message = await shown(handle)
    full = next(c for c in components(message) if c.get("custom_id", "").startswith("promptbot:"))
    monkeypatch.setattr(cards, "full_prompt_reply", explode)
    click = await bot.send_component(full["custom_id"], message=handle.original_message)
    _, reply = await shown(click)
    assert_apology(reply, caplog, full["custom_id"])


async def test_an_answer_too_late_is_one_warning_not_a_traceback(
    bot: Any, caplog: Any, monkeypatch: Any
) -> None:
    """When Discord no longer accepts the answer (after 3 s), there is nobody to
    apologise to: one warning line, no traceback, and the bot carries on."""
    bot.routes.deadline = 0.2  # a short deadline instead of waiting 3 s
    bot.violations_expected = True  # the fake records the late answer
    from cogs._views import OwnedView

    show = OwnedView.show

    async def slow_show(self: OwnedView, interaction: Any, reply: Any) -> None:
        await asyncio.sleep(0.5)
        await show(self, interaction, reply)

    monkeypatch.setattr(OwnedView, "show", slow_show)
    await bot.send_slash_command("random")
    for _ in range(50):
        late = [r for r in caplog.records if "no longer accepts an answer" in r.getMessage()]
        if late:
            break
        await asyncio.sleep(0.1)
    assert len(late) == 1 and late[0].levelname == "WARNING" and late[0].exc_info is None
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
