"""Modals: what the bot opened (callback type 9), and the MODAL_SUBMIT data a user sends back.

Discord numbers a modal's components (``id``, depth-first, like message components) and echoes
the structure in the submission: an action row holds its text input with the typed ``value``; a
label holds its input as ``component``; a text display comes back as ``{type, id}``.
Docs: .../interactions/receiving-and-responding#interaction-object-modal-submit-data-structure,
.../components/reference (text input, label, string select, text display "interaction response").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.fake_discord import objects

if TYPE_CHECKING:
    from tests.fake_discord.world import InteractionState

ACTION_ROW, STRING_SELECT, TEXT_INPUT, TEXT_DISPLAY, LABEL = 1, 3, 4, 10, 18
TEXT_INPUT_MAX = 4000


def numbered(data: dict[str, Any]) -> dict[str, Any]:
    """The modal as Discord keeps it: ``None``s dropped, every component given an ``id``."""
    return {**data, "components": objects.response_components(data.get("components") or [])}


def _inputs(components: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str]]:
    """(input component, its label) for every input in a modal."""
    for top in components:
        if top["type"] == ACTION_ROW:
            for child in top.get("components") or []:
                yield child, child.get("label") or ""
        elif top["type"] == LABEL:
            yield top["component"], top.get("label") or ""


@dataclass
class OpenedModal:
    """A modal the bot showed in answer to ``opener``; submit it with ``fake.submit_modal``."""

    opener: InteractionState
    data: dict[str, Any]

    @property
    def custom_id(self) -> str:
        return str(self.data["custom_id"])

    @property
    def title(self) -> str:
        return str(self.data["title"])

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.data["components"])

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        """custom_id -> the input component (text input or select)."""
        return {c["custom_id"]: c for c, _ in _inputs(self.components)}

    @property
    def labels(self) -> dict[str, str]:
        """custom_id -> the label the user sees next to the input."""
        return {c["custom_id"]: label for c, label in _inputs(self.components)}


def _text_value(component: dict[str, Any], value: Any) -> str:
    """What the user typed; refuses what Discord's client would not let them submit."""
    custom_id = component["custom_id"]
    text = (component.get("value") or "") if value is None else value
    if not isinstance(text, str):
        raise TypeError(f"text input {custom_id!r} takes a str, not {type(text).__name__}")
    required = component.get("required", True)
    low = component.get("min_length") or 0
    high = min(component.get("max_length") or TEXT_INPUT_MAX, TEXT_INPUT_MAX)
    if not text and required:
        raise ValueError(f"text input {custom_id!r} is required: the client will not submit")
    if text and not low <= len(text) <= high:
        raise ValueError(f"text input {custom_id!r} takes {low} to {high} characters")
    return text


def _select_values(component: dict[str, Any], value: Any) -> list[str]:
    custom_id = component["custom_id"]
    options = [o["value"] for o in component.get("options") or []]
    if value is None:
        chosen = [o["value"] for o in component.get("options") or [] if o.get("default")]
    else:
        chosen = [value] if isinstance(value, str) else list(value)
    unknown = [v for v in chosen if v not in options]
    if unknown:
        raise ValueError(f"select {custom_id!r} has no options {unknown}")
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if (chosen or component.get("required", True)) and not low <= len(chosen) <= high:
        raise ValueError(f"select {custom_id!r} takes {low} to {high} values")
    return chosen


def _submitted(component: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    kind, custom_id = component["type"], component["custom_id"]
    out = {"type": kind, "id": component["id"], "custom_id": custom_id}
    if kind == TEXT_INPUT:
        out["value"] = _text_value(component, values.get(custom_id))
    elif kind == STRING_SELECT:
        out["values"] = _select_values(component, values.get(custom_id))
    else:
        raise NotImplementedError(f"submitting a type {kind} component is not faked yet")
    return out


def submission(modal: OpenedModal, values: Mapping[str, Any]) -> dict[str, Any]:
    """MODAL_SUBMIT ``data`` for ``values`` (custom_id -> text, or option values for selects;
    inputs left out keep their pre-filled ``value``/default options)."""
    unknown = sorted(set(values) - set(modal.inputs))
    if unknown:
        raise ValueError(f"modal {modal.custom_id!r} has no inputs {unknown}")
    components: list[dict[str, Any]] = []
    for top in modal.components:
        if top["type"] == ACTION_ROW:
            children = [_submitted(c, values) for c in top.get("components") or []]
            components.append({"type": ACTION_ROW, "id": top["id"], "components": children})
        elif top["type"] == LABEL:
            inner = _submitted(top["component"], values)
            components.append({"type": LABEL, "id": top["id"], "component": inner})
        elif top["type"] == TEXT_DISPLAY:
            components.append({"type": TEXT_DISPLAY, "id": top["id"]})
    return {"custom_id": modal.custom_id, "components": components}
