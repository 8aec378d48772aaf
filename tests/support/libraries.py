"""A small test library on disk: the seeds (with their media) plus generated prompts."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import pytest

SEEDS = Path(__file__).parents[2] / "seeds"


def prompt_doc(title: str, category: str, tags: tuple[str, ...], body: str) -> str:
    tag_lines = "".join(f"  - {t}\n" for t in tags)
    post = zlib.crc32(title.encode())
    return (
        f"---\ntitle: '{title}'\ncategory: {category}\ntags:\n{tag_lines}author: '@someone'\n"
        f"source_url: 'https://x.com/someone/status/{post}'\n---\n\nAbout {title}.\n\n"
        f"## Prompt\n\n{body}\n"
    )


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The seeds (with their media) plus a larger 'animals' category and a long prompt."""
    root = tmp_path / "library"
    shutil.copytree(SEEDS, root)
    animals = root / "animals"
    animals.mkdir()
    for n in range(23):
        (animals / f"animal-{n:02d}.md").write_text(
            prompt_doc(
                f"Animal Portrait {n:02d}",
                "animals",
                ("animal", f"kind{n % 3}"),
                f"A portrait of animal number {n} in soft light.",
            ),
            encoding="utf-8",
        )
    long_body = " ".join(f"word{n}" for n in range(1500))  # ~10,000 characters
    (animals / "very-long.md").write_text(
        prompt_doc("Endless Savanna Epic", "animals", ("animal", "long"), long_body),
        encoding="utf-8",
    )
    return root
