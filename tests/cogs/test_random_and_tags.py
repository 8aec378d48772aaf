"""/random with its reroll button, /tags with pagination, and the error handler."""

from __future__ import annotations

from typing import Any

from tests.cogs.conftest import components, shown

EPHEMERAL = 64


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components(message) if c.get("label") == label)


async def test_random_with_filters_and_another_one(bot: Any) -> None:
    handle = await bot.send_slash_command("random", {"category": "Animals", "tag": "kind1"})
    _, message = await shown(handle)
    assert message["embeds"][0]["title"].startswith("Animal Portrait")
    again = button(message, "Another one")
    seen = set()
    for _ in range(6):
        click = await bot.send_component(again["custom_id"], message=handle.original_message)
        update = await click.response()
        assert update["type"] == 7
        title = update["data"]["embeds"][0]["title"]
        number = int(title.rsplit(" ", 1)[1])
        assert number % 3 == 1  # still tag kind1
        seen.add(number)
    assert len(seen) >= 2


async def test_random_rejects_an_unknown_category_listing_the_valid_ones(bot: Any) -> None:
    handle = await bot.send_slash_command("random", {"category": "nonsense"})
    kind, message = await shown(handle)
    assert kind == 4 and message["flags"] & EPHEMERAL
    assert "nonsense" in message["content"]
    for name in ("animals", "portraits", "3d"):
        assert name in message["content"]


async def test_random_autocompletes_categories_and_tags(bot: Any) -> None:
    auto = await bot.send_autocomplete("random", focused="category", value="ani")
    choices = (await auto.response())["data"]["choices"]
    assert choices[0]["value"] == "animals"
    auto = await bot.send_autocomplete("random", focused="tag", value="kin")
    values = [c["value"] for c in (await auto.response())["data"]["choices"]]
    assert set(values) >= {"kind0", "kind1", "kind2"}


async def test_tags_lists_categories_with_counts(bot: Any) -> None:
    _, message = await shown(await bot.send_slash_command("tags"))
    text = message["embeds"][0]["description"]
    assert "**animals** · 24" in text and "**portraits** · 2" in text and "**3d** · 1" in text


async def test_tags_of_a_category_paginates_for_the_invoker(bot: Any) -> None:
    handle = await bot.send_slash_command("tags", {"category": "animals"})
    _, message = await shown(handle)
    embed = message["embeds"][0]
    assert embed["footer"]["text"] == "Page 1 of 3"
    assert "animal (24)" in embed["fields"][0]["value"]
    assert button(message, "≪")["disabled"] and button(message, "‹")["disabled"]
    assert button(message, "Page 1 of 3")["disabled"]

    last = await bot.send_component(
        button(message, "≫")["custom_id"], message=handle.original_message
    )
    page = (await last.response())["data"]
    assert page["embeds"][0]["footer"]["text"] == "Page 3 of 3"
    assert button(page, "›")["disabled"] and not button(page, "‹")["disabled"]
    select = next(c for c in components(page) if c["type"] == 3)
    assert len(select["options"]) == 4  # 24 prompts, 10 a page

    opened = await bot.send_component(
        select["custom_id"], message=last.original_message, values=[select["options"][0]["value"]]
    )
    _kind, card = await shown(opened)
    assert not card.get("flags", 0) & EPHEMERAL
    assert card["embeds"][0]["footer"]["text"].startswith(select["options"][0]["value"])

    stranger = {**bot.world.tester, "id": "424242424242424242", "username": "stranger"}
    refused = await bot.send_component(
        button(page, "‹")["custom_id"], message=last.original_message, user=stranger
    )
    body = await refused.response()
    assert body["data"]["flags"] & EPHEMERAL


async def test_views_time_out_and_disable_their_controls(bot: Any, monkeypatch: Any) -> None:
    import cogs._views

    monkeypatch.setattr(cogs._views, "VIEW_TIMEOUT", 0.5)
    handle = await bot.send_slash_command("tags", {"category": "animals"})
    _, message = await shown(handle)
    assert not button(message, "≫")["disabled"]
    edit = await handle.wait_for_request("PATCH", "/messages/@original", timeout=10)
    expired = components(edit.json)
    assert all(c["disabled"] for c in expired if c["type"] in (2, 3) and c.get("style") != 5)
