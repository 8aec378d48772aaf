"""Real git repositories made by the tests (the "remote" a library follows).

Every git the tests run here ignores the machine's configuration
(``GIT_CONFIG_NOSYSTEM``, ``GIT_CONFIG_GLOBAL``), and each repository has its own
user name and e-mail, so nothing depends on how this machine is set up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SEEDS = Path(__file__).parents[2] / "seeds"


def git_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
    )
    env.update(extra)
    return env


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=env or git_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


class Repo:
    """A non-bare repository on disk whose ``url`` is a ``file://`` URL."""

    def __init__(self, path: Path, branch: str = "main") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "--quiet", f"--initial-branch={branch}")
        git(path, "config", "user.name", "Test Author")
        git(path, "config", "user.email", "author@example.org")

    @property
    def url(self) -> str:
        return self.path.as_uri()

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def write(self, rel: str, text: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def remove(self, rel: str) -> None:
        self.git("rm", "--quiet", "-r", "--", rel)

    def commit(self, message: str = "change") -> str:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def add_gallery(self) -> None:
        """The seeds laid out like a gallery repository: ``prompts/`` and ``public/``."""
        for md in SEEDS.rglob("*.md"):
            self.write(f"prompts/{md.relative_to(SEEDS)}", md.read_bytes())
        shutil.copytree(SEEDS / "media", self.path / "public" / "media", dirs_exist_ok=True)
        self.write("README.md", "# A gallery\n")


def gallery_repo(path: Path, extra: dict[str, str] | None = None) -> Repo:
    """A repository at ``path`` holding the seeds as a gallery (``add_gallery``) and
    the ``extra`` files (path -> text), committed as "the gallery"."""
    repo = Repo(path)
    repo.add_gallery()
    for rel, text in (extra or {}).items():
        repo.write(rel, text)
    repo.commit("the gallery")
    return repo


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file below ``root`` except ``.git``: its bytes, or ``-> target`` for a symlink."""
    files: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        if path.is_symlink():
            files[rel] = f"-> {os.readlink(path)}"
        elif path.is_file():
            files[rel] = path.read_bytes()
    return files
