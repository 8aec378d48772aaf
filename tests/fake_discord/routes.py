"""REST handlers: identity, command sync, interaction callbacks and webhook follow-ups."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fake_discord import objects
from tests.fake_discord.interactions import MODAL, MODAL_SUBMIT, interaction_metadata
from tests.fake_discord.modals import numbered
from tests.fake_discord.recorder import RecordedFile, Recorder
from tests.fake_discord.rest import API_PREFIX, RECORD_KEY, error, reply
from tests.fake_discord.world import InteractionState, World

if TYPE_CHECKING:
    from tests.fake_discord.gateway import Gateway

EPHEMERAL = 1 << 6
#: Interaction type -> callback types Discord accepts for it.
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


class Routes:
    """The fake's REST endpoints (all under ``/api/v10``)."""

    def __init__(
        self,
        world: World,
        recorder: Recorder,
        interaction_deadline: float | None,
        gateway: Gateway | None = None,
    ) -> None:
        self.world = world
        self.recorder = recorder
        self.deadline = interaction_deadline
        self.gateway_state = gateway  # for GET /gateway/bot

    def install(self, app: web.Application) -> None:
        r, p = app.router, API_PREFIX
        r.add_get(p + "/users/@me", self.me)
        r.add_get(p + "/oauth2/applications/@me", self.application)
        r.add_get(p + "/gateway", self.gateway)
        r.add_get(p + "/gateway/bot", self.gateway)
        for path in ("/applications/{app}/commands", "/applications/{app}/guilds/{guild}/commands"):
            r.add_put(p + path, self.put_commands)
            r.add_get(p + path, self.get_commands)
        r.add_post(p + "/interactions/{id}/{token}/callback", self.callback)
        r.add_post(p + "/webhooks/{app}/{token}", self.followup)
        for which in ("@original", "{message_id}"):
            path = p + "/webhooks/{app}/{token}/messages/" + which
            r.add_get(path, self.get_message)
            r.add_patch(path, self.edit_message)
            r.add_delete(path, self.delete_message)

    # -- identity -----------------------------------------------------------------------
    async def me(self, request: web.Request) -> web.Response:
        return reply(request, 200, objects.user_pii(self.world.bot_user))

    async def application(self, request: web.Request) -> web.Response:
        return reply(request, 200, self.world.application())

    async def gateway(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = {"url": self.world.gateway_url}
        if request.path.endswith("/bot"):
            shards, concurrency, used = 1, 1, 0
            if self.gateway_state is not None:
                g = self.gateway_state
                shards, concurrency, used = g.shard_count, g.max_concurrency, g.identifies
            limit = {
                "total": 1000,
                "remaining": 1000 - used,
                "reset_after": 86_400_000 if used else 0,
                "max_concurrency": concurrency,
            }
            body.update(shards=shards, session_start_limit=limit)
        return reply(request, 200, body)

    # -- commands -------------------------------------------------------------------------
    def _check_app(self, request: web.Request) -> web.Response | None:
        if request.match_info["app"] != self.world.application_id:
            self.recorder.violation(f"{request.method} {request.path}: wrong application id")
            return error(request, 404, 10002, "Unknown Application")
        return None

    async def put_commands(self, request: web.Request) -> web.Response:
        if (problem := self._check_app(request)) is not None:
            return problem
        body = request[RECORD_KEY].json
        if not isinstance(body, list):
            return error(request, 400, 50035, "Invalid Form Body")
        guild = request.match_info.get("guild")
        return reply(request, 200, self.world.store_commands(guild, body))

    async def get_commands(self, request: web.Request) -> web.Response:
        if (problem := self._check_app(request)) is not None:
            return problem
        guild = request.match_info.get("guild")
        return reply(request, 200, list(self.world.commands.get(guild, {}).values()))

    # -- interactions -----------------------------------------------------------------------
    async def callback(self, request: web.Request) -> web.Response:
        where = f"POST {request.path}"
        state = self.world.interactions.get(request.match_info["id"])
        if state is None or state.token != request.match_info["token"]:
            self.recorder.violation(f"{where}: unknown interaction id/token")
            return error(request, 404, 10062, "Unknown interaction")
        age = asyncio.get_running_loop().time() - state.created_at
        if self.deadline is not None and age > self.deadline:
            self.recorder.violation(f"{where}: initial response after {age:.2f}s (limit 3 s)")
            return error(request, 404, 10062, "Unknown interaction")
        if state.callback_type is not None:
            self.recorder.violation(f"{where}: interaction already acknowledged")
            return error(request, 400, 40060, "Interaction has already been acknowledged.")
        recorded = request[RECORD_KEY]
        body = recorded.json if isinstance(recorded.json, dict) else {}
        kind = body.get("type")
        if kind not in ALLOWED_CALLBACKS.get(state.type, set()):
            self.recorder.violation(
                f"{where}: callback type {kind} for interaction type {state.type}"
            )
            return error(request, 400, 50035, "Invalid Form Body")
        if state.type == MODAL_SUBMIT and kind in (6, 7) and "message" not in state.payload:
            self.recorder.violation(
                f"{where}: callback type {kind} updates a message, but this modal was opened by"
                " a slash command, not from a message component"
            )
            return error(request, 400, 50035, "Invalid Form Body")
        state.callback_type = kind
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        flags = data.get("flags") or 0
        info: dict[str, Any] = {
            "id": state.id,
            "type": state.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
            "channel_id": state.channel_id,
        }
        if state.guild_id is not None:
            info["guild_id"] = state.guild_id
        resource: dict[str, Any] | None = None
        if kind in (4, 5):
            message = self._new_message(state, data, recorded.files, loading=kind == 5)
            state.original_message_id = info["response_message_id"] = message["id"]
            if kind == 4:
                resource = {"type": 4, "message": message}
        elif kind in (6, 7):
            source = state.payload.get("message") or {}
            state.original_message_id = source.get("id")
            stored = self.world.messages.get(source.get("id", ""), source)
            if kind == 7 and stored:
                stored = self._edit(stored, data, recorded.files)
                resource = {"type": 7, "message": stored}
        elif kind == MODAL:
            state.modal = numbered(data)
        self.recorder.notify()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return reply(request, 204)
        answer: dict[str, Any] = {"interaction": info}
        if resource is not None:
            answer["resource"] = resource
        return reply(request, 200, answer)

    def _attachments(
        self, files: list[RecordedFile], body: dict[str, Any], channel_id: str
    ) -> list[Any]:
        declared = {
            str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)
        }
        out = []
        for f in files:
            index = f.field[6:-1]
            item = objects.attachment(
                declared.get(index, {}).get("filename") or f.filename,
                len(f.data),
                channel_id,
                content_type=f.content_type,
            )
            if declared.get(index, {}).get("description"):
                item["description"] = declared[index]["description"]
            out.append(item)
        return out

    def _new_message(
        self,
        state: InteractionState,
        body: dict[str, Any],
        files: list[RecordedFile],
        *,
        loading: bool = False,
        followup: bool = False,
    ) -> dict[str, Any]:
        w = self.world
        message = objects.message(
            body,
            message_id=w.new_message_id(),
            channel_id=state.channel_id,
            author=w.bot_user,
            application_id=w.application_id,
            attachments=self._attachments(files, body, state.channel_id),
            message_type=20 if state.type == 2 else 19,
            loading=loading,
            interaction_metadata=interaction_metadata(state, followup=followup),
        )
        w.messages[message["id"]] = message
        w.message_origins[message["id"]] = state
        return message

    def _edit(
        self, current: dict[str, Any], body: dict[str, Any], files: list[RecordedFile]
    ) -> dict[str, Any]:
        keep_ids = {str(a.get("id")) for a in body.get("attachments") or [] if isinstance(a, dict)}
        attachments = None
        if "attachments" in body or files:
            kept = [a for a in current["attachments"] if a["id"] in keep_ids]
            attachments = kept + self._attachments(files, body, current["channel_id"])
        edited = objects.edit_message(current, body, attachments)
        self.world.messages[edited["id"]] = edited
        return edited

    # -- webhooks (follow-ups) ----------------------------------------------------------------
    def _webhook_state(self, request: web.Request) -> InteractionState | web.Response:
        if request.match_info["app"] != self.world.application_id:
            self.recorder.violation(
                f"{request.method} {request.path}: webhook id is not the application id"
            )
            return error(request, 404, 10015, "Unknown Webhook")
        state = self.world.interaction_by_token(request.match_info["token"])
        if state is None:
            self.recorder.violation(f"{request.method} {request.path}: unknown token")
            return error(request, 404, 10015, "Unknown Webhook")
        if state.callback_type is None:
            self.recorder.violation(
                f"{request.method} {request.path}: used before the initial interaction response"
            )
            return error(request, 404, 10015, "Unknown Webhook")
        return state

    async def followup(self, request: web.Request) -> web.Response:
        state = self._webhook_state(request)
        if isinstance(state, web.Response):
            return state
        recorded = request[RECORD_KEY]
        body = recorded.json if isinstance(recorded.json, dict) else {}
        message = self._new_message(state, body, recorded.files, followup=True)
        state.followup_ids.append(message["id"])
        self.recorder.notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return reply(request, 200, message)
        return reply(request, 204)

    def _target(self, request: web.Request) -> tuple[InteractionState, str] | web.Response:
        state = self._webhook_state(request)
        if isinstance(state, web.Response):
            return state
        wanted = request.match_info.get("message_id") or state.original_message_id
        owned = {state.original_message_id, *state.followup_ids}
        if wanted is None or wanted not in owned or wanted not in self.world.messages:
            self.recorder.violation(f"{request.method} {request.path}: no such message")
            return error(request, 404, 10008, "Unknown Message")
        return state, wanted

    async def get_message(self, request: web.Request) -> web.Response:
        target = self._target(request)
        if isinstance(target, web.Response):
            return target
        return reply(request, 200, self.world.messages[target[1]])

    async def edit_message(self, request: web.Request) -> web.Response:
        target = self._target(request)
        if isinstance(target, web.Response):
            return target
        recorded = request[RECORD_KEY]
        body = recorded.json if isinstance(recorded.json, dict) else {}
        edited = self._edit(self.world.messages[target[1]], body, recorded.files)
        self.recorder.notify()
        return reply(request, 200, edited)

    async def delete_message(self, request: web.Request) -> web.Response:
        target = self._target(request)
        if isinstance(target, web.Response):
            return target
        del self.world.messages[target[1]]
        self.recorder.notify()
        return reply(request, 204)
