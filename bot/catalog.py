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
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.models import Prompt
from bot.search import Facets, Hit, SearchEngine
from bot.search.analysis import body_terms
from bot.store.index import Index, RefreshSummary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One consistent, immutable view of the library: the only thing the request
    path reads.  Lookups, search, autocomplete, random picks and the category
    and tag facets all answer from the same generation of prompts, so a prompt
    that one call returns is known to every other call on this snapshot."""

    engine: SearchEngine

    @classmethod
    def build(cls, prompts: list[Prompt], body_terms: list[str] | None = None) -> Snapshot:
        return cls(engine=SearchEngine.build(prompts, body_terms))

    @property
    def facets(self) -> Facets:
        return self.engine.facets

    def __len__(self) -> int:
        return len(self.engine)

    def get(self, prompt_id: str) -> Prompt | None:
        return self.engine.get(prompt_id)

    def search(
        self, query: str, *, category: str | None = None, tag: str | None = None, limit: int = 10
    ) -> list[Hit]:
        return self.engine.search(query, category=category, tag=tag, limit=limit)

    def autocomplete(self, query: str, *, limit: int = 25) -> list[Hit]:
        return self.engine.autocomplete(query, limit=limit)

    def similar(self, prompt_id: str, *, limit: int = 5) -> list[Hit]:
        """Up to ``limit`` other prompts like ``prompt_id`` (not its near-duplicates)."""
        return self.engine.similar(prompt_id, limit=limit)

    def random(self, category: str | None = None, tag: str | None = None) -> Prompt | None:
        """Uniform among the prompts under both filters; None only when none has both."""
        return self.facets.random(category, tag)


class Catalog:
    """``async with Catalog(settings) as catalog:`` opens the index, refreshes it
    and builds the first snapshot."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index = Index(settings.db, derive=body_terms)
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
