"""The card buttons "Fill in" (a modal; hostile values stay literal, ping nobody)
and "More like this" (similar prompts, a select that opens a card)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cogs.conftest import components, shown
from tests.support.libraries import prompt_doc

EPHEMERAL = 64
HOSTILE = [
    '{0} {argument name="b" default="x"} {{c}}',
    "**bold** _it_ @everyone",
    "<@123> <@&456> @here",
    "\\g<0> %s {}",
    "`` ` ``",
    "🙂 é",
]
NAMES = ["a", "b", "c", "d", "e", "f", "g"]


@pytest.fixture
def library(library: Path) -> Path:
    body = " ".join(f'{{argument name="{n}" default="{n.upper()}-default"}}' for n in NAMES)
    body += ' and again {argument name="a" default="ignored"} {{a}}'
    (library / "animals" / "template.md").write_text(
        prompt_doc("Seven Slot Template", "animals", ("animal", "template"), body),
        encoding="utf-8",
    )
    return library


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components(message) if c.get("label") == label)


async def open_card(bot: Any, query: str, **kw: Any) -> tuple[Any, dict[str, Any]]:
    handle = await bot.send_slash_command("prompt", {"query": query}, **kw)
    _, message = await shown(handle)
    return handle, message


async def test_fill_in_asks_five_and_answers_with_the_values_as_typed(bot: Any) -> None:
    handle, card = await open_card(bot, "seven slot template")
    fill = button(card, "Fill in")
    assert fill["custom_id"] == "promptbot:fill:animals/template"
    click = await bot.send_component(fill["custom_id"], message=handle.original_message)
    modal = await click.modal()
    assert list(modal.inputs) == ["0", "1", "2", "3", "4"]
    assert list(modal.labels.values()) == NAMES[:5]
    assert modal.inputs["0"]["value"] == "A-default"

    values = {str(i): HOSTILE[i] for i in range(5)}
    submitted = await bot.submit_modal(modal, values)
    body = await submitted.response()
    data = body["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    text = data["content"]
    for i in range(5):
        assert HOSTILE[i] in text
    assert text.count(HOSTILE[0]) == 3  # every occurrence of "a", both spellings
    assert "F-default G-default" in text and "{argument" not in text.replace(HOSTILE[0], "")
    assert "f, g kept their defaults" in text
    assert bot.violations == []


async def test_a_value_with_a_fence_comes_back_as_a_file(bot: Any) -> None:
    handle, card = await open_card(bot, "seven slot template")
    click = await bot.send_component(
        button(card, "Fill in")["custom_id"], message=handle.original_message
    )
    submitted = await bot.submit_modal(await click.modal(), {"0": "```\n@everyone"})
    body = await submitted.response()
    if body["type"] == 5:
        request = await submitted.wait_for_request("PATCH", "/messages/@original")
    else:
        request = await submitted.response_request()
    [upload] = request.files
    assert upload.data.decode().startswith("```\n@everyone B-default")


async def test_a_card_without_placeholders_has_no_fill_in(bot: Any) -> None:
    _, card = await open_card(bot, "animal portrait 03")
    assert "Fill in" not in [c.get("label") for c in components(card)]


async def test_more_like_this_lists_other_prompts_and_opens_one(bot: Any) -> None:
    handle, card = await open_card(bot, "animal portrait 03")
    more = button(card, "More like this")
    click = await bot.send_component(more["custom_id"], message=handle.original_message)
    body = await click.response()
    data = body["data"]
    assert data["flags"] & EPHEMERAL
    select = next(c for c in components(data) if c["type"] == 3)
    ids = [o["value"] for o in select["options"]]
    assert 1 <= len(ids) <= 5 and "animals/animal-03" not in ids
    assert ids[0].startswith("animals/animal-")  # the other animal portraits come first
    picked = await bot.send_component(
        select["custom_id"], message=click.original_message, values=[ids[0]]
    )
    _, opened = await shown(picked)
    assert opened["embeds"][0]["footer"]["text"].startswith(ids[0])
    assert bot.violations == []


async def test_fill_and_more_work_in_a_dm(bot: Any) -> None:
    handle, card = await open_card(bot, "seven slot template", where=bot.dm())
    click = await bot.send_component(
        button(card, "Fill in")["custom_id"], message=handle.original_message
    )
    submitted = await bot.submit_modal(await click.modal(), {"1": "<@123>"})
    assert "<@123>" in (await submitted.response())["data"]["content"]
    more = await bot.send_component(
        button(card, "More like this")["custom_id"], message=handle.original_message
    )
    assert (await more.response())["data"]["flags"] & EPHEMERAL
