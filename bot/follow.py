"""Keeping the served library current while the bot runs, and its status.

With ``PROMPTBOT_LIBRARY_GIT`` the bot fetches every ``PROMPTBOT_GIT_INTERVAL``
seconds (``follow``) and serves a new commit through the catalog's incremental
reindex and hot swap; a failed fetch is one warning (redacted), the last good
checkout stays served and the next try comes sooner (``next_delay``'s backoff,
capped at the interval).  Without it the folder is watched for changes.  The
git checkout is rewritten only by a sync, under the catalog's lock, so the
folder watcher is not run then.

``sync_now`` is what the admin's "Sync now" does; ``library_status`` what
``/library`` shows.  No Discord here.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.catalog import Catalog
from bot.config import ConfigError
from bot.gitsource import GitSyncError, next_delay
from bot.models import LibraryStatus, Problem, SyncOutcome

log = logging.getLogger(__name__)


async def keep_current(catalog: Catalog) -> None:
    """The library's one background task, until cancelled: follow the
    repository, or watch the folder."""
    if catalog.source is None:
        await catalog.watch()
    else:
        await follow(catalog, catalog.settings.git_interval)


async def follow(catalog: Catalog, interval: int) -> None:
    """Fetch and reindex every ``interval`` seconds (sooner, backing off, after a
    failure); returns at once when ``interval`` is 0 (fetch only at start)."""
    source = catalog.source
    if source is None:
        raise ValueError("the library does not follow a repository")
    while (delay := next_delay(source.status().failures, interval)) is not None:
        await asyncio.sleep(delay)
        try:
            await sync_now(catalog, force=False)
        except Exception:  # a bug must not stop the following; the last index stays served
            log.exception("following the library's repository failed; still serving the index")


async def sync_now(catalog: Catalog, *, force: bool = True) -> SyncOutcome:
    """Fetch (when the library follows a repository) and reindex at once.

    An expected failure (the fetch, or a new commit without the library's
    folder) is logged as one warning and returned as the outcome's ``error``;
    the last good checkout and index stay served.  Anything else raises."""
    source = catalog.source
    before = source.status().commit if source is not None else None
    try:
        result, summary = await catalog.sync(force=force)
    except (GitSyncError, ConfigError) as err:
        still = f"still serving {before[:12]}" if before else "still serving the last index"
        what = "fetch" if isinstance(err, GitSyncError) else "reindex"
        log.warning("library %s failed: %s; %s", what, err, still)
        after = source.status().commit if source is not None else None
        return SyncOutcome(before, after, False, None, error=f"{what}: {err}")
    changed = result is not None and result.changed
    if summary is not None:
        changed = changed or summary.changed
    return SyncOutcome(
        before,
        result.commit if result is not None else None,
        changed,
        summary.line() if summary is not None else None,
    )


def library_status(catalog: Catalog) -> LibraryStatus:
    """What ``/library`` shows, from the catalog's current state."""
    settings, summary, snapshot = catalog.settings, catalog.summary, catalog.snapshot
    source = catalog.source
    problems: tuple[Problem, ...] = tuple(summary.problems) if summary is not None else ()
    if source is not None and source.library:  # paths as they are in the repository
        problems = tuple(
            Problem(f"{source.library}/{p.path}", p.severity, p.message) for p in problems
        )
    status = LibraryStatus(
        folder=str(settings.library) if source is None else (source.library or "."),
        prompts=len(snapshot) if snapshot is not None else 0,
        categories=len(snapshot.facets.categories) if snapshot is not None else 0,
        problem_files=summary.problem_files if summary is not None else 0,
        problems=problems,
        reindexed_at=catalog.reloaded_at,
    )
    if source is None:
        return status
    git = source.status()
    return replace(
        status,
        repository=git.url,
        ref=git.ref,
        commit=git.commit,
        fetched_at=git.last_fetch,
        fetch_error=git.last_error,
        fetch_error_at=git.last_error_at,
        interval=settings.git_interval,
    )
