"""The catalog following a git repository while it runs (bot/follow.py, bot/catalog.py):
real git, real repositories, real SQLite, no Discord."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.config import ConfigError, load_settings
from bot.follow import follow, keep_current, library_status, sync_now
from bot.gitsource import GitSource
from tests.support.gitrepo import Repo, gallery_repo
from tests.support.libraries import prompt_doc

SECRET = "hunter2-secret-token"


def doc(title: str) -> str:
    return prompt_doc(title, "animals", ("animal",), f"The prompt of {title}.")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return gallery_repo(tmp_path / "remote")


def settings_for(tmp_path: Path, url: str, interval: int = 0, **extra: str):
    return load_settings(
        {
            "PROMPTBOT_DB": str(tmp_path / "data" / "index.sqlite3"),
            "PROMPTBOT_LIBRARY_GIT": url,
            "PROMPTBOT_LIBRARY_GIT_PATH": "prompts",
            "PROMPTBOT_GIT_INTERVAL": str(interval),
            **extra,
        },
        dotenv_path=None,
    )


@asynccontextmanager
async def following(catalog: Catalog) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(keep_current(catalog))
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(predicate, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out: {predicate}"
        await asyncio.sleep(0.1)


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The warnings about following the repository (not the index's own)."""
    return [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name in ("bot.catalog", "bot.follow")
    ]


def titles(catalog: Catalog) -> set[str]:
    """The titles served in the category the tests add to."""
    return {prompt.title for prompt in catalog.current.facets.prompts_in("animals")}


async def test_the_catalog_fetches_before_its_first_snapshot(repo: Repo, tmp_path: Path) -> None:
    async with Catalog(settings_for(tmp_path, repo.url)) as catalog:
        assert len(catalog.current) == 3
        status = library_status(catalog)
        assert status.commit == repo.head() and status.fetched_at is not None
        assert status.reindexed_at is not None and status.fetch_error is None
        assert status.repository == repo.url and status.folder == "prompts"


async def test_no_checkout_and_a_failed_first_fetch_is_one_line(tmp_path: Path) -> None:
    url = f"https://bot:{SECRET}@127.0.0.1:1/gallery.git"
    with pytest.raises(ConfigError) as caught:
        async with Catalog(settings_for(tmp_path, url)):
            pass
    message = str(caught.value)
    assert message.startswith("PROMPTBOT_LIBRARY_GIT: ") and "\n" not in message
    assert SECRET not in message


