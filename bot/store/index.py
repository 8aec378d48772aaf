"""The SQLite index of a prompt library (aiosqlite; WAL; parametrised SQL only).

``refresh`` is incremental: a file whose size and modification time are
unchanged is not read, one whose bytes are unchanged is not parsed, and files
that vanished are removed; when the scan's fingerprint is the last refresh's,
nothing is compared or written at all.  The parsed prompts are stored as JSON so that
loading them back (for the search engine) costs no parsing at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import aiosqlite

from bot.config import ConfigError
from bot.gcpause import gc_frozen
from bot.library.scan import LibraryFile, fingerprint, scan
from bot.models import Problem, Prompt
from bot.store.guard import Claim, claim_database, is_corruption, set_aside
from bot.store.parsing import Derive, Parsed, Progress, parse_stream, parser_version
from bot.store.schema import (
    INDEX_APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    prompt_from_json,
)
from bot.store.summary import RefreshSummary
from bot.store.writes import FileRow, close_generation, forget_files, write_batch

log = logging.getLogger(__name__)


_CANNOT_WRITE = ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM")
WRITE_BATCH = 1000  # parsed files written per round of statements
PAGE_SIZE = 8192  # bytes, for a new index file


def _take(pairs: Iterator[tuple[LibraryFile, Parsed | None]], n: int) -> list:
    """The next ``n`` parse results (fewer at the end), in a worker thread: waiting
    for the parse pool must not block the event loop."""
    return list(itertools.islice(pairs, n))


def _scanned(library: Path) -> tuple[list[LibraryFile], list[Problem], str]:
    """The library's files, the scan's problems and their fingerprint: a refresh
    whose fingerprint is the one stored by the last refresh that committed
    (with the same parser) has nothing to compare, read or write."""
    files, problems = scan(library)
    return files, problems, fingerprint(files, problems)


class _NewerSchema(Exception):
    """Our index, from a newer promptbot: rebuilt, like a corrupt one."""


class Index:
    """``async with Index(path) as index:`` opens (creating, migrating or
    rebuilding) the database and closes it on exit.

    A file that promptbot did not write is refused with ConfigError and left
    untouched (:func:`bot.store.guard.claim_database`); only our own index is
    ever moved aside and rebuilt (corrupt, or from a newer promptbot).
    """

    def __init__(
        self, path: Path, *, derive: Derive | None = None, setting: str = "PROMPTBOT_DB"
    ) -> None:
        """``derive(prompt)``'s two texts are stored beside each prompt (the search
        index's terms and head, computed while parsing); without it, nothing is."""
        self.path = Path(path)
        self.setting = setting  # the variable named in a ConfigError about the path
        self.derive = derive
        self.parser_version = parser_version(derive.__module__ if derive else None)
        self._db: aiosqlite.Connection | None = None
        # A refresh is one transaction across many awaits on the one connection:
        # another task's statement (the bot storing its commands' digest at
        # start) would land inside it, and that task's commit would commit half
        # a refresh.
        self._refreshing = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the index is not open")
        return self._db

    async def __aenter__(self) -> Index:
        await self.open()  # closes what it opened when it fails
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Open the database; on any failure nothing stays open (an open
        aiosqlite connection is a thread that keeps the process alive)."""
        try:
            await self._open()
        except BaseException:
            await self.close()
            raise

    async def _open(self) -> None:
        claim = Claim.NEW
        if str(self.path) != ":memory:":
            claim = await asyncio.to_thread(
                claim_database,
                self.path,
                application_id=INDEX_APPLICATION_ID,
                migrations=MIGRATIONS,
                setting=self.setting,
            )  # ConfigError, and the file untouched, when it is not ours
        try:
            await self._connect(mark=claim is not Claim.OURS)
        except (sqlite3.DatabaseError, _NewerSchema) as err:
            await self.close()
            self._unusable(err)
            set_aside(self.path)
            await self._connect(mark=True)
        else:
            if claim is Claim.NEW and str(self.path) != ":memory:":
                log.warning("index %s is new: it is built from the library", self.path)

    def _unusable(self, err: Exception) -> None:
        """Log that our index is rebuilt, or raise ConfigError when the problem
        is not the file's content (read-only, locked, full, cannot open)."""
        if isinstance(err, sqlite3.Error) and not is_corruption(err):
            name = str(getattr(err, "sqlite_errorname", ""))
            hint = "; can promptbot write there?" if name.startswith(_CANNOT_WRITE) else ""
            raise ConfigError(f"{self.setting}: cannot use '{self.path}': {err}{hint}") from None
        log.warning("index %s is unusable (%s): rebuilding it from the library", self.path, err)

    async def _connect(self, *, mark: bool) -> None:
        self._db = await aiosqlite.connect(self.path)
        if mark:  # first, before WAL: the main file's header carries it from now on
            # Pages of 8 KiB hold most prompt rows (~3.5 KB) whole: a cold index of
            # 100,000 prompts is written with a quarter less CPU (a no-op on a file
            # that already has tables).
            await self.db.execute(f"PRAGMA page_size = {PAGE_SIZE:d}")
            await self.db.execute(f"PRAGMA application_id = {INDEX_APPLICATION_ID:d}")
        await self.db.execute("PRAGMA journal_mode=WAL")
        await self.db.execute("PRAGMA foreign_keys=ON")
        await self.db.execute("PRAGMA synchronous=NORMAL")
        version = await self._scalar("PRAGMA user_version")
        if version > SCHEMA_VERSION:
            raise _NewerSchema(f"schema version {version} is newer than this promptbot")
        for number in range(version, SCHEMA_VERSION):
            await self.db.executescript(MIGRATIONS[number])
            await self.db.execute(f"PRAGMA user_version = {number + 1:d}")
        if 0 < version < SCHEMA_VERSION:  # new columns: every file is parsed again
            await self.db.execute("DELETE FROM meta WHERE key = 'parser_version'")
        await self.db.commit()
        count = await self._scalar("SELECT count(*) FROM prompts")  # reads a page: corrupt?
        if count == 0 and str(self.path) != ":memory:":
            # Nobody reads an index that has no prompt yet, and its first refresh
            # writes them all: without the WAL they are written once, not to the
            # WAL and again to the file (~1.5 s of a cold index of 100,000 files).
            # Back to the WAL as soon as that refresh commits.
            await self.db.execute("PRAGMA journal_mode=DELETE")

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def _scalar(self, sql: str) -> int:
        """The one integer a constant query (no parameters) returns."""
        row = await (await self.db.execute(sql)).fetchone()
        assert row is not None, sql
        return int(row[0])

    async def get_meta(self, key: str) -> str | None:
        async with self._refreshing:
            return await self._meta(key)

    async def set_meta(self, key: str, value: str) -> None:
        """Store ``key`` (committed), once no refresh is under way."""
        async with self._refreshing:
            await self._set_meta(key, value)

    async def _meta(self, key: str) -> str | None:
        async with self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def _set_meta(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        await self.db.commit()

    async def refresh(self, library: Path, progress: Progress | None = None) -> RefreshSummary:
        async with self._refreshing:
            return await self._refresh_or_rebuild(library, progress)

    async def _refresh_or_rebuild(self, library: Path, progress: Progress | None) -> RefreshSummary:
        try:
            return await self._refresh(library, progress)
        except sqlite3.DatabaseError as err:
            if isinstance(err, sqlite3.IntegrityError):
                raise
            await self.close()
            self._unusable(err)  # the file was claimed as ours when it was opened
            set_aside(self.path)
            await self._connect(mark=True)
            return await self._refresh(library, progress)

    async def _refresh(self, library: Path, progress: Progress | None) -> RefreshSummary:
        files, scan_problems, seen = await asyncio.to_thread(_scanned, library)
        try:
            return await self._update(files, scan_problems, seen, progress)
        finally:
            # The thread's result stays referenced by a cycle of futures until a
            # garbage collection: 100,000 scanned files (~40 MB) would outlive the
            # refresh, under the snapshot loaded next.
            files.clear()

    async def _update(
        self,
        files: list[LibraryFile],
        scan_problems: list[Problem],
        seen: str,
        progress: Progress | None,
    ) -> RefreshSummary:
        reparse_all = await self._meta("parser_version") != self.parser_version
        if not reparse_all and await self._meta("scanned") == seen:
            return await self._summarised(RefreshSummary(unchanged=len(files)))
        cursor = await self.db.execute("SELECT path, size, mtime_ns, digest, prompt_id FROM files")
        rows = cast(list[FileRow], await cursor.fetchall())  # one hop, not one a row
        known = {row[0]: row for row in rows}
        summary = RefreshSummary()
        jobs: list[tuple[LibraryFile, str | None]] = []
        for file in files:
            old = known.get(file.path)
            if old and not reparse_all and old[1] == file.size and old[2] == file.mtime_ns:
                summary.unchanged += 1
            else:
                jobs.append((file, None if reparse_all or old is None else old[3]))
        present = {file.path for file in files}
        gone = [path for path in known if path not in present]
        # One transaction (a reader sees the old index or the new one, never a
        # mix), written in bounded batches as the parse workers deliver.
        stream = parse_stream(jobs, progress, self.derive)
        pairs = zip((file for file, _ in jobs), stream, strict=True)
        try:
            await forget_files(self.db, [(path, known[path][4]) for path in gone])
            with gc_frozen():  # the scan's rows, ~100 MB at 100,000 files, stay as they are
                while batch := await asyncio.to_thread(_take, pairs, WRITE_BATCH):
                    await write_batch(self.db, batch, known, summary)
            changed = bool(gone or summary.added or summary.updated)
            await close_generation(self.db, scan_problems, seen, changed=changed)
            await self._set_meta("parser_version", self.parser_version)  # commits
            await self.db.execute("PRAGMA journal_mode=WAL")  # a no-op but after a first refresh
        except BaseException:
            await asyncio.to_thread(stream.close)  # stops the parse workers
            with contextlib.suppress(sqlite3.Error):
                await self.db.rollback()
            raise
        summary.removed = len(gone)
        return await self._summarised(summary)

    async def _summarised(self, summary: RefreshSummary) -> RefreshSummary:
        summary.problems = await self.problems()
        summary.problem_files = len({p.path for p in summary.problems})
        summary.errors = sum(p.severity == "error" for p in summary.problems)
        return summary

    async def problems(self) -> list[Problem]:
        cursor = await self.db.execute(
            "SELECT path, severity, message FROM problems ORDER BY path, rowid"
        )
        return [Problem(path, sev, msg) async for path, sev, msg in cursor]

    async def prompts(self) -> list[Prompt]:
        cursor = await self.db.execute("SELECT data FROM prompts ORDER BY n")
        return [prompt_from_json(row[0]) for row in await cursor.fetchall()]

    async def prompts_and_terms(self) -> tuple[list[Prompt], list[str]]:
        """The prompts and, for each, its stored search tokens (for the engine)."""
        cursor = await self.db.execute("SELECT data, body_terms FROM prompts ORDER BY n")
        rows = await cursor.fetchall()
        return [prompt_from_json(row[0]) for row in rows], [row[1] for row in rows]

    async def get(self, prompt_id: str) -> Prompt | None:
        cursor = await self.db.execute("SELECT data FROM prompts WHERE id = ?", (prompt_id,))
        row = await cursor.fetchone()
        return prompt_from_json(row[0]) if row else None

    async def empty(self) -> bool:
        """Whether there is no prompt (one probe: ``count`` walks them all)."""
        return not await self._scalar("SELECT EXISTS (SELECT 1 FROM prompts)")

    async def count(self) -> int:
        return await self._scalar("SELECT count(*) FROM prompts")
