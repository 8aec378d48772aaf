"""Modals with a real discord.py bot: open one, read it, submit it, and catch bad ones."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord
from tests.support.discord_spec import DiscordSpec


class Feedback(discord.ui.Modal, title="Feedback"):
    """Classic inputs: discord.py wraps each in an action row (type 1 -> type 4)."""

    topic: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Topic", custom_id="topic", min_length=2, max_length=50
    )
    body: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Details",
        custom_id="body",
        style=discord.TextStyle.paragraph,
        required=False,
        default="no details",
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = f"{self.topic.value}|{self.body.value}"
        if interaction.message is not None:  # opened from a button: update that message
            await interaction.response.edit_message(content=text, view=None)
        else:
            await interaction.response.send_message(text, ephemeral=True)


class Rename(discord.ui.Modal, title="Rename a prompt"):
    """Newer components: labels (type 18) around a text input and a select, a text display."""

    note = discord.ui.TextDisplay("Names are shown to everyone.")
    name: discord.ui.Label[Rename] = discord.ui.Label(
        text="New name",
        description="1 to 40 characters",
        component=discord.ui.TextInput(custom_id="name", max_length=40),
    )
    kind: discord.ui.Label[Rename] = discord.ui.Label(
        text="Category",
        component=discord.ui.Select(
            custom_id="kind",
            options=[
                discord.SelectOption(label="City", value="city"),
                discord.SelectOption(label="Sea", value="sea"),
            ],
        ),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.name.component, discord.ui.TextInput)
        assert isinstance(self.kind.component, discord.ui.Select)
        text = f"{self.name.component.value} in {self.kind.component.values}"
        await interaction.response.send_message(text)


class OpenButton(discord.ui.View):
    @discord.ui.button(label="Give feedback", custom_id="modal:open")
    async def open(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(Feedback())


def modal_bot(guild_id: int) -> commands.Bot:
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1
    )
    guild = discord.Object(guild_id)

    @app_commands.command(name="feedback", description="Send feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @app_commands.command(name="rename", description="Rename a prompt")
    async def rename(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Rename())

    @app_commands.command(name="panel", description="A button that opens a modal")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("panel", view=OpenButton())

    for command in (feedback, rename, panel):
        bot.tree.add_command(command, guild=guild)

    async def setup_hook() -> None:
        await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_modal_from_a_slash_command(fake: FakeDiscord) -> None:
    async with fake.run_bot(modal_bot(fake.guild_id)):
        handle = await fake.send_slash_command("feedback")
        modal = await handle.modal()
        assert modal.title == "Feedback"
        assert [c["type"] for c in modal.components] == [1, 1]
        assert modal.labels == {"topic": "Topic", "body": "Details"}
        assert modal.inputs["body"]["value"] == "no details"

        # what Discord's client refuses never reaches the bot
        for bad in ({"topic": ""}, {"topic": "x"}, {"topic": "y" * 51}, {"nope": "z"}):
            with pytest.raises(ValueError):
                await fake.submit_modal(modal, bad)

        submit = await fake.submit_modal(modal, {"topic": "neon"})
        data = submit.payload["data"]
        assert submit.payload["type"] == 5 and "message" not in submit.payload
        assert data["custom_id"] == modal.custom_id
        row_ids = [c["id"] for c in modal.components]
        assert [(c["type"], c["id"]) for c in data["components"]] == [(1, i) for i in row_ids]
        assert data["components"][0]["components"][0] == {
            "type": 4,
            "id": modal.inputs["topic"]["id"],
            "custom_id": "topic",
            "value": "neon",
        }
        answer = await submit.response()
        assert answer["type"] == 4
        assert answer["data"]["content"] == "neon|no details"
        message = submit.original_message
        assert message is not None
        metadata = message["interaction_metadata"]
        assert metadata["type"] == 5 and metadata["id"] == submit.id
        assert metadata["triggering_interaction_metadata"]["id"] == handle.id

        # the bot answered: the modal is closed, nobody can submit it again
        with pytest.raises(ValueError, match="modal closed"):
            await fake.submit_modal(handle, {"topic": "rain", "body": "at night"})
    assert fake.violations == []


async def test_modal_with_labels_select_and_text_display(fake: FakeDiscord) -> None:
    async with fake.run_bot(modal_bot(fake.guild_id)):
        handle = await fake.send_slash_command("rename")
        modal = await handle.modal()
        assert [c["type"] for c in modal.components] == [10, 18, 18]
        assert modal.labels == {"name": "New name", "kind": "Category"}
        submit = await fake.submit_modal(modal, {"name": "Neon rain", "kind": ["sea"]})
        text_display, name, kind = submit.payload["data"]["components"]
        assert text_display == {"type": 10, "id": modal.components[0]["id"]}
        assert name["type"] == 18 and name["component"]["value"] == "Neon rain"
        assert kind["component"] == {
            "type": 3,
            "id": modal.inputs["kind"]["id"],
            "custom_id": "kind",
            "values": ["sea"],
        }
        assert (await submit.response())["data"]["content"] == "Neon rain in ['sea']"
        with pytest.raises(ValueError):
            await fake.submit_modal(modal, {"name": "x", "kind": ["lake"]})
    assert fake.violations == []


async def test_modal_from_a_button_updates_its_message(fake: FakeDiscord) -> None:
    async with fake.run_bot(modal_bot(fake.guild_id)):
        panel = await fake.send_slash_command("panel")
        await panel.response()
        click = await fake.send_component("modal:open")
        submit = await fake.submit_modal(click, {"topic": "sea"})
        assert submit.payload["message"]["id"] == panel.state.original_message_id
        answer = await submit.response()
        assert answer["type"] == 7
        assert panel.original_message is not None
        assert panel.original_message["content"] == "sea|no details"
        assert panel.original_message["components"] == []
    assert fake.violations == []


def text_row(n: int, **extra: Any) -> dict[str, Any]:
    field = {"type": 4, "custom_id": f"f{n}", "style": 1, "label": f"Field {n}", **extra}
    return {"type": 1, "components": [field]}


def modal(*components: dict[str, Any], title: str = "Form") -> dict[str, Any]:
    return {
        "type": 9,
        "data": {"custom_id": "form", "title": title, "components": list(components)},
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (modal(*(text_row(n) for n in range(6))), "6 components, 1 to 5"),
        (modal(text_row(1), title="t" * 46), "$.data.title"),
        (modal(text_row(1, label="l" * 46)), "label"),
        (modal(text_row(1, min_length=10, max_length=5)), "min_length 10 > max_length 5"),
        (modal(text_row(1, max_length=5, value="toolong")), "more than max_length"),
        (modal(text_row(1, value="v" * 4001)), "$.data.components[0].components[0].value"),
        (modal(text_row(1), text_row(1)), "'f1' is not unique in the modal"),
        (modal({"type": 1, "components": [text_row(1)["components"][0]] * 2}), "exactly one"),
        (modal({"type": 2, "style": 1, "custom_id": "b", "label": "B"}), "top-level"),
        (
            modal(
                {"type": 18, "label": "L", "component": text_row(1, label=None)["components"][0]},
                {"type": 18, "label": "M", "component": text_row(1)["components"][0]},
            ),
            "unique",
        ),
    ],
)
def test_modal_rules(discord_spec: DiscordSpec, body: dict[str, Any], expected: str) -> None:
    errors = discord_spec.interaction_response_errors(body)
    assert any(expected in e for e in errors), errors


def test_good_modals_pass(discord_spec: DiscordSpec) -> None:
    assert discord_spec.interaction_response_errors(modal(*(text_row(n) for n in range(5)))) == []
    labelled = {"type": 18, "label": "Name", "component": text_row(1, label=None)["components"][0]}
    assert discord_spec.interaction_response_errors(modal(labelled)) == []
    assert (
        discord_spec.interaction_response_errors(modal(Feedback().to_dict()["components"][0])) == []
    )
    rename = Rename().to_dict()
    assert discord_spec.interaction_response_errors({"type": 9, "data": rename}) == []


async def test_a_modal_with_six_inputs_is_a_violation(discord_spec: DiscordSpec) -> None:
    async with FakeDiscord(discord_spec) as fake:
        fake.world.store_commands(None, [{"name": "form", "description": "f", "type": 1}])
        handle = await fake.send_slash_command("form", guild=False)
        callback = f"{fake.api_base}/interactions/{handle.id}/{handle.token}/callback"
        async with aiohttp.ClientSession() as session:
            body = modal(*(text_row(n) for n in range(6)))
            async with session.post(callback, json=body) as response:
                assert response.status == 204  # Discord would say 400; the fake records it
        assert any("6 components, 1 to 5 in a modal" in v for v in fake.violations)
        modal_opened = await handle.modal()
        with pytest.raises(ValueError, match="no inputs"):
            await fake.submit_modal(modal_opened, {"f9": "x"})
        update = await fake.submit_modal(modal_opened, {f"f{n}": "x" for n in range(6)})
        async with aiohttp.ClientSession() as session:
            url = f"{fake.api_base}/interactions/{update.id}/{update.token}/callback"
            async with session.post(url, json={"type": 7, "data": {"content": "x"}}) as response:
                assert response.status == 400
        assert "opened by a slash command" in fake.violations[-1]
