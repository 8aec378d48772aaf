"""Validate Discord REST bodies against Discord's official OpenAPI 3.1 spec.

The whole spec is registered as one ``referencing`` resource (draft 2020-12), and a body is
validated by ``$ref`` to its operation's schema by JSON pointer, so the spec's own internal
``#/components/...`` references resolve unchanged.  Two deliberate deviations from the raw file:

* ``SnowflakeType`` also accepts non-negative integers, because discord.py sends some snowflakes
  (e.g. ``attachments[].id``) as integers and Discord accepts them.
* Rules the schema cannot express but the developer docs state (embed totals, button shapes,
  action-row shapes, empty messages, ...) live in :mod:`tests.support.discord_rules` and are
  applied by :meth:`DiscordSpec.request_errors` to every message-shaped body.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.support.discord_modal_rules import modal_errors
from tests.support.discord_rules import autocomplete_errors, command_errors, message_errors

SPEC_URI = "https://discord.test/openapi.json"
_WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
_MESSAGE_CREATE = {("post", _WEBHOOK), ("post", "/channels/{channel_id}/messages")}
_MESSAGE_EDIT = {
    ("patch", _WEBHOOK + "/messages/@original"),
    ("patch", _WEBHOOK + "/messages/{message_id}"),
    ("patch", "/channels/{channel_id}/messages/{message_id}"),
}
_API_PREFIX = re.compile(r"^(?:https?://[^/]+)?(?:/api)?(?:/v\d+)?(?=/)")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """JSON pointer (RFC 6901) for ``tokens``, e.g. ``pointer("paths", "/users/@me", "get")``."""
    return "".join("/" + _escape(str(token)) for token in tokens)


def format_path(path: Any) -> str:
    """``$.data.embeds[0].title`` style rendering of a jsonschema error path."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _describe(error: ValidationError) -> str:
    """The error message, without echoing a huge instance back."""
    size_checks = {"maxLength", "minLength", "maxItems", "minItems"}
    if error.validator in size_checks and isinstance(error.instance, str | list):
        return f"length {len(error.instance)} violates {error.validator} {error.validator_value}"
    message = error.message
    return message if len(message) <= 300 else message[:300] + "..."


def _is_discriminator_miss(error: ValidationError) -> bool:
    """True when a union branch failed on its tag: wrong ``type`` enum or wrong JSON type."""
    rel = list(error.relative_path)
    if not rel and error.validator == "type":
        return True
    return rel == ["type"] and error.validator in ("enum", "const")


def _leaves(error: ValidationError) -> list[ValidationError]:
    """Descend into ``anyOf``/``oneOf`` failures to the branch the instance was meant for.

    The spec tags its unions by a ``type`` enum, so branches whose tag does not match are
    dropped; of the rest, the branch whose errors reach deepest into the instance wins.
    """
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    viable = [errs for errs in branches.values() if not any(map(_is_discriminator_miss, errs))]
    if not viable:
        return [error]
    best = max(viable, key=lambda errs: max(len(e.absolute_path) for e in errs))
    return [leaf for sub in best for leaf in _leaves(sub)]


def _patch_snowflakes(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    original = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [original, {"type": "integer", "minimum": 0}]}
    return spec


