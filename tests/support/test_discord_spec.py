"""The spec validator rejects what Discord rejects and accepts hand-written valid payloads."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.discord_spec import DiscordSpec

CALLBACK = "/api/v10/interactions/1234567890/tok-en/callback?with_response=1"
FOLLOWUP = "/api/v10/webhooks/1111/tok-en"
ORIGINAL = "/api/v10/webhooks/1111/tok-en/messages/@original"


def good_message() -> dict[str, Any]:
    return {
        "content": "Found 2 prompts",
        "embeds": [
            {
                "title": "Neon city",
                "description": "A rainy neon city at night",
                "color": 0x5865F2,
                "fields": [{"name": "Tags", "value": "city, neon", "inline": True}],
                "footer": {"text": "1 of 2"},
                "author": {"name": "promptbot"},
            }
        ],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "custom_id": "prompt:next", "label": "Next"},
                    {"type": 2, "style": 5, "url": "https://example.com/p/1", "label": "Open"},
                ],
            },
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": "prompt:pick",
                        "options": [{"label": "One", "value": "1"}, {"label": "Two", "value": "2"}],
                    }
                ],
            },
        ],
        "allowed_mentions": {"parse": []},
    }


def test_good_payloads_pass(discord_spec: DiscordSpec) -> None:
    assert discord_spec.interaction_response_errors({"type": 4, "data": good_message()}) == []
    assert discord_spec.interaction_response_errors({"type": 5, "data": {"flags": 64}}) == []
    assert discord_spec.interaction_response_errors({"type": 6}) == []
    assert discord_spec.interaction_response_errors({"type": 7, "data": {"content": ""}}) == []
    choices = [{"name": f"choice {i}", "value": f"v{i}"} for i in range(25)]
    auto = {"type": 8, "data": {"choices": choices}}
    assert discord_spec.interaction_response_errors(auto) == []
    followup = {"content": "file", "attachments": [{"id": 0, "filename": "prompt.txt"}]}
    assert discord_spec.request_errors("POST", FOLLOWUP, followup) == []
    assert discord_spec.request_errors("PATCH", ORIGINAL, {"content": "edited"}) == []
    assert discord_spec.request_errors("GET", ORIGINAL, None) == []
    assert discord_spec.request_errors("DELETE", ORIGINAL, None) == []


def test_bulk_command_put(discord_spec: DiscordSpec) -> None:
    command = {
        "name": "prompt",
        "description": "Search prompts",
        "type": 1,
        "options": [
            {
                "type": 3,
                "name": "query",
                "description": "q",
                "required": True,
                "autocomplete": True,
            },
            {"type": 3, "name": "category", "description": "c", "required": False},
        ],
        "contexts": [0, 1, 2],
        "integration_types": [0],
        "nsfw": False,
    }
    path = "/api/v10/applications/42/guilds/43/commands"
    assert discord_spec.request_errors("PUT", path, [command]) == []
    assert discord_spec.request_errors("PUT", "/api/v10/applications/42/commands", []) == []
    bad = copy.deepcopy(command)
    bad["name"] = "Prompt Search"
    assert any("lowercase" in e for e in discord_spec.request_errors("PUT", path, [bad]))
    bad = copy.deepcopy(command)
    bad["options"].reverse()
    errors = discord_spec.request_errors("PUT", path, [bad])
    assert any("required options must come before" in e for e in errors)
    bad = copy.deepcopy(command)
    bad["options"][0]["description"] = ""
    assert any(
        "options[0].description" in e for e in discord_spec.request_errors("PUT", path, [bad])
    )
    assert discord_spec.request_errors("PUT", path, [command, command]) != []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation setting ``value`` at a dotted ``path`` (digits index lists)."""

    def mutate(message: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = message
        for part in parents:
            node = node[part]
        node[last] = value

    return mutate


def _button(**kwargs: Any) -> dict[str, Any]:
    return {"type": 2, "label": "b", **kwargs}


BAD_MESSAGES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "embed total over 6000": (
        _set("embeds", [{"description": "d" * 4000}, {"description": "e" * 2001}]),
        "6001 characters in all embeds",
    ),
    "embed title 257": (_set("embeds.0.title", "t" * 257), "embeds[0].title"),
    "embed description 4097": (_set("embeds.0.description", "d" * 4097), "description"),
    "field value 1025": (_set("embeds.0.fields.0.value", "v" * 1025), "fields[0].value"),
    "26 fields": (_set("embeds.0.fields", [{"name": "n", "value": "v"}] * 26), "fields"),
    "empty field name": (_set("embeds.0.fields.0.name", ""), "fields[0].name: must not be"),
    "blank field value": (_set("embeds.0.fields.0.value", "  "), "fields[0].value: must not"),
    "link button with custom_id": (
        _set("components.0.components.1.custom_id", "x"),
        "link button",
    ),
    "link button without url": (
        _set("components.0.components.1", _button(style=5)),
        "link button",
    ),
    "primary button with url": (
        _set("components.0.components.0.url", "https://example.com"),
        "needs a custom_id and no url",
    ),
    "primary button without custom_id": (
        _set("components.0.components.0", _button(style=1)),
        "needs a custom_id and no url",
    ),
    "six action rows": (
        _set(
            "components",
            [{"type": 1, "components": [_button(style=1, custom_id=f"b{i}")]} for i in range(6)],
        ),
        "6 action rows",
    ),
    "six buttons in a row": (
        _set(
            "components.0.components",
            [_button(style=1, custom_id=f"b{i}") for i in range(6)],
        ),
        "6 buttons in a row",
    ),
    "select with a button": (
        lambda m: m["components"][1]["components"].append(_button(style=1, custom_id="x")),
        "exactly one component",
    ),
    "custom_id 101": (
        _set("components.0.components.0.custom_id", "c" * 101),
        "custom_id",
    ),
    "duplicate custom_id": (
        _set("components.1.components.0.custom_id", "prompt:next"),
        "not unique",
    ),
    "content 2001": (_set("content", "c" * 2001), "$.data.content"),
    "bad embed colour type": (_set("embeds.0.color", "blue"), "embeds[0].color"),
    "empty message": (
        lambda m: [m.pop(k) for k in ("content", "embeds", "components")],
        "empty message",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_MESSAGES))
