"""DMs, group DMs and user installs with a real discord.py bot: payloads and answers validate."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord
from tests.fake_discord.interactions import InteractionHandle
from tests.support.discord_spec import DiscordSpec


class Note(discord.ui.Modal, title="Note"):
    text: discord.ui.TextInput[Note] = discord.ui.TextInput(label="Text", custom_id="text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted {self.text.value}", ephemeral=True)


class Buttons(discord.ui.View):
    @discord.ui.button(label="Again", custom_id="dm:again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"again in {where(interaction)}")

    @discord.ui.button(label="Note", custom_id="dm:note")
    async def note(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(Note())


def where(interaction: discord.Interaction) -> str:
    """What discord.py understood of the place: channel class, installs (discord.py counts a
    guild install only inside that guild), guild."""
    installs = [
        name
        for name, yes in (
            ("guild", interaction.is_guild_integration()),
            ("user", interaction.is_user_integration()),
        )
        if yes
    ]
    guild = "guild" if interaction.guild_id else "no guild"
    return f"{type(interaction.channel).__name__} {'+'.join(installs) or '-'} {guild}"


def dm_bot(guild_id: int) -> commands.Bot:
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1
    )

    @app_commands.command(name="whisper", description="Answer anywhere")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def whisper(interaction: discord.Interaction, text: str) -> None:
        if text == "buttons":
            await interaction.response.send_message(where(interaction), view=Buttons())
            return
        await interaction.response.send_message(where(interaction), ephemeral=True)
        followup = await interaction.followup.send(f"follow-up {text}", wait=True)
        await followup.edit(content=f"edited {text}")
        await interaction.edit_original_response(content=f"done {text}")

    @app_commands.command(name="server", description="Guilds only")
    @app_commands.guild_only()
    async def server(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("server")

    @app_commands.command(name="botonly", description="Guild install only")
    @app_commands.allowed_installs(guilds=True, users=False)
    async def botonly(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(where(interaction))

    for command in (whisper, server, botonly):
        bot.tree.add_command(command)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def answered(handle: InteractionHandle) -> str:
    return str((await handle.response())["data"]["content"])


async def test_dm_slash_command_answered(fake: FakeDiscord, discord_spec: DiscordSpec) -> None:
    async with fake.run_bot(dm_bot(fake.guild_id)):
        handle = await fake.send_slash_command("whisper", {"text": "hi"}, where=fake.dm())
        payload = handle.payload
        tester = fake.world.tester
        assert payload["context"] == 1 and payload["user"] == tester
        assert "guild_id" not in payload and "member" not in payload
        assert payload["authorizing_integration_owners"] == {"1": tester["id"]}
        assert discord_spec.component_errors("PrivateChannelResponse", payload["channel"]) == []

        body = await handle.response()
        assert body["data"]["content"] == "DMChannel user no guild"
        assert body["data"]["flags"] == 64
        followup = await handle.followup()
        assert followup.response["channel_id"] == payload["channel_id"]
        await handle.wait_for_request("PATCH", "/messages/@original")
        assert handle.original_message is not None
        assert handle.original_message["content"] == "done hi"
        assert handle.original_message["channel_id"] == payload["channel_id"]
        [sent] = handle.followup_messages
        assert sent["content"] == "edited hi"
        assert (
            sent["interaction_metadata"]["original_response_message_id"]
            == (handle.original_message["id"])
        )

        # the bot's DM through the guild install: {"0": "0"}
        bot_dm = fake.dm(guild_install=True, user_install=False)
        legacy = await fake.send_slash_command("botonly", where=bot_dm)
        assert legacy.payload["authorizing_integration_owners"] == {"0": "0"}
        assert await answered(legacy) == "DMChannel - no guild"
        # the same DM channel both times
        assert legacy.payload["channel_id"] == payload["channel_id"]
    assert fake.violations == []


async def test_group_dm_and_user_installs_in_guilds(
    fake: FakeDiscord, discord_spec: DiscordSpec
) -> None:
    async with fake.run_bot(dm_bot(fake.guild_id)):
        group = await fake.send_slash_command("whisper", {"text": "all"}, where=fake.group_dm())
        assert group.payload["context"] == 2
        channel = group.payload["channel"]
        assert discord_spec.component_errors("PrivateGroupChannelResponse", channel) == []
        assert await answered(group) == "GroupChannel user no guild"

        # a user-installed command in a guild the bot is not in
        elsewhere = fake.in_guild(fake.guild_id_on_shard(0), guild_install=False, user_install=True)
        away = await fake.send_slash_command("whisper", {"text": "away"}, where=elsewhere)
        tester_id = fake.world.tester["id"]
        assert away.payload["authorizing_integration_owners"] == {"1": tester_id}
        assert away.payload["context"] == 0 and "member" in away.payload
        assert await answered(away) == "TextChannel user guild"

        # in the bot's guild, by a user who also installed the app
        both = fake.in_guild(user_install=True)
        here = await fake.send_slash_command("whisper", {"text": "here"}, where=both)
        owners = {"0": str(fake.guild_id), "1": tester_id}
        assert here.payload["authorizing_integration_owners"] == owners
        assert await answered(here) == "TextChannel guild+user guild"
        for handle in (group, away, here):
            await handle.wait_for_request("PATCH", "/messages/@original")
    assert fake.violations == []


async def test_components_and_modals_in_a_dm(fake: FakeDiscord) -> None:
    async with fake.run_bot(dm_bot(fake.guild_id)):
        dm = fake.dm()
        handle = await fake.send_slash_command("whisper", {"text": "buttons"}, where=dm)
        assert await answered(handle) == "DMChannel user no guild"

        click = await fake.send_component("dm:again")  # where: the message's DM, found
        assert click.payload["context"] == 1 and click.payload["channel_id"] == dm.channel_id
        assert click.payload["authorizing_integration_owners"] == {"1": fake.world.tester["id"]}
        assert await answered(click) == "again in DMChannel user no guild"

        opened = await fake.send_component("dm:note")
        submit = await fake.submit_modal(opened, {"text": "by DM"})
        assert submit.payload["context"] == 1 and "user" in submit.payload
        assert await answered(submit) == "noted by DM"
        assert submit.original_message is not None
        metadata = submit.original_message["interaction_metadata"]
        assert metadata["triggering_interaction_metadata"]["type"] == 3

        stranger = {**fake.world.tester, "id": "424242424242424242", "username": "stranger"}
        with pytest.raises(ValueError, match="only tester"):
            await fake.send_component("dm:again", user=stranger)
    assert fake.violations == []


async def test_commands_are_offered_only_where_they_are_allowed(fake: FakeDiscord) -> None:
    async with fake.run_bot(dm_bot(fake.guild_id)):
        with pytest.raises(ValueError, match="contexts"):
            await fake.send_slash_command("server", where=fake.dm())
        with pytest.raises(ValueError, match="installed as"):
            await fake.send_slash_command("botonly", where=fake.group_dm())
        with pytest.raises(ValueError, match="installed as"):
            await fake.send_slash_command("botonly", where=fake.dm())
        with pytest.raises(LookupError, match="not in guild"):
            fake.in_guild(fake.guild_id_on_shard(0))
        server = await fake.send_slash_command("server")
        assert await answered(server) == "server"
    assert fake.violations == []


async def test_a_command_sent_before_the_sync_lands_waits_for_it(fake: FakeDiscord) -> None:
    """A bot may sync beside its connection: Discord offers the command once it
    is registered, so the fake waits for it; one never synced is an error."""
    import asyncio

    bot = dm_bot(fake.guild_id)

    async def sync_later() -> None:
        async def later() -> None:
            await asyncio.sleep(0.5)
            await bot.tree.sync()

        bot.loop.create_task(later())

    bot.setup_hook = sync_later  # type: ignore[method-assign]
    async with fake.run_bot(bot):
        assert fake.world.commands == {}  # READY came first
        handle = await fake.send_slash_command("server")
        assert await answered(handle) == "server"
        fake.SYNC_WAIT = 0.2
        with pytest.raises(LookupError, match="no synced command 'nowhere'"):
            await fake.send_slash_command("nowhere")
