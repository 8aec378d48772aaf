"""Rules from Discord's developer docs that the OpenAPI schema does not (fully) express.

Each function takes a message-shaped (or autocomplete) dict and returns readable error
strings (``[]`` = fine).  Some limits duplicate ``maxLength``s in the schema on purpose: the
schema is generated upstream and may change, the docs' limits are what Discord enforces.

Sources: https://discord.com/developers/docs/resources/message#embed-object-embed-limits,
.../interactions/message-components (buttons, action rows, selects),
.../interactions/receiving-and-responding#interaction-response-object-autocomplete.
Modal rules live in :mod:`tests.support.discord_modal_rules`.
"""

from __future__ import annotations

from typing import Any

EMBED_TOTAL = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
MAX_EMBEDS = 10
MAX_FIELDS = 25
FIELD_NAME, FIELD_VALUE = 256, 1024
FOOTER_TEXT, AUTHOR_NAME = 2048, 256
MAX_ACTION_ROWS = 5
MAX_ROW_BUTTONS = 5
CUSTOM_ID_MAX = 100
MAX_CHOICES, CHOICE_MAX = 25, 100
SELECT_TYPES = {3, 5, 6, 7, 8}
IS_COMPONENTS_V2 = 1 << 15
LINK, PREMIUM = 5, 6


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def embed_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6,000 total for one embed."""
    total = len(_text(embed.get("title"))) + len(_text(embed.get("description")))
    for field in embed.get("fields") or []:
        total += len(_text(field.get("name"))) + len(_text(field.get("value")))
    total += len(_text((embed.get("footer") or {}).get("text")))
    total += len(_text((embed.get("author") or {}).get("name")))
    return total


def embed_errors(embeds: list[dict[str, Any]]) -> list[str]:
    """Per-embed limits, non-empty field names/values, and the 6,000-character total."""
    errors: list[str] = []
    if len(embeds) > MAX_EMBEDS:
        errors.append(f"$.embeds: {len(embeds)} embeds, at most {MAX_EMBEDS}")
    for i, embed in enumerate(embeds):
        where = f"$.embeds[{i}]"
        for key, limit in EMBED_LIMITS.items():
            if len(_text(embed.get(key))) > limit:
                errors.append(f"{where}.{key}: {len(embed[key])} characters, at most {limit}")
        fields = embed.get("fields") or []
        if len(fields) > MAX_FIELDS:
            errors.append(f"{where}.fields: {len(fields)} fields, at most {MAX_FIELDS}")
        for j, field in enumerate(fields):
            for key, limit in (("name", FIELD_NAME), ("value", FIELD_VALUE)):
                text = _text(field.get(key))
                if not text.strip():
                    errors.append(f"{where}.fields[{j}].{key}: must not be empty or blank")
                elif len(text) > limit:
                    errors.append(
                        f"{where}.fields[{j}].{key}: {len(text)} characters, at most {limit}"
                    )
        footer = _text((embed.get("footer") or {}).get("text"))
        if len(footer) > FOOTER_TEXT:
            errors.append(f"{where}.footer.text: {len(footer)} characters, at most {FOOTER_TEXT}")
        author = _text((embed.get("author") or {}).get("name"))
        if len(author) > AUTHOR_NAME:
            errors.append(f"{where}.author.name: {len(author)} characters, at most {AUTHOR_NAME}")
    total = sum(embed_length(e) for e in embeds)
    if total > EMBED_TOTAL:
        errors.append(f"$.embeds: {total} characters in all embeds, at most {EMBED_TOTAL}")
    return errors


def _button_errors(button: dict[str, Any], where: str) -> list[str]:
    style = button.get("style")
    has_id, has_url = bool(button.get("custom_id")), bool(button.get("url"))
    if style == LINK:
        if not has_url or has_id:
            return [f"{where}: a link button (style 5) needs a url and no custom_id"]
    elif style == PREMIUM:
        if not button.get("sku_id") or has_id or has_url:
            return [f"{where}: a premium button (style 6) needs a sku_id, no custom_id/url"]
    elif not has_id or has_url:
        return [f"{where}: a button of style {style} needs a custom_id and no url"]
    return []


def _row_errors(row: dict[str, Any], where: str) -> list[str]:
    children = row.get("components") or []
    kinds = [c.get("type") for c in children if isinstance(c, dict)]
    if any(k in SELECT_TYPES or k == 4 for k in kinds) and len(kinds) != 1:
        return [f"{where}: a row with a select menu or text input holds exactly one component"]
    if kinds.count(2) > MAX_ROW_BUTTONS:
        return [f"{where}: {kinds.count(2)} buttons in a row, at most {MAX_ROW_BUTTONS}"]
    return []


def custom_id_errors(components: list[Any], scope: str = "message") -> list[str]:
    """Every ``custom_id`` in the tree (rows, sections, labels) is 1-100 characters, unique."""
    errors: list[str] = []
    seen: set[str] = set()

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        custom_id = node.get("custom_id")
        if isinstance(custom_id, str) and node.get("type") != 1:
            if not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
                errors.append(f"{where}.custom_id: {len(custom_id)} characters, 1 to 100")
            if custom_id in seen:
                errors.append(f"{where}.custom_id: {custom_id!r} is not unique in the {scope}")
            seen.add(custom_id)
        for key in ("components", "accessory", "component"):
            if key in node:
                walk(node[key], f"{where}.{key}")

    walk(components, "$.components")
    return errors


def component_errors(components: list[Any], flags: int = 0) -> list[str]:
    """Action-row count and shape, button shapes, custom_id length and uniqueness."""
    errors: list[str] = []
    if not flags & IS_COMPONENTS_V2:
        rows = [c for c in components if isinstance(c, dict) and c.get("type") == 1]
        if len(rows) != len(components):
            errors.append("$.components: without IS_COMPONENTS_V2 only action rows are allowed")
        if len(rows) > MAX_ACTION_ROWS:
            errors.append(f"$.components: {len(rows)} action rows, at most {MAX_ACTION_ROWS}")

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == 1:
            errors.extend(_row_errors(node, where))
        elif kind == 2:
            errors.extend(_button_errors(node, where))
        for key in ("components", "accessory"):
            if key in node:
                walk(node[key], f"{where}.{key}")

    walk(components, "$.components")
    return errors + custom_id_errors(components)


def message_errors(message: dict[str, Any], *, creating: bool) -> list[str]:
    """Rules for a message body (webhook execute/edit, callback type 4/7 ``data``).

    ``creating`` adds Discord's "Cannot send an empty message" rule (error 50006).
    """
    errors: list[str] = []
    embeds = message.get("embeds") or []
    components = message.get("components") or []
    if isinstance(embeds, list):
        errors += embed_errors([e for e in embeds if isinstance(e, dict)])
    if isinstance(components, list):
        errors += component_errors(components, message.get("flags") or 0)
    if creating and not (
        _text(message.get("content")).strip()
        or embeds
        or components
        or message.get("attachments")
        or message.get("poll")
        or message.get("sticker_ids")
    ):
        errors.append("$: cannot send an empty message (no content, embeds, components, files)")
    return errors


def autocomplete_errors(data: dict[str, Any]) -> list[str]:
    """At most 25 choices; names 1-100 characters; string values at most 100 characters."""
    choices = data.get("choices") or []
    errors = []
    if len(choices) > MAX_CHOICES:
        errors.append(f"$.data.choices: {len(choices)} choices, at most {MAX_CHOICES}")
    for i, choice in enumerate(choices):
        if not isinstance(choice, dict):
            continue
        name, value = _text(choice.get("name")), choice.get("value")
        if not 1 <= len(name) <= CHOICE_MAX:
            errors.append(f"$.data.choices[{i}].name: {len(name)} characters, 1 to 100")
        if isinstance(value, str) and len(value) > CHOICE_MAX:
            errors.append(f"$.data.choices[{i}].value: {len(value)} characters, at most 100")
    return errors


def _name_ok(name: str) -> bool:
    return (
        1 <= len(name) <= 32
        and name == name.lower()
        and all(ch.isalnum() or ch in "-_'" for ch in name)
    )


def _options_errors(options: list[Any], where: str) -> list[str]:
    errors: list[str] = []
    names = [o.get("name") for o in options if isinstance(o, dict)]
    if len(set(names)) != len(names):
        errors.append(f"{where}: option names must be unique")
    seen_optional = False
    for i, option in enumerate(o for o in options if isinstance(o, dict)):
        here = f"{where}[{i}]"
        if not _name_ok(_text(option.get("name"))):
            errors.append(
                f"{here}.name: {option.get('name')!r} must be 1-32 lowercase letters, "
                "digits, - _ or '"
            )
        if not 1 <= len(_text(option.get("description"))) <= 100:
            errors.append(f"{here}.description: 1 to 100 characters")
        if option.get("autocomplete") and option.get("choices"):
            errors.append(f"{here}: autocomplete and choices are mutually exclusive")
        if option.get("type") in (1, 2):
            errors += _options_errors(option.get("options") or [], f"{here}.options")
        elif option.get("required"):
            if seen_optional:
                errors.append(f"{here}: required options must come before optional ones")
        else:
            seen_optional = True
    return errors


def command_errors(commands: list[Any]) -> list[str]:
    """Slash-command naming rules (lowercase, 1-32 chars), option order and uniqueness."""
    errors: list[str] = []
    keys = [(c.get("type") or 1, c.get("name")) for c in commands if isinstance(c, dict)]
    if len(set(keys)) != len(keys):
        errors.append("$: command names must be unique per command type")
    for i, command in enumerate(c for c in commands if isinstance(c, dict)):
        if (command.get("type") or 1) != 1:
            continue
        where = f"$[{i}]"
        if not _name_ok(_text(command.get("name"))):
            errors.append(
                f"{where}.name: {command.get('name')!r} must be 1-32 lowercase letters, "
                "digits, - _ or '"
            )
        if not 1 <= len(_text(command.get("description"))) <= 100:
            errors.append(f"{where}.description: 1 to 100 characters for a slash command")
        errors += _options_errors(command.get("options") or [], f"{where}.options")
    return errors
