"""The git-backed library against real git and real repositories made by the tests."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.filelock import file_lock
from bot.gitsource import GitSource, GitSyncError, next_delay
from bot.library.scan import load_library
from bot.logs import Redact
from bot.render.media import resolve_preview
from tests.support.gitrepo import Repo, gallery_repo, git, tree
from tests.support.libraries import prompt_doc


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return gallery_repo(tmp_path / "remote")


def source_for(repo_url: str, tmp_path: Path, **options) -> GitSource:
    """A source following ``repo_url`` whose library is the ``prompts/`` folder."""
    checkout = tmp_path / "data" / "library.git-checkout"
    return GitSource(repo_url, checkout, library="prompts", **options)


def doc(title: str) -> str:
    return prompt_doc(title, "tests", ("git",), f"A prompt called {title}.")


async def test_clone_then_follow_adds_edits_deletes_and_renames(repo: Repo, tmp_path: Path) -> None:
    source = source_for(repo.url, tmp_path)
    first = await source.sync()
    assert first.changed and first.previous is None and first.commit == repo.head()
    assert tree(source.checkout) == tree(repo.path)
    assert source.status().commit == repo.head() and source.status().last_fetch is not None

    repo.write("prompts/new/added.md", doc("Added Later"))
    repo.write("prompts/3d/neon-dreams-on-a-rainy-dusk.md", doc("Edited In Place"))
    repo.remove("prompts/portraits/neon-dreams-a-night-in-the-city.md")
    repo.git(
        "mv",
        "prompts/portraits/cinematic-night-drive-a-portrait-of-serene-adventure.md",
        "prompts/portraits/renamed.md",
    )
    repo.commit("add, edit, delete, rename")
    second = await source.sync()
    assert second.changed and second.previous == first.commit and second.commit == repo.head()
    assert tree(source.checkout) == tree(repo.path)
    prompts, problems = load_library(source.library_path())
    assert sorted(p.title for p in prompts) == [
        "Added Later",
        "Cinematic Night Drive: A Portrait of Serene Adventure",
        "Edited In Place",
    ]
    assert not [p for p in problems if p.severity == "error"]

    third = await source.sync()
    assert not third.changed and third.commit == second.commit


async def test_a_force_push_is_followed(repo: Repo, tmp_path: Path) -> None:
    source = source_for(repo.url, tmp_path)
    repo.write("prompts/doomed.md", doc("Doomed"))
    doomed = repo.commit("to be rewritten")
    assert (await source.sync()).commit == doomed

    repo.git("reset", "--quiet", "--hard", "HEAD~1")
    repo.write("prompts/rewritten.md", doc("Rewritten"))
    rewritten = repo.commit("rewritten history")
    result = await source.sync()
    assert result.commit == rewritten and result.previous == doomed and result.changed
    assert tree(source.checkout) == tree(repo.path)
    assert not (source.library_path() / "doomed.md").exists()


async def test_anything_written_into_the_checkout_is_discarded(repo: Repo, tmp_path: Path) -> None:
    source = source_for(repo.url, tmp_path)
    await source.sync()
    (source.library_path() / "stray.md").write_text(doc("Stray"), encoding="utf-8")
    (source.library_path() / "3d" / "neon-dreams-on-a-rainy-dusk.md").write_text("tampered")
    (source.checkout / ".gitignore").write_text("*.tmp\n")
    (source.checkout / "ignored.tmp").write_text("x")
    result = await source.sync()
    assert not result.changed
    assert tree(source.checkout) == tree(repo.path)


async def test_branch_tag_and_default_branch(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "remote", branch="trunk")
    repo.write("prompts/a.md", doc("On Trunk"))
    repo.commit("trunk")
    repo.git("tag", "-a", "v1", "-m", "release one")  # an annotated tag
    repo.git("tag", "light")  # a lightweight tag
    repo.git("checkout", "--quiet", "-b", "next")
    repo.write("prompts/a.md", doc("On Next"))
    repo.commit("next")
    repo.git("checkout", "--quiet", "trunk")
    repo.write("prompts/a.md", doc("Trunk Moved On"))
    repo.commit("trunk again")

    def title(source: GitSource) -> str:
        (prompt,), _ = load_library(source.library_path())
        return prompt.title

    for ref, expected in [
        (None, "Trunk Moved On"),  # the remote's default branch (its HEAD)
        ("next", "On Next"),
        ("v1", "On Trunk"),
        ("light", "On Trunk"),
        ("refs/heads/next", "On Next"),
    ]:
        source = GitSource(repo.url, tmp_path / f"co-{ref}", ref=ref, library="prompts")
        await source.sync()
        assert title(source) == expected, ref
        assert source.status().ref == ref

    missing = GitSource(repo.url, tmp_path / "co-missing", ref="no-such-branch")
    with pytest.raises(GitSyncError, match="no-such-branch"):
        await missing.sync()
    assert not missing.has_checkout()


async def test_library_and_media_paths_come_from_the_settings(repo: Repo, tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PROMPTBOT_LIBRARY_GIT": repo.url,
            "PROMPTBOT_LIBRARY_GIT_PATH": "prompts",
            "PROMPTBOT_MEDIA_GIT_PATH": "public",
            "PROMPTBOT_DB": str(tmp_path / "data" / "promptbot.sqlite3"),
        },
        dotenv_path=None,
    )
    source = GitSource.from_settings(settings)
    assert source is not None
    assert source.checkout == tmp_path / "data" / "library.git-checkout"
    assert source.library_path() == settings.library
    assert source.media_path() == settings.media_dir
    await source.sync()
    prompts, _ = load_library(settings.library)
    assert len(prompts) == 3
    preview = next(p.preview for p in prompts if p.preview and p.preview.startswith("/media/"))
    ref = resolve_preview(preview, settings.media_dir, None)
    assert ref is not None and ref.path is not None
    assert ref.path.is_relative_to(settings.media_dir.resolve())
    assert GitSource.from_settings(load_settings({}, dotenv_path=None)) is None


async def test_symlinks_leading_out_of_the_checkout_are_not_served(
    repo: Repo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(doc("Outside Secret"), encoding="utf-8")
    (outside / "secret.webp").write_bytes(b"RIFF....WEBP")
    os.symlink(outside / "secret.md", repo.path / "prompts" / "absolute.md")
    os.symlink("../../../outside/secret.md", repo.path / "prompts" / "relative.md")
    os.symlink("../.git/config", repo.path / "prompts" / "gitconfig.md")
    os.symlink("3d/neon-dreams-on-a-rainy-dusk.md", repo.path / "prompts" / "inside.md")
    os.symlink(outside / "secret.webp", repo.path / "public" / "media" / "leak.webp")
    repo.commit("symlinks")

    source = GitSource(repo.url, tmp_path / "data" / "co", library="prompts", media="public")
    await source.sync()
    assert (
        source.library_path() / "relative.md"
    ).resolve() == outside / "secret.md"  # it leads out
    prompts, problems = load_library(source.library_path())
    assert "Outside Secret" not in {p.title for p in prompts}
    assert [p.path for p in prompts].count("inside.md") == 1  # an inside link is served
    skipped = {p.path for p in problems if "outside the library" in p.message}
    assert skipped == {"absolute.md", "relative.md", "gitconfig.md"}
    media = source.media_path()
    assert media is not None and (media / "media" / "leak.webp").is_symlink()
    assert resolve_preview("/media/leak.webp", media, None) is None


async def test_an_unreachable_url_leaves_the_last_good_checkout(repo: Repo, tmp_path: Path) -> None:
    source = source_for(repo.url, tmp_path)
    good = await source.sync()
    before = tree(source.checkout)

    moved = repo.path.rename(tmp_path / "moved-away")  # the host is "down"
    with pytest.raises(GitSyncError) as err:
        await source.sync()
    assert "\n" not in str(err.value)
    assert tree(source.checkout) == before
    status = source.status()
    assert status.commit == good.commit and status.last_fetch == good.fetched_at
    assert status.last_error == str(err.value) and status.failures == 1
    with pytest.raises(GitSyncError):
        await source.sync()
    assert source.status().failures == 2

    moved.rename(repo.path)
    await source.sync()
    status = source.status()
    assert status.failures == 0 and status.last_error is None and status.last_error_at is None

    never = source_for((tmp_path / "nowhere").as_uri(), tmp_path / "other")
    with pytest.raises(GitSyncError):
        await never.sync()
    assert not never.checkout.exists()
    assert os.listdir(never.checkout.parent) == ["library.git-checkout.lock"]  # no half clone


async def test_credentials_never_appear(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    source = source_for("https://tok3n-user:hunter2secret@127.0.0.1:1/x.git", tmp_path)
    with pytest.raises(GitSyncError) as err:
        await source.sync()
    shown = [str(err.value), repr(source.status()), source.redacted_url(), caplog.text]
    for text in shown:
        assert "hunter2secret" not in text and "tok3n-user" not in text
    assert "127.0.0.1" in str(source.status().url)
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert b"hunter2secret" not in path.read_bytes()


async def test_the_url_is_not_written_into_the_checkout(repo: Repo, tmp_path: Path) -> None:
    source = source_for(repo.url, tmp_path)
    await source.sync()
    config = (source.checkout / ".git" / "config").read_text()
    assert str(repo.path) not in config  # given through the environment, never stored


def test_git_messages_and_log_lines_are_redacted() -> None:
    from bot.gitrun import Git

    runner = Git("https://someone:p%40ss%2Fword@example.org/x.git")
    message = "fatal: Authentication failed for someone with p@ss/word at https://a:b@c/d"
    assert runner.redact(message) == (
        "fatal: Authentication failed for [redacted] with [redacted] at https://[redacted]@c/d"
    )
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "cloning %s", ("https://u:pw@h/r",), None
    )
    assert Redact([]).filter(record) and record.getMessage() == "cloning https://[redacted]@h/r"


async def test_hooks_filters_and_submodules_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()

    def hook(folder: Path, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        script = folder / name
        script.write_text(f"#!/bin/sh\ntouch '{markers}/hook-{name}'\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)

    sub = Repo(tmp_path / "sub")
    sub.write("smuggled.md", doc("Smuggled In"))
    sub.commit("sub")
    repo = Repo(tmp_path / "remote")
    repo.write("prompts/a.md", doc("Plain"))
    repo.write(".gitattributes", "* filter=evil\n*.md filter=lfs diff=lfs merge=lfs\n")
    repo.git("config", "filter.evil.smudge", f"touch '{markers}/repo-filter'; cat")
    hook(repo.path / ".git" / "hooks", "post-checkout")  # the remote's hooks never travel
    repo.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "--quiet", sub.url, "prompts/sub"
    )
    repo.commit("hostile")

    # The machine's own git configuration: a filter for "evil", hooks, submodule recursion.
    home = tmp_path / "home"
    hook(home / "hooks", "post-checkout")
    (home / ".gitconfig").write_text(
        f'[filter "evil"]\n\tsmudge = "touch \'{markers}/global-filter\'; cat"\n'
        f"[core]\n\thooksPath = {home / 'hooks'}\n"
        '[submodule]\n\trecurse = true\n[protocol "file"]\n\tallow = always\n'
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.delenv("GIT_CONFIG_NOSYSTEM", raising=False)

    source = GitSource(repo.url, tmp_path / "data" / "co", library="prompts")
    await source.sync()
    hook(source.checkout / ".git" / "hooks", "post-checkout")  # even one inside the checkout
    repo.write("prompts/b.md", doc("Second"))
    repo.commit("second")
    await source.sync()

    assert list(markers.iterdir()) == []
    assert (source.library_path() / "a.md").read_text(encoding="utf-8") == doc("Plain")
    assert list((source.library_path() / "sub").iterdir()) == []
    assert not (source.checkout / ".git" / "modules").exists()
    assert {p.title for p in load_library(source.library_path())[0]} == {"Plain", "Second"}

    # Control: plain git, with this machine configuration, runs them all (so the test can fail).
    plain = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    git(tmp_path, "clone", "--quiet", "--recurse-submodules", repo.url, "control", env=plain)
    assert {p.name for p in markers.iterdir()} == {"global-filter", "hook-post-checkout"}
    assert (tmp_path / "control" / "prompts" / "sub" / "smuggled.md").is_file()


async def test_a_hanging_remote_is_killed_at_the_timeout(tmp_path: Path) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    closed = threading.Event()

    def serve() -> None:  # accepts, says nothing, and notices when the client goes away
        connection, _ = server.accept()
        with connection:
            while connection.recv(4096):
                pass
        closed.set()

    threading.Thread(target=serve, daemon=True).start()
    source = source_for(f"https://127.0.0.1:{port}/x.git", tmp_path, fetch_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(GitSyncError, match="timed out after 1 s"):
        await source.sync()
    assert time.monotonic() - started < 10
    assert await asyncio.to_thread(closed.wait, 10), "git's https helper was left running"
    server.close()
    assert not source.checkout.exists()


async def test_one_sync_at_a_time_even_across_processes(repo: Repo, tmp_path: Path) -> None:
    first, second = source_for(repo.url, tmp_path), source_for(repo.url, tmp_path)
    results = await asyncio.gather(first.sync(), second.sync(), first.sync())
    assert {r.commit for r in results} == {repo.head()}
    assert sum(r.previous is None for r in results) == 1  # cloned once

    lock = first.checkout.with_name("library.git-checkout.lock")
    blocked = source_for(repo.url, tmp_path, timeout=0.1, fetch_timeout=0.2)
    async with file_lock(lock, 1) as held:  # as another process would hold it
        assert held
        with pytest.raises(GitSyncError, match="another process"):
            await blocked.sync()


async def test_a_killed_git_leaves_nothing_that_blocks_the_next_sync(
    repo: Repo, tmp_path: Path
) -> None:
    source = source_for(repo.url, tmp_path)
    await source.sync()
    (source.checkout / ".git" / "index.lock").write_text("")
    (source.checkout / ".git" / "shallow.lock").write_text("")
    repo.write("prompts/c.md", doc("After The Crash"))
    repo.commit("after the crash")
    assert (await source.sync()).commit == repo.head()
    assert (source.library_path() / "c.md").is_file()


async def test_a_folder_that_is_not_a_checkout_is_replaced(repo: Repo, tmp_path: Path) -> None:
    source = source_for(repo.url, tmp_path)
    source.checkout.mkdir(parents=True)
    (source.checkout / "junk").write_text("left over")
    await source.sync()
    assert tree(source.checkout) == tree(repo.path)


async def test_status_of_an_existing_checkout_needs_no_sync(repo: Repo, tmp_path: Path) -> None:
    await source_for(repo.url, tmp_path).sync()
    status = source_for(repo.url, tmp_path).status()  # as after a restart
    assert status.commit == repo.head()
    assert status.last_fetch is None and status.last_error is None and status.failures == 0


def test_next_delay_backs_off_up_to_the_interval() -> None:
    assert next_delay(0, 900) == 900
    assert [next_delay(n, 900) for n in range(1, 8)] == [15, 30, 60, 120, 240, 480, 900]
    assert next_delay(10_000, 900) == 900
    assert next_delay(3, 20) == 20
    assert next_delay(0, 0) is None and next_delay(5, 0) is None
