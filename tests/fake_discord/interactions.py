"""Building interactions the way Discord sends them, and handles to await the bot's answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fake_discord.modals import OpenedModal
from tests.fake_discord.recorder import RecordedRequest

if TYPE_CHECKING:
    from tests.fake_discord.app import FakeDiscord
    from tests.fake_discord.world import InteractionState

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MODAL = 9  # the callback type that opens a modal
SIMPLE_OPTION_TYPES = {3, 4, 5, 10}  # string, integer, boolean, number: no ``resolved`` needed


def command_options(
    command: dict[str, Any], values: dict[str, Any], focused: str | None = None
) -> list[dict[str, Any]]:
    """Interaction ``data.options`` for ``values``, typed from the synced command's options."""
    definitions = {o["name"]: o for o in command.get("options") or []}
    unknown = set(values) - set(definitions)
    if unknown:
        raise ValueError(f"/{command['name']} has no options {sorted(unknown)}")
    missing = [
        n for n, o in definitions.items() if o.get("required") and n not in values and n != focused
    ]
    if missing and focused is None:
        raise ValueError(f"/{command['name']} needs options {missing}")
    out = []
    for name, value in values.items():
        kind = definitions[name]["type"]
        if kind not in SIMPLE_OPTION_TYPES:
            raise NotImplementedError(f"option type {kind} needs resolved data; not faked yet")
        option: dict[str, Any] = {"name": name, "type": kind, "value": value}
        if name == focused:
            option["focused"] = True
        out.append(option)
    return out


def find_component(node: Any, custom_id: str) -> dict[str, Any] | None:
    """The component with ``custom_id`` anywhere in a message's component tree."""
    if isinstance(node, list):
        for child in node:
            if (found := find_component(child, custom_id)) is not None:
                return found
    elif isinstance(node, dict):
        if node.get("custom_id") == custom_id and node.get("type") != 1:
            return node
        for key in ("components", "accessory"):
            if key in node and (found := find_component(node[key], custom_id)) is not None:
                return found
    return None


def interaction_metadata(state: InteractionState, *, followup: bool = False) -> dict[str, Any]:
    """``interaction_metadata`` of a message answering ``state`` (one of the spec's
    ``*InteractionMetadataResponse``s)."""
    metadata: dict[str, Any] = {
        "id": state.id,
        "type": state.type,
        "user": state.user,
        "authorizing_integration_owners": state.payload["authorizing_integration_owners"],
    }
    if followup and state.original_message_id is not None:
        metadata["original_response_message_id"] = state.original_message_id
    if state.type == MESSAGE_COMPONENT:
        metadata["interacted_message_id"] = (state.payload.get("message") or {}).get("id")
    if state.type == MODAL_SUBMIT and state.opener is not None:
        metadata["triggering_interaction_metadata"] = interaction_metadata(state.opener)
    return metadata


class InteractionHandle:
    """One interaction sent to the bot; await what the bot did with it."""

    def __init__(self, fake: FakeDiscord, state: InteractionState) -> None:
        self._fake = fake
        self.state = state
        self.id = state.id
        self.token = state.token
        self.payload = state.payload

    def requests(self) -> list[RecordedRequest]:
        """Every REST request made with this interaction's id or token (in order)."""
        return [
            r
            for r in self._fake.requests
            if f"/interactions/{self.id}/" in r.path or f"/{self.token}" in r.path
        ]

    def callbacks(self) -> list[RecordedRequest]:
        """Callback requests the fake actually handled (injected failures excluded)."""
        return [r for r in self.requests() if r.path.endswith("/callback") and not r.injected]

    async def response_request(self, timeout: float = 5.0) -> RecordedRequest:
        found = await self._fake.recorder.wait_for(
            lambda: self.callbacks(), timeout, f"the callback of interaction {self.id}"
        )
        return found[0]

    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """The initial response body, e.g. ``{"type": 4, "data": {...}}``."""
        request = await self.response_request(timeout)
        return request.json

    def followups(self) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests()
            if r.method == "POST" and r.path.endswith(f"/{self.token}") and not r.injected
        ]

    async def followup(self, index: int = 0, timeout: float = 5.0) -> RecordedRequest:
        """The ``index``-th follow-up request (JSON body in ``.json``, uploads in ``.files``)."""
        found = await self._fake.recorder.wait_for(
            lambda: self.followups()[index : index + 1],
            timeout,
            f"follow-up #{index} of interaction {self.id}",
        )
        return found[0]

    async def wait_for_request(
        self, method: str, path_suffix: str, timeout: float = 5.0
    ) -> RecordedRequest:
        """E.g. ``await handle.wait_for_request("PATCH", "/messages/@original")``."""
        found = await self._fake.recorder.wait_for(
            lambda: [
                r
                for r in self.requests()
                if r.method == method.upper() and r.path.endswith(path_suffix) and not r.injected
            ],
            timeout,
            f"{method} ...{path_suffix} for interaction {self.id}",
        )
        return found[0]

    async def modal(self, timeout: float = 5.0) -> OpenedModal:
        """The modal the bot opened in answer (callback type 9); fails on any other answer."""
        body = await self.response(timeout)
        if body.get("type") != MODAL or self.state.modal is None:
            raise AssertionError(f"interaction {self.id} was answered with {body}, not a modal")
        return OpenedModal(self.state, self.state.modal)

    @property
    def shard_id(self) -> int | None:
        """The shard INTERACTION_CREATE was routed to (``None``: no session could take it)."""
        return self.state.shard_id

    def deliveries(self) -> list[tuple[int | None, int]]:
        """(shard id, connection id) of every gateway frame that carried this interaction
        (more than one when it was replayed after a RESUME)."""
        return [
            (f.shard, f.connection)
            for f in self._fake.recorder.gateway_frames("out", t="INTERACTION_CREATE")
            if isinstance(f.d, dict) and f.d.get("id") == self.id
        ]

    @property
    def original_message(self) -> dict[str, Any] | None:
        """The current state of the message the initial response created or updated."""
        message_id = self.state.original_message_id
        return self._fake.world.messages.get(message_id) if message_id else None

    @property
    def followup_messages(self) -> list[dict[str, Any]]:
        return [
            self._fake.world.messages[m]
            for m in self.state.followup_ids
            if m in self._fake.world.messages
        ]
