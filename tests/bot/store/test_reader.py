"""A generation reader sees one generation of the index, whatever commits meanwhile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.store.index import Index
from bot.store.reader import GenerationReader
from tests.bot.store.test_index import doc, write


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    write(root, "portraits/rain.md", doc("Neon Rain"))
    write(root, "portraits/studio.md", doc("Studio Light"))
    return root


async def test_reads_stay_on_their_generation_while_a_refresh_commits(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.store.index as index_module

    db = tmp_path / "i.sqlite3"
    async with Index(db) as index:
        await index.refresh(library)
        old = GenerationReader(db)
        assert old.count == 2 and old.get("portraits/rain").title == "Neon Rain"
        rain = library / "portraits" / "rain.md"
        rain.write_text(doc("Neon Rain At Dawn"), encoding="utf-8")
        os.utime(rain, ns=(5, 5))
        (library / "portraits" / "studio.md").unlink()
        for n in range(3):
            write(library, f"more/extra-{n}.md", doc(f"Extra {n}", category="more"))
        monkeypatch.setattr(index_module, "WRITE_BATCH", 1)
        during: list[tuple[int, str | None]] = []
        take = index_module._take

        def take_and_read(pairs, n):  # between batches: the refresh is half written
            with GenerationReader(db) as mid:
                prompt = mid.get("portraits/rain")
                during.append((mid.count, prompt and prompt.title))
            return take(pairs, n)

        monkeypatch.setattr(index_module, "_take", take_and_read)
        summary = await index.refresh(library)
        assert (summary.added, summary.updated, summary.removed) == (3, 1, 1)
    assert set(during) == {(2, "Neon Rain")}  # a reader opened mid-refresh: the old generation
    # The reader opened before keeps its generation after the commit, for rows it never read too.
    assert old.get("portraits/studio").title == "Studio Light"
    assert old.get("more/extra-0") is None
    assert old.get("portraits/rain").title == "Neon Rain"
    assert len(old.ids()) == 2
    old.close()
    with GenerationReader(db) as new:
        assert new.count == 4
        assert new.get("portraits/rain").title == "Neon Rain At Dawn"
        assert new.get("portraits/studio") is None
        assert sorted(new.ids())[0] == "more/extra-0"


def test_the_cache_is_bounded(library: Path, tmp_path: Path) -> None:
    import asyncio

    db = tmp_path / "i.sqlite3"

    async def build() -> None:
        async with Index(db) as index:
            await index.refresh(library)

    asyncio.run(build())
    with GenerationReader(db, cache=1) as reader:
        first = reader.get("portraits/rain")
        assert reader.get("portraits/rain") is first  # cached
        reader.get("portraits/studio")
        assert reader.get("portraits/rain") is not first  # evicted, read again
        assert reader.get("portraits/rain") == first


async def test_stored_terms_come_in_the_order_asked_whatever_the_batches(
    library: Path, tmp_path: Path
) -> None:
    from bot.search.analysis import body_terms
    from bot.search.inverted import derived

    for n in range(5):
        write(library, f"more/extra-{n}.md", doc(f"Extra {n}"))
    db = tmp_path / "i.sqlite3"
    async with Index(db, derive=derived) as index:
        await index.refresh(library)
    with GenerationReader(db) as reader:
        rows = [n for n, *_ in reader.heads()]
        expected = {n: body_terms(reader.prompt_at(n)) for n in rows}
        order = [*rows[::-1], max(rows) + 1, *rows[:2]]  # a row that is not there reads empty
        for batch in (1, 2, 500):
            got = list(reader.body_terms(order, batch=batch))
            assert got == [expected.get(n, "") for n in order]
    assert len(set(expected.values())) == len(rows)  # each row its own terms
