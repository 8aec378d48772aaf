"""The state store's contract, run against every backend in ``conftest.BACKENDS``.

Only the public interface is used here (no SQL, no backend internals), so a new
backend passes these tests unchanged or is wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.state import (
    USAGE_RETENTION,
    Favorite,
    FavoritesFull,
    ForgetSummary,
    StateError,
    StateStore,
    StateUnavailable,
)
from bot.state.base import MAX_TITLE

ALICE = 111_111_111_111_111_111
BOB = 222_222_222_222_222_222
GUILD = 333_333_333_333_333_333
OTHER_GUILD = 444_444_444_444_444_444
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
Reopen = Callable[..., StateStore]


# favourites


async def test_add_and_remove_are_idempotent(state_store: StateStore) -> None:
    assert not await state_store.is_favorite(ALICE, "portraits/rain")
    assert await state_store.add_favorite(ALICE, "portraits/rain", "Neon Rain") is True
    assert await state_store.add_favorite(ALICE, "portraits/rain", "Neon Rain") is False
    assert await state_store.is_favorite(ALICE, "portraits/rain")
    assert await state_store.count_favorites(ALICE) == 1
    assert await state_store.remove_favorite(ALICE, "portraits/rain") is True
    assert await state_store.remove_favorite(ALICE, "portraits/rain") is False
    assert not await state_store.is_favorite(ALICE, "portraits/rain")
    assert await state_store.count_favorites(ALICE) == 0


async def test_toggle_returns_whether_it_is_saved_now(state_store: StateStore) -> None:
    assert await state_store.toggle_favorite(ALICE, "a", "A") is True
    assert await state_store.is_favorite(ALICE, "a")
    assert await state_store.toggle_favorite(ALICE, "a", "A") is False
    assert not await state_store.is_favorite(ALICE, "a")
    assert await state_store.toggle_favorite(ALICE, "a", "A") is True
    assert await state_store.count_favorites(ALICE) == 1


async def test_newest_first_with_pages(state_store: StateStore) -> None:
    before = datetime.now(UTC)
    for n in range(5):
        await state_store.add_favorite(ALICE, f"p/{n}", f"Title {n}")
    await state_store.add_favorite(ALICE, "p/1", "renamed")  # already saved: nothing moves
    after = datetime.now(UTC)
    pages = [await state_store.list_favorites(ALICE, offset=o, limit=2) for o in (0, 2, 4, 6)]
    assert [[f.prompt_id for f in page] for page in pages] == [
        ["p/4", "p/3"],
        ["p/2", "p/1"],
        ["p/0"],
        [],
    ]
    everything = await state_store.list_favorites(ALICE, limit=100)
    assert [f.title for f in everything] == [f"Title {n}" for n in (4, 3, 2, 1, 0)]
    assert all(before <= f.saved_at <= after and f.saved_at.tzinfo is not None for f in everything)
    assert await state_store.count_favorites(ALICE) == 5


async def test_members_are_isolated(state_store: StateStore) -> None:
    await state_store.add_favorite(ALICE, "p/shared", "Shared")
    await state_store.add_favorite(ALICE, "p/alice", "Alice's")
    assert await state_store.list_favorites(BOB) == []
    assert await state_store.count_favorites(BOB) == 0
    assert not await state_store.is_favorite(BOB, "p/alice")
    assert await state_store.favorite_ids(BOB, ["p/shared", "p/alice"]) == frozenset()
    assert await state_store.remove_favorite(BOB, "p/alice") is False
    assert await state_store.add_favorite(BOB, "p/shared", "Shared") is True
    assert await state_store.remove_favorite(BOB, "p/shared") is True
    assert [f.prompt_id for f in await state_store.list_favorites(ALICE)] == ["p/alice", "p/shared"]


async def test_favorite_ids_marks_many_cards_at_once(state_store: StateStore) -> None:
    saved = {"p/7", "p/512", "p/1199"}
    for prompt_id in sorted(saved):
        await state_store.add_favorite(ALICE, prompt_id, prompt_id)
    shown = [f"p/{n}" for n in range(1200)] + ["p/7"]  # more ids than one query takes
    assert await state_store.favorite_ids(ALICE, shown) == saved
    assert await state_store.favorite_ids(ALICE, []) == frozenset()


async def test_the_cap_is_per_member_and_clear(reopen: Reopen) -> None:
    async with reopen(favorites_cap=3) as store:
        for n in range(3):
            assert await store.add_favorite(ALICE, f"p/{n}", "x")
        with pytest.raises(FavoritesFull) as err:
            await store.add_favorite(ALICE, "p/3", "x")
        assert err.value.limit == 3 and isinstance(err.value, StateError)
        assert await store.add_favorite(ALICE, "p/0", "x") is False  # already saved: no error
        assert await store.count_favorites(ALICE) == 3
        assert not await store.is_favorite(ALICE, "p/3")
        assert await store.add_favorite(BOB, "p/3", "x")  # another member is not affected
        assert await store.remove_favorite(ALICE, "p/0")
        assert await store.add_favorite(ALICE, "p/3", "x")


async def test_a_favourite_outlives_its_prompt(state_store: StateStore) -> None:
    """The store does not know the library: it keeps the id and the title as saved."""
    await state_store.add_favorite(ALICE, "gone/deleted-from-library", "Café 'Noir' 🌙")
    (favorite,) = await state_store.list_favorites(ALICE)
    assert isinstance(favorite, Favorite)
    assert (favorite.prompt_id, favorite.title) == ("gone/deleted-from-library", "Café 'Noir' 🌙")
    assert await state_store.remove_favorite(ALICE, "gone/deleted-from-library")


async def test_text_is_kept_verbatim_and_long_titles_are_clipped(state_store: StateStore) -> None:
    hostile = "x'); DROP TABLE favorites; --"
    title = 'Quote " and \\ backslash\nsecond line ✨'
    await state_store.add_favorite(ALICE, hostile, title)
    await state_store.add_favorite(ALICE, "long", "t" * (MAX_TITLE + 50))
    listed = {f.prompt_id: f.title for f in await state_store.list_favorites(ALICE)}
    assert listed == {hostile: title, "long": "t" * MAX_TITLE}


@pytest.mark.parametrize(
    ("call", "arguments"),
    [
        ("add_favorite", (0, "p", "t")),
        ("add_favorite", (-5, "p", "t")),
        ("add_favorite", (2**63, "p", "t")),
        ("add_favorite", (True, "p", "t")),
        ("add_favorite", ("111", "p", "t")),
        ("add_favorite", (ALICE, "", "t")),
        ("add_favorite", (ALICE, "   ", "t")),
        ("add_favorite", (ALICE, "p" * 256, "t")),
        ("add_favorite", (ALICE, "bad\ud800", "t")),
        ("add_favorite", (ALICE, "p", "")),
        ("remove_favorite", (ALICE, None)),
        ("favorite_ids", (ALICE, ["ok", ""])),
    ],
)
async def test_bad_arguments_are_value_errors(
    state_store: StateStore, call: str, arguments: tuple[object, ...]
) -> None:
    with pytest.raises(ValueError):
        await getattr(state_store, call)(*arguments)
    assert await state_store.count_favorites(ALICE) == 0


async def test_bad_keyword_arguments_are_value_errors(state_store: StateStore) -> None:
    naive = datetime(2025, 1, 1)
    with pytest.raises(ValueError):
        await state_store.record_served("p", guild_id=None, user_id=ALICE, at=naive)
    with pytest.raises(ValueError):
        await state_store.top(guild_id=None, user_id=None, since=naive)
    with pytest.raises(ValueError):
        await state_store.prune_usage(naive)
    with pytest.raises(ValueError):
        await state_store.record_served("p", guild_id=0, user_id=ALICE)
    with pytest.raises(ValueError):
        await state_store.list_favorites(ALICE, limit=0)
    with pytest.raises(ValueError):
        await state_store.list_favorites(ALICE, offset=-1)
    assert await state_store.top(guild_id=None, user_id=None) == []


# usage


async def _serve(store: StateStore, rows: list[tuple[str, int | None, int | None, datetime]]):
    for prompt_id, guild_id, user_id, at in rows:
        await store.record_served(prompt_id, guild_id=guild_id, user_id=user_id, at=at)


async def test_usage_is_counted_per_server_member_and_period(state_store: StateStore) -> None:
    old = T0 - timedelta(days=10)
    await _serve(
        state_store,
        [
            ("p/a", GUILD, ALICE, T0),
            ("p/a", GUILD, ALICE, old),
            ("p/a", GUILD, BOB, T0),
            ("p/b", GUILD, ALICE, T0),
            ("p/a", OTHER_GUILD, BOB, T0),
            ("p/c", None, ALICE, T0),  # DMs
            ("p/c", None, ALICE, old),
        ],
    )
    top = state_store.top
    assert await top(guild_id=GUILD, user_id=None) == [("p/a", 3), ("p/b", 1)]
    assert await top(guild_id=OTHER_GUILD, user_id=None) == [("p/a", 1)]
    assert await top(guild_id=None, user_id=ALICE) == [("p/a", 2), ("p/c", 2), ("p/b", 1)]
    assert await top(guild_id=GUILD, user_id=BOB) == [("p/a", 1)]
    assert await top(guild_id=None, user_id=None) == [("p/a", 4), ("p/c", 2), ("p/b", 1)]
    since = T0 - timedelta(days=1)
    assert await top(guild_id=GUILD, user_id=None, since=since) == [("p/a", 2), ("p/b", 1)]
    assert await top(guild_id=None, user_id=ALICE, since=since) == [
        ("p/a", 1),
        ("p/b", 1),
        ("p/c", 1),
    ]
    assert await top(guild_id=None, user_id=None, since=T0) == [("p/a", 3), ("p/b", 1), ("p/c", 1)]
    assert await top(guild_id=GUILD, user_id=None, limit=1) == [("p/a", 3)]
    (first,) = await top(guild_id=OTHER_GUILD, user_id=None)
    assert (first.prompt_id, first.served) == ("p/a", 1)
    assert await top(guild_id=555, user_id=None) == []


async def test_served_defaults_to_now_and_times_compare_across_zones(
    state_store: StateStore,
) -> None:
    await state_store.record_served("p/now", guild_id=GUILD, user_id=None)
    paris = datetime(2025, 6, 1, 14, 0, tzinfo=UTC).astimezone()  # the same instant as T0
    await state_store.record_served("p/then", guild_id=GUILD, user_id=None, at=paris)
    recent = await state_store.top(
        guild_id=GUILD, user_id=None, since=datetime.now(UTC) - timedelta(minutes=5)
    )
    assert recent == [("p/now", 1)]
    assert await state_store.top(guild_id=GUILD, user_id=None, since=T0 + timedelta(hours=2)) == [
        ("p/now", 1),
        ("p/then", 1),
    ]


async def test_prune_deletes_only_old_rows(state_store: StateStore) -> None:
    await _serve(
        state_store,
        [
            ("p/ancient", GUILD, ALICE, T0 - timedelta(days=100)),
            ("p/old", GUILD, ALICE, T0 - timedelta(days=50)),
            ("p/new", GUILD, ALICE, T0 - timedelta(days=1)),
        ],
    )
    assert await state_store.prune_usage(T0 - timedelta(days=50)) == 1  # strictly older only
    assert await state_store.top(guild_id=GUILD, user_id=None) == [("p/new", 1), ("p/old", 1)]
    assert await state_store.prune_usage(T0 - timedelta(days=50)) == 0


async def test_prune_by_default_keeps_the_retention_period(state_store: StateStore) -> None:
    now = datetime.now(UTC)
    await _serve(
        state_store,
        [
            ("p/expired", None, ALICE, now - USAGE_RETENTION - timedelta(days=1)),
            ("p/kept", None, ALICE, now - USAGE_RETENTION + timedelta(days=1)),
        ],
    )
    assert await state_store.prune_usage() == 1
    assert await state_store.top(guild_id=None, user_id=ALICE) == [("p/kept", 1)]


# members


async def test_forget_user_deletes_favourites_and_unlinks_usage(state_store: StateStore) -> None:
    await state_store.add_favorite(ALICE, "p/a", "A")
    await state_store.add_favorite(ALICE, "p/b", "B")
    await state_store.add_favorite(BOB, "p/a", "A")
    await _serve(
        state_store,
        [
            ("p/a", GUILD, ALICE, T0),
            ("p/a", GUILD, BOB, T0),
            ("p/b", None, ALICE, T0),
            ("p/b", GUILD, None, T0),
        ],
    )
    summary = await state_store.forget_user(ALICE)
    assert summary == ForgetSummary(favorites_deleted=2, usage_unlinked=2)
    assert await state_store.list_favorites(ALICE) == []
    assert await state_store.count_favorites(ALICE) == 0
    assert await state_store.top(guild_id=None, user_id=ALICE) == []
    # the server's counts stay; so does everything of Bob's
    assert await state_store.top(guild_id=GUILD, user_id=None) == [("p/a", 2), ("p/b", 1)]
    assert await state_store.top(guild_id=None, user_id=None) == [("p/a", 2), ("p/b", 2)]
    assert await state_store.top(guild_id=None, user_id=BOB) == [("p/a", 1)]
    assert [f.prompt_id for f in await state_store.list_favorites(BOB)] == ["p/a"]
    assert await state_store.forget_user(ALICE) == ForgetSummary(0, 0)
    assert await state_store.add_favorite(ALICE, "p/a", "A")  # a member may start again


# durability and concurrency


async def test_data_survives_close_and_reopen(state_store: StateStore, reopen: Reopen) -> None:
    await state_store.add_favorite(ALICE, "p/a", "Alpha")
    await state_store.add_favorite(ALICE, "p/b", "Beta")
    await state_store.record_served("p/a", guild_id=GUILD, user_id=ALICE, at=T0)
    await state_store.close()
    await state_store.close()  # idempotent
    with pytest.raises(StateUnavailable):
        await state_store.add_favorite(ALICE, "p/c", "Gamma")
    async with reopen() as again:
        assert [(f.prompt_id, f.title) for f in await again.list_favorites(ALICE)] == [
            ("p/b", "Beta"),
            ("p/a", "Alpha"),
        ]
        assert await again.top(guild_id=GUILD, user_id=None) == [("p/a", 1)]
        await again.ping()


async def test_fifty_concurrent_saves_all_persist(state_store: StateStore, reopen: Reopen) -> None:
    members = [ALICE + n for n in range(5)]
    saves = [state_store.add_favorite(members[n % 5], f"p/{n}", f"Title {n}") for n in range(50)]
    served = [
        state_store.record_served(f"p/{n}", guild_id=GUILD, user_id=members[n % 5])
        for n in range(50)
    ]
    results = await asyncio.gather(*saves, *served)
    assert results[:50] == [True] * 50
    await state_store.close()
    async with reopen() as again:
        for k, member in enumerate(members):
            listed = await again.list_favorites(member, limit=100)
            assert sorted(f.prompt_id for f in listed) == sorted(f"p/{n}" for n in range(k, 50, 5))
        counts = await again.top(guild_id=GUILD, user_id=None, limit=100)
        assert len(counts) == 50 and all(c.served == 1 for c in counts)


async def test_concurrent_saves_of_one_favourite_store_it_once(state_store: StateStore) -> None:
    results = await asyncio.gather(*(state_store.add_favorite(BOB, "p/x", "X") for _ in range(20)))
    assert sorted(results) == [False] * 19 + [True]
    assert await state_store.count_favorites(BOB) == 1


async def test_concurrent_saves_respect_the_cap(reopen: Reopen) -> None:
    async with reopen(favorites_cap=10) as store:
        results = await asyncio.gather(
            *(store.add_favorite(ALICE, f"p/{n}", "x") for n in range(25)), return_exceptions=True
        )
        assert sum(r is True for r in results) == 10
        assert sum(isinstance(r, FavoritesFull) for r in results) == 15
        assert await store.count_favorites(ALICE) == 10
