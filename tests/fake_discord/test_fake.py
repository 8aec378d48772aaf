"""Drive the fake with a real, minimal discord.py bot: every step must validate cleanly."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


class MoreView(discord.ui.View):
    """A button that edits the message it sits on, and a link button."""

    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.add_item(discord.ui.Button(label="Docs", url="https://example.com/docs"))

    @discord.ui.select(
        custom_id="test:pick",
        options=[
            discord.SelectOption(label="City", value="city"),
            discord.SelectOption(label="Sea", value="sea"),
        ],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)

    @discord.ui.button(label="More", style=discord.ButtonStyle.primary, custom_id="test:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        button.disabled = True
        await interaction.response.edit_message(content="more results", view=self)


def make_bot(guild_id: int) -> commands.Bot:
    """One slash command with an autocompleted option, a button view and a file follow-up."""
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1
    )
    guild = discord.Object(guild_id)

    @app_commands.command(name="prompt", description="Search the prompt library")
    @app_commands.describe(query="What to look for")
    async def prompt(interaction: discord.Interaction, query: str) -> None:
        if query == "file":
            await interaction.response.defer(thinking=True)
            data = io.BytesIO(b"a rainy neon city at night\n")
            await interaction.followup.send("here it is", file=discord.File(data, "prompt.txt"))
            await interaction.edit_original_response(content="done")
            return
        embed = discord.Embed(title=f"Results for {query}", description="1 prompt")
        embed.add_field(name="Neon city", value="a rainy neon city at night")
        await interaction.response.send_message(embed=embed, view=MoreView())

    @prompt.autocomplete("query")
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice]:
        return [app_commands.Choice(name=f"{current} {i}", value=f"{current}-{i}") for i in (1, 2)]

    bot.tree.add_command(prompt, guild=guild)

    async def setup_hook() -> None:
        await bot.tree.sync(guild=guild)
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_minimal_bot_end_to_end(fake: FakeDiscord) -> None:
    async with fake.run_bot(make_bot(fake.guild_id)):
        # connect: IDENTIFY -> READY, GUILD_CREATE; sync: both bulk PUTs, validated
        assert fake.gateway.identifies == 1
        puts = fake.recorder.find_requests("PUT")
        assert [r.route for r in puts] == [
            "/applications/{application_id}/guilds/{guild_id}/commands",
            "/applications/{application_id}/commands",
        ]
        assert puts[0].json[0]["name"] == "prompt"
        assert puts[0].json[0]["options"][0]["autocomplete"] is True

        # the command: an embed + a view, recorded and validated
        handle = await fake.send_slash_command("prompt", {"query": "neon"})
        body = await handle.response()
        assert body["type"] == 4
        assert body["data"]["embeds"][0]["title"] == "Results for neon"
        children = [c for row in body["data"]["components"] for c in row["components"]]
        assert sorted(c.get("style", 0) for c in children if c["type"] == 2) == [1, 5]
        assert [c["custom_id"] for c in children if c["type"] == 3] == ["test:pick"]
        assert handle.original_message is not None

        # click the button: the bot edits the message it sits on (type 7)
        click = await fake.send_component("test:more")
        update = await click.response()
        assert update["type"] == 7
        assert update["data"]["content"] == "more results"
        assert click.original_message is not None
        assert click.original_message["content"] == "more results"

        # autocomplete
        auto = await fake.send_autocomplete("prompt", focused="query", value="ne")
        choices = (await auto.response())["data"]["choices"]
        assert [c["value"] for c in choices] == ["ne-1", "ne-2"]

        # deferred response + follow-up with a file (multipart: payload_json + files[0])
        deferred = await fake.send_slash_command("prompt", {"query": "file"})
        assert (await deferred.response())["type"] == 5
        followup = await deferred.followup()
        assert followup.content_type.startswith("multipart/form-data")
        assert followup.json["content"] == "here it is"
        assert [(f.field, f.filename, f.data) for f in followup.files] == [
            ("files[0]", "prompt.txt", b"a rainy neon city at night\n")
        ]
        assert deferred.followup_messages[0]["attachments"][0]["size"] == 27
        edit = await deferred.wait_for_request("PATCH", "/messages/@original")
        assert edit.json["content"] == "done"
        assert deferred.original_message is not None
        assert deferred.original_message["content"] == "done"
        assert deferred.original_message["flags"] & 128 == 0  # no longer "thinking"

        # a select menu on the first message
        chosen = await fake.send_component(
            "test:pick", message=handle.original_message, values=["sea"]
        )
        picked = await chosen.response()
        assert picked["data"]["content"] == "picked sea"
        assert picked["data"]["flags"] == 64

        # the gateway drops: the bot RESUMEs and keeps answering
        await fake.drop_gateway()
        assert fake.gateway.identifies == 1
        after_drop = await fake.send_slash_command("prompt", {"query": "again"})
        assert (await after_drop.response())["type"] == 4

        # a 429 on the callback: discord.py waits retry_after and retries
        fake.fail_next("POST " + CALLBACK, status=429, retry_after=0.3)
        limited = await fake.send_slash_command("prompt", {"query": "limited"})
        assert (await limited.response(timeout=10))["type"] == 4
        attempts = [r for r in limited.requests() if r.path.endswith("/callback")]
        assert [(r.status, r.injected) for r in attempts] == [(429, True), (200, False)]
        assert attempts[1].at - attempts[0].at >= 0.25

    assert fake.violations == []
    assert fake.gateway.queries[0]["v"] == "10"
    assert fake.recorder.gateway_frames("in", op=1) and fake.recorder.gateway_frames("out", op=11)
    assert [f.t for f in fake.recorder.gateway_frames("out", op=0)][:2] == ["READY", "GUILD_CREATE"]
    sent = fake.recorder.gateway_frames("out", op=0)
    assert [f.s for f in sent] == list(range(1, len(sent) + 1))


async def test_reconnect_opcode_resumes(fake: FakeDiscord) -> None:
    async with fake.run_bot(make_bot(fake.guild_id)):
        await fake.send_reconnect()
        handle = await fake.send_slash_command("prompt", {"query": "after reconnect"})
        assert (await handle.response())["type"] == 4
    assert fake.gateway.resumes == 1
    assert fake.violations == []


def file_bot(guild_id: int) -> commands.Bot:
    """Uploads a file in the initial response, reads it back, then deletes it."""
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1
    )
    guild = discord.Object(guild_id)

    @app_commands.command(name="export", description="Export prompts as a file")
    @app_commands.describe(count="How many")
    async def export(interaction: discord.Interaction, count: int) -> None:
        data = io.BytesIO(b"x" * count)
        await interaction.response.send_message("export", file=discord.File(data, "out.txt"))
        message = await interaction.original_response()
        assert message.attachments[0].size == count
        await message.delete()

    bot.tree.add_command(export, guild=guild)

    async def setup_hook() -> None:
        await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_file_in_initial_response(fake: FakeDiscord) -> None:
    async with fake.run_bot(file_bot(fake.guild_id)):
        handle = await fake.send_slash_command("export", {"count": 5})
        request = await handle.response_request()
        assert request.content_type.startswith("multipart/form-data")
        assert request.json["data"]["attachments"][0]["filename"] == "out.txt"
        assert [f.data for f in request.files] == [b"xxxxx"]
        await handle.wait_for_request("DELETE", "/messages/@original")
        assert handle.original_message is None
        methods = [r.method for r in handle.requests()]
        assert methods == ["POST", "GET", "DELETE"]
    assert fake.violations == []
