"""The library as the bot serves it: the SQLite index plus the in-memory search
engine built from it.

``reload`` refreshes the index incrementally and, when anything changed, builds
a new engine off the event loop and swaps it in with one assignment, so a query
never sees a half-built index; a broken file is only reported, the prompts that
were good stay served.  With ``PROMPTBOT_LIBRARY_GIT`` the catalog owns the
``GitSource``: it fetches before its first snapshot, and ``sync`` fetches and
reindexes as one step under the same lock as ``reload``, so a reindex never
reads a checkout that git is rewriting.  No Discord here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.gitsource import GitSource, GitSyncError, SyncResult
from bot.models import Prompt
from bot.search import Facets, Hit, SearchEngine
from bot.search.inverted import derived
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
    """``async with Catalog(settings) as catalog:`` fetches the repository (when
    the library follows one), opens the index, refreshes it and builds the
    first snapshot."""

    def __init__(self, settings: Settings, *, load_later: bool = False) -> None:
        """With ``load_later`` the first reload runs as a task (:attr:`first_load`)
        instead of in ``async with``: the bot connects to Discord meanwhile, and
        whatever needs the library waits for it with :meth:`loaded`."""
        self.settings = settings
        self._load_later = load_later
        self.first_load: asyncio.Task[RefreshSummary] | None = None
        self.index = Index(settings.db, derive=derived)
        self.source = GitSource.from_settings(settings)
        self.snapshot: Snapshot | None = None
        self.summary: RefreshSummary | None = None  # of the last reindex
        self.reloaded_at: datetime | None = None  # when it finished (UTC)
        self._indexed_commit: str | None = None
        self._lock = asyncio.Lock()
        self._holders: set[asyncio.Task[object]] = set()  # tasks in reload or sync
        self.reloads = 0  # reindexes begun (the first load too), for the metrics
        self.reload_failures = 0  # of those, and of fetches, the ones that failed

    async def __aenter__(self) -> Catalog:
        if self.source is not None:
            await self._first_sync(self.source)
        else:
            self.settings.require_library()  # before any file is created
        await self.index.open()
        if self._load_later:
            self.first_load = asyncio.create_task(self.reload(), name="first library load")
            return self
        try:
            await self.reload()
        except BaseException:  # __aexit__ is not called when __aenter__ fails
            await self.index.close()
            raise
        return self

    async def loaded(self) -> Snapshot:
        """The current snapshot, once the first load is done (at once after it);
        raises what the first load raised."""
        if self.snapshot is None and self.first_load is not None:
            await asyncio.shield(self.first_load)
        return self.current

    async def __aexit__(self, *exc: object) -> None:
        """A reload or sync still running (a "Sync now" pressed at shutdown) is
        cancelled, so the index is closed under nobody's feet."""
        for task in self._holders - {asyncio.current_task()}:
            task.cancel()
        if self.first_load is not None and not self.first_load.done():
            self.first_load.cancel()
        async with self._lock:
            await self.index.close()

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """The lock that orders reloads and syncs, held by a task that closing
        the catalog cancels."""
        task = asyncio.current_task()
        if task is not None:
            self._holders.add(task)
        try:
            async with self._lock:
                yield
        finally:
            if task is not None:
                self._holders.discard(task)

    @property
    def current(self) -> Snapshot:
        if self.snapshot is None:
            raise RuntimeError("the catalog is not loaded")
        return self.snapshot

    async def _first_sync(self, source: GitSource) -> None:
        """Before the first snapshot: a failed fetch is one warning when there is
        a checkout to serve, and stops the program (one line) when there is none."""
        try:
            await source.sync()
        except GitSyncError as err:
            if not source.has_checkout():
                raise source.no_checkout(err) from None
            log.warning(
                "library fetch failed: %s; serving the last good checkout (%s)",
                err,
                (source.status().commit or "?")[:12],
            )

    async def reload(self) -> RefreshSummary:
        async with self._exclusive():
            return await self._reload()

    async def sync(self, *, force: bool = True) -> tuple[SyncResult | None, RefreshSummary | None]:
        """Fetch the repository (when the library follows one) and reindex, as one
        step.  Without ``force`` an unchanged commit that is already indexed is
        not reindexed (``None``).  ``GitSyncError``: nothing changed, the last
        good checkout and index stay served."""
        async with self._exclusive():
            try:
                result = await self.source.sync() if self.source is not None else None
            except Exception:
                self.reload_failures += 1
                raise
            if not force and result is not None and result.commit == self._indexed_commit:
                return result, None
            return result, await self._reload()

    async def _reload(self) -> RefreshSummary:
        self.reloads += 1
        try:
            return await self._reindex()
        except Exception:  # the last good snapshot stays served
            self.reload_failures += 1
            raise

    async def _reindex(self) -> RefreshSummary:
        commit = self.source.status().commit if self.source is not None else None
        summary = await self.index.refresh(self.settings.require_library())
        if summary.changed or self.snapshot is None:
            self.snapshot = await self._load()
        self.summary, self.reloaded_at = summary, datetime.now(UTC)
        self._indexed_commit = commit
        log.info("library %s: %s", self.settings.library, summary.line())
        for problem in summary.problems:
            if problem.severity == "error":
                log.warning("%s", problem.line())
        return summary

    async def _load(self) -> Snapshot:
        """The snapshot of the index as it is now: read from the index (its search
        parts stored there, prompts read on demand), or built in memory for an
        index that is not a file."""
        if str(self.settings.db) == ":memory:":
            prompts, terms = await self.index.prompts_and_terms()
            return await asyncio.to_thread(Snapshot.build, prompts, terms)
        from bot.stored_snapshot import load_snapshot

        return await asyncio.to_thread(load_snapshot, self.settings.db)

    async def watch(self, *, debounce_ms: int = 500) -> None:
        """Reload whenever the library folder changes, until cancelled."""
        import watchfiles

        library: Path = self.settings.library
        async for _changes in watchfiles.awatch(library, debounce=debounce_ms, recursive=True):
            try:
                await self.reload()
            except Exception:  # a failed reload keeps serving the last good snapshot
                log.exception("reloading the library failed; still serving the previous index")
