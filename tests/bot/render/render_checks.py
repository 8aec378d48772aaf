"""Checks shared by the render tests: limits of a payload, fidelity of a card."""

from __future__ import annotations

import json
import re
from typing import Any

from bot import limits
from bot.limits import ELLIPSIS, measure, neutralise_fences
from bot.models import Prompt
from bot.render.card import Card

_BLOCK = re.compile(r"```([a-z]*)\n(.*?)\n```", re.DOTALL)
_WS = re.compile(r"\s+")
_UNESCAPE = re.compile(r"\\(.)")
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>")


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


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict | list)
    except ValueError:
        return False


def fidelity_errors(prompt: Prompt, card: Card, data: dict[str, Any]) -> list[str]:
    """The prompt reaches the user as written: on the card (whitespace and the
    fence aside), or else byte for byte in an attached file the card mentions."""
    description = data["embeds"][0]["description"]
    _, text = shown_prompt(description)
    shown = _WS.sub("", text)
    exact = _WS.sub("", prompt.prompt)
    attached = [f for f in card.files if f.filename in ("prompt.txt", "prompt.json")]
    if shown == exact:
        return ["a card showing the exact prompt attaches it too"] if attached else []
    if len(attached) != 1 or attached[0].data != prompt.prompt.encode("utf-8"):
        return ["the card differs from the prompt, and the exact prompt is not attached"]
    want = "prompt.json" if _is_json(prompt.prompt) else "prompt.txt"
    if attached[0].filename != want:
        return [f"attached as {attached[0].filename}, not {want}"]
    if f"attached as `{want}`" not in description:
        return ["the card does not say the prompt is attached"]
    expected = _WS.sub("", neutralise_fences(prompt.prompt))  # the only alteration allowed
    if card.clipped:
        if not shown.endswith(ELLIPSIS) or not expected.startswith(shown[: -len(ELLIPSIS)]):
            return ["the clipped card is not a prefix of the prompt"]
    elif shown != expected:
        return ["the card's prompt differs from the prompt by more than look-alike backticks"]
    return []


def _whole_or_cut(shown: str, text: str) -> bool:
    cut = shown.endswith(ELLIPSIS) and text.startswith(shown[: -len(ELLIPSIS)].rstrip())
    return shown == text or cut


def section_errors(prompt: Prompt, data: dict[str, Any]) -> list[str]:
    """Every section with text is a field after Category/Tags, in order, whole
    or cut with "…", mentions neutralised (unless the embed ran out of room)."""
    fields = data["embeds"][0].get("fields", [])
    fields = fields[1 + any(t.strip() for t in prompt.tags) :]  # after Category and Tags
    sections = [(h.strip(), t.strip()) for h, t in prompt.extra_sections if t.strip()]
    if len(fields) > len(sections):
        return ["more section fields than sections"]
    full = len(data["embeds"][0]["fields"]) == limits.EMBED_FIELDS
    if len(fields) < len(sections) and not full and embed_total(data["embeds"][0]) < 5800:
        return [f"{len(sections) - len(fields)} sections dropped although there was room"]
    errors = []
    for f, (heading, body) in zip(fields, sections, strict=False):
        if f["inline"] or not _whole_or_cut(
            _UNESCAPE.sub(r"\1", f["name"]).replace("\u200b", ""), heading
        ):
            errors.append(f"field {f['name']!r} is not the section {heading!r}")
        value = f["value"]
        if _MENTION.search(value):
            errors.append(f"a mention in section {heading!r}")
        if not _whole_or_cut(value.replace("\u200b", ""), body):
            errors.append(f"section {heading!r} is neither whole nor cut with an ellipsis")
    return errors


def full_reply_errors(prompt: Prompt, files: dict[str, bytes], data: dict[str, Any]) -> list[str]:
    """ "Full prompt" gives the prompt character for character (in a code block
    or as a file) and every section whole (in the message or as ``notes.md``)."""
    content = data.get("content") or ""
    errors = []
    prompt_files = {n: d for n, d in files.items() if n in ("prompt.txt", "prompt.json")}
    if prompt_files:
        want = "prompt.json" if _is_json(prompt.prompt) else "prompt.txt"
        if prompt_files != {want: prompt.prompt.encode("utf-8")}:
            errors.append(f"the prompt file is not exactly {want}")
        if f"`{want}`" not in content:
            errors.append("the reply does not name the prompt file")
    else:
        blocks = _BLOCK.findall(content)
        if not blocks or blocks[0][1] != prompt.prompt.strip("\n") or "```" in prompt.prompt:
            errors.append("the reply's code block is not the exact prompt")
    sections = [(h.strip(), t.strip()) for h, t in prompt.extra_sections if t.strip()]
    notes = files.get("notes.md", b"").decode("utf-8")
    for heading, body in sections:
        if f"## {heading}\n\n{body}\n" not in notes and body not in content.replace("\u200b", ""):
            errors.append(f"section {heading!r} is not whole in the reply")
    if _MENTION.search(_BLOCK.sub("", content)):
        errors.append("a mention outside the code block")
    if notes and "`notes.md`" not in content:
        errors.append("the reply does not name notes.md")
    return errors
