"""End-to-end latency: the real ``promptbot run`` process against the fake Discord
on 127.0.0.1; a burst of interactions sent within a second; time from dispatch to
the callback request.  Prints p50/p95/max per command beside a baseline: the
fake answering itself (a bare discord.py bot in a process of its own that
answers with plain text), which is the floor set by discord.py and the fake.

    python -m benchmarks.bench_e2e --spec ../shared/discord-api/openapi.json [--burst 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from tests.e2e.conftest import bot_env, start_bot, wait_ready
from tests.fake_discord import FakeDiscord
from tests.support.discord_spec import DiscordSpec

ROOT = Path(__file__).parents[1]
BASELINE = """
import os, sys, discord, yarl
from discord import app_commands
from discord.ext import commands
discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
@bot.tree.command(name="prompt", description="echo")
async def prompt(interaction: discord.Interaction, query: str) -> None:
    await interaction.response.send_message(query[:100])
async def setup_hook() -> None:
    await bot.tree.sync()
bot.setup_hook = setup_hook
bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)
"""


def quantiles(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    return (
        f"p50 {statistics.median(values) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
        f"max {values[-1] * 1000:7.1f} ms"
    )


async def burst(fake: FakeDiscord, command: str, options: list[dict], n: int) -> list[float]:
    users = [
        {**fake.world.tester, "id": str(600000000000000000 + i), "username": f"u{i}"}
        for i in range(n)
    ]
    handles = [
        await fake.send_slash_command(command, options[i % len(options)], user=users[i])
        for i in range(n)
    ]
    requests = await asyncio.gather(*(h.response_request(timeout=30) for h in handles))
    return [r.at - h.state.created_at for r, h in zip(requests, handles, strict=True)]


async def measure(spec: DiscordSpec, n: int, library: Path, baseline: bool) -> dict[str, list]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        async with FakeDiscord(spec) as fake:
            env = bot_env(fake, library, tmp_path)
            if baseline:
                script = tmp_path / "baseline.py"
                script.write_text(BASELINE)
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    str(script),
                    env=env,
                    cwd=tmp,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                from tests.e2e.conftest import BotProcess

                bot = BotProcess(process, tmp_path / "none.log", env)
                (tmp_path / "none.log").write_text("")
            else:
                bot = await start_bot(env, tmp_path)
            await wait_ready(fake, bot)
            await asyncio.sleep(2.5)  # discord.py's guild_ready_timeout
            results = {}
            queries = [
                {"query": q}
                for q in (
                    "neon rain",
                    "cinematic night drive",
                    "portrait",
                    "nothing matches this zzz",
                )
            ]
            results["/prompt"] = await burst(fake, "prompt", queries, n)
            if not baseline:
                results["/tags"] = await burst(fake, "tags", [{}], n)
                results["/random"] = await burst(fake, "random", [{}], n)
            fake.gateway.expect_client_close()
            await bot.stop()
            if fake.violations:
                print("violations:", *fake.violations[:5], sep="\n  ")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--library", type=Path, default=ROOT / "seeds")
    args = parser.parse_args()
    spec = DiscordSpec(args.spec)
    print(f"burst of {args.burst} interactions, sent within a second, library {args.library}")
    for name, baseline in (("baseline: bare discord.py echo bot", True), ("promptbot", False)):
        for command, values in asyncio.run(
            measure(spec, args.burst, args.library, baseline)
        ).items():
            over = sum(v > 3.0 for v in values)
            print(f"{name:<36}{command:<9}{quantiles(values)}  over 3 s: {over}")


if __name__ == "__main__":
    main()
