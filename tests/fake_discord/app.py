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
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import discord
import yarl
from aiohttp import web

from tests.fake_discord.gateway import Gateway
from tests.fake_discord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    InteractionHandle,
    command_options,
    find_component,
)
from tests.fake_discord.recorder import GatewayFrame, RecordedRequest, Recorder
from tests.fake_discord.rest import API_PREFIX, Rest
from tests.fake_discord.routes import Routes
from tests.fake_discord.world import InteractionState, World
from tests.support.discord_spec import DiscordSpec

SPEC_ENV = "PROMPTBOT_TEST_DISCORD_SPEC"


class FakeDiscord:
    """A local Discord for one test: REST under ``/api/v10`` and a gateway at ``/gateway``."""

    def __init__(
        self,
        spec: DiscordSpec | str | Path | None = None,
        *,
        token: str | None = None,
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float | None = 3.0,
    ) -> None:
        if spec is None:
            if not os.environ.get(SPEC_ENV):
                raise RuntimeError(f"{SPEC_ENV} is not set; FakeDiscord validates against it")
            spec = os.environ[SPEC_ENV]
        self.spec = spec if isinstance(spec, DiscordSpec) else DiscordSpec(spec)
        self.recorder = Recorder()
        self.world = World(token)
        self.gateway = Gateway(self.world, self.recorder, heartbeat_interval_ms)
        self.rest = Rest(self.spec, self.recorder, self.world.token)
        self.routes = Routes(self.world, self.recorder, interaction_deadline)
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

        A bot task that dies while running is recorded as a violation.
        """
        with self.patched_discord():
            task = asyncio.create_task(bot.start(self.token), name="fake-discord-bot")
            task.add_done_callback(self._bot_ended)
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
                self.gateway.expect_client_close()
                if not bot.is_closed():
                    await bot.close()
                with contextlib.suppress(Exception):  # reported by _bot_ended
                    await asyncio.wait_for(task, timeout)

    def _bot_ended(self, task: asyncio.Task[None]) -> None:
        """discord.py's ``start()`` dies on an event it cannot parse, leaving the socket open
        (nothing closes it until the heartbeat times out, 60 s later): report it at once."""
        if self.gateway.client_close_expected:
            return
        problem = "cancelled" if task.cancelled() else repr(task.exception())
        self.recorder.violation(f"bot task ended while running: {problem}")

    async def wait_until_ready(self, timeout: float = 10.0) -> None:
        """Wait until the bot has identified and been sent READY and GUILD_CREATE."""
        await self.recorder.wait_for(
            lambda: self.recorder.gateway_frames("out", t="GUILD_CREATE"),
            timeout,
            "IDENTIFY -> READY -> GUILD_CREATE",
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
        """Close the websocket from the server side; by default wait until the bot RESUMEs."""
        resumes = self.gateway.resumes
        await self.gateway.drop(code)
        if wait_resumed:
            await self.recorder.wait_for(
                lambda: self.gateway.resumes > resumes, timeout, "the bot to RESUME"
            )

    async def send_reconnect(self, *, timeout: float = 15.0) -> None:
        """Send op 7 RECONNECT and wait for the bot to RESUME on a new connection."""
        resumes = self.gateway.resumes
        await self.gateway.send_reconnect()
        await self.recorder.wait_for(
            lambda: self.gateway.resumes > resumes, timeout, "the bot to RESUME after RECONNECT"
        )

    # -- interactions ---------------------------------------------------------------------
    async def _send(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        guild: bool = True,
        message: dict[str, Any] | None = None,
        user: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        interaction_id, token, payload = self.world.interaction_payload(
            kind, data, user=user, message=message, in_guild=guild
        )
        state = InteractionState(
            interaction_id, token, kind, payload, created_at=asyncio.get_running_loop().time()
        )
        self.world.interactions[interaction_id] = state
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return InteractionHandle(self, state)

    def _command_data(
        self, name: str, options: dict[str, Any], guild: bool, focused: str | None = None
    ) -> dict[str, Any]:
        command = self.world.find_command(name, self.world.guild_id if guild else None)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": command.get("type", 1),
            "options": command_options(command, options, focused),
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data

    async def send_slash_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        guild: bool = True,
        user: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        """Invoke a synced slash command (options typed from the synced definition)."""
        data = self._command_data(name, options or {}, guild)
        return await self._send(APPLICATION_COMMAND, data, guild=guild, user=user)

    async def send_autocomplete(
        self,
        name: str,
        focused: str,
        value: str,
        options: dict[str, Any] | None = None,
        *,
        guild: bool = True,
    ) -> InteractionHandle:
        """The user typed ``value`` into option ``focused`` of ``/name``."""
        data = self._command_data(name, {**(options or {}), focused: value}, guild, focused)
        return await self._send(AUTOCOMPLETE, data, guild=guild)

    async def send_component(
        self,
        custom_id: str,
        *,
        message: dict[str, Any] | None = None,
        values: list[str] | None = None,
        user: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        """Click a button / choose in a select (as ``user``, default the tester).

        ``message`` defaults to the newest message the bot sent that carries ``custom_id``.
        """
        if message is None:
            candidates = [
                m
                for m in self.world.messages.values()
                if find_component(m.get("components"), custom_id)
            ]
            if not candidates:
                raise LookupError(f"no message with a component {custom_id!r}")
            message = max(candidates, key=lambda m: int(m["id"]))
        component = find_component(message.get("components"), custom_id)
        if component is None:
            raise LookupError(f"message {message.get('id')} has no component {custom_id!r}")
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": component["type"],
            "id": component.get("id"),
        }
        if component["type"] != 2:
            data["values"] = values or []
        elif values is not None:
            raise ValueError("buttons take no values")
        return await self._send(MESSAGE_COMPONENT, data, message=message, user=user)

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send any other gateway dispatch; returns its sequence number."""
        return await self.gateway.dispatch(event, data)
