"""The prompt card and the small replies, on hand-made prompts and the seeds."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import discord
import pytest

from bot.limits import EMBED_TITLE, measure
from bot.models import Prompt
from bot.render.card import (
    card_payload,
    full_prompt_file,
    full_prompt_reply,
    list_description,
    list_line,
    no_match_reply,
    render_card,
    reply_payload,
    show_payload,
)
from bot.render.format import reindent_json
from bot.render.message import FULL_PROMPT_TEMPLATE, full_prompt_button
from tests.bot.render.render_checks import (
    fidelity_errors,
    limit_errors,
    section_errors,
    shown_prompt,
)
from tests.support.fixtures import discord_spec  # noqa: F401  (fixture)

BASE = Prompt(
    id="portraits/night-drive",
    path="portraits/night-drive.md",
    title="Cinematic Night Drive",
    category="portraits",
    prompt="A cinematic night-drive portrait.\nSoft streetlights.",
    tags=("portrait", "dark"),
    author="@miilesus",
    author_url="https://twitter.com/miilesus",
    source_url="https://twitter.com/miilesus/status/1994443159862976995",
    preview="https://cms-assets.youmind.com/media/x.jpg",
    description="Breeze in the hair.",
)
LONG_TEXT = "\n".join(f"Line {i}: " + "wide shot, soft light, film grain " * 3 for i in range(150))


def payload(prompt: Prompt, **kwargs) -> tuple[object, dict]:
    card = render_card(prompt, **kwargs)
    return card, card_payload(card)


def check(prompt: Prompt, spec=None, **kwargs) -> dict:
    card, data = payload(prompt, **kwargs)
    assert limit_errors(data) == []
    assert fidelity_errors(prompt, card, data) == []
    assert section_errors(prompt, data) == []
    if spec is not None:
        assert spec.interaction_response_errors({"type": 4, "data": data}) == []
    return data


def test_basic_card(discord_spec) -> None:  # noqa: F811
    data = check(BASE, discord_spec)
    embed = data["embeds"][0]
    assert embed["title"] == "Cinematic Night Drive"
    assert embed["url"] == BASE.source_url
    assert embed["author"] == {"name": "@miilesus", "url": "https://twitter.com/miilesus"}
    assert embed["image"] == {"url": BASE.preview}
    assert embed["description"].startswith("Breeze in the hair.\n\n```\nA cinematic")
    assert {f["name"]: f["value"] for f in embed["fields"]} == {
        "Category": "portraits",
        "Tags": "portrait, dark",
    }
    assert data["allowed_mentions"] == {"parse": []}
    assert "attachments" not in data and data["content"] is None
    (row,) = data["components"]
    source, full, more = row["components"]
    assert more["custom_id"] == "promptbot:more:portraits/night-drive"
    assert source["style"] == 5 and source["url"] == BASE.source_url and "custom_id" not in source
    assert full["custom_id"] == "promptbot:full:portraits/night-drive"


def test_payload_is_what_discord_py_sends() -> None:
    """card_payload equals what InteractionResponse.send_message would build."""
    from discord.webhook.async_ import interaction_message_response_params

    card = render_card(BASE)
    params = interaction_message_response_params(
        type=4, content=None, **card.send_kwargs(), previous_allowed_mentions=None
    )
    assert params.payload["data"] == card_payload(card)


def test_no_source_no_author_no_preview(discord_spec) -> None:  # noqa: F811
    prompt = replace(BASE, source_url="null", author=None, author_url=None, preview=None, tags=())
    data = check(prompt, discord_spec)
    embed = data["embeds"][0]
    assert "url" not in embed and "author" not in embed and "image" not in embed
    assert [f["name"] for f in embed["fields"]] == ["Category"]
    (row,) = data["components"]
    assert [b.get("label") for b in row["components"]] == ["Full prompt", "More like this"]


def test_placeholders_add_fill_in_and_saveable_cards_a_save_button() -> None:
    prompt = replace(BASE, prompt='A {argument name="pet" default="cat"} on {{surface}}')
    card = render_card(prompt, saveable=True)
    assert [b.label for b in card.buttons()] == [
        "Source",
        "Full prompt",
        "Save",
        "Fill in",
        "More like this",
    ]
    assert card.fill_prompt_id == prompt.id
    card.saved = True
    assert [b.label for b in card.buttons()][2] == "Saved"
    assert [b.custom_id for b in card.buttons()][2] == "promptbot:save:portraits/night-drive"


def test_author_without_valid_url() -> None:
    _, data = payload(replace(BASE, author_url="javascript:alert(1)"))
    assert data["embeds"][0]["author"] == {"name": "@miilesus"}


def test_invalid_preview_url_is_dropped(discord_spec) -> None:  # noqa: F811
    data = check(replace(BASE, preview="https://bad host/x.png"), discord_spec)
    assert "image" not in data["embeds"][0]


def test_local_preview_is_uploaded(tmp_path: Path, discord_spec) -> None:  # noqa: F811
    (tmp_path / "media" / "portraits").mkdir(parents=True)
    (tmp_path / "media" / "portraits" / "pg-1.webp").write_bytes(b"RIFFxxxxWEBP")
    prompt = replace(BASE, preview="/media/portraits/pg-1.webp")
    card, data = payload(prompt, media_dir=tmp_path)
    assert data["embeds"][0]["image"] == {"url": "attachment://pg-1.webp"}
    assert data["attachments"] == [{"id": 0, "filename": "pg-1.webp"}]
    assert discord_spec.interaction_response_errors({"type": 4, "data": data}) == []
    files = card.send_kwargs()["files"]
    assert [f.filename for f in files] == ["pg-1.webp"] and files[0].fp.read() == b"RIFFxxxxWEBP"
    # Without the file, the site URL; without either, no image.
    _, data = payload(prompt, media_url="https://awesomeprompts.xyz")
    assert (
        data["embeds"][0]["image"]["url"] == "https://awesomeprompts.xyz/media/portraits/pg-1.webp"
    )
    _, data = payload(prompt)
    assert "image" not in data["embeds"][0]


def test_seed_cards(seeds_dir: Path, discord_spec) -> None:  # noqa: F811
    from bot.library.scan import load_library

    prompts, _ = load_library(seeds_dir)
    assert prompts
    for prompt in prompts:
        check(prompt, discord_spec, media_dir=seeds_dir)
    uploads = [render_card(p, media_dir=seeds_dir).files for p in prompts]
    assert sum(1 for files in uploads if files) >= 2  # the seeds' webp previews


def test_json_prompt_is_pretty_printed(discord_spec) -> None:  # noqa: F811
    raw = '{"subject":{"pose":"sitting","tags":["a","b"]},"empty":{},"n":1.50e3,"s":"\\u00e9\\"q"}'
    data = check(replace(BASE, prompt=raw, prompt_format="json"), discord_spec)
    lang, text = shown_prompt(data["embeds"][0]["description"])
    assert lang == "json"
    assert text.startswith('{\n  "subject": {\n    "pose": "sitting",')
    assert '"empty": {}' in text and '"n": 1.50e3' in text and '"s": "\\u00e9\\"q"' in text
    assert json.loads(text) == json.loads(raw)


def test_reindent_changes_only_whitespace() -> None:
    raw = '[ {"a" : "x , y : {z}" , "b":[ ] }, 1 ,true,null ]'
    out = reindent_json(raw)
    assert out is not None and "".join(out.split()) == "".join(raw.split())
    assert reindent_json('{"a": 1') is None and reindent_json('"just a string"') is None


def test_invalid_json_marked_json_is_shown_as_written() -> None:
    raw = '{"style": "{argument name="x" default="y"}"}'
    _, data = payload(replace(BASE, prompt=raw, prompt_format="json"))
    lang, text = shown_prompt(data["embeds"][0]["description"])
    assert (lang, text) == ("json", raw)


@pytest.mark.parametrize(
    "text",
    [
        "before\n```\ninside\n```\nafter",
        "```json\n{}\n```",
        "inline ``` fence and ```` four",
        "ends with backticks``",
        "`",
    ],
)
def test_fences_inside_prompt_cannot_break_the_block(text: str, discord_spec) -> None:  # noqa: F811
    check(replace(BASE, prompt=text), discord_spec)


def test_long_prompt_is_clipped_and_attached(discord_spec, tmp_path: Path) -> None:  # noqa: F811
    prompt = replace(BASE, prompt=LONG_TEXT)
    card, data = payload(prompt)
    assert card.clipped
    assert limit_errors(data) == [] and fidelity_errors(prompt, card, data) == []
    assert discord_spec.interaction_response_errors({"type": 4, "data": data}) == []
    embed = data["embeds"][0]
    assert "attached as `prompt.txt`" in embed["description"]
    assert "prompt.txt" in embed["footer"]["text"]
    assert data["attachments"] == [{"id": 0, "filename": "prompt.txt"}]
    assert measure(embed["description"]) > 3500  # the room is used


def test_long_card_with_everything_stays_under_6000(discord_spec) -> None:  # noqa: F811
    prompt = replace(
        BASE,
        title="T" * 400,
        author="A" * 400,
        description="D " * 2000,
        tags=tuple(f"tag-{i}-" + "x" * 40 for i in range(40)),
        category="c" * 300,
        prompt="word " * 5000,
    )
    data = check(prompt, discord_spec)
    assert measure(data["embeds"][0]["title"]) <= EMBED_TITLE


def test_long_json_prompt_attached_as_json() -> None:
    raw = json.dumps({f"key{i}": "value " * 20 for i in range(100)})
    card, data = payload(replace(BASE, prompt=raw, prompt_format="json"))
    assert card.clipped and data["attachments"][-1]["filename"] == "prompt.json"
    assert full_prompt_file(replace(BASE, prompt=raw)) == ("prompt.json", raw.encode())
    assert full_prompt_file(BASE)[0] == "prompt.txt"


def test_markdown_and_mentions_in_title(discord_spec) -> None:  # noqa: F811
    prompt = replace(
        BASE,
        title="**Bold** __under__ @everyone <@123456789012345678> ~~x~~ a_b",
        author="@here *star*",
        description="Ping @everyone now",
    )
    data = check(prompt, discord_spec)
    embed = data["embeds"][0]
    title = embed["title"]
    assert "\\*\\*Bold\\*\\*" in title and "\\_\\_under\\_\\_" in title and "\\~\\~x\\~\\~" in title
    assert "@everyone" not in title and "<@123456789012345678>" not in title
    assert "@here" not in embed["author"]["name"]  # neutralised
    assert "*star*" in embed["author"]["name"]  # plain text there: not escaped
    assert "@everyone" not in embed["description"]


def test_long_escaped_title_still_fits() -> None:
    _, data = payload(replace(BASE, title="*_" * 300))
    assert measure(data["embeds"][0]["title"]) <= EMBED_TITLE


def test_long_source_url_skips_the_button_only() -> None:
    url = "https://example.com/" + "a" * 600
    _, data = payload(replace(BASE, source_url=url))
    assert data["embeds"][0]["url"] == url
    labels = [b["label"] for b in data["components"][0]["components"]]
    assert labels == ["Full prompt", "More like this"]


def test_full_prompt_button_round_trip() -> None:
    item = full_prompt_button("youmind-nano-banana-pro/x/123-some-title")
    assert item.custom_id is not None
    match = re.fullmatch(FULL_PROMPT_TEMPLATE, item.custom_id)
    assert match is not None and match["id"] == "youmind-nano-banana-pro/x/123-some-title"
    with pytest.raises(ValueError):
        full_prompt_button("x" * 90)


def test_show_payload_files_exist(tmp_path: Path) -> None:
    (tmp_path / "media" / "portraits").mkdir(parents=True)
    (tmp_path / "media" / "portraits" / "p.png").write_bytes(b"\x89PNG")
    prompt = replace(BASE, prompt=LONG_TEXT, preview="/media/portraits/p.png")
    out = show_payload(prompt, tmp_path, None, tmp_path / "cache")
    assert [f["filename"] for f in out["files"]] == ["p.png", "prompt.txt"]
    assert all(Path(f["path"]).is_file() for f in out["files"])
    assert Path(out["files"][1]["path"]).read_text(encoding="utf-8") == LONG_TEXT
    assert out["embeds"][0]["image"]["url"] == "attachment://p.png"


def test_full_prompt_reply(discord_spec) -> None:  # noqa: F811
    data = reply_payload(full_prompt_reply(BASE))
    assert data["content"] == f"```\n{BASE.prompt}\n```"
    assert data["flags"] == discord.MessageFlags(ephemeral=True).value
    assert data["allowed_mentions"] == {"parse": []}
    assert discord_spec.interaction_response_errors({"type": 4, "data": data}) == []
    for text in (LONG_TEXT, "has a ``` fence"):
        reply = full_prompt_reply(replace(BASE, prompt=text))
        data = reply_payload(reply)
        assert data["attachments"] == [{"id": 0, "filename": "prompt.txt"}]
        assert reply.files[0].data == text.encode()
        assert discord_spec.interaction_response_errors({"type": 4, "data": data}) == []


def test_list_line_and_description() -> None:
    assert list_line(BASE) == "Cinematic Night Drive — @miilesus"
    long = replace(BASE, title="word " * 50)
    assert measure(list_line(long)) <= 100 and list_line(long).endswith("…")
    assert list_description(BASE) == "portraits · portrait · dark"


def test_no_match_reply(discord_spec) -> None:  # noqa: F811
    data = reply_payload(no_match_reply("cat **in** hat @everyone", ["cats", BASE]))
    assert "@everyone" not in data["content"] and "\\*\\*in\\*\\*" in data["content"]
    assert "Cinematic Night Drive" in data["content"]
    assert data["flags"] == 64
    assert discord_spec.interaction_response_errors({"type": 4, "data": data}) == []
    data = reply_payload(no_match_reply("x" * 5000, ["y" * 500] * 50))
    assert measure(data["content"]) <= 2000
