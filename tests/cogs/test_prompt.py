"""/prompt, its autocomplete, the pick-another select and the full-prompt button."""

from __future__ import annotations

from typing import Any

from tests.cogs.conftest import components, sent_request, shown

EPHEMERAL = 64


async def test_a_clear_match_is_a_public_card_with_its_local_preview(bot: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "cinematc night drive"})
    kind, message = await shown(handle)
    assert kind == 5  # the local preview is uploaded: acknowledged first, then sent
    embed = message["embeds"][0]
    assert embed["title"] == "Cinematic Night Drive: A Portrait of Serene Adventure"
    assert embed["url"] == "https://twitter.com/miilesus/status/1994443159862976995"
    assert embed["image"]["url"].startswith("attachment://")
    assert not message.get("flags", 0) & EPHEMERAL
    assert message["allowed_mentions"] == {"parse": []}
    request = await sent_request(handle)
    assert [f.filename for f in request.files] == [embed["image"]["url"][len("attachment://") :]]
    buttons = components(message)
    labels = [b.get("label") for b in buttons]
    assert labels == ["Source", "Full prompt", "Save", "More like this"]
    assert [b["style"] for b in buttons] == [5, 2, 2, 2]
    assert buttons[0]["url"] == embed["url"] and "custom_id" not in buttons[0]


async def test_autocomplete_offers_ids_and_an_id_is_answered_exactly(bot: Any) -> None:
    auto = await bot.send_autocomplete("prompt", focused="query", value="animal portr")
    choices = (await auto.response())["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    animals = [c for c in choices if c["value"].startswith("animals/animal-")]
    assert choices[0] in animals and len(animals) >= 20
    wanted = animals[-1]
    handle = await bot.send_slash_command("prompt", {"query": wanted["value"]})
    _, message = await shown(handle)
    assert message["embeds"][0]["footer"]["text"].startswith(wanted["value"])


async def test_an_ambiguous_query_offers_the_others_to_the_invoker_only(bot: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "animal portrait"})
    kind, message = await shown(handle)
    assert kind == 4
    select = next(c for c in components(message) if c["type"] == 3)
    assert 2 <= len(select["options"]) <= 25
    first_title = message["embeds"][0]["title"]
    other = next(o for o in select["options"] if not o.get("default"))

    stranger = {**bot.world.tester, "id": "424242424242424242", "username": "stranger"}
    refused = await bot.send_component(
        select["custom_id"], message=handle.original_message, values=[other["value"]], user=stranger
    )
    body = await refused.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "Only the person who ran the command" in body["data"]["content"]

    picked = await bot.send_component(
        select["custom_id"], message=handle.original_message, values=[other["value"]]
    )
    update = await picked.response()
    assert update["type"] == 7
    assert update["data"]["embeds"][0]["title"] != first_title
    assert update["data"]["embeds"][0]["footer"]["text"].startswith(other["value"])


async def test_no_match_is_ephemeral_with_a_hint(bot: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "qqqxxzzv"})
    kind, message = await shown(handle)
    assert kind == 4 and message["flags"] & EPHEMERAL
    assert "No prompt matches" in message["content"] and "/tags" in message["content"]


async def test_a_long_prompt_comes_with_its_file_and_the_full_prompt_button(bot: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "endless savanna epic"})
    _, message = await shown(handle)
    files = (await sent_request(handle)).files
    assert [f.filename for f in files] == ["prompt.txt"]
    assert files[0].data.decode().strip().endswith("word1499")
    full = next(c for c in components(message) if c.get("custom_id", "").startswith("promptbot:"))
    click = await bot.send_component(full["custom_id"], message=handle.original_message)
    _, _reply = await shown(click)
    assert (await click.response())["data"]["flags"] & EPHEMERAL
    uploads = (await sent_request(click)).files
    assert uploads[0].data.decode().strip().endswith("word1499")


async def test_the_full_prompt_button_answers_a_short_prompt_in_a_code_block(bot: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "Animal Portrait 07"})
    _, message = await shown(handle)
    full = next(c for c in components(message) if c.get("custom_id", "").startswith("promptbot:"))
    click = await bot.send_component(full["custom_id"], message=handle.original_message)
    _, reply = await shown(click)
    assert reply["flags"] & EPHEMERAL
    assert "A portrait of animal number 7 in soft light." in reply["content"]
    assert reply["content"].startswith("```")


async def test_no_match_suggests_queries_from_the_vocabulary(bot: Any) -> None:
    handle = await bot.send_slash_command("prompt", {"query": "savvannnah"})
    kind, message = await shown(handle)
    assert kind == 4 and message["flags"] & EPHEMERAL
    assert "No prompt matches" in message["content"] and "savanna" in message["content"]
