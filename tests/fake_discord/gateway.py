"""The fake gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME/RESUMED, numbered dispatches.

Any number of connections at once, one session per shard (:mod:`tests.fake_discord.shards`).
Dispatches are numbered per session and kept, so a shard that RESUMEs after a drop gets what it
missed, exactly like Discord.  A connection that ends without the fake (or the test, via
:meth:`Gateway.expect_client_close`) causing it is a violation: that is how discord.py reacts
to an event payload it cannot parse.
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

from tests.fake_discord import shards
from tests.fake_discord.recorder import GatewayFrame, Recorder, describe
from tests.fake_discord.shards import Session, SessionBook

if TYPE_CHECKING:
    from tests.fake_discord.world import World

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT = 0, 1, 2, 3, 4, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
SUPPORTED_COMPRESSION = (None, "zlib-stream")
IDENTIFY_WINDOW = 5.0  # seconds: one IDENTIFY per max_concurrency bucket in this window


@dataclass
class Connection:
    """One websocket connection from the bot."""

    id: int
    ws: web.WebSocketResponse
    compressor: Any = None  # zlib compressobj when the client asked for zlib-stream
    authenticated: bool = False
    closed_by_fake: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session: Session | None = None


class Gateway(SessionBook):
    """Gateway sessions (one per shard) and the websocket handler."""

    def __init__(
        self,
        world: World,
        recorder: Recorder,
        heartbeat_interval_ms: int,
        shard_count: int = 1,
        max_concurrency: int = 1,
    ) -> None:
        super().__init__(shard_count)
        self.world = world
        self.recorder = recorder
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.max_concurrency = max_concurrency
        self.identifies = 0
        self.resumes = 0
        self.queries: list[dict[str, str]] = []  # query string of every connection, in order
        self.undelivered: list[tuple[int, dict[str, Any]]] = []  # (shard, dispatch) no session
        self._bucket_identifies: dict[int, tuple[float, int]] = {}  # bucket -> (time, shard)
        self._ids = itertools.count(1)
        #: cleared while the test holds new connections back (FakeDiscord.hold_gateway)
        self.admitting = asyncio.Event()
        self.admitting.set()

    async def dispatch(self, event: str, data: dict[str, Any], shard_id: int | None = None) -> int:
        """Send (or, while that shard is disconnected, keep for RESUME) a numbered dispatch to
        ``shard_id`` (default: routed by guild); its ``s``, or 0 if no session could take it."""
        shard_id = self.route(event, data) if shard_id is None else shard_id
        session = self.sessions.get(shard_id)
        if session is None:
            self.undelivered.append((shard_id, {"t": event, "d": data}))
            return 0
        return await self._dispatch_to(session, event, data)

    async def _dispatch_to(self, session: Session, event: str, data: dict[str, Any]) -> int:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.history.append(payload)
        if session.connected:
            assert session.current is not None
            await self._send(session.current, payload)
        return session.seq

    def _session_for_drop(self, shard_id: int) -> Connection:
        session = self.sessions.get(shard_id)
        if session is None or session.current is None:
            raise RuntimeError(f"shard {shard_id} has no gateway connection")
        return session.current

    async def drop(self, code: int = 4000, shard_id: int = 0) -> None:
        """Close ``shard_id``'s connection from the server side (resumable close code)."""
        conn = self._session_for_drop(shard_id)
        conn.closed_by_fake = True
        assert conn.session is not None
        conn.session.current = None
        await conn.ws.close(code=code, message=b"fake_discord drop")

    async def send_reconnect(self, shard_id: int = 0) -> None:
        """Send op 7 RECONNECT to ``shard_id``: the client closes the socket and resumes."""
        conn = self._session_for_drop(shard_id)
        conn.closed_by_fake = True
        await self._send(conn, {"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close_all(self) -> None:
        self._all_closes_expected = True
        for session in self.sessions.values():
            if session.current is not None:
                session.current.closed_by_fake = True
                await session.current.ws.close(code=1000)

    # -- websocket ----------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        query = dict(request.query)
        await self.admitting.wait()
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
            session = conn.session
            if session is not None and session.current is conn:
                session.current = None
            shard = [session.shard_id] if session else None
            if not conn.closed_by_fake and not self.close_expected(shard):
                self.recorder.violation(
                    f"gateway: connection {conn.id} (shard {shard}) closed by the client (code"
                    f" {ws.close_code}) without the fake asking; discord.py does this when it"
                    " cannot parse an event"
                )
            self.recorder.notify()
        return ws

    async def _send(self, conn: Connection, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        shard = conn.session.shard_id if conn.session else None
        frame = GatewayFrame(
            "out", conn.id, payload["op"], payload["t"], payload["s"], payload["d"], shard=shard
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

    async def _refuse(self, conn: Connection, code: int, problem: str) -> None:
        self.recorder.violation(f"gateway: {problem} (closing with {code})")
        conn.closed_by_fake = True
        await conn.ws.close(code=code)

    async def _on_text(self, conn: Connection, text: str) -> None:
        try:
            payload = json.loads(text)
        except ValueError:
            self.recorder.violation(f"gateway: non-JSON frame {describe(text)}")
            return
        op, data = payload.get("op"), payload.get("d")
        shard = conn.session.shard_id if conn.session else None
        self.recorder.add_frame(
            GatewayFrame("in", conn.id, op, payload.get("t"), payload.get("s"), data, shard=shard)
        )
        if op == HEARTBEAT:
            # before RESUME a connection is not bound to a session yet: nothing to compare
            seq = conn.session.seq if conn.session else None
            if isinstance(data, int) and seq is not None and data > seq:
                self.recorder.violation(f"gateway: heartbeat seq {data} > sent {seq}")
            await self._send(conn, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        elif not conn.authenticated:
            await self._refuse(conn, 4003, f"op {op} before IDENTIFY/RESUME")
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(conn, data or {})
        elif op not in (PRESENCE, VOICE):
            self.recorder.violation(f"gateway: unknown op {op}: {describe(payload)}")

    def _check_token(self, token: Any) -> bool:
        if token == self.world.token:
            return True
        self.recorder.violation(f"gateway: wrong token {describe(token)}")
        return False

    def _check_concurrency(self, shard_id: int) -> None:
        """Shards in one ``shard_id % max_concurrency`` bucket IDENTIFY 5 s apart (docs:
        session start limit); checked between shards, not for one shard reconnecting."""
        now = asyncio.get_running_loop().time()
        bucket = shard_id % self.max_concurrency
        last = self._bucket_identifies.get(bucket)
        if last is not None and last[1] != shard_id and now - last[0] < IDENTIFY_WINDOW:
            self.recorder.violation(
                f"gateway: shards {last[1]} and {shard_id} IDENTIFYed {now - last[0]:.2f}s apart"
                f" in one bucket (max_concurrency {self.max_concurrency}); Discord wants 5 s"
            )
        self._bucket_identifies[bucket] = (now, shard_id)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if conn.authenticated:
            self.recorder.violation("gateway: IDENTIFY twice on one connection")
        if not self._check_token(data.get("token")):
            conn.closed_by_fake = True
            await conn.ws.close(code=4004)
            return
        missing = [k for k in ("properties", "intents") if k not in data]
        if missing:
            self.recorder.violation(f"gateway: IDENTIFY without {missing}")
        shard = data.get("shard")
        if (problem := shards.identify_problem(shard, self.shard_count)) is not None:
            await self._refuse(conn, *problem)
            return
        shard_id = shard[0] if shard else 0
        old = self.sessions.get(shard_id)
        if old is not None and old.connected and old.current is not conn:
            assert old.current is not None
            await self._refuse(
                conn,
                shards.INVALID_SHARD,
                f"IDENTIFY for shard {shard_id}, already connected on connection {old.current.id}",
            )
            return
        self._check_concurrency(shard_id)
        self.identifies += 1
        count = self.shard_count
        guild_ids = [g for g in self.world.guilds if shards.shard_of(g, count) == shard_id]
        session = Session(shard_id, count, uuid.uuid4().hex, guild_ids)
        self.sessions[shard_id] = session
        conn.session, conn.authenticated, session.current = session, True, conn
        session.connections.append(conn.id)
        ready = self.world.ready_payload(session.session_id, shard, guild_ids)
        await self._dispatch_to(session, "READY", ready)
        for guild in self.world.guild_create_payloads(guild_ids):
            await self._dispatch_to(session, "GUILD_CREATE", guild)
        session.ready = True
        self.recorder.notify()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        if not self._check_token(data.get("token")):
            conn.closed_by_fake = True
            await conn.ws.close(code=4004)
            return
        seq = data.get("seq")
        found = [s for s in self.sessions.values() if s.session_id == data.get("session_id")]
        session = found[0] if found else None
        if session is None or not isinstance(seq, int) or seq > session.seq:
            known = {s.shard_id: (s.session_id, s.seq) for s in self.sessions.values()}
            self.recorder.violation(f"gateway: bad RESUME {describe(data)} (sessions {known})")
            await self._send(conn, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        conn.session, conn.authenticated, session.current = session, True, conn
        session.connections.append(conn.id)
        for payload in session.history:
            if payload["s"] > seq:
                await self._send(conn, payload)
        session.resumes += 1
        self.resumes += 1
        await self._dispatch_to(session, "RESUMED", {"_trace": ["fake-gateway"]})

    async def _members_chunk(self, conn: Connection, data: dict[str, Any]) -> None:
        assert conn.session is not None
        guild_id = str(data.get("guild_id"))
        if shards.shard_of(guild_id, self.shard_count) != conn.session.shard_id:
            self.recorder.violation(
                f"gateway: REQUEST_GUILD_MEMBERS for guild {guild_id} on shard"
                f" {conn.session.shard_id}, which does not hold it"
            )
        chunk = {
            "guild_id": guild_id,
            "members": self.world.members_of(guild_id),
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        await self._dispatch_to(conn.session, "GUILD_MEMBERS_CHUNK", chunk)
