"""Scale benchmark (issue 12): the costs a user sees on a big library, each
measured on a real process started the way users start it.

* ``index`` cold (empty database) and with nothing changed: ``promptbot index``;
* one ``promptbot search QUERY`` end to end (start to exit);
* the bot (``promptbot run`` against the fake Discord): process start to the
  gateway IDENTIFY with the index up to date, and its RSS after a burst of 50
  interactions (30 ``/prompt``, 10 ``/random``, 10 ``/tags``).

Seconds are wall time; "peak MiB" is the largest resident size of the process
or any of its children (``wait4``'s ``ru_maxrss``: the parse workers count
one at a time, not summed).

    python -m benchmarks.bench_scale --spec ../shared/discord-api/openapi.json \
        --library /tmp/lib100k [--library ../shared/corpus ...]
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

from benchmarks.bench_e2e import burst
from tests.e2e.conftest import bot_env, start_bot, wait_ready
from tests.fake_discord import FakeDiscord
from tests.support.discord_spec import DiscordSpec

ROOT = Path(__file__).parents[1]
IDENTIFY = 2
QUERY = "cinematic portrait neon rain"


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak MiB, first line of output) of ``python -m bot ARGS``: the
    summary or the best hit (``index`` names the files with problems after
    it, on stderr)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child alone
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = out.read().strip().splitlines()
        errors = err.read().strip().splitlines()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"promptbot {args[0]} failed ({process.returncode}): {errors[-3:]}")
    return seconds, usage.ru_maxrss / 1024, lines[0] if lines else ""


def python_speed_ms(steps: int = 2_000_000) -> float:
    """Milliseconds a fixed pure-Python loop takes here, the best of 3: how fast
    this machine runs Python at the moment.  These VMs move by up to twice
    between phases, so every run prints it beside its figures (the same loop
    in any tree: runs of different sessions can be set side by side)."""
    loop = "total = 0\nfor i in range(steps):\n    total += i % 7"
    return min(timeit.repeat(loop, globals={"steps": steps}, number=1, repeat=3)) * 1000


def _rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident MiB of a live process."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def _bot(spec: DiscordSpec, library: Path, db: Path, n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="promptbot-scale-") as tmp:
        tmp_path = Path(tmp)
        async with FakeDiscord(spec) as fake:
            env = bot_env(fake, library, tmp_path, PROMPTBOT_DB=str(db))
            start = time.monotonic()
            bot = await start_bot(env, tmp_path)
            try:
                await wait_ready(fake, bot, timeout=300)
                identify = fake.recorder.gateway_frames("in", op=IDENTIFY)[0].at - start
                await asyncio.sleep(2.5)  # discord.py's guild_ready_timeout
                queries = [{"query": q} for q in ("neon rain", "cinematic night drive", "portrait")]
                latencies = await burst(fake, "prompt", queries, n * 3 // 5)
                latencies += await burst(fake, "random", [{}], n // 5)
                latencies += await burst(fake, "tags", [{}], n - n * 3 // 5 - n // 5)
                rss, hwm = _rss_mib(bot.process.pid)
            finally:
                fake.gateway.expect_client_close()
                if bot.process.returncode is None:
                    bot.process.terminate()  # our own child, by its handle
                    try:
                        await asyncio.wait_for(bot.process.wait(), 20)
                    except TimeoutError:
                        bot.process.kill()
                await bot.process.wait()
            if fake.violations:
                print("violations:", *fake.violations[:5], sep="\n  ")
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    return {"identify": identify, "rss": rss, "hwm": hwm, "p95": p95}


def run(spec: DiscordSpec, library: Path, burst_n: int) -> None:
    # As installed (pip compiles a package's modules): a shell that sets
    # PYTHONDONTWRITEBYTECODE would make every timed start compile the source.
    for package in ("bot", "cogs"):
        compileall.compile_dir(ROOT / package, quiet=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMPTBOT_", "DISCORD_"))}
    env["PYTHONPATH"] = str(ROOT)
    files = sum(1 for _ in library.rglob("*.md"))
    print(
        f"\n{library} ({files} .md files, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, Python loop {python_speed_ms():.0f} ms)"
    )
    print(f"{'scenario':<34}{'seconds':>9}{'peak MiB':>10}  detail")
    with tempfile.TemporaryDirectory(prefix="promptbot-scale-") as tmp:
        db = Path(tmp) / "index.sqlite3"
        common = ["--library", str(library), "--db", str(db)]
        for name, args in (
            ("index, cold", ["index", *common]),
            ("index, no change", ["index", *common]),
            ("search (CLI, end to end)", ["search", *common, QUERY]),
        ):
            seconds, peak, line = _run(args, env)
            print(f"{name:<34}{seconds:>9.2f}{peak:>10.0f}  {line[:60]}", flush=True)
        bot = asyncio.run(_bot(spec, library, db, burst_n))
        print(
            f"{'bot: start -> IDENTIFY':<34}{bot['identify']:>9.2f}{bot['hwm']:>10.0f}"
            f"  RSS after {burst_n} interactions {bot['rss']:.0f} MiB, "
            f"p95 {bot['p95'] * 1000:.0f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--library", type=Path, action="append", required=True)
    parser.add_argument("--burst", type=int, default=50)
    args = parser.parse_args()
    spec = DiscordSpec(args.spec)
    for library in args.library:
        run(spec, library, args.burst)


if __name__ == "__main__":
    main()
