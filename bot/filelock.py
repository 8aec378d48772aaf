"""An advisory lock file shared between processes (``flock``), for asyncio code.

The running bot and a ``promptbot index`` started beside it must not both run
git in the same checkout; the lock is released by the kernel when its holder
dies, so it is never left stale.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path


@asynccontextmanager
async def file_lock(path: Path, timeout: float, *, poll: float = 0.1) -> AsyncIterator[bool]:
    """Hold an exclusive lock on ``path`` (created if missing) for the block;
    yields False, without the lock, when it could not be had within ``timeout``."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                await asyncio.sleep(poll)
        yield True
    finally:
        os.close(fd)  # closing releases the lock
