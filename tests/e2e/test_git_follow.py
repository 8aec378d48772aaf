"""The real ``promptbot run`` following a git repository: new commits and a force-push are
served within the interval, an unreachable remote leaves the last checkout served with one
warning per failed fetch, and credentials never reach the log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.gitsource import GitSource
from tests.cogs.conftest import components, shown
from tests.e2e.conftest import BotProcess, bot_env, start_bot, wait_ready
from tests.support.gitrepo import Repo, gallery_repo
from tests.support.libraries import prompt_doc

SECRET = "ghp_e2eSecretTokenValue123"
INTERVAL = "1"


def gallery(tmp_path: Path) -> Repo:
    return gallery_repo(tmp_path / "remote")


@asynccontextmanager
async def bot_following(
    fake: Any, library: Path, tmp_path: Path, url: str
) -> AsyncIterator[BotProcess]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    env = bot_env(
        fake,
        library,
        tmp_path,
        PROMPTBOT_LIBRARY_GIT=url,
        PROMPTBOT_LIBRARY_GIT_PATH="prompts",
        PROMPTBOT_MEDIA_GIT_PATH="public",
        PROMPTBOT_GIT_INTERVAL=INTERVAL,
    )
    bot = await start_bot(env, work)
    try:
        await wait_ready(fake, bot)
        yield bot
    finally:
        fake.gateway.expect_client_close()
        code = await bot.stop()
        assert code == 0, bot.output()
        assert "Traceback" not in bot.output(), bot.output()
        assert fake.token not in bot.output()


async def title_for(fake: Any, query: str) -> str | None:
    _, card = await shown(await fake.send_slash_command("prompt", {"query": query}))
    return card["embeds"][0]["title"] if card.get("embeds") else None


async def eventually_served(fake: Any, query: str, title: str, seconds: float = 20.0) -> float:
    """Seconds until ``/prompt query`` answers with ``title``."""
    start = asyncio.get_running_loop().time()
    while await title_for(fake, query) != title:
        waited = asyncio.get_running_loop().time() - start
        assert waited < seconds, f"{title!r} was not served within {seconds} s"
        await asyncio.sleep(0.3)
    return asyncio.get_running_loop().time() - start


def warnings(bot: BotProcess) -> list[str]:
    """The warnings about following the repository."""
    return [
        line
        for line in bot.output().splitlines()
        if " WARNING " in line and (" bot.follow:" in line or " bot.catalog:" in line)
    ]


async def library_status(fake: Any) -> dict[str, Any]:
    """``/library`` as the application's owner; once the bot has fetched the message back
    (it keeps it to disable the button later)."""
    handle = await fake.send_slash_command("library", user=fake.world.owner)
    _, message = await shown(handle)
    await handle.wait_for_request("GET", "/messages/@original")
    return message


async def test_commits_and_a_force_push_are_followed_and_an_outage_is_survived(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    fake, repo = fake_discord, gallery(tmp_path)
    async with bot_following(fake, library, tmp_path, repo.url) as bot:
        assert await title_for(fake, "neon dreams night city") == "Neon Dreams: A Night in the City"

        repo.write("prompts/animals/fox.md", prompt_doc("Quiet Fox", "animals", ("fox",), "A fox."))
        fox = repo.commit("a fox")
        assert await eventually_served(fake, "quiet fox", "Quiet Fox") < 10
        status = await library_status(fake)
        assert f"`{fox[:12]}`" in status["embeds"][0]["description"]
        assert [c["label"] for c in components(status)] == ["Sync now"]

        # a force-push: the fox never was, an owl is
        repo.git("reset", "--quiet", "--hard", "HEAD~1")
        repo.write(
            "prompts/animals/owl.md", prompt_doc("Night Owl", "animals", ("owl",), "An owl.")
        )
        repo.commit("an owl instead")
        await eventually_served(fake, "night owl", "Night Owl")
        assert await title_for(fake, "quiet fox") != "Quiet Fox"

        # the remote goes away: the last checkout stays served, one warning per failure
        before = len(warnings(bot))
        repo.path.rename(tmp_path / "moved-away")
        for _ in range(100):
            if len(warnings(bot)) >= before + 2:
                break
            await asyncio.sleep(0.2)
        new = warnings(bot)[before:]
        assert len(new) >= 2 and all("fetch failed" in line for line in new), new
        assert await title_for(fake, "night owl") == "Night Owl"
    assert fake.violations == []


async def test_a_token_in_the_url_never_reaches_the_log(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    """A checkout from earlier; the remote, with a token in its URL, cannot be reached:
    the bot starts (one warning), answers from the checkout and keeps retrying."""
    fake, repo = fake_discord, gallery(tmp_path)
    await GitSource(repo.url, tmp_path / "data" / "library.git-checkout").sync()
    url = f"https://promptbot:{SECRET}@127.0.0.1:1/gallery/prompts.git"
    async with bot_following(fake, library, tmp_path, url) as bot:
        assert await title_for(fake, "neon dreams night city") == "Neon Dreams: A Night in the City"
        for _ in range(100):
            if len(warnings(bot)) >= 3:  # the start, then the schedule's retries
                break
            await asyncio.sleep(0.2)
        first, *retries = warnings(bot)
        assert "serving the last good checkout" in first, bot.output()
        assert len(retries) >= 2 and all("fetch failed" in line for line in retries)
        status = await library_status(fake)
        assert "Last fetch failed" in status["embeds"][0]["description"]
    assert SECRET not in bot.output() and "127.0.0.1:1" in bot.output()
    assert all(SECRET not in str(r.json) for r in fake.requests)
    assert fake.violations == []


async def test_no_checkout_and_an_unreachable_remote_stops_with_one_line(
    fake_discord: Any, library: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    url = f"https://promptbot:{SECRET}@127.0.0.1:1/gallery/prompts.git"
    env = bot_env(fake_discord, library, tmp_path, PROMPTBOT_LIBRARY_GIT=url)
    bot = await start_bot(env, work)
    assert await asyncio.wait_for(bot.process.wait(), 60) == 2
    lines = bot.output().strip().splitlines()
    assert lines[-1].startswith("promptbot: PROMPTBOT_LIBRARY_GIT: "), bot.output()
    assert SECRET not in bot.output() and "Traceback" not in bot.output()
