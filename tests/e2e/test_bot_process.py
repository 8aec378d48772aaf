"""The real bot process against the fake Discord: every command, option, button and
select, then resilience (gateway drop, 429, a burst), then the life cycle."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from tests.cogs.conftest import components, sent_request, shown
from tests.e2e.conftest import bot_env, start_bot, wait_ready
from tests.support.libraries import prompt_doc

EPHEMERAL = 64
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


def labelled(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components(message) if c.get("label") == label)


def full_button(message: dict[str, Any]) -> dict[str, Any]:
    return next(
        c for c in components(message) if c.get("custom_id", "").startswith("promptbot:full:")
    )


async def test_every_command_option_button_and_select(running: Any) -> None:
    fake, _ = running
    # /prompt: a clear match with a local preview uploaded as an attachment
    handle = await fake.send_slash_command("prompt", {"query": "neon rain bench"})
    kind, card = await shown(handle)
    assert card["embeds"][0]["title"] == "Neon Dreams on a Rainy Dusk"
    neon = await fake.send_slash_command("prompt", {"query": "neon dreams night city"})
    kind, card = await shown(neon)
    assert kind == 5 and card["embeds"][0]["image"]["url"].startswith("attachment://")
    upload = (await sent_request(neon)).files[0]
    assert upload.data[:4] == b"RIFF" and upload.filename.endswith(".webp")
    # the full prompt button on it, ephemeral
    click = await fake.send_component(full_button(card)["custom_id"], message=neon.original_message)
    assert (await click.response())["data"]["flags"] & EPHEMERAL

    # a prompt without an image; autocomplete; an exact id
    auto = await fake.send_autocomplete("prompt", focused="query", value="Animal Portrait 1")
    choices = (await auto.response())["data"]["choices"]
    assert choices and choices[0]["value"].startswith("animals/animal-1")
    exact = await fake.send_slash_command("prompt", {"query": choices[0]["value"]})
    kind, card = await shown(exact)
    assert kind == 4 and "image" not in card["embeds"][0]

    # an ambiguous query: the select of other matches
    ambiguous = await fake.send_slash_command("prompt", {"query": "animal portrait"})
    _, card = await shown(ambiguous)
    select = next(c for c in components(card) if c["type"] == 3)
    other = next(o for o in select["options"] if not o.get("default"))
    picked = await fake.send_component(
        select["custom_id"], message=ambiguous.original_message, values=[other["value"]]
    )
    assert (await picked.response())["type"] == 7

    # a long prompt with its attached file
    long = await fake.send_slash_command("prompt", {"query": "endless savanna"})
    _, card = await shown(long)
    files = (await sent_request(long)).files
    assert [f.filename for f in files] == ["prompt.txt"]

    # nothing matches; bad option values
    for command, options in (
        ("prompt", {"query": "qqqxxzzv"}),
        ("prompt", {"query": "x" * 300}),
        ("random", {"category": "nonsense"}),
        ("random", {"tag": "no-such-tag"}),
        ("tags", {"category": "nonsense"}),
    ):
        answer = await fake.send_slash_command(command, options)
        kind, message = await shown(answer)
        assert kind == 4 and message["flags"] & EPHEMERAL, (command, options, message)

    # /random with both filters, and "Another one"
    rnd = await fake.send_slash_command("random", {"category": "animals", "tag": "kind2"})
    _, card = await shown(rnd)
    again = await fake.send_component(
        labelled(card, "Another one")["custom_id"], message=rnd.original_message
    )
    assert (await again.response())["type"] == 7
    for option in ("category", "tag"):
        auto = await fake.send_autocomplete("random", focused=option, value="a")
        assert (await auto.response())["type"] == 8

    # /tags: the overview, then a category, paginated, and its select
    _, overview = await shown(await fake.send_slash_command("tags"))
    assert "animals" in overview["embeds"][0]["description"]
    auto = await fake.send_autocomplete("tags", focused="category", value="por")
    assert (await auto.response())["data"]["choices"][0]["value"] == "portraits"
    pages = await fake.send_slash_command("tags", {"category": "animals"})
    _, page = await shown(pages)
    for label, footer in (
        ("›", "Page 2 of 3"),
        ("≫", "Page 3 of 3"),
        ("‹", "Page 2 of 3"),
        ("≪", "Page 1 of 3"),
    ):
        turn = await fake.send_component(
            labelled(page, label)["custom_id"], message=pages.original_message
        )
        page = (await turn.response())["data"]
        assert page["embeds"][0]["footer"]["text"] == footer
    opener = next(c for c in components(page) if c["type"] == 3)
    opened = await fake.send_component(
        opener["custom_id"], message=pages.original_message, values=[opener["options"][2]["value"]]
    )
    _, card = await shown(opened)
    assert card["embeds"][0]["title"].startswith("Animal Portrait")
    assert fake.violations == []


async def test_library_changes_are_served_while_running(running: Any, library: Path) -> None:
    fake, _ = running
    (library / "animals" / "zebra.md").write_text(
        prompt_doc("Zebra Crossing Sunset", "animals", ("animal",), "A zebra at sunset."),
        encoding="utf-8",
    )
    (library / "animals" / "broken.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    for _ in range(60):
        handle = await fake.send_slash_command("prompt", {"query": "zebra crossing sunset"})
        _, message = await shown(handle)
        if message.get("embeds") and message["embeds"][0]["title"] == "Zebra Crossing Sunset":
            break
        await asyncio.sleep(0.5)
    else:
        raise AssertionError("the new prompt was never served")
    handle = await fake.send_slash_command("prompt", {"query": "cinematic night drive"})
    _, message = await shown(handle)
    assert message["embeds"][0]["title"].startswith("Cinematic Night Drive")


async def test_resilience_drop_429_and_a_burst(running: Any) -> None:
    fake, _ = running
    await fake.drop_gateway()
    handle = await fake.send_slash_command("prompt", {"query": "animal portrait 03"})
    assert (await handle.response(timeout=10))["type"] in (4, 5)

    fake.fail_next(CALLBACK, status=429, retry_after=0.5)
    limited = await fake.send_slash_command("tags")
    assert (await limited.response(timeout=10))["type"] == 4
    attempts = [r for r in limited.requests() if r.path.endswith("/callback")]
    assert [r.status for r in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.45

    users = [
        {**fake.world.tester, "id": str(500000000000000000 + n), "username": f"user{n}"}
        for n in range(100)
    ]
    start = asyncio.get_running_loop().time()
    handles = [
        await fake.send_slash_command(
            "prompt", {"query": f"animal portrait {n % 23:02d}"}, user=users[n]
        )
        for n in range(100)
    ]
    sent = asyncio.get_running_loop().time() - start
    assert sent < 1.0
    requests = await asyncio.gather(*(h.response_request(timeout=10) for h in handles))
    late = [
        r.at - h.state.created_at
        for r, h in zip(requests, handles, strict=True)
        if r.at - h.state.created_at > 3.0
    ]
    assert not late, f"{len(late)} of 100 interactions answered after 3 s"
    assert fake.violations == []


async def test_life_cycle_sync_once_sigint_and_a_rejected_token(
    fake_discord: Any,
    library: Path,
    tmp_path: Path,
) -> None:
    fake = fake_discord
    work = tmp_path / "work"
    work.mkdir()
    env = bot_env(fake, library, tmp_path)
    puts = lambda: [r for r in fake.requests if r.method == "PUT"]  # noqa: E731

    first = await start_bot(env, work)
    await wait_ready(fake, first)
    assert len(puts()) == 1
    fake.gateway.expect_client_close()
    assert await first.stop(signal.SIGINT) == 0
    assert "shut down cleanly" in first.output()

    fake.gateway.client_close_expected = False
    second = await start_bot(env, work)
    await wait_ready(fake, second)
    handle = await fake.send_slash_command("tags")
    assert (await handle.response())["type"] == 4
    assert len(puts()) == 1, "commands were synced again although unchanged"
    assert "unchanged since the last sync" in second.output()
    fake.gateway.expect_client_close()
    assert await second.stop() == 0

    rejected = await start_bot({**env, "DISCORD_TOKEN": "not-the-token." + "x" * 50}, work)
    assert await asyncio.wait_for(rejected.process.wait(), 30) == 2
    lines = rejected.output().strip().splitlines()
    assert lines[-1].startswith("promptbot: DISCORD_TOKEN: rejected by Discord")
    assert "Traceback" not in rejected.output()
    assert "not-the-token" not in rejected.output()
    fake.violations_expected = any("401" in v for v in fake.violations)


async def test_sync_registers_the_commands_in_one_guild(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    work = tmp_path / "work"
    work.mkdir()
    env = bot_env(fake, library, tmp_path)
    sync = await start_bot(env, work, "sync", "--guild", str(fake.guild_id))
    assert await asyncio.wait_for(sync.process.wait(), 60) == 0, sync.output()
    puts = [r for r in fake.requests if r.method == "PUT"]
    assert [r.route for r in puts] == ["/applications/{application_id}/guilds/{guild_id}/commands"]
    names = sorted(c["name"] for c in puts[0].json)
    assert names == ["favorites", "forget-me", "library", "prompt", "random", "tags", "top"]
    assert "synced 7 slash commands to guild" in sync.output()
    bad = await start_bot(env, work, "sync", "--guild", "not-a-number")
    assert await asyncio.wait_for(bad.process.wait(), 60) == 2
    assert "PROMPTBOT_DEV_GUILD: 'not-a-number' is not a guild id" in bad.output()
