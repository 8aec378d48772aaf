"""Reading and parsing the library files of a refresh, in a process pool when
there are many (the parser is pure Python and CPU-bound).

A ``Derive`` function, given by the layer above (the catalog passes the search
index's :func:`bot.search.inverted.derived`), computes two derived texts per
prompt in the same workers, so the store keeps them without knowing what they
are."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import itertools
import os
import sys
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

from bot.library import parse
from bot.library.scan import LibraryFile, read_capped
from bot.models import Problem, Prompt
from bot.store.schema import prompt_to_json

Progress = Callable[[int, int], None]
# (terms, head) of a prompt; a top-level function: it crosses to worker processes
Derive = Callable[[Prompt], tuple[str, str]]
PARALLEL_FROM = 2000  # files to parse before a process pool pays off
RESULT_PIPE_BYTES = 1 << 20  # a chunk's results (~0.5 MB), and Linux's default cap


@functools.cache
def parser_version(derive_module: str | None = None) -> str:
    """A digest of the parser's own source (every ``bot`` module it uses, and the
    ones those use) and of the module of the ``Derive`` function: when either
    changes, every file is parsed again on the next refresh, without anyone
    having to remember to bump a number."""
    names: set[str] = set()
    todo = [parse.__name__] + ([derive_module] if derive_module else [])
    while todo:
        name = todo.pop()
        module = sys.modules.get(name)
        if name in names or module is None:
            continue
        names.add(name)
        for value in vars(module).values():
            used = getattr(value, "__module__", None) or getattr(value, "__name__", None)
            if isinstance(used, str) and used.startswith("bot.") and used not in names:
                todo.append(used)
    digest = hashlib.blake2b(digest_size=8)
    for name in sorted(names):
        source = getattr(sys.modules.get(name), "__file__", None)
        if source:
            digest.update(Path(source).read_bytes())
    return digest.hexdigest()


# id, path, JSON of the Prompt, the two derived texts (terms, head), characters
# of description + prompt text
PromptRow = tuple[str, str, str, str, str, int]


class Parsed(NamedTuple):
    """One parsed file as the index stores it: the prompt already serialised
    (in the worker), so that the parent only writes rows (a tuple: it is
    pickled back from the worker for every file)."""

    digest: str
    row: PromptRow | None
    problems: tuple[Problem, ...]


def prompt_row(prompt: Prompt, derive: Derive | None) -> PromptRow:
    """The row the index stores for a prompt."""
    terms, head = derive(prompt) if derive is not None else ("", "")
    return (prompt.id, prompt.path, prompt_to_json(prompt), terms, head, prompt.text_chars)


Job = tuple[LibraryFile, str | None]  # a file and the digest of its bytes indexed last
CHUNK = 128  # files a worker reads, then parses, then derives, stage by stage


def _read(file: LibraryFile) -> bytes | Problem:
    try:
        return read_capped(file)
    except OSError as err:
        return Problem(file.path, "error", f"cannot read the file: {err.strerror}")


def _read_and_parse(jobs: Sequence[Job], derive: Derive | None = None) -> list[Parsed | None]:
    """Parse a chunk of files; None for a file whose bytes are those already
    indexed.  Stage by stage (read every file, then hash, parse, derive), not
    file by file: each stage's code and data stay in the CPU's caches, which
    took a tenth off a file's CPU (the steps interleaved per file cost more
    than the sum of the same steps run alone)."""
    datas = [_read(file) for file, _ in jobs]
    digests = [
        "" if isinstance(data, Problem) else hashlib.blake2b(data, digest_size=16).hexdigest()
        for data in datas
    ]
    results = [
        None
        if isinstance(data, Problem) or digest == known
        else parse.parse_document(data, file.path)
        for (file, known), data, digest in zip(jobs, datas, digests, strict=True)
    ]
    out: list[Parsed | None] = []
    for data, digest, result in zip(datas, digests, results, strict=True):
        if isinstance(data, Problem):
            out.append(Parsed("", None, (data,)))
        elif result is None:
            out.append(None)
        elif result.prompt is None:
            out.append(Parsed(digest, None, result.problems))
        else:
            out.append(Parsed(digest, prompt_row(result.prompt, derive), result.problems))
    return out


def parse_stream(
    jobs: Sequence[Job],
    progress: Progress | None,
    derive: Derive | None = None,
) -> Generator[Parsed | None, None, None]:
    """The results of ``jobs`` in order, as they come: the caller writes them in
    batches, so a cold build of 100,000 files never holds them all at once."""
    total = len(jobs)
    chunks = (jobs[at : at + CHUNK] for at in range(0, total, CHUNK))
    if total >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        pool = _pool()
        try:
            done = pool.map(_read_and_parse, chunks, itertools.repeat(derive))
            yield from _counted(itertools.chain.from_iterable(done), total, progress)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        lazy = (_read_and_parse(chunk, derive) for chunk in chunks)
        yield from _counted(itertools.chain.from_iterable(lazy), total, progress)


def _pool() -> ProcessPoolExecutor:
    """A pool whose workers hand back a chunk's results without waiting.

    A Linux pipe holds 64 KiB, so a worker done with a chunk would block in its
    write until the parent's result thread has read it all, and that thread
    waits for the GIL behind the SQLite writes.  With room for a whole chunk the
    worker goes on parsing: the refresh of 100,000 files took 26.6–28.9 s
    against 28.9–30.2 s, in alternating rounds.  Best effort: the pipe is the
    executor's (a private attribute), and elsewhere nothing changes."""
    pool = ProcessPoolExecutor()
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux's
    if writer is not None and set_size is not None:
        with contextlib.suppress(OSError, ValueError):
            fcntl.fcntl(writer.fileno(), set_size, RESULT_PIPE_BYTES)
    return pool


def _counted(
    results: Iterable[Parsed | None], total: int, progress: Progress | None
) -> Iterator[Parsed | None]:
    for done, item in enumerate(results, 1):
        yield item
        if progress and done % 500 == 0:
            progress(done, total)
    if progress:
        progress(total, total)
