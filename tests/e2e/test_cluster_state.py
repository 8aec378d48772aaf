"""A cluster on one PostgreSQL: two ``promptbot run`` processes (shards 0 and 1 of 2) against
one fake Discord, ``PROMPTBOT_STATE`` on a real PostgreSQL server that is stopped and started
while they run.  A favourite saved in a server of shard 1 is listed in a DM (shard 0); while
PostgreSQL is down, Save says so at once and searches keep working; no acknowledged save is
lost; the processes recover without a restart; killing one leaves the other answering."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.render.members import STATE_DOWN
from bot.state import open_state
from tests.cogs.conftest import components, shown
from tests.e2e.cluster import (
    PUT_COMMANDS,
    ask,
    guild_on,
    metrics_base,
    start_shard,
    stop,
    wait_connected,
    wait_health,
)
from tests.fake_discord import FakeDiscord
from tests.support.postgres import PostgresServer
from tests.support.scrape import scrape

SAVED_PROMPT = "animals/animal-04"


def member(fake: FakeDiscord, n: int) -> dict[str, Any]:
    return {**fake.world.tester, "id": str(530000000000000000 + n), "username": f"m{n}"}


async def card_in(fake: FakeDiscord, guild_id: str) -> tuple[Any, dict[str, Any]]:
    """/prompt for Animal Portrait 04 in ``guild_id``: (its handle, the Save button)."""
    handle = await fake.send_slash_command(
        "prompt", {"query": "animal portrait 04"}, where=fake.in_guild(guild_id)
    )
    _, card = await shown(handle)
    return handle, next(c for c in components(card) if c.get("label") == "Save")


async def save(fake: FakeDiscord, handle: Any, button: dict[str, Any], user: Any) -> str:
    """Press Save as ``user``; the ephemeral answer's text and the delivering shard."""
    click = await fake.send_component(
        button["custom_id"], message=handle.original_message, user=user
    )
    return str((await click.response(timeout=15))["data"]["content"])


async def favorites_in_a_dm(fake: FakeDiscord, user: dict[str, Any]) -> tuple[int | None, str]:
    handle = await fake.send_slash_command("favorites", where=fake.dm(user), user=user)
    data = (await handle.response())["data"]
    text = str(data["embeds"][0]["description"]) if data.get("embeds") else str(data["content"])
    if data.get("embeds"):  # the view fetches its message (to disable it later)
        await handle.wait_for_request("GET", "/messages/@original")
    return handle.shard_id, text


async def test_a_cluster_on_one_postgres_through_an_outage(
    sharded_fake: FakeDiscord,
    postgres_server: PostgresServer,
    postgres_dsn: str,
    library: Path,
    tmp_path: Path,
) -> None:
    fake, dsn = sharded_fake, postgres_dsn
    zero, one = await asyncio.gather(
        start_shard(fake, library, tmp_path, "0", PROMPTBOT_STATE=dsn),
        start_shard(fake, library, tmp_path, "1", PROMPTBOT_STATE=dsn),
    )
    try:
        base0, base1 = await metrics_base(zero), await metrics_base(one)
        await wait_connected(fake, [0, 1])
        await fake.recorder.wait_for(lambda: fake.world.commands, 30, "commands synced")
        for base in (base0, base1):
            await wait_health(base, 200)

        # saved in a server of shard 1 (its process), listed in a DM (shard 0's process)
        alice = member(fake, 0)
        handle, button = await card_in(fake, guild_on(fake, 1))
        assert handle.shard_id == 1
        assert "Saved" in await save(fake, handle, button, alice)
        shard, listed = await favorites_in_a_dm(fake, alice)
        assert shard == 0 and "Animal Portrait 04" in listed

        # PostgreSQL stops mid-run: every acknowledged save survives; Save says it is down
        acknowledged: list[int] = []
        stopped = asyncio.Event()

        async def members_saving() -> None:
            n = 1
            while True:
                answer = await save(fake, handle, button, member(fake, n))
                if "Saved" in answer:
                    acknowledged.append(n)
                elif stopped.is_set():
                    assert answer == STATE_DOWN
                    return
                n += 1

        saving = asyncio.create_task(members_saving())
        await asyncio.sleep(1.0)
        await asyncio.to_thread(postgres_server.stop)
        stopped.set()
        await asyncio.wait_for(saving, 30)
        assert acknowledged, "no save went through before the stop"
        assert await ask(fake, guild_on(fake, 1)) == 1  # searches and cards need no state
        assert await ask(fake, None) == 0
        for base in (base0, base1):
            assert (await wait_health(base, 200))["shards_down"] == []
        samples = await scrape(base1)  # shard 1's process took the saves
        assert samples.total("promptbot_state_errors_total", kind="unavailable") >= 1
        assert (
            samples.get_value("promptbot_interactions_total", command="component", outcome="error")
            >= 1
        )  # a store that is down is the bot's failure, not the member's

        # back: the same processes save again, no restart
        await asyncio.to_thread(postgres_server.start)
        bob = member(fake, 10_000)
        for _ in range(20):  # the pool reconnects on the next call
            if "Saved" in await save(fake, handle, button, bob):
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError("saving never worked again after PostgreSQL came back")
        assert "Animal Portrait 04" in (await favorites_in_a_dm(fake, bob))[1]
        async with open_state(dsn) as state:
            for n in acknowledged:
                user_id = int(member(fake, n)["id"])
                assert await state.favorite_ids(user_id, [SAVED_PROMPT]), f"member {n} lost"

        # killing one process leaves the other answering
        fake.gateway.expect_client_close([0])
        await zero.stop(sig=9)
        await fake.recorder.wait_for(lambda: fake.connected_shards() == [1], 15, "shard 0 gone")
        assert await ask(fake, guild_on(fake, 1)) == 1
        assert "Saved" in await save(fake, handle, button, member(fake, 20_000))
        assert len(fake.recorder.find_requests("PUT", PUT_COMMANDS)) == 1
    finally:
        if zero.process.returncode is None:
            await stop(fake, zero, 0)
        await stop(fake, one, 1)
    for bot in (zero, one):
        assert postgres_server.password not in bot.output()
    assert fake.violations == []
