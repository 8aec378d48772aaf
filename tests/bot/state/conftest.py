"""The backends that ``test_contract.py`` runs against, every test once per backend.

Extension point: ``BACKENDS`` maps a name to an async context manager factory
that takes the fixture request (for fixtures such as ``tmp_path`` or
``postgres_dsn``) and yields a *target* for a fresh, empty store (what
``bot.state.open_state`` accepts: a path or a ``postgresql://`` URL), and cleans
it up on exit.  Opening the same target again must reach the same data (the
close/reopen tests).  A backend that needs a server it does not have skips with
the reason: ``postgres_dsn`` does so when PostgreSQL's server binaries are
missing (``tests/support/postgres.py`` starts a throwaway server otherwise).
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
async def sqlite_target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    tmp_path: Path = request.getfixturevalue("tmp_path")
    yield tmp_path / "state" / "state.sqlite3"  # the folder does not exist yet


@contextlib.asynccontextmanager
async def postgres_target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    yield request.getfixturevalue("postgres_dsn")  # a fresh database on the test server


BACKENDS: dict[str, Callable[[pytest.FixtureRequest], AbstractAsyncContextManager[Target]]] = {
    "sqlite": sqlite_target,
    "postgresql": postgres_target,
}


@pytest.fixture(params=sorted(BACKENDS))
async def state_target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    async with BACKENDS[request.param](request) as target:
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