def test_bad_messages_rejected(discord_spec: DiscordSpec, case: str) -> None:
    mutate, expected = BAD_MESSAGES[case]
    message = good_message()
    mutate(message)
    errors = discord_spec.interaction_response_errors({"type": 4, "data": message})
    assert any(expected in e for e in errors), errors
    # the same rules hold for follow-ups (paths there are relative to the body itself)
    followup_errors = discord_spec.request_errors("POST", FOLLOWUP, message)
    assert followup_errors, case


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ([{"name": f"c{i}", "value": "v"} for i in range(26)], "choices"),
        ([{"name": "n" * 101, "value": "v"}], "choices[0].name"),
        ([{"name": "", "value": "v"}], "choices[0].name"),
        ([{"name": "n", "value": "v" * 101}], "choices[0].value"),
    ],
)
def test_bad_autocomplete_rejected(
    discord_spec: DiscordSpec, choices: list[dict[str, Any]], expected: str
) -> None:
    errors = discord_spec.interaction_response_errors({"type": 8, "data": {"choices": choices}})
    assert any(expected in e for e in errors), errors


def test_callback_schema_errors(discord_spec: DiscordSpec) -> None:
    assert discord_spec.interaction_response_errors({"type": 42}) != []
    assert discord_spec.interaction_response_errors({"data": {"content": "x"}}) != []
    errors = discord_spec.interaction_response_errors({"type": 8})
    assert any("'data' is a required property" in e for e in errors), errors


def test_snowflakes_accept_ints_and_strings_only(discord_spec: DiscordSpec) -> None:
    def followup(attachment_id: Any) -> list[str]:
        body = {"content": "f", "attachments": [{"id": attachment_id, "filename": "a.txt"}]}
        return discord_spec.request_errors("POST", FOLLOWUP, body)

    assert followup(0) == []
    assert followup("123") == []
    assert followup("12x") != []
    assert followup(-1) != []
    assert followup(1.5) != []


def test_path_matching(discord_spec: DiscordSpec) -> None:
    assert discord_spec.match_path(ORIGINAL).endswith("/messages/@original")
    assert discord_spec.match_path("/api/v10/webhooks/1/t/messages/99").endswith("{message_id}")
    assert discord_spec.match_path("/api/v10/users/@me") == "/users/@me"
    assert discord_spec.match_path("/api/v10/users/77") == "/users/{user_id}"
    assert discord_spec.match_path("/api/v10/nope/1") is None
    assert "no such path" in discord_spec.request_errors("GET", "/api/v10/nope", None)[0]
    assert "not allowed" in discord_spec.request_errors("PUT", "/api/v10/users/@me", {})[0]
    assert "takes no request body" in discord_spec.request_errors("GET", ORIGINAL, {})[0]
    assert "required" in discord_spec.request_errors("POST", CALLBACK, None)[0]


def test_response_errors(discord_spec: DiscordSpec) -> None:
    limited = {"message": "You are being rate limited.", "retry_after": 0.3, "global": False}
    assert discord_spec.response_errors("POST", CALLBACK, 429, {**limited, "code": 0}) == []
    assert discord_spec.response_errors("POST", CALLBACK, 429, limited) != []
    assert discord_spec.response_errors("POST", CALLBACK, 204, None) == []
    assert discord_spec.response_errors("POST", CALLBACK, 204, {"x": 1}) != []
    errors = discord_spec.response_errors("GET", "/api/v10/users/@me", 200, {"id": "1"})
    assert any("'username' is a required property" in e for e in errors)
    assert discord_spec.response_errors("GET", "/api/v10/users/@me", 302, None) != []
