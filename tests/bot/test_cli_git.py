"""``promptbot`` with ``PROMPTBOT_LIBRARY_GIT``: the real CLI process, real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bot.test_cli import cli
from tests.support.gitrepo import Repo, gallery_repo
from tests.support.libraries import prompt_doc


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return gallery_repo(tmp_path / "remote")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def git_cli(home: Path, repo_url: str, *args: str, **env: str):
    return cli(
        *args,
        cwd=home,
        PROMPTBOT_LIBRARY_GIT=repo_url,
        PROMPTBOT_LIBRARY_GIT_PATH="prompts",
        PROMPTBOT_MEDIA_GIT_PATH="public",
        **env,
    )


def test_index_clones_and_fetches_then_search_serves_the_checkout(repo: Repo, home: Path) -> None:
    first = git_cli(home, repo.url, "index")
    assert first.returncode == 0, first.stderr
    assert "3 added" in first.stdout
    assert (home / "data" / "library.git-checkout" / "prompts").is_dir()

    repo.write("prompts/animals/fox.md", prompt_doc("Quiet Fox", "animals", ("fox",), "A fox."))
    repo.commit("a fox")
    # The other commands use the checkout as it is: no fetch.
    before = git_cli(home, repo.url, "search", "quiet fox", "--json")
    assert before.returncode == 0, before.stderr
    assert "Quiet Fox" not in before.stdout

    again = git_cli(home, repo.url, "index")
    assert again.returncode == 0, again.stderr
    assert "1 added, 0 updated, 0 removed, 3 unchanged" in again.stdout
    found = json.loads(git_cli(home, repo.url, "search", "quiet fox", "--json").stdout)
    assert found[0]["title"] == "Quiet Fox" and found[0]["path"] == "animals/fox.md"

    shown = json.loads(git_cli(home, repo.url, "show", found[0]["id"], "--json").stdout)
    assert shown  # the card renders from the checkout


def test_other_commands_clone_a_missing_checkout(repo: Repo, home: Path) -> None:
    out = git_cli(home, repo.url, "tags", "--json")
    assert out.returncode == 0, out.stderr
    assert {c["name"] for c in json.loads(out.stdout)["categories"]} == {"3d", "portraits"}


def test_a_broken_file_is_reported_and_the_good_ones_served(repo: Repo, home: Path) -> None:
    repo.write("prompts/broken.md", "---\ntitle: [unclosed\n---\n\nno prompt\n")
    repo.commit("a broken file")

    check = git_cli(home, repo.url, "check", "--json")
    assert check.returncode == 1, check.stderr
    problems = json.loads(check.stdout)
    assert {p["path"] for p in problems if p["severity"] == "error"} == {"broken.md"}

    index = git_cli(home, repo.url, "index")
    assert index.returncode == 0, index.stderr
    assert "1 file with problems" in index.stdout
    assert index.stderr.count("broken.md: error: ") == 1  # which file, and why
    found = json.loads(git_cli(home, repo.url, "search", "neon", "--json").stdout)
    assert found and all(r["path"] != "broken.md" for r in found)


def test_a_failed_fetch_warns_and_indexes_the_last_good_checkout(
    repo: Repo, home: Path, tmp_path: Path
) -> None:
    assert git_cli(home, repo.url, "index").returncode == 0
    repo.path.rename(tmp_path / "gone")
    out = git_cli(home, repo.url, "index")
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "last good checkout" in warnings[0]
    assert "3 unchanged" in out.stdout


def test_no_checkout_and_no_fetch_is_one_line_and_exit_2(home: Path, tmp_path: Path) -> None:
    for command in ("index", "search"):
        args = (command, "x") if command == "search" else (command,)
        out = git_cli(home, (tmp_path / "nowhere").as_uri(), *args)
        assert out.returncode == 2
        assert out.stderr.startswith("promptbot: PROMPTBOT_LIBRARY_GIT: ")
        assert len(out.stderr.strip().splitlines()) == 1
        assert not (home / "data" / "library.git-checkout").exists()


def test_credentials_never_reach_the_output(home: Path) -> None:
    url = "https://tok3n-user:hunter2secret@127.0.0.1:1/x.git"
    out = git_cli(home, url, "index", LOG_LEVEL="DEBUG")
    assert out.returncode == 2
    assert "127.0.0.1" in out.stderr
    assert "hunter2secret" not in out.stderr + out.stdout
    assert "tok3n-user" not in out.stderr + out.stdout


def test_a_missing_git_path_is_one_line(repo: Repo, home: Path) -> None:
    out = cli(
        "index",
        cwd=home,
        PROMPTBOT_LIBRARY_GIT=repo.url,
        PROMPTBOT_LIBRARY_GIT_PATH="no-such-folder",
    )
    assert out.returncode == 2
    assert out.stderr.strip().endswith(
        "PROMPTBOT_LIBRARY_GIT_PATH: the repository has no folder 'no-such-folder'"
    )


def test_check_of_an_explicit_folder_needs_no_repository(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "a.md").write_text(prompt_doc("Plain", "x", ("y",), "Body."), encoding="utf-8")
    out = git_cli(home, (tmp_path / "nowhere").as_uri(), "check", str(folder))
    assert out.returncode == 0, out.stderr
    assert not (home / "data").exists()
