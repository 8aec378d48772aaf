"""The backends that ``test_contract.py`` runs against, every test once per backend.

Extension point: ``BACKENDS`` maps a name to an async context manager factory
that takes pytest's ``tmp_path`` and yields a *target* for a fresh, empty store
(what ``bot.state.open_state`` accepts: a path or a ``postgresql://`` URL), and
cleans it up on exit.  Opening the same target again must reach the same data
(the close/reopen tests).  A backend that needs a server it does not have calls
``pytest.skip`` with the reason.  The PostgreSQL backend adds, for example::

    @contextlib.asynccontextmanager
    async def postgres_target(tmp_path):
        url = os.environ.get("PROMPTBOT_TEST_POSTGRES") or pytest.skip("...")
        ... create a throwaway database, yield its URL, drop it ...

    BACKENDS["postgresql"] = postgres_target

and the contract tests run against it unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from bot.state import StateStore, open_state

Target = str | Path


@contextlib.asynccontextmanager
async def sqlite_target(tmp_path: Path) -> AsyncIterator[Target]:
    yield tmp_path / "state" / "state.sqlite3"  # the folder does not exist yet


BACKENDS: dict[str, Callable[[Path], AbstractAsyncContextManager[Target]]] = {
    "sqlite": sqlite_target,
}


@pytest.fixture(params=sorted(BACKENDS))
async def state_target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Target]:
    async with BACKENDS[request.param](tmp_path) as target:
        yield target


@pytest.fixture
def reopen(state_target: Target) -> Callable[..., StateStore]:
    """Another store on the same target: ``async with reopen(favorites_cap=3) as s``."""

    def make(**options: Any) -> StateStore:
        return open_state(state_target, **options)

    return make


@pytest.fixture
async def state_store(reopen: Callable[..., StateStore]) -> AsyncIterator[StateStore]:
    async with reopen() as store:
        yield store
