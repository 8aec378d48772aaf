"""The fake gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME/RESUMED, numbered dispatches.

One session at a time (one bot, one shard).  Dispatches are numbered and kept, so a client that
RESUMEs after a drop gets what it missed, exactly like Discord.  A connection that ends without
the fake (or the test, via :meth:`Gateway.expect_client_close`) causing it is a violation: that
is how discord.py reacts to an event payload it cannot parse.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fake_discord.recorder import GatewayFrame, Recorder, describe

if TYPE_CHECKING:
    from tests.fake_discord.world import World

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT = 0, 1, 2, 3, 4, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
SUPPORTED_COMPRESSION = (None, "zlib-stream")


@dataclass
class Connection:
    """One websocket connection from the bot."""

    id: int
    ws: web.WebSocketResponse
    compressor: Any = None  # zlib compressobj when the client asked for zlib-stream
    authenticated: bool = False
    closed_by_fake: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Gateway:
    """Gateway state (session, sequence, history) and the websocket handler."""

    def __init__(self, world: World, recorder: Recorder, heartbeat_interval_ms: int) -> None:
        self.world = world
        self.recorder = recorder
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.session_id: str | None = None
        self.seq = 0
        self.history: list[dict[str, Any]] = []
        self.current: Connection | None = None
        self.identifies = 0
        self.resumes = 0
        self.client_close_expected = False
        self.queries: list[dict[str, str]] = []  # query string of every connection, in order
        self._ids = itertools.count(1)

    # -- driver side --------------------------------------------------------------------
    def expect_client_close(self) -> None:
        """The bot is about to disconnect on purpose (e.g. ``bot.close()``)."""
        self.client_close_expected = True

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send (or, while disconnected, queue for RESUME) a numbered dispatch; its ``s``."""
        self.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.history.append(payload)
        if self.current is not None and self.current.authenticated:
            await self._send(self.current, payload)
        return self.seq

    async def drop(self, code: int = 4000) -> None:
        """Close the current connection from the server side (resumable close code)."""
        conn = self.current
        if conn is None:
            raise RuntimeError("no gateway connection to drop")
        conn.closed_by_fake = True
        self.current = None
        await conn.ws.close(code=code, message=b"fake_discord drop")

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes the socket itself and resumes."""
        conn = self.current
        if conn is None:
            raise RuntimeError("no gateway connection")
        conn.closed_by_fake = True
        await self._send(conn, {"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close_all(self) -> None:
        self.client_close_expected = True
        if self.current is not None:
            self.current.closed_by_fake = True
            await self.current.ws.close(code=1000)

    # -- websocket ----------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        query = dict(request.query)
        self.queries.append(query)
        if query.get("v") != "10" or query.get("encoding") != "json":
            self.recorder.violation(f"gateway: connected with v/encoding {query}, want v=10 json")
        compress = query.get("compress")
        if compress not in SUPPORTED_COMPRESSION:
            self.recorder.violation(f"gateway: unsupported compress={compress!r}")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(next(self._ids), ws)
        if compress == "zlib-stream":
            conn.compressor = zlib.compressobj()
        hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]}
        await self._send(conn, {"op": HELLO, "d": hello, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_text(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    self.recorder.violation("gateway: client sent a binary frame")
        finally:
            if self.current is conn:
                self.current = None
            if not conn.closed_by_fake and not self.client_close_expected:
                self.recorder.violation(
                    f"gateway: connection {conn.id} closed by the client (code {ws.close_code})"
                    " without the fake asking; discord.py does this when it cannot parse an event"
                )
            self.recorder.notify()
        return ws

    async def _send(self, conn: Connection, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        frame = GatewayFrame(
            "out", conn.id, payload["op"], payload["t"], payload["s"], payload["d"]
        )
        async with conn.lock:
            if conn.ws.closed:
                return
            if conn.compressor is not None:
                data = conn.compressor.compress(text.encode()) + conn.compressor.flush(
                    zlib.Z_SYNC_FLUSH
                )
                await conn.ws.send_bytes(data)
            else:
                await conn.ws.send_str(text)
        self.recorder.add_frame(frame)

    async def _on_text(self, conn: Connection, text: str) -> None:
        try:
            payload = json.loads(text)
        except ValueError:
            self.recorder.violation(f"gateway: non-JSON frame {describe(text)}")
            return
        op, data = payload.get("op"), payload.get("d")
        self.recorder.add_frame(
            GatewayFrame("in", conn.id, op, payload.get("t"), payload.get("s"), data)
        )
        if op == HEARTBEAT:
            if isinstance(data, int) and data > self.seq:
                self.recorder.violation(f"gateway: heartbeat seq {data} > sent {self.seq}")
            await self._send(conn, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        elif not conn.authenticated:
            self.recorder.violation(f"gateway: op {op} before IDENTIFY/RESUME")
            conn.closed_by_fake = True
            await conn.ws.close(code=4003)
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(data or {})
        elif op not in (PRESENCE, VOICE):
            self.recorder.violation(f"gateway: unknown op {op}: {describe(payload)}")

    def _check_token(self, conn: Connection, token: Any) -> bool:
        if token == self.world.token:
            return True
        self.recorder.violation(f"gateway: wrong token {describe(token)}")
        return False

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if conn.authenticated:
            self.recorder.violation("gateway: IDENTIFY twice on one connection")
        if not self._check_token(conn, data.get("token")):
            conn.closed_by_fake = True
            await conn.ws.close(code=4004)
            return
        missing = [k for k in ("properties", "intents") if k not in data]
        if missing:
            self.recorder.violation(f"gateway: IDENTIFY without {missing}")
        self.identifies += 1
        self.session_id, self.seq, self.history = uuid.uuid4().hex, 0, []
        conn.authenticated = True
        self.current = conn
        ready = self.world.ready_payload(self.session_id, data.get("shard"))
        await self.dispatch("READY", ready)
        for guild in self.world.guild_create_payloads():
            await self.dispatch("GUILD_CREATE", guild)

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        if not self._check_token(conn, data.get("token")):
            conn.closed_by_fake = True
            await conn.ws.close(code=4004)
            return
        seq = data.get("seq")
        if data.get("session_id") != self.session_id or not isinstance(seq, int) or seq > self.seq:
            self.recorder.violation(
                f"gateway: bad RESUME {describe(data)} (session {self.session_id}, seq {self.seq})"
            )
            await self._send(conn, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        conn.authenticated = True
        self.current = conn
        for payload in self.history:
            if payload["s"] > seq:
                await self._send(conn, payload)
        self.resumes += 1
        await self.dispatch("RESUMED", {"_trace": ["fake-gateway"]})

    async def _members_chunk(self, data: dict[str, Any]) -> None:
        guild_id = str(data.get("guild_id"))
        members = self.world.members_of(guild_id)
        chunk = {
            "guild_id": guild_id,
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