class DiscordSpec:
    """Discord's OpenAPI spec, loaded once, able to validate request and response bodies."""

    def __init__(self, path: str | Path) -> None:
        with open(path, encoding="utf-8") as fh:
            self.raw: dict[str, Any] = json.load(fh)
        self.spec = _patch_snowflakes(self.raw)
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self.registry: Registry = Registry().with_resource(SPEC_URI, resource)
        self._templates = [
            (template, template.strip("/").split("/")) for template in self.spec["paths"]
        ]
        self._validator = cache(self._make_validator)

    # -- lookup -------------------------------------------------------------------------
    def match_path(self, path: str) -> str | None:
        """The spec's path template for a concrete (or template) path; literals beat params."""
        path = _API_PREFIX.sub("", path.split("?", 1)[0]).rstrip("/") or "/"
        if path in self.spec["paths"]:
            return path
        segments = path.strip("/").split("/")
        best: tuple[int, str] | None = None
        for template, parts in self._templates:
            if len(parts) != len(segments):
                continue
            literal = 0
            for part, seg in zip(parts, segments, strict=True):
                if part.startswith("{") and part.endswith("}"):
                    if not seg:
                        break
                elif part == seg:
                    literal += 1
                else:
                    break
            else:
                if best is None or literal > best[0]:
                    best = (literal, template)
        return best[1] if best else None

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a non-schema ``$ref`` (responses, request bodies) inside the spec."""
        while "$ref" in node:
            node = self.registry.resolver(SPEC_URI).lookup(node["$ref"]).contents
        return node

    def _make_validator(self, ptr: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": SPEC_URI + "#" + ptr}, registry=self.registry)

    def schema_errors(self, ptr: str, instance: Any) -> list[str]:
        """Validate ``instance`` against the schema at JSON pointer ``ptr`` inside the spec."""
        errors = sorted(
            self._validator(ptr).iter_errors(instance), key=lambda e: list(map(str, e.path))
        )
        leaves = [leaf for err in errors for leaf in _leaves(err)]
        return [f"{format_path(e.absolute_path)}: {_describe(e)}" for e in leaves]

    def component_errors(self, name: str, instance: Any) -> list[str]:
        """Validate against ``#/components/schemas/<name>`` (e.g. ``UserResponse``)."""
        return self.schema_errors(pointer("components", "schemas", name), instance)

    # -- public API -----------------------------------------------------------------------
    def request_errors(self, method: str, path: str, body: Any) -> list[str]:
        """Everything wrong with sending ``body`` (``None`` = no body) to ``method path``.

        ``path`` may be concrete (``/api/v10/interactions/1/tok/callback?with_response=1``) or
        a template.  Multipart requests should pass the parsed ``payload_json``.
        """
        method = method.lower()
        template = self.match_path(path)
        where = f"{method.upper()} {path}"
        if template is None:
            return [f"{where}: no such path in the spec"]
        operation = self.spec["paths"][template].get(method)
        if operation is None:
            return [f"{where}: method not allowed on {template}"]
        request_body = operation.get("requestBody")
        if request_body is None:
            return [] if body is None else [f"{where}: {template} takes no request body"]
        request_body = self._deref(request_body)
        if body is None:
            return [f"{where}: request body required"] if request_body.get("required") else []
        if "application/json" not in request_body["content"]:
            return [f"{where}: {template} takes no JSON body"]
        ptr = pointer("paths", template, method, "requestBody", "content", "application/json")
        errors = [f"{where}: {e}" for e in self.schema_errors(ptr + "/schema", body)]
        errors += [f"{where}: {e}" for e in self._rule_errors(method, template, body)]
        return errors

    def response_errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Everything wrong with answering ``method path`` with ``status`` and ``body``."""
        method = method.lower()
        template = self.match_path(path)
        where = f"{method.upper()} {path} -> {status}"
        if template is None or method not in self.spec["paths"][template]:
            return [f"{where}: no such operation in the spec"]
        responses = self.spec["paths"][template][method].get("responses", {})
        key = next(
            (k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None
        )
        if key is None:
            return [f"{where}: status not documented ({sorted(responses)})"]
        response = self._deref(responses[key])
        content = response.get("content")
        if not content:
            return [] if body is None else [f"{where}: no body allowed"]
        if body is None:
            return [f"{where}: body required"]
        if "$ref" in responses[key]:
            ptr = responses[key]["$ref"].lstrip("#") + "/content/application~1json/schema"
        else:
            ptr = pointer("paths", template, method, "responses", key)
            ptr += "/content/application~1json/schema"
        return [f"{where}: {e}" for e in self.schema_errors(ptr, body)]

    def interaction_response_errors(self, payload: Any) -> list[str]:
        """Errors for an interaction callback payload such as ``{"type": 4, "data": {...}}``."""
        return self.request_errors(
            "POST", "/interactions/{interaction_id}/{interaction_token}/callback", payload
        )

    def _rule_errors(self, method: str, template: str, body: Any) -> list[str]:
        if isinstance(body, list) and template.endswith("/commands"):
            return command_errors(body)
        if not isinstance(body, dict):
            return []
        if template.endswith("/callback"):
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            kind = body.get("type")
            if kind in (4, 7):
                errors = message_errors(data, creating=(kind == 4))
                return [e.replace("$", "$.data", 1) for e in errors]
            if kind == 8:
                return autocomplete_errors(data)
            if kind == 9:
                return modal_errors(data)
            return []
        if method == "post" and template.endswith("/commands"):
            return command_errors([body])
        if (method, template) in _MESSAGE_CREATE:
            return message_errors(body, creating=True)
        if (method, template) in _MESSAGE_EDIT:
            return message_errors(body, creating=False)
        return []
        if template.startswith(("/webhooks/{webhook_id}/{webhook_token}", "/channels/")) and (
            "/messages" in template or template.count("/") == 2
        ):
            return message_errors(body, creating=(method == "post"))
        return []
