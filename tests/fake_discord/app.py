"""``FakeDiscord``: one aiohttp app on 127.0.0.1 serving REST and the gateway, plus a driver API.

async with FakeDiscord() as fake:
    async with fake.run_bot(bot):
        handle = await fake.send_slash_command("prompt", options={"query": "neon"})
        body = await handle.response()
    assert fake.violations == []
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import discord
import yarl
from aiohttp import web

from tests.fake_discord import shards
from tests.fake_discord.driver import InteractionDriver
from tests.fake_discord.gateway import Gateway
from tests.fake_discord.recorder import GatewayFrame, RecordedRequest, Recorder
from tests.fake_discord.rest import API_PREFIX, Rest
from tests.fake_discord.routes import Routes
from tests.fake_discord.shards import Session
from tests.fake_discord.world import World
from tests.support.discord_spec import DiscordSpec

SPEC_ENV = "PROMPTBOT_TEST_DISCORD_SPEC"


class FakeDiscord(InteractionDriver):
    """A local Discord for one test: REST under ``/api/v10`` and a gateway at ``/gateway``.

    ``shard_count``: the shards Discord requires (``GET /gateway/bot`` says so; an IDENTIFY
    with another count is a violation); ``max_concurrency``: IDENTIFY buckets per 5 s.
    """

    def __init__(
        self,
        spec: DiscordSpec | str | Path | None = None,
        *,
        token: str | None = None,
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float | None = 3.0,
        shard_count: int = 1,
        max_concurrency: int = 1,
    ) -> None:
        if spec is None:
            if not os.environ.get(SPEC_ENV):
                raise RuntimeError(f"{SPEC_ENV} is not set; FakeDiscord validates against it")
            spec = os.environ[SPEC_ENV]
        self.spec = spec if isinstance(spec, DiscordSpec) else DiscordSpec(spec)
        self.recorder = Recorder()
        self.world = World(token)
        if shard_count < 1 or max_concurrency < 1:
            raise ValueError("shard_count and max_concurrency must be at least 1")
        self.gateway = Gateway(
            self.world, self.recorder, heartbeat_interval_ms, shard_count, max_concurrency
        )
        self.rest = Rest(self.spec, self.recorder, self.world.token)
        self.routes = Routes(self.world, self.recorder, interaction_deadline, self.gateway)
        #: set by tests that provoke violations on purpose (see the ``fake_discord`` fixture)
        self.violations_expected = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> FakeDiscord:
        app = web.Application(middlewares=[self.rest.middleware], client_max_size=64 * 2**20)
        app.router.add_get("/gateway", self.gateway.handle)
        self.routes.install(app)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.world.gateway_url = self.gateway_url
        return self

    async def __aexit__(self, *exc: object) -> None:
        for state in self.world.interactions.values():
            if state.callback_type is None:
                self.recorder.violation(
                    f"interaction {state.id} (type {state.type}) was never answered"
                )
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _unknown(self, request: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def application_id(self) -> int:
        return int(self.world.application_id)

    @property
    def guild_id(self) -> int:
        return int(self.world.guild_id)

    @property
    def violations(self) -> list[str]:
        return self.recorder.violations

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.recorder.requests

    @property
    def frames(self) -> list[GatewayFrame]:
        return self.recorder.frames

    # -- pointing discord.py at the fake ---------------------------------------------------------
    @contextmanager
    def patched_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway here; restore them afterwards."""
        ws_class = discord.gateway.DiscordWebSocket
        old = discord.http.Route.BASE, ws_class.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        ws_class.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE, ws_class.DEFAULT_GATEWAY = old

    @asynccontextmanager
    async def run_bot(self, bot: discord.Client, timeout: float = 15.0) -> AsyncIterator[Any]:
        """Start ``bot`` against the fake, wait for ``on_ready``, close it on exit.

        A bot task that dies while running is recorded as a violation.  Several bots may run
        at once (e.g. one ``AutoShardedBot`` per shard range): nest ``run_bot`` calls.
        """
        own = bot_shard_ids(bot)
        with self.patched_discord():
            task = asyncio.create_task(bot.start(self.token), name="fake-discord-bot")
            task.add_done_callback(functools.partial(self._bot_ended, own))
            try:
                waiter = asyncio.ensure_future(bot.wait_until_ready())
                done, _ = await asyncio.wait(
                    {task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if waiter not in done:
                    waiter.cancel()
                    if task.done():
                        problem = f"bot stopped before ready; violations: {self.violations}"
                        raise RuntimeError(problem) from task.exception()
                    raise TimeoutError(f"bot not ready after {timeout}s; {self.violations}")
                yield bot
            finally:
                self.gateway.expect_client_close(own)
                if not bot.is_closed():
                    await bot.close()
                with contextlib.suppress(Exception):  # reported by _bot_ended
                    await asyncio.wait_for(task, timeout)

    def _bot_ended(self, shard_ids: list[int] | None, task: asyncio.Task[None]) -> None:
        """discord.py's ``start()`` dies on an event it cannot parse, leaving the socket open
        (nothing closes it until the heartbeat times out, 60 s later): report it at once."""
        if self.gateway.close_expected(shard_ids):
            return
        problem = "cancelled" if task.cancelled() else repr(task.exception())
        self.recorder.violation(f"bot task ended while running: {problem}")

    async def wait_until_ready(self, timeout: float = 10.0) -> None:
        """Wait until every shard has identified and been sent READY and its GUILD_CREATEs."""
        await self.recorder.wait_for(
            lambda: len(self.ready_shards()) == self.shard_count,
            timeout,
            f"IDENTIFY -> READY -> GUILD_CREATE on all {self.shard_count} shards",
        )

    # -- failures ----------------------------------------------------------------------------
    def fail_next(
        self, route_pattern: str, status: int = 429, retry_after: float = 0.3, times: int = 1
    ) -> None:
        """Answer the next ``times`` requests matching ``route_pattern`` with ``status``.

        ``route_pattern``: ``"POST /interactions/{id}/{token}/callback"`` (``{x}`` = one path
        segment, ``*`` = anything, method optional).  429s carry ``retry_after`` in the body
        and ``Retry-After``/``X-RateLimit-*`` headers, as Discord sends them.
        """
        self.rest.fail_next(route_pattern, status, retry_after, times)

    async def drop_gateway(
        self, code: int = 4000, *, wait_resumed: bool = True, timeout: float = 15.0
    ) -> None:
        """Close shard 0's websocket from the server side; by default wait for its RESUME."""
        await self.drop_shard(0, code, wait_resumed=wait_resumed, timeout=timeout)

    async def drop_shard(
        self, shard_id: int, code: int = 4000, *, wait_resumed: bool = True, timeout: float = 15.0
    ) -> None:
        """Close one shard's websocket from the server side (the others keep running); by
        default wait until that shard RESUMEs."""
        session = self._session(shard_id)
        resumes = session.resumes
        await self.gateway.drop(code, shard_id)
        if wait_resumed:
            await self.recorder.wait_for(
                lambda: session.resumes > resumes, timeout, f"shard {shard_id} to RESUME"
            )

    @asynccontextmanager
    async def hold_gateway(self) -> AsyncIterator[None]:
        """New gateway connections wait (before the websocket handshake) until the block
        ends: a dropped shard stays down for as long as the test needs."""
        self.gateway.admitting.clear()
        try:
            yield
        finally:
            self.gateway.admitting.set()

    async def send_reconnect(self, *, shard_id: int = 0, timeout: float = 15.0) -> None:
        """Send op 7 RECONNECT and wait for the shard to RESUME on a new connection."""
        session = self._session(shard_id)
        resumes = session.resumes
        await self.gateway.send_reconnect(shard_id)
        await self.recorder.wait_for(
            lambda: session.resumes > resumes, timeout, "the bot to RESUME after RECONNECT"
        )

    # -- shards ------------------------------------------------------------------------------
    @property
    def shard_count(self) -> int:
        return self.gateway.shard_count

    def _session(self, shard_id: int) -> Session:
        if shard_id not in self.gateway.sessions:
            raise LookupError(f"shard {shard_id} never identified")
        return self.gateway.sessions[shard_id]

    def connected_shards(self) -> list[int]:
        """Shards with a live, identified (or resumed) connection, sorted."""
        return self.gateway.connected_shards()

    def ready_shards(self) -> list[int]:
        """Connected shards that have been sent READY and every GUILD_CREATE."""
        sessions = self.gateway.sessions
        return [s for s in self.connected_shards() if sessions[s].ready]

    def shard_for(self, guild_id: int | str | None) -> int:
        """The shard that receives ``guild_id``'s events (``None``, a DM: shard 0)."""
        return 0 if guild_id is None else shards.shard_of(guild_id, self.shard_count)

    def guild_id_on_shard(self, shard_id: int) -> int:
        """A fresh guild snowflake that lands on ``shard_id`` (not added to the world)."""
        return int(shards.guild_id_on_shard(shard_id, self.shard_count))

    async def add_guild(self, *, shard_id: int | None = None, name: str = "Fake Guild") -> int:
        """Put the bot in one more guild (on ``shard_id`` if given); if its shard is connected
        the bot gets ``GUILD_CREATE`` as when it joins a guild.  Returns the guild id."""
        guild_id = (
            None if shard_id is None else shards.guild_id_on_shard(shard_id, self.shard_count)
        )
        state = self.world.add_guild(guild_id, name)
        shard = self.shard_for(state.id)
        session = self.gateway.sessions.get(shard)
        if session is not None:
            session.guild_ids.append(state.id)
            await self.gateway.dispatch("GUILD_CREATE", self.world.guild_create_payload(state.id))
        return int(state.id)


def bot_shard_ids(bot: discord.Client) -> list[int] | None:
    """The shards ``bot`` runs (``None``: an AutoShardedClient that takes every shard)."""
    shard_ids = getattr(bot, "shard_ids", None)
    if shard_ids:
        return list(shard_ids)
    if isinstance(bot, discord.AutoShardedClient):
        return None
    return [bot.shard_id or 0]
