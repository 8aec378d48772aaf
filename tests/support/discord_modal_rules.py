"""Rules for modals (interaction callback type 9) from Discord's developer docs.

The spec checks each component's own shape; these add what it leaves out or may relax: at most
5 top-level components, one text input per action row, a label on each text input in a row,
values within ``max_length``, ``min_length <= max_length``, unique custom_ids.
Docs: .../interactions/receiving-and-responding#interaction-response-object-modal,
.../components/reference#text-input, .../components/reference#label.
"""

from __future__ import annotations

from typing import Any

from tests.support.discord_rules import CUSTOM_ID_MAX, custom_id_errors

MODAL_TITLE, MODAL_COMPONENTS = 45, 5
TEXT_INPUT_LABEL, TEXT_INPUT_VALUE, PLACEHOLDER, LABEL_DESCRIPTION = 45, 4000, 100, 100
MODAL_ROW, TEXT_INPUT, TEXT_DISPLAY, LABEL = 1, 4, 10, 18
#: What a Label may hold: selects, text input, file upload, radio group, checkbox(es).
LABEL_CHILDREN = {3, 4, 5, 6, 7, 8, 19, 21, 22, 23}
LENGTHS = ("min_length", "max_length")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _text_input_errors(node: dict[str, Any], where: str, *, needs_label: bool) -> list[str]:
    errors: list[str] = []
    label = node.get("label")
    if needs_label and not isinstance(label, str):
        errors.append(f"{where}.label: a text input in an action row needs a label")
    if isinstance(label, str) and not 1 <= len(label) <= TEXT_INPUT_LABEL:
        errors.append(f"{where}.label: {len(label)} characters, 1 to {TEXT_INPUT_LABEL}")
    if node.get("style") not in (1, 2):
        errors.append(f"{where}.style: {node.get('style')!r}, want 1 (short) or 2 (paragraph)")
    low, high = (v if isinstance(v, int) else None for v in map(node.get, LENGTHS))
    if low is not None and not 0 <= low <= TEXT_INPUT_VALUE:
        errors.append(f"{where}.min_length: {low}, 0 to {TEXT_INPUT_VALUE}")
    if high is not None and not 1 <= high <= TEXT_INPUT_VALUE:
        errors.append(f"{where}.max_length: {high}, 1 to {TEXT_INPUT_VALUE}")
    if low is not None and high is not None and low > high:
        errors.append(f"{where}: min_length {low} > max_length {high}")
    value = node.get("value")
    if isinstance(value, str) and len(value) > min(high or TEXT_INPUT_VALUE, TEXT_INPUT_VALUE):
        errors.append(f"{where}.value: {len(value)} characters, more than max_length")
    placeholder = node.get("placeholder")
    if isinstance(placeholder, str) and len(placeholder) > PLACEHOLDER:
        errors.append(f"{where}.placeholder: {len(placeholder)} characters, at most {PLACEHOLDER}")
    return errors


def _modal_child_errors(node: Any, where: str) -> list[str]:
    """One top-level modal component: an action row holding one text input, a label holding
    one input, or a text display."""
    if not isinstance(node, dict):
        return [f"{where}: not a component"]
    kind = node.get("type")
    if kind == MODAL_ROW:
        children = [c for c in node.get("components") or [] if isinstance(c, dict)]
        if [c.get("type") for c in children] != [TEXT_INPUT]:
            return [f"{where}: an action row in a modal holds exactly one text input"]
        return _text_input_errors(children[0], f"{where}.components[0]", needs_label=True)
    if kind == LABEL:
        errors = []
        label, description = _text(node.get("label")), node.get("description")
        if not 1 <= len(label) <= TEXT_INPUT_LABEL:
            errors.append(f"{where}.label: {len(label)} characters, 1 to {TEXT_INPUT_LABEL}")
        if isinstance(description, str) and len(description) > LABEL_DESCRIPTION:
            errors.append(f"{where}.description: more than {LABEL_DESCRIPTION} characters")
        child = node.get("component")
        if isinstance(child, dict) and child.get("type") == TEXT_INPUT:
            errors += _text_input_errors(child, f"{where}.component", needs_label=False)
        elif not isinstance(child, dict) or child.get("type") not in LABEL_CHILDREN:
            errors.append(f"{where}.component: a label holds one input component")
        return errors
    if kind == TEXT_DISPLAY:
        return []
    return [f"{where}: type {kind!r} cannot be a top-level modal component"]


def modal_errors(data: dict[str, Any]) -> list[str]:
    """A modal (callback type 9 ``data``): custom_id 1-100, title 1-45, 1 to 5 components
    (action rows with one text input, labels, text displays), text inputs' labels 1-45,
    values at most 4,000 and within max_length, min_length <= max_length, unique custom_ids.

    Docs: .../interactions/receiving-and-responding#interaction-response-object-modal,
    .../components/reference#text-input, #label.
    """
    errors = []
    custom_id = _text(data.get("custom_id"))
    if not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        errors.append(f"$.data.custom_id: {len(custom_id)} characters, 1 to 100")
    title = _text(data.get("title"))
    if not 1 <= len(title) <= MODAL_TITLE:
        errors.append(f"$.data.title: {len(title)} characters, 1 to {MODAL_TITLE}")
    components = data.get("components") or []
    if not isinstance(components, list):
        return errors
    if not 1 <= len(components) <= MODAL_COMPONENTS:
        errors.append(
            f"$.data.components: {len(components)} components, 1 to {MODAL_COMPONENTS} in a modal"
        )
    for i, child in enumerate(components):
        errors += _modal_child_errors(child, f"$.data.components[{i}]")
    inner = custom_id_errors(components, "modal")
    return errors + [e.replace("$", "$.data", 1) for e in inner]
