"""REST plumbing: parse, record and validate every request; answer like Discord's edge.

Handlers (in :mod:`tests.fake_discord.routes`) return ``(status, body)`` through :func:`reply`;
the middleware records the exchange, validates the request body and the fake's own answer
against the spec, and applies failures injected with :meth:`Rest.fail_next`.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fake_discord.recorder import RecordedFile, RecordedRequest, Recorder, describe
from tests.support.discord_spec import DiscordSpec

API_PREFIX = "/api/v10"
RECORD_KEY = web.RequestKey("recorded", RecordedRequest)
#: Routes Discord serves without a bot token (the interaction token is the credential).
TOKENLESS = ("/interactions/", "/webhooks/")


@dataclass
class FailRule:
    """One injected failure, matched by method and path pattern."""

    method: str | None
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    remaining: int


def _compile(pattern: str) -> tuple[str | None, re.Pattern[str]]:
    """``"POST /interactions/{id}/{token}/callback"``: ``{x}`` is one segment, ``*`` anything."""
    method, sep, path = pattern.partition(" ")
    if not sep:
        method, path = "", pattern
    regex = re.escape(path.removeprefix(API_PREFIX))
    regex = re.sub(r"\\\{[^}]*\\\}", "[^/]+", regex).replace(r"\*", ".*")
    return (method.upper() or None), re.compile(f"^{regex}$")


def reply(request: web.Request, status: int, body: Any = None) -> web.Response:
    """A JSON answer (or an empty 204) with Discord's headers; remembered for validation."""
    recorded = request[RECORD_KEY]
    recorded.status, recorded.response = status, body
    headers = {
        "Via": "1.1 google",
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": f"fake-{abs(hash(recorded.route)) % 10**8:08d}",
    }
    if body is None:
        return web.Response(status=status, headers=headers)
    # exactly "application/json": discord.py compares the header verbatim (no charset)
    headers["Content-Type"] = "application/json"
    return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)


def error(request: web.Request, status: int, code: int, message: str) -> web.Response:
    return reply(request, status, {"message": message, "code": code})


class Rest:
    """The REST middleware: state shared by every request."""

    def __init__(self, spec: DiscordSpec, recorder: Recorder, token: str) -> None:
        self.spec = spec
        self.recorder = recorder
        self.token = token
        self.fail_rules: list[FailRule] = []

    def fail_next(
        self, route_pattern: str, status: int = 429, retry_after: float = 0.3, times: int = 1
    ) -> None:
        method, regex = _compile(route_pattern)
        self.fail_rules.append(FailRule(method, regex, status, retry_after, times))

    def _take_failure(self, method: str, path: str) -> FailRule | None:
        for rule in self.fail_rules:
            if rule.remaining > 0 and rule.method in (None, method) and rule.pattern.match(path):
                rule.remaining -= 1
                return rule
        return None

    async def _parse(self, request: web.Request) -> RecordedRequest:
        path = request.path
        ctype = request.headers.get("Content-Type", "")
        recorded = RecordedRequest(
            method=request.method,
            path=path,
            route=self.spec.match_path(path),
            query=dict(request.query),
            headers=dict(request.headers),
            content_type=ctype,
            json=None,
        )
        where = f"{request.method} {path}"
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                name = part.name or ""
                data = await part.read()  # type: ignore[union-attr]
                if name == "payload_json":
                    recorded.json = self._json(where, data)
                elif re.fullmatch(r"files\[\d+\]", name):
                    recorded.files.append(
                        RecordedFile(
                            name, part.filename or "", part.headers.get("Content-Type"), bytes(data)
                        )
                    )
                else:
                    self.recorder.violation(f"{where}: unexpected multipart field {name!r}")
            self._check_attachments(where, recorded)
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                if ctype != "application/json":
                    self.recorder.violation(f"{where}: body sent as {ctype!r}, not JSON")
                recorded.json = self._json(where, raw)
        return recorded

    def _json(self, where: str, raw: bytes) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            self.recorder.violation(f"{where}: body is not JSON: {describe(raw)}")
            return None

    def _check_attachments(self, where: str, recorded: RecordedRequest) -> None:
        """Each ``files[n]`` has an ``attachments`` entry with ``id: n`` and vice versa."""
        indexes = {int(f.field[6:-1]) for f in recorded.files}
        body = recorded.json if isinstance(recorded.json, dict) else {}
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        declared = data.get("attachments") or []
        new_ids = {
            int(a["id"])
            for a in declared
            if isinstance(a, dict) and str(a.get("id", "")).isdigit() and int(a["id"]) < 1000
        }
        for index in sorted(indexes - new_ids):
            self.recorder.violation(f"{where}: files[{index}] has no attachments entry")
        for index in sorted(new_ids - indexes):
            self.recorder.violation(f"{where}: attachments id {index} has no files[{index}]")

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        recorded = await self._parse(request)
        request[RECORD_KEY] = recorded
        where = f"{request.method} {request.path}"
        sub_path = request.path.removeprefix(API_PREFIX)
        for problem in self.spec.request_errors(request.method, sub_path, recorded.json):
            self.recorder.violation(f"request {problem}")
        rejected = False
        if not sub_path.startswith(TOKENLESS):
            auth = request.headers.get("Authorization")
            if auth is not None and auth.startswith("Bot ") and auth != f"Bot {self.token}":
                rejected = True  # a wrong token: Discord answers 401, as here
            elif auth != f"Bot {self.token}":
                self.recorder.violation(f"{where}: Authorization {describe(auth)}, want Bot token")
        rule = self._take_failure(request.method, sub_path)
        if rejected:
            response = error(request, 401, 0, "401: Unauthorized")
        elif rule is not None:
            recorded.injected = True
            response = self._injected(request, rule)
        else:
            try:
                response = await handler(request)
            except web.HTTPNotFound:
                self.recorder.violation(f"{where}: the fake has no such route")
                response = error(request, 404, 0, "404: Not Found")
        if recorded.route is not None and recorded.status is not None:
            body = recorded.response
            for problem in self.spec.response_errors(
                request.method, sub_path, recorded.status, body
            ):
                self.recorder.violation(f"fake's own response {problem}")
        self.recorder.add_request(recorded)
        return response

    def _injected(self, request: web.Request, rule: FailRule) -> web.Response:
        if rule.status != 429:
            return error(request, rule.status, 0, f"{rule.status}: injected by fake_discord")
        body = {
            "message": "You are being rate limited.",
            "retry_after": rule.retry_after,
            "global": False,
            "code": 0,
        }
        response = reply(request, 429, body)
        response.headers.update(
            {
                "Retry-After": str(math.ceil(rule.retry_after)),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
                "X-RateLimit-Scope": "user",
            }
        )
        return response
