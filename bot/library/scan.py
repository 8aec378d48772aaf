"""Finding and reading the files of a prompt library on disk.

The scanner walks the library folder without ever leaving it: hidden folders
are skipped, symlinks are followed only when they stay inside the library, and
a folder is entered at most once (so symlink loops end).  Reading is capped at
``MAX_FILE_BYTES``; everything about the *content* is the parser's business.
"""

from __future__ import annotations

import hashlib
import os
import stat
from array import array
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

from bot.gcpause import gc_paused
from bot.library.parse import MAX_FILE_BYTES, parse_document
from bot.models import Problem, Prompt

# Repository documents that live beside prompts in a gallery's clone (and the
# corpus's own SOURCES.md): Markdown, but not prompts.
IGNORED_NAMES = frozenset(
    f"{name}.md"
    for name in (
        "readme",
        "contributing",
        "changelog",
        "license",
        "code_of_conduct",
        "security",
        "sources",
        "authors",
        "notice",
    )
)


class LibraryFile(NamedTuple):
    """One file found by :func:`scan` (a tuple, and ``abspath`` a str: a frozen
    dataclass holding a ``Path`` was most of the cost of scanning 100,000 files)."""

    path: str  # relative to the library root, POSIX separators
    abspath: str
    size: int
    mtime_ns: int


def _inside(root_real: str, target: str) -> bool:
    return target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)


def scan(root: Path) -> tuple[list[LibraryFile], list[Problem]]:
    """Every candidate prompt file below ``root``, sorted by path, and the
    problems met on the way (symlinks leading out, unreadable folders)."""
    root_real = os.path.realpath(root)
    files: list[LibraryFile] = []
    problems: list[Problem] = []
    seen_dirs: set[str] = set()
    others: list[str] = []  # the names of other files (said when there is no prompt file)

    def walk(folder: str, rel: str) -> None:
        real = os.path.realpath(folder)
        if real in seen_dirs:
            return
        seen_dirs.add(real)
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as err:
            problems.append(Problem(rel or ".", "warning", f"folder not readable: {err.strerror}"))
            return
        try:
            entries = sorted(os.scandir(fd), key=attrgetter("name"))
            base = folder if folder.endswith(os.sep) else folder + os.sep  # as os.path.join
            listed(fd, base, f"{rel}/" if rel else "", entries)
        except OSError as err:
            problems.append(Problem(rel or ".", "warning", f"folder not readable: {err.strerror}"))
        finally:
            os.close(fd)

    def listed(fd: int, base: str, prefix: str, entries: list[os.DirEntry[str]]) -> None:
        """The entries of the open folder ``fd`` (its path: ``base``).  A file is
        looked up by its name in the folder (``dir_fd``) and its row made without
        the named tuple's Python-level constructor: a scan of 100,000 files
        takes ~0.2 s less CPU (of ~1.2 s for a no-change ``index``)."""
        row = tuple.__new__
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            relpath, path = prefix + name, base + name
            try:
                st: os.stat_result | None = None
                if entry.is_symlink():
                    target = os.path.realpath(path)
                    if not _inside(root_real, target):
                        problems.append(
                            Problem(
                                relpath, "warning", "symlink leads outside the library; skipped"
                            )
                        )
                        continue
                    st = os.stat(path)  # follows it; raises on a dangling one
                    is_dir, is_file = stat.S_ISDIR(st.st_mode), stat.S_ISREG(st.st_mode)
                else:  # the type from the folder listing: no system call
                    is_dir, is_file = entry.is_dir(), entry.is_file()
                if is_dir:
                    walk(path, relpath)
                elif is_file and name.endswith(".md") and name.lower() not in IGNORED_NAMES:
                    st = st or os.stat(name, dir_fd=fd)  # not entry.stat(): it keeps every result
                    files.append(row(LibraryFile, (relpath, path, st.st_size, st.st_mtime_ns)))
                elif is_file:
                    others.append(name)
            except OSError:
                problems.append(Problem(relpath, "warning", "broken symlink or unreadable entry"))

    with gc_paused():  # 100,000 rows and no cycle
        walk(str(root), "")
        files.sort()  # by path: the first field, unique
    if not files:
        problems.append(Problem(".", "warning", _no_prompt_files(others)))
    return files, problems


def _no_prompt_files(others: list[str]) -> str:
    """Why an empty library is empty: a library pointed at the wrong folder, or
    at prompts saved as another kind of file, would otherwise index as 0 added."""
    message = "no prompt files: a prompt is a Markdown file ending in .md"
    if not others:
        return f"{message}, and this folder holds no file at all"
    kinds = sorted(
        {name if name.lower() in IGNORED_NAMES else Path(name).suffix or name for name in others}
    )
    shown = ", ".join(kinds[:5]) + (", ..." if len(kinds) > 5 else "")
    files = (
        "1 file that is not a prompt"
        if len(others) == 1
        else f"{len(others)} files that are not prompts"
    )
    return f"{message}; this folder holds {files} ({shown})"


def fingerprint(files: list[LibraryFile], problems: list[Problem]) -> str:
    """A digest of what :func:`scan` saw that an index refresh compares (each
    file's path, size and modification time, and the scan's problems): equal
    digests, nothing to compare file by file.  Built from whole columns (~40 ms
    at 100,000 files, where comparing them row by row costs ten times that)."""
    digest = hashlib.blake2b("\0".join(map(itemgetter(0), files)).encode("utf-8", "surrogatepass"))
    digest.update(array("q", map(itemgetter(2), files)).tobytes())
    digest.update(array("q", map(itemgetter(3), files)).tobytes())
    digest.update(repr(problems).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read_capped(file: LibraryFile) -> bytes:
    """The file's bytes, at most ``MAX_FILE_BYTES + 1`` (so the parser sees it is too big).

    Plain system calls, asking for one byte more than the scan saw: a read of a
    regular file returns less than asked only at its end, so a file that did
    not grow is one read of its own size (asking for the cap at once made every
    read allocate a megabyte: a third of the cost of reading 100,000 files)."""
    cap = MAX_FILE_BYTES + 1
    # (non-blocking: a file swapped for a named pipe since the scan cannot hang us)
    fd = os.open(file.abspath, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        want = min(file.size + 1, cap)
        data = os.read(fd, want)
        if len(data) == want:  # it grew since the scan
            while len(data) < cap and (more := os.read(fd, min(cap - len(data), 1 << 16))):
                data += more
        return data
    finally:
        os.close(fd)


def load_file(file: LibraryFile) -> tuple[Prompt | None, list[Problem]]:
    try:
        data = read_capped(file)
    except OSError as err:
        return None, [Problem(file.path, "error", f"cannot read the file: {err.strerror}")]
    result = parse_document(data, file.path)
    return result.prompt, list(result.problems)


def load_library(root: Path) -> tuple[list[Prompt], list[Problem]]:
    """Parse every prompt file of the library (sync; no index involved)."""
    files, problems = scan(root)
    prompts: list[Prompt] = []
    for file in files:
        prompt, file_problems = load_file(file)
        problems.extend(file_problems)
        if prompt is not None:
            prompts.append(prompt)
    return prompts, problems
