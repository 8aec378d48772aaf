"""The layering contracts of pyproject.toml's ``[tool.importlinter]``, checked by import-linter
itself: the stages import only downwards, and only app, render and cogs import discord."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.skip("import-linter is not installed (it is in the test extras)")
    done = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_no_stage_below_render_imports_discord() -> None:
    """The same rule read straight from the source, independent of import-linter."""
    for stage in ("library", "store", "search"):
        for path in (ROOT / "bot" / stage).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "import discord" not in text and "from discord" not in text, path


def test_ruff_is_clean() -> None:
    """The lint rules of pyproject.toml (pycodestyle, pyflakes, bugbear, RUF, complexity)."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed (it is in the test extras)")
    done = subprocess.run(
        [ruff, "check", "--no-cache", "bot", "cogs", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
