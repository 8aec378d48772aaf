"""A cluster on one PostgreSQL: two ``promptbot run`` processes (shards 0 and 1 of 2) against
one fake Discord, with ``PROMPTBOT_STATE`` on a real PostgreSQL server that is stopped and
started while they run.

NOTE: the member features (Save, /favorites) are on the ``members`` branch, not in this one
yet, so the bot processes here do not open the state store themselves.  The shared member
data is exercised through the store from each process's side instead: a separate OS process
per shard, each with its own pool on the cluster's DSN, exactly what each bot process would
open.  Once ``members`` is merged, the "saved in a guild of shard 1, listed in a DM on shard
0" step should drive Save and /favorites through the fake instead.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from bot.state import StateUnavailable, open_state
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

ROOT = Path(__file__).parents[2]
MEMBER = 123_456_789_012_345_678
SAVER = MEMBER + 1  # saves while the server goes down
STORE_CLIENT = """
import asyncio, json, sys
from bot.state import open_state

async def main(dsn, action, *args):
    async with open_state(dsn) as store:
        if action == "save":
            user, prompt_id, title = args
            print(json.dumps(await store.add_favorite(int(user), prompt_id, title)))
        else:
            favorites = await store.list_favorites(int(args[0]))
            print(json.dumps([[f.prompt_id, f.title] for f in favorites]))

asyncio.run(main(*sys.argv[1:]))
"""


def store_process(dsn: str, *args: str) -> object:
    """One OS process with its own store on ``dsn`` (what a bot process opens)."""
    done = subprocess.run(
        [sys.executable, "-c", STORE_CLIENT, dsn, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


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
        bases = [await metrics_base(zero), await metrics_base(one)]
        await wait_connected(fake, [0, 1])
        await fake.recorder.wait_for(lambda: fake.world.commands, 30, "commands synced")
        for base in bases:
            await wait_health(base, 200)

        # member data is shared: saved on shard 1's side, listed on shard 0's
        saved = await asyncio.to_thread(
            store_process, dsn, "save", str(MEMBER), "portraits/neon", "Neon Dreams"
        )
        assert saved is True
        listed = await asyncio.to_thread(store_process, dsn, "list", str(MEMBER))
        assert listed == [["portraits/neon", "Neon Dreams"]]

        # PostgreSQL stops mid-run: no acknowledged save is lost, lookups keep working
        async with open_state(dsn) as store:
            acknowledged: list[str] = []
            stopping = False

            async def saver() -> None:
                n = 0
                while True:
                    n += 1
                    try:
                        if await store.add_favorite(SAVER, f"p/{n}", f"Prompt {n}"):
                            acknowledged.append(f"p/{n}")
                    except StateUnavailable:
                        if stopping:
                            return
                    await asyncio.sleep(0.005)

            saving = asyncio.create_task(saver())
            await asyncio.sleep(0.5)
            stopping = True
            await asyncio.to_thread(postgres_server.stop)
            await asyncio.wait_for(saving, 15)
            assert await ask(fake, guild_on(fake, 1)) == 1  # searches and cards: no state
            assert await ask(fake, None) == 0
            for base in bases:
                assert (await wait_health(base, 200))["shards_down"] == []
            await asyncio.to_thread(postgres_server.start)
            await store.ping()  # the same pool, reconnected by itself
            kept = {f.prompt_id for f in await store.list_favorites(SAVER, limit=1000)}
            assert acknowledged and set(acknowledged) <= kept
        listed = await asyncio.to_thread(store_process, dsn, "list", str(MEMBER))
        assert listed == [["portraits/neon", "Neon Dreams"]]

        # killing one process leaves the other answering
        fake.gateway.expect_client_close([0])
        await zero.stop(sig=9)
        await fake.recorder.wait_for(lambda: fake.connected_shards() == [1], 15, "shard 0 gone")
        assert await ask(fake, guild_on(fake, 1)) == 1
        assert len(fake.recorder.find_requests("PUT", PUT_COMMANDS)) == 1
    finally:
        if zero.process.returncode is None:
            await stop(fake, zero, 0)
        await stop(fake, one, 1)
    for bot in (zero, one):
        assert postgres_server.password not in bot.output()
    assert fake.violations == []
