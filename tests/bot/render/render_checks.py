"""Checks shared by the render tests: limits of a payload, fidelity of a card."""

from __future__ import annotations

import re
from typing import Any

from bot import limits
from bot.limits import ELLIPSIS, measure, neutralise_fences
from bot.models import Prompt
from bot.render.card import Card

_BLOCK = re.compile(r"```([a-z]*)\n(.*?)\n```", re.DOTALL)
_WS = re.compile(r"\s+")


def embed_total(embed: dict[str, Any]) -> int:
    total = measure(embed.get("title") or "") + measure(embed.get("description") or "")
    total += sum(measure(f["name"]) + measure(f["value"]) for f in embed.get("fields", []))
    total += measure((embed.get("footer") or {}).get("text") or "")
    total += measure((embed.get("author") or {}).get("name") or "")
    return total


def limit_errors(data: dict[str, Any]) -> list[str]:
    """Our own reading of the limits (independent of the spec validator)."""
    errors = []
    for embed in data.get("embeds", []):
        if embed_total(embed) > limits.EMBED_TOTAL:
            errors.append(f"embed total {embed_total(embed)}")
        if measure(embed.get("title") or "") > limits.EMBED_TITLE:
            errors.append("title")
        if measure(embed.get("description") or "") > limits.EMBED_DESCRIPTION:
            errors.append("description")
        for f in embed.get("fields", []):
            if not f["name"].strip() or not f["value"].strip():
                errors.append("empty field")
            if measure(f["value"]) > limits.EMBED_FIELD_VALUE:
                errors.append("field value")
    if measure(data.get("content") or "") > limits.MESSAGE_CONTENT:
        errors.append("content")
    if data.get("allowed_mentions") != {"parse": []}:
        errors.append(f"allowed_mentions {data.get('allowed_mentions')}")
    return errors


def shown_prompt(description: str) -> tuple[str, str]:
    """(language, text) of the single code block of a card description."""
    blocks = _BLOCK.findall(description)
    assert len(blocks) == 1, f"expected one code block, found {len(blocks)}"
    assert description.count("```") == 2, "a fence leaked out of the prompt"
    return blocks[0]


def fidelity_errors(prompt: Prompt, card: Card, data: dict[str, Any]) -> list[str]:
    """The prompt reaches the user as written: on the card (whitespace and
    neutralised fences aside) or, when clipped, byte for byte in the attachment."""
    _, text = shown_prompt(data["embeds"][0]["description"])
    expected = _WS.sub("", neutralise_fences(prompt.prompt))
    shown = _WS.sub("", text)
    attached = [f for f in card.files if f.filename in ("prompt.txt", "prompt.json")]
    if card.clipped:
        if len(attached) != 1 or attached[0].data != prompt.prompt.encode("utf-8"):
            return ["clipped without the exact full prompt attached"]
        if not shown.endswith(ELLIPSIS) or not expected.startswith(shown[: -len(ELLIPSIS)]):
            return ["the clipped card is not a prefix of the prompt"]
        if "attached" not in data["embeds"][0]["description"]:
            return ["the card does not say the prompt is attached"]
        return []
    if attached:
        return ["unclipped card with a prompt attachment"]
    return [] if shown == expected else ["the card's prompt differs from the prompt"]
