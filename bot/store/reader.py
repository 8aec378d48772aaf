"""One generation of the index, read on demand.

A search snapshot that keeps only ids and ranking keys in memory reads the
prompts themselves from the index when a card is shown.  It must read the
generation it was built from, never a half-written or a later one: a
``GenerationReader`` is a read-only ``sqlite3`` connection of its own holding
one read transaction open for its whole life.  In WAL mode that transaction
sees the database as it was when it began, whatever refreshes commit meanwhile
(the WAL is not checkpointed past it, so it grows until the reader closes).
Close it when the snapshot is replaced (or drop it: the connection closes
when it is garbage collected).

Synchronous on purpose: one row by primary key is ~20 µs, cheaper than a hop
to a thread; a small LRU cache keeps the cards being paged through.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.models import Prompt
from bot.store.schema import prompt_from_json

CACHE = 1024  # prompts kept decoded (a few MB)


class GenerationReader:
    def __init__(self, path: Path, *, cache: int = CACHE) -> None:
        # Not ``mode=ro``: that cannot open a WAL database whose -shm file is gone
        # (the last writer closed); ``query_only`` keeps it from writing all the same.
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA query_only = 1")
        self._lock = threading.Lock()  # one connection, used from the loop and from threads
        self._cache: OrderedDict[str, Prompt | None] = OrderedDict()
        self._size = cache
        self._conn.execute("BEGIN")
        # The snapshot of a WAL read transaction is taken at its first read.
        row = self._conn.execute("SELECT count(*) FROM prompts").fetchone()
        self.count: int = row[0]

    def get(self, prompt_id: str) -> Prompt | None:
        with self._lock:
            if prompt_id in self._cache:
                self._cache.move_to_end(prompt_id)
                return self._cache[prompt_id]
            row = self._conn.execute(
                "SELECT data FROM prompts WHERE id = ?", (prompt_id,)
            ).fetchone()
            prompt = prompt_from_json(row[0]) if row else None
            self._cache[prompt_id] = prompt
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
            return prompt

    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", key)
        return row[0] if row else None

    def _one(self, sql: str, *args: object) -> Any:
        """The first row of a parametrised query, or None."""
        with self._lock:
            return self._conn.execute(sql, args).fetchone()

    def sizes(self) -> list[tuple[int, int]]:
        """(row number, characters of description + prompt text) of every prompt
        of this generation, in row order."""
        with self._lock:
            return self._conn.execute("SELECT n, text_chars FROM prompts ORDER BY n").fetchall()

    def heads(self, batch: int = 5000) -> Iterator[tuple[int, str, int, str]]:
        """(row number, id, text length, derived head) of every prompt of this
        generation, in row order, read in batches; the head is empty when the
        index was written without a ``Derive`` function.  (Big batches: reading
        and processing in long stretches, the build took ~0.6 s less at 100,000.)"""
        after = -1
        while True:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT n, id, text_chars, head FROM prompts WHERE n > ? ORDER BY n LIMIT ?",
                    (after, batch),
                ).fetchall()
            if not rows:
                return
            yield from rows
            after = rows[-1][0]

    def body_terms(self, rows: Sequence[int], batch: int = 5000) -> Iterator[str]:
        """The derived terms stored with each of these rows (by the ``Derive``
        function), in their order, read ``batch`` rows per query; empty for a
        row that is not there."""
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                found = dict(
                    self._conn.execute(
                        f"SELECT n, body_terms FROM prompts WHERE n IN ({marks})", tuple(chunk)
                    ).fetchall()
                )
            yield from (found.get(n, "") for n in chunk)

    def prompt_at(self, n: int) -> Prompt:
        """The prompt of row ``n``."""
        row = self._one("SELECT data FROM prompts WHERE n = ?", n)
        if row is None:
            raise LookupError(f"no prompt row {n}")
        return prompt_from_json(row[0])

    def derived_names(self) -> list[str]:
        """The names of the parts the layer above stored (``save_derived``)."""
        with self._lock:
            return [row[0] for row in self._conn.execute("SELECT name FROM derived ORDER BY name")]

    def derived(self, name: str) -> bytes:
        """One stored part (read one at a time: together they are the size of
        the search index)."""
        row = self._one("SELECT data FROM derived WHERE name = ?", name)
        if row is None:
            raise LookupError(f"no derived part {name!r}")
        return bytes(row[0])

    def ids(self) -> list[str]:
        """Every prompt id of this generation, in row order."""
        with self._lock:
            return [row[0] for row in self._conn.execute("SELECT id FROM prompts ORDER BY n")]

    def close(self) -> None:
        """Ends the read transaction (the WAL can be checkpointed again)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> GenerationReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def save_derived(
    path: Path, key: str, generation: str, parts: dict[str, bytes | bytearray]
) -> bool:
    """Store ``parts`` (opaque bytes derived from the prompts of ``generation``)
    under ``key``, replacing what was there, in one transaction; False, and
    nothing written, when a refresh has committed another generation since.

    ``parts`` is emptied as it is written: each is written through incremental
    blob I/O and let go, so that storing ~200 MB of parts (100,000 prompts)
    never holds a second copy of them (binding a blob copies it, twice)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        if (row[0] if row else "0") != generation:
            conn.execute("ROLLBACK")
            return False
        conn.execute("DELETE FROM derived")
        while parts:
            name, data = parts.popitem()
            cursor = conn.execute(
                "INSERT INTO derived (name, data) VALUES (?, zeroblob(?))", (name, len(data))
            )
            if data:
                with conn.blobopen("derived", "data", cursor.lastrowid or 0) as blob:
                    blob.write(data)
            del data
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('derived_key', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key,),
        )
        conn.execute("COMMIT")
        return True
    finally:
        conn.close()