async def test_a_failed_first_fetch_with_a_checkout_warns_once_and_serves_it(
    repo: Repo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await GitSource(repo.url, tmp_path / "data" / "library.git-checkout").sync()
    url = f"https://bot:{SECRET}@127.0.0.1:1/gallery.git"
    async with Catalog(settings_for(tmp_path, url)) as catalog:
        assert len(catalog.current) == 3
    warnings = ours(caplog)
    assert len(warnings) == 1 and repo.head()[:12] in warnings[0].getMessage()
    assert SECRET not in caplog.text


async def test_new_commits_and_a_force_push_are_served_within_the_interval(
    repo: Repo, tmp_path: Path
) -> None:
    async with Catalog(settings_for(tmp_path, repo.url, interval=1)) as catalog:
        first = catalog.current
        async with following(catalog):
            repo.write("prompts/animals/fox.md", doc("Quiet Fox"))
            fox = repo.commit("a fox")
            await until(lambda: "Quiet Fox" in titles(catalog))
            assert first is not catalog.current  # hot-swapped, not mutated
            assert library_status(catalog).commit == fox

            # rewrite history: the fox never existed, an owl did
            repo.git("reset", "--quiet", "--hard", "HEAD~1")
            repo.write("prompts/animals/owl.md", doc("Night Owl"))
            owl = repo.commit("an owl instead")
            await until(lambda: titles(catalog) == {"Night Owl"}, 10)
            assert library_status(catalog).commit == owl


async def test_an_unreachable_remote_keeps_the_last_checkout_and_warns_once_per_failure(
    repo: Repo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with Catalog(settings_for(tmp_path, repo.url, interval=1)) as catalog:
        served = catalog.current
        moved = repo.path.with_name("moved-away")
        async with following(catalog):
            repo.path.rename(moved)
            await until(
                lambda: catalog.source is not None and catalog.source.status().failures >= 2
            )
            assert catalog.current is served and len(catalog.current) == 3
            status = library_status(catalog)
            assert status.fetch_error is not None and status.fetch_error_at is not None
            failures = catalog.source.status().failures
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert (
                failures <= len(warnings) <= failures + 1
            )  # one per failure (one may be on its way)
            assert all("\n" not in r.getMessage() for r in warnings)
            moved.rename(repo.path)
            await until(
                lambda: catalog.source is not None and catalog.source.status().failures == 0
            )
            assert library_status(catalog).fetch_error is None


async def test_an_unchanged_commit_is_not_reindexed_by_the_schedule(
    repo: Repo, tmp_path: Path
) -> None:
    async with Catalog(settings_for(tmp_path, repo.url)) as catalog:
        reindexed = catalog.reloaded_at
        scheduled = await sync_now(catalog, force=False)
        assert scheduled.ok and not scheduled.changed and scheduled.summary is None
        assert catalog.reloaded_at == reindexed
        pressed = await sync_now(catalog)  # "Sync now" always reindexes
        assert pressed.ok and pressed.summary is not None and catalog.reloaded_at != reindexed
        assert pressed.before == pressed.after == repo.head()


async def test_a_commit_without_the_library_folder_keeps_the_index_served(
    repo: Repo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with Catalog(settings_for(tmp_path, repo.url)) as catalog:
        served = catalog.current
        repo.git("mv", "prompts", "renamed")
        repo.commit("renamed the folder")
        outcome = await sync_now(catalog)
        assert not outcome.ok and outcome.error is not None
        assert "PROMPTBOT_LIBRARY_GIT_PATH" in outcome.error
        assert catalog.current is served
    assert len(ours(caplog)) == 1


async def test_a_sync_and_a_reload_never_interleave(repo: Repo, tmp_path: Path) -> None:
    """While git rewrites the checkout (held here), a reload waits for the sync."""
    async with Catalog(settings_for(tmp_path, repo.url)) as catalog:
        assert catalog.source is not None
        real_sync = catalog.source.sync
        in_git, release = asyncio.Event(), asyncio.Event()
        order: list[str] = []

        async def slow_sync():
            in_git.set()
            await release.wait()
            result = await real_sync()
            order.append("sync")
            return result

        catalog.source.sync = slow_sync  # type: ignore[method-assign]
        syncing = asyncio.create_task(sync_now(catalog))
        await in_git.wait()
        reloading = asyncio.create_task(catalog.reload())
        await asyncio.sleep(0.3)
        assert not reloading.done()
        release.set()
        await reloading
        order.append("reload")
        assert (await syncing).ok and order == ["sync", "reload"]


async def test_closing_the_catalog_cancels_a_sync_in_flight(repo: Repo, tmp_path: Path) -> None:
    hang = asyncio.Event()
    async with Catalog(settings_for(tmp_path, repo.url)) as catalog:
        assert catalog.source is not None

        async def hanging_sync():
            await hang.wait()

        catalog.source.sync = hanging_sync  # type: ignore[method-assign]
        pressed = asyncio.create_task(sync_now(catalog))
        await asyncio.sleep(0.1)
    with pytest.raises(asyncio.CancelledError):
        await pressed


async def test_interval_zero_fetches_only_at_start_and_nothing_watches_the_checkout(
    repo: Repo, tmp_path: Path
) -> None:
    async with Catalog(settings_for(tmp_path, repo.url)) as catalog:
        await asyncio.wait_for(follow(catalog, 0), 1)  # returns at once
        # with git, the one background task is the follower: no folder watcher
        await asyncio.wait_for(keep_current(catalog), 1)
        checkout = catalog.settings.library
        (checkout / "animals").mkdir()
        (checkout / "animals" / "owl.md").write_text(doc("Night Owl"), encoding="utf-8")
        repo.write("prompts/animals/fox.md", doc("Quiet Fox"))
        repo.commit("a fox")
        await asyncio.sleep(1.5)
        assert "animals" not in {name for name, _ in catalog.current.facets.categories}


async def test_without_git_the_folder_is_watched_and_sync_now_reindexes(
    library: Path, tmp_path: Path
) -> None:
    settings = load_settings(
        {"PROMPTBOT_LIBRARY": str(library), "PROMPTBOT_DB": str(tmp_path / "i.sqlite3")},
        dotenv_path=None,
    )
    async with Catalog(settings) as catalog:
        assert catalog.source is None and library_status(catalog).repository is None
        async with following(catalog):
            await asyncio.sleep(0.5)  # the watcher is up
            (library / "animals" / "owl.md").write_text(doc("Night Owl"), encoding="utf-8")
            await until(lambda: "Night Owl" in titles(catalog))
        (library / "animals" / "fox.md").write_text(doc("Quiet Fox"), encoding="utf-8")
        outcome = await sync_now(catalog)
        assert outcome.ok and outcome.after is None and outcome.changed
        assert "1 added" in (outcome.summary or "") and "Quiet Fox" in titles(catalog)
        shutil.rmtree(library)
        failed = await sync_now(catalog)
        assert not failed.ok and "PROMPTBOT_LIBRARY" in (failed.error or "")
