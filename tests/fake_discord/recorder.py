"""What the fake saw: every REST request, every gateway frame, every rule broken."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

T = TypeVar("T")


@dataclass
class RecordedFile:
    """One ``files[n]`` part of a multipart request."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request and the fake's answer to it."""

    method: str
    path: str  # concrete path, e.g. /api/v10/interactions/1/tok/callback
    route: str | None  # the spec's path template, e.g. /interactions/{interaction_id}/...
    query: dict[str, str]
    headers: dict[str, str]
    content_type: str
    json: Any  # the JSON body, or the parsed ``payload_json`` of a multipart body
    files: list[RecordedFile] = field(default_factory=list)
    status: int | None = None
    response: Any = None
    injected: bool = False  # answered by ``fail_next`` instead of the real handler
    at: float = field(default_factory=time.monotonic)


@dataclass
class GatewayFrame:
    """One gateway frame; ``direction`` "in" = from the bot to the fake."""

    direction: Literal["in", "out"]
    connection: int
    op: int | None
    t: str | None
    s: int | None
    d: Any
    at: float = field(default_factory=time.monotonic)
    shard: int | None = None  # the shard of the connection's session (None before IDENTIFY)


class Recorder:
    """Lists of everything observed, plus a way to wait until something shows up."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.frames: list[GatewayFrame] = []
        self.violations: list[str] = []
        self._changed = asyncio.Event()

    def notify(self) -> None:
        """Wake every waiter; each re-checks its predicate."""
        self._changed.set()
        self._changed = asyncio.Event()

    def violation(self, message: str) -> None:
        self.violations.append(message)
        self.notify()

    def add_request(self, request: RecordedRequest) -> None:
        self.requests.append(request)
        self.notify()

    def add_frame(self, frame: GatewayFrame) -> None:
        self.frames.append(frame)
        self.notify()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Wait until ``predicate()`` returns something truthy; raise ``TimeoutError`` naming
        ``what`` (and listing the violations so far, which usually explain why)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"timed out after {timeout}s waiting for {what}; "
                    f"violations so far: {self.violations}"
                )
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    def find_requests(
        self, method: str | None = None, route: str | None = None, path_contains: str | None = None
    ) -> list[RecordedRequest]:
        """Requests filtered by method, spec route template and/or a path substring."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (route is None or r.route == route)
            and (path_contains is None or path_contains in r.path)
        ]

    def gateway_frames(
        self,
        direction: str | None = None,
        op: int | None = None,
        t: str | None = None,
        shard: int | None = None,
    ) -> list[GatewayFrame]:
        return [
            f
            for f in self.frames
            if (direction is None or f.direction == direction)
            and (op is None or f.op == op)
            and (t is None or f.t == t)
            and (shard is None or f.shard == shard)
        ]


def describe(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
