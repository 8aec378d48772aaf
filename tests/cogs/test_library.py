"""/library and its "Sync now" button: the real bot against the fake Discord, a real git
repository as the library's remote."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import PromptBot
from bot.catalog import Catalog
from bot.config import load_settings
from bot.gitsource import GitSource
from bot.state import open_state
from tests.cogs.conftest import components, shown
from tests.support.gitrepo import Repo, gallery_repo
from tests.support.libraries import prompt_doc

EPHEMERAL = 64
MANAGE_GUILD, ADMINISTRATOR = 1 << 5, 1 << 3
SEND_MESSAGES, VIEW_CHANNEL = 1 << 11, 1 << 10
SECRET = "s3cr3t-t0ken-value"
BROKEN = "---\ntitle: [oops\n---\n"
FOX = prompt_doc("Quiet Fox Under Snow", "animals", ("fox",), "A fox asleep in the snow.")


class Boom(RuntimeError):
    pass


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """The seeds as a gallery (3 prompts in 2 categories) plus one broken file."""
    return gallery_repo(tmp_path / "remote", {"prompts/animals/broken.md": BROKEN})


@asynccontextmanager
async def git_bot(
    fake: Any, tmp_path: Path, url: str, team: list[tuple[dict[str, Any], str]] | None = None
) -> AsyncIterator[PromptBot]:
    """The bot following ``url`` (fetching only at start), connected to ``fake``."""
    settings = load_settings(
        {
            "PROMPTBOT_DB": str(tmp_path / "data" / "index.sqlite3"),
            "PROMPTBOT_LIBRARY_GIT": url,
            "PROMPTBOT_LIBRARY_GIT_PATH": "prompts",
            "PROMPTBOT_MEDIA_GIT_PATH": "public",
            "PROMPTBOT_GIT_INTERVAL": "0",
            "PROMPTBOT_STATE": str(tmp_path / "data" / "state.sqlite3"),
        },
        dotenv_path=None,
    )
    fake.world.team = team
    async with Catalog(settings) as catalog, open_state(settings) as state:
        app = PromptBot(settings, catalog, state, guild_ready_timeout=0.1)
        async with fake.run_bot(app):
            yield app


async def open_library(fake: Any, user: dict[str, Any] | None = None) -> tuple[Any, dict]:
    handle = await fake.send_slash_command("library", user=user)
    kind, message = await shown(handle)
    assert kind == 4 and message["flags"] & EPHEMERAL
    return handle, message


def sync_button(message: dict[str, Any]) -> dict[str, Any]:
    (button,) = [c for c in components(message) if c["type"] == 2]
    return button


def fields(message: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0].get("fields", [])}


async def press_sync(fake: Any, handle: Any, message: dict, user: dict) -> tuple[Any, dict]:
    """Click "Sync now"; (the click, the message as the bot leaves it)."""
    click = await fake.send_component(
        sync_button(message)["custom_id"], message=handle.original_message, user=user
    )
    first = await click.response()
    if first["type"] != 7:
        return click, first["data"]
    assert sync_button(first["data"])["disabled"]  # while git runs
    edit = await click.wait_for_request("PATCH", "/messages/@original", timeout=30)
    return click, edit.json


async def served_title(fake: Any, query: str) -> str | None:
    _, card = await shown(await fake.send_slash_command("prompt", {"query": query}))
    return card["embeds"][0]["title"] if card.get("embeds") else None


async def test_library_shows_the_repository_counts_and_problems(
    fake_discord: Any, repo: Repo, tmp_path: Path
) -> None:
    fake = fake_discord
    async with git_bot(fake, tmp_path, repo.url):
        _, message = await open_library(fake)
    embed = message["embeds"][0]
    text = embed["description"]
    assert repo.url in text and f"`{repo.head()[:12]}`" in text
    assert "the default branch" in text and "`prompts`" in text
    assert text.count("<t:") >= 2 and ":R>" in text  # last fetch and last reindex
    assert fields(message) == {"Prompts": "3", "Categories": "2", "Files with problems": "1"}
    assert "`prompts/animals/broken.md`" in text  # the path as it is in the repository
    assert sync_button(message)["label"] == "Sync now" and not sync_button(message)["disabled"]
    assert fake.violations == []


async def test_only_members_who_manage_the_server_see_library(
    fake_discord: Any, repo: Repo, tmp_path: Path
) -> None:
    fake = fake_discord
    tester = fake.world.tester
    async with git_bot(fake, tmp_path, repo.url):
        fake.world.set_permissions(tester, SEND_MESSAGES | VIEW_CHANNEL)
        with pytest.raises(ValueError, match="needs permissions"):
            await fake.send_slash_command("library", user=tester)
        assert await served_title(fake, "neon dreams") is not None  # the rest is for everyone
        for enough in (SEND_MESSAGES | MANAGE_GUILD, ADMINISTRATOR):
            fake.world.set_permissions(tester, enough)
            await open_library(fake, tester)
        with pytest.raises(ValueError, match="not offered"):
            await fake.send_slash_command("library", guild=False, user=tester)  # not in DMs


async def test_sync_now_by_the_owner_serves_a_new_commit(
    fake_discord: Any, repo: Repo, tmp_path: Path
) -> None:
    fake, owner = fake_discord, fake_discord.world.owner
    async with git_bot(fake, tmp_path, repo.url) as app:
        before = repo.head()
        repo.write("prompts/animals/fox.md", FOX)
        repo.remove("prompts/animals/broken.md")
        after = repo.commit("a fox, and the broken file fixed")
        assert await served_title(fake, "quiet fox under snow") != "Quiet Fox Under Snow"

        handle, message = await open_library(fake, owner)
        _, synced = await press_sync(fake, handle, message, owner)
        assert synced["content"].startswith("✅")
        assert f"`{after[:12]}`" in synced["content"] and f"`{before[:12]}`" in synced["content"]
        assert "1 added" in synced["content"]
        assert fields(synced) == {"Prompts": "4", "Categories": "3", "Files with problems": "0"}
        assert not sync_button(synced)["disabled"]
        assert await served_title(fake, "quiet fox under snow") == "Quiet Fox Under Snow"
        assert app.catalog.source is not None and app.catalog.source.status().commit == after
    assert fake.violations == []


async def test_sync_now_by_anyone_else_is_refused_and_syncs_nothing(
    fake_discord: Any, repo: Repo, tmp_path: Path
) -> None:
    fake, tester = fake_discord, fake_discord.world.tester  # an admin, not the app's owner
    async with git_bot(fake, tmp_path, repo.url) as app:
        before = repo.head()
        repo.write("prompts/animals/fox.md", FOX)
        repo.commit("a fox")
        handle, message = await open_library(fake, tester)
        click, answer = await press_sync(fake, handle, message, tester)
        assert answer["flags"] & EPHEMERAL and "owners" in answer["content"]
        assert not click.followups() and not [r for r in click.requests() if r.method == "PATCH"]
        assert app.catalog.source is not None and app.catalog.source.status().commit == before
        assert await served_title(fake, "quiet fox under snow") != "Quiet Fox Under Snow"


async def test_a_team_owned_application_lets_its_admins_and_developers_sync(
    fake_discord: Any, repo: Repo, tmp_path: Path
) -> None:
    fake, owner, tester = fake_discord, fake_discord.world.owner, fake_discord.world.tester
    team = [(tester, "developer"), (owner, "read_only")]
    async with git_bot(fake, tmp_path, repo.url, team=team):
        handle, message = await open_library(fake, owner)
        _, refused = await press_sync(fake, handle, message, owner)
        assert "owners" in refused["content"]
        handle, message = await open_library(fake, tester)
        _, synced = await press_sync(fake, handle, message, tester)
        assert synced["content"].startswith("✅ Synced: still at")
    assert fake.violations == []


async def test_an_exception_in_sync_gets_the_apology(
    fake_discord: Any, repo: Repo, tmp_path: Path, caplog: Any, monkeypatch: Any
) -> None:
    fake, owner = fake_discord, fake_discord.world.owner

    async def explode(*args: object, **kwargs: object) -> Any:
        raise Boom("sync raised")

    async with git_bot(fake, tmp_path, repo.url):
        handle, message = await open_library(fake, owner)
        monkeypatch.setattr(Catalog, "sync", explode)
        custom_id = sync_button(message)["custom_id"]
        click = await fake.send_component(custom_id, message=handle.original_message, user=owner)
        assert (await click.response())["type"] == 7
        apology = (await click.followup(0, timeout=10)).json
        assert apology["flags"] & EPHEMERAL and apology["content"].startswith("Sorry")
        restored = await click.wait_for_request("PATCH", "/messages/@original")
        assert not sync_button(restored.json)["disabled"]
    failures = [r for r in caplog.records if r.levelname == "ERROR" and custom_id in r.getMessage()]
    assert failures and failures[-1].exc_info[0] is Boom


async def test_credentials_in_the_url_never_reach_discord_or_the_log(
    fake_discord: Any, repo: Repo, tmp_path: Path, caplog: Any
) -> None:
    """A checkout exists; the remote (with a token in its URL) is unreachable: the bot
    starts with one warning, serves the checkout, and shows the URL without the token."""
    fake, owner = fake_discord, fake_discord.world.owner
    checkout = tmp_path / "data" / "library.git-checkout"
    await GitSource(repo.url, checkout).sync()
    url = f"https://promptbot:{SECRET}@127.0.0.1:1/gallery/prompts.git"
    caplog.set_level(logging.INFO)
    async with git_bot(fake, tmp_path, url):
        handle, message = await open_library(fake, owner)
        text = message["embeds"][0]["description"]
        assert "127.0.0.1:1/gallery/prompts.git" in text and "Last fetch failed" in text
        assert f"`{repo.head()[:12]}`" in text and fields(message)["Prompts"] == "3"
        _, failed = await press_sync(fake, handle, message, owner)
        assert failed["content"].startswith("⚠️") and repo.head()[:12] in failed["content"]
        assert await served_title(fake, "neon dreams night city") is not None
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "git" in r.getMessage()]
    assert len(warnings) == 2  # one at start, one for the failed Sync now
    sent = json.dumps([r.json for r in fake.requests], ensure_ascii=False)
    assert SECRET not in sent and SECRET not in caplog.text
    assert "promptbot:" + SECRET[:6] not in sent


async def test_without_git_library_shows_the_folder_and_sync_now_reindexes(
    bot: Any, library: Path
) -> None:
    owner = bot.world.owner
    handle, message = await open_library(bot, owner)
    text = message["embeds"][0]["description"]
    assert f"`{library}`" in text and "Repository" not in text
    assert fields(message) == {"Prompts": "27", "Categories": "3", "Files with problems": "0"}
    (library / "animals" / "fox.md").write_text(FOX, encoding="utf-8")
    _, synced = await press_sync(bot, handle, message, owner)
    assert synced["content"].startswith("✅ Reindexed the folder")
    assert fields(synced)["Prompts"] == "28"
    assert await served_title(bot, "quiet fox under snow") == "Quiet Fox Under Snow"
