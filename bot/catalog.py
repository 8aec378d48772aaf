"""The library as the bot serves it: the SQLite index plus the in-memory search
engine built from it.

``reload`` refreshes the index incrementally and, when anything changed, builds
a new engine off the event loop and swaps it in with one assignment, so a query
never sees a half-built index; a broken file is only reported, the prompts that
were good stay served.  No Discord here.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings
from bot.models import Prompt
from bot.search.engine import SearchEngine
from bot.store.index import Index, RefreshSummary
from bot.text import fold

log = logging.getLogger(__name__)


def _ranked(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], fold(kv[0]))))


@dataclass(frozen=True)
class Snapshot:
    """One consistent view of the library: the engine and the listings that go with it."""

    engine: SearchEngine
    categories: tuple[tuple[str, int], ...] = ()  # the engine's, computed once
    by_category: dict[str, tuple[Prompt, ...]] = field(default_factory=dict, repr=False)
    tags_by_category: dict[str, tuple[tuple[str, int], ...]] = field(
        default_factory=dict, repr=False
    )
    _tag_keys: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, prompts: list[Prompt], body_terms: list[str] | None = None) -> Snapshot:
        grouped: dict[str, list[Prompt]] = {}
        tag_names: dict[str, str] = {}
        per_category: dict[str, Counter[str]] = {}
        for prompt in prompts:
            key = fold(prompt.category)
            grouped.setdefault(key, []).append(prompt)
            distinct = {fold(t): t for t in prompt.tags}.values()
            for tag in distinct:
                tag_names.setdefault(fold(tag), tag)
            per_category.setdefault(key, Counter()).update(distinct)
        engine = SearchEngine.build(prompts, body_terms)
        return cls(
            engine=engine,
            categories=tuple(engine.categories()),
            by_category={
                key: tuple(sorted(group, key=lambda p: (fold(p.title), p.id)))
                for key, group in grouped.items()
            },
            tags_by_category={key: _ranked(c) for key, c in per_category.items()},
            _tag_keys=tag_names,
        )

    def category(self, name: str) -> str | None:
        """The library's spelling of a category, matched case- and accent-blind."""
        group = self.by_category.get(fold(name))
        return group[0].category if group else None

    def tag(self, name: str) -> str | None:
        return self._tag_keys.get(fold(name))

    def prompts_in(self, category: str) -> tuple[Prompt, ...]:
        return self.by_category.get(fold(category), ())

    def tags_in(self, category: str) -> tuple[tuple[str, int], ...]:
        return self.tags_by_category.get(fold(category), ())


class Catalog:
    """``async with Catalog(settings) as catalog:`` opens the index, refreshes it
    and builds the first snapshot."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index = Index(settings.db)
        self.snapshot: Snapshot | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Catalog:
        self.settings.require_library()  # before any file is created
        await self.index.open()
        try:
            await self.reload()
        except BaseException:  # __aexit__ is not called when __aenter__ fails
            await self.index.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.index.close()

    @property
    def current(self) -> Snapshot:
        if self.snapshot is None:
            raise RuntimeError("the catalog is not loaded")
        return self.snapshot

    async def reload(self) -> RefreshSummary:
        async with self._lock:
            summary = await self.index.refresh(self.settings.require_library())
            changed = summary.added or summary.updated or summary.removed
            if changed or self.snapshot is None:
                prompts, terms = await self.index.prompts_and_terms()
                self.snapshot = await asyncio.to_thread(Snapshot.build, prompts, terms)
            log.info("library %s: %s", self.settings.library, summary.line())
            for problem in summary.problems:
                if problem.severity == "error":
                    log.warning("%s", problem.line())
            return summary

    async def watch(self, *, debounce_ms: int = 500) -> None:
        """Reload whenever the library folder changes, until cancelled."""
        import watchfiles

        library: Path = self.settings.library
        async for _changes in watchfiles.awatch(library, debounce=debounce_ms, recursive=True):
            try:
                await self.reload()
            except Exception:  # a failed reload keeps serving the last good snapshot
                log.exception("reloading the library failed; still serving the previous index")
