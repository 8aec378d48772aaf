"""The real ``promptbot run`` process: anywhere (a DM, a user install), Fill in
with hostile values, More like this."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cogs.conftest import components, shown
from tests.support.libraries import prompt_doc

EPHEMERAL = 64
HOSTILE = '{0} {{x}} {argument name="b" default="y"} @everyone <@123> **b**'


@pytest.fixture
def library(library: Path) -> Path:
    body = 'A {argument name="pet" default="tabby cat"} on {{surface}}, the {{ pet }} asleep.'
    (library / "animals" / "template.md").write_text(
        prompt_doc("Sleeping Pet Template", "animals", ("animal", "template"), body),
        encoding="utf-8",
    )
    return library


def labelled(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components(message) if c.get("label") == label)


async def test_a_dm_and_a_user_install_answer_like_a_server(running: Any) -> None:
    fake, _ = running
    for where in (
        fake.dm(),
        fake.group_dm(),
        fake.in_guild(guild_install=False, user_install=True),
    ):
        handle = await fake.send_slash_command("prompt", {"query": "neon rain bench"}, where=where)
        _, card = await shown(handle)
        assert card["embeds"][0]["title"] == "Neon Dreams on a Rainy Dusk"
        auto = await fake.send_autocomplete("prompt", focused="query", value="anim", where=where)
        assert (await auto.response())["data"]["choices"]
        rolled = await fake.send_slash_command("random", {"category": "animals"}, where=where)
        _, card = await shown(rolled)
        again = labelled(card, "Another one")
        click = await fake.send_component(again["custom_id"], message=rolled.original_message)
        assert (await click.response())["type"] == 7
    assert fake.violations == []


async def test_fill_in_with_hostile_values_and_more_like_this(running: Any) -> None:
    fake, _ = running
    handle = await fake.send_slash_command("prompt", {"query": "sleeping pet template"})
    _, card = await shown(handle)
    click = await fake.send_component(
        labelled(card, "Fill in")["custom_id"], message=handle.original_message
    )
    modal = await click.modal()
    assert list(modal.labels.values()) == ["pet", "surface"]
    submitted = await fake.submit_modal(modal, {"0": HOSTILE, "1": "<@&1> `rug`"})
    data = (await submitted.response())["data"]
    assert data["flags"] & EPHEMERAL and data["allowed_mentions"] == {"parse": []}
    assert f"A {HOSTILE} on <@&1> `rug`, the {HOSTILE} asleep." in data["content"]

    portrait = await fake.send_slash_command("prompt", {"query": "animal portrait 07"})
    _, card = await shown(portrait)
    more = await fake.send_component(
        labelled(card, "More like this")["custom_id"], message=portrait.original_message
    )
    listed = (await more.response())["data"]
    select = next(c for c in components(listed) if c["type"] == 3)
    ids = [o["value"] for o in select["options"]]
    assert 1 <= len(ids) <= 5 and "animals/animal-07" not in ids
    opened = await fake.send_component(
        select["custom_id"], message=more.original_message, values=[ids[0]]
    )
    _, card = await shown(opened)
    assert card["embeds"][0]["footer"]["text"].startswith(ids[0])
    assert fake.violations == []
