"""The real ``promptbot run`` process, started as users start it, against the fake Discord."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import sharded_fake as support_sharded_fake

ROOT = Path(__file__).parents[2]


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log: Path
    env: dict[str, str]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), timeout)


def bot_env(fake: Any, library: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}
    env.update(
        DISCORD_TOKEN=fake.token,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        PROMPTBOT_LIBRARY=str(library),
        PROMPTBOT_DB=str(tmp_path / "data" / "promptbot.sqlite3"),
        PROMPTBOT_STATE=str(tmp_path / "data" / "state.sqlite3"),
        PROMPTBOT_MEDIA_DIR=str(library),
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


async def start_bot(env: dict[str, str], cwd: Path, *args: str) -> BotProcess:
    log = cwd / f"bot-{len(list(cwd.glob('bot-*.log')))}.log"
    handle = open(log, "wb")  # noqa: SIM115 - the child owns it until it exits
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *(args or ("run",)),
        env=env,
        cwd=cwd,
        stdout=handle,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    handle.close()
    return BotProcess(process, log, env)


async def wait_ready(fake: Any, bot: BotProcess, timeout: float = 30.0) -> None:
    """This process identified, was sent READY and GUILD_CREATE, and commands exist."""
    before = len(fake.recorder.gateway_frames("out", t="GUILD_CREATE"))
    waiter = asyncio.ensure_future(
        fake.recorder.wait_for(
            lambda: len(fake.recorder.gateway_frames("out", t="GUILD_CREATE")) > before,
            timeout,
            "IDENTIFY -> READY -> GUILD_CREATE",
        )
    )
    died = asyncio.ensure_future(bot.process.wait())
    done, _ = await asyncio.wait({waiter, died}, return_when=asyncio.FIRST_COMPLETED)
    if died in done:
        waiter.cancel()
        raise AssertionError(f"the bot exited early:\n{bot.output()}")
    died.cancel()
    await waiter
    await fake.recorder.wait_for(lambda: fake.world.commands, timeout, "commands synced")


@pytest.fixture
async def running(fake_discord: Any, library: Path, tmp_path: Path) -> AsyncIterator[Any]:
    """(fake, process): the bot up and ready; stopped with SIGTERM afterwards."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    bot = await start_bot(bot_env(fake_discord, library, tmp_path), workdir)
    try:
        await wait_ready(fake_discord, bot)
        yield fake_discord, bot
    finally:
        fake_discord.gateway.expect_client_close()
        code = await bot.stop()
        assert code == 0, bot.output()
        assert "Traceback" not in bot.output(), bot.output()
        assert fake_discord.token not in bot.output()


def copy_library(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.fixture
async def sharded_fake(discord_spec: Any) -> AsyncIterator[Any]:
    """A fake Discord that routes with 2 shards (both may IDENTIFY at once), a guild on each."""
    async with support_sharded_fake(discord_spec) as fake:
        yield fake
