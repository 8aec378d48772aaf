"""Corpus loading for the benchmarks, through the project's own loader.

The corpus is found the way the tests find it: ``--corpus DIR`` or the
``PROMPTBOT_TEST_CORPUS`` variable (``.ci/run`` sets it to ``../shared/corpus``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.library import load_library
from bot.models import Prompt

CORPUS_ENV = "PROMPTBOT_TEST_CORPUS"
LOADER = ["bot.library.load_library"]


def corpus_root(arg: str | None = None) -> Path:
    """The corpus folder from ``--corpus`` or the environment; exits with one line if neither."""
    value = arg or os.environ.get(CORPUS_ENV)
    if not value:
        sys.exit(f"no corpus: pass --corpus DIR or set {CORPUS_ENV} (e.g. ../shared/corpus)")
    root = Path(value)
    if not root.is_dir():
        sys.exit(f"{CORPUS_ENV}: folder '{root}' does not exist")
    return root


def load_corpus(root: Path) -> list[Prompt]:
    """All prompts of the corpus (``example-*`` placeholders of samuxbuilds included)."""
    prompts, _problems = load_library(root)
    return list(prompts)
