"""``/metrics`` and ``/healthz`` of the real PromptBot, in-process, against the fake Discord:
counters move with interactions (by command and outcome), answer latencies land in the
histogram, the sampled series follow the gateway and the library, and health follows the
connection."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import PromptBot
from bot.catalog import Catalog, Snapshot
from bot.state import open_state
from tests.cogs.conftest import bot_settings, components, shown
from tests.fake_discord import FakeDiscord
from tests.support.discord_spec import DiscordSpec
from tests.support.libraries import prompt_doc
from tests.support.scrape import Samples, health, scrape

INTERACTIONS = "promptbot_interactions_total"


@pytest.fixture
async def observed(
    discord_spec: DiscordSpec, library: Path, tmp_path: Path
) -> AsyncIterator[tuple[FakeDiscord, PromptBot, str]]:
    """(fake, bot, metrics base URL); heartbeats every 0.3 s so latencies exist."""
    fake = FakeDiscord(discord_spec, heartbeat_interval_ms=300)
    async with fake:
        settings = bot_settings(library, tmp_path, PROMPTBOT_METRICS_PORT="0")
        async with Catalog(settings) as catalog, open_state(settings) as state:
            app = PromptBot.create(settings, catalog, state, guild_ready_timeout=0.1)
            async with fake.run_bot(app):
                assert app.metrics_server is not None
                yield fake, app, f"http://127.0.0.1:{app.metrics_server.port}"
    if fake.violations and not fake.violations_expected:
        pytest.fail("fake Discord recorded violations:\n" + "\n".join(fake.violations))


async def settled(base: str, command: str, outcome: str, count: float) -> Samples:
    """Scrape until ``command``/``outcome`` reaches ``count`` (the answer's request ends in
    the bot a moment after the fake has it)."""
    for _ in range(100):
        samples = await scrape(base)
        if samples.get_value(INTERACTIONS, command=command, outcome=outcome) >= count:
            return samples
        await asyncio.sleep(0.05)
    raise AssertionError(f"{command}/{outcome} never reached {count}: {samples}")


async def test_interactions_are_counted_by_command_and_outcome(
    observed: tuple[FakeDiscord, PromptBot, str], monkeypatch: Any
) -> None:
    fake, _, base = observed
    assert (await scrape(base)).total(INTERACTIONS) == 0

    handle = await fake.send_slash_command("random", {"category": "animals"})
    _, card = await shown(handle)
    await settled(base, "random", "ok", 1)
    again = next(c for c in components(card) if c.get("label") == "Another one")
    click = await fake.send_component(again["custom_id"], message=handle.original_message)
    await click.response()
    await settled(base, "component", "ok", 1)
    await (await fake.send_autocomplete("prompt", focused="query", value="anim")).response()
    await settled(base, "prompt:autocomplete", "ok", 1)

    await shown(await fake.send_slash_command("random", {"category": "nonsense"}))
    await settled(base, "random", "user_error", 1)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the handler raised")

    monkeypatch.setattr(Snapshot, "random", explode)
    await shown(await fake.send_slash_command("random"))
    samples = await settled(base, "random", "error", 1)

    assert samples.get_value(INTERACTIONS, command="random", outcome="ok") == 1
    assert samples.total(INTERACTIONS) == 5
    assert samples.get_value("promptbot_answer_seconds_count", command="random") == 3
    answered = samples.get_value("promptbot_answer_seconds_sum", command="random")
    assert 0 < answered < 3 * 3.0
    under_3s = samples.get_value("promptbot_answer_seconds_bucket", command="random", le="3.0")
    assert under_3s == 3


async def test_an_interaction_never_answered_is_an_error(
    observed: tuple[FakeDiscord, PromptBot, str], monkeypatch: Any
) -> None:
    fake, app, base = observed
    fake.violations_expected = True  # the fake reports the unanswered interaction at the end
    app.answers.unanswered_after = 0.5

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("autocomplete raised")  # discord.py logs it and answers nothing

    monkeypatch.setattr(Snapshot, "autocomplete", explode)
    await fake.send_autocomplete("prompt", focused="query", value="anim")
    samples = await settled(base, "prompt:autocomplete", "error", 1)
    assert samples.get_value("promptbot_answer_seconds_count", command="prompt:autocomplete") == 0


async def test_sampled_series_follow_the_gateway_and_the_library(
    observed: tuple[FakeDiscord, PromptBot, str], library: Path
) -> None:
    fake, app, base = observed
    await fake.recorder.wait_for(lambda: 0 < app.latency < 10, 10, "a heartbeat ack")
    samples = await scrape(base)
    assert samples.get_value("promptbot_shard_connected", shard="0") == 1
    assert 0 < samples.get_value("promptbot_gateway_latency_seconds", shard="0") < 10
    size = len(app.catalog.current)
    assert samples.get_value("promptbot_library_prompts") == size > 0
    loads = samples.get_value("promptbot_library_reloads_total")
    assert loads == 1  # the first load

    (library / "animals" / "zebra.md").write_text(
        prompt_doc("Zebra Crossing", "animals", ("animal",), "A zebra."), encoding="utf-8"
    )
    await fake.recorder.wait_for(lambda: len(app.catalog.current) == size + 1, 15, "reload")
    samples = await scrape(base)
    assert samples.get_value("promptbot_library_reloads_total") >= loads + 1
    assert samples.get_value("promptbot_library_reload_failures_total") == 0
    assert samples.get_value("promptbot_library_prompts") == size + 1

    shutil.rmtree(library)  # the next reload fails; the last good library stays served
    await fake.recorder.wait_for(lambda: app.catalog.reload_failures, 15, "a failed reload")
    samples = await scrape(base)
    assert samples.get_value("promptbot_library_reload_failures_total") == 1
    assert samples.get_value("promptbot_library_prompts") == size + 1
    assert (await health(base))[0] == 200


async def test_health_follows_the_gateway_connection(
    observed: tuple[FakeDiscord, PromptBot, str],
) -> None:
    fake, app, base = observed
    ok = {"status": "ok", "shards_up": [0], "shards_down": [], "library": True}
    assert await health(base) == (200, ok)
    async with fake.hold_gateway():
        await fake.drop_gateway(wait_resumed=False)
        await fake.recorder.wait_for(lambda: not app.sessions[0], 10, "the session down")
        down = {"status": "unavailable", "shards_up": [], "shards_down": [0], "library": True}
        assert await health(base) == (503, down)
        assert (await scrape(base)).get_value("promptbot_shard_connected", shard="0") == 0
    await fake.recorder.wait_for(lambda: fake.gateway.sessions[0].resumes == 1, 15, "RESUME")
    await fake.recorder.wait_for(lambda: app.sessions[0], 10, "the session up")
    assert await health(base) == (200, ok)
