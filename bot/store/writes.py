"""The statements a refresh writes, a batch at a time, inside its transaction
(:meth:`bot.store.index.Index.refresh`): batched, a round trip per statement
kind and not per file; parametrised, like every query of the index."""

from __future__ import annotations

import aiosqlite

from bot.library.scan import LibraryFile
from bot.models import Problem
from bot.store.parsing import Parsed, PromptRow
from bot.store.schema import problem_row
from bot.store.summary import RefreshSummary

FileRow = tuple[str, int, int, str, str | None]  # files: path, size, mtime_ns, digest, prompt id


async def forget_files(db: aiosqlite.Connection, forget: list[tuple[str, str | None]]) -> None:
    """Delete the rows of these (path, prompt id) files."""
    paths = [(path,) for path, _ in forget]
    await db.executemany("DELETE FROM files WHERE path = ?", paths)
    await db.executemany("DELETE FROM problems WHERE path = ? AND origin = 'file'", paths)
    await db.executemany(
        "DELETE FROM prompts WHERE id = ?", [(pid,) for _, pid in forget if pid is not None]
    )


async def write_batch(
    db: aiosqlite.Connection,
    batch: list[tuple[LibraryFile, Parsed | None]],
    known: dict[str, FileRow],
    summary: RefreshSummary,
) -> None:
    """One batch of parse results (None: the same bytes under a new mtime);
    ``known`` holds the files rows from before the refresh, ``summary`` counts."""
    touched: list[tuple[int, int, str]] = []
    forget: list[tuple[str, str | None]] = []
    files: list[FileRow] = []
    problems: list[tuple[str, str, str, str]] = []
    prompts: list[PromptRow] = []
    for file, item in batch:
        if item is None:
            summary.unchanged += 1
            touched.append((file.size, file.mtime_ns, file.path))
            continue
        old = known.get(file.path)
        if old is None:
            summary.added += 1
        else:
            summary.updated += 1
            forget.append((file.path, old[4]))
        row = item.row
        files.append((file.path, file.size, file.mtime_ns, item.digest, row and row[0]))
        problems.extend(problem_row(p, "file") for p in item.problems)
        if row is not None:
            prompts.append(row)
    await forget_files(db, forget)
    await db.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", touched)
    await db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?)", files)
    await db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)", problems)
    await db.executemany(
        "INSERT INTO prompts (id, path, data, body_terms, head, text_chars)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        prompts,
    )


async def close_generation(
    db: aiosqlite.Connection, scan_problems: list[Problem], scanned: str, *, changed: bool
) -> None:
    """The scan's problems, a new ``generation`` when prompts ``changed`` (what
    a running bot watches for) and the ``scanned`` fingerprint the files rows
    were compared with (the next refresh with the same one has nothing to do)."""
    await db.execute("DELETE FROM problems WHERE origin = 'scan'")
    await db.executemany(
        "INSERT INTO problems VALUES (?, ?, ?, ?)", [problem_row(p, "scan") for p in scan_problems]
    )
    if changed:
        await db.execute(
            "INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT (key)"
            " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )
    await db.execute(
        "INSERT INTO meta (key, value) VALUES ('scanned', ?) ON CONFLICT (key)"
        " DO UPDATE SET value = excluded.value",
        (scanned,),
    )
