"""``bot.state`` stands alone: no Discord, and nothing of the library index or search."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.state

FORBIDDEN = ("discord", "bot.store", "bot.search", "bot.render", "bot.library", "cogs")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_state_package_imports_no_discord_index_or_search() -> None:
    files = sorted(Path(bot.state.__file__).parent.glob("*.py"))
    assert len(files) >= 4
    bad = {
        f"{path.name}: {name}"
        for path in files
        for name in imported(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad
