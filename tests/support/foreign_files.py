"""Things that a ``PROMPTBOT_DB`` setting may name but that promptbot did not
write, made in a temporary folder; and how to tell that they were not touched."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def a_folder(tmp: Path) -> Path:
    path = tmp / "folder.sqlite3"
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    return path


def a_text_file(tmp: Path) -> Path:
    path = tmp / "notes.txt"
    path.write_text("my notes\n" * 100)
    return path


def another_apps_database(tmp: Path) -> Path:
    """application_id 0, tables of its own."""
    path = tmp / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('Ada')")
    return path


def a_marked_database(tmp: Path) -> Path:
    """Another application's mark, even with tables named like ours."""
    path = tmp / "marked.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    return path


def a_newer_unmarked_database(tmp: Path) -> Path:
    """No mark, no tables, and a user_version from no promptbot."""
    path = tmp / "versioned.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    return path


FOREIGN: dict[str, Callable[[Path], Path]] = {
    "a folder": a_folder,
    "a text file": a_text_file,
    "another application's SQLite file": another_apps_database,
    "an SQLite file with another application_id": a_marked_database,
    "an unmarked SQLite file with a foreign user_version": a_newer_unmarked_database,
}


def snapshot(path: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every file at or under ``path``, and its neighbours: mtime and bytes."""
    found = {}
    for item in [path, *path.parent.iterdir(), *(path.rglob("*") if path.is_dir() else [])]:
        info = item.stat()
        found[str(item)] = (info.st_mtime_ns, None if item.is_dir() else item.read_bytes())
    return found


@contextmanager
def read_only(folder: Path) -> Iterator[Callable[[list[str]], list[str]]]:
    """Make ``folder`` a read-only location; yields how to wrap a command so
    that it runs there.

    As root, permission bits do not stop writes, so a read-only *mount* is the
    only honest read-only location: a private mount namespace (``unshare``) with
    a read-only bind mount, seen by that command only (nothing is mounted for
    anyone else).  As another user, ``chmod`` suffices.  Skips, saying why,
    when neither is possible.
    """
    if os.geteuid() != 0:
        modes = {item: item.stat().st_mode for item in [folder, *folder.rglob("*")]}
        for item in modes:
            item.chmod(0o555 if item.is_dir() else 0o444)
        try:
            yield lambda command: command
        finally:
            for item, mode in modes.items():
                item.chmod(mode)
        return
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root, where chmod does not stop writes, and no unshare")
    probe = subprocess.run([unshare, "-rm", "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(
            "running as root, where chmod does not stop writes, and no private mount "
            f"namespace for a read-only mount: {probe.stderr.decode().strip()}"
        )
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && shift && exec "$@"'
    yield lambda command: [unshare, "-rm", "sh", "-c", script, str(folder), "-", *command]
