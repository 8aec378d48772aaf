"""Every prompt exactly as the library's author wrote it (rules 2 and 3 of
issue 10), table-driven with hostile variants:

- when the card cannot show the prompt character for character (backtick runs
  shown as look-alikes, or cut for length), the exact text is attached and one
  short line says so; "Full prompt" always gives the exact text;
- the file's other sections (Notes, Usage, ...) are fields on the card, cut
  with "…", and whole under "Full prompt".
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.limits import ELLIPSIS, EMBED_FIELD_NAME, EMBED_FIELD_VALUE, EMBED_FIELDS, measure
from bot.models import Prompt
from bot.render.card import Card, render_card
from bot.render.message import Reply, full_prompt_reply, reply_payload
from tests.bot.render.render_checks import (
    embed_total,
    fidelity_errors,
    full_reply_errors,
    limit_errors,
    section_errors,
)
from tests.support.fixtures import discord_spec  # noqa: F401  (fixture)

BASE = Prompt(
    id="3d/tree",
    path="3d/tree.md",
    title="Brand Christmas Tree",
    category="3d",
    prompt="A tree.",
    tags=("3d",),
    author="@someone",
    source_url="https://x.com/someone/status/1",
    description="A festive render.",
)
LONG = "\n".join(f"Line {i}: " + "soft light, film grain, " * 4 for i in range(80))


def _files(reply: Reply) -> dict[str, bytes]:
    return {f.filename: f.data or b"" for f in reply.files}  # replies carry data, no paths


def render(prompt: Prompt, spec) -> tuple[Card, dict, dict]:
    """(card, card payload, full-prompt payload), every check applied."""
    card = render_card(prompt)
    data = reply_payload(card)
    assert limit_errors(data) == []
    assert fidelity_errors(prompt, card, data) == []
    assert section_errors(prompt, data) == []
    assert spec.interaction_response_errors({"type": 4, "data": data}) == []
    reply = full_prompt_reply(prompt)
    full = reply_payload(reply)
    assert limit_errors(full) == []
    assert full_reply_errors(prompt, _files(reply), full) == []
    assert spec.interaction_response_errors({"type": 4, "data": full}) == []
    full["_files"] = sorted(_files(reply))
    return card, data, full


# --- rule 2: the exact prompt, always --------------------------------------------------

# (case, prompt text, why the card attaches it, the attached file's name)
PROMPTS = [
    ("plain", "A tree.", None, None),
    ("one and two backticks", "Use `code` and ``more``.", None, None),
    ("a fenced block inside", "Before\n```\n<svg/>\n```\nafter", "altered", "prompt.txt"),
    ("only backticks", "```", "altered", "prompt.txt"),
    ("a long run of backticks", "`" * 40, "altered", "prompt.txt"),
    ("four-backtick fence", "````md\n```\nx\n```\n````", "altered", "prompt.txt"),
    ("backticks in a JSON string", '{"code": "```js\\nx()\\n```"}', "altered", "prompt.json"),
    ("JSON-looking but invalid", '{"a": "{argument name="x"}"}', None, None),
    ("long", LONG, "clipped", "prompt.txt"),
    ("long with backticks", "```\n" + LONG, "clipped", "prompt.txt"),
    ("long JSON", json.dumps({f"k{i}": "v " * 30 for i in range(80)}), "clipped", "prompt.json"),
    ("@everyone in the prompt", "Shout @everyone <@123456789012345678>", None, None),
]


@pytest.mark.parametrize(
    ("text", "reason", "filename"),
    [case[1:] for case in PROMPTS],
    ids=[case[0] for case in PROMPTS],
)
def test_the_card_shows_the_prompt_exactly_or_attaches_it(
    text: str,
    reason: str | None,
    filename: str | None,
    discord_spec,  # noqa: F811
) -> None:
    prompt = replace(BASE, prompt=text)
    card, data, _full = render(prompt, discord_spec)
    assert card.attached == reason
    assert card.clipped == (reason == "clipped")
    names = [a["filename"] for a in data.get("attachments", [])]
    assert names == ([filename] if filename else [])
    description = data["embeds"][0]["description"]
    footer = data["embeds"][0]["footer"]["text"]
    if filename:
        # one short line under the block, and the footer, say where the prompt is
        note = description.rsplit("\n", 1)[1]
        assert f"`{filename}`" in note and measure(note) <= 100
        assert filename in footer
    else:
        assert "attached" not in description and footer == prompt.id


def test_a_prompt_that_just_fits_until_the_note_is_added(discord_spec) -> None:  # noqa: F811
    """Near the limit, the altered note itself can push the prompt out: then
    it is clipped, and still exact in the file."""
    reasons = set()
    for n in range(3900, 4100, 7):
        prompt = replace(BASE, prompt="```" + "a" * n, description="")
        card = render_card(prompt)
        data = reply_payload(card)
        assert fidelity_errors(prompt, card, data) == [] and limit_errors(data) == []
        reasons.add(card.attached)
    assert reasons == {"altered", "clipped"}


# --- rule 3: notes and usage -----------------------------------------------------------

HUGE = "Replace {city} with yours. " * 400  # ~10,800 characters
# (case, sections, the field values the card must show, files of the full reply)
SECTIONS = [
    ("none", (), [], []),
    ("short notes", (("Notes", "Replace {city}."),), ["Replace {city}."], []),
    (
        "notes and usage in order",
        (("Notes", "N."), ("Usage", "With GSAP.")),
        ["N.", "With GSAP."],
        [],
    ),
    ("10,000-character notes", (("Notes", HUGE),), [...], ["notes.md"]),
    ("blank section is skipped", (("Notes", "  \n "),), [], []),
    (
        "mentions in notes",
        (("Notes", "Ping @everyone and @here and <@123456789012345678>."),),
        [
            "Ping @\u200beveryone and @\u200bhere and <@\u200b123456789012345678>.",
        ],
        [],
    ),
    ("a fence in notes", (("Notes", "Use:\n```\nx\n```"),), ["Use:\n```\nx\n```"], []),
    ("markdown heading", (("**Tips** @here", "T."),), ["T."], []),
]


@pytest.mark.parametrize(
    ("sections", "values", "files"),
    [case[1:] for case in SECTIONS],
    ids=[case[0] for case in SECTIONS],
)
def test_sections_are_on_the_card_and_whole_in_full_prompt(
    sections,
    values,
    files,
    discord_spec,  # noqa: F811
) -> None:
    prompt = replace(BASE, extra_sections=sections)
    _, data, full = render(prompt, discord_spec)
    fields = data["embeds"][0]["fields"][2:]
    if values == [...]:  # cut with an ellipsis within the field limit
        (field,) = fields
        assert field["value"].endswith(ELLIPSIS) and measure(field["value"]) <= EMBED_FIELD_VALUE
        assert measure(field["value"]) > EMBED_FIELD_VALUE - 100  # the room is used
    else:
        assert [f["value"] for f in fields] == values
    assert all(not f["inline"] for f in fields)
    assert full["_files"] == files
    if files:
        assert "`notes.md`" in full["content"]


def test_long_prompt_and_long_notes_share_6000(discord_spec) -> None:  # noqa: F811
    prompt = replace(
        BASE,
        prompt="word " * 3000,
        title="T" * 300,
        tags=tuple(f"tag-{i}-" + "x" * 40 for i in range(30)),
        extra_sections=(("Notes", HUGE), ("Usage", HUGE), ("Rendering Tips", HUGE)),
    )
    card, data, full = render(prompt, discord_spec)
    assert card.attached == "clipped"
    assert embed_total(data["embeds"][0]) <= 6000
    assert full["_files"] == ["notes.md", "prompt.txt"]


def test_many_sections_stay_within_25_fields(discord_spec) -> None:  # noqa: F811
    sections = tuple((f"Section {i}", f"Text {i}.") for i in range(40))
    _, data, _ = render(replace(BASE, extra_sections=sections), discord_spec)
    assert len(data["embeds"][0]["fields"]) == EMBED_FIELDS


def test_a_long_heading_is_cut() -> None:
    card = render_card(replace(BASE, extra_sections=(("H" * 1000, "Text."),)))
    name = reply_payload(card)["embeds"][0]["fields"][-1]["name"]
    assert name.endswith(ELLIPSIS) and measure(name) <= EMBED_FIELD_NAME


def test_full_prompt_puts_short_notes_in_the_message() -> None:
    prompt = replace(BASE, extra_sections=(("Notes", "Replace {city} @everyone."),))
    content = reply_payload(full_prompt_reply(prompt))["content"]
    assert content == "```\nA tree.\n```\n\n**Notes**\nReplace {city} @\u200beveryone."


def test_notes_file_is_verbatim() -> None:
    prompt = replace(BASE, extra_sections=(("Notes", HUGE.strip() + " @everyone"), ("Usage", "U.")))
    files = _files(full_prompt_reply(prompt))
    assert files["notes.md"].decode() == f"## Notes\n\n{HUGE.strip()} @everyone\n\n## Usage\n\nU.\n"
